//! W5 of shared/BENCHMARKS.md: asymptotic CLs at μ = 1 (q̃μ, pyhf's `hypotest`) of the
//! pyhf workspaces `simple_1bin`, `simple_2bin`, `shape_20bin` and `shape_100bin`
//! (tests/fixtures/pyhf/workspaces; 2, 3, 25 and 105 parameters), with its derivative with
//! respect to a scale factor `s` on all signal yields at `s = 1`.
//!
//! Variants: `primal` (CLs in `f64`), `grad` (CLs and dCLs/ds in one `Dual64` pass through
//! the fits' implicit step, as `examples/cls.rs`), `fd` (central differences of the primal
//! in `s`: three hypotests). The peer is `benches/peers/pyhf_bench.py`.

mod support;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gradhep::Scalar;
use gradhep::histfactory::{Model, Workspace};
use gradhep::infer::{self, TestStat};
use gradhep::num_dual::Dual64;
use std::hint::black_box;
use support::{assert_gradients_agree, configure};

/// The workspaces of W5, by their main-bin count.
const WORKSPACES: [(&str, usize); 4] = [
    ("simple_1bin", 1),
    ("simple_2bin", 2),
    ("shape_20bin", 20),
    ("shape_100bin", 100),
];

fn cls<D: Scalar>(model: &Model<D>, data: &[f64]) -> D {
    infer::hypotest(1.0, data, model, TestStat::QTilde)
        .expect("the W5 workspaces fit")
        .cls_obs
}

fn cls_grad(model: &Model, data: &[f64]) -> (f64, f64) {
    let cls = cls(&model.with_signal_scale(Dual64::new(1.0, 1.0)), data);
    (cls.re, cls.eps)
}

/// Central differences with step `1e-5` (the fits' optimum is exact to ~1e-12, so the
/// difference quotient is good to ~1e-7).
fn cls_fd(model: &Model, data: &[f64]) -> (f64, f64) {
    let h = 1e-5;
    let up = cls(&model.with_signal_scale(1.0 + h), data);
    let down = cls(&model.with_signal_scale(1.0 - h), data);
    (cls(model, data), (up - down) / (2.0 * h))
}

fn bench(crit: &mut Criterion) {
    let mut group = crit.benchmark_group("W5 hypotest");
    configure(&mut group, 2);
    for (name, nbins) in WORKSPACES {
        let path = format!(
            "{}/tests/fixtures/pyhf/workspaces/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let ws = Workspace::from_file(&path).expect("the W5 workspaces parse");
        let model = ws
            .model(None)
            .expect("the W5 workspaces have a measurement");
        assert_eq!(model.nmaindata(), nbins, "{name}");
        let data = ws.data(&model);
        let (value, dcls) = cls_grad(&model, &data);
        let (value_fd, dcls_fd) = cls_fd(&model, &data);
        assert!(
            (value - value_fd).abs() < 1e-12,
            "{name}: CLs {value} (dual) vs {value_fd} (f64)"
        );
        assert_gradients_agree(name, &[dcls], &[dcls_fd], 1e-5);
        group.bench_function(BenchmarkId::new("primal", nbins), |b| {
            b.iter(|| cls(black_box(&model), &data))
        });
        group.bench_function(BenchmarkId::new("grad", nbins), |b| {
            b.iter(|| cls_grad(black_box(&model), &data))
        });
        group.bench_function(BenchmarkId::new("fd", nbins), |b| {
            b.iter(|| cls_fd(black_box(&model), &data))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
