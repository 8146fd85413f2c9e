use gradhep::differentiable;

#[differentiable]
pub fn quantised(x: f64) -> f64 {
    f64::round(x * 4.0) / 4.0
}

fn main() {}
