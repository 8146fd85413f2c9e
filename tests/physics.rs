use gradhep::differentiable;

#[differentiable]
fn invariant_mass(e1: f64, px1: f64, py1: f64, pz1: f64, e2: f64, px2: f64, py2: f64, pz2: f64) -> f64 {
    let e = e1 + e2;
    let px = px1 + px2;
    let py = py1 + py2;
    let pz = pz1 + pz2;
    (e * e - px * px - py * py - pz * pz).sqrt()
}

#[differentiable]
fn sigmoid_efficiency(x: f64, cut: f64, width: f64) -> f64 {
    1.0 / (1.0 + (-(x - cut) / width).exp())
}

#[differentiable(wrt(cut))]
fn soft_yield(cut: f64, events: &[f64], weights: &[f64]) -> f64 {
    events
        .iter()
        .zip(weights)
        .map(|(x, w)| w / (1.0 + ((cut - x) / 0.1).exp()))
        .sum()
}

#[test]
fn smoke() {
    let m = invariant_mass(10.0, 1.0, 2.0, 3.0, 12.0, -1.0, 0.5, 2.0);
    let (m2, g) = invariant_mass_grad(10.0, 1.0, 2.0, 3.0, 12.0, -1.0, 0.5, 2.0);
    assert_eq!(m, m2);
    println!("{g:?}");
    let (_, g) = sigmoid_efficiency_grad(1.0, 0.5, 0.2);
    println!("{g:?}");
    let (y, g) = soft_yield_grad(0.5, &[0.1, 0.6, 0.9], &[1.0, 2.0, 1.5]);
    println!("{y} {g:?}");
}
