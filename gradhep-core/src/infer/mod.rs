//! Profile-likelihood test statistics and asymptotic hypothesis tests, as pyhf 0.7 computes
//! them (arXiv:1007.1727), differentiable through the fits.
//!
//! For a model whose yields are dual numbers, every result carries the derivative with
//! respect to what made the yields: the fits are lifted by an implicit Newton step, the
//! Asimov dataset is built from the lifted fit, and CLs follows by the chain rule.
//!
//! ```
//! use gradhep_core::{histfactory::Workspace, infer::{self, TestStat}};
//! let ws = Workspace::from_json(r#"{
//!   "channels": [{"name": "sr", "samples": [
//!     {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
//!     {"name": "bkg", "data": [50.0], "modifiers": [{"name": "unc", "type": "shapesys", "data": [7.0]}]}]}],
//!   "observations": [{"name": "sr", "data": [55.0]}],
//!   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
//!   "version": "1.0.0"}"#).unwrap();
//! let model = ws.model(None).unwrap();
//! let result = infer::hypotest(1.0, &ws.data(&model), &model, TestStat::QTilde).unwrap();
//! assert!((result.cls_obs - 0.4541865285).abs() < 1e-8); // pyhf 0.7.6
//! ```

mod fisher;

pub use fisher::{covariance, cramer_rao_uncertainty, fisher_information, observed_information};

use crate::fit::{FitError, FitOptions, FitResult, fit_data, values};
use crate::histfactory::Model;
use crate::special::normal_cdf;
use crate::{Elem, Scalar};

/// The test statistic of a hypothesis test (pyhf's `test_stat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TestStat {
    /// `q̃μ` (pyhf's `"qtilde"`, the default): the upper-limit statistic for a POI bounded
    /// below by 0, with its Wald-approximation distribution (eq. 62 of arXiv:1007.1727).
    #[default]
    QTilde,
    /// `qμ` (pyhf's `"q"`): the upper-limit statistic, `√qμ` asymptotically normal.
    Q,
    /// `q0` (pyhf's `"q0"`): discovery, testing μ = 0.
    Q0,
}

/// `√x`, with zero (and zero derivative) at `x ≤ 0`, where the test statistic is clipped.
fn sqrt0<D: Scalar>(x: D) -> D {
    if x.re() > 0.0 { x.sqrt() } else { D::zero() }
}

/// What the profile-likelihood ratio is compared against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clip {
    /// `tμ`: no condition on μ̂.
    None,
    /// `qμ`: zero when μ̂ > μ.
    Above,
    /// `q0`: zero when μ̂ < 0.
    Below,
}

/// The clipped log-likelihood ratio `2 NLL(μ, θ̂̂) − 2 NLL(μ̂, θ̂)`, with the two fits.
fn profile<D: Scalar>(
    mu: f64,
    model: &Model<D>,
    detached: &Model<f64>,
    data: &[f64],
    data_d: &[D],
    clip: Clip,
) -> Result<(D, FitResult<D>, FitResult<D>), FitError> {
    let options = FitOptions::default();
    let fixed = fit_data(model, detached, data, data_d, &options, Some(mu))?;
    let free = fit_data(model, detached, data, data_d, &options, None)?;
    let ratio = fixed.twice_nll - free.twice_nll;
    let muhat = free.bestfit[model.poi].re();
    let zero = match clip {
        Clip::None => false,
        Clip::Above => muhat > mu,
        Clip::Below => muhat < 0.0,
    };
    let t = if zero || ratio.re() < 0.0 {
        D::zero()
    } else {
        ratio
    };
    Ok((t, fixed, free))
}

fn statistic<D: Scalar, E: Elem<D>>(
    mu: f64,
    data: &[E],
    model: &Model<D>,
    clip: Clip,
) -> Result<D, FitError> {
    let detached = model.detached();
    let data_d = model.lift_data(data);
    Ok(profile(mu, model, &detached, &values(data), &data_d, clip)?.0)
}

/// `tμ = −2 ln λ(μ)`, clipped at 0 (pyhf's `tmu`).
///
/// ```
/// use gradhep_core::{histfactory::Workspace, infer};
/// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
/// #   {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
/// #   {"name": "bkg", "data": [50.0], "modifiers": []}]}],
/// #   "observations": [{"name": "sr", "data": [60.0]}],
/// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
/// #   "version": "1.0.0"}"#).unwrap();
/// let model = ws.model(None).unwrap();
/// // μ̂ = 1; at μ = 2: 2(λ − n ln λ) difference
/// let expected = 2.0 * ((70.0 - 60.0 * 70f64.ln()) - (60.0 - 60.0 * 60f64.ln()));
/// assert!((infer::tmu(2.0, &[60.0], &model).unwrap() - expected).abs() < 1e-9);
/// ```
pub fn tmu<D: Scalar, E: Elem<D>>(mu: f64, data: &[E], model: &Model<D>) -> Result<D, FitError> {
    statistic(mu, data, model, Clip::None)
}

/// `t̃μ`: [`tmu`] with the POI bounded below by 0, which the model's suggested bounds
/// already do (so, as in pyhf, the number is the same; the name says which is meant).
pub fn tmu_tilde<D: Scalar, E: Elem<D>>(
    mu: f64,
    data: &[E],
    model: &Model<D>,
) -> Result<D, FitError> {
    statistic(mu, data, model, Clip::None)
}

/// `qμ`: `tμ` for μ̂ ≤ μ and 0 above (pyhf's `qmu`).
///
/// ```
/// use gradhep_core::{histfactory::Workspace, infer};
/// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
/// #   {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
/// #   {"name": "bkg", "data": [50.0], "modifiers": []}]}],
/// #   "observations": [{"name": "sr", "data": [60.0]}],
/// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
/// #   "version": "1.0.0"}"#).unwrap();
/// let model = ws.model(None).unwrap();
/// assert_eq!(infer::qmu(0.5, &[60.0], &model).unwrap(), 0.0); // μ̂ = 1 > 0.5
/// ```
pub fn qmu<D: Scalar, E: Elem<D>>(mu: f64, data: &[E], model: &Model<D>) -> Result<D, FitError> {
    statistic(mu, data, model, Clip::Above)
}

/// `q̃μ`: [`qmu`] with the POI bounded below by 0 (the suggested bounds; see [`tmu_tilde`]).
pub fn qmu_tilde<D: Scalar, E: Elem<D>>(
    mu: f64,
    data: &[E],
    model: &Model<D>,
) -> Result<D, FitError> {
    statistic(mu, data, model, Clip::Above)
}

/// `q0`: `t0` for μ̂ ≥ 0 and 0 below (pyhf's `q0`), the discovery statistic.
///
/// ```
/// use gradhep_core::{histfactory::Workspace, infer};
/// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
/// #   {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
/// #   {"name": "bkg", "data": [50.0], "modifiers": []}]}],
/// #   "observations": [{"name": "sr", "data": [60.0]}],
/// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
/// #   "version": "1.0.0"}"#).unwrap();
/// let model = ws.model(None).unwrap();
/// let expected = 2.0 * (60.0 * (60f64 / 50.0).ln() - 10.0); // 2(n ln(n/b) − (n − b))
/// assert!((infer::q0(&[60.0], &model).unwrap() - expected).abs() < 1e-9);
/// ```
pub fn q0<D: Scalar, E: Elem<D>>(data: &[E], model: &Model<D>) -> Result<D, FitError> {
    statistic(0.0, data, model, Clip::Below)
}

/// pyhf's Asimov dataset for testing against `asimov_mu`: the expected data (main and
/// auxiliary) at the fit with the POI fixed at `asimov_mu` (0 for upper limits, 1 for
/// discovery), with the fitted parameters.
///
/// ```
/// use gradhep_core::{histfactory::Workspace, infer};
/// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
/// #   {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
/// #   {"name": "bkg", "data": [50.0], "modifiers": []}]}],
/// #   "observations": [{"name": "sr", "data": [60.0]}],
/// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
/// #   "version": "1.0.0"}"#).unwrap();
/// let model = ws.model(None).unwrap();
/// let (asimov, pars) = infer::asimov_data(0.0, &[60.0], &model).unwrap();
/// assert_eq!((asimov, pars), (vec![50.0], vec![0.0]));
/// ```
pub fn asimov_data<D: Scalar, E: Elem<D>>(
    asimov_mu: f64,
    data: &[E],
    model: &Model<D>,
) -> Result<(Vec<D>, Vec<D>), FitError> {
    let detached = model.detached();
    let data_d = model.lift_data(data);
    let fit = fit_data(
        model,
        &detached,
        &values(data),
        &data_d,
        &FitOptions::default(),
        Some(asimov_mu),
    )?;
    Ok((model.expected_data(&fit.bestfit), fit.bestfit))
}

/// The result of an asymptotic hypothesis test (pyhf's `hypotest` with
/// `return_tail_probs`, `return_expected_set`).
#[derive(Debug, Clone, PartialEq)]
pub struct Hypotest<D = f64> {
    /// Observed CLs = CLs+b / CLb (for [`TestStat::Q0`], pyhf reports CLs+b = p0 instead).
    pub cls_obs: D,
    /// Observed CLs+b.
    pub clsb_obs: D,
    /// Observed CLb.
    pub clb_obs: D,
    /// Expected CLs at −2σ … +2σ of the background-only hypothesis (pyhf's order:
    /// n_sigma = 2, 1, 0, −1, −2, ascending CLs; index 2 is the median).
    pub cls_exp: [D; 5],
    /// Expected CLs+b, same order.
    pub clsb_exp: [D; 5],
    /// Expected CLb, same order.
    pub clb_exp: [D; 5],
    /// The observed test statistic `qμ` (or `q̃μ`, `q0`) before the asymptotic shift.
    pub q_obs: D,
    /// `√qμ,A`, the test statistic on the Asimov dataset.
    pub sqrt_q_asimov: D,
    /// The free fit to the observed data.
    pub free_fit: FitResult<D>,
}

/// Asymptotic CLs test of `poi` against the observed `data`, pyhf's `hypotest(poi, data,
/// model, test_stat=..., calctype="asymptotics")` with suggested init, bounds and fixed.
///
/// The five fits (free and fixed-POI on data, fixed-POI at the Asimov POI, free and
/// fixed-POI on the Asimov data) start from `suggested_init`. With `Δ = √qμ − √qμ,A`
/// (or, for q̃μ when `√qμ > √qμ,A`, `(qμ − qμ,A)/(2√qμ,A)`):
/// `CLs+b = Φ(−(Δ + √qμ,A))`, `CLb = Φ(−Δ)`; expected values replace Δ by n_sigma.
///
/// ```
/// use gradhep_core::{histfactory::Workspace, infer::{self, TestStat}};
/// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
/// #   {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
/// #   {"name": "bkg", "data": [50.0], "modifiers": []}]}],
/// #   "observations": [{"name": "sr", "data": [50.0]}],
/// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
/// #   "version": "1.0.0"}"#).unwrap();
/// let model = ws.model(None).unwrap();
/// let r = infer::hypotest(1.0, &[50.0], &model, TestStat::QTilde).unwrap();
/// assert!(r.cls_exp.windows(2).all(|w| w[0] < w[1]));
/// // data equal to the background: observed equals the median expected
/// assert!((r.cls_obs - r.cls_exp[2]).abs() < 1e-9);
/// ```
pub fn hypotest<D: Scalar, E: Elem<D>>(
    poi: f64,
    data: &[E],
    model: &Model<D>,
    test_stat: TestStat,
) -> Result<Hypotest<D>, FitError> {
    let detached = model.detached();
    let data_d = model.lift_data(data);
    let data = &values(data);
    let (mu, asimov_mu, clip) = match test_stat {
        TestStat::Q0 => (0.0, 1.0, Clip::Below),
        TestStat::Q | TestStat::QTilde => (poi, 0.0, Clip::Above),
    };
    let (q, _, free_fit) = profile(mu, model, &detached, data, &data_d, clip)?;
    let asimov_fit = fit_data(
        model,
        &detached,
        data,
        &data_d,
        &FitOptions::default(),
        Some(asimov_mu),
    )?;
    let asimov_d = model.expected_data(&asimov_fit.bestfit);
    let asimov: Vec<f64> = asimov_d.iter().map(|x| x.re()).collect();
    let (q_a, _, _) = profile(mu, model, &detached, &asimov, &asimov_d, clip)?;
    let (sqrt_q, sqrt_qa) = (sqrt0(q), sqrt0(q_a));
    let shift = match test_stat {
        TestStat::QTilde if sqrt_q.re() > sqrt_qa.re() => (q - q_a) / (sqrt_qa * 2.0),
        _ => sqrt_q - sqrt_qa,
    };
    let tails = |delta: D| {
        let clsb = normal_cdf(-(delta + sqrt_qa));
        let clb = normal_cdf(-delta);
        (clsb, clb, clsb / clb)
    };
    let (clsb_obs, clb_obs, cls) = tails(shift);
    let band = [2.0, 1.0, 0.0, -1.0, -2.0].map(|n| tails(D::from(n)));
    let is_q0 = test_stat == TestStat::Q0;
    Ok(Hypotest {
        cls_obs: if is_q0 { clsb_obs } else { cls },
        clsb_obs,
        clb_obs,
        cls_exp: band.map(|(clsb, _, cls)| if is_q0 { clsb } else { cls }),
        clsb_exp: band.map(|b| b.0),
        clb_exp: band.map(|b| b.1),
        q_obs: q,
        sqrt_q_asimov: sqrt_qa,
        free_fit,
    })
}

/// Discovery p-value and significance from the asymptotic q0 test.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery<D = f64> {
    /// Observed p-value of the background-only hypothesis, `Φ(−√q0)`.
    pub p0_obs: D,
    /// Observed significance `Z = Φ⁻¹(1 − p0) = √q0`.
    pub z_obs: D,
    /// Expected p-values at n_sigma = 2, 1, 0, −1, −2 around the signal hypothesis μ = 1.
    pub p0_exp: [D; 5],
    /// Expected significances, `√q0,A + n_sigma`, same order.
    pub z_exp: [D; 5],
}

/// Discovery test of μ = 0 (pyhf's `hypotest(0, ..., test_stat="q0")`), with the
/// significance: `Z = √q0` observed, `√q0,A + n` expected.
///
/// ```
/// use gradhep_core::{histfactory::Workspace, infer};
/// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
/// #   {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
/// #   {"name": "bkg", "data": [50.0], "modifiers": []}]}],
/// #   "observations": [{"name": "sr", "data": [60.0]}],
/// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
/// #   "version": "1.0.0"}"#).unwrap();
/// let model = ws.model(None).unwrap();
/// let d = infer::discovery(&[60.0], &model).unwrap();
/// // the Asimov significance sqrt(2((s+b) ln(1+s/b) − s)) is the median expected
/// let z_a = (2.0 * (60.0 * (1.2f64).ln() - 10.0)).sqrt();
/// assert!((d.z_exp[2] - z_a).abs() < 1e-9 && (d.z_obs - z_a).abs() < 1e-9);
/// ```
pub fn discovery<D: Scalar, E: Elem<D>>(
    data: &[E],
    model: &Model<D>,
) -> Result<Discovery<D>, FitError> {
    let h = hypotest(0.0, data, model, TestStat::Q0)?;
    let z_obs = sqrt0(h.q_obs);
    Ok(Discovery {
        p0_obs: h.clsb_obs,
        z_obs,
        p0_exp: h.clsb_exp,
        z_exp: [2.0, 1.0, 0.0, -1.0, -2.0].map(|n| h.sqrt_q_asimov + n),
    })
}
