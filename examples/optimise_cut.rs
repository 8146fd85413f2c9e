//! A mass window optimised for discovery by gradient descent on its soft version.
//!
//! A diphoton-like spectrum: 50 expected signal events in a 2 GeV-wide peak at 125 GeV over
//! 1000 expected background events falling from 100 GeV, with a 10 % uncertainty on the
//! background in the window. The window's edges are sigmoids of `--width` GeV; Adam
//! maximises the significance with uncertainty (Cowan's formula) of the soft yields, through
//! the gradient the `#[differentiable]` attribute derives. The hard window is then checked
//! against a brute-force scan on the same events.
//!
//! ```text
//! cargo run --release --example optimise_cut -- --events 20000 --seed 1 --steps 300 --width 0.5
//! ```

#[path = "optimise_cut/analysis.rs"]
mod analysis;

use analysis::{
    BACKGROUND_UNCERTAINTY, BACKGROUND_YIELD, Events, MASS_RANGE, MIN_BACKGROUND_EVENTS,
    SIGNAL_YIELD, START, hard_significance, hard_yields, optimise, scan_hard, soft_significance,
};
use clap::Parser;
use std::time::Instant;

/// The grid step of the brute-force scan, in GeV.
const SCAN_STEP: f64 = 0.1;

/// Optimise a mass window for the discovery significance with a background uncertainty.
#[derive(Parser)]
struct Cli {
    /// Generated events per sample (signal and background each).
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(1_000..=10_000_000))]
    events: u32,
    /// Seed of the event generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Adam steps.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    steps: u32,
    /// Width of the sigmoid window edges, in GeV.
    #[arg(long, default_value_t = 0.5, value_parser = parse_width)]
    width: f64,
}

/// A smoothing width: positive, and small enough that the soft window is still a window.
fn parse_width(text: &str) -> Result<f64, String> {
    let width: f64 = text
        .parse()
        .map_err(|e| format!("`{text}` is not a number: {e}"))?;
    let widest = (MASS_RANGE[1] - MASS_RANGE[0]) / 10.0;
    if width > 0.0 && width <= widest {
        Ok(width)
    } else {
        Err(format!(
            "the width must be in (0, {widest}] GeV, got {width}"
        ))
    }
}

fn main() {
    let cli = Cli::parse();
    let clock = Instant::now();
    let events = Events::generate(cli.events as usize, cli.seed);
    let (window, _) = optimise(&events, START, cli.width, cli.steps as usize);
    let (scanned, scanned_z) = scan_hard(&events, SCAN_STEP);

    println!(
        "{} signal + {} background events (seed {}), weighted to {SIGNAL_YIELD} + {BACKGROUND_YIELD} \
         expected; background uncertainty {} %; edge width {} GeV",
        cli.events,
        cli.events,
        cli.seed,
        100.0 * BACKGROUND_UNCERTAINTY,
        cli.width
    );
    println!();
    println!(
        "{:<24} {:>8} {:>8} {:>7} {:>8} {:>7} {:>7}",
        "window [GeV]", "lo", "hi", "s", "b", "Z soft", "Z hard"
    );
    let row = |name: &str, w: [f64; 2], soft: Option<f64>| {
        let (s, b) = hard_yields(w, &events);
        let soft = soft.map_or("-".to_string(), |z| format!("{z:.3}"));
        println!(
            "{name:<24} {:>8.2} {:>8.2} {s:>7.2} {b:>8.2} {soft:>7} {:>7.3}",
            w[0],
            w[1],
            hard_significance(w, &events)
        );
    };
    let soft = |w: [f64; 2]| soft_significance(w, cli.width, &events.signal, &events.background);
    row("initial", START, Some(soft(START)));
    row(
        &format!("optimised ({} steps)", cli.steps),
        window,
        Some(soft(window)),
    );
    row(&format!("hard scan ({SCAN_STEP} GeV grid)"), scanned, None);
    println!();
    println!(
        "s, b: hard-window yields. The optimised window reaches {:.2} % of the scan's best \
         hard significance {scanned_z:.3} (windows with at least {MIN_BACKGROUND_EVENTS} \
         generated background events; {:.2} s).",
        100.0 * hard_significance(window, &events) / scanned_z,
        clock.elapsed().as_secs_f64()
    );
}
