//! The pyhf JSON workspace (schema version 1.0.0): channels of samples with modifiers,
//! observations, and measurements that name the parameter of interest and configure
//! parameters.
//!
//! Loading goes through [`serde_json::Value`] and walks it by hand, so that every problem is
//! reported with its JSON path (`channels[1].samples[0].modifiers[2].data`) rather than a byte
//! offset, and no input can make the loader panic.

use super::error::Error;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value, json};

/// A pyhf workspace: the statistical model, the observed data and the measurements.
///
/// ```
/// use gradhep_core::histfactory::Workspace;
/// let ws = Workspace::from_json(r#"{
///   "channels": [{"name": "sr", "samples": [
///     {"name": "sig", "data": [5.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
///     {"name": "bkg", "data": [50.0], "modifiers": []}]}],
///   "observations": [{"name": "sr", "data": [52.0]}],
///   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
///   "version": "1.0.0"}"#).unwrap();
/// assert_eq!(ws.channels[0].samples[1].data, vec![50.0]);
/// assert_eq!(ws.measurements[0].config.poi, "mu");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Workspace {
    /// The channels (regions), each a set of samples over the same bins.
    pub channels: Vec<Channel>,
    /// Observed counts, one entry per channel.
    pub observations: Vec<Observation>,
    /// Measurements: the parameter of interest and parameter settings.
    pub measurements: Vec<Measurement>,
    /// The schema version (`"1.0.0"`).
    pub version: String,
}

/// A channel: samples whose yields add up bin by bin.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel<D = f64> {
    /// The channel's name, unique in the workspace.
    pub name: String,
    /// Its samples; all have the channel's number of bins.
    pub samples: Vec<Sample<D>>,
}

/// A sample: nominal yields per bin and the modifiers that act on them.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample<D = f64> {
    /// The sample's name, unique in its channel.
    pub name: String,
    /// Nominal yield per bin.
    pub data: Vec<D>,
    /// Modifiers acting on this sample.
    pub modifiers: Vec<Modifier<D>>,
}

/// A modifier: a named parameter and how it changes a sample's yields.
#[derive(Debug, Clone, PartialEq)]
pub struct Modifier<D = f64> {
    /// The parameter's name; modifiers with the same name share one parameter.
    pub name: String,
    /// What the modifier does, with its data.
    pub kind: ModifierKind<D>,
}

/// The seven HistFactory modifier types, with the data each carries in the JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum ModifierKind<D = f64> {
    /// `normfactor`: yield × μ, unconstrained.
    NormFactor,
    /// `shapefactor`: yield in bin b × γ_b, unconstrained.
    ShapeFactor,
    /// `lumi`: yield × λ, Gaussian constraint from the measurement's auxdata and sigmas.
    Lumi,
    /// `normsys`: yield × interpolated factor between `lo` (α = −1) and `hi` (α = +1).
    NormSys {
        /// Factor at α = +1.
        hi: D,
        /// Factor at α = −1.
        lo: D,
    },
    /// `histosys`: yield + interpolated shift towards `hi_data` (α = +1) or `lo_data` (α = −1).
    HistoSys {
        /// Yields at α = +1.
        hi_data: Vec<D>,
        /// Yields at α = −1.
        lo_data: Vec<D>,
    },
    /// `shapesys`: yield in bin b × γ_b, Poisson constraint with τ_b = (yield_b / σ_b)².
    ShapeSys(Vec<D>),
    /// `staterror`: yield in bin b × γ_b, Gaussian constraint with the channel's combined
    /// relative MC uncertainty.
    StatError(Vec<D>),
}

impl<D> ModifierKind<D> {
    /// The type's name in the JSON (`"normsys"`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            ModifierKind::NormFactor => "normfactor",
            ModifierKind::ShapeFactor => "shapefactor",
            ModifierKind::Lumi => "lumi",
            ModifierKind::NormSys { .. } => "normsys",
            ModifierKind::HistoSys { .. } => "histosys",
            ModifierKind::ShapeSys(_) => "shapesys",
            ModifierKind::StatError(_) => "staterror",
        }
    }
}

/// Observed counts of one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// The channel's name.
    pub name: String,
    /// Observed count per bin.
    pub data: Vec<f64>,
}

/// A measurement: a name and its configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// The measurement's name, unique in the workspace.
    pub name: String,
    /// Parameter of interest and parameter settings.
    pub config: MeasurementConfig,
}

/// The parameter of interest and the settings that override a parameter's defaults.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MeasurementConfig {
    /// Name of the parameter of interest.
    pub poi: String,
    /// Per-parameter overrides.
    pub parameters: Vec<ParameterConfig>,
}

/// Overrides for one (possibly vector-valued) parameter; `None` keeps pyhf's default.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParameterConfig {
    /// The parameter's name.
    pub name: String,
    /// Initial values, one per component.
    pub inits: Option<Vec<f64>>,
    /// `[lower, upper]` bounds, one pair per component.
    pub bounds: Option<Vec<[f64; 2]>>,
    /// Whether the parameter is held constant at its initial value.
    pub fixed: Option<bool>,
    /// Auxiliary measurements of a constrained parameter.
    pub auxdata: Option<Vec<f64>>,
    /// Widths of a Gaussian-constrained parameter.
    pub sigmas: Option<Vec<f64>>,
    /// Rate factors of a Poisson-constrained (`shapesys`) parameter.
    pub factors: Option<Vec<f64>>,
}

impl Workspace {
    /// Parses and validates a workspace from JSON text.
    ///
    /// Errors name the JSON path and the problem: invalid JSON (with line and column), a
    /// missing or mistyped field, an unknown modifier type, a bin-count mismatch, a negative,
    /// non-finite or null yield, duplicate names, an empty channel, an observation for an
    /// unknown channel or a channel without one, no measurement, or a measurement whose POI no
    /// modifier defines.
    ///
    /// ```
    /// use gradhep_core::histfactory::Workspace;
    /// let err = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
    ///     {"name": "s", "data": [1.0, 2.0], "modifiers": [{"name": "x", "type": "magic", "data": null}]}]}],
    ///   "observations": [], "measurements": [], "version": "1.0.0"}"#).unwrap_err();
    /// assert_eq!(err.to_string(), "channels[0].samples[0].modifiers[0].type: unknown modifier \
    ///     type \"magic\" (expected one of histosys, lumi, normfactor, normsys, shapefactor, shapesys, staterror)");
    /// ```
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let value: Value = serde_json::from_str(text).map_err(|e| Error::Json {
            line: e.line(),
            column: e.column(),
            message: json_message(&e),
        })?;
        Self::from_value(&value)
    }

    /// Reads, parses and validates a workspace file (see [`Workspace::from_json`]).
    ///
    /// ```
    /// use gradhep_core::histfactory::{Error, Workspace};
    /// let err = Workspace::from_file("/no/such/file.json").unwrap_err();
    /// assert!(matches!(err, Error::Io { .. }));
    /// ```
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_json(&text)
    }

    /// Validates an already parsed JSON value (see [`Workspace::from_json`]).
    ///
    /// ```
    /// use gradhep_core::histfactory::Workspace;
    /// let err = Workspace::from_value(&serde_json::json!([1, 2])).unwrap_err();
    /// assert_eq!(err.to_string(), "(root): expected an object, found an array");
    /// ```
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let root = Path::root();
        let obj = object(value, &root)?;
        check_keys(
            obj,
            &root,
            &["channels", "observations", "measurements", "version"],
        )?;
        let channels = array(field(obj, "channels", &root)?, &root.key("channels"))?
            .iter()
            .enumerate()
            .map(|(i, c)| parse_channel(c, &root.key("channels").index(i)))
            .collect::<Result<Vec<_>, _>>()?;
        let observations = array(
            field(obj, "observations", &root)?,
            &root.key("observations"),
        )?
        .iter()
        .enumerate()
        .map(|(i, o)| parse_observation(o, &root.key("observations").index(i)))
        .collect::<Result<Vec<_>, _>>()?;
        let measurements = array(
            field(obj, "measurements", &root)?,
            &root.key("measurements"),
        )?
        .iter()
        .enumerate()
        .map(|(i, m)| parse_measurement(m, &root.key("measurements").index(i)))
        .collect::<Result<Vec<_>, _>>()?;
        let version = string(field(obj, "version", &root)?, &root.key("version"))?;
        let ws = Workspace {
            channels,
            observations,
            measurements,
            version,
        };
        ws.validate()?;
        Ok(ws)
    }

    /// The measurement called `name`, or the first one when `name` is `None` (pyhf's default).
    ///
    /// ```
    /// # use gradhep_core::histfactory::Workspace;
    /// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
    /// #   {"name": "s", "data": [1.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]}]}],
    /// #   "observations": [{"name": "sr", "data": [1.0]}],
    /// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
    /// #   "version": "1.0.0"}"#).unwrap();
    /// assert_eq!(ws.measurement(None).unwrap().name, "meas");
    /// assert_eq!(ws.measurement(Some("other")).unwrap_err().to_string(),
    ///            "measurements: no measurement named \"other\" (available: meas)");
    /// ```
    pub fn measurement(&self, name: Option<&str>) -> Result<&Measurement, Error> {
        let available = || {
            self.measurements
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match name {
            None => self
                .measurements
                .first()
                .ok_or_else(|| Error::invalid("measurements", "the workspace has no measurement")),
            Some(name) => self
                .measurements
                .iter()
                .find(|m| m.name == name)
                .ok_or_else(|| {
                    Error::invalid(
                        "measurements",
                        format!("no measurement named {name:?} (available: {})", available()),
                    )
                }),
        }
    }

    /// Checks what the schema cannot: shapes, signs, names and cross references.
    fn validate(&self) -> Result<(), Error> {
        let root = Path::root();
        let channels = root.key("channels");
        if self.channels.is_empty() {
            return Err(Error::invalid(
                channels.to_string(),
                "the workspace has no channel",
            ));
        }
        for (ci, channel) in self.channels.iter().enumerate() {
            let cpath = channels.index(ci);
            validate_channel(channel, &cpath)?;
            if let Some(first) = self.channels[..ci]
                .iter()
                .position(|c| c.name == channel.name)
            {
                return Err(Error::invalid(
                    cpath.key("name").to_string(),
                    format!(
                        "duplicate channel name {:?} (also channels[{first}])",
                        channel.name
                    ),
                ));
            }
        }
        let observations = root.key("observations");
        for (oi, obs) in self.observations.iter().enumerate() {
            let opath = observations.index(oi);
            let Some(channel) = self.channels.iter().find(|c| c.name == obs.name) else {
                return Err(Error::invalid(
                    opath.key("name").to_string(),
                    format!("observation for unknown channel {:?}", obs.name),
                ));
            };
            if let Some(first) = self.observations[..oi]
                .iter()
                .position(|o| o.name == obs.name)
            {
                return Err(Error::invalid(
                    opath.key("name").to_string(),
                    format!(
                        "duplicate observation for channel {:?} (also observations[{first}])",
                        obs.name
                    ),
                ));
            }
            let nbins = channel.samples[0].data.len();
            if obs.data.len() != nbins {
                return Err(Error::invalid(
                    opath.key("data").to_string(),
                    format!(
                        "{} observed bins but channel {:?} has {nbins}",
                        obs.data.len(),
                        obs.name
                    ),
                ));
            }
            for (b, &n) in obs.data.iter().enumerate() {
                if !n.is_finite() || n < 0.0 {
                    return Err(Error::invalid(
                        opath.key("data").index(b).to_string(),
                        format!("observed count {n} is not a non-negative number"),
                    ));
                }
            }
        }
        for channel in &self.channels {
            if !self.observations.iter().any(|o| o.name == channel.name) {
                return Err(Error::invalid(
                    observations.to_string(),
                    format!("no observation for channel {:?}", channel.name),
                ));
            }
        }
        let measurements = root.key("measurements");
        if self.measurements.is_empty() {
            return Err(Error::invalid(
                measurements.to_string(),
                "the workspace has no measurement",
            ));
        }
        for (mi, meas) in self.measurements.iter().enumerate() {
            let mpath = measurements.index(mi);
            if let Some(first) = self.measurements[..mi]
                .iter()
                .position(|m| m.name == meas.name)
            {
                return Err(Error::invalid(
                    mpath.key("name").to_string(),
                    format!(
                        "duplicate measurement name {:?} (also measurements[{first}])",
                        meas.name
                    ),
                ));
            }
            let defined = |name: &str| {
                self.channels
                    .iter()
                    .flat_map(|c| &c.samples)
                    .flat_map(|s| &s.modifiers)
                    .any(|m| m.name == name)
            };
            if !defined(&meas.config.poi) {
                return Err(Error::invalid(
                    mpath.key("config").key("poi").to_string(),
                    format!(
                        "parameter of interest {:?} is not the name of any modifier",
                        meas.config.poi
                    ),
                ));
            }
            let ppath = mpath.key("config").key("parameters");
            for (pi, par) in meas.config.parameters.iter().enumerate() {
                if let Some(first) = meas.config.parameters[..pi]
                    .iter()
                    .position(|p| p.name == par.name)
                {
                    return Err(Error::invalid(
                        ppath.index(pi).key("name").to_string(),
                        format!(
                            "duplicate configuration of parameter {:?} (also parameters[{first}])",
                            par.name
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Checks one channel's samples and modifiers: at least one sample, equal bin counts,
/// non-negative finite yields and modifier data, unique sample names.
pub(crate) fn validate_channel<D: crate::Scalar>(
    channel: &Channel<D>,
    cpath: &Path,
) -> Result<(), Error> {
    let spath = cpath.key("samples");
    let Some(first) = channel.samples.first() else {
        return Err(Error::invalid(
            spath.to_string(),
            format!("channel {:?} has no samples", channel.name),
        ));
    };
    let nbins = first.data.len();
    if nbins == 0 {
        return Err(Error::invalid(
            spath.index(0).key("data").to_string(),
            "a sample needs at least one bin",
        ));
    }
    for (si, sample) in channel.samples.iter().enumerate() {
        let path = spath.index(si);
        if let Some(other) = channel.samples[..si]
            .iter()
            .position(|s| s.name == sample.name)
        {
            return Err(Error::invalid(
                path.key("name").to_string(),
                format!(
                    "duplicate sample name {:?} (also samples[{other}])",
                    sample.name
                ),
            ));
        }
        check_bins(&sample.data, nbins, &path.key("data"), "yield")?;
        let mpath = path.key("modifiers");
        for (mi, modifier) in sample.modifiers.iter().enumerate() {
            let path = mpath.index(mi).key("data");
            match &modifier.kind {
                ModifierKind::NormFactor | ModifierKind::ShapeFactor | ModifierKind::Lumi => {}
                ModifierKind::NormSys { hi, lo } => {
                    for (key, v) in [("hi", hi.re()), ("lo", lo.re())] {
                        if !(v.is_finite() && v > 0.0) {
                            return Err(Error::invalid(
                                path.key(key).to_string(),
                                format!("normsys factor {v} is not a positive number"),
                            ));
                        }
                    }
                }
                ModifierKind::HistoSys { hi_data, lo_data } => {
                    check_bins(hi_data, nbins, &path.key("hi_data"), "yield")?;
                    check_bins(lo_data, nbins, &path.key("lo_data"), "yield")?;
                }
                ModifierKind::ShapeSys(sigmas) | ModifierKind::StatError(sigmas) => {
                    check_bins(sigmas, nbins, &path, "uncertainty")?;
                }
            }
        }
    }
    Ok(())
}

/// `values` has `nbins` entries, each finite and non-negative.
fn check_bins<D: crate::Scalar>(
    values: &[D],
    nbins: usize,
    path: &Path,
    what: &str,
) -> Result<(), Error> {
    if values.len() != nbins {
        return Err(Error::invalid(
            path.to_string(),
            format!("{} bins but the channel has {nbins}", values.len()),
        ));
    }
    for (b, v) in values.iter().enumerate() {
        let v = v.re();
        if !v.is_finite() || v < 0.0 {
            return Err(Error::invalid(
                path.index(b).to_string(),
                format!("{what} {v} is not a non-negative number"),
            ));
        }
    }
    Ok(())
}

/// A JSON path, built as the walker descends.
#[derive(Debug, Clone)]
pub(crate) struct Path(String);

impl Path {
    pub(crate) fn root() -> Self {
        Path(String::new())
    }
    pub(crate) fn key(&self, key: &str) -> Self {
        if self.0.is_empty() {
            Path(key.to_string())
        } else {
            Path(format!("{}.{key}", self.0))
        }
    }
    pub(crate) fn index(&self, i: usize) -> Self {
        Path(format!("{}[{i}]", self.0))
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            f.write_str("(root)")
        } else {
            f.write_str(&self.0)
        }
    }
}

fn json_message(e: &serde_json::Error) -> String {
    // serde_json appends " at line L column C"; the error names them itself.
    let full = e.to_string();
    match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn mistyped(v: &Value, expected: &str, path: &Path) -> Error {
    Error::invalid(
        path.to_string(),
        format!("expected {expected}, found {}", kind_of(v)),
    )
}

fn object<'a>(v: &'a Value, path: &Path) -> Result<&'a Map<String, Value>, Error> {
    v.as_object().ok_or_else(|| mistyped(v, "an object", path))
}

fn array<'a>(v: &'a Value, path: &Path) -> Result<&'a Vec<Value>, Error> {
    v.as_array().ok_or_else(|| mistyped(v, "an array", path))
}

fn string(v: &Value, path: &Path) -> Result<String, Error> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| mistyped(v, "a string", path))
}

fn number(v: &Value, path: &Path) -> Result<f64, Error> {
    v.as_f64().ok_or_else(|| mistyped(v, "a number", path))
}

fn numbers(v: &Value, path: &Path) -> Result<Vec<f64>, Error> {
    array(v, path)?
        .iter()
        .enumerate()
        .map(|(i, x)| number(x, &path.index(i)))
        .collect()
}

fn field<'a>(obj: &'a Map<String, Value>, key: &str, path: &Path) -> Result<&'a Value, Error> {
    obj.get(key)
        .ok_or_else(|| Error::invalid(path.to_string(), format!("missing field {key:?}")))
}

/// Rejects keys the schema does not allow (`additionalProperties: false`), which catches
/// misspelt fields that would otherwise be silently ignored.
fn check_keys(obj: &Map<String, Value>, path: &Path, allowed: &[&str]) -> Result<(), Error> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(Error::invalid(
            path.to_string(),
            format!(
                "unknown field {k:?} (expected one of {})",
                allowed.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

fn parse_channel(v: &Value, path: &Path) -> Result<Channel, Error> {
    let obj = object(v, path)?;
    check_keys(obj, path, &["name", "samples"])?;
    let name = string(field(obj, "name", path)?, &path.key("name"))?;
    let spath = path.key("samples");
    let samples = array(field(obj, "samples", path)?, &spath)?
        .iter()
        .enumerate()
        .map(|(i, s)| parse_sample(s, &spath.index(i)))
        .collect::<Result<_, _>>()?;
    Ok(Channel { name, samples })
}

fn parse_sample(v: &Value, path: &Path) -> Result<Sample, Error> {
    let obj = object(v, path)?;
    check_keys(obj, path, &["name", "data", "modifiers"])?;
    let name = string(field(obj, "name", path)?, &path.key("name"))?;
    let data = numbers(field(obj, "data", path)?, &path.key("data"))?;
    let mpath = path.key("modifiers");
    let modifiers = array(field(obj, "modifiers", path)?, &mpath)?
        .iter()
        .enumerate()
        .map(|(i, m)| parse_modifier(m, &mpath.index(i)))
        .collect::<Result<_, _>>()?;
    Ok(Sample {
        name,
        data,
        modifiers,
    })
}

const MODIFIER_TYPES: &str =
    "histosys, lumi, normfactor, normsys, shapefactor, shapesys, staterror";

fn parse_modifier(v: &Value, path: &Path) -> Result<Modifier, Error> {
    let obj = object(v, path)?;
    check_keys(obj, path, &["name", "type", "data"])?;
    let name = string(field(obj, "name", path)?, &path.key("name"))?;
    let ty = string(field(obj, "type", path)?, &path.key("type"))?;
    let data = field(obj, "data", path)?;
    let dpath = path.key("data");
    let null = |data: &Value| match data {
        Value::Null => Ok(()),
        other => Err(mistyped(other, "null", &dpath)),
    };
    let kind = match ty.as_str() {
        "normfactor" => null(data).map(|_| ModifierKind::NormFactor)?,
        "shapefactor" => null(data).map(|_| ModifierKind::ShapeFactor)?,
        "lumi" => null(data).map(|_| ModifierKind::Lumi)?,
        "normsys" => {
            let d = object(data, &dpath)?;
            check_keys(d, &dpath, &["hi", "lo"])?;
            ModifierKind::NormSys {
                hi: number(field(d, "hi", &dpath)?, &dpath.key("hi"))?,
                lo: number(field(d, "lo", &dpath)?, &dpath.key("lo"))?,
            }
        }
        "histosys" => {
            let d = object(data, &dpath)?;
            check_keys(d, &dpath, &["hi_data", "lo_data"])?;
            ModifierKind::HistoSys {
                hi_data: numbers(field(d, "hi_data", &dpath)?, &dpath.key("hi_data"))?,
                lo_data: numbers(field(d, "lo_data", &dpath)?, &dpath.key("lo_data"))?,
            }
        }
        "shapesys" => ModifierKind::ShapeSys(numbers(data, &dpath)?),
        "staterror" => ModifierKind::StatError(numbers(data, &dpath)?),
        other => {
            return Err(Error::invalid(
                path.key("type").to_string(),
                format!("unknown modifier type {other:?} (expected one of {MODIFIER_TYPES})"),
            ));
        }
    };
    Ok(Modifier { name, kind })
}

fn parse_observation(v: &Value, path: &Path) -> Result<Observation, Error> {
    let obj = object(v, path)?;
    check_keys(obj, path, &["name", "data"])?;
    Ok(Observation {
        name: string(field(obj, "name", path)?, &path.key("name"))?,
        data: numbers(field(obj, "data", path)?, &path.key("data"))?,
    })
}

fn parse_measurement(v: &Value, path: &Path) -> Result<Measurement, Error> {
    let obj = object(v, path)?;
    check_keys(obj, path, &["name", "config"])?;
    let name = string(field(obj, "name", path)?, &path.key("name"))?;
    let cpath = path.key("config");
    let config = object(field(obj, "config", path)?, &cpath)?;
    check_keys(config, &cpath, &["poi", "parameters"])?;
    let poi = string(field(config, "poi", &cpath)?, &cpath.key("poi"))?;
    let ppath = cpath.key("parameters");
    let parameters = array(field(config, "parameters", &cpath)?, &ppath)?
        .iter()
        .enumerate()
        .map(|(i, p)| parse_parameter(p, &ppath.index(i)))
        .collect::<Result<_, _>>()?;
    Ok(Measurement {
        name,
        config: MeasurementConfig { poi, parameters },
    })
}

fn parse_parameter(v: &Value, path: &Path) -> Result<ParameterConfig, Error> {
    let obj = object(v, path)?;
    check_keys(
        obj,
        path,
        &[
            "name", "inits", "bounds", "fixed", "auxdata", "sigmas", "factors",
        ],
    )?;
    let optional_numbers = |key: &str| obj.get(key).map(|v| numbers(v, &path.key(key))).transpose();
    let bounds = obj
        .get("bounds")
        .map(|v| {
            let bpath = path.key("bounds");
            array(v, &bpath)?
                .iter()
                .enumerate()
                .map(|(i, pair)| {
                    let ppath = bpath.index(i);
                    match numbers(pair, &ppath)?.as_slice() {
                        &[lo, hi] if lo <= hi => Ok([lo, hi]),
                        &[lo, hi] => Err(Error::invalid(
                            ppath.to_string(),
                            format!("lower bound {lo} is above upper bound {hi}"),
                        )),
                        other => Err(Error::invalid(
                            ppath.to_string(),
                            format!("a bound is [lower, upper], found {} numbers", other.len()),
                        )),
                    }
                })
                .collect::<Result<Vec<_>, Error>>()
        })
        .transpose()?;
    let fixed = obj
        .get("fixed")
        .map(|v| {
            v.as_bool()
                .ok_or_else(|| mistyped(v, "a boolean", &path.key("fixed")))
        })
        .transpose()?;
    Ok(ParameterConfig {
        name: string(field(obj, "name", path)?, &path.key("name"))?,
        inits: optional_numbers("inits")?,
        bounds,
        fixed,
        auxdata: optional_numbers("auxdata")?,
        sigmas: optional_numbers("sigmas")?,
        factors: optional_numbers("factors")?,
    })
}

impl Workspace {
    /// The workspace as a JSON value in pyhf's schema.
    ///
    /// ```
    /// # use gradhep_core::histfactory::Workspace;
    /// # let text = r#"{"channels": [{"name": "sr", "samples": [
    /// #   {"name": "s", "data": [1.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]}]}],
    /// #   "observations": [{"name": "sr", "data": [1.0]}],
    /// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
    /// #   "version": "1.0.0"}"#;
    /// let ws = Workspace::from_json(text).unwrap();
    /// assert_eq!(Workspace::from_value(&ws.to_value()).unwrap(), ws);
    /// ```
    pub fn to_value(&self) -> Value {
        let modifier = |m: &Modifier| {
            let data = match &m.kind {
                ModifierKind::NormFactor | ModifierKind::ShapeFactor | ModifierKind::Lumi => {
                    Value::Null
                }
                ModifierKind::NormSys { hi, lo } => json!({"hi": hi, "lo": lo}),
                ModifierKind::HistoSys { hi_data, lo_data } => {
                    json!({"hi_data": hi_data, "lo_data": lo_data})
                }
                ModifierKind::ShapeSys(v) | ModifierKind::StatError(v) => json!(v),
            };
            json!({"name": m.name, "type": m.kind.type_name(), "data": data})
        };
        let parameter = |p: &ParameterConfig| {
            let mut obj = Map::new();
            obj.insert("name".into(), json!(p.name));
            if let Some(v) = &p.inits {
                obj.insert("inits".into(), json!(v));
            }
            if let Some(v) = &p.bounds {
                obj.insert("bounds".into(), json!(v));
            }
            if let Some(v) = p.fixed {
                obj.insert("fixed".into(), json!(v));
            }
            if let Some(v) = &p.auxdata {
                obj.insert("auxdata".into(), json!(v));
            }
            if let Some(v) = &p.sigmas {
                obj.insert("sigmas".into(), json!(v));
            }
            if let Some(v) = &p.factors {
                obj.insert("factors".into(), json!(v));
            }
            Value::Object(obj)
        };
        json!({
            "channels": self.channels.iter().map(|c| json!({
                "name": c.name,
                "samples": c.samples.iter().map(|s| json!({
                    "name": s.name,
                    "data": s.data,
                    "modifiers": s.modifiers.iter().map(modifier).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "observations": self.observations.iter()
                .map(|o| json!({"name": o.name, "data": o.data})).collect::<Vec<_>>(),
            "measurements": self.measurements.iter().map(|m| json!({
                "name": m.name,
                "config": {
                    "poi": m.config.poi,
                    "parameters": m.config.parameters.iter().map(parameter).collect::<Vec<_>>(),
                },
            })).collect::<Vec<_>>(),
            "version": self.version,
        })
    }
}

impl Serialize for Workspace {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Workspace {
    fn deserialize<De: Deserializer<'de>>(deserializer: De) -> Result<Self, De::Error> {
        let value = Value::deserialize(deserializer)?;
        Workspace::from_value(&value).map_err(serde::de::Error::custom)
    }
}
