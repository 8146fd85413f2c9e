//! Checks shared by the tests of `#[differentiable]`: companions against central finite
//! differences of the plain function.

#![allow(dead_code, unused_macros)]

/// Defines a function twice from one source: `$name` with the attribute, `$plain` as the
/// untouched `f64` original.
macro_rules! twice {
    (#[$attr:meta] fn $name:ident / $plain:ident $($rest:tt)*) => {
        #[$attr]
        fn $name $($rest)*
        #[allow(clippy::all)]
        fn $plain $($rest)*
    };
}

#[track_caller]
pub fn bit_identical(generic: f64, plain: f64) {
    assert_eq!(generic.to_bits(), plain.to_bits(), "{generic} vs {plain}");
}

/// `|a − b| ≤ rel·|b| + abs`.
pub fn close(a: f64, b: f64, rel: f64, abs: f64) -> bool {
    (a - b).abs() <= rel * b.abs() + abs
}

#[track_caller]
pub fn assert_close(what: &str, a: f64, b: f64, rel: f64) {
    assert!(
        close(a, b, rel, 1e-9),
        "{what}: {a} vs {b} (relative difference {:e})",
        ((a - b) / b).abs()
    );
}

/// Central difference of `f` along coordinate `i`, Richardson-extrapolated (error O(h⁴)),
/// with a step scaled to the coordinate.
pub fn central_difference<const K: usize>(
    f: impl Fn([f64; K]) -> f64,
    x: [f64; K],
    i: usize,
) -> f64 {
    let step = |h: f64| {
        let (mut up, mut down) = (x, x);
        up[i] += h;
        down[i] -= h;
        (f(up) - f(down)) / (up[i] - down[i])
    };
    let h = 1e-4 * x[i].abs().max(1.0);
    (4.0 * step(h / 2.0) - step(h)) / 3.0
}

/// The gradient companion against central differences of the plain function (relative
/// 1e-6), the Hessian companion against central differences of the gradient, and the
/// value and gradient the two companions share.
#[track_caller]
#[allow(clippy::needless_range_loop)] // i, j are the derivative indices of the formulas
pub fn check_companions<const K: usize>(
    f: impl Fn([f64; K]) -> f64,
    grad: impl Fn([f64; K]) -> (f64, [f64; K]),
    hessian: impl Fn([f64; K]) -> (f64, [f64; K], [[f64; K]; K]),
    x: [f64; K],
) {
    let (value, g) = grad(x);
    assert_close("value of _grad", value, f(x), 1e-14);
    for i in 0..K {
        assert_close(
            &format!("∂f/∂x{i}"),
            g[i],
            central_difference(&f, x, i),
            1e-6,
        );
    }
    let (value2, g2, h) = hessian(x);
    assert_close("value of _hessian", value2, value, 1e-14);
    for i in 0..K {
        assert_close(&format!("∇f[{i}] of _hessian"), g2[i], g[i], 1e-13);
        for j in 0..K {
            let fd = central_difference(|y| grad(y).1[i], x, j);
            assert_close(&format!("∂²f/∂x{i}∂x{j}"), h[i][j], fd, 1e-6);
            assert_close(&format!("symmetry [{i}][{j}]"), h[i][j], h[j][i], 1e-12);
        }
    }
}
