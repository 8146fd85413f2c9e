//! Derivatives through the fits and the hypothesis test: dual numbers against central finite
//! differences of the whole fit-and-test, and against the pyhf fixtures' derivatives
//! (Richardson-extrapolated finite differences of pyhf, and the envelope-theorem values from
//! pyhf's jax backend).

use gradhep_core::fit;
use gradhep_core::histfactory::{
    Channel, HistoSysInterp, Model, ModelOptions, Modifier, ModifierKind, NormSysInterp, Sample,
    Workspace,
};
use gradhep_core::infer::{self, TestStat};
use gradhep_core::num_dual::{Dual2_64, Dual64};
use serde_json::Value;

#[path = "support/pyhf.rs"]
mod pyhf;
use pyhf::{expected, fixtures};

/// The default-interpolation variants: (name, expected, workspace, measurement).
fn variants() -> Vec<(String, Value, Workspace, Option<String>)> {
    expected(|p| p.to_string_lossy().ends_with("__default.json"))
        .into_iter()
        .map(|(e, ws)| {
            let meas = e["measurement"].as_str().map(str::to_string);
            (e["name"].as_str().unwrap().to_string(), e, ws, meas)
        })
        .collect()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn cls_at_scale(model: &Model, data: &[f64], scale: f64) -> (f64, f64) {
    let r = infer::hypotest(1.0, data, &model.with_signal_scale(scale), TestStat::QTilde).unwrap();
    (r.cls_obs, r.cls_exp[2])
}

#[test]
fn dcls_dsignal_scale_matches_finite_differences_and_pyhf() {
    for (name, e, ws, meas) in variants() {
        let model = ws.model(meas.as_deref()).unwrap();
        let data = ws.data(&model);
        let dual = model.with_signal_scale(Dual64::new(1.0, 1.0));
        let r = infer::hypotest(1.0, &data, &dual, TestStat::QTilde).unwrap();
        // our own central differences of the full fit-and-test (exact fits, so h can be small)
        let h = 1e-4;
        let (up, down) = (
            cls_at_scale(&model, &data, 1.0 + h),
            cls_at_scale(&model, &data, 1.0 - h),
        );
        let fd_obs = (up.0 - down.0) / (2.0 * h);
        let fd_exp = (up.1 - down.1) / (2.0 * h);
        let close = |a: f64, b: f64, rel: f64, abs: f64| (a - b).abs() <= rel * b.abs() + abs;
        assert!(
            close(r.cls_obs.eps, fd_obs, 1e-5, 1e-8),
            "{name}: dCLs/ds {} vs FD {fd_obs}",
            r.cls_obs.eps
        );
        assert!(
            close(r.cls_exp[2].eps, fd_exp, 1e-5, 1e-8),
            "{name}: dCLs_exp/ds {} vs FD {fd_exp}",
            r.cls_exp[2].eps
        );
        let d = &e["signal_scale_derivatives"];
        let pyhf_fd = &d["finite_differences"]["sample_factor"];
        // pyhf's numpy fits carry noise: ~1e-6 on small models, ~1e-4 on multichannel
        let pyhf = |key: &str| pyhf_fd[key].as_f64().unwrap_or(f64::NAN);
        assert!(
            close(r.cls_obs.eps, pyhf("dcls_obs"), 1e-3, 1e-7) || pyhf("dcls_obs").is_nan(),
            "{name}: dCLs/ds {} vs pyhf FD {}",
            r.cls_obs.eps,
            pyhf_fd["dcls_obs"]
        );
        assert!(
            close(r.cls_exp[2].eps, pyhf("dcls_exp_median"), 1e-3, 1e-7)
                || pyhf("dcls_exp_median").is_nan(),
            "{name}: dCLs_exp/ds {} vs pyhf FD {}",
            r.cls_exp[2].eps,
            pyhf_fd["dcls_exp_median"]
        );
        // the exact references: pyhf's jax-backend logpdf at Newton-polished fits
        let exact = &d["exact_jax"];
        if let Some(jax) = exact["implicit"]["dcls_obs"].as_f64() {
            assert!(
                close(r.cls_obs.eps, jax, 1e-5, 1e-9),
                "{name}: dCLs/ds {} vs exact {jax}",
                r.cls_obs.eps
            );
            if let Some(jax_exp) = exact["finite_differences"]["dcls_exp_median"].as_f64() {
                assert!(
                    close(r.cls_exp[2].eps, jax_exp, 1e-5, 1e-9),
                    "{name}: dCLs_exp/ds {} vs exact {jax_exp}",
                    r.cls_exp[2].eps
                );
            }
        }
        let disc = infer::discovery(&data, &dual).unwrap();
        let h = 1e-4;
        let z_at = |s: f64| {
            infer::discovery(&data, &model.with_signal_scale(s))
                .unwrap()
                .z_exp[2]
        };
        let fd_z = (z_at(1.0 + h) - z_at(1.0 - h)) / (2.0 * h);
        assert!(
            close(disc.z_exp[2].eps, fd_z, 1e-5, 1e-8),
            "{name}: dZ_A/ds {} vs FD {fd_z}",
            disc.z_exp[2].eps
        );
        if let Some(exact_z) = d["exact_jax"]["finite_differences"]["dz_disc_exp_median"].as_f64() {
            assert!(
                close(disc.z_exp[2].eps, exact_z, 1e-5, 1e-8),
                "{name}: dZ_A/ds {} vs exact {exact_z}",
                disc.z_exp[2].eps
            );
        }
        // pyhf's numpy fits scatter by up to ~1e-6 in √q0,A, which its h = 1e-3 difference
        // turns into ~1e-3 relative (shapefactor_control_region): a sanity check only.
        assert!(
            close(disc.z_exp[2].eps, pyhf("dz_disc_exp_median"), 1e-2, 1e-6)
                || pyhf("dz_disc_exp_median").is_nan(),
            "{name}: dZ_A/ds {} vs pyhf FD {}",
            disc.z_exp[2].eps,
            pyhf_fd["dz_disc_exp_median"]
        );
    }
}

#[test]
fn second_derivative_of_cls_matches_differences_of_first_derivatives() {
    for (name, _, ws, meas) in variants() {
        let model = ws.model(meas.as_deref()).unwrap();
        let data = ws.data(&model);
        let second = infer::hypotest(
            1.0,
            &data,
            &model.with_signal_scale(Dual2_64::new(1.0, 1.0, 0.0)),
            TestStat::QTilde,
        )
        .unwrap();
        let h = 1e-4;
        let first = |s: f64| {
            infer::hypotest(
                1.0,
                &data,
                &model.with_signal_scale(Dual64::new(s, 1.0)),
                TestStat::QTilde,
            )
            .unwrap()
            .cls_obs
            .eps
        };
        let fd = (first(1.0 + h) - first(1.0 - h)) / (2.0 * h);
        assert!(
            (second.cls_obs.v2 - fd).abs() <= 1e-4 * fd.abs() + 1e-6,
            "{name}: d²CLs/ds² {} vs FD {fd}",
            second.cls_obs.v2
        );
    }
}

/// The workspace's channels as dual numbers, with a unit tangent on one nominal yield.
fn with_dual_yield(
    ws: &Workspace,
    channel: &str,
    sample: &str,
    bin: usize,
) -> Vec<Channel<Dual64>> {
    let lift = |xs: &[f64]| xs.iter().map(|&x| Dual64::from(x)).collect::<Vec<_>>();
    ws.channels
        .iter()
        .map(|c| Channel {
            name: c.name.clone(),
            samples: c
                .samples
                .iter()
                .map(|s| {
                    let mut data = lift(&s.data);
                    if c.name == channel && s.name == sample {
                        data[bin].eps = 1.0;
                    }
                    Sample {
                        name: s.name.clone(),
                        data,
                        modifiers: s
                            .modifiers
                            .iter()
                            .map(|m| Modifier {
                                name: m.name.clone(),
                                kind: match &m.kind {
                                    ModifierKind::NormFactor => ModifierKind::NormFactor,
                                    ModifierKind::ShapeFactor => ModifierKind::ShapeFactor,
                                    ModifierKind::Lumi => ModifierKind::Lumi,
                                    ModifierKind::NormSys { hi, lo } => ModifierKind::NormSys {
                                        hi: Dual64::from(*hi),
                                        lo: Dual64::from(*lo),
                                    },
                                    ModifierKind::HistoSys { hi_data, lo_data } => {
                                        ModifierKind::HistoSys {
                                            hi_data: lift(hi_data),
                                            lo_data: lift(lo_data),
                                        }
                                    }
                                    ModifierKind::ShapeSys(v) => ModifierKind::ShapeSys(lift(v)),
                                    ModifierKind::StatError(v) => ModifierKind::StatError(lift(v)),
                                },
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect()
}

#[test]
fn derivatives_with_respect_to_each_yield_match_pyhf() {
    let mut rows = 0;
    for (name, e, ws, meas) in variants() {
        let Some(table) = e["yield_derivatives"].as_array() else {
            continue;
        };
        let config = &ws.measurement(meas.as_deref()).unwrap().config;
        let f64_model = ws.model(meas.as_deref()).unwrap();
        let observed = ws.data(&f64_model);
        for row in table {
            let (channel, sample) = (
                row["channel"].as_str().unwrap(),
                row["sample"].as_str().unwrap(),
            );
            let bin = row["bin"].as_u64().unwrap() as usize;
            let options = ModelOptions {
                normsys: NormSysInterp::Code4,
                histosys: HistoSysInterp::Code4p,
            };
            let model =
                Model::new(&with_dual_yield(&ws, channel, sample, bin), config, options).unwrap();
            // the auxiliary data follow the yields (a shapesys τ), as when pyhf rebuilds the model
            let mut data: Vec<Dual64> = observed[..model.nmaindata()]
                .iter()
                .map(|&n| Dual64::from(n))
                .collect();
            data.extend_from_slice(model.auxdata());
            let r = infer::hypotest(1.0, &data, &model, TestStat::QTilde).unwrap();
            let disc = infer::discovery(&data, &model).unwrap();
            let what = format!("{name} {channel}/{sample}[{bin}]");
            // our own central difference of the whole fit-and-test, yield moved by ±h
            let values_at = |shift: f64| {
                let mut channels = ws.channels.clone();
                for c in channels.iter_mut().filter(|c| c.name == channel) {
                    for s in c.samples.iter_mut().filter(|s| s.name == sample) {
                        s.data[bin] += shift;
                    }
                }
                let m = Model::new(&channels, config, options).unwrap();
                let mut d = observed[..m.nmaindata()].to_vec();
                d.extend_from_slice(m.auxdata());
                let r = infer::hypotest(1.0, &d, &m, TestStat::QTilde).unwrap();
                let z = infer::discovery(&d, &m).unwrap();
                [r.cls_obs, r.cls_exp[2], z.z_obs, z.z_exp[2]]
            };
            let nominal = f(&row["nominal"]);
            let h = 1e-4 * nominal.max(1.0);
            // a zero yield cannot go below zero: second-order forward difference there
            let fd_of = |k: usize, at: &dyn Fn(f64) -> [f64; 4]| {
                if nominal > h {
                    (at(h)[k] - at(-h)[k]) / (2.0 * h)
                } else {
                    (-3.0 * at(0.0)[k] + 4.0 * at(h)[k] - at(2.0 * h)[k]) / (2.0 * h)
                }
            };
            let keys = [
                "dcls_obs",
                "dcls_exp_median",
                "dz_disc",
                "dz_disc_exp_median",
            ];
            let ours = [
                r.cls_obs.eps,
                r.cls_exp[2].eps,
                disc.z_obs.eps,
                disc.z_exp[2].eps,
            ];
            for k in 0..4 {
                let (key, ours) = (keys[k], ours[k]);
                let fd = fd_of(k, &values_at);
                if key == "dz_disc" && disc.z_obs.re == 0.0 {
                    // μ̂ on its bound: q0 is clipped to 0 around here, so is its derivative;
                    // differences straddling the clip are not a derivative.
                    assert_eq!(ours, 0.0, "{what} {key}");
                    continue;
                }
                assert!(
                    (ours - fd).abs() <= 1e-5 * fd.abs() + 1e-8,
                    "{what} {key}: {ours} vs FD {fd}"
                );
                // pyhf's differences use steps of 1% and 0.1% of the yield, over which its
                // fits' scatter (~1e-6 in Z) amounts to ~1e-4 absolute.
                let Some(theirs) = row[key].as_f64() else {
                    continue;
                };
                assert!(
                    (ours - theirs).abs() <= 1e-3 * theirs.abs() + 2e-4,
                    "{what} {key}: {ours} vs pyhf FD {theirs}"
                );
            }
            rows += 1;
        }
    }
    assert!(rows > 0, "no yield derivatives in the fixtures");
}

#[test]
fn a_parameter_on_its_bound_has_zero_derivative() {
    // f2: the free fit puts mu on its lower bound 0.
    let ws =
        Workspace::from_file(fixtures().join("workspaces/f2_validation_1bin_lumi.json")).unwrap();
    let model = ws.model(None).unwrap();
    let data = ws.data(&model);
    let dual = model.with_signal_scale(Dual64::new(1.0, 1.0));
    let r = fit::fit(&dual, &data).unwrap();
    let poi = model.poi_index();
    assert!(r.at_bound[poi]);
    assert_eq!((r.bestfit[poi].re, r.bestfit[poi].eps), (0.0, 0.0));
}
