//! The neos pipeline, shared by the example and its integration test: generated data, the
//! network, its KDE histograms, the HistFactory model built from them, and the losses.
//!
//! Every stage is generic over the scalar type, so one source gives the values (`f64`)
//! and, through [`loss_grad`], the exact gradient of the whole chain
//! network → `kde` → `Model<D>` → fits (implicit derivatives) → CLs.

use gradhep::differentiable;
use gradhep::fit::FitError;
use gradhep::hist::kde;
use gradhep::histfactory::{
    self, Channel, MeasurementConfig, Model, ModelOptions, Modifier, ModifierKind, Sample,
};
use gradhep::infer::{self, TestStat};
use gradhep::optim::{Adam, Control, Minimiser, Outcome, Schedule, Step, StopRule};
use gradhep::{Scalar, lift};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use std::cell::RefCell;

/// Hidden units per layer of the 2 → HIDDEN → HIDDEN → 1 network.
pub const HIDDEN: usize = 5;
/// Offset of the second layer's weights in the parameter array.
const SECOND: usize = 3 * HIDDEN;
/// Offset of the output layer's weights.
const OUTPUT: usize = SECOND + HIDDEN * (HIDDEN + 1);
/// Number of network parameters (weights and biases).
pub const K: usize = OUTPUT + HIDDEN + 1;

/// Centres of the four unit-covariance Gaussians: signal, nominal background, and the
/// background's "up" and "down" variations (as neos).
pub const SIGNAL_MEAN: [f64; 2] = [-1.0, 1.0];
/// See [`SIGNAL_MEAN`].
pub const BACKGROUND_MEAN: [f64; 2] = [1.0, -1.0];
/// See [`SIGNAL_MEAN`].
pub const UP_MEAN: [f64; 2] = [2.5, 2.0];
/// See [`SIGNAL_MEAN`].
pub const DOWN_MEAN: [f64; 2] = [-2.5, -1.5];

/// Why an evaluation of the pipeline failed.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The HistFactory model could not be built from the histograms.
    #[error("building the HistFactory model: {0}")]
    Model(#[from] histfactory::Error),
    /// A maximum-likelihood fit inside the hypothesis test failed.
    #[error("fitting the HistFactory model: {0}")]
    Fit(#[from] FitError),
    /// The loss or its gradient is not finite.
    #[error("the loss or its gradient is not finite at step {0}")]
    NonFinite(usize),
}

/// The four generated samples, points in the plane.
#[derive(Debug, Clone)]
pub struct Samples {
    /// Signal events.
    pub signal: Vec<[f64; 2]>,
    /// Nominal background.
    pub background: Vec<[f64; 2]>,
    /// Background, systematic variation up.
    pub up: Vec<[f64; 2]>,
    /// Background, systematic variation down.
    pub down: Vec<[f64; 2]>,
}

impl Samples {
    /// `events` points per sample from `N(mean, 1)`, independent draws from one seeded
    /// stream.
    pub fn generate(events: usize, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut draw = |mean: [f64; 2]| -> Vec<[f64; 2]> {
            (0..events)
                .map(|_| {
                    let dx: f64 = StandardNormal.sample(&mut rng);
                    let dy: f64 = StandardNormal.sample(&mut rng);
                    [mean[0] + dx, mean[1] + dy]
                })
                .collect()
        };
        let signal = draw(SIGNAL_MEAN);
        let background = draw(BACKGROUND_MEAN);
        let up = draw(UP_MEAN);
        let down = draw(DOWN_MEAN);
        Samples {
            signal,
            background,
            up,
            down,
        }
    }
}

/// The analysis choices that are not trained.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    /// Number of equal bins of the network output on [0, 1].
    pub bins: usize,
    /// KDE bandwidth.
    pub bandwidth: f64,
    /// Expected signal events (the histogram is scaled to this before the floor).
    pub signal_events: f64,
    /// Expected background events.
    pub background_events: f64,
    /// Added to every bin of every histogram so no yield is zero.
    pub floor: f64,
    /// Add a `staterror` modifier for the background's Monte Carlo statistics.
    pub staterror: bool,
}

impl Default for Setup {
    /// The neos defaults: 4 bins, bandwidth 0.1, 20 signal and 100 background events.
    fn default() -> Self {
        Setup {
            bins: 4,
            bandwidth: 0.1,
            signal_events: 20.0,
            background_events: 100.0,
            floor: 1e-3,
            staterror: false,
        }
    }
}

impl Setup {
    /// The bin edges `i / bins`, `i = 0..=bins`.
    pub fn edges(&self) -> Vec<f64> {
        (0..=self.bins)
            .map(|i| i as f64 / self.bins as f64)
            .collect()
    }
}

/// What the network is trained for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// Expected CLs at μ = 1 on the background-only Asimov dataset.
    Cls,
    /// Minus the median expected discovery significance.
    Discovery,
    /// The Cramér–Rao bound on σ_μ (INFERNO-like).
    CramerRao,
    /// Binary cross-entropy of signal against nominal background (the baseline).
    Bce,
}

/// The network's output in (0, 1) for the point `(x, y)`: two `tanh` layers of
/// [`HIDDEN`] units and a sigmoid, weights `w` laid out layer by layer, each unit's
/// inputs then its bias.
#[differentiable(wrt(w))]
pub fn network(w: &[f64], x: f64, y: f64) -> f64 {
    let mut first = Vec::with_capacity(HIDDEN);
    for j in 0..HIDDEN {
        let a = w[3 * j] * x + w[3 * j + 1] * y + w[3 * j + 2];
        first.push(a.tanh());
    }
    let mut out = w[K - 1];
    for j in 0..HIDDEN {
        let row = SECOND + j * (HIDDEN + 1);
        let mut a = w[row + HIDDEN];
        for (i, h) in first.iter().enumerate() {
            a += w[row + i] * h;
        }
        out += w[OUTPUT + j] * a.tanh();
    }
    gradhep::smooth::sigmoid(out)
}

/// Glorot-scaled normal weights and zero biases, from their own seeded stream (so the
/// start does not depend on the number of events).
pub fn initial_weights(seed: u64) -> [f64; K] {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x6e65_6f73_2d77_7473);
    let mut w = [0.0; K];
    let mut layer = |offset: usize, units: usize, inputs: usize, rng: &mut StdRng| {
        let scale = (2.0 / (inputs + 1) as f64).sqrt();
        for j in 0..units {
            for i in 0..inputs {
                let z: f64 = StandardNormal.sample(rng);
                w[offset + j * (inputs + 1) + i] = scale * z;
            }
        }
    };
    layer(0, HIDDEN, 2, &mut rng);
    layer(SECOND, HIDDEN, HIDDEN, &mut rng);
    layer(OUTPUT, 1, HIDDEN, &mut rng);
    w
}

/// The network's output for every point (in parallel: the events are independent).
pub fn outputs<D: Scalar>(w: &[D], points: &[[f64; 2]]) -> Vec<D> {
    points.par_iter().map(|p| network(w, p[0], p[1])).collect()
}

/// The four histograms of the network output, in expected events per bin.
#[derive(Debug, Clone, PartialEq)]
pub struct Yields<D> {
    /// Signal, scaled to [`Setup::signal_events`].
    pub signal: Vec<D>,
    /// Nominal background, scaled to [`Setup::background_events`].
    pub background: Vec<D>,
    /// Background up variation, same scale.
    pub up: Vec<D>,
    /// Background down variation, same scale.
    pub down: Vec<D>,
    /// Monte Carlo statistical uncertainty of the nominal background per bin.
    pub background_stat: Vec<D>,
}

/// KDE histograms of the network output: `n_b · total / N + floor` per sample.
pub fn yields<D: Scalar>(w: &[D], samples: &Samples, setup: &Setup) -> Yields<D> {
    let edges = setup.edges();
    // A scaled KDE histogram and the per-event weight that scaled it.
    let hist = |points: &[[f64; 2]], total: f64| -> (Vec<D>, f64) {
        let weight = total / points.len() as f64;
        let counts = kde(&outputs(w, points), &edges, lift::<D>(setup.bandwidth));
        let scaled = counts
            .into_iter()
            .map(|n| n * weight + setup.floor)
            .collect();
        (scaled, weight)
    };
    let (signal, _) = hist(&samples.signal, setup.signal_events);
    let (background, weight) = hist(&samples.background, setup.background_events);
    let (up, _) = hist(&samples.up, setup.background_events);
    let (down, _) = hist(&samples.down, setup.background_events);
    // Each event carries `weight`, so a bin of yield y holds y/weight events: σ = √(y·weight).
    let background_stat = background.iter().map(|&y| (y * weight).sqrt()).collect();
    Yields {
        signal,
        background,
        up,
        down,
        background_stat,
    }
}

/// The one-channel model: signal × μ, background with a `histosys` between the up and
/// down histograms (and a `staterror` if the setup asks for it).
pub fn model<D: Scalar>(yields: &Yields<D>, setup: &Setup) -> Result<Model<D>, PipelineError> {
    let mut background_modifiers = vec![Modifier {
        name: "bkg_shape".into(),
        kind: ModifierKind::HistoSys {
            hi_data: yields.up.clone(),
            lo_data: yields.down.clone(),
        },
    }];
    if setup.staterror {
        background_modifiers.push(Modifier {
            name: "mc_stat".into(),
            kind: ModifierKind::StatError(yields.background_stat.clone()),
        });
    }
    let channel = Channel {
        name: "nn_output".into(),
        samples: vec![
            Sample {
                name: "signal".into(),
                data: yields.signal.clone(),
                modifiers: vec![Modifier {
                    name: "mu".into(),
                    kind: ModifierKind::NormFactor,
                }],
            },
            Sample {
                name: "background".into(),
                data: yields.background.clone(),
                modifiers: background_modifiers,
            },
        ],
    };
    let config = MeasurementConfig {
        poi: "mu".into(),
        parameters: vec![],
    };
    Ok(Model::new(&[channel], &config, ModelOptions::default())?)
}

/// The model's expected data (main and auxiliary) at the suggested parameters with μ set.
fn asimov_at<D: Scalar>(model: &Model<D>, mu: f64) -> Vec<D> {
    let mut pars = model.suggested_init().to_vec();
    pars[model.poi_index()] = mu;
    model.expected_data(&pars)
}

/// Expected CLs of μ = 1 (q̃μ) on the background-only Asimov dataset.
pub fn cls<D: Scalar>(model: &Model<D>) -> Result<D, PipelineError> {
    let data = asimov_at(model, 0.0);
    Ok(infer::hypotest(1.0, &data, model, TestStat::QTilde)?.cls_obs)
}

/// Median expected discovery significance `√q0` on the signal-plus-background Asimov
/// dataset.
pub fn significance<D: Scalar>(model: &Model<D>) -> Result<D, PipelineError> {
    let data = asimov_at(model, 1.0);
    Ok(infer::discovery(&data, model)?.z_obs)
}

/// Cramér–Rao bound on μ at the nominal point (μ = 1, nuisance parameters at their
/// suggested values).
pub fn sigma_mu<D: Scalar>(model: &Model<D>) -> D {
    infer::cramer_rao_uncertainty(model, model.suggested_init())[model.poi_index()]
}

/// Mean binary cross-entropy of the network on signal (label 1) and nominal background
/// (label 0), averaged over the two classes.
pub fn bce<D: Scalar>(w: &[D], samples: &Samples) -> D {
    let mean = |v: Vec<D>| -> D {
        let n = v.len() as f64;
        v.into_iter().fold(D::zero(), |s, x| s + x) / n
    };
    let signal = mean(
        outputs(w, &samples.signal)
            .into_iter()
            .map(|p| -p.ln())
            .collect(),
    );
    let background = mean(
        outputs(w, &samples.background)
            .into_iter()
            .map(|p| -(-p).ln_1p())
            .collect(),
    );
    (signal + background) * 0.5
}

/// The loss of weights `w`, generic over the scalar type.
pub fn objective<D: Scalar>(
    w: &[D],
    samples: &Samples,
    setup: &Setup,
    loss: Loss,
) -> Result<D, PipelineError> {
    if loss == Loss::Bce {
        return Ok(bce(w, samples));
    }
    let model = model(&yields(w, samples, setup), setup)?;
    match loss {
        Loss::Cls => cls(&model),
        Loss::Discovery => Ok(-significance(&model)?),
        Loss::CramerRao => Ok(sigma_mu(&model)),
        Loss::Bce => unreachable!("handled above"),
    }
}

/// The loss as a function of the weight array: `loss_grad` is its value and exact
/// gradient from one forward pass with `DualDense64<K>`.
#[differentiable]
pub fn loss(
    w: [f64; K],
    samples: &Samples,
    setup: &Setup,
    kind: Loss,
) -> Result<f64, PipelineError> {
    objective(&w, samples, setup, kind)
}

/// The figures of merit of weights `w`, whatever the network was trained for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metrics {
    /// Expected CLs of μ = 1.
    pub cls: f64,
    /// Median expected discovery significance.
    pub significance: f64,
    /// Cramér–Rao bound on μ.
    pub sigma_mu: f64,
}

/// [`cls`], [`significance`] and [`sigma_mu`] of the model built from weights `w`.
pub fn metrics(w: &[f64], samples: &Samples, setup: &Setup) -> Result<Metrics, PipelineError> {
    let model = model(&yields(w, samples, setup), setup)?;
    Ok(Metrics {
        cls: cls(&model)?,
        significance: significance(&model)?,
        sigma_mu: sigma_mu(&model),
    })
}

/// One training run: the optimiser's outcome and the metrics at every step.
#[derive(Debug, Clone)]
pub struct Training {
    /// The optimiser's outcome (final and best weights, loss history).
    pub outcome: Outcome<K>,
    /// [`Metrics`] of the weights of every step.
    pub metrics: Vec<Metrics>,
}

/// Trains the network from `init` with Adam at rate `learning_rate` for `steps` updates,
/// calling `observer` with each step and its metrics.
///
/// # Errors
/// The first failure of the model or a fit, or a loss that is not finite.
pub fn train(
    init: [f64; K],
    samples: &Samples,
    setup: &Setup,
    kind: Loss,
    steps: usize,
    learning_rate: f64,
    mut observer: impl FnMut(&Step<'_, K>, &Metrics),
) -> Result<Training, PipelineError> {
    let minimiser = Minimiser::new(
        Adam::default(),
        Schedule::constant(learning_rate),
        StopRule::max_steps(steps),
    );
    // The optimiser's closures cannot return errors: the first one is kept here and the
    // run stopped with a non-finite loss.
    let failure = RefCell::new(None);
    let mut all = Vec::with_capacity(steps + 1);
    let fail = |e: PipelineError| {
        failure.borrow_mut().get_or_insert(e);
        (f64::NAN, [f64::NAN; K])
    };
    let outcome = minimiser.minimise_with(
        init,
        |w| loss_grad(*w, samples, setup, kind).unwrap_or_else(fail),
        |step| {
            if failure.borrow().is_some() {
                return Control::Stop;
            }
            match metrics(step.params, samples, setup) {
                Ok(m) => {
                    observer(step, &m);
                    all.push(m);
                    Control::Continue
                }
                Err(e) => {
                    fail(e);
                    Control::Stop
                }
            }
        },
    );
    if let Some(e) = failure.into_inner() {
        return Err(e);
    }
    if !outcome.loss.is_finite() {
        return Err(PipelineError::NonFinite(outcome.history.loss.len() - 1));
    }
    Ok(Training {
        outcome,
        metrics: all,
    })
}
