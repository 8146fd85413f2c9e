//! Smooth operations and differentiable statistics for gradhep.
//!
//! Users depend on the `gradhep` facade, which re-exports this crate and the
//! `#[differentiable]` attribute; see its documentation for the overview.

// Generated code names everything through `::gradhep::…`; inside this crate that is us.
extern crate self as gradhep;

pub use gradhep_macros::differentiable;
pub use num_dual;

pub mod check;
pub mod hist;
pub mod scalar;
pub mod smooth;
pub mod special;
pub mod stats;

pub use scalar::{Elem, Scalar, Value, clamp, custom_unary, detach, hypot, lift, max, min, value};

/// What an analysis uses every day: `use gradhep::prelude::*;`.
pub mod prelude {
    pub use crate::differentiable;
    pub use crate::hist::{kde, kde_weighted};
    pub use crate::scalar::{Scalar, detach, lift};
    pub use crate::smooth::{cut_above, cut_below, cut_window, sigmoid};
    pub use crate::stats::{
        asimov_significance, asimov_significance_binned, asimov_significance_with_uncertainty,
    };
}
