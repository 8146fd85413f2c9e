//! W2 of shared/BENCHMARKS.md: the KDE histogram `h_b(s)` of N = 1e6 standard-normal events,
//! B ∈ {10, 50} even bins on [−3, 3], bandwidth 0.1, shifted by s = 0.1, with `dh/ds` (a
//! `Dual64` shift of the edges, the events plain data).
//!
//! `sparse` is `gradhep::hist::kde`; `dense` evaluates Φ at every edge for every event (the
//! formula as relaxed writes it). Both run on one thread so that the ratio is the algorithm's;
//! `sparse_parallel` is `kde` on rayon's default pool. Before timing, the two are checked to
//! agree to rounding and the largest difference is printed.

#[path = "../gradhep-core/tests/support/dense.rs"]
mod dense;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gradhep::hist::kde;
use gradhep::lift;
use gradhep::num_dual::Dual64;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use std::hint::black_box;
use std::time::Duration;

const N: usize = 1_000_000;
const BANDWIDTH: f64 = 0.1;
const SHIFT: f64 = 0.1;

fn events() -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(2);
    (0..N).map(|_| StandardNormal.sample(&mut rng)).collect()
}

/// `e_b − s` with `d/ds = −1`: shifting the events by `s` is shifting the edges by `−s`.
fn shifted_edges(bins: usize) -> Vec<Dual64> {
    let shift = Dual64::new(SHIFT, 1.0);
    (0..=bins)
        .map(|k| -shift + (-3.0 + 6.0 * k as f64 / bins as f64))
        .collect()
}

fn largest_difference(a: &[Dual64], b: &[Dual64]) -> (f64, f64) {
    a.iter().zip(b).fold((0.0, 0.0), |(v, d), (a, b)| {
        (v.max((a.re - b.re).abs()), d.max((a.eps - b.eps).abs()))
    })
}

fn bench(c: &mut Criterion) {
    let x = events();
    let lifted: Vec<Dual64> = x.iter().map(|&x| Dual64::from(x)).collect();
    let ones = vec![Dual64::from(1.0); N];
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    let mut group = c.benchmark_group("W2 kde h and dh/ds, N=1e6");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for bins in [10, 50] {
        let edges = shifted_edges(bins);
        let sparse = one_thread.install(|| kde(&x, &edges, lift(BANDWIDTH)));
        let dense = dense::dense_kde(&lifted, &ones, &edges, lift(BANDWIDTH));
        let (dv, dd) = largest_difference(&sparse, &dense);
        let peak = dense.iter().fold(0.0_f64, |m, h| m.max(h.re));
        println!(
            "B={bins}: sparse - dense: {dv:.1e} in h, {dd:.1e} in dh/ds (largest bin {peak:.0})"
        );
        assert!(
            dv <= 1e-9 * peak && dd <= 1e-8 * peak,
            "sparse and dense disagree"
        );
        group.bench_function(BenchmarkId::new("sparse", bins), |b| {
            b.iter(|| one_thread.install(|| kde(black_box(&x), &edges, lift(BANDWIDTH))))
        });
        group.bench_function(BenchmarkId::new("dense", bins), |b| {
            b.iter(|| dense::dense_kde(black_box(&lifted), &ones, &edges, lift(BANDWIDTH)))
        });
        group.bench_function(BenchmarkId::new("sparse_parallel", bins), |b| {
            b.iter(|| kde(black_box(&x), &edges, lift(BANDWIDTH)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
