use gradhep::differentiable;

#[differentiable(respect_to(x))]
pub fn square(x: f64) -> f64 {
    x * x
}

fn main() {}
