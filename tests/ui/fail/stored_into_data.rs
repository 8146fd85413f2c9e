use gradhep::differentiable;

#[differentiable(wrt(cut))]
pub fn fill(cut: f64, values: &[f64], hist: &mut [f64]) {
    for (i, v) in values.iter().enumerate() {
        hist[i % 4] += 1.0 / (1.0 + (cut - v).exp());
    }
}

fn main() {}
