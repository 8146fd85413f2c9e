//! Where the time of a K-component gradient goes: the cost of one multiply-accumulate
//! `acc += a·b` of `DualSVec64<K>` values (two scaled tangents and two additions of K
//! components each) for K = 2, 8, 32, 337, against the same arithmetic on plain `[f64; K]`
//! tangents (what a dense, always-present tangent would cost), over a chain of 256 products
//! as in W4's 16×16 layer.

mod support;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gradhep::num_dual::DualSVec64;
use std::hint::black_box;

const OPS: usize = 256;

fn duals<const K: usize>() -> Vec<DualSVec64<K>> {
    (0..OPS)
        .map(|i| DualSVec64::from_re(1.0 + 1e-3 * i as f64).derivative(i % K))
        .collect()
}

fn mac_num_dual<const K: usize>(a: &[DualSVec64<K>], b: &[DualSVec64<K>]) -> DualSVec64<K> {
    a.iter()
        .zip(b)
        .fold(DualSVec64::from_re(0.0), |acc, (&a, &b)| acc + a * b)
}

/// `(value, tangent)` pairs with the tangent always present.
fn mac_dense<const K: usize>(a: &[(f64, [f64; K])], b: &[(f64, [f64; K])]) -> (f64, [f64; K]) {
    a.iter()
        .zip(b)
        .fold((0.0, [0.0; K]), |(re, mut eps), (a, b)| {
            for ((e, &ea), &eb) in eps.iter_mut().zip(&a.1).zip(&b.1) {
                *e += ea * b.0 + eb * a.0;
            }
            (re + a.0 * b.0, eps)
        })
}

fn dense<const K: usize>(d: &[DualSVec64<K>]) -> Vec<(f64, [f64; K])> {
    d.iter().map(|d| gradhep::split_gradient(*d)).collect()
}

fn bench_k<const K: usize>(crit: &mut Criterion) {
    let mut group = crit.benchmark_group(format!("tangents K={K}, 256 multiply-adds"));
    support::configure(&mut group, 1);
    let (a, b) = (duals::<K>(), duals::<K>());
    let (da, db) = (dense(&a), dense(&b));
    let (x, y) = (
        gradhep::split_gradient(mac_num_dual(&a, &b)),
        mac_dense(&da, &db),
    );
    assert_eq!(x, y, "the dense tangents compute the same numbers");
    group.bench_function(BenchmarkId::new("num_dual", K), |bch| {
        bch.iter(|| mac_num_dual(black_box(&a), &b))
    });
    group.bench_function(BenchmarkId::new("dense_array", K), |bch| {
        bch.iter(|| mac_dense(black_box(&da), &db))
    });
    group.finish();
}

fn bench(crit: &mut Criterion) {
    bench_k::<2>(crit);
    bench_k::<8>(crit);
    bench_k::<32>(crit);
    bench_k::<337>(crit);
}

criterion_group!(benches, bench);
criterion_main!(benches);
