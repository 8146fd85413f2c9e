//! The Gaussian-kernel histogram.

use super::{Gaussian, HistOptions, kernel_hist};
use crate::scalar::{Elem, Scalar};

/// The kernel-density (KDE) histogram: each event is a Gaussian of width `bandwidth` and
/// each bin counts the probability it holds,
/// `n_b = Σᵢ [Φ((e_{b+1} − xᵢ)/h) − Φ((e_b − xᵢ)/h)]`.
///
/// `values` and `edges` may each be plain `f64` or the scalar type `D`; the bandwidth `h` is
/// `D`, which pins the type: `kde(&x, &e, 0.1)` on plain data is an `f64` histogram, and
/// `kde(&dual_values, &e, lift(0.1))` one of duals. Returns the `edges.len() − 1` bin
/// contents, the tails dropped (as `relaxed.hist`); see [`HistOptions`] for densities and
/// folded tails. Evaluated sparsely and in parallel (see the [module docs](super)).
///
/// Hard limit: as `h → 0⁺` the ordinary histogram, with an event exactly on an inner edge
/// split half and half between its two bins. An event at `±∞` lies in the tails, and a NaN
/// value makes every bin NaN (as the dense formula would). Infinite outer edges are allowed
/// and fold the tails in by themselves.
///
/// # Panics
/// If there are fewer than two edges, the edges are not strictly increasing, or the
/// bandwidth is not positive and finite.
///
/// ```
/// use gradhep_core::hist::kde;
/// use gradhep_core::lift;
/// use gradhep_core::num_dual::Dual64;
/// let edges = [0.0, 1.0, 2.0];
/// // far from the edges the kernel is inside one bin; on an edge it is split in two
/// assert_eq!(kde(&[0.5, 1.0, 1.5], &edges, 0.01), vec![1.5, 1.5]);
/// // trainable values, fixed edges and bandwidth: d n_0 / d x = −φ(0)/h
/// let x = [Dual64::new(1.0, 1.0)];
/// let h = kde(&x, &edges, lift(0.05));
/// assert_eq!(h[0].re, 0.5);
/// assert!((h[0].eps + 0.398_942_280_401_432_7 / 0.05).abs() < 1e-14);
/// ```
pub fn kde<D: Scalar, V: Elem<D>, E: Elem<D>>(values: &[V], edges: &[E], bandwidth: D) -> Vec<D> {
    HistOptions::new().kde(values, edges, bandwidth)
}

/// The weighted KDE histogram `n_b = Σᵢ wᵢ [Φ((e_{b+1} − xᵢ)/h) − Φ((e_b − xᵢ)/h)]`, as
/// [`kde`] with a weight per event (plain `f64` or the scalar type).
///
/// # Panics
/// As [`kde`], and if `weights` and `values` differ in length.
///
/// ```
/// use gradhep_core::hist::kde_weighted;
/// let h = kde_weighted(&[0.5, 1.5], &[2.0, 0.25], &[0.0, 1.0, 2.0], 0.01);
/// assert_eq!(h, vec![2.0, 0.25]);
/// ```
pub fn kde_weighted<D: Scalar, V: Elem<D>, W: Elem<D>, E: Elem<D>>(
    values: &[V],
    weights: &[W],
    edges: &[E],
    bandwidth: D,
) -> Vec<D> {
    HistOptions::new().kde_weighted(values, weights, edges, bandwidth)
}

impl HistOptions {
    /// [`kde`] with these options.
    ///
    /// # Panics
    /// As [`kde`].
    ///
    /// ```
    /// use gradhep_core::hist::HistOptions;
    /// let density = HistOptions::new().density(true).kde(&[0.5, 1.5, 1.5], &[0.0, 1.0, 3.0], 0.01);
    /// assert_eq!(density, vec![1.0 / 3.0, 1.0 / 3.0]);
    /// ```
    pub fn kde<D: Scalar, V: Elem<D>, E: Elem<D>>(
        self,
        values: &[V],
        edges: &[E],
        bandwidth: D,
    ) -> Vec<D> {
        kernel_hist::<Gaussian, D, V, f64, E>("kde", values, None, edges, bandwidth, self)
    }

    /// [`kde_weighted`] with these options.
    ///
    /// # Panics
    /// As [`kde_weighted`].
    ///
    /// ```
    /// use gradhep_core::hist::HistOptions;
    /// let h = HistOptions::new()
    ///     .fold_overflow(true)
    ///     .kde_weighted(&[-9.0, 9.0], &[0.5, 3.0], &[0.0, 1.0, 2.0], 0.1);
    /// assert_eq!(h, vec![0.5, 3.0]);
    /// ```
    pub fn kde_weighted<D: Scalar, V: Elem<D>, W: Elem<D>, E: Elem<D>>(
        self,
        values: &[V],
        weights: &[W],
        edges: &[E],
        bandwidth: D,
    ) -> Vec<D> {
        kernel_hist::<Gaussian, D, V, W, E>(
            "kde_weighted",
            values,
            Some(weights),
            edges,
            bandwidth,
            self,
        )
    }
}
