//! What a run returns: where it ended, the best point it saw, its history and why it stopped.

use super::StopReason;

/// The loss and gradient norm at every evaluated step `k = 0, 1, …` of a run.
///
/// ```
/// use gradhep_core::optim::{GradientDescent, Minimiser, Schedule, StopRule};
/// let run = Minimiser::new(GradientDescent, Schedule::constant(0.25), StopRule::max_steps(2))
///     .minimise([4.0], |x| (x[0] * x[0], [2.0 * x[0]]));
/// assert_eq!(run.history.loss, [16.0, 4.0, 1.0]);
/// assert_eq!(run.history.gradient_norm, [8.0, 4.0, 2.0]);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// `f(x_k)`.
    pub loss: Vec<f64>,
    /// `‖∇f(x_k)‖₂`.
    pub gradient_norm: Vec<f64>,
}

/// The result of [`Minimiser::minimise`](super::Minimiser::minimise).
///
/// ```
/// use gradhep_core::optim::{GradientDescent, Minimiser, Schedule, StopReason, StopRule};
/// // η = 1 on x² overshoots to −x forever: the best point is the start, as good as any
/// let run = Minimiser::new(GradientDescent, Schedule::constant(1.0), StopRule::max_steps(4))
///     .minimise([1.0], |x| (x[0] * x[0], [2.0 * x[0]]));
/// assert_eq!((run.params, run.best_params, run.best_step), ([1.0], [1.0], 0));
/// assert_eq!(run.reason, StopReason::MaxSteps);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome<const K: usize> {
    /// The parameters of the last evaluation (`x_n` after `n` updates).
    pub params: [f64; K],
    /// The loss at [`params`](Self::params).
    pub loss: f64,
    /// The evaluated parameters of lowest finite loss (the first such on a tie; the
    /// starting point if no evaluation was finite).
    pub best_params: [f64; K],
    /// The loss at [`best_params`](Self::best_params).
    pub best_loss: f64,
    /// The step `k` of [`best_params`](Self::best_params).
    pub best_step: usize,
    /// Loss and gradient norm at every step, the last included.
    pub history: History,
    /// Why the run stopped.
    pub reason: StopReason,
}
