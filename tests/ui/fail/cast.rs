use gradhep::differentiable;

#[differentiable]
pub fn count(x: f64) -> i64 {
    (x * 10.0) as i64
}

fn main() {}
