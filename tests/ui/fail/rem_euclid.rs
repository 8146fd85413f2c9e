use gradhep::differentiable;

#[differentiable]
pub fn wrapped(phi: f64) -> f64 {
    phi.rem_euclid(std::f64::consts::TAU)
}

fn main() {}
