//! The class-probability histogram of a classifier.

use super::sum_shards;
use crate::scalar::Scalar;
use crate::smooth::softmax_into;

/// The softmax histogram of INFERNO (de Castro and Dorigo, 2019): each event, with a
/// classifier's `B` scores (logits), counts in every bin by its class probability,
/// `n_k = Σᵢ softmax(scoresᵢ)_k = Σᵢ e^{s_{ik}} / Σ_j e^{s_{ij}}`.
///
/// The bin contents sum to the number of events. Hard limit: as the scores are scaled by
/// `1/t`, `t → 0⁺`, each event lands in the bin of its largest score (the hard argmax
/// histogram). Evaluated in parallel as the kernel histograms are.
///
/// ```
/// use gradhep_core::hist::softmax_bins;
/// let h = softmax_bins(&[[0.0, 0.0], [30.0, -30.0]]);
/// assert!((h[0] - 1.5).abs() < 1e-15 && (h[1] - 0.5).abs() < 1e-15);
/// ```
pub fn softmax_bins<D: Scalar, const B: usize>(scores: &[[D; B]]) -> [D; B] {
    let counts = sum_shards(scores.len(), B, |range, partial| {
        let mut p = [D::zero(); B];
        for event in &scores[range] {
            softmax_into(event, &mut p);
            partial.iter_mut().zip(&p).for_each(|(n, &p)| *n += p);
        }
    });
    std::array::from_fn(|k| counts[k])
}
