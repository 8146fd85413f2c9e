//! When to stop: a step budget, convergence tolerances and patience.

/// The stopping rule of a [`Minimiser`](super::Minimiser).
///
/// After evaluating the objective `f_k` and its gradient `g_k` at step `k`, the run stops at
/// the first of these that holds, checked in this order:
///
/// | rule | condition | [`StopReason`] |
/// |---|---|---|
/// | [`gradient_tolerance(ε_g)`](Self::gradient_tolerance) | `‖g_k‖₂ ≤ ε_g` | `GradientNorm` |
/// | [`loss_tolerance(ε_f)`](Self::loss_tolerance) | `k ≥ 1` and `\|f_k − f_{k−1}\| ≤ ε_f · \|f_{k−1}\|` | `LossChange` |
/// | [`patience(p)`](Self::patience) | the best loss so far was reached at step `k − p` or earlier | `Patience` |
/// | [`max_steps(n)`](Self::max_steps) | `k = n` | `MaxSteps` |
///
/// so at most `n` updates are made and the objective is evaluated at most `n + 1` times.
/// The tolerances and patience are off unless set.
///
/// ```
/// use gradhep_core::optim::StopRule;
/// let rule = StopRule::max_steps(500).gradient_tolerance(1e-8).patience(50);
/// assert_eq!(rule.steps(), 500);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StopRule {
    max_steps: usize,
    gradient_norm: Option<f64>,
    relative_loss_change: Option<f64>,
    patience: Option<usize>,
}

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The step budget was spent.
    MaxSteps,
    /// The gradient norm fell to the tolerance: a stationary point.
    GradientNorm,
    /// The loss changed by less than the relative tolerance in one step.
    LossChange,
    /// The best loss did not improve for the patience's number of steps.
    Patience,
    /// The observer returned [`Control::Stop`](super::Control::Stop).
    Requested,
    /// The objective returned a loss or gradient that is NaN or infinite; the last record in
    /// the history is that evaluation, and the best parameters are the last finite ones.
    NonFinite,
}

impl StopRule {
    /// Stop after `n` updates (the objective is evaluated `n + 1` times); `n = 0` only
    /// evaluates the starting point.
    ///
    /// ```
    /// use gradhep_core::optim::StopRule;
    /// assert_eq!(StopRule::max_steps(100).steps(), 100);
    /// ```
    pub fn max_steps(n: usize) -> Self {
        StopRule {
            max_steps: n,
            gradient_norm: None,
            relative_loss_change: None,
            patience: None,
        }
    }

    /// Also stop when `‖g_k‖₂ ≤ tolerance`.
    ///
    /// # Panics
    /// If `tolerance` is negative or not finite.
    ///
    /// ```
    /// use gradhep_core::optim::StopRule;
    /// let rule = StopRule::max_steps(100).gradient_tolerance(1e-6);
    /// # let _ = rule;
    /// ```
    pub fn gradient_tolerance(mut self, tolerance: f64) -> Self {
        check_tolerance("gradient_tolerance", tolerance);
        self.gradient_norm = Some(tolerance);
        self
    }

    /// Also stop when `|f_k − f_{k−1}| ≤ tolerance · |f_{k−1}|`.
    ///
    /// One small step is enough; with a noisy loss prefer [`patience`](Self::patience).
    ///
    /// # Panics
    /// If `tolerance` is negative or not finite.
    ///
    /// ```
    /// use gradhep_core::optim::StopRule;
    /// let rule = StopRule::max_steps(100).loss_tolerance(1e-10);
    /// # let _ = rule;
    /// ```
    pub fn loss_tolerance(mut self, tolerance: f64) -> Self {
        check_tolerance("loss_tolerance", tolerance);
        self.relative_loss_change = Some(tolerance);
        self
    }

    /// Also stop when the best loss has not improved for `steps` steps.
    ///
    /// # Panics
    /// If `steps` is zero.
    ///
    /// ```
    /// use gradhep_core::optim::StopRule;
    /// let rule = StopRule::max_steps(1000).patience(20);
    /// # let _ = rule;
    /// ```
    pub fn patience(mut self, steps: usize) -> Self {
        assert!(steps > 0, "StopRule::patience: must be at least 1 step");
        self.patience = Some(steps);
        self
    }

    /// The step budget `n`.
    ///
    /// ```
    /// use gradhep_core::optim::StopRule;
    /// assert_eq!(StopRule::max_steps(7).patience(3).steps(), 7);
    /// ```
    pub fn steps(&self) -> usize {
        self.max_steps
    }

    /// Whether to stop at step `k` with loss `loss`, gradient norm `gradient_norm`, the
    /// previous loss (none at `k = 0`) and the step of the best loss so far.
    pub(super) fn check(
        &self,
        k: usize,
        loss: f64,
        gradient_norm: f64,
        previous_loss: Option<f64>,
        best_step: usize,
    ) -> Option<StopReason> {
        if self.gradient_norm.is_some_and(|tol| gradient_norm <= tol) {
            return Some(StopReason::GradientNorm);
        }
        if let (Some(tol), Some(prev)) = (self.relative_loss_change, previous_loss)
            && (loss - prev).abs() <= tol * prev.abs()
        {
            return Some(StopReason::LossChange);
        }
        if self.patience.is_some_and(|p| k >= best_step + p) {
            return Some(StopReason::Patience);
        }
        (k >= self.max_steps).then_some(StopReason::MaxSteps)
    }
}

fn check_tolerance(rule: &str, tolerance: f64) {
    assert!(
        tolerance >= 0.0 && tolerance.is_finite(),
        "StopRule::{rule}: tolerance must be non-negative and finite, got {tolerance}"
    );
}
