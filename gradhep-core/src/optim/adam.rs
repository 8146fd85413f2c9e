//! Adam (Kingma & Ba, 2015).

use super::UpdateRule;

/// Adam: gradient descent scaled per parameter by running moment estimates.
///
/// At step `t = 1, 2, …` with gradient `g_t` (Kingma & Ba, *Adam: A Method for Stochastic
/// Optimization*, ICLR 2015, Algorithm 1):
///
/// ```text
/// m_t = β₁ m_{t−1} + (1 − β₁) g_t          m̂_t = m_t / (1 − β₁ᵗ)
/// v_t = β₂ v_{t−1} + (1 − β₂) g_t²         v̂_t = v_t / (1 − β₂ᵗ)
/// x_t = x_{t−1} − η_t m̂_t / (√v̂_t + ε)
/// ```
///
/// with `m_0 = v_0 = 0`. The bias corrections make the first step `η · sign(g)` (up to
/// `ε`), so `η` is roughly the distance a parameter moves per step whatever the gradient's
/// scale: pick it in the units of the parameters.
///
/// ```
/// use gradhep_core::optim::{Adam, Minimiser, Schedule, StopRule};
/// // the first step moves by η against the gradient, whatever its size
/// let run = Minimiser::new(Adam::default(), Schedule::constant(0.1), StopRule::max_steps(1))
///     .minimise([3.0], |x| (1e6 * x[0] * x[0], [2e6 * x[0]]));
/// assert!((run.params[0] - 2.9).abs() < 1e-12);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Adam {
    beta1: f64,
    beta2: f64,
    epsilon: f64,
}

impl Default for Adam {
    /// The paper's defaults: `β₁ = 0.9`, `β₂ = 0.999`, `ε = 10⁻⁸`.
    fn default() -> Self {
        Adam::new(0.9, 0.999, 1e-8)
    }
}

impl Adam {
    /// Adam with decay rates `β₁`, `β₂` of the first and second moment estimates and the
    /// denominator offset `ε`.
    ///
    /// # Panics
    /// If `beta1` or `beta2` is not in `[0, 1)`, or `epsilon` is not positive and finite.
    ///
    /// ```
    /// use gradhep_core::optim::Adam;
    /// assert_eq!(Adam::new(0.9, 0.999, 1e-8), Adam::default());
    /// ```
    pub fn new(beta1: f64, beta2: f64, epsilon: f64) -> Self {
        for (name, beta) in [("beta1", beta1), ("beta2", beta2)] {
            assert!(
                (0.0..1.0).contains(&beta),
                "Adam: {name} must be in [0, 1), got {beta}"
            );
        }
        assert!(
            epsilon > 0.0 && epsilon.is_finite(),
            "Adam: epsilon must be positive and finite, got {epsilon}"
        );
        Adam {
            beta1,
            beta2,
            epsilon,
        }
    }
}

/// Adam's moment estimates `m_t`, `v_t` and step count `t`.
#[derive(Clone, Debug, PartialEq)]
pub struct AdamState<const K: usize> {
    first_moment: [f64; K],
    second_moment: [f64; K],
    t: f64,
}

impl<const K: usize> UpdateRule<K> for Adam {
    type State = AdamState<K>;

    fn start(&self) -> AdamState<K> {
        AdamState {
            first_moment: [0.0; K],
            second_moment: [0.0; K],
            t: 0.0,
        }
    }

    fn update(
        &self,
        state: &mut AdamState<K>,
        params: &mut [f64; K],
        gradient: &[f64; K],
        learning_rate: f64,
    ) {
        state.t += 1.0;
        let first_correction = 1.0 - self.beta1.powf(state.t);
        let second_correction = 1.0 - self.beta2.powf(state.t);
        for i in 0..K {
            let g = gradient[i];
            let m = &mut state.first_moment[i];
            let v = &mut state.second_moment[i];
            *m = self.beta1 * *m + (1.0 - self.beta1) * g;
            *v = self.beta2 * *v + (1.0 - self.beta2) * g * g;
            let m_hat = *m / first_correction;
            let v_hat = *v / second_correction;
            params[i] -= learning_rate * m_hat / (v_hat.sqrt() + self.epsilon);
        }
    }
}
