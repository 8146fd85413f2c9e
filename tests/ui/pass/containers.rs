//! Active slices and vectors named in `wrt`, tuples, arrays, `vec![..]`, `collect`.
use gradhep::differentiable;
use gradhep::num_dual::Dual64;

#[differentiable(wrt(weights))]
pub fn weighted(weights: &[f64], values: &[f64]) -> (f64, usize) {
    let products: Vec<f64> = weights.iter().zip(values).map(|(w, v)| w * v).collect();
    let pair = [products[0], 0.0];
    let extra = vec![pair[1]; 2];
    (products.iter().sum::<f64>() + extra[0], products.len())
}

#[differentiable(wrt(buffer))]
pub fn scale_in_place(buffer: &mut [f64], k: f64) -> f64 {
    for b in buffer.iter_mut() {
        *b *= k;
    }
    buffer[0]
}

fn main() {
    let w = [Dual64::new(1.0, 1.0), Dual64::new(2.0, 0.0)];
    let (s, n) = weighted(&w, &[3.0, 4.0]);
    assert_eq!((s.re, s.eps, n), (11.0, 3.0, 2));
    let mut b = [Dual64::new(1.5, 1.0)];
    let y = scale_in_place(&mut b, 2.0);
    assert_eq!((y.re, y.eps), (3.0, 2.0));
}
