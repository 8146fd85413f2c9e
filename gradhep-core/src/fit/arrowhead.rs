//! Newton systems whose matrix is diagonal on a subset of the indices: a block-arrowhead
//! matrix, as the Hessian of a HistFactory likelihood is when each bin has its own γ (one
//! γ per bin from shapesys or staterror couples only to the few parameters shared by all
//! bins).
//!
//! With the indices split into the diagonal set `D` and the rest `G`,
//! `[[A_GG, A_GD], [A_DG, A_DD]]` with `A_DD` diagonal is positive definite exactly when every
//! pivot `a_dd > 0` and the Schur complement `S = A_GG − A_GD A_DD⁻¹ A_DG` is; then
//! `S x_G = b_G − A_GD A_DD⁻¹ b_D` and `x_D = A_DD⁻¹ (b_D − A_DG x_G)`. That is Cholesky with
//! `D` eliminated first, in `O(|D|·|G|² + |G|³)` operations instead of `O((|D| + |G|)³)`; with
//! `D` empty it is the dense Cholesky of [`cholesky`], operation for operation.

use super::linalg::{cholesky, cholesky_solve};
use crate::Scalar;

/// A factorisation of a symmetric matrix restricted to some indices, with the diagonal ones
/// eliminated first; buffers are kept between factorisations.
#[derive(Debug, Clone, Default)]
pub(crate) struct ArrowheadFactor<D> {
    /// Positions, in the restricted index list, of the eliminated (diagonal) indices and of
    /// the others.
    diag_pos: Vec<usize>,
    rest_pos: Vec<usize>,
    /// The pivots `a_dd`.
    pivot: Vec<D>,
    /// `a_dg` for each eliminated `d` (row) and kept `g` (column), row-major.
    coupling: Vec<D>,
    /// The Schur complement and its Cholesky factor.
    schur: Vec<D>,
    schur_idx: Vec<usize>,
    l: Vec<D>,
    rhs: Vec<D>,
}

/// `a[i][j]` read from the lower triangle, where the dense factorisation reads it.
#[inline]
fn lower<D: Scalar>(a: &[D], n: usize, i: usize, j: usize) -> D {
    a[i.max(j) * n + i.min(j)]
}

impl<D: Scalar> ArrowheadFactor<D> {
    pub(crate) fn new() -> Self {
        ArrowheadFactor {
            diag_pos: Vec::new(),
            rest_pos: Vec::new(),
            pivot: Vec::new(),
            coupling: Vec::new(),
            schur: Vec::new(),
            schur_idx: Vec::new(),
            l: Vec::new(),
            rhs: Vec::new(),
        }
    }

    /// Factorises the `n × n` row-major symmetric matrix `a` restricted to the ascending
    /// indices `idx`, eliminating those marked in `diagonal` (on which `a` must be diagonal).
    /// Returns `false` if the restricted matrix is not positive definite.
    pub(crate) fn factor(&mut self, a: &[D], n: usize, idx: &[usize], diagonal: &[bool]) -> bool {
        self.diag_pos.clear();
        self.rest_pos.clear();
        for (pos, &i) in idx.iter().enumerate() {
            if diagonal[i] {
                self.diag_pos.push(pos);
            } else {
                self.rest_pos.push(pos);
            }
        }
        let m = self.rest_pos.len();
        self.pivot.clear();
        self.coupling.clear();
        for &pd in &self.diag_pos {
            let d = idx[pd];
            let p = a[d * n + d];
            if p.re().is_nan() || p.re() <= 0.0 || !p.re().is_finite() {
                return false;
            }
            self.pivot.push(p);
            self.coupling
                .extend(self.rest_pos.iter().map(|&pg| lower(a, n, d, idx[pg])));
        }
        self.schur.clear();
        self.schur.resize(m * m, D::zero());
        for (r, &pi) in self.rest_pos.iter().enumerate() {
            for (c, &pj) in self.rest_pos.iter().enumerate().take(r + 1) {
                self.schur[r * m + c] = lower(a, n, idx[pi], idx[pj]);
            }
        }
        for (k, &p) in self.pivot.iter().enumerate() {
            let row = &self.coupling[k * m..(k + 1) * m];
            for (r, &a_dr) in row.iter().enumerate() {
                let w = a_dr / p;
                for (s, &a_dc) in self.schur[r * m..=r * m + r].iter_mut().zip(row) {
                    *s -= w * a_dc;
                }
            }
        }
        self.schur_idx.clear();
        self.schur_idx.extend(0..m);
        cholesky(&self.schur, m, &self.schur_idx, &mut self.l)
    }

    /// Solves the factorised system in place; `b` is ordered as the `idx` of [`factor`].
    ///
    /// [`factor`]: ArrowheadFactor::factor
    pub(crate) fn solve(&mut self, b: &mut [D]) {
        let m = self.rest_pos.len();
        self.rhs.clear();
        self.rhs.extend(self.rest_pos.iter().map(|&p| b[p]));
        for (k, (&pd, &p)) in self.diag_pos.iter().zip(&self.pivot).enumerate() {
            let w = b[pd] / p;
            for (r, c) in self.rhs.iter_mut().zip(&self.coupling[k * m..(k + 1) * m]) {
                *r -= *c * w;
            }
        }
        cholesky_solve(&self.l, &mut self.rhs);
        for (k, (&pd, &p)) in self.diag_pos.iter().zip(&self.pivot).enumerate() {
            let mut sum = b[pd];
            for (c, x) in self.coupling[k * m..(k + 1) * m].iter().zip(&self.rhs) {
                sum -= *c * *x;
            }
            b[pd] = sum / p;
        }
        for (&p, &x) in self.rest_pos.iter().zip(&self.rhs) {
            b[p] = x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 4 × 4 arrowhead matrix `[[4, 1, 0, 2], [1, 5, 0, 0], [0, 0, 9, 9], [2, 0, 9, 30]]`
    /// (indices 1 and 2 diagonal among themselves), row-major.
    const A: [f64; 16] = [
        4.0, 1.0, 0.0, 2.0, 1.0, 5.0, 0.0, 0.0, 0.0, 0.0, 9.0, 9.0, 2.0, 0.0, 9.0, 30.0,
    ];

    fn residual(a: &[f64], n: usize, idx: &[usize], x: &[f64], b: &[f64]) -> f64 {
        idx.iter()
            .enumerate()
            .map(|(r, &i)| {
                let ax: f64 = idx.iter().zip(x).map(|(&j, xj)| a[i * n + j] * xj).sum();
                (ax - b[r]).abs()
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn solves_like_the_dense_factorisation() {
        let b = [1.0, -2.0, 3.0, 0.5];
        let idx = [0, 1, 2, 3];
        let mut dense = Vec::new();
        assert!(cholesky(&A, 4, &idx, &mut dense));
        let mut expected = b;
        cholesky_solve(&dense, &mut expected);
        for diagonal in [
            [false; 4],
            [false, true, true, false],
            [false, true, false, false],
        ] {
            let mut f = ArrowheadFactor::new();
            assert!(f.factor(&A, 4, &idx, &diagonal));
            let mut x = b;
            f.solve(&mut x);
            assert!(residual(&A, 4, &idx, &x, &b) < 1e-13, "{diagonal:?}: {x:?}");
            for (x, e) in x.iter().zip(&expected) {
                assert!((x - e).abs() < 1e-14, "{diagonal:?}: {x} vs {e}");
            }
        }
    }

    #[test]
    fn restricts_to_a_subset_and_detects_indefiniteness() {
        // indices 1, 2, 3 only: 5x = b0, 9y + 9z = b1, 9y + 30z = b2
        let mut f = ArrowheadFactor::new();
        let diagonal = [false, true, true, false];
        assert!(f.factor(&A, 4, &[1, 2, 3], &diagonal));
        let b = [10.0, 18.0, 39.0];
        let mut x = b;
        f.solve(&mut x);
        assert!(residual(&A, 4, &[1, 2, 3], &x, &b) < 1e-13, "{x:?}");
        // [[1, 2], [2, 1]] with index 0 diagonal: the Schur complement 1 − 4 is negative
        let indefinite = [1.0, 2.0, 2.0, 1.0];
        assert!(!f.factor(&indefinite, 2, &[0, 1], &[true, false]));
        // a non-positive pivot of the diagonal set
        let negative = [-1.0, 0.0, 0.0, 1.0];
        assert!(!f.factor(&negative, 2, &[0, 1], &[true, false]));
    }
}
