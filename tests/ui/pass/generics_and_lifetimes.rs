//! Functions with their own generics, lifetimes, an existing `D`, and a crate path override.
use gradhep as gh;
use gradhep::differentiable;

pub trait Detector {
    fn resolution(&self) -> f64;
}

pub struct D;

impl Detector for D {
    fn resolution(&self) -> f64 {
        0.1
    }
}

#[differentiable(crate = gh)]
pub fn smeared<'a, T: Detector>(x: f64, det: &'a T, labels: &'a [&'a str]) -> f64 {
    x * (1.0 + det.resolution()) + labels.len() as f64
}

#[differentiable]
pub fn sum_n<const N: usize>(v: [f64; N]) -> f64 {
    v.iter().map(|x| x * x).sum()
}

fn main() {
    let (y, [d]) = smeared_grad(2.0, &D, &["a"]);
    assert_eq!((y, d), (3.2, 1.1));
    let (s, g) = sum_n_grad([1.0, 2.0, 3.0]);
    assert_eq!((s, g), (14.0, [2.0, 4.0, 6.0]));
}
