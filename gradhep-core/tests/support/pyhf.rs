//! The pyhf 0.7.6 fixtures of `tests/fixtures/pyhf` (see that folder's README), shared by the
//! parity and the derivative tests.

use gradhep_core::histfactory::Workspace;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The fixture folder; `GRADHEP_PYHF_FIXTURES` points elsewhere.
pub fn fixtures() -> PathBuf {
    std::env::var_os("GRADHEP_PYHF_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pyhf"))
}

/// Every file of `expected/` whose path `keep` accepts, in name order, with the expected
/// values pyhf computed and the workspace they were computed on.
pub fn expected(keep: impl Fn(&Path) -> bool) -> Vec<(Value, Workspace)> {
    let dir = fixtures().join("expected");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| keep(p))
        .collect();
    files.sort();
    assert!(
        files.len() >= 4,
        "expected pyhf fixtures in {}",
        dir.display()
    );
    files
        .iter()
        .map(|path| {
            let e: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            let ws =
                Workspace::from_file(fixtures().join(e["workspace"].as_str().unwrap())).unwrap();
            (e, ws)
        })
        .collect()
}
