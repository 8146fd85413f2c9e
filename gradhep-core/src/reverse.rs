//! Reverse mode per event: the Jacobian of a few sums over events in many parameters, at a
//! cost that does not grow with the number of parameters.
//!
//! A HEP figure of merit is almost always `Z = R(S)` of a few summaries summed over events,
//! `S = Σᵢ φ(θ; eᵢ) ∈ Rᴹ` (bin yields, weighted counts), with `θ ∈ Rᴷ` the analysis
//! parameters. Then
//!
//! ```text
//! dZ/dθ = ∇R(S)ᵀ · Σᵢ J_φ(θ; eᵢ),    J_φ = ∂φ/∂θ ∈ R^{M×K},
//! ```
//!
//! and [`event_sum_jacobian`] computes `S` and `Σᵢ J_φ` by reverse mode, one event at a time:
//! `φ` runs on [`Rev`] scalars that record each operation on a thread-local tape, and one
//! backward sweep with `M` adjoints per node gives the event's `M × K` Jacobian. The tape
//! holds one event only, so memory does not grow with the number of events. `R` has only `M`
//! inputs: its gradient is cheap in forward mode (a `#[differentiable]` function's `_grad`
//! companion), and [`EventSums::pullback`] applies the chain rule.
//!
//! # Cost
//! Per event: `φ`'s arithmetic plus one tape node per operation (24 bytes: two parents and
//! their partials, a sum's parents only; adding a constant and everything on constants
//! record nothing), then a sweep of `M` multiply-adds per parent per node — one, below a
//! node through which every output depends on `θ` (a classifier's output feeding a
//! histogram: the sweep notices and finishes with a scalar adjoint, then one `K × M` outer
//! product). That is independent of `K` except for reading the `K` leaves' adjoints, where
//! forward mode carries `K` tangents through every operation. For W4 of the benchmarks (an
//! MLP with K = 337, M = 5, its `tanh` by [`special::tanh`](crate::special::tanh)) an event
//! costs 9–13 primal evaluations on one thread, against 270–340 for forward mode. Forward mode
//! (`DualDense64<K>`) is still the better choice for few parameters or a single event; this
//! is for `K ≫ M`, such as a network's weights feeding a histogram. Events whose code takes
//! the same operations (no branch on the event's values) are swept four at a time, in
//! vector registers. After the first events of each shard nothing is allocated; each thread
//! keeps the capacity of its largest event, rounded up by doubling (per node 5 × 24 bytes
//! of tape, the event being recorded and four put aside, and `32·min(M, 8) + 33` of sweep).
//!
//! # Determinism
//! Events go through fixed shards, as in [`par_sum`](crate::par_sum) (rayon's pool with the
//! `parallel` feature), but smaller: an event costs microseconds, so a shard of 64 events is
//! already worth its bookkeeping (an `M × K` Jacobian, added once to the total), and small
//! shards keep the cores busy to the end. Each shard adds its events in order and the shards
//! are added in shard order, so `S` and the Jacobian are the same bit for bit on any number
//! of threads.
//!
//! # Misuse
//! A `Rev` means something only inside the event that recorded it. `φ` must not keep one
//! for a later event (the next event clears the tape), nor hand its arithmetic to other
//! threads (each thread records on its own tape). An operation on `Rev`s outside any
//! event, a value whose node lies past the current tape, and an event that begins while
//! its thread is still recording one (`φ` calling `event_sum_jacobian`, or waiting on
//! parallel work that runs another shard on its thread) panic in every build. Debug builds
//! also stamp every value with its event's generation and panic on any stale or foreign
//! one; release builds then give meaningless derivatives for that event, but the tape's
//! bookkeeping stays sound, so later events are unaffected.
//!
//! ```
//! use gradhep_core::reverse::{Rev, event_sum_jacobian};
//! use gradhep_core::smooth::sigmoid;
//!
//! // W1's soft-cut yield y(c, t) = Σᵢ σ((xᵢ − c)/t) and its gradient in (c, t)
//! let x = [0.1, 0.4, 0.55, 0.9, 1.3];
//! let (c, t) = (0.5, 0.1);
//! let y = event_sum_jacobian(&[c, t], &x, 1, |p: &[Rev], &xi: &f64, out: &mut [Rev]| {
//!     out[0] = sigmoid((-p[0] + xi) / p[1]);
//! });
//! // ∂y/∂c = −Σ σ'(z)/t and ∂y/∂t = −Σ σ'(z)·z/t with z = (x − c)/t, σ' = σ(1 − σ)
//! let z = x.map(|xi| (xi - c) / t);
//! let ds = z.map(|z| sigmoid(z) * sigmoid(-z));
//! let dy_dc: f64 = -ds.iter().sum::<f64>() / t;
//! let dy_dt: f64 = -ds.iter().zip(&z).map(|(d, z)| d * z).sum::<f64>() / t;
//! assert!((y.sum[0] - z.map(sigmoid).iter().sum::<f64>()).abs() < 1e-15);
//! assert!((y.row(0)[0] - dy_dc).abs() < 1e-13 && (y.row(0)[1] - dy_dt).abs() < 1e-13);
//! ```

mod rev;
mod tape;

pub use rev::Rev;

use crate::parallel::map_shards;

/// Fewest events per shard of [`event_sum_jacobian`] (but the last).
const MIN_EVENT_SHARD: usize = 64;

/// The sums `S = Σᵢ φ(θ; eᵢ)` of [`event_sum_jacobian`] and their Jacobian `∂S/∂θ`.
///
/// ```
/// use gradhep_core::reverse::{Rev, event_sum_jacobian};
/// // S = (Σ θ₀x, Σ θ₀θ₁) over x = 1, 2
/// let s = event_sum_jacobian(&[2.0, 5.0], &[1.0, 2.0], 2, |p: &[Rev], &x: &f64, out: &mut [Rev]| {
///     out[0] = p[0] * x;
///     out[1] = p[0] * p[1];
/// });
/// assert_eq!(s.sum, vec![6.0, 20.0]);
/// assert_eq!(s.row(0), &[3.0, 0.0]);
/// assert_eq!(s.row(1), &[10.0, 4.0]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct EventSums {
    /// `S_b = Σᵢ φ_b(θ; eᵢ)`, the `M` sums.
    pub sum: Vec<f64>,
    /// `∂S_b/∂θ_k` at `jacobian[b·K + k]`: `M` rows of `K`.
    pub jacobian: Vec<f64>,
    /// `K`, the number of parameters.
    pub nparams: usize,
}

impl EventSums {
    /// Row `b` of the Jacobian: `∂S_b/∂θ`.
    ///
    /// # Panics
    /// If `b` is not below the number of sums.
    ///
    /// ```
    /// use gradhep_core::reverse::{Rev, event_sum_jacobian};
    /// let s = event_sum_jacobian(&[3.0], &[(); 4], 1, |p: &[Rev], _: &(), out: &mut [Rev]| {
    ///     out[0] = p[0] * p[0];
    /// });
    /// assert_eq!(s.row(0), &[24.0]); // d(4θ²)/dθ
    /// ```
    pub fn row(&self, b: usize) -> &[f64] {
        assert!(
            b < self.sum.len(),
            "EventSums::row: row {b} of {} sums",
            self.sum.len()
        );
        &self.jacobian[b * self.nparams..(b + 1) * self.nparams]
    }

    /// The chain rule through the sums: `Σ_b w_b ∂S_b/∂θ`, the gradient of `R(S)` in `θ`
    /// for `w = ∇R(S)` (the vector–Jacobian product `wᵀJ`).
    ///
    /// # Panics
    /// If `weights` does not have one entry per sum.
    ///
    /// ```
    /// use gradhep_core::reverse::{Rev, event_sum_jacobian};
    /// // R(S) = S₀·S₁ with S = (Σ θx, Σ θ²) over x = 1, 2: dR/dθ = 3·θ²·2 + 3θ·2·2θ = 18θ²
    /// let s = event_sum_jacobian(&[2.0], &[1.0, 2.0], 2, |p: &[Rev], &x: &f64, out: &mut [Rev]| {
    ///     out[0] = p[0] * x;
    ///     out[1] = p[0] * p[0];
    /// });
    /// let grad_r = [s.sum[1], s.sum[0]];
    /// assert_eq!(s.pullback(&grad_r), vec![72.0]);
    /// ```
    pub fn pullback(&self, weights: &[f64]) -> Vec<f64> {
        assert_eq!(
            weights.len(),
            self.sum.len(),
            "EventSums::pullback: {} weights for {} sums",
            weights.len(),
            self.sum.len()
        );
        let mut grad = vec![0.0; self.nparams];
        for (b, &w) in weights.iter().enumerate() {
            for (g, &j) in grad.iter_mut().zip(self.row(b)) {
                *g += w * j;
            }
        }
        grad
    }
}

/// `S = Σᵢ φ(θ; eᵢ)` over `events` and its Jacobian `∂S/∂θ`, by reverse mode per event (see
/// the [module docs](self) for the formula, the cost and the misuse to avoid).
///
/// `phi(params, event, out)` writes the event's `m` contributions into `out` (which starts
/// as constant zeros) from `params`, the `K = theta.len()` parameters lifted as [`Rev`]
/// leaves. Any generic gradhep code runs inside it: `D = Rev`.
///
/// # Panics
/// If `phi` panics (the panic is passed on), if an event begins on a thread already
/// recording one, if an output or a value it depends on comes from another event (see the
/// module docs), or if `theta` has `u32::MAX` parameters or more.
///
/// ```
/// use gradhep_core::reverse::{Rev, event_sum_jacobian};
/// use gradhep_core::special::normal_cdf;
///
/// // a two-bin KDE histogram of x·θ₀ + θ₁ (bandwidth 0.1, edges 0, 0.5, 1)
/// let events = [0.2, 0.45, 0.7];
/// let h = event_sum_jacobian(&[1.0, 0.05], &events, 2, |p: &[Rev], &x: &f64, out: &mut [Rev]| {
///     let y = p[0] * x + p[1];
///     let cdf = |edge: f64| normal_cdf((y - edge) * -10.0);
///     let (lo, mid, hi) = (cdf(0.0), cdf(0.5), cdf(1.0));
///     out[0] = mid - lo;
///     out[1] = hi - mid;
/// });
/// assert_eq!(h.nparams, 2);
/// // a shift moves mass from bin 0 to bin 1, conserving what stays inside the edges
/// assert!(h.row(0)[1] < 0.0 && h.row(1)[1] > 0.0);
/// ```
pub fn event_sum_jacobian<E: Sync>(
    theta: &[f64],
    events: &[E],
    m: usize,
    phi: impl Fn(&[Rev], &E, &mut [Rev]) + Sync,
) -> EventSums {
    let k = theta.len();
    assert!(
        u32::try_from(k).is_ok_and(|k| k < u32::MAX),
        "event_sum_jacobian: {k} parameters overflow the tape's node index"
    );
    let partials = map_shards(events.len(), MIN_EVENT_SHARD, |range| {
        let mut sum = vec![0.0; m];
        let mut jacobian = vec![0.0; m * k];
        // The leaves are nodes 1..=k of every event's tape, with the same values.
        let mut params: Vec<Rev> = (1..)
            .zip(theta)
            .map(|(node, &t)| Rev::leaf(t, node, 0))
            .collect();
        let mut out = vec![Rev::constant(0.0); m];
        let mut out_nodes = vec![0u32; m];
        for event in &events[range] {
            let generation = tape::begin_event(k);
            let abandon = AbandonOnUnwind;
            // Only debug builds check a value's generation.
            if cfg!(debug_assertions) {
                params.iter_mut().for_each(|p| p.restamp(generation));
            }
            out.fill(Rev::constant(0.0));
            phi(&params, event, &mut out);
            for ((s, node), y) in sum.iter_mut().zip(&mut out_nodes).zip(&out) {
                *s += y.value();
                *node = y.node();
            }
            tape::end_event(k, &out_nodes, &mut jacobian);
            std::mem::forget(abandon);
        }
        let abandon = AbandonOnUnwind;
        tape::finish(k, &mut jacobian);
        std::mem::forget(abandon);
        (sum, jacobian)
    });
    let mut total = EventSums {
        sum: vec![0.0; m],
        jacobian: vec![0.0; m * k],
        nparams: k,
    };
    for (sum, jacobian) in partials {
        total.sum.iter_mut().zip(sum).for_each(|(t, s)| *t += s);
        total
            .jacobian
            .iter_mut()
            .zip(jacobian)
            .for_each(|(t, j)| *t += j);
    }
    total
}

/// Ends the thread's event if `phi` unwinds through it, so the thread can record again.
struct AbandonOnUnwind;

impl Drop for AbandonOnUnwind {
    fn drop(&mut self) {
        tape::abandon_event();
    }
}
