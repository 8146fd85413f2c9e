use gradhep::differentiable;

#[differentiable]
pub fn piecewise(x: f64, regime: u8) -> f64 {
    match regime {
        0 => x,
        _ if x < 0.5 => x * x,
        _ => 2.0 * x,
    }
}

fn main() {}
