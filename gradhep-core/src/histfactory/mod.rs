//! HistFactory statistical models from pyhf JSON workspaces, or built in code from yields
//! that carry derivatives.
//!
//! A [`Workspace`] is the JSON document; [`Workspace::model`] turns one of its measurements
//! into a [`Model`], whose [`logpdf`](Model::logpdf) and
//! [`expected_data`](Model::expected_data) match pyhf 0.7's to rounding. Fits are in
//! [`crate::fit`], test statistics and CLs in [`crate::infer`].
//!
//! ```
//! use gradhep_core::histfactory::Workspace;
//! let ws = Workspace::from_json(r#"{
//!   "channels": [{"name": "sr", "samples": [
//!     {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
//!     {"name": "bkg", "data": [50.0], "modifiers": [{"name": "unc", "type": "shapesys", "data": [7.0]}]}]}],
//!   "observations": [{"name": "sr", "data": [55.0]}],
//!   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
//!   "version": "1.0.0"}"#).unwrap();
//! let model = ws.model(None).unwrap();
//! let data = ws.data(&model);
//! let logpdf = model.logpdf(model.suggested_init(), &data);
//! assert!((logpdf - (-6.025179228)).abs() < 1e-8); // pyhf 0.7.6
//! ```

mod error;
mod interp;
pub(crate) mod likelihood;
pub(crate) mod model;
mod workspace;

pub use error::Error;
pub use interp::{HistoSysInterp, NormSysInterp};
pub use model::{Model, ModelOptions};
pub use workspace::{
    Channel, Measurement, MeasurementConfig, Modifier, ModifierKind, Observation, ParameterConfig,
    Sample, Workspace,
};
