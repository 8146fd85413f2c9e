//! Differentiable histograms: every event spreads its weight over the bins through a smooth
//! kernel instead of landing in one, so bin contents move smoothly with the events, the bin
//! edges and the kernel width.
//!
//! - [`kde`], [`kde_weighted`]: Gaussian-kernel (KDE) histograms, as `relaxed.hist`.
//! - [`sigmoid_edges`]: bins bounded by sigmoid steps instead of hard edges.
//! - [`softmax_bins`]: the class-probability histogram of a classifier's scores (INFERNO).
//!
//! [`HistOptions`] selects a density and the folding of the under- and overflow into the
//! edge bins. Values, weights and edges may each be plain `f64` data or the scalar type, in
//! any mix; data is never copied into duals.
//!
//! # Sparse evaluation
//! A kernel histogram is `n_b = Σᵢ wᵢ [F((e_{b+1} − xᵢ)/h) − F((e_b − xᵢ)/h)]` for a kernel
//! CDF `F`. Beyond a reach `R` (9 bandwidths for the Gaussian, 44 widths for the sigmoid) the
//! tail `F(−R)` and the density `F'(R)` are both below 1.1e-18: under a hundredth of an ulp of
//! an event's unit weight. Each event therefore evaluates `F` only at the edges within `R`
//! (found by binary search on the sorted edges), takes `F` as exactly 0 below and 1 above,
//! and so touches `O(edges within reach)` bins instead of all of them; the result equals the
//! dense formula to rounding, in value and derivatives. `F` and `F'` at an event's edges are
//! computed first, in plain `f64` (for the Gaussian four edges at a time in vector
//! registers), and only then combined into the bins in the scalar type.
//!
//! # Parallelism
//! With the `parallel` feature (on by default) events are split into at most 64 shards of at
//! least 8192 events, histogrammed on rayon's pool, and the partial histograms are added in
//! shard order. The split depends only on the number of events, so the result is the same
//! bit for bit with or without the feature and on any number of threads.

mod kde;
mod sigmoid_edges;
mod softmax_bins;

pub use kde::{kde, kde_weighted};
pub use sigmoid_edges::sigmoid_edges;
pub use softmax_bins::softmax_bins;

use crate::parallel::{MIN_SHARD, map_shards};
use crate::scalar::{Elem, Scalar, custom_unary};
use std::ops::Range;

/// How a kernel histogram is reported: counts or a density, with or without the tails.
///
/// Build it with [`HistOptions::new`] and the switches, then call [`HistOptions::kde`],
/// [`HistOptions::kde_weighted`] or [`HistOptions::sigmoid_edges`]. The default is raw counts
/// with the tails dropped, as `relaxed.hist`.
///
/// ```
/// use gradhep_core::hist::HistOptions;
/// let edges = [0.0, 1.0, 2.0];
/// let h = HistOptions::new().fold_overflow(true).kde(&[-5.0, 0.5, 9.0], &edges, 0.01);
/// assert_eq!(h, vec![2.0, 1.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HistOptions {
    /// Divide each bin by its width and by the total of all bins, so that the histogram
    /// integrates to one: `n_b / (Δ_b Σ_c n_c)` (as `relaxed.hist(density=True)`). An empty
    /// histogram stays all zeros.
    pub density: bool,
    /// Add the kernel mass below the first edge to the first bin and above the last edge to
    /// the last bin, as if the outer edges were at `−∞` and `+∞`: every event then counts in
    /// full.
    pub fold_overflow: bool,
}

impl HistOptions {
    /// Raw counts, tails dropped.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`HistOptions::density`].
    pub fn density(self, on: bool) -> Self {
        Self {
            density: on,
            ..self
        }
    }

    /// Sets [`HistOptions::fold_overflow`].
    pub fn fold_overflow(self, on: bool) -> Self {
        Self {
            fold_overflow: on,
            ..self
        }
    }
}

/// The CDF of a symmetric smoothing kernel, in units of its width.
trait Kernel {
    /// Beyond `±REACH` the CDF is taken as exactly 0 or 1; the neglected tail and density
    /// there are below 1.1e-18.
    const REACH: f64;
    /// The CDF `F` and the density `F'` at each of `z`, into `cdf` and `density`.
    fn cdf_and_density(z: &[f64], cdf: &mut [f64], density: &mut [f64]);
    /// `F` and its first three derivatives at `z`, given `F(z)` and `F'(z)`; those beyond
    /// `order` may be left zero.
    fn taylor(z: f64, cdf: f64, density: f64, order: usize) -> [f64; 4];
}

/// The Gaussian kernel: `Φ(−9) = 1.1e-19`, `φ(9) = 1.0e-18`.
struct Gaussian;

impl Kernel for Gaussian {
    const REACH: f64 = 9.0;
    // Inlined so that the loop over an event's edges is vectorised.
    #[inline(always)]
    fn cdf_and_density(z: &[f64], cdf: &mut [f64], density: &mut [f64]) {
        crate::special::normal_cdfs_and_pdfs(z, cdf, density)
    }
    #[inline(always)]
    fn taylor(z: f64, cdf: f64, density: f64, order: usize) -> [f64; 4] {
        crate::special::normal_cdf_taylor_from(z, cdf, density, order)
    }
}

/// The logistic kernel of sigmoid edges: `σ(−44) ≈ σ'(44) ≈ 7.8e-20`.
struct Logistic;

impl Kernel for Logistic {
    const REACH: f64 = 44.0;
    fn cdf_and_density(z: &[f64], cdf: &mut [f64], density: &mut [f64]) {
        for ((c, d), &z) in cdf.iter_mut().zip(density.iter_mut()).zip(z) {
            [*c, *d, ..] = crate::smooth::sigmoid_taylor(z, 1);
        }
    }
    fn taylor(z: f64, cdf: f64, density: f64, order: usize) -> [f64; 4] {
        if order >= 2 {
            // The second derivative needs `1 − 2σ` without cancellation: from scratch.
            return crate::smooth::sigmoid_taylor(z, order);
        }
        [cdf, density, 0.0, 0.0]
    }
}

/// A kernel histogram of `values` with optional `weights` over `edges`: the one engine
/// behind [`kde`], [`kde_weighted`] and [`sigmoid_edges`]. `caller` names the public
/// function in panic messages.
fn kernel_hist<K: Kernel, D: Scalar, V: Elem<D>, W: Elem<D>, E: Elem<D>>(
    caller: &str,
    values: &[V],
    weights: Option<&[W]>,
    edges: &[E],
    width: D,
    options: HistOptions,
) -> Vec<D> {
    check_edges(caller, edges);
    assert!(
        width.re() > 0.0 && width.re().is_finite(),
        "{caller}: the kernel width must be positive and finite, got {}",
        width.re()
    );
    if let Some(weights) = weights {
        assert_eq!(
            weights.len(),
            values.len(),
            "{caller}: {} weights for {} values",
            weights.len(),
            values.len()
        );
    }
    let nbins = edges.len() - 1;
    // Folding puts the outer edges at ∓∞: only the inner ones are evaluated.
    let first = usize::from(options.fold_overflow);
    let last = if options.fold_overflow {
        nbins - 1
    } else {
        nbins
    };
    let layout = Layout {
        edges,
        first,
        evaluated: edges[first..last + 1].iter().map(|e| e.re()).collect(),
        nbins,
        inv_width: width.recip(),
        reach: K::REACH * width.re(),
    };
    // Two loops, so that the unweighted one has no weight to test per edge.
    let mut hist = match weights {
        None => sum_shards(values.len(), nbins, |range, partial| {
            for &x in &values[range] {
                layout.add_event::<K, _, W>(partial, x, None);
            }
        }),
        Some(weights) => sum_shards(values.len(), nbins, |range, partial| {
            for (&x, &w) in values[range.clone()].iter().zip(&weights[range]) {
                layout.add_event::<K, _, _>(partial, x, Some(w));
            }
        }),
    };
    if options.density {
        to_density(&mut hist, edges);
    }
    hist
}

/// Panics unless there are at least two strictly increasing edges.
fn check_edges<D, E: Elem<D>>(caller: &str, edges: &[E]) {
    assert!(
        edges.len() >= 2,
        "{caller}: need at least two bin edges, got {}",
        edges.len()
    );
    if let Some(k) = edges
        .windows(2)
        .position(|e| e[0].re().partial_cmp(&e[1].re()) != Some(std::cmp::Ordering::Less))
    {
        panic!(
            "{caller}: bin edges must be strictly increasing, but edge {k} is {} and edge {} is {}",
            edges[k].re(),
            k + 1,
            edges[k + 1].re()
        );
    }
}

/// What every event of one histogram shares.
struct Layout<'a, D, E> {
    edges: &'a [E],
    /// Index in `edges` of the first evaluated edge (1 when the tails are folded).
    first: usize,
    /// The values of the edges at which the kernel CDF is evaluated; it is 0 below and 1
    /// above them.
    evaluated: Vec<f64>,
    nbins: usize,
    inv_width: D,
    /// The reach in the units of the values.
    reach: f64,
}

impl<D: Scalar, E: Elem<D>> Layout<'_, D, E> {
    /// Adds one event's `w [F(z_{b+1}) − F(z_b)]` to the bins within its reach.
    #[inline]
    fn add_event<K: Kernel, V: Elem<D>, W: Elem<D>>(&self, hist: &mut [D], x: V, w: Option<W>) {
        let xr = x.re();
        if xr.is_nan() {
            // As the dense formula: a NaN event poisons every bin.
            hist.iter_mut().for_each(|h| *h += D::from(f64::NAN));
            return;
        }
        // Edges below `lo` have F = 0, edges from `hi` on have F = 1.
        let lo = self.first + self.evaluated.partition_point(|&e| e <= xr - self.reach);
        let hi = self.first + self.evaluated.partition_point(|&e| e < xr + self.reach);
        // F at the edges `lo..hi`, a chunk at a time: first F and F' at every edge, in
        // plain `f64` (a loop the compiler vectorises for the Gaussian), then the bins'
        // differences in the scalar type.
        let mut below = D::zero();
        for start in (lo..hi).step_by(CHUNK) {
            let edges = start..(start + CHUNK).min(hi);
            let n = edges.len();
            let mut z = [0.0; CHUNK];
            let evaluated = &self.evaluated[start - self.first..];
            for (z, &e) in z[..n].iter_mut().zip(evaluated) {
                // The real part of `scaled_gap` below, exactly.
                *z = (e - xr) * self.inv_width.re();
            }
            // Padded with z = 0 to whole vectors.
            let padded = n.next_multiple_of(crate::LANES);
            let (mut cdf, mut density) = ([0.0; CHUNK], [0.0; CHUNK]);
            K::cdf_and_density(&z[..padded], &mut cdf[..padded], &mut density[..padded]);
            for (i, j) in edges.enumerate() {
                let gap = scaled_gap(self.edges[j], x, self.inv_width);
                let f = custom_unary(gap, |z| K::taylor(z, cdf[i], density[i], D::NDERIV));
                if j > 0 {
                    hist[j - 1] += weighted(f - below, w);
                }
                below = f;
            }
        }
        // F = 1 from `hi` on (an event at ±∞ has `lo > hi` and no bins).
        if lo <= hi && (1..=self.nbins).contains(&hi) {
            hist[hi - 1] += weighted(D::one() - below, w);
        }
    }
}

/// Edges per chunk of an event's edge loop: whole vectors of the kernel's batch.
const CHUNK: usize = 16;
const _: () = assert!(CHUNK.is_multiple_of(crate::LANES));

/// `(e − x)·inv_width`, in `f64` when both `e` and `x` are plain data.
#[inline]
fn scaled_gap<D: Scalar, E: Elem<D>, V: Elem<D>>(e: E, x: V, inv_width: D) -> D {
    match (e.plain(), x.plain()) {
        (Some(e), Some(x)) => inv_width * (e - x),
        (Some(e), None) => -(x.to_scalar() - e) * inv_width,
        (None, Some(x)) => (e.to_scalar() - x) * inv_width,
        (None, None) => (e.to_scalar() - x.to_scalar()) * inv_width,
    }
}

/// `c·w`, scaling tangents when the weight is plain data.
#[inline]
fn weighted<D: Scalar, W: Elem<D>>(c: D, w: Option<W>) -> D {
    match w {
        None => c,
        Some(w) => match w.plain() {
            Some(w) => c * w,
            None => c * w.to_scalar(),
        },
    }
}

/// `n_b ← n_b / (Δ_b Σ_c n_c)`, leaving an empty histogram as it is.
fn to_density<D: Scalar, E: Elem<D>>(hist: &mut [D], edges: &[E]) {
    let total = hist.iter().fold(D::zero(), |acc, &h| acc + h);
    if total.re() == 0.0 {
        return;
    }
    let inv_total = total.recip();
    for (h, e) in hist.iter_mut().zip(edges.windows(2)) {
        *h = match (e[0].plain(), e[1].plain()) {
            (Some(lo), Some(hi)) => *h * inv_total * (hi - lo).recip(),
            _ => *h * inv_total / (e[1].to_scalar() - e[0].to_scalar()),
        };
    }
}

/// `Σ_shards fill(shard)`: fills a zeroed `nbins`-long partial histogram per shard of
/// [`map_shards`] and adds the partials in shard order.
fn sum_shards<D: Scalar>(
    n: usize,
    nbins: usize,
    fill: impl Fn(Range<usize>, &mut [D]) + Sync,
) -> Vec<D> {
    let partials = map_shards(n, MIN_SHARD, |r| {
        let mut h = vec![D::zero(); nbins];
        fill(r, &mut h);
        h
    });
    let mut total = vec![D::zero(); nbins];
    for p in partials {
        total.iter_mut().zip(p).for_each(|(t, p)| *t += p);
    }
    total
}
