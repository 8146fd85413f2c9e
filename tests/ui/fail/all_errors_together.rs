use gradhep::differentiable;

#[differentiable]
pub fn selection(x: f64, cut: f64, hist: &mut [f64]) -> f64 {
    let bin = (x * 10.0).floor() as usize;
    hist[bin] += 1.0;
    if x >= cut {
        x.trunc()
    } else {
        x % 2.0
    }
}

fn main() {}
