//! `par_sum` inside `#[differentiable]` bodies: values and gradients against the same event
//! loop written serially, and independence from the number of threads.

use gradhep::differentiable;
use gradhep::par_sum;
use gradhep::smooth::sigmoid;
use gradhep::stats::asimov_significance;

/// Deterministic, roughly normal events (no RNG dependency needed for a test).
fn events(n: usize, mean: f64) -> Vec<f64> {
    (0..n)
        .map(|i| {
            let u = (i as f64 + 0.5) / n as f64;
            mean + 2.0 * (std::f64::consts::PI * u).sin() * (7.3 * u).cos()
        })
        .collect()
}

#[differentiable]
fn yield_parallel(c: f64, t: f64, x: &[f64]) -> f64 {
    par_sum(x, |&xi| sigmoid((xi - c) / t))
}

#[differentiable]
fn yield_serial(c: f64, t: f64, x: &[f64]) -> f64 {
    let mut y = 0.0;
    for &xi in x {
        y += sigmoid((xi - c) / t);
    }
    y
}

/// The event value is data (`wrt` leaves it `f64`), so a closure over `&[f64]` passes it as is.
#[differentiable(wrt(c1, c2))]
fn window(x: f64, c1: f64, c2: f64) -> f64 {
    sigmoid((x - c1) / 0.1) * sigmoid((c2 - x) / 0.1)
}

#[differentiable]
fn neos_parallel(c1: f64, c2: f64, xs: &[f64], xb: &[f64]) -> f64 {
    let s = 50.0 / xs.len() as f64 * par_sum(xs, |&x| window(x, c1, c2));
    let b = 1000.0 / xb.len() as f64 * par_sum(xb, |&x| window(x, c1, c2));
    asimov_significance(s, b)
}

#[differentiable]
fn neos_serial(c1: f64, c2: f64, xs: &[f64], xb: &[f64]) -> f64 {
    let s = 50.0 / xs.len() as f64 * xs.iter().map(|&x| window(x, c1, c2)).sum::<f64>();
    let b = 1000.0 / xb.len() as f64 * xb.iter().map(|&x| window(x, c1, c2)).sum::<f64>();
    asimov_significance(s, b)
}

fn assert_close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-12 * b.abs().max(1.0),
        "{what}: parallel {a} vs serial {b}"
    );
}

#[test]
fn soft_cut_yield_matches_the_serial_loop() {
    // many shards, and a length that is not a multiple of the shard length
    let x = events(200_003, 0.0);
    let (y, [dc, dt]) = yield_parallel_grad(0.5, 0.1, &x);
    let (ys, [dcs, dts]) = yield_serial_grad(0.5, 0.1, &x);
    assert_close(y, ys, "y");
    assert_close(dc, dcs, "dy/dc");
    assert_close(dt, dts, "dy/dt");
    assert_eq!(y, yield_parallel(0.5, 0.1, &x));
    // the gradient is not trivially zero
    assert!(dc < -1e3 && dt.abs() > 1e2);
}

#[test]
fn neos_lite_significance_matches_the_serial_loop() {
    let (xs, xb) = (events(50_000, 1.0), events(70_001, -1.0));
    let (z, [d1, d2]) = neos_parallel_grad(0.5, 2.5, &xs, &xb);
    let (zs, [d1s, d2s]) = neos_serial_grad(0.5, 2.5, &xs, &xb);
    assert_close(z, zs, "Z");
    assert_close(d1, d1s, "dZ/dc1");
    assert_close(d2, d2s, "dZ/dc2");
    assert!(d1.abs() > 1e-3 && d2.abs() > 1e-3);
}

#[test]
fn short_and_empty_inputs() {
    assert_eq!(yield_parallel(0.0, 1.0, &[]), 0.0);
    let (y, [dc, _]) = yield_parallel_grad(0.0, 1.0, &[0.0]);
    assert_eq!((y, dc), (0.5, -0.25));
}

#[test]
fn the_same_bits_on_one_thread_and_on_many() {
    let x = events(100_000, 0.0);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    let four = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .expect("a four-thread pool");
    let a = one.install(|| yield_parallel_grad(0.3, 0.2, &x));
    let b = four.install(|| yield_parallel_grad(0.3, 0.2, &x));
    assert_eq!(a, b);
}
