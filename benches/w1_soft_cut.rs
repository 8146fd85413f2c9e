//! W1 of shared/BENCHMARKS.md: the soft-cut yield `y(c, t) = Σᵢ σ((xᵢ − c)/t)` of N
//! standard-normal events at c = 0.5, t = 0.1, and its gradient in (c, t).
//!
//! Variants: `primal` (the `#[differentiable]` source at `f64`), `grad` (its `_grad`
//! companion), `hand` (the same gradient written against num-dual), `fd` (central
//! differences, 5 primal calls); at N = 1e6 also `grad_par` (the loop through `par_sum`, on
//! rayon's default pool, one thread per core) and `grad_par_1thread` (the same on a
//! one-thread pool: the parallel speed-up is `grad_par_1thread / grad_par`; both give the
//! same numbers bit for bit, which is checked).

mod support;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gradhep::num_dual::DualSVec64;
use gradhep::smooth::sigmoid;
use gradhep::{differentiable, par_sum};
use std::hint::black_box;
use support::{
    NS, assert_gradients_agree, central_differences, configure, normal, one_thread, report_threads,
    split_num_dual,
};

const C: f64 = 0.5;
const T: f64 = 0.1;

#[differentiable]
fn soft_yield(c: f64, t: f64, x: &[f64]) -> f64 {
    x.iter().map(|&xi| sigmoid((xi - c) / t)).sum()
}

#[differentiable]
fn soft_yield_par(c: f64, t: f64, x: &[f64]) -> f64 {
    par_sum(x, |&xi| sigmoid((xi - c) / t))
}

fn soft_yield_hand(c: f64, t: f64, x: &[f64]) -> (f64, [f64; 2]) {
    let c = DualSVec64::<2>::from_re(c).derivative(0);
    let t = DualSVec64::<2>::from_re(t).derivative(1);
    // the operations of the source, so that `grad / hand` measures the macro alone
    let y = x.iter().fold(DualSVec64::from_re(0.0), |acc, &xi| {
        acc + sigmoid((-c + xi) / t)
    });
    split_num_dual(y)
}

fn soft_yield_fd(c: f64, t: f64, x: &[f64]) -> (f64, [f64; 2]) {
    central_differences(|p| soft_yield(p[0], p[1], x), [c, t], 2)
}

fn bench(crit: &mut Criterion) {
    let pool = one_thread();
    report_threads();
    let mut group = crit.benchmark_group("W1 soft cut yield");
    configure(&mut group, 2);
    for n in NS {
        let x = normal(n, 0.0, 1);
        let (_, g) = soft_yield_grad(C, T, &x);
        assert_gradients_agree("hand", &soft_yield_hand(C, T, &x).1, &g, 1e-12);
        let par = soft_yield_par_grad(C, T, &x);
        assert_gradients_agree("par", &par.1, &g, 1e-12);
        assert_eq!(pool.install(|| soft_yield_par_grad(C, T, &x)), par);
        assert_gradients_agree("fd", &soft_yield_fd(C, T, &x).1, &g, 1e-5);
        group.bench_function(BenchmarkId::new("primal", n), |b| {
            b.iter(|| soft_yield(C, T, black_box(&x)))
        });
        group.bench_function(BenchmarkId::new("grad", n), |b| {
            b.iter(|| soft_yield_grad(C, T, black_box(&x)))
        });
        group.bench_function(BenchmarkId::new("hand", n), |b| {
            b.iter(|| soft_yield_hand(C, T, black_box(&x)))
        });
        group.bench_function(BenchmarkId::new("fd", n), |b| {
            b.iter(|| soft_yield_fd(C, T, black_box(&x)))
        });
        if n == NS[2] {
            group.bench_function(BenchmarkId::new("grad_par", n), |b| {
                b.iter(|| soft_yield_par_grad(C, T, black_box(&x)))
            });
            group.bench_function(BenchmarkId::new("grad_par_1thread", n), |b| {
                b.iter(|| pool.install(|| soft_yield_par_grad(C, T, black_box(&x))))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
