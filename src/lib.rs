//! # gradhep
//!
//! Ordinary Rust physics code, differentiable at compile time.
//!
//! `#[differentiable]` rewrites an `f64` function into one generic over num-dual's dual
//! numbers, emits `_grad` and `_hessian` companions, and refuses code whose gradient would be
//! silently wrong (a hard cut, a bin index) with a compile error that names the smooth
//! replacement. `gradhep-core`'s smooth cuts, kernel-density histograms and HistFactory
//! statistics are those replacements.

pub use gradhep_core::*;
pub use gradhep_macros::differentiable;
