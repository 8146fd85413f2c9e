//! Every malformed workspace of `tests/fixtures/pyhf/malformed` (one defect each, see its
//! README) is refused with a message that names the place and the problem.

use gradhep_core::histfactory::Workspace;
use std::path::PathBuf;

/// (file, place the message must name, words it must contain)
const CASES: &[(&str, &str, &str)] = &[
    (
        "channels_is_object",
        "channels:",
        "expected an array, found an object",
    ),
    (
        "duplicate_channel_names",
        "channels[1].name:",
        "duplicate channel name \"SR\"",
    ),
    (
        "duplicate_sample_names",
        "channels[0].samples[1].name:",
        "duplicate sample name \"background\"",
    ),
    ("empty_channel", "channels[1].samples:", "has no samples"),
    ("empty_measurements", "measurements:", "no measurement"),
    (
        "histosys_wrong_length",
        "channels[0].samples[1].modifiers[1].data.hi_data:",
        "3 bins but the channel has 2",
    ),
    (
        "lumi_without_config",
        "measurements[0].config.parameters:",
        "lumi parameter \"lumi\" needs \"auxdata\"",
    ),
    (
        "missing_measurements",
        "(root):",
        "missing field \"measurements\"",
    ),
    ("missing_version", "(root):", "missing field \"version\""),
    (
        "nan_yield",
        "invalid JSON at line 32, column 7",
        "expected value",
    ),
    (
        "negative_yield",
        "channels[0].samples[1].data[1]:",
        "yield -15 is not a non-negative number",
    ),
    (
        "normsys_data_is_list",
        "channels[0].samples[0].modifiers[1].data:",
        "expected an object, found an array",
    ),
    (
        "null_yield",
        "channels[0].samples[1].data[1]:",
        "expected a number, found null",
    ),
    (
        "observation_bin_count_mismatch",
        "observations[0].data:",
        "3 observed bins but channel \"SR\" has 2",
    ),
    (
        "observation_missing",
        "observations:",
        "no observation for channel \"CR\"",
    ),
    (
        "observation_unknown_channel",
        "observations[2].name:",
        "unknown channel \"VR\"",
    ),
    (
        "parameter_bounds_wrong_shape",
        "measurements[0].config.parameters[0].bounds[0]:",
        "expected an array, found a number",
    ),
    (
        "poi_is_normsys",
        "measurements[0].config.poi:",
        "is a normsys parameter; it must be a normfactor",
    ),
    (
        "poi_is_shapesys",
        "measurements[0].config.poi:",
        "has 2 components",
    ),
    (
        "poi_not_declared",
        "measurements[0].config.poi:",
        "\"mu_sig\" is not the name of any modifier",
    ),
    (
        "sample_bin_count_mismatch",
        "channels[0].samples[1].data:",
        "2 bins but the channel has 3",
    ),
    (
        "shapesys_negative_uncertainty",
        "channels[0].samples[1].modifiers[0].data[0]:",
        "uncertainty -3 is not a non-negative number",
    ),
    (
        "shapesys_wrong_length",
        "channels[0].samples[1].modifiers[0].data:",
        "1 bins but the channel has 2",
    ),
    (
        "staterror_wrong_length",
        "channels[1].samples[0].modifiers[0].data:",
        "2 bins but the channel has 1",
    ),
    (
        "truncated_json",
        "invalid JSON at line 47, column 2",
        "EOF while parsing",
    ),
    (
        "unknown_modifier_type",
        "channels[0].samples[1].modifiers[0].type:",
        "unknown modifier type \"shapesyst\"",
    ),
    (
        "yield_is_string",
        "channels[0].samples[0].data[0]:",
        "expected a number, found a string",
    ),
];

fn malformed() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pyhf/malformed")
}

#[test]
fn every_malformed_workspace_is_refused_with_its_place_and_problem() {
    for (file, place, problem) in CASES {
        let path = malformed().join(format!("{file}.json"));
        let result = Workspace::from_file(&path).and_then(|ws| ws.model(None).map(|m| ws.data(&m)));
        let message = match result {
            Ok(_) => panic!("{file}: accepted"),
            Err(e) => e.to_string(),
        };
        assert!(
            message.starts_with(place),
            "{file}: {message:?} should start with {place:?}"
        );
        assert!(
            message.contains(problem),
            "{file}: {message:?} should say {problem:?}"
        );
    }
}

#[test]
fn every_fixture_file_has_a_case() {
    let mut files: Vec<String> = std::fs::read_dir(malformed())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut cases: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    cases.sort();
    assert_eq!(files, cases);
}
