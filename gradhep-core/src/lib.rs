//! Smooth operations and differentiable statistics for gradhep.
//!
//! Users depend on the `gradhep` facade, which re-exports this crate and the
//! `#[differentiable]` attribute; see its documentation for the overview.

// Generated code names everything through `::gradhep::…`; inside this crate that is us.
extern crate self as gradhep;

pub use gradhep_macros::differentiable;
pub use num_dual;

pub mod fit;
pub mod histfactory;
pub mod infer;
pub mod scalar;
pub mod special;

pub use scalar::{Elem, Scalar, Value, clamp, custom_unary, detach, hypot, lift, max, min, value};

/// What an analysis uses every day: `use gradhep::prelude::*;`.
pub mod prelude {
    pub use crate::differentiable;
    pub use crate::scalar::{Scalar, detach, lift};
}
