//! Plain gradient descent.

use super::UpdateRule;

/// Gradient descent: `x_{k+1} = x_k − η_k ∇f(x_k)`.
///
/// With a constant rate on a quadratic `f(x) = ½ xᵀA x` the iterates are
/// `x_k = (I − ηA)^k x_0`, which converge when `η < 2 / λ_max(A)`.
///
/// ```
/// use gradhep_core::optim::{GradientDescent, Minimiser, Schedule, StopRule};
/// // f(x) = x², f'(x) = 2x: each step multiplies x by 1 − 2η = 0.5
/// let run = Minimiser::new(GradientDescent, Schedule::constant(0.25), StopRule::max_steps(3))
///     .minimise([8.0], |x| (x[0] * x[0], [2.0 * x[0]]));
/// assert_eq!(run.params, [1.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GradientDescent;

impl<const K: usize> UpdateRule<K> for GradientDescent {
    type State = ();

    fn start(&self) {}

    fn update(&self, _: &mut (), params: &mut [f64; K], gradient: &[f64; K], learning_rate: f64) {
        for (x, g) in params.iter_mut().zip(gradient) {
            *x -= learning_rate * g;
        }
    }
}
