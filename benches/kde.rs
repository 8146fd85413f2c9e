//! W2 of shared/BENCHMARKS.md: the KDE histogram of N standard-normal events shifted by s,
//! `h_b(s) = Σᵢ Φ((e_{b+1} − xᵢ − s)/bw) − Φ((e_b − xᵢ − s)/bw)` over B ∈ {10, 50} even bins
//! on [−3, 3], bw = 0.1, s = 0.1, with its Jacobian `dh/ds`; and the scalar
//! `L(s) = Σ_b h_b²` with `dL/ds`.
//!
//! The shift is written as a user would: `xᵢ + s` against `e_b` is `xᵢ` against `e_b − s`, so
//! the `#[differentiable]` source moves the B + 1 edges (exact, and no event is copied into
//! a dual). Variants, each calling `kde` as a user does (rayon's default pool, the `parallel`
//! feature): `primal` (the source at `f64`), `grad` (the source at `Dual64` for `h`, the
//! `_grad` companion for `L`), `hand` (the same written against num-dual, in the same
//! types), `fd` (central differences: 2 calls for `dh/ds`, 3 for `L`); `grad_1thread`
//! (N = 1e6 only: `grad` on a one-thread pool; the parallel speed-up is
//! `grad_1thread / grad`).
//!
//! `sparse vs dense` (N = 1e5): `kde` against the dense formula (Φ at every edge for every
//! event, as relaxed and JAX evaluate it), both on one thread, after checking that they
//! agree to rounding.

#[path = "../gradhep-core/tests/support/dense.rs"]
mod dense;
mod support;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gradhep::hist::kde;
use gradhep::num_dual::{Dual64, DualSVec64};
use gradhep::{differentiable, lift};
use std::hint::black_box;
use support::{NS, assert_gradients_agree, configure, normal, one_thread, split_num_dual};

const BANDWIDTH: f64 = 0.1;
const SHIFT: f64 = 0.1;
const BINS: [usize; 2] = [10, 50];

/// `B + 1` edges evenly on [−3, 3].
fn edges(bins: usize) -> Vec<f64> {
    (0..=bins)
        .map(|k| -3.0 + 6.0 * k as f64 / bins as f64)
        .collect()
}

#[differentiable(wrt(s))]
fn shifted_hist(s: f64, x: &[f64], edges: &[f64]) -> Vec<f64> {
    let moved: Vec<f64> = edges.iter().map(|&e| e - s).collect();
    kde(x, &moved, BANDWIDTH)
}

#[differentiable(wrt(s))]
fn shifted_loss(s: f64, x: &[f64], edges: &[f64]) -> f64 {
    shifted_hist(s, x, edges).iter().map(|h| h * h).sum()
}

/// `h` and `dh/ds` from the source at `Dual64`.
fn hist_grad(x: &[f64], edges: &[f64]) -> Vec<Dual64> {
    shifted_hist(Dual64::new(SHIFT, 1.0), x, edges)
}

fn hist_hand(x: &[f64], edges: &[f64]) -> Vec<Dual64> {
    let s = Dual64::new(SHIFT, 1.0);
    let moved: Vec<Dual64> = edges.iter().map(|&e| -s + e).collect();
    kde(x, &moved, Dual64::from(BANDWIDTH))
}

/// `h(s)` and `(h(s + ε) − h(s − ε)) / 2ε`, ε = 1e-6.
fn hist_fd(x: &[f64], edges: &[f64]) -> Vec<(f64, f64)> {
    let eps = 1e-6;
    let (up, down) = (
        shifted_hist(SHIFT + eps, x, edges),
        shifted_hist(SHIFT - eps, x, edges),
    );
    up.iter()
        .zip(&down)
        .map(|(u, d)| ((u + d) / 2.0, (u - d) / (2.0 * eps)))
        .collect()
}

/// `L` and `dL/ds` written by hand against num-dual's `DualSVec64<1>`, the operations of the
/// source.
fn loss_hand(x: &[f64], edges: &[f64]) -> (f64, [f64; 1]) {
    let s = DualSVec64::<1>::from_re(SHIFT).derivative(0);
    let moved: Vec<DualSVec64<1>> = edges.iter().map(|&e| -s + e).collect();
    let h = kde(x, &moved, DualSVec64::from(BANDWIDTH));
    split_num_dual(h.iter().fold(DualSVec64::from(-0.0), |acc, &h| acc + h * h))
}

fn loss_fd(x: &[f64], edges: &[f64]) -> (f64, [f64; 1]) {
    support::central_differences(|p| shifted_loss(p[0], x, edges), [SHIFT], 1)
}

fn tangents(h: &[Dual64]) -> Vec<f64> {
    h.iter().map(|h| h.eps).collect()
}

/// Checks `grad` against `hand`, `fd` and the one-thread pool before any timing.
fn check(x: &[f64], edges: &[f64], pool: &rayon::ThreadPool) {
    let g = hist_grad(x, edges);
    assert_gradients_agree(
        "hand",
        &tangents(&hist_hand(x, edges)),
        &tangents(&g),
        1e-14,
    );
    let fd: Vec<f64> = hist_fd(x, edges).iter().map(|h| h.1).collect();
    assert_gradients_agree("fd", &fd, &tangents(&g), 1e-5);
    let serial = pool.install(|| hist_grad(x, edges));
    assert_eq!(serial, g, "kde depends on the number of threads");
    let (l, [dl]) = shifted_loss_grad(SHIFT, x, edges);
    assert_gradients_agree("loss hand", &loss_hand(x, edges).1, &[dl], 1e-12);
    assert_gradients_agree("loss fd", &loss_fd(x, edges).1, &[dl], 1e-5);
    assert_eq!(l, shifted_loss(SHIFT, x, edges));
}

fn bench_hist(crit: &mut Criterion, pool: &rayon::ThreadPool) {
    for bins in BINS {
        let e = edges(bins);
        let mut group = crit.benchmark_group(format!("W2 h and dh-ds B={bins}"));
        configure(&mut group, 2);
        for n in NS {
            let x = normal(n, 0.0, 2);
            check(&x, &e, pool);
            group.bench_function(BenchmarkId::new("primal", n), |b| {
                b.iter(|| shifted_hist(SHIFT, black_box(&x), &e))
            });
            group.bench_function(BenchmarkId::new("grad", n), |b| {
                b.iter(|| hist_grad(black_box(&x), &e))
            });
            group.bench_function(BenchmarkId::new("hand", n), |b| {
                b.iter(|| hist_hand(black_box(&x), &e))
            });
            group.bench_function(BenchmarkId::new("fd", n), |b| {
                b.iter(|| hist_fd(black_box(&x), &e))
            });
            if n == NS[2] {
                group.bench_function(BenchmarkId::new("grad_1thread", n), |b| {
                    b.iter(|| pool.install(|| hist_grad(black_box(&x), &e)))
                });
            }
        }
        group.finish();
    }
}

fn bench_loss(crit: &mut Criterion) {
    for bins in BINS {
        let e = edges(bins);
        let mut group = crit.benchmark_group(format!("W2 L and dL-ds B={bins}"));
        configure(&mut group, 2);
        for n in NS {
            let x = normal(n, 0.0, 2);
            group.bench_function(BenchmarkId::new("primal", n), |b| {
                b.iter(|| shifted_loss(SHIFT, black_box(&x), &e))
            });
            group.bench_function(BenchmarkId::new("grad", n), |b| {
                b.iter(|| shifted_loss_grad(SHIFT, black_box(&x), &e))
            });
            group.bench_function(BenchmarkId::new("hand", n), |b| {
                b.iter(|| loss_hand(black_box(&x), &e))
            });
            group.bench_function(BenchmarkId::new("fd", n), |b| {
                b.iter(|| loss_fd(black_box(&x), &e))
            });
        }
        group.finish();
    }
}

/// The largest differences in value and in `dh/ds` between two histograms.
fn largest_difference(a: &[Dual64], b: &[Dual64]) -> (f64, f64) {
    a.iter().zip(b).fold((0.0, 0.0), |(v, d), (a, b)| {
        (v.max((a.re - b.re).abs()), d.max((a.eps - b.eps).abs()))
    })
}

fn bench_sparse_vs_dense(crit: &mut Criterion, pool: &rayon::ThreadPool) {
    let n = NS[1];
    let x = normal(n, 0.0, 2);
    // the dense reference takes values, weights and edges of one type
    let lifted: Vec<Dual64> = x.iter().map(|&x| Dual64::from(x)).collect();
    let ones = vec![Dual64::from(1.0); n];
    let mut group = crit.benchmark_group("W2 sparse vs dense, one thread");
    configure(&mut group, 2);
    for bins in BINS {
        let s = Dual64::new(SHIFT, 1.0);
        let moved: Vec<Dual64> = edges(bins).iter().map(|&e| -s + e).collect();
        let sparse = pool.install(|| kde(&x, &moved, lift(BANDWIDTH)));
        let dense = dense::dense_kde(&lifted, &ones, &moved, lift(BANDWIDTH));
        let (dv, dd) = largest_difference(&sparse, &dense);
        let peak = dense.iter().fold(0.0_f64, |m, h| m.max(h.re));
        println!(
            "B={bins}, N={n}: sparse - dense: {dv:.1e} in h, {dd:.1e} in dh/ds (largest bin {peak:.0})"
        );
        assert!(
            dv <= 1e-9 * peak && dd <= 1e-8 * peak,
            "sparse and dense disagree"
        );
        group.bench_function(BenchmarkId::new("sparse", bins), |b| {
            b.iter(|| pool.install(|| kde(black_box(&x), &moved, lift(BANDWIDTH))))
        });
        group.bench_function(BenchmarkId::new("dense", bins), |b| {
            b.iter(|| dense::dense_kde(black_box(&lifted), &ones, &moved, lift(BANDWIDTH)))
        });
    }
    group.finish();
}

fn bench(crit: &mut Criterion) {
    let pool = one_thread();
    support::report_threads();
    bench_hist(crit, &pool);
    bench_loss(crit);
    bench_sparse_vs_dense(crit, &pool);
}

criterion_group!(benches, bench);
criterion_main!(benches);
