//! A shortened neos: the loss goes down, and the exact gradient of the whole pipeline
//! (network → kde → HistFactory model → fits → CLs) agrees with central finite differences.

// The example's pipeline, compiled here as it is there; the test uses only part of it.
#[allow(dead_code)]
#[path = "../examples/neos/pipeline.rs"]
mod pipeline;

use pipeline::{K, Loss, Samples, Setup, initial_weights, loss, loss_grad, train};

const EVENTS: usize = 300;
const SEED: u64 = 3;

fn shortened() -> (Samples, [f64; K]) {
    (Samples::generate(EVENTS, SEED), initial_weights(SEED))
}

/// `(f(w + h eᵢ) − f(w − h eᵢ)) / 2h` of the pipeline's loss.
fn central_difference(
    w: [f64; K],
    i: usize,
    h: f64,
    samples: &Samples,
    setup: &Setup,
    kind: Loss,
) -> f64 {
    let at = |delta: f64| {
        let mut v = w;
        v[i] += delta;
        loss(v, samples, setup, kind).expect("the shifted pipeline evaluates")
    };
    (at(h) - at(-h)) / (2.0 * h)
}

/// Compares `loss_grad` with central differences on the two largest gradient components
/// and on one weight of each layer (first layer, second layer, output layer).
fn check_gradient(setup: &Setup, kind: Loss) {
    let (samples, w) = shortened();
    let (value, gradient) = loss_grad(w, &samples, setup, kind).expect("the pipeline evaluates");
    // The dual pass lifts each fit's optimum by one implicit Newton step, so its value
    // agrees with the plain one to rounding, not bit for bit.
    let plain = loss(w, &samples, setup, kind).unwrap();
    assert!(
        (value - plain).abs() <= 1e-10 * plain.abs(),
        "{value} vs {plain}"
    );
    let mut by_size: Vec<usize> = (0..K).collect();
    by_size.sort_by(|&a, &b| gradient[b].abs().total_cmp(&gradient[a].abs()));
    let scale = gradient[by_size[0]].abs();
    assert!(scale > 0.0, "the gradient is identically zero");
    // Components far below the largest are left out: there the fits' rounding noise
    // (~1e-14 in the loss, ~1e-10 after dividing by 2h) exceeds 1e-5 of the component.
    let mut components: Vec<usize> = [by_size[0], by_size[1], 1, 3 * pipeline::HIDDEN + 2, K - 2]
        .into_iter()
        .filter(|&i| gradient[i].abs() >= 1e-2 * scale)
        .collect();
    components.sort_unstable();
    components.dedup();
    assert!(
        components.len() >= 3,
        "too few sizeable components: {components:?}"
    );
    for i in components {
        // Truncation ~h²f''' and rounding ~ε f/h both stay far below 1e-5 of the gradient.
        let h = 1e-4 * w[i].abs().max(1.0);
        let fd = central_difference(w, i, h, &samples, setup, kind);
        let error = (gradient[i] - fd).abs() / gradient[i].abs();
        assert!(
            error < 1e-5,
            "{kind:?}: d loss / d w[{i}] = {} from loss_grad, {fd} by central differences \
             (relative error {error:e})",
            gradient[i]
        );
    }
}

#[test]
fn cls_gradient_matches_central_differences() {
    check_gradient(&Setup::default(), Loss::Cls);
}

#[test]
fn cls_gradient_with_staterror_matches_central_differences() {
    let setup = Setup {
        staterror: true,
        ..Setup::default()
    };
    check_gradient(&setup, Loss::Cls);
}

#[test]
fn discovery_and_cramer_rao_gradients_match_central_differences() {
    check_gradient(&Setup::default(), Loss::Discovery);
    check_gradient(&Setup::default(), Loss::CramerRao);
}

#[test]
fn bce_gradient_matches_central_differences() {
    check_gradient(&Setup::default(), Loss::Bce);
}

#[test]
fn cls_training_lowers_the_loss() {
    let (samples, w) = shortened();
    let setup = Setup::default();
    let mut seen = 0;
    let run =
        train(w, &samples, &setup, Loss::Cls, 6, 0.02, |_, _| seen += 1).expect("training runs");
    let history = &run.outcome.history.loss;
    assert_eq!(history.len(), 7);
    assert_eq!(seen, 7);
    assert!(
        history[6] < history[0],
        "the CLs loss did not decrease: {history:?}"
    );
    // With the CLs loss the recorded CLs is the loss itself.
    for (m, l) in run.metrics.iter().zip(history) {
        assert!((m.cls - l).abs() <= 1e-12 * l.abs());
    }
}
