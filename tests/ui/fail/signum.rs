use gradhep::differentiable;

#[differentiable]
pub fn charge_weighted(pt: f64, q: f64) -> f64 {
    q.signum() * pt
}

fn main() {}
