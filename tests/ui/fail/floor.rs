use gradhep::differentiable;

#[differentiable]
pub fn bin_centre(x: f64, width: f64) -> f64 {
    ((x / width).floor() + 0.5) * width
}

fn main() {}
