//! The command-line counterpart of `pyhf cls`: asymptotic CLs of a pyhf JSON workspace,
//! with its derivative with respect to the signal normalisation.
//!
//! ```sh
//! cargo run --release --example cls -- WORKSPACE.json [--measurement NAME] [--poi 1.0] \
//!     [--test-stat qtilde|q] [--json]
//! ```

use clap::{Parser, ValueEnum};
use gradhep::fit;
use gradhep::histfactory::Workspace;
use gradhep::infer::{self, TestStat};
use gradhep::num_dual::Dual64;
use std::process::ExitCode;

/// Asymptotic CLs of a pyhf workspace (pyhf's `hypotest`), differentiated with respect to
/// a common scale factor on all signal samples.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// The pyhf JSON workspace.
    workspace: std::path::PathBuf,
    /// The measurement to use (default: the first).
    #[arg(long)]
    measurement: Option<String>,
    /// The tested value of the parameter of interest.
    #[arg(long, default_value_t = 1.0)]
    poi: f64,
    /// The test statistic.
    #[arg(long, value_enum, default_value_t = Stat::Qtilde)]
    test_stat: Stat,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Stat {
    Qtilde,
    Q,
}

fn run(args: &Args) -> Result<String, String> {
    let ws = Workspace::from_file(&args.workspace).map_err(|e| e.to_string())?;
    let model = ws
        .model(args.measurement.as_deref())
        .map_err(|e| e.to_string())?;
    let data = ws.data(&model);
    let stat = match args.test_stat {
        Stat::Qtilde => TestStat::QTilde,
        Stat::Q => TestStat::Q,
    };
    // One pass in dual numbers gives CLs and its derivative in the signal scale at 1.
    let scaled = model.with_signal_scale(Dual64::new(1.0, 1.0));
    let test = infer::hypotest(args.poi, &data, &scaled, stat).map_err(|e| e.to_string())?;
    let best = fit::fit(&model, &data).map_err(|e| e.to_string())?;
    let cls_exp = test.cls_exp.map(|c| c.re);
    if args.json {
        let bestfit: serde_json::Map<String, serde_json::Value> = model
            .par_names()
            .iter()
            .zip(&best.bestfit)
            .map(|(n, v)| (n.clone(), serde_json::json!(v)))
            .collect();
        return Ok(serde_json::json!({
            "cls_obs": test.cls_obs.re,
            "cls_exp": cls_exp,
            "bestfit": bestfit,
            "twice_nll": best.twice_nll,
            "dcls_obs_dsignal_scale": test.cls_obs.eps,
        })
        .to_string());
    }
    let mut out = format!(
        "CLs observed: {:.6}  (d/d signal scale: {:.6})\nCLs expected [-2σ, -1σ, median, +1σ, +2σ]: [{}]\n",
        test.cls_obs.re,
        test.cls_obs.eps,
        cls_exp.map(|c| format!("{c:.6}")).join(", ")
    );
    out += "best fit:\n";
    for (name, value) in model.par_names().iter().zip(&best.bestfit) {
        out += &format!("  {name:<30} {value:.6}\n");
    }
    out += &format!("twice NLL: {:.6}", best.twice_nll);
    Ok(out)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {}: {message}", args.workspace.display());
            ExitCode::FAILURE
        }
    }
}
