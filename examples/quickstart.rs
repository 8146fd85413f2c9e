//! The README's example: a soft cut on ordinary `f64` code, differentiated at compile time.
use gradhep::prelude::*;

/// Events kept by a soft cut at `cut` of width `width`.
#[differentiable(wrt(cut, width))]
fn kept(cut: f64, width: f64, events: &[f64]) -> f64 {
    events.iter().map(|&x| cut_above(x, cut, width)).sum()
}

fn main() {
    let events = [0.3, 0.8, 1.1, 1.6, 2.4];
    let y = kept(1.0, 0.1, &events); // plain f64, unchanged call site
    let (y2, [dy_dcut, dy_dwidth]) = kept_grad(1.0, 0.1, &events); // one forward pass
    assert_eq!(y, y2);
    println!("kept {y:.4} events; ∂/∂cut = {dy_dcut:.4}, ∂/∂width = {dy_dwidth:.4}");
}
