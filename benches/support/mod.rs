//! What the workload benches share: seeded event samples, central finite differences and
//! the criterion settings that keep `cargo bench` short.

#![allow(dead_code)] // each bench uses the part it needs

use criterion::{BenchmarkGroup, SamplingMode, measurement::WallTime};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use std::time::Duration;

/// The event counts of shared/BENCHMARKS.md.
pub const NS: [usize; 3] = [10_000, 100_000, 1_000_000];

/// `n` draws of `N(mean, 1)` from a generator seeded with `seed`.
pub fn normal(n: usize, mean: f64, seed: u64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| mean + <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut rng))
        .collect()
}

/// `n` draws of `N((mean, mean), I)`.
pub fn normal2(n: usize, mean: f64, seed: u64) -> Vec<[f64; 2]> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let mut draw =
                || mean + <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut rng);
            [draw(), draw()]
        })
        .collect()
}

/// Value and gradient by central differences, `∂f/∂pₖ ≈ (f(p + hₖeₖ) − f(p − hₖeₖ)) / 2hₖ`
/// with `hₖ = 1e-6·max(|pₖ|, 1)`, for the first `k` parameters: `2k + 1` calls of `f`.
pub fn central_differences<const K: usize>(
    f: impl Fn(&[f64; K]) -> f64,
    p: [f64; K],
    k: usize,
) -> (f64, [f64; K]) {
    let mut grad = [0.0; K];
    for (i, g) in grad.iter_mut().enumerate().take(k) {
        let h = 1e-6 * p[i].abs().max(1.0);
        let (mut up, mut down) = (p, p);
        up[i] += h;
        down[i] -= h;
        *g = (f(&up) - f(&down)) / (2.0 * h);
    }
    (f(&p), grad)
}

/// Ten samples of equal iteration counts (flat sampling: a slow function runs 10 times,
/// not the 55 of criterion's linear ramp), 0.3 s of warm-up and `seconds` of measurement:
/// enough for medians, and the whole `cargo bench` stays within minutes.
pub fn configure(group: &mut BenchmarkGroup<'_, WallTime>, seconds: u64) {
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(seconds));
}

/// A rayon pool of one thread: the serial baseline of the parallel variants.
pub fn one_thread() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool")
}

/// Prints rayon's thread count beside the cores: the parallel variants assume one thread
/// per core (`RAYON_NUM_THREADS` overrides it).
pub fn report_threads() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = rayon::current_num_threads();
    println!("rayon threads: {threads}, cores: {cores}");
    if threads != cores {
        println!("warning: the parallel variants do not run one thread per core");
    }
}

/// Asserts that two gradients agree to `tol` relative to the largest component.
pub fn assert_gradients_agree(what: &str, a: &[f64], b: &[f64], tol: f64) {
    let scale = b.iter().fold(0.0_f64, |m, g| m.max(g.abs())).max(1e-300);
    let worst = a
        .iter()
        .zip(b)
        .fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()))
        / scale;
    assert!(
        worst <= tol,
        "{what}: gradients differ by {worst:.2e} (relative)"
    );
}

/// The value and gradient carried by num-dual's `DualSVec64<K>`, for the `hand` variants
/// (`gradhep::split_gradient` reads the companions' `DualDense64<K>`).
pub fn split_num_dual<const K: usize>(y: gradhep::num_dual::DualSVec64<K>) -> (f64, [f64; K]) {
    (y.re, y.eps.0.map_or([0.0; K], |g| g.into()))
}
