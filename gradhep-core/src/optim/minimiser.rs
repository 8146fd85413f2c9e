//! The descent loop: evaluate, record, observe, check the stopping rule, update.

use super::{History, Outcome, Schedule, StopReason, StopRule, UpdateRule};

/// A first-order minimiser: an update rule, a learning-rate schedule and a stopping rule.
///
/// [`minimise`](Self::minimise) runs, for `k = 0, 1, 2, …`:
/// 1. `(f_k, g_k) = objective(x_k)`, recorded in the [`History`];
/// 2. the observer sees the [`Step`] (from [`minimise_with`](Self::minimise_with));
/// 3. stop if `f_k` or `g_k` is not finite, if the observer said [`Control::Stop`], or if
///    the [`StopRule`] holds;
/// 4. `x_{k+1}` = the rule's update of `x_k` with `g_k` and `η_k` from the [`Schedule`].
///
/// The objective is any `FnMut(&[f64; K]) -> (f64, [f64; K])`: a `#[differentiable]`
/// function's `_grad` companion in a closure, or a hand-written gradient. Bounded
/// parameters are optimised in an unconstrained space through the maps of
/// [`Interval`](super::Interval), [`Positive`](super::Positive) and
/// [`Ordered`](super::Ordered).
///
/// ```
/// use gradhep_core::optim::{Adam, Minimiser, Schedule, StopReason, StopRule};
/// let minimiser = Minimiser::new(
///     Adam::default(),
///     Schedule::constant(0.05),
///     StopRule::max_steps(2000).gradient_tolerance(1e-9),
/// );
/// // f(x, y) = (x − 1)² + 10 (y + 2)²
/// let run = minimiser.minimise([0.0, 0.0], |p| {
///     let (dx, dy) = (p[0] - 1.0, p[1] + 2.0);
///     (dx * dx + 10.0 * dy * dy, [2.0 * dx, 20.0 * dy])
/// });
/// assert!((run.params[0] - 1.0).abs() < 1e-6 && (run.params[1] + 2.0).abs() < 1e-6);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Minimiser<R> {
    rule: R,
    schedule: Schedule,
    stop: StopRule,
}

/// What the observer sees at each step, before the stopping rule and the update.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step<'a, const K: usize> {
    /// The step number `k`, from 0.
    pub index: usize,
    /// `x_k`.
    pub params: &'a [f64; K],
    /// `f(x_k)`.
    pub loss: f64,
    /// `∇f(x_k)`.
    pub gradient: &'a [f64; K],
    /// `‖∇f(x_k)‖₂`.
    pub gradient_norm: f64,
    /// `η_k`, the rate of the update from `x_k` if the run goes on.
    pub learning_rate: f64,
    /// The lowest finite loss up to and including this step.
    pub best_loss: f64,
}

/// An observer's answer: go on, or stop with [`StopReason::Requested`].
///
/// An observer returning `()` means [`Continue`](Control::Continue).
///
/// ```
/// use gradhep_core::optim::Control;
/// assert_eq!(Control::from(()), Control::Continue);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Go on to the stopping rule and the update.
    Continue,
    /// Stop now.
    Stop,
}

impl From<()> for Control {
    fn from((): ()) -> Self {
        Control::Continue
    }
}

impl<R> Minimiser<R> {
    /// A minimiser with update rule `rule` ([`Adam`](super::Adam),
    /// [`GradientDescent`](super::GradientDescent)), rate `schedule` and stopping rule `stop`.
    ///
    /// ```
    /// use gradhep_core::optim::{GradientDescent, Minimiser, Schedule, StopRule};
    /// let m = Minimiser::new(GradientDescent, Schedule::constant(0.1), StopRule::max_steps(10));
    /// # let _ = m;
    /// ```
    pub fn new(rule: R, schedule: Schedule, stop: StopRule) -> Self {
        Minimiser {
            rule,
            schedule,
            stop,
        }
    }

    /// Minimises `objective` from `init`; see [`Minimiser`] for the loop.
    ///
    /// ```
    /// use gradhep_core::optim::{GradientDescent, Minimiser, Schedule, StopReason, StopRule};
    /// let m = Minimiser::new(
    ///     GradientDescent,
    ///     Schedule::constant(0.5),
    ///     StopRule::max_steps(100).gradient_tolerance(0.0),
    /// );
    /// // η = 1/2 on x² lands on the minimum in one step
    /// let run = m.minimise([3.0], |x| (x[0] * x[0], [2.0 * x[0]]));
    /// assert_eq!((run.params, run.reason), ([0.0], StopReason::GradientNorm));
    /// ```
    pub fn minimise<const K: usize, F>(&self, init: [f64; K], objective: F) -> Outcome<K>
    where
        R: UpdateRule<K>,
        F: FnMut(&[f64; K]) -> (f64, [f64; K]),
    {
        self.minimise_with(init, objective, |_: &Step<'_, K>| ())
    }

    /// Minimises `objective` from `init`, calling `observer` at every step.
    ///
    /// The observer drives a progress bar, records quantities of its own (it may evaluate
    /// anything at `step.params`), or ends the run by returning [`Control::Stop`]; one
    /// that returns `()` never stops it.
    ///
    /// ```
    /// use gradhep_core::optim::{Adam, Control, Minimiser, Schedule, StopReason, StopRule};
    /// let m = Minimiser::new(Adam::default(), Schedule::constant(0.1), StopRule::max_steps(100));
    /// let mut seen = Vec::new();
    /// let run = m.minimise_with(
    ///     [1.0],
    ///     |x| (x[0] * x[0], [2.0 * x[0]]),
    ///     |step| {
    ///         seen.push(step.params[0]);
    ///         if step.loss < 0.5 { Control::Stop } else { Control::Continue }
    ///     },
    /// );
    /// assert_eq!(run.reason, StopReason::Requested);
    /// assert_eq!(seen.len(), run.history.loss.len());
    /// assert!(run.loss < 0.5);
    /// ```
    ///
    /// A by-product of the objective (a CLs value beside a cross-entropy loss, a fitted
    /// nuisance parameter) reaches the observer through a [`Cell`](std::cell::Cell) that
    /// both closures share, without a second evaluation:
    ///
    /// ```
    /// use std::cell::Cell;
    /// use gradhep_core::optim::{GradientDescent, Minimiser, Schedule, StopRule};
    /// let m = Minimiser::new(GradientDescent, Schedule::constant(0.25), StopRule::max_steps(3));
    /// let distance = Cell::new(0.0);
    /// let mut distances = Vec::new();
    /// m.minimise_with(
    ///     [4.0],
    ///     |x| {
    ///         distance.set(x[0].abs());
    ///         (x[0] * x[0], [2.0 * x[0]])
    ///     },
    ///     |_| distances.push(distance.get()),
    /// );
    /// assert_eq!(distances, [4.0, 2.0, 1.0, 0.5]);
    /// ```
    pub fn minimise_with<const K: usize, F, O, C>(
        &self,
        init: [f64; K],
        mut objective: F,
        mut observer: O,
    ) -> Outcome<K>
    where
        R: UpdateRule<K>,
        F: FnMut(&[f64; K]) -> (f64, [f64; K]),
        O: FnMut(&Step<'_, K>) -> C,
        C: Into<Control>,
    {
        let mut state = self.rule.start();
        let mut history = History::default();
        let mut params = init;
        let mut best: Option<(usize, f64, [f64; K])> = None;
        let mut previous_loss = None;
        let mut k = 0;
        loop {
            let (loss, gradient) = objective(&params);
            let gradient_norm = gradient.iter().fold(0.0, |norm: f64, g| norm.hypot(*g));
            history.loss.push(loss);
            history.gradient_norm.push(gradient_norm);

            let finite = loss.is_finite() && gradient.iter().all(|g| g.is_finite());
            if finite && best.is_none_or(|(_, best_loss, _)| loss < best_loss) {
                best = Some((k, loss, params));
            }
            let (best_step, best_loss, best_params) = best.unwrap_or((0, loss, init));

            let learning_rate = self.schedule.learning_rate(k);
            let step = Step {
                index: k,
                params: &params,
                loss,
                gradient: &gradient,
                gradient_norm,
                learning_rate,
                best_loss,
            };
            let control = observer(&step).into();
            let reason = if !finite {
                Some(StopReason::NonFinite)
            } else if control == Control::Stop {
                Some(StopReason::Requested)
            } else {
                self.stop
                    .check(k, loss, gradient_norm, previous_loss, best_step)
            };
            if let Some(reason) = reason {
                return Outcome {
                    params,
                    loss,
                    best_params,
                    best_loss,
                    best_step,
                    history,
                    reason,
                };
            }
            self.rule
                .update(&mut state, &mut params, &gradient, learning_rate);
            previous_loss = Some(loss);
            k += 1;
        }
    }
}
