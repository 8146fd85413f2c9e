//! Strictly increasing points in an interval (movable bin edges) as a smooth map of
//! unconstrained parameters.

use super::bounds::check_range;
use crate::Scalar;
use crate::smooth::softmax;

/// `n` strictly increasing points inside `(lo, hi)` — the movable inner edges of a histogram
/// on `[lo, hi]` — from `n` unconstrained numbers `z`, by cumulative softmax.
///
/// The `n + 1` gaps between `lo`, the points and `hi` are the shares
/// `p = softmax(z₀, …, z_{n−1}, 0)` of the width (the last logit is pinned at 0, which makes
/// the map one-to-one):
///
/// ```text
/// e_j = lo + (hi − lo) P_j,    P_j = p₀ + … + p_j,    p_i = e^{z_i} / (1 + Σ_l e^{z_l})
/// ```
///
/// Every gap is positive for every `z`, so a step can never reorder the edges or push one
/// out of the range; a gap shrinks towards zero only as its logit goes to `−∞`.
/// The inverse takes the gaps `w_i` of given edges to `z_i = ln(w_i / w_n)`. The gradient in
/// `z` (the vector–Jacobian product `Jᵀg` of [`pullback`](Self::pullback)) is
///
/// ```text
/// ∂f/∂z_k = (hi − lo) p_k (G_k − Σ_j g_j P_j),    G_k = g_k + … + g_{n−1},    g_j = ∂f/∂e_j
/// ```
///
/// ```
/// use gradhep_core::optim::Ordered;
/// let edges = Ordered::new(0.0, 1.0);
/// // equal logits: equal gaps
/// assert_eq!(edges.forward(&[0.0, 0.0, 0.0]), [0.25, 0.5, 0.75]);
/// let z = edges.inverse(&[0.1, 0.2, 0.9]);
/// let back = edges.forward(&z);
/// assert!((back[0] - 0.1).abs() < 1e-15 && (back[2] - 0.9).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ordered {
    lo: f64,
    hi: f64,
}

impl Ordered {
    /// Points inside `(lo, hi)`.
    ///
    /// # Panics
    /// If `lo` or `hi` is not finite, or `lo >= hi`.
    ///
    /// ```
    /// use gradhep_core::optim::Ordered;
    /// let inner_edges = Ordered::new(0.0, 1.0);
    /// # let _ = inner_edges;
    /// ```
    pub fn new(lo: f64, hi: f64) -> Self {
        check_range("Ordered", lo, hi);
        Ordered { lo, hi }
    }

    /// The points `e_j = lo + (hi − lo) P_j`, one per logit. In floating point two points
    /// coincide only when a gap is below the rounding of its neighbours.
    ///
    /// ```
    /// use gradhep_core::optim::Ordered;
    /// use gradhep_core::num_dual::Dual64;
    /// let o = Ordered::new(0.0, 1.0);
    /// // a dual input carries the Jacobian: ∂e₀/∂z₀ = p₀(1 − p₀) = 2/9 at z = 0
    /// let e = o.forward(&[Dual64::new(0.0, 1.0), Dual64::from(0.0)]);
    /// assert!((e[0].eps - 2.0 / 9.0).abs() < 1e-15);
    /// ```
    pub fn forward<D: Scalar>(&self, z: &[D]) -> Vec<D> {
        let shares = shares(z);
        let width = self.hi - self.lo;
        let mut cumulative = D::zero();
        shares[..z.len()]
            .iter()
            .map(|&p| {
                cumulative += p;
                cumulative * width + self.lo
            })
            .collect()
    }

    /// The logits `z_i = ln(w_i / w_n)` of given points, with gaps `w₀ = e₀ − lo`,
    /// `w_i = e_i − e_{i−1}` and `w_n = hi − e_{n−1}`.
    ///
    /// # Panics
    /// Unless `lo < e₀ < e₁ < … < e_{n−1} < hi`.
    ///
    /// ```
    /// use gradhep_core::optim::Ordered;
    /// assert_eq!(Ordered::new(0.0, 4.0).inverse(&[1.0, 2.0, 3.0]), [0.0, 0.0, 0.0]);
    /// ```
    pub fn inverse(&self, edges: &[f64]) -> Vec<f64> {
        let mut bounds = Vec::with_capacity(edges.len() + 2);
        bounds.push(self.lo);
        bounds.extend_from_slice(edges);
        bounds.push(self.hi);
        let gaps: Vec<f64> = bounds.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(
            gaps.iter().all(|&w| w > 0.0),
            "Ordered::inverse: edges {edges:?} are not strictly increasing inside ({}, {})",
            self.lo,
            self.hi
        );
        let last = gaps[edges.len()];
        gaps[..edges.len()]
            .iter()
            .map(|&w| (w / last).ln())
            .collect()
    }

    /// `∂f/∂z = Jᵀ ∂f/∂e`: the gradient in the logits `z` from the gradient `∂f/∂e` in the
    /// points `e = forward(z)`.
    ///
    /// # Panics
    /// If `z` and `gradient` differ in length.
    ///
    /// ```
    /// use gradhep_core::optim::Ordered;
    /// let o = Ordered::new(0.0, 1.0);
    /// // f = e₀ + e₁ + e₂: widening the first gap moves all three edges up
    /// let g = o.pullback(&[0.0, 0.0, 0.0], &[1.0, 1.0, 1.0]);
    /// let expected = [0.375, 0.125, -0.125];
    /// assert!(g.iter().zip(expected).all(|(gk, ek)| (gk - ek).abs() < 1e-15));
    /// ```
    pub fn pullback(&self, z: &[f64], gradient: &[f64]) -> Vec<f64> {
        assert_eq!(
            z.len(),
            gradient.len(),
            "Ordered::pullback: {} logits but {} gradient components",
            z.len(),
            gradient.len()
        );
        let shares = shares(z);
        let mut cumulative = 0.0;
        let weighted: f64 = gradient
            .iter()
            .zip(&shares)
            .map(|(g, p)| {
                cumulative += p;
                g * cumulative
            })
            .sum();
        let width = self.hi - self.lo;
        let mut tail: f64 = gradient.iter().sum();
        gradient
            .iter()
            .zip(&shares)
            .map(|(g, p)| {
                let gk = width * p * (tail - weighted);
                tail -= g;
                gk
            })
            .collect()
    }
}

/// `softmax(z₀, …, z_{n−1}, 0)`: the last logit is pinned so the map is one-to-one.
fn shares<D: Scalar>(z: &[D]) -> Vec<D> {
    let logits: Vec<D> = z.iter().copied().chain([D::zero()]).collect();
    softmax(&logits)
}
