use gradhep::differentiable;

#[differentiable]
pub async fn later(x: f64) -> f64 {
    x * x
}

fn main() {}
