//! Any bytes into the workspace loader, and whatever loads through the model, the
//! likelihood and a short fit: errors are fine, panics are not.

#![no_main]

use gradhep_core::fit::{self, FitOptions};
use gradhep_core::histfactory::Workspace;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let Ok(ws) = Workspace::from_json(text) else {
        return;
    };
    for meas in &ws.measurements {
        let Ok(model) = ws.model(Some(&meas.name)) else {
            continue;
        };
        let data = ws.data(&model);
        let _ = model.logpdf(model.suggested_init(), &data);
        let options = FitOptions {
            max_iterations: 20,
            ..FitOptions::default()
        };
        let _ = fit::fit_with(&model, &data, &options);
    }
});
