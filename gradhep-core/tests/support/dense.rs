//! The dense kernel histogram, every event against every edge: the reference that the sparse
//! evaluation of `gradhep_core::hist` must reproduce. Shared by tests and the kde bench.

use gradhep_core::Scalar;
use gradhep_core::special::normal_cdf;

/// `n_b = Σᵢ wᵢ [Φ((e_{b+1} − xᵢ)/h) − Φ((e_b − xᵢ)/h)]`, with `Φ` at all `B + 1` edges.
pub fn dense_kde<D: Scalar>(values: &[D], weights: &[D], edges: &[D], bandwidth: D) -> Vec<D> {
    let mut hist = vec![D::zero(); edges.len() - 1];
    for (&x, &w) in values.iter().zip(weights) {
        let mut below = normal_cdf((edges[0] - x) / bandwidth);
        for (bin, &e) in hist.iter_mut().zip(&edges[1..]) {
            let cdf = normal_cdf((e - x) / bandwidth);
            *bin += (cdf - below) * w;
            below = cdf;
        }
    }
    hist
}
