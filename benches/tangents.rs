//! Where the time of a K-component gradient goes: the cost of one multiply-accumulate
//! `acc += a·b` (two scaled tangents and two additions of K components each) for
//! K = 2, 8, 32, 337, over a chain of 256 products as in W4's 16×16 layer, in three tangent
//! layouts:
//!
//! - `num_dual`: num-dual's `DualSVec64<K>` (an optional nalgebra vector);
//! - `dense`: gradhep's `DualDense64<K>` (what the `_grad` companions use);
//! - `dense_array`: the same arithmetic written out on plain `(f64, [f64; K])` pairs, the
//!   bound a dense tangent can reach.
//!
//! A second group, `16 neurons`, adds one unary function per 16 products: 16 × (16 MACs, then
//! `tanh`), a W4 hidden layer.

mod support;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gradhep::num_dual::DualSVec64;
use gradhep::{DualDense64, Scalar};
use std::hint::black_box;
use support::{assert_gradients_agree, split_num_dual};

const OPS: usize = 256;
const NEURON: usize = 16;

/// Values in [−0.5, 0.5], so that a neuron's sum of 16 products stays where `tanh` is not
/// saturated, each seeded in one direction as a weight is.
fn duals<const K: usize>() -> Vec<DualSVec64<K>> {
    (0..OPS)
        .map(|i| DualSVec64::from_re((i as f64 - 127.5) / 256.0).derivative(i % K))
        .collect()
}

/// `Σᵢ aᵢ bᵢ` in any scalar type: the loop W4's layers run.
#[inline(never)] // one symbol per kernel, for per-call instruction counts (callgrind)
fn mac<D: Scalar>(a: &[D], b: &[D]) -> D {
    a.iter()
        .zip(b)
        .fold(D::from(0.0), |acc, (&a, &b)| acc + a * b)
}

/// `Σⱼ tanh(Σᵢ aᵢⱼ bᵢⱼ)` over neurons of `NEURON` inputs.
#[inline(never)] // one symbol per kernel, for per-call instruction counts (callgrind)
fn layer<D: Scalar>(a: &[D], b: &[D]) -> D {
    a.chunks(NEURON)
        .zip(b.chunks(NEURON))
        .fold(D::from(0.0), |acc, (a, b)| acc + mac(a, b).tanh())
}

type Pair<const K: usize> = (f64, [f64; K]);

/// `(value, tangent)` pairs with the tangent always present.
#[inline(never)] // one symbol per kernel, for per-call instruction counts (callgrind)
fn mac_array<const K: usize>(a: &[Pair<K>], b: &[Pair<K>]) -> Pair<K> {
    a.iter()
        .zip(b)
        .fold((0.0, [0.0; K]), |(re, mut eps), (a, b)| {
            for ((e, &ea), &eb) in eps.iter_mut().zip(&a.1).zip(&b.1) {
                *e += ea * b.0 + eb * a.0;
            }
            (re + a.0 * b.0, eps)
        })
}

#[inline(never)] // one symbol per kernel, for per-call instruction counts (callgrind)
fn layer_array<const K: usize>(a: &[Pair<K>], b: &[Pair<K>]) -> Pair<K> {
    a.chunks(NEURON)
        .zip(b.chunks(NEURON))
        .fold((0.0, [0.0; K]), |(re, mut eps), (a, b)| {
            let (z, dz) = mac_array(a, b);
            // DualDense64's sech², with libm's exp for gradhep's inlined one
            let e = (-2.0 * z.abs()).exp();
            let sech2 = 4.0 * e / ((1.0 + e) * (1.0 + e));
            for (e, &d) in eps.iter_mut().zip(&dz) {
                *e += d * sech2;
            }
            (re + z.tanh(), eps)
        })
}

fn bench_k<const K: usize>(crit: &mut Criterion) {
    let (a, b) = (duals::<K>(), duals::<K>());
    let dense = |d: &[DualSVec64<K>]| -> Vec<DualDense64<K>> {
        d.iter()
            .map(|&d| {
                let (re, eps) = split_num_dual(d);
                DualDense64::new(re, eps)
            })
            .collect()
    };
    let (da, db) = (dense(&a), dense(&b));
    let (pa, pb): (Vec<Pair<K>>, Vec<Pair<K>>) = (
        da.iter().map(|d| (d.re, d.eps)).collect(),
        db.iter().map(|d| (d.re, d.eps)).collect(),
    );

    let reference = split_num_dual(mac(&a, &b));
    let d = mac(&da, &db);
    assert_eq!(
        (d.re, d.eps),
        reference,
        "DualDense64 repeats num-dual's products"
    );
    assert_eq!(mac_array(&pa, &pb), reference, "the arrays repeat them too");

    let mut group = crit.benchmark_group(format!("tangents K={K}, {OPS} multiply-adds"));
    support::configure(&mut group, 1);
    group.bench_function(BenchmarkId::new("num_dual", K), |bch| {
        bch.iter(|| mac(black_box(&a), &b))
    });
    group.bench_function(BenchmarkId::new("dense", K), |bch| {
        bch.iter(|| mac(black_box(&da), &db))
    });
    group.bench_function(BenchmarkId::new("dense_array", K), |bch| {
        bch.iter(|| mac_array(black_box(&pa), &pb))
    });
    group.finish();

    // num-dual's tanh is sinh/cosh through a quotient, and the arrays' sech² takes libm's
    // exp: the three agree to rounding.
    let reference = split_num_dual(layer(&a, &b));
    let d = layer(&da, &db);
    let arr = layer_array(&pa, &pb);
    assert_eq!(d.re, arr.0, "DualDense64 and the arrays agree");
    assert_gradients_agree("dense vs array tanh layer", &d.eps, &arr.1, 1e-13);
    assert!((d.re - reference.0).abs() <= 1e-14 * reference.0.abs());
    assert_gradients_agree("dense vs num_dual tanh layer", &d.eps, &reference.1, 1e-13);

    let mut group = crit.benchmark_group(format!("tangents K={K}, 16 neurons (16 MACs, tanh)"));
    support::configure(&mut group, 1);
    group.bench_function(BenchmarkId::new("num_dual", K), |bch| {
        bch.iter(|| layer(black_box(&a), &b))
    });
    group.bench_function(BenchmarkId::new("dense", K), |bch| {
        bch.iter(|| layer(black_box(&da), &db))
    });
    group.bench_function(BenchmarkId::new("dense_array", K), |bch| {
        bch.iter(|| layer_array(black_box(&pa), &pb))
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
