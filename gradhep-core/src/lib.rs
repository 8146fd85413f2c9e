//! Smooth operations and differentiable statistics for gradhep.
//!
//! Users depend on the `gradhep` facade, which re-exports this crate and the
//! `#[differentiable]` attribute; see its documentation for the overview.

// Generated code names everything through `::gradhep::…`; inside this crate that is us.
extern crate self as gradhep;

pub use gradhep_macros::differentiable;
pub use num_dual;

pub mod check;
pub mod dense;
mod first_order;
pub mod fit;
pub mod hist;
pub mod histfactory;
pub mod infer;
pub mod optim;
pub mod parallel;
pub mod reverse;
pub mod scalar;
pub mod smooth;
pub mod special;
pub mod stats;

/// `f64` values per AVX2 vector register: how many events or points the vectorised loops
/// take side by side (`par_sum`'s interleaved partial sums, the batched `Φ`, the reverse
/// sweep's lanes). The build leaves AVX-512 out (`.cargo/config.toml`), so four it is.
pub(crate) const LANES: usize = 4;

pub use dense::DualDense64;
pub use parallel::par_sum;
pub use reverse::{EventSums, Rev, event_sum_jacobian};
pub use scalar::{Elem, Scalar, Value, clamp, custom_unary, detach, hypot, lift, max, min, value};
pub use scalar::{gradient_seeds, hessian_seeds, product, split_gradient, split_hessian, sum};

/// What an analysis uses every day: `use gradhep::prelude::*;`.
///
/// ```
/// use gradhep_core::prelude::*;
/// use gradhep_core::num_dual::{first_derivative, Dual64};
///
/// /// Binned significance after a soft cut at `cut`: one source for values and gradients.
/// fn significance<D: Scalar>(cut: D, signal: &[f64], background: &[f64]) -> D {
///     let edges = [0.0, 1.0, 2.0, 3.0];
///     let kept = |xs: &[f64]| -> Vec<D> { xs.iter().map(|&x| cut_above(lift(x), cut, lift(0.2))).collect() };
///     let s = kde_weighted(signal, &kept(signal), &edges, lift(0.3));
///     let b = kde_weighted(background, &kept(background), &edges, lift(0.3));
///     asimov_significance_binned(&s, &b)
/// }
///
/// let signal = [1.2, 1.9, 2.3, 2.6];
/// let background = [0.2, 0.5, 0.8, 1.1, 1.4, 2.0];
/// let z = significance(0.5, &signal, &background);
/// let (z_again, dz_dcut) = first_derivative(|c: Dual64| significance(c, &signal, &background), 0.5);
/// assert_eq!(z, z_again);
/// assert!(dz_dcut > 0.0); // a tighter cut drops background faster than signal
/// ```
pub mod prelude {
    pub use crate::differentiable;
    pub use crate::hist::{kde, kde_weighted};
    pub use crate::parallel::par_sum;
    pub use crate::scalar::{Scalar, detach, lift};
    pub use crate::smooth::{cut_above, cut_below, cut_window, sigmoid};
    pub use crate::stats::{
        asimov_significance, asimov_significance_binned, asimov_significance_with_uncertainty,
    };
}
