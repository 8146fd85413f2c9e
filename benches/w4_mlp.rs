//! W4 of shared/BENCHMARKS.md: an MLP 2→16→16→1 (tanh, tanh, sigmoid; 337 parameters
//! `θₖ = sin(0.37k + 1)/sqrt(fan_in)`; `gradhep::special::tanh`, inlined, as a network
//! written for gradhep would take it, in every variant), the KDE histogram of its output (5 bins on [0, 1],
//! bandwidth 0.05) for N signal events `~ N((1,1), I)` and N background events
//! `~ N((−1,−1), I)`, `s_b = (50/N) h_b`, `b_b = (1000/N) h_b`, the binned Asimov
//! significance, and its gradient in all 337 θ (K = 337 tangents, one forward pass).
//!
//! Variants: `primal`, `grad` and `grad_par` (the network evaluated on rayon's pool) at
//! N = 1e4, 1e5 and 1e6; `grad_rev` (one thread) and `grad_rev_par` (rayon's pool) at each N:
//! the bins' Jacobians by reverse mode per event (`gradhep::reverse::event_sum_jacobian`,
//! 5 sums per sample, a one-event tape swept backwards), `∂Z/∂bins` by the forward-mode
//! companion of `asimov_of_counts` (K = 10) and the chain rule between them; `hand` (the MLP
//! and seeds written against num-dual) and `fd_17` (central differences in the first 8
//! parameters: 17 primal calls; the full 675-call gradient costs 675/17 times that) at
//! N = 1e4 only, where a K = 337 forward gradient is affordable ten times.
//! Every variant is checked against `grad` once, on N = 1000, before any timing. `grad` and
//! `grad_par` are skipped at an N, with a message, when the check predicts more than 20 s
//! per call there (on the benchmark host about 15 s at 1e5 and 150 s at 1e6);
//! `GRADHEP_W4_FULL=1` times them anyway.

// The MLP is written with index loops, as the formula reads (zᵢ = Σⱼ hⱼ Wⱼᵢ + bᵢ).
#![allow(clippy::needless_range_loop)]

mod support;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gradhep::hist::kde;
use gradhep::num_dual::DualSVec64;
use gradhep::reverse::{Rev, event_sum_jacobian};
use gradhep::smooth::sigmoid;
use gradhep::special::{normal_cdf, tanh};
use gradhep::stats::asimov_significance_binned;
use gradhep::{Scalar, differentiable, lift};
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Instant;
use support::{assert_gradients_agree, central_differences, configure, normal2, split_num_dual};

/// Parameters: W1 (2×16) 0..32, b1 32..48, W2 (16×16) 48..304, b2 304..320, W3 (16×1)
/// 320..336, b3 336.
const P: usize = 337;
const BINS: usize = 5;
const EDGES: [f64; BINS + 1] = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0];
const BANDWIDTH: f64 = 0.05;

fn theta0() -> [f64; P] {
    std::array::from_fn(|k| {
        let fan_in: f64 = if k < 48 { 2.0 } else { 16.0 };
        (0.37 * k as f64 + 1.0).sin() / fan_in.sqrt()
    })
}

#[differentiable(wrt(theta))]
fn mlp(theta: &[f64], x: &[f64; 2]) -> f64 {
    let mut h1 = [0.0; 16];
    for j in 0..16 {
        let mut z = theta[32 + j];
        for i in 0..2 {
            z += x[i] * theta[i * 16 + j];
        }
        h1[j] = tanh(z);
    }
    let mut h2 = [0.0; 16];
    for k in 0..16 {
        let mut z = theta[304 + k];
        for j in 0..16 {
            z += h1[j] * theta[48 + j * 16 + k];
        }
        h2[k] = tanh(z);
    }
    let mut z = theta[336];
    for k in 0..16 {
        z += h2[k] * theta[320 + k];
    }
    sigmoid(z)
}

#[differentiable]
fn mlp_z(theta: [f64; 337], xs: &[[f64; 2]], xb: &[[f64; 2]]) -> f64 {
    let ys: Vec<f64> = xs.iter().map(|x| mlp(&theta, x)).collect();
    let yb: Vec<f64> = xb.iter().map(|x| mlp(&theta, x)).collect();
    asimov_of_outputs(&ys, &yb)
}

#[differentiable]
fn mlp_z_par(theta: [f64; 337], xs: &[[f64; 2]], xb: &[[f64; 2]]) -> f64 {
    let ys: Vec<f64> = xs.par_iter().map(|x| mlp(&theta, x)).collect();
    let yb: Vec<f64> = xb.par_iter().map(|x| mlp(&theta, x)).collect();
    asimov_of_outputs(&ys, &yb)
}

/// The binned Asimov significance of the network outputs `ys` (signal) and `yb`
/// (background): their KDE histograms, as [`asimov_of_counts`].
#[differentiable(wrt(ys, yb))]
fn asimov_of_outputs(ys: &[f64], yb: &[f64]) -> f64 {
    let hs = kde(ys, &EDGES, BANDWIDTH);
    let hb = kde(yb, &EDGES, BANDWIDTH);
    asimov_of_counts(
        std::array::from_fn(|b| hs[b]),
        std::array::from_fn(|b| hb[b]),
        ys.len(),
        yb.len(),
    )
}

/// The binned Asimov significance of the KDE counts `hs` of `n_s` signal and `hb` of `n_b`
/// background events, scaled to 50 and 1000 expected events.
#[differentiable]
fn asimov_of_counts(hs: [f64; BINS], hb: [f64; BINS], n_s: usize, n_b: usize) -> f64 {
    let s: Vec<f64> = hs.iter().map(|h| h * (50.0 / n_s as f64)).collect();
    let b: Vec<f64> = hb.iter().map(|h| h * (1000.0 / n_b as f64)).collect();
    asimov_significance_binned(&s, &b)
}

/// One event's shares of the KDE counts, `Φ((e_{b+1} − y)/h) − Φ((e_b − y)/h)` for the
/// network output `y`: the `φ` of [`mlp_z_rev`], whose sums over events are `kde`'s bins.
fn kde_shares<D: Scalar>(theta: &[D], x: &[f64; 2], shares: &mut [D]) {
    let y = mlp(theta, x);
    let cdf = |edge: f64| normal_cdf((y - edge) * (-1.0 / BANDWIDTH));
    let mut below = cdf(EDGES[0]);
    for (share, &edge) in shares.iter_mut().zip(&EDGES[1..]) {
        let above = cdf(edge);
        *share = above - below;
        below = above;
    }
}

/// `Z` and `dZ/dθ` with the counts' Jacobians by reverse mode per event
/// (`event_sum_jacobian`), `∂Z/∂counts` by `asimov_of_counts`'s forward-mode companion
/// (K = 10), and the chain rule between them. The two samples run side by side on rayon's
/// pool.
fn mlp_z_rev(theta: &[f64; P], xs: &[[f64; 2]], xb: &[[f64; 2]]) -> (f64, [f64; P]) {
    let counts = |x: &[[f64; 2]]| {
        event_sum_jacobian(
            theta,
            x,
            BINS,
            |t: &[Rev], x: &[f64; 2], out: &mut [Rev]| kde_shares(t, x, out),
        )
    };
    let (hs, hb) = rayon::join(|| counts(xs), || counts(xb));
    let as_bins = |h: &[f64]| -> [f64; BINS] { h.try_into().expect("BINS counts") };
    let (z, dz) = asimov_of_counts_grad(as_bins(&hs.sum), as_bins(&hb.sum), xs.len(), xb.len());
    let (gs, gb) = (hs.pullback(&dz[..BINS]), hb.pullback(&dz[BINS..]));
    (z, std::array::from_fn(|k| gs[k] + gb[k]))
}

fn mlp_hand<D: Scalar>(theta: &[D], x: &[f64; 2]) -> D {
    let h1: [D; 16] =
        std::array::from_fn(|j| tanh(theta[j] * x[0] + theta[16 + j] * x[1] + theta[32 + j]));
    let h2: [D; 16] = std::array::from_fn(|k| {
        tanh(
            h1.iter()
                .enumerate()
                .fold(theta[304 + k], |z, (j, &h)| z + h * theta[48 + j * 16 + k]),
        )
    });
    sigmoid(
        h2.iter()
            .enumerate()
            .fold(theta[336], |z, (k, &h)| z + h * theta[320 + k]),
    )
}

fn mlp_z_hand(theta: &[f64; P], xs: &[[f64; 2]], xb: &[[f64; 2]]) -> (f64, [f64; P]) {
    let theta: Vec<DualSVec64<P>> = theta
        .iter()
        .enumerate()
        .map(|(k, &t)| DualSVec64::from_re(t).derivative(k))
        .collect();
    let yields = |x: &[[f64; 2]], lumi: f64| -> Vec<DualSVec64<P>> {
        let y: Vec<DualSVec64<P>> = x.iter().map(|x| mlp_hand(&theta, x)).collect();
        let scale = lumi / x.len() as f64;
        kde(&y, &EDGES, lift(0.05))
            .into_iter()
            .map(|h| h * scale)
            .collect()
    };
    split_num_dual(asimov_significance_binned(
        &yields(xs, 50.0),
        &yields(xb, 1000.0),
    ))
}

/// How many parameters the `fd` variant differentiates: 2·8 + 1 = 17 primal calls.
const FD_PARAMS: usize = 8;

fn mlp_z_fd(theta: &[f64; P], xs: &[[f64; 2]], xb: &[[f64; 2]]) -> (f64, [f64; P]) {
    central_differences(|p| mlp_z(*p, xs, xb), *theta, FD_PARAMS)
}

/// Events per sample of the check.
const CHECK_N: usize = 1000;

/// Longest `grad` call, in seconds, that the forward variants are timed with (ten calls
/// each); `GRADHEP_W4_FULL=1` times them whatever a call costs.
const MAX_CALL_SECONDS: f64 = 20.0;

/// `grad` against `hand`, `grad_par` and (in the first `FD_PARAMS` parameters) central
/// differences, on a sample small enough that the check costs seconds. Returns the seconds
/// of the `grad` call.
fn check(theta: &[f64; P]) -> f64 {
    let (xs, xb) = (normal2(CHECK_N, 1.0, 5), normal2(CHECK_N, -1.0, 6));
    let start = Instant::now();
    let (z, g) = mlp_z_grad(*theta, &xs, &xb);
    let seconds = start.elapsed().as_secs_f64();
    let (zh, gh) = mlp_z_hand(theta, &xs, &xb);
    println!("W4 check, N={CHECK_N}: Z = {z:.6} (hand {zh:.6}), grad {seconds:.2} s");
    assert_gradients_agree("hand", &gh, &g, 1e-10);
    assert_gradients_agree("par", &mlp_z_par_grad(*theta, &xs, &xb).1, &g, 1e-12);
    let (_, gf) = mlp_z_fd(theta, &xs, &xb);
    assert_gradients_agree("fd", &gf[..FD_PARAMS], &g[..FD_PARAMS], 1e-4);
    let (zr, gr) = support::one_thread().install(|| mlp_z_rev(theta, &xs, &xb));
    assert!((zr - z).abs() <= 1e-12 * z, "rev: Z = {zr} vs {z}");
    assert_gradients_agree("rev", &gr, &g, 1e-10);
    assert_gradients_agree("rev_par", &mlp_z_rev(theta, &xs, &xb).1, &gr, 0.0);
    seconds
}

fn bench(crit: &mut Criterion) {
    let theta = theta0();
    support::report_threads();
    // A K = 337 gradient costs ~N times a fixed per-event price: extrapolate from the check.
    let per_event = check(&theta) / CHECK_N as f64;
    let full = std::env::var_os("GRADHEP_W4_FULL").is_some_and(|v| v == "1");
    let one_thread = support::one_thread();
    let mut group = crit.benchmark_group("W4 MLP observable");
    configure(&mut group, 2);
    for n in [10_000, 100_000, 1_000_000] {
        let (xs, xb) = (normal2(n, 1.0, 5), normal2(n, -1.0, 6));
        group.bench_function(BenchmarkId::new("primal", n), |b| {
            b.iter(|| mlp_z(theta, black_box(&xs), &xb))
        });
        group.bench_function(BenchmarkId::new("grad_rev", n), |b| {
            b.iter(|| one_thread.install(|| mlp_z_rev(&theta, black_box(&xs), &xb)))
        });
        group.bench_function(BenchmarkId::new("grad_rev_par", n), |b| {
            b.iter(|| mlp_z_rev(&theta, black_box(&xs), &xb))
        });
        let per_call = per_event * n as f64;
        if !full && per_call > MAX_CALL_SECONDS {
            println!(
                "W4 grad, grad_par at N={n} skipped: ~{per_call:.0} s per call \
                 (GRADHEP_W4_FULL=1 times them anyway)"
            );
            continue;
        }
        group.bench_function(BenchmarkId::new("grad", n), |b| {
            b.iter(|| mlp_z_grad(theta, black_box(&xs), &xb))
        });
        group.bench_function(BenchmarkId::new("grad_par", n), |b| {
            b.iter(|| mlp_z_par_grad(theta, black_box(&xs), &xb))
        });
        if n == 10_000 {
            group.bench_function(BenchmarkId::new("hand", n), |b| {
                b.iter(|| mlp_z_hand(&theta, black_box(&xs), &xb))
            });
            group.bench_function(BenchmarkId::new("fd_17", n), |b| {
                b.iter(|| mlp_z_fd(&theta, black_box(&xs), &xb))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
