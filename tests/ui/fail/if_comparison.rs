use gradhep::differentiable;

#[differentiable]
pub fn hard_cut(x: f64, cut: f64) -> f64 {
    if x > cut { 1.0 } else { 0.0 }
}

fn main() {}
