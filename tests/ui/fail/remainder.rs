use gradhep::differentiable;

#[differentiable]
pub fn phase(phi: f64) -> f64 {
    phi % 6.283185307179586
}

fn main() {}
