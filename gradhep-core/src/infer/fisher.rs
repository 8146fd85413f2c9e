//! Fisher information and the Cramér–Rao bound.

use crate::fit::{cholesky, cholesky_solve};
use crate::histfactory::Model;
use crate::histfactory::likelihood::{Order, Scratch, nll};
use crate::{Elem, Scalar};

/// Second derivatives of `−ln L(θ; data)` at `pars` (row-major, `npars²`): the observed
/// Fisher information.
///
/// # Panics
/// If `pars` or `data` do not match the model's sizes.
///
/// ```
/// use gradhep_core::{histfactory::Workspace, infer};
/// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
/// #   {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
/// #   {"name": "bkg", "data": [50.0], "modifiers": []}]}],
/// #   "observations": [{"name": "sr", "data": [65.0]}],
/// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
/// #   "version": "1.0.0"}"#).unwrap();
/// let model = ws.model(None).unwrap();
/// // ∂²/∂μ² (λ − n ln λ) = n s² / λ² at λ = 10 μ + 50
/// let h = infer::observed_information(&model, &[1.0], &[65.0]);
/// assert!((h[0] - 65.0 * 100.0 / 3600.0).abs() < 1e-12);
/// ```
pub fn observed_information<D: Scalar, P: Elem<D>>(
    model: &Model<D>,
    pars: &[P],
    data: &[f64],
) -> Vec<D> {
    let pars = model.lift_pars(pars);
    let data = model.lift_data(data);
    hessian(model, &pars, &data)
}

/// The expected Fisher information at `pars`,
/// `I_jk = Σ_b (∂_j λ_b)(∂_k λ_b)/λ_b + Σ_c I_c`, with `I_c = 1/σ²` for a Gaussian
/// constraint and `τ/γ` for a Poisson one — the Hessian of `−ln L` on the model's own
/// expected data (row-major, `npars²`).
///
/// ```
/// use gradhep_core::{histfactory::Workspace, infer};
/// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
/// #   {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
/// #   {"name": "bkg", "data": [50.0], "modifiers": []}]}],
/// #   "observations": [{"name": "sr", "data": [65.0]}],
/// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
/// #   "version": "1.0.0"}"#).unwrap();
/// let model = ws.model(None).unwrap();
/// let i = infer::fisher_information(&model, &[1.0]);
/// assert!((i[0] - 100.0 / 60.0).abs() < 1e-12); // s² / λ
/// ```
pub fn fisher_information<D: Scalar, P: Elem<D>>(model: &Model<D>, pars: &[P]) -> Vec<D> {
    let pars = model.lift_pars(pars);
    let data = model.expected_data(&pars);
    hessian(model, &pars, &data)
}

fn hessian<D: Scalar>(model: &Model<D>, pars: &[D], data: &[D]) -> Vec<D> {
    let n = model.npars();
    let (mut g, mut h) = (vec![D::zero(); n], vec![D::zero(); n * n]);
    nll(
        model,
        pars,
        data,
        Order::Hessian,
        &mut Scratch::new(n),
        &mut g,
        &mut h,
    );
    h
}

/// The Cramér–Rao covariance at `pars`: the inverse of the expected Fisher information over
/// the free parameters (row-major; rows and columns of fixed parameters are zero).
///
/// # Panics
/// If the information of the free parameters is not positive definite (a parameter the
/// model does not depend on), or `pars` has the wrong length.
///
/// ```
/// use gradhep_core::{histfactory::Workspace, infer};
/// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
/// #   {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
/// #   {"name": "bkg", "data": [50.0], "modifiers": []}]}],
/// #   "observations": [{"name": "sr", "data": [65.0]}],
/// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
/// #   "version": "1.0.0"}"#).unwrap();
/// let model = ws.model(None).unwrap();
/// assert!((infer::covariance(&model, &[1.0])[0] - 0.6).abs() < 1e-12); // λ / s²
/// ```
pub fn covariance<D: Scalar, P: Elem<D>>(model: &Model<D>, pars: &[P]) -> Vec<D> {
    let n = model.npars();
    let info = fisher_information(model, pars);
    let free: Vec<usize> = (0..n).filter(|&i| !model.fixed[i]).collect();
    let mut l = Vec::new();
    assert!(
        cholesky(&info, n, &free, &mut l),
        "the Fisher information of the free parameters is not positive definite"
    );
    let mut cov = vec![D::zero(); n * n];
    let m = free.len();
    for (c, &j) in free.iter().enumerate() {
        let mut e = vec![D::zero(); m];
        e[c] = D::one();
        cholesky_solve(&l, &mut e);
        for (r, &i) in free.iter().enumerate() {
            cov[i * n + j] = e[r];
        }
    }
    cov
}

/// The Cramér–Rao bound on each parameter's uncertainty, `sqrt(diag(I⁻¹))` over the free
/// parameters (zero for fixed ones).
///
/// # Panics
/// As [`covariance`].
///
/// ```
/// use gradhep_core::{histfactory::Workspace, infer};
/// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
/// #   {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
/// #   {"name": "bkg", "data": [50.0], "modifiers": []}]}],
/// #   "observations": [{"name": "sr", "data": [65.0]}],
/// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
/// #   "version": "1.0.0"}"#).unwrap();
/// let model = ws.model(None).unwrap();
/// assert!((infer::cramer_rao_uncertainty(&model, &[1.0])[0] - 0.6f64.sqrt()).abs() < 1e-12);
/// ```
pub fn cramer_rao_uncertainty<D: Scalar, P: Elem<D>>(model: &Model<D>, pars: &[P]) -> Vec<D> {
    let n = model.npars();
    let cov = covariance(model, pars);
    (0..n)
        .map(|i| {
            let v = cov[i * n + i];
            if v.re() > 0.0 { v.sqrt() } else { D::zero() }
        })
        .collect()
}
