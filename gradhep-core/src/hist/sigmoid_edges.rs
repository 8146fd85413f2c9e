//! The histogram with sigmoid bin edges.

use super::{HistOptions, Logistic, kernel_hist};
use crate::scalar::{Elem, Scalar};

/// The histogram whose bins are bounded by sigmoid steps of width `t`:
/// `n_b = Σᵢ [σ((xᵢ − e_b)/t) − σ((xᵢ − e_{b+1})/t)]`, each event's membership of bin `b` a
/// soft window between its edges.
///
/// The same as a kernel histogram with the logistic kernel, so it shares [`kde`](super::kde)'s
/// conventions: `values` and `edges` plain or the scalar type, `width` the scalar type, the
/// tails dropped unless [`HistOptions::fold_overflow`], and the sparse, parallel evaluation.
/// The logistic tail is heavier than the Gaussian's (`e^{−|z|}`): for the same width it
/// spreads events further.
///
/// Hard limit: as `t → 0⁺` the ordinary histogram, an event on an edge split half and half.
///
/// # Panics
/// If there are fewer than two edges, the edges are not strictly increasing, or the width is
/// not positive and finite.
///
/// ```
/// use gradhep_core::hist::sigmoid_edges;
/// use gradhep_core::smooth::sigmoid;
/// let h = sigmoid_edges(&[0.9], &[0.0, 1.0, 2.0], 0.1);
/// assert!((h[0] - (sigmoid(9.0) - sigmoid(-1.0))).abs() < 1e-15);
/// assert!((h[1] - (sigmoid(-1.0) - sigmoid(-11.0))).abs() < 1e-15);
/// ```
pub fn sigmoid_edges<D: Scalar, V: Elem<D>, E: Elem<D>>(
    values: &[V],
    edges: &[E],
    width: D,
) -> Vec<D> {
    HistOptions::new().sigmoid_edges(values, edges, width)
}

impl HistOptions {
    /// [`sigmoid_edges`] with these options.
    ///
    /// # Panics
    /// As [`sigmoid_edges`].
    ///
    /// ```
    /// use gradhep_core::hist::HistOptions;
    /// let h = HistOptions::new().fold_overflow(true).sigmoid_edges(&[-4.0, 7.0], &[0.0, 1.0, 2.0], 0.1);
    /// assert_eq!(h, vec![1.0, 1.0]);
    /// ```
    pub fn sigmoid_edges<D: Scalar, V: Elem<D>, E: Elem<D>>(
        self,
        values: &[V],
        edges: &[E],
        width: D,
    ) -> Vec<D> {
        kernel_hist::<Logistic, D, V, f64, E>("sigmoid_edges", values, None, edges, width, self)
    }
}
