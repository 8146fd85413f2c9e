//! Any bytes into the workspace loader, and whatever loads through the model, the
//! likelihood and a short fit: errors are fine, panics are not.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../gradhep-core/tests/support/exercise.rs"]
mod exercise;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(text) = std::str::from_utf8(bytes) {
        exercise::exercise(text);
    }
});
