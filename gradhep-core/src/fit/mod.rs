//! Maximum-likelihood fits of HistFactory models, with derivatives of the optimum.
//!
//! The fit itself runs in `f64` (a bounded Newton method on the analytic gradient and
//! Hessian); for a model whose yields are dual numbers the optimum is then lifted by an
//! implicit Newton step, so `bestfit` and `twice_nll` carry the derivatives of the optimum
//! with respect to whatever made the yields.
//!
//! ```
//! use gradhep_core::{fit, histfactory::Workspace};
//! let ws = Workspace::from_json(r#"{
//!   "channels": [{"name": "sr", "samples": [
//!     {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
//!     {"name": "bkg", "data": [50.0], "modifiers": []}]}],
//!   "observations": [{"name": "sr", "data": [65.0]}],
//!   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
//!   "version": "1.0.0"}"#).unwrap();
//! let model = ws.model(None).unwrap();
//! let result = fit::fit(&model, &ws.data(&model)).unwrap();
//! assert!((result.bestfit[0] - 1.5).abs() < 1e-12); // (65 − 50) / 10
//! ```

mod arrowhead;
mod implicit;
mod linalg;
mod newton;

pub(crate) use implicit::lift_optimum;
pub(crate) use linalg::{cholesky, cholesky_solve};

use crate::histfactory::Model;
use crate::histfactory::likelihood::{Order, Scratch, nll};
use crate::{Elem, Scalar};

/// Why a fit gave no result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// A starting value is outside its bounds (as pyhf, the fit refuses to start).
    #[error("initial value {value} of parameter {parameter:?} lies outside its bounds {bounds:?}")]
    InitOutsideBounds {
        /// The parameter's name.
        parameter: String,
        /// Its initial value.
        value: f64,
        /// Its bounds.
        bounds: [f64; 2],
    },
    /// The likelihood is not finite (a non-positive rate where data are observed).
    #[error("the likelihood is not finite at parameters {parameters:?}")]
    NonFinite {
        /// Where.
        parameters: Vec<f64>,
    },
    /// The minimiser stopped before the Newton decrement fell below the tolerance.
    #[error(
        "the fit did not converge after {iterations} iterations (Newton decrement {decrement:e})"
    )]
    NotConverged {
        /// Iterations run.
        iterations: usize,
        /// The last Newton decrement `−gᵀd` (twice the predicted decrease).
        decrement: f64,
    },
    /// The lengths of the options or data do not match the model.
    #[error("{0}")]
    Shape(String),
}

/// Starting point, bounds and fixed parameters of a fit (each defaults to the model's
/// suggestion), and the stopping rule.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// Initial values (`suggested_init` if `None`).
    pub init: Option<Vec<f64>>,
    /// `[lower, upper]` bounds (`suggested_bounds` if `None`).
    pub bounds: Option<Vec<[f64; 2]>>,
    /// Parameters held at their initial value (`suggested_fixed` if `None`).
    pub fixed: Option<Vec<bool>>,
    /// Stop when the Newton decrement `gᵀH⁻¹g` is below this times `max(1, |ln L|)` (the
    /// final step is still taken, so the optimum is accurate to about its square).
    pub tolerance: f64,
    /// Give up (with [`FitError::NotConverged`]) after this many Newton iterations.
    pub max_iterations: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            init: None,
            bounds: None,
            fixed: None,
            tolerance: 1e-14,
            max_iterations: 200,
        }
    }
}

/// The optimum of a fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FitResult<D = f64> {
    /// Best-fit parameters, in the model's order (fixed ones at their fixed value).
    pub bestfit: Vec<D>,
    /// `−2 ln L` at the optimum, pyhf's `twice_nll` (all constants included).
    pub twice_nll: D,
    /// Newton iterations used.
    pub iterations: usize,
    /// Free parameters that ended on a bound (their derivatives are zero).
    pub at_bound: Vec<bool>,
}

/// Fit of all free parameters to `data` (main then auxiliary, as `Workspace::data`).
///
/// For a model with dual-valued yields, `bestfit` and `twice_nll` carry the derivatives of
/// the optimum. `data` may be `f64` or, when the auxiliary data follow the model (a
/// shapesys τ computed from dual yields: `model.auxdata()`), the model's dual type; then
/// `twice_nll` leaves out the derivative of the data-only constant `ln Γ(n + 1)`.
///
/// # Panics
/// If `data` does not have `nmaindata + nauxdata` entries.
///
/// ```
/// use gradhep_core::{fit, histfactory::Workspace};
/// let ws = Workspace::from_file(concat!(env!("CARGO_MANIFEST_DIR"),
///     "/../tests/fixtures/pyhf/workspaces/f1_validation_1bin_shapesys.json")).unwrap();
/// let model = ws.model(None).unwrap();
/// let result = fit::fit(&model, &ws.data(&model)).unwrap();
/// assert!((result.bestfit[0] - 0.5).abs() < 1e-12); // (55 − 50) / 10, γ̂ = 1
/// ```
pub fn fit<D: Scalar, E: Elem<D>>(model: &Model<D>, data: &[E]) -> Result<FitResult<D>, FitError> {
    fit_with(model, data, &FitOptions::default())
}

/// [`fit`] with a chosen start, bounds, fixed set or tolerance.
///
/// ```
/// use gradhep_core::{fit::{self, FitOptions}, histfactory::Workspace};
/// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
/// #   {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
/// #   {"name": "bkg", "data": [50.0], "modifiers": []}]}],
/// #   "observations": [{"name": "sr", "data": [45.0]}],
/// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
/// #   "version": "1.0.0"}"#).unwrap();
/// let model = ws.model(None).unwrap();
/// let data = ws.data(&model);
/// // μ̂ = −0.5 is outside the default bounds [0, 10]
/// assert_eq!(fit::fit(&model, &data).unwrap().bestfit[0], 0.0);
/// let options = FitOptions { bounds: Some(vec![[-5.0, 10.0]]), ..FitOptions::default() };
/// assert!((fit::fit_with(&model, &data, &options).unwrap().bestfit[0] + 0.5).abs() < 1e-12);
/// ```
pub fn fit_with<D: Scalar, E: Elem<D>>(
    model: &Model<D>,
    data: &[E],
    options: &FitOptions,
) -> Result<FitResult<D>, FitError> {
    fit_lifted(model, data, options, None)
}

/// Fit with the parameter of interest fixed at `poi` (pyhf's `fixed_poi_fit`).
///
/// ```
/// use gradhep_core::{fit, histfactory::Workspace};
/// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
/// #   {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
/// #   {"name": "bkg", "data": [50.0], "modifiers": []}]}],
/// #   "observations": [{"name": "sr", "data": [65.0]}],
/// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
/// #   "version": "1.0.0"}"#).unwrap();
/// let model = ws.model(None).unwrap();
/// let result = fit::fixed_poi_fit(1.0, &model, &ws.data(&model)).unwrap();
/// assert_eq!(result.bestfit, vec![1.0]);
/// ```
pub fn fixed_poi_fit<D: Scalar, E: Elem<D>>(
    poi: f64,
    model: &Model<D>,
    data: &[E],
) -> Result<FitResult<D>, FitError> {
    fixed_poi_fit_with(poi, model, data, &FitOptions::default())
}

/// [`fixed_poi_fit`] with chosen options.
pub fn fixed_poi_fit_with<D: Scalar, E: Elem<D>>(
    poi: f64,
    model: &Model<D>,
    data: &[E],
    options: &FitOptions,
) -> Result<FitResult<D>, FitError> {
    fit_lifted(model, data, options, Some(poi))
}

/// [`fit_data`] on data of either kind: its values for the minimiser, lifted to `D` for the
/// implicit step.
fn fit_lifted<D: Scalar, E: Elem<D>>(
    model: &Model<D>,
    data: &[E],
    options: &FitOptions,
    poi: Option<f64>,
) -> Result<FitResult<D>, FitError> {
    let detached = model.detached();
    let data_d = model.lift_data(data);
    fit_data(model, &detached, &values(data), &data_d, options, poi)
}

/// The values of data that may carry derivatives.
pub(crate) fn values<D, E: Elem<D>>(data: &[E]) -> Vec<f64> {
    data.iter().map(|x| x.re()).collect()
}

/// The fit behind every public entry point: `data` as `f64` for the minimiser and as `D`
/// for the implicit step; `poi` fixes the parameter of interest.
///
/// When the data themselves carry derivatives (an Asimov dataset of a dual model),
/// `twice_nll` omits the derivative of the data-only constant `ln Γ(n + 1)`; differences of
/// `twice_nll` on the same data, which is all test statistics use, are exact.
pub(crate) fn fit_data<D: Scalar>(
    model: &Model<D>,
    detached: &Model<f64>,
    data: &[f64],
    data_d: &[D],
    options: &FitOptions,
    poi: Option<f64>,
) -> Result<FitResult<D>, FitError> {
    let n = model.npars();
    let shape = |what: &str, len: usize| {
        FitError::Shape(format!(
            "{what} has {len} entries but the model has {n} parameters"
        ))
    };
    let mut init = options.init.clone().unwrap_or_else(|| model.init.clone());
    let bounds = options.bounds.as_ref().unwrap_or(&model.bounds);
    let mut fixed = options.fixed.clone().unwrap_or_else(|| model.fixed.clone());
    if init.len() != n {
        return Err(shape("init", init.len()));
    }
    if bounds.len() != n {
        return Err(shape("bounds", bounds.len()));
    }
    if fixed.len() != n {
        return Err(shape("fixed", fixed.len()));
    }
    if let Some(mu) = poi {
        init[model.poi] = mu;
        fixed[model.poi] = true;
    }
    let min = newton::minimize(
        detached,
        data,
        &init,
        bounds,
        &fixed,
        options.tolerance,
        options.max_iterations,
    )?;
    let movable: Vec<bool> = (0..n).map(|i| !fixed[i] && !min.at_bound[i]).collect();
    let (bestfit, twice_nll) = if D::NDERIV == 0 {
        let x: Vec<D> = min.x.iter().map(|&v| D::from(v)).collect();
        (
            x,
            D::from(2.0 * (min.kernel + detached.data_constant(data))),
        )
    } else {
        let x = lift_optimum(model, data_d, &min.x, &movable);
        let mut s = Scratch::new(n);
        let k = nll(model, &x, data_d, Order::Value, &mut s, &mut [], &mut []);
        (x, (k + detached.data_constant(data)) * 2.0)
    };
    Ok(FitResult {
        bestfit,
        twice_nll,
        iterations: min.iterations,
        at_bound: min.at_bound,
    })
}

/// Fits from several starting points: the one pyhf uses (`suggested_init`) and shifted ones.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiStartFit {
    /// The fit from the usual starting point.
    pub from_init: FitResult,
    /// The deepest minimum found from any start.
    pub deepest: FitResult,
}

impl MultiStartFit {
    /// Whether some start reached a minimum deeper (by more than `1e-6` in `twice_nll`) than
    /// the one from the usual starting point: the usual fit found a local minimum only.
    pub fn found_deeper_minimum(&self) -> bool {
        self.deepest.twice_nll < self.from_init.twice_nll - 1e-6
    }
}

/// Models with at most this many free parameters also get starts that move one parameter
/// at a time.
const MULTISTART_SINGLE_SHIFTS_UP_TO: usize = 30;

/// Fits from the usual start and from starts with the free parameters moved by `k` widths,
/// `k ∈ {−3, −1.5, +1.5, +3}` (the constraint width for constrained parameters, a tenth of
/// the range for the others), clamped to the bounds: all together, and (up to 30 free
/// parameters) one at a time. Reports the deepest minimum.
///
/// Starts that fail are skipped; the error of the usual start is returned if it fails.
///
/// ```
/// use gradhep_core::{fit, histfactory::Workspace};
/// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
/// #   {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
/// #   {"name": "bkg", "data": [50.0], "modifiers": []}]}],
/// #   "observations": [{"name": "sr", "data": [65.0]}],
/// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
/// #   "version": "1.0.0"}"#).unwrap();
/// let model = ws.model(None).unwrap();
/// let multi = fit::fit_multistart(&model, &ws.data(&model), &Default::default()).unwrap();
/// assert!(!multi.found_deeper_minimum()); // one Poisson bin: a single minimum
/// ```
pub fn fit_multistart(
    model: &Model,
    data: &[f64],
    options: &FitOptions,
) -> Result<MultiStartFit, FitError> {
    let from_init = fit_with(model, data, options)?;
    let init = options.init.clone().unwrap_or_else(|| model.init.clone());
    let bounds = options
        .bounds
        .clone()
        .unwrap_or_else(|| model.bounds.clone());
    let fixed = options.fixed.clone().unwrap_or_else(|| model.fixed.clone());
    let mut widths: Vec<f64> = bounds.iter().map(|b| (b[1] - b[0]) / 10.0).collect();
    for c in &model.constraints {
        widths[c.par] = match c.kind {
            crate::histfactory::model::ConstraintKind::Normal { sigma } => sigma,
            crate::histfactory::model::ConstraintKind::Poisson { factor } => factor.sqrt().recip(),
        };
    }
    let free: Vec<usize> = (0..init.len()).filter(|&i| !fixed[i]).collect();
    let shifted = |moved: &[usize], k: f64| -> Vec<f64> {
        let mut start = init.clone();
        for &i in moved {
            start[i] = (init[i] + k * widths[i]).clamp(bounds[i][0], bounds[i][1]);
        }
        start
    };
    let mut starts = Vec::new();
    for k in [-3.0, -1.5, 1.5, 3.0] {
        starts.push(shifted(&free, k));
        if free.len() <= MULTISTART_SINGLE_SHIFTS_UP_TO {
            for &i in &free {
                starts.push(shifted(&[i], k));
            }
        }
    }
    let mut deepest = from_init.clone();
    for start in starts {
        let opts = FitOptions {
            init: Some(start),
            ..options.clone()
        };
        if let Ok(r) = fit_with(model, data, &opts)
            && r.twice_nll < deepest.twice_nll
        {
            deepest = r;
        }
    }
    Ok(MultiStartFit { from_init, deepest })
}
