//! W3 of shared/BENCHMARKS.md: the Asimov significance of a soft window
//! `w(x) = σ((x − c1)/T)·σ((c2 − x)/T)` (T = 0.1, c1 = 0.5, c2 = 2.5) on N signal events
//! `~ N(1, 1)` and N background events `~ N(−1, 1)`, `s = (50/N) Σ w(xsᵢ)`,
//! `b = (1000/N) Σ w(xbᵢ)`, `Z = sqrt(2((s + b) ln(1 + s/b) − s))`, with `dZ/d(c1, c2)`.
//!
//! Variants as in `w1_soft_cut`: `primal`, `grad`, `hand`, `fd` (5 primal calls), and at
//! N = 1e6 `grad_par`, `grad_par_1thread`.

mod support;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gradhep::num_dual::DualSVec64;
use gradhep::smooth::sigmoid;
use gradhep::stats::asimov_significance;
use gradhep::{differentiable, par_sum};
use std::hint::black_box;
use support::{
    NS, assert_gradients_agree, central_differences, configure, normal, one_thread, report_threads,
    split_num_dual,
};

const C1: f64 = 0.5;
const C2: f64 = 2.5;

/// The per-event weight. Forced inline: left to itself LLVM calls its dual version out of
/// line from the serial `.sum()` (two sigmoids with their inlined `exp` exceed its budget),
/// and an out-of-line call per event keeps the loop from overlapping or vectorising events
/// (W3 `grad` 49 → 31 ms at 1e6, `grad_par` 10 → 7 ms).
#[differentiable(wrt(c1, c2))]
#[inline(always)]
fn window(x: f64, c1: f64, c2: f64) -> f64 {
    sigmoid((x - c1) / 0.1) * sigmoid((c2 - x) / 0.1)
}

#[differentiable]
fn neos_z(c1: f64, c2: f64, xs: &[f64], xb: &[f64]) -> f64 {
    let s = 50.0 / xs.len() as f64 * xs.iter().map(|&x| window(x, c1, c2)).sum::<f64>();
    let b = 1000.0 / xb.len() as f64 * xb.iter().map(|&x| window(x, c1, c2)).sum::<f64>();
    asimov_significance(s, b)
}

#[differentiable]
fn neos_z_par(c1: f64, c2: f64, xs: &[f64], xb: &[f64]) -> f64 {
    let s = 50.0 / xs.len() as f64 * par_sum(xs, |&x| window(x, c1, c2));
    let b = 1000.0 / xb.len() as f64 * par_sum(xb, |&x| window(x, c1, c2));
    asimov_significance(s, b)
}

fn neos_z_hand(c1: f64, c2: f64, xs: &[f64], xb: &[f64]) -> (f64, [f64; 2]) {
    let c1 = DualSVec64::<2>::from_re(c1).derivative(0);
    let c2 = DualSVec64::<2>::from_re(c2).derivative(1);
    // the operations of the source, so that `grad / hand` measures the macro alone
    let w = |x: f64| sigmoid((-c1 + x) / 0.1) * sigmoid((c2 - x) / 0.1);
    let s = xs
        .iter()
        .fold(DualSVec64::from_re(0.0), |acc, &x| acc + w(x))
        * (50.0 / xs.len() as f64);
    let b = xb
        .iter()
        .fold(DualSVec64::from_re(0.0), |acc, &x| acc + w(x))
        * (1000.0 / xb.len() as f64);
    split_num_dual(asimov_significance(s, b))
}

fn neos_z_fd(c1: f64, c2: f64, xs: &[f64], xb: &[f64]) -> (f64, [f64; 2]) {
    central_differences(|p| neos_z(p[0], p[1], xs, xb), [c1, c2], 2)
}

fn bench(crit: &mut Criterion) {
    let pool = one_thread();
    report_threads();
    let mut group = crit.benchmark_group("W3 neos-lite");
    configure(&mut group, 2);
    for n in NS {
        let (xs, xb) = (normal(n, 1.0, 3), normal(n, -1.0, 4));
        let (_, g) = neos_z_grad(C1, C2, &xs, &xb);
        assert_gradients_agree("hand", &neos_z_hand(C1, C2, &xs, &xb).1, &g, 1e-9);
        let par = neos_z_par_grad(C1, C2, &xs, &xb);
        assert_gradients_agree("par", &par.1, &g, 1e-12);
        assert_eq!(pool.install(|| neos_z_par_grad(C1, C2, &xs, &xb)), par);
        assert_gradients_agree("fd", &neos_z_fd(C1, C2, &xs, &xb).1, &g, 1e-5);
        group.bench_function(BenchmarkId::new("primal", n), |b| {
            b.iter(|| neos_z(C1, C2, black_box(&xs), &xb))
        });
        group.bench_function(BenchmarkId::new("grad", n), |b| {
            b.iter(|| neos_z_grad(C1, C2, black_box(&xs), &xb))
        });
        group.bench_function(BenchmarkId::new("hand", n), |b| {
            b.iter(|| neos_z_hand(C1, C2, black_box(&xs), &xb))
        });
        group.bench_function(BenchmarkId::new("fd", n), |b| {
            b.iter(|| neos_z_fd(C1, C2, black_box(&xs), &xb))
        });
        if n == NS[2] {
            group.bench_function(BenchmarkId::new("grad_par", n), |b| {
                b.iter(|| neos_z_par_grad(C1, C2, black_box(&xs), &xb))
            });
            group.bench_function(BenchmarkId::new("grad_par_1thread", n), |b| {
                b.iter(|| pool.install(|| neos_z_par_grad(C1, C2, black_box(&xs), &xb)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
