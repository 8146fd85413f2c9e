use gradhep::differentiable;

#[differentiable(wrt(values))]
pub fn split_sum(values: Vec<f64>) -> f64 {
    let (low, high): (Vec<f64>, Vec<f64>) = values.into_iter().partition(|&v| v < 1.0);
    low.len() as f64 + high.len() as f64
}

fn main() {}
