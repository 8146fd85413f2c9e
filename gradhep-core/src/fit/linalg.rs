//! Dense symmetric positive-definite solves, generic over the scalar so the implicit step can
//! solve with dual-valued Hessians.

use crate::Scalar;

/// Cholesky factor `L` (row-major, lower triangle) of the `n × n` matrix `a` restricted to the
/// indices `idx`, into `l` (`idx.len()²`). Returns `false` if the matrix is not positive
/// definite.
pub(crate) fn cholesky<D: Scalar>(a: &[D], n: usize, idx: &[usize], l: &mut Vec<D>) -> bool {
    let m = idx.len();
    l.clear();
    l.resize(m * m, D::zero());
    for i in 0..m {
        for j in 0..=i {
            let mut sum = a[idx[i] * n + idx[j]];
            for k in 0..j {
                sum -= l[i * m + k] * l[j * m + k];
            }
            if i == j {
                if sum.re().is_nan() || sum.re() <= 0.0 || !sum.re().is_finite() {
                    return false;
                }
                l[i * m + i] = sum.sqrt();
            } else {
                l[i * m + j] = sum / l[j * m + j];
            }
        }
    }
    true
}

/// Solves `L Lᵀ x = b` in place for the factor of [`cholesky`].
pub(crate) fn cholesky_solve<D: Scalar>(l: &[D], b: &mut [D]) {
    let m = b.len();
    for i in 0..m {
        let mut sum = b[i];
        for k in 0..i {
            sum -= l[i * m + k] * b[k];
        }
        b[i] = sum / l[i * m + i];
    }
    for i in (0..m).rev() {
        let mut sum = b[i];
        for k in i + 1..m {
            sum -= l[k * m + i] * b[k];
        }
        b[i] = sum / l[i * m + i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_spd_subsystem() {
        // [[4, 1, 9], [1, 3, 9], [9, 9, 9]] restricted to indices 0 and 1
        let a = [4.0, 1.0, 9.0, 1.0, 3.0, 9.0, 9.0, 9.0, 9.0];
        let mut l = Vec::new();
        assert!(cholesky(&a, 3, &[0, 1], &mut l));
        let mut b = [1.0, 2.0];
        cholesky_solve(&l, &mut b);
        // exact solution of 4x + y = 1, x + 3y = 2
        assert!((b[0] - 1.0 / 11.0).abs() < 1e-15 && (b[1] - 7.0 / 11.0).abs() < 1e-15);
        assert!(!cholesky(&[1.0, 2.0, 2.0, 1.0], 2, &[0, 1], &mut l));
    }
}
