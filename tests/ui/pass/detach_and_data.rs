//! Comparisons on data and on detached values are fine; so is `max`/`min`/`abs`.
use gradhep::{detach, differentiable};

#[differentiable(wrt(scale))]
pub fn selected_sum(scale: f64, data: &[f64], threshold: f64) -> f64 {
    let mut total = 0.0;
    for &v in data.iter().filter(|&&v| v > threshold) {
        total += v * scale;
    }
    if detach(total) > 100.0 {
        total = total.min(100.0);
    }
    let n = data.iter().filter(|v| **v > 0.0).count();
    total.abs() / n.max(1) as f64
}

fn main() {
    let data = [1.0, -2.0, 3.0];
    let (y, [d]) = selected_sum_grad(2.0, &data, 0.0);
    assert_eq!((y, d), (4.0, 2.0));
}
