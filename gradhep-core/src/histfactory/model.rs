//! A HistFactory model: parameters in pyhf's order and the per-sample structure the
//! likelihood evaluates.
//!
//! The construction follows pyhf 0.7: channels and samples are sorted by name; parameters are
//! grouped by modifier type in the order histosys, lumi, normfactor, normsys, shapefactor,
//! shapesys, staterror, and within a type appear in order of first use (staterror: by name);
//! vector parameters are named `name[i]`.

use super::error::Error;
use super::interp::{HistoSysInterp, NormSysInterp, code4_coefficients};
use super::workspace::{
    Channel, MeasurementConfig, ModifierKind, ParameterConfig, Path, Workspace, validate_channel,
};
use crate::{Elem, Scalar};

/// Interpolation codes, as pyhf's `modifier_settings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ModelOptions {
    /// Interpolation of `normsys` factors (default code 4).
    pub normsys: NormSysInterp,
    /// Interpolation of `histosys` shifts (default code 4p).
    pub histosys: HistoSysInterp,
}

/// How a constrained parameter's auxiliary measurement is distributed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ConstraintKind<D> {
    /// `aux ~ Normal(θ, σ)`.
    Normal { sigma: D },
    /// `aux ~ Poisson(θ·factor)` (continuous).
    Poisson { factor: D },
}

/// One component of a constrained parameter; its position in `Model::constraints` is its
/// index in the auxiliary data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Constraint<D> {
    pub(crate) par: usize,
    pub(crate) kind: ConstraintKind<D>,
}

/// A factor that multiplies every bin of a sample by a function of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ScalarFactor<D> {
    /// `θ` itself (normfactor, lumi).
    Linear { par: usize },
    /// An interpolated normsys factor.
    NormSys {
        par: usize,
        ln_hi: D,
        ln_lo: D,
        coefficients: [D; 6],
    },
}

/// An additive histosys shift of one sample, per bin.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shift<D> {
    pub(crate) par: usize,
    /// `hi − nom` per bin.
    pub(crate) up: Vec<D>,
    /// `nom − lo` per bin.
    pub(crate) down: Vec<D>,
}

/// One sample in one channel: `y_b = Π factors · (nominal_b + Σ shifts_b)`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Block<D> {
    pub(crate) nominal: Vec<D>,
    pub(crate) scalar_factors: Vec<ScalarFactor<D>>,
    /// First parameter index of each per-bin factor (shapefactor, shapesys, staterror):
    /// bin b is scaled by `θ[first + b]`.
    pub(crate) bin_factors: Vec<usize>,
    pub(crate) shifts: Vec<Shift<D>>,
}

/// A channel's place in the main data and its samples.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChannelBlocks<D> {
    pub(crate) name: String,
    pub(crate) start: usize,
    pub(crate) nbins: usize,
    pub(crate) blocks: Vec<Block<D>>,
    /// Names of the samples of `blocks`, in order.
    pub(crate) sample_names: Vec<String>,
}

/// A HistFactory probability model `p(n, a | θ) = Π_b Pois(n_b | λ_b(θ)) · Π_c p_c(a_c | θ)`.
///
/// `D` is the type of the yields and modifier data: `f64` for a model read from a workspace,
/// a dual number when the yields come from a differentiable analysis (a `kde` histogram of
/// cut-dependent events); everything computed from the model then carries derivatives with
/// respect to what made the yields.
///
/// ```
/// use gradhep_core::histfactory::Workspace;
/// let ws = Workspace::from_json(r#"{
///   "channels": [{"name": "sr", "samples": [
///     {"name": "sig", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
///     {"name": "bkg", "data": [50.0], "modifiers": [{"name": "unc", "type": "shapesys", "data": [7.0]}]}]}],
///   "observations": [{"name": "sr", "data": [55.0]}],
///   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
///   "version": "1.0.0"}"#).unwrap();
/// let model = ws.model(None).unwrap();
/// assert_eq!(model.par_names(), ["mu", "unc[0]"]);
/// assert_eq!(model.suggested_init(), [1.0, 1.0]);
/// assert_eq!(model.suggested_bounds(), [[0.0, 10.0], [1e-10, 10.0]]);
/// assert_eq!(model.auxdata(), [(50.0f64 / 7.0).powi(2)]); // τ = (nominal/σ)²
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Model<D = f64> {
    pub(crate) channels: Vec<ChannelBlocks<D>>,
    pub(crate) nmain: usize,
    pub(crate) par_names: Vec<String>,
    /// `(name, first index, number of components)` in parameter order.
    pub(crate) paramsets: Vec<(String, usize, usize)>,
    pub(crate) init: Vec<f64>,
    pub(crate) bounds: Vec<[f64; 2]>,
    pub(crate) fixed: Vec<bool>,
    pub(crate) poi: usize,
    pub(crate) constraints: Vec<Constraint<D>>,
    pub(crate) auxdata: Vec<D>,
    pub(crate) options: ModelOptions,
}

impl Workspace {
    /// The model of measurement `measurement` (the first one when `None`), with pyhf's
    /// default interpolation codes.
    ///
    /// ```
    /// # use gradhep_core::histfactory::Workspace;
    /// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
    /// #   {"name": "s", "data": [1.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]}]}],
    /// #   "observations": [{"name": "sr", "data": [1.0]}],
    /// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
    /// #   "version": "1.0.0"}"#).unwrap();
    /// let model = ws.model(Some("meas")).unwrap();
    /// assert_eq!(model.poi_index(), 0);
    /// assert!(ws.model(Some("nope")).is_err());
    /// ```
    pub fn model(&self, measurement: Option<&str>) -> Result<Model, Error> {
        self.model_with(measurement, ModelOptions::default())
    }

    /// [`Workspace::model`] with chosen interpolation codes.
    ///
    /// ```
    /// # use gradhep_core::histfactory::{HistoSysInterp, ModelOptions, NormSysInterp, Workspace};
    /// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
    /// #   {"name": "s", "data": [1.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]}]}],
    /// #   "observations": [{"name": "sr", "data": [1.0]}],
    /// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
    /// #   "version": "1.0.0"}"#).unwrap();
    /// let options = ModelOptions { normsys: NormSysInterp::Code1, histosys: HistoSysInterp::Code0 };
    /// assert!(ws.model_with(None, options).is_ok());
    /// ```
    pub fn model_with(
        &self,
        measurement: Option<&str>,
        options: ModelOptions,
    ) -> Result<Model, Error> {
        let index = match measurement {
            None => 0,
            Some(_) => {
                let m = self.measurement(measurement)?;
                self.measurements
                    .iter()
                    .position(|x| std::ptr::eq(x, m))
                    .unwrap_or(0)
            }
        };
        let meas = self.measurement(measurement)?;
        Model::build(
            &self.channels,
            &meas.config,
            options,
            &Path::root().key("measurements").index(index).key("config"),
        )
    }

    /// The observed data in `model`'s order: the channels' observations (channels sorted by
    /// name) followed by the model's auxiliary data, as pyhf's `Workspace.data`.
    ///
    /// # Panics
    /// If `model` has a channel this workspace has no observation for (a model built from
    /// another workspace).
    ///
    /// ```
    /// # use gradhep_core::histfactory::Workspace;
    /// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
    /// #   {"name": "s", "data": [1.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]}]}],
    /// #   "observations": [{"name": "sr", "data": [3.0]}],
    /// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
    /// #   "version": "1.0.0"}"#).unwrap();
    /// let model = ws.model(None).unwrap();
    /// assert_eq!(ws.data(&model), vec![3.0]);
    /// ```
    pub fn data(&self, model: &Model) -> Vec<f64> {
        let mut data = Vec::with_capacity(model.nmain + model.auxdata.len());
        for channel in &model.channels {
            let obs = self
                .observations
                .iter()
                .find(|o| o.name == channel.name)
                .unwrap_or_else(|| panic!("no observation for channel {:?}", channel.name));
            data.extend_from_slice(&obs.data);
        }
        data.extend_from_slice(&model.auxdata);
        data
    }
}

/// A parameter set as a modifier type requires it, before user overrides.
#[derive(Debug, Clone)]
struct Requirement<D> {
    kind: &'static str,
    constraint: ParKind,
    n: usize,
    scalar: bool,
    inits: Option<Vec<f64>>,
    bounds: Option<Vec<[f64; 2]>>,
    fixed: Vec<bool>,
    auxdata: Option<Vec<D>>,
    sigmas: Option<Vec<D>>,
    factors: Option<Vec<D>>,
    /// Where it was first required, for error messages.
    origin: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParKind {
    Unconstrained,
    Normal,
    Poisson,
}

const TYPE_ORDER: [&str; 7] = [
    "histosys",
    "lumi",
    "normfactor",
    "normsys",
    "shapefactor",
    "shapesys",
    "staterror",
];

impl<D: Scalar> Model<D> {
    /// A model from channels whose yields and modifier data are `D`, with the measurement
    /// `config` (POI and parameter overrides) and interpolation `options`.
    ///
    /// This is how a differentiable analysis builds its statistical model: the yields are
    /// dual numbers, and every number computed from the model carries their derivatives.
    ///
    /// ```
    /// use gradhep_core::histfactory::{Channel, MeasurementConfig, Model, ModelOptions, Modifier, ModifierKind, Sample};
    /// use gradhep_core::num_dual::Dual64;
    /// let s = Dual64::new(10.0, 1.0); // d/ds of everything below
    /// let channel = Channel {
    ///     name: "sr".into(),
    ///     samples: vec![
    ///         Sample { name: "sig".into(), data: vec![s], modifiers: vec![
    ///             Modifier { name: "mu".into(), kind: ModifierKind::NormFactor }] },
    ///         Sample { name: "bkg".into(), data: vec![Dual64::from(50.0)], modifiers: vec![] },
    ///     ],
    /// };
    /// let config = MeasurementConfig { poi: "mu".into(), parameters: vec![] };
    /// let model = Model::new(&[channel], &config, ModelOptions::default()).unwrap();
    /// let lambda = model.expected_actualdata(&[1.0]);
    /// assert_eq!((lambda[0].re, lambda[0].eps), (60.0, 1.0));
    /// ```
    pub fn new(
        channels: &[Channel<D>],
        config: &MeasurementConfig,
        options: ModelOptions,
    ) -> Result<Self, Error> {
        Self::build(channels, config, options, &Path::root().key("config"))
    }

    fn build(
        spec: &[Channel<D>],
        config: &MeasurementConfig,
        options: ModelOptions,
        config_path: &Path,
    ) -> Result<Self, Error> {
        let root = Path::root().key("channels");
        if spec.is_empty() {
            return Err(Error::invalid(root.to_string(), "the model has no channel"));
        }
        for (ci, channel) in spec.iter().enumerate() {
            validate_channel(channel, &root.index(ci))?;
            if let Some(first) = spec[..ci].iter().position(|c| c.name == channel.name) {
                return Err(Error::invalid(
                    root.index(ci).key("name").to_string(),
                    format!(
                        "duplicate channel name {:?} (also channels[{first}])",
                        channel.name
                    ),
                ));
            }
        }
        // Sorted channels; within each, samples sorted by name (pyhf's global sample order
        // restricted to the channel); within a sample, the last modifier of a given
        // (type, name) wins, as in pyhf's per-sample modifier dictionary.
        let mut order: Vec<usize> = (0..spec.len()).collect();
        order.sort_by(|&a, &b| spec[a].name.cmp(&spec[b].name));
        struct SampleRef<'a, D> {
            path: Path,
            data: &'a [D],
            name: &'a str,
            /// (modifier name, type name, index in the sample's list), sorted by (name, type).
            mods: Vec<(&'a str, &'static str, usize)>,
        }
        let mut layout: Vec<(usize, Vec<SampleRef<D>>)> = Vec::new();
        for &ci in &order {
            let channel = &spec[ci];
            let mut samples: Vec<usize> = (0..channel.samples.len()).collect();
            samples.sort_by(|&a, &b| channel.samples[a].name.cmp(&channel.samples[b].name));
            let refs = samples
                .into_iter()
                .map(|si| {
                    let sample = &channel.samples[si];
                    let mut mods: Vec<(&str, &'static str, usize)> = Vec::new();
                    for (mi, m) in sample.modifiers.iter().enumerate() {
                        let key = (m.name.as_str(), m.kind.type_name());
                        match mods.iter_mut().find(|x| (x.0, x.1) == key) {
                            Some(x) => x.2 = mi,
                            None => mods.push((key.0, key.1, mi)),
                        }
                    }
                    mods.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
                    SampleRef {
                        path: root.index(ci).key("samples").index(si),
                        data: &sample.data,
                        name: &sample.name,
                        mods,
                    }
                })
                .collect();
            layout.push((ci, refs));
        }

        // Parameter requirements in pyhf's order.
        let mut reqs: Vec<(String, Requirement<D>)> = Vec::new();
        let mut require = |name: &str, req: Requirement<D>| -> Result<(), Error> {
            match reqs.iter().find(|(n, _)| n == name) {
                None => {
                    reqs.push((name.to_string(), req));
                    Ok(())
                }
                Some((_, old)) => {
                    let same = old.constraint == req.constraint
                        && old.n == req.n
                        && old.scalar == req.scalar
                        && old.inits == req.inits
                        && old.bounds == req.bounds
                        && old.fixed == req.fixed
                        && re(&old.auxdata) == re(&req.auxdata)
                        && re(&old.sigmas) == re(&req.sigmas)
                        && re(&old.factors) == re(&req.factors);
                    if same {
                        Ok(())
                    } else {
                        Err(Error::invalid(
                            req.origin.clone(),
                            format!(
                                "parameter {name:?} of this {} modifier conflicts with its use as a {} modifier at {} (different type or number of bins); use distinct names",
                                req.kind, old.kind, old.origin
                            ),
                        ))
                    }
                }
            }
        };
        let mut shapesys_seen: Vec<&str> = Vec::new();
        for ty in TYPE_ORDER {
            if ty == "staterror" {
                continue;
            }
            for (ci, samples) in &layout {
                for s in samples {
                    let sample = &spec[*ci].samples;
                    let full = sample
                        .iter()
                        .find(|x| x.name == s.name)
                        .map(|x| &x.modifiers);
                    let Some(modifiers) = full else { continue };
                    for &(name, mty, mi) in &s.mods {
                        if mty != ty {
                            continue;
                        }
                        let origin = s.path.key("modifiers").index(mi).to_string();
                        let n = s.data.len();
                        let req = match &modifiers[mi].kind {
                            ModifierKind::NormFactor => {
                                unconstrained("normfactor", 1, true, origin)
                            }
                            ModifierKind::ShapeFactor => {
                                unconstrained("shapefactor", n, false, origin)
                            }
                            ModifierKind::Lumi => Requirement {
                                kind: "lumi",
                                constraint: ParKind::Normal,
                                n: 1,
                                scalar: true,
                                inits: None,
                                bounds: None,
                                fixed: vec![false],
                                auxdata: None,
                                sigmas: None,
                                factors: None,
                                origin,
                            },
                            ModifierKind::NormSys { .. } => alpha("normsys", origin),
                            ModifierKind::HistoSys { .. } => alpha("histosys", origin),
                            ModifierKind::ShapeSys(sigmas) => {
                                if shapesys_seen.contains(&name) {
                                    return Err(Error::invalid(
                                        origin,
                                        format!(
                                            "shapesys {name:?} is used more than once; a shapesys parameter belongs to one sample"
                                        ),
                                    ));
                                }
                                shapesys_seen.push(name);
                                let valid: Vec<bool> = s
                                    .data
                                    .iter()
                                    .zip(sigmas)
                                    .map(|(y, u)| y.re() > 0.0 && u.re() > 0.0)
                                    .collect();
                                let factors: Vec<D> = s
                                    .data
                                    .iter()
                                    .zip(sigmas)
                                    .zip(&valid)
                                    .map(
                                        |((&y, &u), &v)| {
                                            if v { (y / u).powi(2) } else { D::one() }
                                        },
                                    )
                                    .collect();
                                Requirement {
                                    kind: "shapesys",
                                    constraint: ParKind::Poisson,
                                    n,
                                    scalar: false,
                                    inits: Some(vec![1.0; n]),
                                    bounds: Some(vec![[1e-10, 10.0]; n]),
                                    fixed: valid.iter().map(|v| !v).collect(),
                                    auxdata: Some(factors.clone()),
                                    sigmas: None,
                                    factors: Some(factors),
                                    origin,
                                }
                            }
                            ModifierKind::StatError(_) => unreachable!("handled below"),
                        };
                        require(name, req)?;
                    }
                }
            }
        }
        // staterror: one parameter set per name, over the bins of its channel, with the
        // combined relative uncertainty sqrt(Σ σ_s²) / Σ nominal_s of the samples it is on.
        let mut staterrors: Vec<&str> = layout
            .iter()
            .flat_map(|(_, s)| s.iter())
            .flat_map(|s| s.mods.iter())
            .filter(|m| m.1 == "staterror")
            .map(|m| m.0)
            .collect();
        staterrors.sort_unstable();
        staterrors.dedup();
        for name in staterrors {
            let mut channel_of: Option<(usize, String)> = None;
            let mut nominal_sum: Vec<D> = Vec::new();
            let mut var_terms: Vec<(Vec<D>, Vec<D>)> = Vec::new();
            for (ci, samples) in &layout {
                for s in samples {
                    let Some(&(_, _, mi)) =
                        s.mods.iter().find(|m| m.0 == name && m.1 == "staterror")
                    else {
                        continue;
                    };
                    let origin = s.path.key("modifiers").index(mi).to_string();
                    match &channel_of {
                        Some((c, first)) if c != ci => {
                            return Err(Error::invalid(
                                origin,
                                format!(
                                    "staterror {name:?} is used in two channels (also {first}); a staterror parameter belongs to one channel"
                                ),
                            ));
                        }
                        Some(_) => {}
                        None => channel_of = Some((*ci, origin)),
                    }
                    let sample = spec[*ci].samples.iter().find(|x| x.name == s.name);
                    let Some(ModifierKind::StatError(unc)) = sample.map(|x| &x.modifiers[mi].kind)
                    else {
                        continue;
                    };
                    if nominal_sum.is_empty() {
                        nominal_sum = vec![D::zero(); s.data.len()];
                    }
                    for (acc, &y) in nominal_sum.iter_mut().zip(s.data) {
                        *acc += y;
                    }
                    var_terms.push((unc.clone(), s.data.to_vec()));
                }
            }
            let Some((_, origin)) = channel_of else {
                continue;
            };
            let n = nominal_sum.len();
            let mut rel2 = vec![D::zero(); n];
            for (unc, _) in &var_terms {
                for b in 0..n {
                    if nominal_sum[b].re() > 0.0 {
                        rel2[b] += (unc[b] / nominal_sum[b]).powi(2);
                    }
                }
            }
            let fixed: Vec<bool> = rel2.iter().map(|r| r.re() == 0.0).collect();
            let sigmas: Vec<D> = rel2
                .iter()
                .zip(&fixed)
                .map(|(&r, &f)| if f { D::one() } else { r.sqrt() })
                .collect();
            require(
                name,
                Requirement {
                    kind: "staterror",
                    constraint: ParKind::Normal,
                    n,
                    scalar: false,
                    inits: Some(vec![1.0; n]),
                    bounds: Some(vec![[1e-10, 10.0]; n]),
                    fixed,
                    auxdata: Some(vec![D::one(); n]),
                    sigmas: Some(sigmas),
                    factors: None,
                    origin,
                },
            )?;
        }

        // User overrides from the measurement configuration.
        let ppath = config_path.key("parameters");
        for (pi, user) in config.parameters.iter().enumerate() {
            let path = ppath.index(pi);
            let Some((_, req)) = reqs.iter_mut().find(|(n, _)| *n == user.name) else {
                // pyhf ignores configurations of parameters no modifier uses.
                continue;
            };
            apply_user_config(req, user, &path)?;
        }

        // Parameter vectors.
        let mut par_names = Vec::new();
        let mut paramsets = Vec::new();
        let (mut init, mut bounds, mut fixed) = (Vec::new(), Vec::new(), Vec::new());
        let mut constraints = Vec::new();
        let mut auxdata = Vec::new();
        for (name, req) in &reqs {
            let first = init.len();
            let missing = |what: &str| {
                Error::invalid(
                    config_path.key("parameters").to_string(),
                    format!(
                        "{} parameter {name:?} needs {what} in the measurement's parameter configuration",
                        req.kind
                    ),
                )
            };
            let aux = match req.constraint {
                ParKind::Unconstrained => None,
                _ => Some(req.auxdata.clone().ok_or_else(|| missing("\"auxdata\""))?),
            };
            let sigmas = match req.constraint {
                ParKind::Normal => Some(match &req.sigmas {
                    Some(s) => s.clone(),
                    None if req.kind == "lumi" => return Err(missing("\"sigmas\"")),
                    None => vec![D::one(); req.n],
                }),
                _ => None,
            };
            // lumi has no default init or bounds in pyhf; use the auxiliary value and
            // [0, 10·aux], the HistFactory convention.
            let inits = match &req.inits {
                Some(v) => v.clone(),
                None => aux
                    .as_ref()
                    .map(|a| a.iter().map(|x| x.re()).collect())
                    .ok_or_else(|| missing("\"inits\""))?,
            };
            let bnds = match &req.bounds {
                Some(v) => v.clone(),
                None => inits.iter().map(|&x| [0.0, 10.0 * x.abs()]).collect(),
            };
            if req.n == 1 && req.scalar {
                par_names.push(name.clone());
            } else {
                par_names.extend((0..req.n).map(|i| format!("{name}[{i}]")));
            }
            init.extend_from_slice(&inits);
            bounds.extend_from_slice(&bnds);
            fixed.extend_from_slice(&req.fixed);
            paramsets.push((name.clone(), first, req.n));
            if let Some(aux) = aux {
                for i in 0..req.n {
                    let kind = match req.constraint {
                        ParKind::Normal => ConstraintKind::Normal {
                            sigma: sigmas.as_ref().map_or(D::one(), |s| s[i]),
                        },
                        _ => ConstraintKind::Poisson {
                            factor: req.factors.as_ref().map_or(D::one(), |f| f[i]),
                        },
                    };
                    constraints.push(Constraint {
                        par: first + i,
                        kind,
                    });
                    auxdata.push(aux[i]);
                }
            }
        }
        for (i, b) in bounds.iter().enumerate() {
            if b[0] > b[1] || !b[0].is_finite() || !b[1].is_finite() {
                return Err(Error::invalid(
                    ppath.to_string(),
                    format!("parameter {:?} has invalid bounds {b:?}", par_names[i]),
                ));
            }
        }

        let poi_path = config_path.key("poi");
        let poi = match paramsets.iter().find(|p| p.0 == config.poi) {
            None => {
                return Err(Error::invalid(
                    poi_path.to_string(),
                    format!(
                        "parameter of interest {:?} is not a parameter of the model",
                        config.poi
                    ),
                ));
            }
            Some((_, _, n)) if *n > 1 => {
                return Err(Error::invalid(
                    poi_path.to_string(),
                    format!(
                        "parameter of interest {:?} has {n} components; it must be a scalar",
                        config.poi
                    ),
                ));
            }
            Some((_, first, _)) => *first,
        };
        // A POI is a signal strength: an unconstrained normfactor (pyhf allows any scalar,
        // but a constrained POI has no sensible CLs, and the signal samples are the ones
        // carrying the POI's normfactor).
        if let Some((_, req)) = reqs.iter().find(|(n, _)| *n == config.poi)
            && req.kind != "normfactor"
        {
            return Err(Error::invalid(
                poi_path.to_string(),
                format!(
                    "parameter of interest {:?} is a {} parameter; it must be a normfactor",
                    config.poi, req.kind
                ),
            ));
        }

        // Per-sample evaluation blocks.
        let index_of = |name: &str| paramsets.iter().find(|p| p.0 == name).map_or(0, |p| p.1);
        let mut channels = Vec::new();
        let mut start = 0;
        for (ci, samples) in &layout {
            let channel = &spec[*ci];
            let nbins = channel.samples[0].data.len();
            let mut blocks = Vec::new();
            let mut sample_names = Vec::new();
            for s in samples {
                let Some(sample) = channel.samples.iter().find(|x| x.name == s.name) else {
                    continue;
                };
                let mut block = Block {
                    nominal: sample.data.clone(),
                    scalar_factors: Vec::new(),
                    bin_factors: Vec::new(),
                    shifts: Vec::new(),
                };
                for &(name, _, mi) in &s.mods {
                    let par = index_of(name);
                    match &sample.modifiers[mi].kind {
                        ModifierKind::NormFactor | ModifierKind::Lumi => {
                            block.scalar_factors.push(ScalarFactor::Linear { par })
                        }
                        ModifierKind::NormSys { hi, lo } => {
                            block.scalar_factors.push(ScalarFactor::NormSys {
                                par,
                                ln_hi: hi.ln(),
                                ln_lo: lo.ln(),
                                coefficients: code4_coefficients(*hi, *lo),
                            })
                        }
                        ModifierKind::ShapeFactor
                        | ModifierKind::ShapeSys(_)
                        | ModifierKind::StatError(_) => block.bin_factors.push(par),
                        ModifierKind::HistoSys { hi_data, lo_data } => block.shifts.push(Shift {
                            par,
                            up: hi_data
                                .iter()
                                .zip(&sample.data)
                                .map(|(&h, &n)| h - n)
                                .collect(),
                            down: lo_data
                                .iter()
                                .zip(&sample.data)
                                .map(|(&l, &n)| n - l)
                                .collect(),
                        }),
                    }
                }
                blocks.push(block);
                sample_names.push(sample.name.clone());
            }
            channels.push(ChannelBlocks {
                name: channel.name.clone(),
                start,
                nbins,
                blocks,
                sample_names,
            });
            start += nbins;
        }

        Ok(Model {
            channels,
            nmain: start,
            par_names,
            paramsets,
            init,
            bounds,
            fixed,
            poi,
            constraints,
            auxdata,
            options,
        })
    }

    /// Parameter names in order; vector parameters as `name[i]`.
    ///
    /// ```
    /// # use gradhep_core::histfactory::Workspace;
    /// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
    /// #   {"name": "s", "data": [1.0, 2.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null},
    /// #     {"name": "shape", "type": "shapefactor", "data": null}]}]}],
    /// #   "observations": [{"name": "sr", "data": [1.0, 2.0]}],
    /// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
    /// #   "version": "1.0.0"}"#).unwrap();
    /// assert_eq!(ws.model(None).unwrap().par_names(), ["mu", "shape[0]", "shape[1]"]);
    /// ```
    pub fn par_names(&self) -> &[String] {
        &self.par_names
    }

    /// Number of parameters.
    ///
    /// ```
    /// # use gradhep_core::histfactory::Workspace;
    /// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
    /// #   {"name": "s", "data": [1.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]}]}],
    /// #   "observations": [{"name": "sr", "data": [1.0]}],
    /// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
    /// #   "version": "1.0.0"}"#).unwrap();
    /// assert_eq!(ws.model(None).unwrap().npars(), 1);
    /// ```
    pub fn npars(&self) -> usize {
        self.init.len()
    }

    /// Suggested initial values (pyhf's `suggested_init`).
    pub fn suggested_init(&self) -> &[f64] {
        &self.init
    }

    /// Suggested `[lower, upper]` bounds (pyhf's `suggested_bounds`).
    pub fn suggested_bounds(&self) -> &[[f64; 2]] {
        &self.bounds
    }

    /// Which parameters are held constant at their initial value (pyhf's `suggested_fixed`).
    pub fn suggested_fixed(&self) -> &[bool] {
        &self.fixed
    }

    /// Index of the parameter of interest.
    pub fn poi_index(&self) -> usize {
        self.poi
    }

    /// Name of the parameter of interest.
    pub fn poi_name(&self) -> &str {
        &self.par_names[self.poi]
    }

    /// Number of main-measurement bins (all channels).
    pub fn nmaindata(&self) -> usize {
        self.nmain
    }

    /// Number of auxiliary measurements.
    pub fn nauxdata(&self) -> usize {
        self.auxdata.len()
    }

    /// The nominal auxiliary data (pyhf's `config.auxdata`).
    pub fn auxdata(&self) -> &[D] {
        &self.auxdata
    }

    /// Channel names in model order (sorted), with their number of bins.
    ///
    /// ```
    /// # use gradhep_core::histfactory::Workspace;
    /// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
    /// #   {"name": "s", "data": [1.0, 1.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]}]}],
    /// #   "observations": [{"name": "sr", "data": [1.0, 1.0]}],
    /// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
    /// #   "version": "1.0.0"}"#).unwrap();
    /// assert_eq!(ws.model(None).unwrap().channels(), vec![("sr", 2)]);
    /// ```
    pub fn channels(&self) -> Vec<(&str, usize)> {
        self.channels
            .iter()
            .map(|c| (c.name.as_str(), c.nbins))
            .collect()
    }

    /// The interpolation codes the model was built with.
    pub fn options(&self) -> ModelOptions {
        self.options
    }

    /// The same model with the derivatives dropped: every yield replaced by its value.
    ///
    /// ```
    /// use gradhep_core::histfactory::{Channel, MeasurementConfig, Model, ModelOptions, Modifier, ModifierKind, Sample};
    /// use gradhep_core::num_dual::Dual64;
    /// let channel = Channel { name: "sr".into(), samples: vec![Sample {
    ///     name: "sig".into(), data: vec![Dual64::new(10.0, 1.0)],
    ///     modifiers: vec![Modifier { name: "mu".into(), kind: ModifierKind::NormFactor }] }] };
    /// let config = MeasurementConfig { poi: "mu".into(), parameters: vec![] };
    /// let model = Model::new(&[channel], &config, ModelOptions::default()).unwrap();
    /// assert_eq!(model.detached().expected_actualdata(&[2.0]), vec![20.0]);
    /// ```
    pub fn detached(&self) -> Model<f64> {
        self.map(|x| x.re())
    }

    /// The model with every yield-derived number mapped by `f`.
    pub(crate) fn map<E>(&self, f: impl Fn(D) -> E + Copy) -> Model<E> {
        let v = |xs: &[D]| xs.iter().map(|&x| f(x)).collect::<Vec<E>>();
        Model {
            channels: self
                .channels
                .iter()
                .map(|c| ChannelBlocks {
                    name: c.name.clone(),
                    start: c.start,
                    nbins: c.nbins,
                    sample_names: c.sample_names.clone(),
                    blocks: c
                        .blocks
                        .iter()
                        .map(|b| Block {
                            nominal: v(&b.nominal),
                            scalar_factors: b
                                .scalar_factors
                                .iter()
                                .map(|s| match s {
                                    ScalarFactor::Linear { par } => {
                                        ScalarFactor::Linear { par: *par }
                                    }
                                    ScalarFactor::NormSys {
                                        par,
                                        ln_hi,
                                        ln_lo,
                                        coefficients,
                                    } => ScalarFactor::NormSys {
                                        par: *par,
                                        ln_hi: f(*ln_hi),
                                        ln_lo: f(*ln_lo),
                                        coefficients: coefficients.map(f),
                                    },
                                })
                                .collect(),
                            bin_factors: b.bin_factors.clone(),
                            shifts: b
                                .shifts
                                .iter()
                                .map(|s| Shift {
                                    par: s.par,
                                    up: v(&s.up),
                                    down: v(&s.down),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
            nmain: self.nmain,
            par_names: self.par_names.clone(),
            paramsets: self.paramsets.clone(),
            init: self.init.clone(),
            bounds: self.bounds.clone(),
            fixed: self.fixed.clone(),
            poi: self.poi,
            constraints: self
                .constraints
                .iter()
                .map(|c| Constraint {
                    par: c.par,
                    kind: match c.kind {
                        ConstraintKind::Normal { sigma } => {
                            ConstraintKind::Normal { sigma: f(sigma) }
                        }
                        ConstraintKind::Poisson { factor } => {
                            ConstraintKind::Poisson { factor: f(factor) }
                        }
                    },
                })
                .collect(),
            auxdata: v(&self.auxdata),
            options: self.options,
        }
    }

    /// Parameters whose interpolation has a corner at 0 (normsys code 1, histosys code 0).
    pub(crate) fn kinked_parameters(&self) -> Vec<bool> {
        let mut kinks = vec![false; self.npars()];
        for block in self.channels.iter().flat_map(|c| &c.blocks) {
            if self.options.normsys == NormSysInterp::Code1 {
                for f in &block.scalar_factors {
                    if let ScalarFactor::NormSys { par, .. } = f {
                        kinks[*par] = true;
                    }
                }
            }
            if self.options.histosys == HistoSysInterp::Code0 {
                for shift in &block.shifts {
                    kinks[shift.par] = true;
                }
            }
        }
        kinks
    }

    /// A set of parameters on which the likelihood's Hessian is diagonal: no two of them
    /// appear together in one term, so every off-diagonal entry between them is zero
    /// whatever the parameter values.
    ///
    /// A main-data bin couples all parameters that touch it; constraints couple none. A
    /// parameter that touches no bin, or exactly one bin (a per-bin γ of shapesys, staterror,
    /// shapefactor; or any parameter of a one-bin channel used nowhere else), is a candidate;
    /// of the candidates of one bin only the first is taken. The fit eliminates this set by
    /// a Schur complement (block-arrowhead structure); a model without it gets an empty set
    /// and a dense factorisation.
    pub(crate) fn diagonal_parameters(&self) -> Vec<bool> {
        let n = self.npars();
        // Pass 1 counts the bins each parameter touches; pass 2 picks per bin.
        let mut bins_touched = vec![0usize; n];
        let mut diagonal = vec![false; n];
        let mut seen = vec![usize::MAX; n];
        for pass in 0..2 {
            for ch in &self.channels {
                for b in 0..ch.nbins {
                    let bin = pass * self.nmain + ch.start + b;
                    let mut picked = false;
                    let mut visit = |p: usize| {
                        if seen[p] == bin {
                            return;
                        }
                        seen[p] = bin;
                        if pass == 0 {
                            bins_touched[p] += 1;
                        } else if !picked && bins_touched[p] == 1 {
                            diagonal[p] = true;
                            picked = true;
                        }
                    };
                    for block in &ch.blocks {
                        for f in &block.scalar_factors {
                            match *f {
                                ScalarFactor::Linear { par }
                                | ScalarFactor::NormSys { par, .. } => visit(par),
                            }
                        }
                        for &first in &block.bin_factors {
                            visit(first + b);
                        }
                        for shift in &block.shifts {
                            visit(shift.par);
                        }
                    }
                }
            }
        }
        for (d, &count) in diagonal.iter_mut().zip(&bins_touched) {
            *d |= count == 0;
        }
        diagonal
    }

    /// Parameters as `D` from any slice of `f64` or `D`.
    pub(crate) fn lift_pars<P: Elem<D>>(&self, pars: &[P]) -> Vec<D> {
        assert_eq!(
            pars.len(),
            self.npars(),
            "expected {} parameters, got {}",
            self.npars(),
            pars.len()
        );
        pars.iter().map(|&p| p.to_scalar()).collect()
    }
}

impl Model<f64> {
    /// The model as `E`, with the expected rate of every signal sample — every sample that
    /// carries the POI's factor — multiplied by `scale` (nominal yields and histosys shifts
    /// alike, constraints unchanged: an extra fixed normfactor on the signal).
    ///
    /// With `scale` a dual number at 1, everything computed from the model carries its
    /// derivative with respect to the signal yield's normalisation.
    ///
    /// ```
    /// use gradhep_core::histfactory::Workspace;
    /// use gradhep_core::num_dual::Dual64;
    /// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
    /// #   {"name": "s", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
    /// #   {"name": "b", "data": [50.0], "modifiers": []}]}],
    /// #   "observations": [{"name": "sr", "data": [52.0]}],
    /// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
    /// #   "version": "1.0.0"}"#).unwrap();
    /// let model = ws.model(None).unwrap().with_signal_scale(Dual64::new(1.0, 1.0));
    /// let lambda = model.expected_actualdata(&[2.0]);
    /// assert_eq!((lambda[0].re, lambda[0].eps), (70.0, 20.0)); // d(μ s k + b)/dk = μ s
    /// ```
    pub fn with_signal_scale<E: Scalar>(&self, scale: E) -> Model<E> {
        let mut model = self.map(E::from);
        let poi = self.poi;
        for channel in &mut model.channels {
            for block in &mut channel.blocks {
                let signal = block
                    .scalar_factors
                    .iter()
                    .any(|f| matches!(f, ScalarFactor::Linear { par } if *par == poi));
                if !signal {
                    continue;
                }
                block.nominal.iter_mut().for_each(|y| *y *= scale);
                for shift in &mut block.shifts {
                    shift.up.iter_mut().for_each(|y| *y *= scale);
                    shift.down.iter_mut().for_each(|y| *y *= scale);
                }
            }
        }
        model
    }
}

fn re<D: Scalar>(v: &Option<Vec<D>>) -> Option<Vec<f64>> {
    v.as_ref().map(|v| v.iter().map(|x| x.re()).collect())
}

fn unconstrained<D>(kind: &'static str, n: usize, scalar: bool, origin: String) -> Requirement<D> {
    Requirement {
        kind,
        constraint: ParKind::Unconstrained,
        n,
        scalar,
        inits: Some(vec![1.0; n]),
        bounds: Some(vec![[0.0, 10.0]; n]),
        fixed: vec![false; n],
        auxdata: None,
        sigmas: None,
        factors: None,
        origin,
    }
}

fn alpha<D: Scalar>(kind: &'static str, origin: String) -> Requirement<D> {
    Requirement {
        kind,
        constraint: ParKind::Normal,
        n: 1,
        scalar: true,
        inits: Some(vec![0.0]),
        bounds: Some(vec![[-5.0, 5.0]]),
        fixed: vec![false],
        auxdata: Some(vec![D::zero()]),
        sigmas: None,
        factors: None,
        origin,
    }
}

/// Applies a measurement's parameter configuration, with pyhf's checks: the number of
/// values matches the parameter's components, and only attributes the modifier type uses.
fn apply_user_config<D: Scalar>(
    req: &mut Requirement<D>,
    user: &ParameterConfig,
    path: &Path,
) -> Result<(), Error> {
    let n = req.n;
    let check_len = |len: usize, key: &str| {
        if len == n {
            Ok(())
        } else {
            Err(Error::invalid(
                path.key(key).to_string(),
                format!(
                    "{len} values for parameter {:?}, which has {n} components",
                    user.name
                ),
            ))
        }
    };
    let unused = |key: &str| {
        Error::invalid(
            path.key(key).to_string(),
            format!(
                "{} parameter {:?} does not use {key:?}",
                req.kind, user.name
            ),
        )
    };
    if let Some(v) = &user.inits {
        check_len(v.len(), "inits")?;
        req.inits = Some(v.clone());
    }
    if let Some(v) = &user.bounds {
        check_len(v.len(), "bounds")?;
        req.bounds = Some(v.clone());
    }
    if let Some(f) = user.fixed {
        req.fixed = vec![f; n];
    }
    if let Some(v) = &user.auxdata {
        if req.constraint == ParKind::Unconstrained {
            return Err(unused("auxdata"));
        }
        check_len(v.len(), "auxdata")?;
        req.auxdata = Some(v.iter().map(|&x| D::from(x)).collect());
    }
    if let Some(v) = &user.sigmas {
        // pyhf accepts sigmas only for the types that define them (lumi, staterror).
        if !matches!(req.kind, "lumi" | "staterror") {
            return Err(unused("sigmas"));
        }
        check_len(v.len(), "sigmas")?;
        if let Some(s) = v.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
            return Err(Error::invalid(
                path.key("sigmas").to_string(),
                format!("sigma {s} is not a positive number"),
            ));
        }
        req.sigmas = Some(v.iter().map(|&x| D::from(x)).collect());
    }
    if let Some(v) = &user.factors {
        if req.constraint != ParKind::Poisson {
            return Err(unused("factors"));
        }
        check_len(v.len(), "factors")?;
        req.factors = Some(v.iter().map(|&x| D::from(x)).collect());
    }
    if let Some(inits) = &req.inits
        && let Some(bounds) = &req.bounds
    {
        for (i, (x, b)) in inits.iter().zip(bounds).enumerate() {
            if !(b[0] <= *x && *x <= b[1]) {
                return Err(Error::invalid(
                    path.to_string(),
                    format!(
                        "initial value {x} of {:?} component {i} lies outside its bounds {b:?}",
                        user.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::likelihood::{Order, Scratch, nll};
    use super::*;

    fn model(name: &str) -> Model {
        let path = format!(
            "{}/../tests/fixtures/pyhf/workspaces/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        Workspace::from_file(path).unwrap().model(None).unwrap()
    }

    /// The Hessian at a point away from the suggested one (every factor and shift away from
    /// its nominal value, so no entry vanishes by accident).
    fn hessian(model: &Model) -> Vec<f64> {
        let n = model.npars();
        let pars: Vec<f64> = (0..n)
            .map(|i| {
                let [lo, hi] = model.bounds[i];
                lo + (hi - lo) * (0.13 + 0.017 * i as f64 % 0.7)
            })
            .collect();
        let data: Vec<f64> = model
            .expected_data(&model.init)
            .iter()
            .map(|x| x.round() + 1.0)
            .collect();
        let (mut g, mut h) = (vec![0.0; n], vec![0.0; n * n]);
        nll(
            model,
            &pars,
            &data,
            Order::Hessian,
            &mut Scratch::new(n),
            &mut g,
            &mut h,
        );
        h
    }

    #[test]
    fn the_hessian_is_diagonal_on_the_diagonal_parameters() {
        for (name, expected) in [
            ("simple_1bin", vec!["uncorr_bkguncrt[0]"]),
            (
                "simple_2bin",
                vec!["uncorr_bkguncrt[0]", "uncorr_bkguncrt[1]"],
            ),
            // shapefactor and staterror share the CR bins, shapesys and staterror the SR
            // bins: one per bin, the first in sample order (qcd, ttbar; signal, ttbar, wjets)
            (
                "multichannel_all_modifiers",
                vec![
                    "qcd_cr_sf[0]",
                    "qcd_cr_sf[1]",
                    "staterror_SR[0]",
                    "staterror_SR[1]",
                    "staterror_SR[2]",
                ],
            ),
        ] {
            let m = model(name);
            let diagonal = m.diagonal_parameters();
            let names: Vec<&str> = (0..m.npars())
                .filter(|&i| diagonal[i])
                .map(|i| m.par_names[i].as_str())
                .collect();
            assert_eq!(names, expected, "{name}");
        }
        for name in ["shape_20bin", "shape_100bin", "multichannel_all_modifiers"] {
            let m = model(name);
            let (n, diagonal, h) = (m.npars(), m.diagonal_parameters(), hessian(&m));
            let nbins = m.nmaindata();
            if name.starts_with("shape") {
                // every γ of staterror is eliminated; mu, lumi, two normsys, one histosys stay
                assert_eq!(diagonal.iter().filter(|&&d| d).count(), nbins, "{name}");
            }
            for i in (0..n).filter(|&i| diagonal[i]) {
                assert!(h[i * n + i] > 0.0, "{name}: {}", m.par_names[i]);
                for j in (0..n).filter(|&j| j != i && diagonal[j]) {
                    assert_eq!(
                        h[i * n + j],
                        0.0,
                        "{name}: {} {}",
                        m.par_names[i],
                        m.par_names[j]
                    );
                }
                // and every one of them couples to something else: the structure is real
                assert!((0..n).any(|j| j != i && h[i * n + j] != 0.0), "{name}");
            }
        }
    }
}
