//! The `cls` example on every reference workspace: its `--json` output parses, has pyhf's
//! keys, and agrees with the library; a bad file gives a message and a failure status.

use gradhep::histfactory::Workspace;
use gradhep::infer::{self, TestStat};
use std::path::PathBuf;
use std::process::Command;

/// The example's binary, built once with the same cargo and profile as this test
/// (`cargo test --test cls_example` alone does not build examples).
fn example() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut build = Command::new(cargo);
            build.args(["build", "--quiet", "--example", "cls"]);
            if !cfg!(debug_assertions) {
                build.arg("--release");
            }
            assert!(
                build.status().unwrap().success(),
                "building the cls example failed"
            );
            // target/<profile>/deps/<this test> → target/<profile>/examples/cls
            let mut path = std::env::current_exe().unwrap();
            path.pop();
            path.pop();
            path.push("examples");
            path.push(format!("cls{}", std::env::consts::EXE_SUFFIX));
            path
        })
        .clone()
}

fn workspaces() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pyhf/workspaces");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 4);
    files
}

#[test]
fn json_output_on_every_fixture_workspace() {
    for path in workspaces() {
        let out = Command::new(example())
            .arg(&path)
            .arg("--json")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let ws = Workspace::from_file(&path).unwrap();
        let model = ws.model(None).unwrap();
        let data = ws.data(&model);
        let r = infer::hypotest(1.0, &data, &model, TestStat::QTilde).unwrap();
        // the example computes in dual numbers: equal to the f64 path to rounding
        let same = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs();
        assert!(
            same(v["cls_obs"].as_f64().unwrap(), r.cls_obs),
            "{}",
            path.display()
        );
        let exp: Vec<f64> = v["cls_exp"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(exp.len(), 5);
        assert!(
            exp.iter().zip(&r.cls_exp).all(|(a, b)| same(*a, *b)),
            "{exp:?}"
        );
        let bestfit = v["bestfit"].as_object().unwrap();
        assert_eq!(bestfit.len(), model.npars());
        assert!(model.par_names().iter().all(|n| bestfit.contains_key(n)));
        assert!(v["twice_nll"].as_f64().unwrap().is_finite());
        assert!(v["dcls_obs_dsignal_scale"].as_f64().unwrap().is_finite());
    }
}

#[test]
fn text_output_names_the_parameters() {
    let path = &workspaces()[0];
    let out = Command::new(example())
        .arg(path)
        .args(["--poi", "0.5", "--test-stat", "q"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("CLs observed: "), "{text}");
    assert!(text.contains("best fit:") && text.contains("twice NLL: "));
}

#[test]
fn a_bad_file_fails_with_the_message_and_no_backtrace() {
    let bad = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pyhf/malformed/unknown_modifier_type.json");
    let out = Command::new(example()).arg(&bad).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("unknown modifier type \"shapesyst\""), "{err}");
    assert!(err.contains("modifiers["), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    let missing = Command::new(example())
        .arg("/no/such/workspace.json")
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(
        String::from_utf8(missing.stderr)
            .unwrap()
            .contains("cannot read")
    );
}
