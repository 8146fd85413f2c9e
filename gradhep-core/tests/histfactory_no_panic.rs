//! The loader never panics: truncated, byte-mutated and value-mutated workspaces either
//! load (and then evaluate and fit without panicking) or return an error.

use proptest::prelude::*;
use serde_json::Value;

#[path = "support/exercise.rs"]
mod exercise;
use exercise::exercise;

fn seed() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/pyhf/workspaces/multichannel_all_modifiers.json"
    );
    std::fs::read_to_string(path).unwrap()
}

/// Every number, string, array and object in `v`, by JSON-pointer-like index.
fn leaves(v: &Value, out: &mut Vec<Vec<PathStep>>, path: &mut Vec<PathStep>) {
    out.push(path.clone());
    match v {
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(PathStep::Index(i));
                leaves(x, out, path);
                path.pop();
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                path.push(PathStep::Key(k.clone()));
                leaves(x, out, path);
                path.pop();
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum PathStep {
    Index(usize),
    Key(String),
}

fn at<'a>(v: &'a mut Value, path: &[PathStep]) -> &'a mut Value {
    path.iter().fold(v, |v, step| match step {
        PathStep::Index(i) => &mut v[*i],
        PathStep::Key(k) => &mut v[k.as_str()],
    })
}

fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(serde_json::json!(-1.0)),
        Just(serde_json::json!(0.0)),
        Just(serde_json::json!(1e308)),
        Just(serde_json::json!(1e-300)),
        Just(serde_json::json!("text")),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
        Just(serde_json::json!([1.0, 2.0, 3.0, 4.0])),
        Just(serde_json::json!(true)),
    ]
}

#[test]
fn the_seed_itself_loads() {
    assert!(exercise(&seed()) > 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn truncated_json_is_an_error(cut in 0usize..10_000) {
        let text = seed();
        // short of the closing brace: trailing whitespace cut off is still the whole document
        let cut = cut % text.trim_end().len();
        prop_assert_eq!(exercise(&text[..cut]), 0);
    }

    #[test]
    fn mutated_bytes_never_panic(edits in prop::collection::vec((0usize..100_000, any::<u8>()), 1..8)) {
        let mut bytes = seed().into_bytes();
        let n = bytes.len();
        for (i, b) in edits {
            bytes[i % n] = b;
        }
        if let Ok(text) = String::from_utf8(bytes) {
            exercise(&text);
        }
    }

    #[test]
    fn mutated_values_never_panic(picks in prop::collection::vec((any::<prop::sample::Index>(), replacement()), 1..4)) {
        let mut value: Value = serde_json::from_str(&seed()).unwrap();
        for (index, new) in picks {
            let mut all = Vec::new();
            leaves(&value, &mut all, &mut Vec::new());
            let path = index.get(&all).clone();
            *at(&mut value, &path) = new;
        }
        exercise(&value.to_string());
    }
}
