//! Models built in code: the same as from the workspace, derivatives of the expected data,
//! and the Fisher information against its closed form.

use gradhep_core::histfactory::{
    Channel, MeasurementConfig, Model, ModelOptions, Modifier, ModifierKind, Sample, Workspace,
};
use gradhep_core::infer;
use gradhep_core::num_dual::Dual64;
use std::path::PathBuf;

fn workspaces() -> Vec<Workspace> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pyhf/workspaces");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| Workspace::from_file(p).unwrap())
        .collect()
}

#[test]
fn a_model_built_in_code_is_the_workspace_model() {
    for ws in workspaces() {
        for meas in &ws.measurements {
            let from_code =
                Model::new(&ws.channels, &meas.config, ModelOptions::default()).unwrap();
            let from_ws = ws.model(Some(&meas.name)).unwrap();
            assert_eq!(from_code, from_ws, "{}", meas.name);
        }
    }
}

fn one_bin(signal: Dual64, background: f64, sigma: f64) -> Model<Dual64> {
    let channel = Channel {
        name: "sr".into(),
        samples: vec![
            Sample {
                name: "signal".into(),
                data: vec![signal],
                modifiers: vec![Modifier {
                    name: "mu".into(),
                    kind: ModifierKind::NormFactor,
                }],
            },
            Sample {
                name: "background".into(),
                data: vec![Dual64::from(background)],
                modifiers: vec![Modifier {
                    name: "unc".into(),
                    kind: ModifierKind::ShapeSys(vec![Dual64::from(sigma)]),
                }],
            },
        ],
    };
    let config = MeasurementConfig {
        poi: "mu".into(),
        parameters: vec![],
    };
    Model::new(&[channel], &config, ModelOptions::default()).unwrap()
}

#[test]
fn expected_data_carries_the_yield_derivative() {
    let model = one_bin(Dual64::new(12.0, 1.0), 50.0, 5.0);
    // λ = μ s + γ b: dλ/ds = μ; the aux τ = (b/σ)² does not depend on s
    let data = model.expected_data(&[1.5, 1.1]);
    assert_eq!((data[0].re, data[0].eps), (1.5 * 12.0 + 1.1 * 50.0, 1.5));
    assert_eq!((data[1].re, data[1].eps), (1.1 * 100.0, 0.0));
}

#[test]
fn fisher_information_has_its_closed_form() {
    let (s, b, sigma) = (12.0, 50.0, 5.0);
    let model = one_bin(Dual64::new(s, 1.0), b, sigma);
    let (mu, gamma) = (1.0, 1.0);
    let tau = (b / sigma).powi(2);
    let lambda = mu * s + gamma * b;
    let info = infer::fisher_information(&model, &[mu, gamma]);
    // I = [[s², s b], [s b, b²]] / λ + diag(0, τ/γ)
    let expected = [
        s * s / lambda,
        s * b / lambda,
        s * b / lambda,
        b * b / lambda + tau / gamma,
    ];
    for (got, want) in info.iter().zip(expected) {
        assert!((got.re - want).abs() < 1e-12 * want, "{} vs {want}", got.re);
    }
    // d I_μμ / ds = (2 s λ − s² μ) / λ² at μ = 1
    let d = (2.0 * s * lambda - s * s * mu) / (lambda * lambda);
    assert!((info[0].eps - d).abs() < 1e-12);
    // Cramér–Rao: σ_μ² = (I⁻¹)_μμ = I_γγ / det I
    let det = expected[0] * expected[3] - expected[1] * expected[2];
    let sigma_mu = infer::cramer_rao_uncertainty(&model, &[mu, gamma])[0];
    assert!((sigma_mu.re - (expected[3] / det).sqrt()).abs() < 1e-12);
}
