use gradhep::differentiable;

#[differentiable]
pub fn in_window(x: f64, lo: f64, hi: f64) -> f64 {
    if x > lo && x < hi { x } else { 0.0 }
}

fn main() {}
