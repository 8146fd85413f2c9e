//! First-order optimisation of analysis parameters: Adam and gradient descent with a
//! learning-rate schedule, a stopping rule, a loss history and a per-step observer, plus
//! smooth reparametrisations for bounded and ordered parameters.
//!
//! The objective is any `FnMut(&[f64; K]) -> (f64, [f64; K])` returning the loss and its
//! gradient, such as a `#[differentiable]` function's `_grad` companion in a closure,
//! `|w| loss_grad(*w, &events)`. Bounds
//! are not enforced by clipping: the optimiser works in unconstrained coordinates `u`, and
//! [`Interval`], [`Positive`] and [`Ordered`] map them onto the allowed set, either
//! inside the differentiable function (the maps are generic over [`Scalar`](crate::Scalar))
//! or outside it with the chain rule ([`Interval::derivative`], [`Ordered::pullback`]).
//!
//! ```
//! use gradhep_core::optim::{Adam, Minimiser, Ordered, Schedule, StopRule};
//! // two bin edges in (0, 1), pulled towards 0.3 and 0.6 by f(e) = Σ (e_j − t_j)²
//! let edges = Ordered::new(0.0, 1.0);
//! let target = [0.3, 0.6];
//! let z0 = edges.inverse(&[0.5, 0.9]);
//! let run = Minimiser::new(Adam::default(), Schedule::constant(0.05), StopRule::max_steps(2000))
//!     .minimise([z0[0], z0[1]], |z| {
//!         let e = edges.forward(z);
//!         let loss = (e[0] - target[0]).powi(2) + (e[1] - target[1]).powi(2);
//!         let g = edges.pullback(z, &[2.0 * (e[0] - target[0]), 2.0 * (e[1] - target[1])]);
//!         (loss, [g[0], g[1]])
//!     });
//! let e = edges.forward(&run.best_params);
//! assert!((e[0] - 0.3).abs() < 1e-6 && (e[1] - 0.6).abs() < 1e-6);
//! ```

mod adam;
mod bounds;
mod descent;
mod minimiser;
mod ordered;
mod outcome;
mod schedule;
mod stop;
mod update;

pub use adam::{Adam, AdamState};
pub use bounds::{Interval, Positive};
pub use descent::GradientDescent;
pub use minimiser::{Control, Minimiser, Step};
pub use ordered::Ordered;
pub use outcome::{History, Outcome};
pub use schedule::Schedule;
pub use stop::{StopReason, StopRule};
pub use update::UpdateRule;
