//! The contract between a [`Minimiser`](super::Minimiser) and an update rule.

/// One update of a first-order method: the parameters move against the gradient, scaled by
/// the learning rate the schedule gives for this step.
///
/// The rule itself holds only hyper-parameters; what it carries between steps (Adam's
/// moment estimates) lives in [`State`](Self::State), so one rule can start any number of
/// independent runs.
///
/// ```
/// use gradhep_core::optim::{GradientDescent, UpdateRule};
/// let rule = GradientDescent;
/// let mut state = UpdateRule::<2>::start(&rule);
/// let mut x = [1.0, 2.0];
/// rule.update(&mut state, &mut x, &[10.0, -10.0], 0.1);
/// assert_eq!(x, [0.0, 3.0]);
/// ```
pub trait UpdateRule<const K: usize> {
    /// What the rule carries from one step to the next.
    type State;

    /// The state before the first step.
    fn start(&self) -> Self::State;

    /// Moves `params` one step, given the gradient of the loss at `params` and the
    /// learning rate `η`.
    fn update(
        &self,
        state: &mut Self::State,
        params: &mut [f64; K],
        gradient: &[f64; K],
        learning_rate: f64,
    );
}
