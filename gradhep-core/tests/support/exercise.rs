//! Whatever loads, through the model, the likelihood and a short fit: shared by the no-panic
//! proptest and the fuzz target (`fuzz/fuzz_targets/workspace_loader.rs`).

use gradhep_core::fit::{self, FitOptions};
use gradhep_core::histfactory::Workspace;

/// Loads, builds every measurement's model, evaluates and fits briefly; `Err` anywhere is
/// fine, and the result says how far it got (0: not a workspace; 1 + the models built).
pub fn exercise(text: &str) -> usize {
    let Ok(ws) = Workspace::from_json(text) else {
        return 0;
    };
    let mut models = 0;
    for meas in &ws.measurements {
        let Ok(model) = ws.model(Some(&meas.name)) else {
            continue;
        };
        let data = ws.data(&model);
        let _ = model.logpdf(model.suggested_init(), &data);
        let options = FitOptions {
            max_iterations: 10,
            ..FitOptions::default()
        };
        let _ = fit::fit_with(&model, &data, &options);
        models += 1;
    }
    models + 1
}
