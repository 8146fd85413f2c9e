use gradhep::differentiable;

#[differentiable]
pub unsafe extern "C" fn exported(x: f64) -> f64 {
    x * x
}

fn main() {}
