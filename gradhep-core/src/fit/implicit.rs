//! Derivatives of an optimum with respect to the model's dual inputs.
//!
//! At the `f64` optimum θ̂ the free gradient vanishes, `∇_θ N(θ̂, η) = 0`, so by the implicit
//! function theorem `dθ̂/dη = −H⁻¹ ∂²N/∂θ∂η`. One Newton step from θ̂ with the likelihood
//! evaluated in dual numbers, `θ = θ̂ − H⁻¹ ∇_θ N(θ̂, η)`, carries exactly that tangent; a second
//! step from the dual-valued θ makes the second-order part exact too (Newton's error is
//! quadratic in the distance to the optimum, which is first order in the tangent). Parameters
//! that are fixed or held at a bound keep a zero derivative.

use super::arrowhead::ArrowheadFactor;
use crate::Scalar;
use crate::histfactory::Model;
use crate::histfactory::likelihood::{Order, Scratch, nll};

/// The optimum `x` of the detached model as `D`, with the derivatives of the optimum of
/// `model` on `data`; `movable` marks the parameters that move with the inputs.
pub(crate) fn lift_optimum<D: Scalar>(
    model: &Model<D>,
    data: &[D],
    x: &[f64],
    movable: &[bool],
) -> Vec<D> {
    let n = x.len();
    let mut theta: Vec<D> = x.iter().map(|&v| D::from(v)).collect();
    let idx: Vec<usize> = (0..n).filter(|&i| movable[i]).collect();
    if D::NDERIV == 0 || idx.is_empty() {
        return theta;
    }
    let mut s = Scratch::new(n);
    let (mut g, mut h) = (vec![D::zero(); n], vec![D::zero(); n * n]);
    let mut factor = ArrowheadFactor::new();
    let diagonal = model.diagonal_parameters();
    let steps = if D::NDERIV >= 2 { 2 } else { 1 };
    for _ in 0..steps {
        nll(model, &theta, data, Order::Hessian, &mut s, &mut g, &mut h);
        if !factor.factor(&h, n, &idx, &diagonal) {
            // A flat direction: the optimum does not move along it to first order we can
            // resolve; keep what we have rather than produce NaN.
            break;
        }
        // Only the derivative part of the gradient moves the optimum: its value is the
        // rounding residual of the f64 fit, and the optimum's value stays that fit's.
        let mut rhs: Vec<D> = idx.iter().map(|&i| -(g[i] - g[i].re())).collect();
        factor.solve(&mut rhs);
        for (&i, d) in idx.iter().zip(rhs) {
            theta[i] += d - d.re();
        }
    }
    theta
}
