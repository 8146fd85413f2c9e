use gradhep::differentiable;
use std::cmp::Ordering;

#[differentiable]
pub fn region(x: f64) -> f64 {
    match (x * 2.0).partial_cmp(&1.0) {
        Some(Ordering::Less) => 0.0,
        _ => 1.0,
    }
}

fn main() {}
