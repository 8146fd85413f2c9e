//! Bounded Newton minimisation of the negative log-likelihood in `f64`.
//!
//! A projected Newton method (Bertsekas 1982): parameters at a bound whose gradient pushes
//! outwards are held there; on the others the Newton step solves `(H + τI) d = −g`, with
//! Levenberg damping τ only where `H` is not positive definite, and a backtracking (Armijo)
//! line search along the step projected onto the bounds. The analytic gradient and Hessian
//! make convergence quadratic near the optimum. The Newton system is solved with the
//! per-bin parameters on which the Hessian is diagonal eliminated first
//! ([`ArrowheadFactor`]), so a fit with one γ per bin costs O(bins), not O(bins³).

use super::FitError;
use super::arrowhead::ArrowheadFactor;
use crate::histfactory::Model;
use crate::histfactory::likelihood::{Order, Scratch, nll};

/// Where the minimiser stopped.
#[derive(Debug, Clone)]
pub(crate) struct Minimum {
    pub(crate) x: Vec<f64>,
    /// The likelihood kernel (without data constants) at `x`.
    pub(crate) kernel: f64,
    pub(crate) iterations: usize,
    /// Free parameters held at a bound at the solution.
    pub(crate) at_bound: Vec<bool>,
}

/// Minimises the kernel from `init` with `fixed` parameters held at their initial value.
pub(crate) fn minimize(
    model: &Model<f64>,
    data: &[f64],
    init: &[f64],
    bounds: &[[f64; 2]],
    fixed: &[bool],
    tolerance: f64,
    max_iterations: usize,
) -> Result<Minimum, FitError> {
    let kinks = model.kinked_parameters();
    let diagonal = model.diagonal_parameters();
    let n = init.len();
    for (i, (&x, b)) in init.iter().zip(bounds).enumerate() {
        if !(b[0]..=b[1]).contains(&x) {
            return Err(FitError::InitOutsideBounds {
                parameter: model.par_names()[i].clone(),
                value: x,
                bounds: *b,
            });
        }
    }
    let mut s = Scratch::new(n);
    let (mut g, mut h) = (vec![0.0; n], vec![0.0; n * n]);
    let mut x = init.to_vec();
    let mut f = nll(model, &x, data, Order::Hessian, &mut s, &mut g, &mut h);
    if !f.is_finite() {
        return Err(FitError::NonFinite {
            parameters: x.clone(),
        });
    }
    let (mut idx, mut at_bound) = (Vec::with_capacity(n), vec![false; n]);
    let (mut factor, mut d, mut trial) =
        (ArrowheadFactor::new(), Vec::with_capacity(n), vec![0.0; n]);
    let mut last_decrement = f64::INFINITY;
    let mut side = vec![0.0; n];
    for iteration in 0..max_iterations {
        held_at_bound(&x, &g, bounds, fixed, &mut at_bound);
        // A kinked interpolation (normsys code 1, histosys code 0) has a corner at α = 0,
        // where the gradient is the right-hand one. The corner is a minimum along α when the
        // left-hand slope is negative and the right-hand one positive: hold α there like a
        // bound. With a positive left-hand slope, step just left of the corner so the
        // Newton model is the left branch's.
        let mut moved = false;
        for k in 0..n {
            if !kinks[k] || fixed[k] || x[k] != 0.0 || at_bound[k] || g[k] < 0.0 {
                continue;
            }
            trial.copy_from_slice(&x);
            trial[k] = -f64::MIN_POSITIVE;
            nll(
                model,
                &trial,
                data,
                Order::Gradient,
                &mut s,
                &mut side,
                &mut [],
            );
            if side[k] > 0.0 && bounds[k][0] < 0.0 {
                x[k] = -f64::MIN_POSITIVE;
                moved = true;
            } else {
                at_bound[k] = true;
            }
        }
        if moved {
            f = nll(model, &x, data, Order::Hessian, &mut s, &mut g, &mut h);
            held_at_bound(&x, &g, bounds, fixed, &mut at_bound);
        }
        idx.clear();
        idx.extend((0..n).filter(|&i| !fixed[i] && !at_bound[i]));
        if idx.is_empty() {
            return Ok(Minimum {
                x,
                kernel: f,
                iterations: iteration,
                at_bound,
            });
        }
        if idx
            .iter()
            .any(|&i| !g[i].is_finite() || !h[i * n + i].is_finite())
        {
            return Err(FitError::NonFinite { parameters: x });
        }
        // Newton direction on the free set, damped until the system is positive definite.
        let max_diag = idx.iter().map(|&i| h[i * n + i].abs()).fold(1.0, f64::max);
        let mut tau = 0.0;
        loop {
            if tau > 0.0 {
                for &i in &idx {
                    h[i * n + i] += tau;
                }
            }
            let ok = factor.factor(&h, n, &idx, &diagonal);
            if tau > 0.0 {
                for &i in &idx {
                    h[i * n + i] -= tau;
                }
            }
            if ok {
                break;
            }
            tau = if tau == 0.0 {
                1e-10 * max_diag
            } else {
                tau * 10.0
            };
            // (an overflowing scale would otherwise make the limit infinite too)
            if !tau.is_finite() || tau > 1e20 * max_diag {
                return Err(FitError::NonFinite { parameters: x });
            }
        }
        d.clear();
        d.extend(idx.iter().map(|&i| -g[i]));
        factor.solve(&mut d);
        let decrement: f64 = -idx.iter().zip(&d).map(|(&i, di)| g[i] * di).sum::<f64>();
        // Rounding limits the gradient, hence the decrement, relative to the size of the
        // likelihood's terms; scale the tolerance with |f| so large-count models converge.
        let tolerance = tolerance * f.abs().max(1.0);
        last_decrement = decrement;
        if decrement < tolerance {
            // In the quadratic regime the last step is below what a comparison of function
            // values can resolve; take it whole.
            for (&i, di) in idx.iter().zip(&d) {
                let [lo, hi] = step_bounds(x[i], bounds[i], kinks[i]);
                x[i] = (x[i] + di).clamp(lo, hi);
            }
            f = nll(model, &x, data, Order::Hessian, &mut s, &mut g, &mut h);
            held_at_bound(&x, &g, bounds, fixed, &mut at_bound);
            return Ok(Minimum {
                x,
                kernel: f,
                iterations: iteration + 1,
                at_bound,
            });
        }
        // Backtracking along the projected step.
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..60 {
            trial.copy_from_slice(&x);
            for (&i, di) in idx.iter().zip(&d) {
                let [lo, hi] = step_bounds(x[i], bounds[i], kinks[i]);
                trial[i] = (x[i] + t * di).clamp(lo, hi);
            }
            let slope: f64 = idx.iter().map(|&i| g[i] * (trial[i] - x[i])).sum();
            let ft = nll(model, &trial, data, Order::Value, &mut s, &mut [], &mut []);
            if ft.is_finite() && ft <= f + 1e-4 * slope {
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        if !accepted {
            // No decrease is representable any more: the optimum to rounding.
            if decrement < 1e3 * tolerance {
                held_at_bound(&x, &g, bounds, fixed, &mut at_bound);
                return Ok(Minimum {
                    x,
                    kernel: f,
                    iterations: iteration + 1,
                    at_bound,
                });
            }
            return Err(FitError::NotConverged {
                iterations: iteration,
                decrement,
            });
        }
        x.copy_from_slice(&trial);
        f = nll(model, &x, data, Order::Hessian, &mut s, &mut g, &mut h);
    }
    Err(FitError::NotConverged {
        iterations: max_iterations,
        decrement: last_decrement,
    })
}

/// Marks the free parameters that sit on a bound with the gradient pushing outwards.
fn held_at_bound(x: &[f64], g: &[f64], bounds: &[[f64; 2]], fixed: &[bool], out: &mut [bool]) {
    for i in 0..x.len() {
        let [lo, hi] = bounds[i];
        let eps = 1e-12 * (hi - lo).max(1.0);
        out[i] =
            !fixed[i] && ((x[i] - lo <= eps && g[i] > 0.0) || (hi - x[i] <= eps && g[i] < 0.0));
    }
}

/// Bounds for one step from `x`: a kinked parameter stops at its corner 0 rather than
/// crossing it, so the Newton model of one branch is never used on the other.
fn step_bounds(x: f64, [lo, hi]: [f64; 2], kink: bool) -> [f64; 2] {
    match (kink, x >= 0.0) {
        (false, _) => [lo, hi],
        (true, true) => [lo.max(0.0).min(hi), hi],
        (true, false) => [lo, hi.min(0.0).max(lo)],
    }
}
