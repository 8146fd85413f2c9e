//! Parity with relaxed 0.4.0 (jax, float64): `tests/fixtures/relaxed/generate.py` wrote the
//! reference values and Jacobians; every comparison is to 1e-12, relative to the entry or,
//! for Jacobians, to the largest entry of the matrix (entries of events many bandwidths from
//! a bin are ~1e-30 in relaxed and exactly 0 here).

use gradhep_core::hist::{HistOptions, kde, kde_weighted};
use gradhep_core::lift;
use gradhep_core::num_dual::{Dual64, DualNum};
use gradhep_core::smooth::{cut_above, cut_below};
use gradhep_core::stats::{
    asimov_significance, asimov_significance_binned, asimov_significance_with_uncertainty,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    data: Vec<f64>,
    edges: Vec<f64>,
    hist: Vec<HistCase>,
    weighted: WeightedCase,
    hard: HardCase,
    cut_data: Vec<f64>,
    cut: Vec<CutCase>,
    asimov: Vec<AsimovCase>,
    asimov_small_s: Vec<SmallSignal>,
    cowan: Vec<CowanCase>,
}

#[derive(Deserialize)]
struct HistCase {
    bandwidth: f64,
    density: bool,
    fold_overflow: bool,
    counts: Vec<f64>,
    /// `[bin][event]`
    jac_data: Vec<Vec<f64>>,
    /// `[bin][edge]`
    jac_edges: Vec<Vec<f64>>,
    /// Absent where relaxed's own derivative is NaN (folded tails).
    jac_bandwidth: Option<Vec<f64>>,
}

#[derive(Deserialize)]
struct WeightedCase {
    weights: Vec<f64>,
    bandwidth: f64,
    counts: Vec<f64>,
    jac_data: Vec<Vec<f64>>,
    jac_weights: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct HardCase {
    data: Vec<f64>,
    edges: Vec<f64>,
    bandwidth: f64,
    relaxed_counts: Vec<f64>,
    hard_counts: Vec<f64>,
}

#[derive(Deserialize)]
struct CutCase {
    cut: f64,
    slope: f64,
    keep: String,
    values: Vec<f64>,
    d_cut: Vec<f64>,
    d_slope: Vec<f64>,
}

#[derive(Deserialize)]
struct AsimovCase {
    s: Vec<f64>,
    b: Vec<f64>,
    z: f64,
    grad_s: Vec<f64>,
    grad_b: Vec<f64>,
}

#[derive(Deserialize)]
struct SmallSignal {
    s: f64,
    b: f64,
    z: f64,
    dz_ds: f64,
}

#[derive(Deserialize)]
struct CowanCase {
    s: f64,
    b: f64,
    sigma_b: f64,
    z: f64,
    grad: [f64; 3],
    z_profiled: f64,
}

fn fixture() -> Fixture {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/relaxed/relaxed.json"
    );
    let text = std::fs::read_to_string(path).expect("fixture readable");
    serde_json::from_str(&text).expect("fixture parses")
}

const TOL: f64 = 1e-12;

fn assert_close(what: &str, got: f64, want: f64, scale: f64) {
    let diff = (got - want).abs();
    let err = if diff == 0.0 {
        0.0
    } else {
        diff / want.abs().max(scale)
    };
    assert!(
        err <= TOL,
        "{what}: got {got:e}, want {want:e} (error {err:e})"
    );
}

fn assert_all_close(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (k, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert_close(&format!("{what}[{k}]"), g, w, 0.0);
    }
}

/// Compares `got[bin][k]` with a Jacobian, relative to its largest entry.
fn assert_jacobian(what: &str, got: &[Vec<f64>], want: &[Vec<f64>]) {
    let scale = want.iter().flatten().fold(0.0_f64, |m, v| m.max(v.abs()));
    for (b, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.len(), w.len(), "{what}: row {b} length");
        for (k, (&g, &w)) in g.iter().zip(w).enumerate() {
            assert_close(&format!("{what}[{b}][{k}]"), g, w, scale);
        }
    }
}

/// `[bin][k]` from one dual histogram per direction `k`.
fn jacobian(directions: usize, hist: impl Fn(usize) -> Vec<Dual64>) -> Vec<Vec<f64>> {
    let columns: Vec<Vec<f64>> = (0..directions)
        .map(|k| hist(k).iter().map(|h| h.eps).collect())
        .collect();
    let bins = columns.first().map_or(0, Vec::len);
    (0..bins)
        .map(|b| columns.iter().map(|c| c[b]).collect())
        .collect()
}

fn seeded(xs: &[f64], k: usize) -> Vec<Dual64> {
    xs.iter()
        .enumerate()
        .map(|(i, &x)| Dual64::new(x, f64::from(u8::from(i == k))))
        .collect()
}

#[test]
fn kde_matches_relaxed_hist_with_its_jacobians() {
    let f = fixture();
    let (x, e) = (&f.data, &f.edges);
    for case in &f.hist {
        let name = format!(
            "h={} density={} fold={}",
            case.bandwidth, case.density, case.fold_overflow
        );
        let opts = HistOptions::new()
            .density(case.density)
            .fold_overflow(case.fold_overflow);
        assert_all_close(&name, &opts.kde(x, e, case.bandwidth), &case.counts);
        // dual values, plain edges, bandwidth lifted
        let by_data = jacobian(x.len(), |k| {
            opts.kde(&seeded(x, k), e, lift(case.bandwidth))
        });
        assert_jacobian(&format!("{name} d/dx"), &by_data, &case.jac_data);
        // plain values, dual edges
        let by_edges = jacobian(e.len(), |k| {
            opts.kde(x, &seeded(e, k), lift(case.bandwidth))
        });
        assert_jacobian(&format!("{name} d/de"), &by_edges, &case.jac_edges);
        if let Some(want) = &case.jac_bandwidth {
            // plain values and edges, dual bandwidth
            let h = opts.kde(x, e, Dual64::new(case.bandwidth, 1.0));
            let got: Vec<f64> = h.iter().map(|h| h.eps).collect();
            let scale = want.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            for (b, (&g, &w)) in got.iter().zip(want).enumerate() {
                assert_close(&format!("{name} d/dh[{b}]"), g, w, scale);
            }
        }
    }
}

#[test]
fn weighted_kde_matches_relaxed_event_by_event() {
    let f = fixture();
    let c = &f.weighted;
    let (x, w, e) = (&f.data, &c.weights, &f.edges);
    assert_all_close("weighted", &kde_weighted(x, w, e, c.bandwidth), &c.counts);
    let by_data = jacobian(x.len(), |k| {
        kde_weighted(&seeded(x, k), w, e, lift(c.bandwidth))
    });
    assert_jacobian("weighted d/dx", &by_data, &c.jac_data);
    let by_weights = jacobian(w.len(), |k| {
        kde_weighted(x, &seeded(w, k), e, lift(c.bandwidth))
    });
    assert_jacobian("weighted d/dw", &by_weights, &c.jac_weights);
}

#[test]
fn vanishing_bandwidth_is_the_hard_histogram_with_edge_events_split() {
    let f = fixture();
    let c = &f.hard;
    assert_eq!(c.relaxed_counts, c.hard_counts);
    assert_eq!(kde(&c.data, &c.edges, c.bandwidth), c.hard_counts);
}

#[test]
fn soft_cut_matches_relaxed_cut_and_its_derivatives() {
    let f = fixture();
    for c in &f.cut {
        for (i, &x) in f.cut_data.iter().enumerate() {
            let name = format!("cut {} slope {} keep {} x={x}", c.cut, c.slope, c.keep);
            let cut = |cut: Dual64, slope: Dual64| {
                let width = slope.recip();
                match c.keep.as_str() {
                    "above" => cut_above(lift(x), cut, width),
                    _ => cut_below(lift(x), cut, width),
                }
            };
            let by_cut = cut(Dual64::new(c.cut, 1.0), Dual64::from(c.slope));
            let by_slope = cut(Dual64::from(c.cut), Dual64::new(c.slope, 1.0));
            assert_close(&name, by_cut.re, c.values[i], 0.0);
            assert_close(&format!("{name} d/dcut"), by_cut.eps, c.d_cut[i], 0.0);
            assert_close(&format!("{name} d/dslope"), by_slope.eps, c.d_slope[i], 0.0);
        }
    }
}

#[test]
fn asimov_significance_matches_relaxed_with_its_gradient() {
    let f = fixture();
    for c in &f.asimov {
        let n = c.s.len();
        for k in 0..2 * n {
            let s = seeded(&c.s, k);
            let b = seeded(&c.b, k.wrapping_sub(n));
            let z = if n == 1 {
                asimov_significance(s[0], b[0])
            } else {
                asimov_significance_binned(&s, &b)
            };
            assert_close("z", z.re, c.z, 0.0);
            let want = if k < n { c.grad_s[k] } else { c.grad_b[k - n] };
            assert_close(
                &format!("dz[{k}] for s={:?} b={:?}", c.s, c.b),
                z.eps,
                want,
                0.0,
            );
        }
    }
}

#[test]
fn asimov_significance_keeps_precision_where_the_textbook_form_cancels() {
    for c in &fixture().asimov_small_s {
        let z = asimov_significance(Dual64::new(c.s, 1.0), Dual64::from(c.b));
        assert_close(&format!("z({}, {})", c.s, c.b), z.re, c.z, 0.0);
        assert_close(&format!("dz/ds({}, {})", c.s, c.b), z.eps, c.dz_ds, 0.0);
    }
}

#[test]
fn cowan_significance_equals_the_profiled_on_off_model() {
    for c in &fixture().cowan {
        let name = format!("s={} b={} sigma_b={}", c.s, c.b, c.sigma_b);
        // The two references agree with each other first.
        assert_close(
            &format!("{name} closed form vs profile"),
            c.z,
            c.z_profiled,
            0.0,
        );
        for k in 0..3 {
            let [s, b, sigma] = std::array::from_fn(|j| {
                let v = [c.s, c.b, c.sigma_b][j];
                Dual64::new(v, f64::from(u8::from(j == k)))
            });
            let z = asimov_significance_with_uncertainty(s, b, sigma);
            assert_close(&name, z.re, c.z, 0.0);
            assert_close(&format!("{name} d/d{k}"), z.eps, c.grad[k], 0.0);
        }
    }
}
