//! neos in Rust: a neural network trained end to end for the expected CLs of the analysis
//! that uses it, through a KDE histogram, a HistFactory model with a shape systematic, and
//! the profile-likelihood fits of the hypothesis test (differentiated implicitly).
//!
//! ```sh
//! cargo run --release --example neos -- [--steps 100] [--seed 0] [--events 10000] \
//!     [--loss cls|discovery|cramer-rao|bce] [--learning-rate 0.01] [--staterror] [--out DIR]
//! ```
//!
//! Prints the summary table and writes `loss.png`, `histograms.png` and `history.json` to
//! the output directory. Unless the loss is `bce`, a network with the same starting
//! weights is also trained on binary cross-entropy and evaluated with the same model.

mod pipeline;
mod plots;

use clap::{Parser, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use pipeline::{K, Loss, Metrics, Samples, Setup, Training};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Train a network for the expected CLs of a HistFactory analysis (neos).
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Adam updates per training run.
    #[arg(long, default_value_t = 100)]
    steps: usize,
    /// Seed of the generated data and of the starting weights.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Generated points per sample (signal, background, up, down).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(10..))]
    events: u64,
    /// What the network is trained for.
    #[arg(long, value_enum, default_value_t = LossArg::Cls)]
    loss: LossArg,
    /// Adam's learning rate.
    #[arg(long, default_value_t = 0.01, value_parser = positive)]
    learning_rate: f64,
    /// Add a staterror modifier for the background's Monte Carlo statistics.
    #[arg(long)]
    staterror: bool,
    /// Directory for the figures and history.json (created if missing).
    #[arg(long, default_value = "neos-output")]
    out: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum LossArg {
    Cls,
    Discovery,
    CramerRao,
    Bce,
}

impl LossArg {
    fn loss(self) -> Loss {
        match self {
            LossArg::Cls => Loss::Cls,
            LossArg::Discovery => Loss::Discovery,
            LossArg::CramerRao => Loss::CramerRao,
            LossArg::Bce => Loss::Bce,
        }
    }

    fn name(self) -> &'static str {
        match self {
            LossArg::Cls => "cls",
            LossArg::Discovery => "discovery",
            LossArg::CramerRao => "cramer-rao",
            LossArg::Bce => "bce",
        }
    }
}

fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x > 0.0 && x.is_finite() => Ok(x),
        Ok(_) => Err(format!("{text} is not a positive finite number")),
        Err(e) => Err(format!("{text:?}: {e}")),
    }
}

/// Trains with a progress bar showing the step, the loss and the CLs.
fn train_with_bar(
    label: &str,
    init: [f64; K],
    samples: &Samples,
    setup: &Setup,
    loss: Loss,
    args: &Args,
) -> Result<Training, String> {
    let bar = ProgressBar::new(args.steps as u64 + 1);
    let style =
        ProgressStyle::with_template("{prefix:>14} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
            .map_err(|e| format!("progress bar template: {e}"))?
            .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(label.to_string());
    let training = pipeline::train(
        init,
        samples,
        setup,
        loss,
        args.steps,
        args.learning_rate,
        |step, m| {
            bar.set_message(format!(
                "step {:>4}  loss {:.5}  CLs {:.5}",
                step.index, step.loss, m.cls
            ));
            bar.inc(1);
        },
    )
    .map_err(|e| format!("{label}: {e}"))?;
    bar.finish();
    Ok(training)
}

fn history(training: &Training) -> serde_json::Value {
    let column = |f: fn(&Metrics) -> f64| training.metrics.iter().map(f).collect::<Vec<_>>();
    json!({
        "loss": training.outcome.history.loss,
        "gradient_norm": training.outcome.history.gradient_norm,
        "cls": column(|m| m.cls),
        "significance": column(|m| m.significance),
        "sigma_mu": column(|m| m.sigma_mu),
    })
}

fn row(label: &str, m: &Metrics) -> String {
    format!(
        "{label:<22} {:>10.3e} {:>10.4} {:>10.4}",
        m.cls, m.significance, m.sigma_mu
    )
}

fn run(args: &Args) -> Result<(), String> {
    let start = Instant::now();
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create output directory {}: {e}", args.out.display()))?;
    let events = usize::try_from(args.events).map_err(|e| format!("--events: {e}"))?;
    let setup = Setup {
        staterror: args.staterror,
        ..Setup::default()
    };
    let samples = Samples::generate(events, args.seed);
    let init = pipeline::initial_weights(args.seed);
    println!(
        "neos: network 2 -> {h} -> {h} -> 1, K = {K} weights; {events} events per sample; \
         loss {}; {} steps",
        args.loss.name(),
        args.steps,
        h = pipeline::HIDDEN,
    );

    let label = format!("trained ({})", args.loss.name());
    let trained = train_with_bar(&label, init, &samples, &setup, args.loss.loss(), args)?;
    let baseline = match args.loss {
        LossArg::Bce => None,
        _ => Some(train_with_bar(
            "BCE baseline",
            init,
            &samples,
            &setup,
            Loss::Bce,
            args,
        )?),
    };

    let first = |t: &Training| t.metrics.first().copied();
    let last = |t: &Training| t.metrics.last().copied();
    let initial = first(&trained).ok_or("the training recorded no step")?;
    println!();
    println!(
        "{:<22} {:>10} {:>10} {:>10}",
        "network", "CLs", "Z_disc", "sigma_mu"
    );
    println!("{}", row("initial", &initial));
    if let Some(m) = last(&trained) {
        println!("{}", row(&label, &m));
    }
    if let Some(m) = baseline.as_ref().and_then(last) {
        println!("{}", row("BCE baseline", &m));
    }
    println!("(CLs: expected, mu = 1, background-only Asimov data; the same model throughout)");

    let mut record = history(&trained);
    record["loss_kind"] = json!(args.loss.name());
    record["seed"] = json!(args.seed);
    record["events"] = json!(events);
    if let Some(b) = &baseline {
        record["bce_baseline"] = history(b);
    }
    let history_path = args.out.join("history.json");
    let text = serde_json::to_string_pretty(&record).map_err(|e| e.to_string())?;
    std::fs::write(&history_path, text)
        .map_err(|e| format!("cannot write {}: {e}", history_path.display()))?;

    plots::register_font()?;
    let loss_path = args.out.join("loss.png");
    plots::training_curves(&loss_path, &label, &trained, baseline.as_ref())?;
    let hist_path = args.out.join("histograms.png");
    let mut panels = vec![(label.clone(), trained.outcome.params)];
    if let Some(b) = &baseline {
        panels.push(("BCE baseline".to_string(), b.outcome.params));
    }
    plots::histograms(&hist_path, &panels, &samples, &setup)?;
    println!(
        "wrote {}, {}, {} in {:.1} s",
        history_path.display(),
        loss_path.display(),
        hist_path.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("neos: {e}");
            ExitCode::FAILURE
        }
    }
}
