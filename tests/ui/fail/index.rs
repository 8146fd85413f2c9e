use gradhep::differentiable;

#[differentiable]
pub fn histogram(x: f64, weight: f64) -> Vec<f64> {
    let mut hist = vec![0.0; 10];
    hist[(x / 0.1) as usize] += weight;
    hist
}

fn main() {}
