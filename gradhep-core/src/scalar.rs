//! The scalar that differentiable code is generic over, and the few operations on it that
//! num-dual does not provide.
//!
//! A `#[differentiable]` function becomes generic over one type `D: Scalar`. Calling it with
//! `f64` computes the plain value; calling it with a num-dual type computes derivatives:
//! [`Dual64`](num_dual::Dual64) for one direction, [`DualDense64<K>`](crate::DualDense64) (what
//! the `_grad` companions use) or num-dual's [`DualSVec64<K>`](num_dual::DualSVec64) for a
//! gradient, [`Dual2SVec64<K>`](num_dual::Dual2SVec64) or
//! [`HyperDual64`](num_dual::HyperDual64) for second derivatives, nested duals for more;
//! [`Rev`] (reverse mode) for the Jacobian of a few event sums in many
//! parameters.

use crate::DualDense64;
use crate::reverse::Rev;
use nalgebra::{Const, DefaultAllocator, Dim, U1, allocator::Allocator};
use num_dual::DualStruct;
use num_dual::{
    Dual, Dual2, Dual2SVec64, Dual2Vec, Dual3, DualNum, DualVec, HyperDual, HyperDualVec,
    HyperHyperDual, Real,
};

/// A number that may carry derivatives: `f64` or any `Copy` num-dual type over `f64`.
///
/// This is the one bound that `#[differentiable]` emits. Every num-dual operation is
/// available on it (arithmetic with `Self` and with `f64` on the right, `exp`, `ln`, `powf`,
/// `sin_cos`, ...); the functions of this module add what num-dual lacks.
///
/// ```
/// use gradhep_core::Scalar;
/// use gradhep_core::num_dual::{first_derivative, Dual64};
///
/// fn energy<D: Scalar>(p: D, m: f64) -> D {
///     (p * p + m * m).sqrt()
/// }
/// assert_eq!(energy(3.0, 4.0), 5.0);
/// let (e, de_dp) = first_derivative(|p: Dual64| energy(p, 4.0), 3.0);
/// assert_eq!(e, 5.0);
/// assert!((de_dp - 0.6).abs() < 1e-15); // p / E
/// ```
pub trait Scalar: DualNum<Primitive = f64> + Copy + Send + Sync + Elem<Self> {}

impl<T> Scalar for T where T: DualNum<Primitive = f64> + Copy + Send + Sync + Elem<T> {}

/// An element of a slice that meets values of the scalar type `D`: either plain `f64` (event
/// data, fixed bin edges) or `D` itself (network outputs, trainable edges).
///
/// `f64` is an `Elem<D>` for every `D`; each num-dual type, [`DualDense64<K>`] and [`Rev`],
/// is an `Elem` of itself only. A function such as
/// `kde<D, V: Elem<D>>(values: &[V], .., bandwidth: D)` therefore infers `D` from dual values,
/// and from the bandwidth when the values are plain data — without copying data into duals.
pub trait Elem<D>: Copy + Send + Sync {
    /// The real part (the value itself for `f64`).
    fn re(self) -> f64;
    /// The element as the scalar type: `D::from(x)` for `f64`, the identity for `D`.
    fn to_scalar(self) -> D;
    /// `Some(x)` for plain `f64` data, `None` for a dual: lets mixed arithmetic stay in `f64`
    /// (or scale tangents) instead of lifting data to full duals. Resolved at compile time.
    fn plain(self) -> Option<f64>;
    /// `f(self)` for a function given by its value and first three derivatives at
    /// `self.re()`, `f = [f0, f1, f2, f3]` (what [`custom_unary`] applies): `D::from(f0)` for
    /// plain data, the chain rule `f0 + f1·ε` for a first-order dual, the series of
    /// [`custom_unary`] for a higher-order one.
    ///
    /// ```
    /// use gradhep_core::Elem;
    /// use gradhep_core::num_dual::Dual64;
    /// let exp_at_0 = [1.0; 4];
    /// let y: Dual64 = Dual64::new(0.0, 2.0).compose(exp_at_0);
    /// assert_eq!((y.re, y.eps), (1.0, 2.0));
    /// ```
    fn compose(self, f: [f64; 4]) -> D;
}

impl<D: DualNum<Primitive = f64>> Elem<D> for f64 {
    #[inline]
    fn re(self) -> f64 {
        self
    }
    #[inline]
    fn to_scalar(self) -> D {
        D::from(self)
    }
    #[inline]
    fn plain(self) -> Option<f64> {
        Some(self)
    }
    #[inline]
    fn compose(self, f: [f64; 4]) -> D {
        D::from(f[0])
    }
}

// Each num-dual family, `DualDense64` and `Rev`, is an element of itself only: that is what
// lets a dual slice pin the scalar type during inference.
macro_rules! impl_elem_for_itself {
    ($ty:ty, [$($gen:tt)*], [$($bound:tt)*], |$x:ident, $f:ident| $compose:expr) => {
        impl<$($gen)*> Elem<$ty> for $ty
        where
            $ty: DualNum<Primitive = f64> + Copy + Send + Sync,
            $($bound)*
        {
            #[inline]
            fn re(self) -> f64 {
                DualStruct::re(&self)
            }
            #[inline]
            fn to_scalar(self) -> Self {
                self
            }
            #[inline]
            fn plain(self) -> Option<f64> {
                None
            }
            #[inline]
            fn compose(self, $f: [f64; 4]) -> Self {
                let $x = self;
                $compose
            }
        }
    };
}

/// `x − x.re()` with its real part exactly zero where the inner type `T` carries no
/// derivatives (`x − ∞` would leave `∞ − ∞` there); a nested dual keeps the plain difference.
macro_rules! infinitesimal {
    ($x:ident, $inner:ty) => {{
        let mut dx = $x - DualStruct::re(&$x);
        if <$inner as DualNum>::NDERIV == 0 {
            dx.re = <$inner>::zero();
        }
        dx
    }};
}

/// The first-order chain rule for a num-dual type whose inner type `T` carries no derivatives
/// (`x·f1`, then the value set to `f0`), the series of [`custom_unary`] for a nested one.
macro_rules! first_order_or_series {
    ($x:ident, $f:ident, $inner:ty) => {
        if <$inner as DualNum>::NDERIV == 0 {
            let mut y = $x * $f[1];
            y.re = <$inner>::from($f[0]);
            y
        } else {
            taylor_series(infinitesimal!($x, $inner), $f)
        }
    };
}

impl_elem_for_itself!(Real<T>, [T: DualNum<Primitive = f64>], [], |_x, f| Self::from(f[0]));
impl_elem_for_itself!(Dual<T>, [T: DualNum<Primitive = f64>], [], |x, f| {
    first_order_or_series!(x, f, T)
});
impl_elem_for_itself!(Dual2<T>, [T: DualNum<Primitive = f64>], [], |x, f| {
    taylor_series(infinitesimal!(x, T), f)
});
impl_elem_for_itself!(Dual3<T>, [T: DualNum<Primitive = f64>], [], |x, f| {
    taylor_series(infinitesimal!(x, T), f)
});
impl_elem_for_itself!(HyperDual<T>, [T: DualNum<Primitive = f64>], [], |x, f| {
    taylor_series(infinitesimal!(x, T), f)
});
impl_elem_for_itself!(HyperHyperDual<T>, [T: DualNum<Primitive = f64>], [], |x, f| {
    taylor_series(infinitesimal!(x, T), f)
});
impl_elem_for_itself!(
    DualVec<T, N>,
    [T: DualNum<Primitive = f64>, N: Dim],
    [DefaultAllocator: Allocator<N>,],
    |x, f| first_order_or_series!(x, f, T)
);
impl_elem_for_itself!(
    Dual2Vec<T, N>,
    [T: DualNum<Primitive = f64>, N: Dim],
    [DefaultAllocator: Allocator<N> + Allocator<U1, N> + Allocator<N, N>,],
    |x, f| taylor_series(infinitesimal!(x, T), f)
);
impl_elem_for_itself!(
    HyperDualVec<T, M, N>,
    [T: DualNum<Primitive = f64>, M: Dim, N: Dim],
    [DefaultAllocator: Allocator<M> + Allocator<U1, N> + Allocator<M, N>,],
    |x, f| taylor_series(infinitesimal!(x, T), f)
);
impl_elem_for_itself!(DualDense64<K>, [const K: usize], [], |x, f| x.chain_rule(f[0], f[1]));
impl_elem_for_itself!(Rev, [], [], |x, f| x.unary(f[0], f[1]));

/// An operand that reads as a value of `D`: `D` itself or `&D`.
///
/// num-dual implements `D * &D` but not `&D * &D` for a generic `D`, while `f64` code freely
/// multiplies references (`xs.iter().map(|x| x * x)`). Generated code passes such operands
/// through [`value`], which makes both forms one type.
pub trait Value<D> {
    /// The operand by value.
    fn value(self) -> D;
}

impl<D: Scalar> Value<D> for D {
    #[inline]
    fn value(self) -> D {
        self
    }
}

impl<D: Scalar> Value<D> for &D {
    #[inline]
    fn value(self) -> D {
        *self
    }
}

/// The operand `x` (a `D` or a `&D`) by value.
///
/// ```
/// use gradhep_core::value;
/// let x = 2.0_f64;
/// assert_eq!(value(&x) * value(x), 4.0);
/// ```
#[inline]
pub fn value<D: Scalar>(x: impl Value<D>) -> D {
    x.value()
}

/// A passive `f64` as whatever scalar type the place it goes to expects.
///
/// Inside a `#[differentiable]` body, `cut_above(x, cut, 0.1)` is generated as
/// `cut_above(x, cut, lift(0.1))`: the literal becomes the dual type if `cut_above`'s width
/// parameter is the scalar type, and stays `f64` if it is plain `f64`.
///
/// ```
/// use gradhep_core::lift;
/// use gradhep_core::num_dual::Dual64;
/// let a: f64 = lift(0.5);
/// let b: Dual64 = lift(0.5);
/// assert_eq!((a, b.re, b.eps), (0.5, 0.5, 0.0));
/// ```
#[inline]
pub fn lift<T: From<f64>>(x: f64) -> T {
    T::from(x)
}

/// The value of `x` as a plain `f64`, without its derivatives.
///
/// The explicit way to use a differentiable value where its derivative must not flow, such
/// as a bin index or a branch: `if detach(x) > 0.0 { .. }` reads as what it is.
///
/// ```
/// use gradhep_core::detach;
/// use gradhep_core::num_dual::Dual64;
/// assert_eq!(detach(Dual64::new(1.5, 1.0)), 1.5);
/// assert_eq!(detach(&2.0), 2.0);
/// ```
#[inline]
pub fn detach<D: Scalar>(x: impl Value<D>) -> f64 {
    x.value().re()
}

/// Applies a function given by its value and first three derivatives at `x.re()`:
/// `f(x) = f0 + f1·dx + f2·dx²/2 + f3·dx³/6` with `dx = x − x.re()`.
///
/// `dx` has no real part, so for a type of derivative order `D::NDERIV ≤ 3` the truncated
/// series is exact, including all cross terms of nested and hyper-dual numbers. Terms beyond
/// the type's order are skipped; `f` may leave them as anything finite. A first-order type
/// (`Dual64`, `DualDense64`, `DualSVec64`, [`Rev`]) takes the chain rule `f0 + f1·ε`
/// directly ([`Elem::compose`]), and a higher-order one sets the real part of `dx` to exactly
/// zero, so that at `x = ±∞` both give the limit `f0`, as `f64` does (σ(∞) is 1 with zero
/// derivatives). Only a nested dual (`Dual<Dual64>`, …) has `dx` with the real part `∞ − ∞`
/// there, and so a NaN value.
///
/// # Panics
/// If `D::NDERIV > 3` (fourth-order types need a fourth derivative).
///
/// ```
/// use gradhep_core::custom_unary;
/// use gradhep_core::num_dual::{second_derivative, Dual2_64};
/// // exp through its Taylor coefficients
/// let exp = |x: Dual2_64| custom_unary(x, |x0| [x0.exp(); 4]);
/// let (f, df, d2f) = second_derivative(exp, 1.0);
/// assert_eq!((f, df, d2f), (1f64.exp(), 1f64.exp(), 1f64.exp()));
/// ```
// Always inlined: at `Rev`, LLVM kept it out of line in a network's event (W4: tanh), and the
// call cost 3–4 % of the event.
#[inline(always)]
pub fn custom_unary<D: Scalar>(x: D, f: impl FnOnce(f64) -> [f64; 4]) -> D {
    assert!(
        D::NDERIV <= 3,
        "custom_unary is exact up to third order; this type has order {}",
        D::NDERIV
    );
    x.compose(f(x.re()))
}

/// `f0 + f1·dx + f2·dx²/2 + f3·dx³/6`, terms beyond the order of `D` skipped, for the
/// infinitesimal part `dx = x − x.re()` of the argument: [`custom_unary`] for the
/// higher-order types.
#[inline(always)]
fn taylor_series<D: DualNum<Primitive = f64> + Copy>(dx: D, [f0, f1, f2, f3]: [f64; 4]) -> D {
    let mut y = dx * f1 + f0;
    if D::NDERIV >= 2 {
        let dx2 = dx * dx;
        y += dx2 * (0.5 * f2);
        if D::NDERIV >= 3 {
            y += dx2 * dx * (f3 / 6.0);
        }
    }
    y
}

/// The larger of `a` and `b`, with the derivative of the one chosen (as `f64::max`: a NaN
/// loses to a number).
///
/// Continuous, so its derivative is right almost everywhere and sums over events stay
/// differentiable; for a smooth version see `smooth::smooth_max`.
///
/// ```
/// use gradhep_core::max;
/// assert_eq!(max(1.0, 2.0), 2.0);
/// ```
#[inline]
pub fn max<D: Scalar>(a: D, b: D) -> D {
    if a.re().is_nan() || b.re() > a.re() {
        b
    } else {
        a
    }
}

/// The smaller of `a` and `b`, with the derivative of the one chosen (as `f64::min`).
///
/// ```
/// use gradhep_core::min;
/// assert_eq!(min(1.0, 2.0), 1.0);
/// ```
#[inline]
pub fn min<D: Scalar>(a: D, b: D) -> D {
    if a.re().is_nan() || b.re() < a.re() {
        b
    } else {
        a
    }
}

/// `x` restricted to `[lo, hi]`, as `f64::clamp`; the derivative is `x`'s inside and the
/// bound's outside.
///
/// # Panics
/// If `lo > hi` or either is NaN, as `f64::clamp`.
///
/// ```
/// use gradhep_core::clamp;
/// assert_eq!(clamp(3.0, 0.0, 1.0), 1.0);
/// ```
#[inline]
pub fn clamp<D: Scalar>(x: D, lo: D, hi: D) -> D {
    assert!(
        lo.re() <= hi.re(),
        "clamp: lower bound {} above upper bound {}",
        lo.re(),
        hi.re()
    );
    if x.re() < lo.re() {
        lo
    } else if x.re() > hi.re() {
        hi
    } else {
        x
    }
}

/// `sqrt(a² + b²)` without overflow or underflow of the squares.
///
/// The value is `f64::hypot`'s; the derivative `(a·da + b·db)/h` is computed on the scaled
/// operands, and is defined as zero at `a = b = 0`.
///
/// ```
/// use gradhep_core::hypot;
/// assert_eq!(hypot(3.0, 4.0), 5.0);
/// ```
#[inline]
pub fn hypot<D: Scalar>(a: D, b: D) -> D {
    let scale = a.re().abs().max(b.re().abs());
    // At `f64` the value must be `f64::hypot`'s to the bit: generated code calls this for
    // `a.hypot(b)` and promises the plain call is unchanged.
    if D::NDERIV == 0 || scale == 0.0 || !scale.is_finite() {
        return D::from(a.re().hypot(b.re()));
    }
    let (a, b) = (a * scale.recip(), b * scale.recip());
    (a * a + b * b).sqrt() * scale
}

// ---------------------------------------------------------------------------------------
// Runtime support for code generated by `#[differentiable]`: reductions over values that may
// be references, and the seeding and reading of the `_grad` and `_hessian` companions.

/// The sum of `items` (each a `D` or a `&D`), as `Iterator::sum` over `f64` computes it.
///
/// `Σᵢ itemᵢ`, folded left from `-0.0` exactly as the standard library's `f64` sum is, so
/// that a generated `.sum()` is bit-identical at `D = f64`; num-dual's own `Sum` does not
/// accept references for a generic `D`.
///
/// ```
/// use gradhep_core::sum;
/// use gradhep_core::num_dual::Dual64;
/// let xs = [Dual64::new(1.0, 1.0), Dual64::new(2.0, 0.5)];
/// let s: Dual64 = sum(xs.iter());
/// assert_eq!((s.re, s.eps), (3.0, 1.5));
/// assert_eq!(sum::<f64>([0.1, 0.2, 0.3]), [0.1, 0.2, 0.3].iter().sum::<f64>());
/// ```
#[inline]
pub fn sum<D: Scalar>(items: impl IntoIterator<Item = impl Value<D>>) -> D {
    // A `for` loop, not `fold`: over a `map` adapter, `fold` leaves `Map::fold` out of line
    // when the mapped body is a dual computation, and the loop then re-tests every tangent's
    // presence per event (1.5× the instructions of the hand-written loop in W3); `next` is
    // always inlined, so the loop lands where the seeds are known.
    let mut acc = D::from(-0.0);
    for item in items {
        acc += item.value();
    }
    acc
}

/// The product of `items` (each a `D` or a `&D`), as `Iterator::product` over `f64`.
///
/// `Πᵢ itemᵢ`, folded left from `1.0`.
///
/// ```
/// use gradhep_core::product;
/// use gradhep_core::num_dual::Dual64;
/// let xs = [Dual64::new(2.0, 1.0), Dual64::new(3.0, 0.0)];
/// let p: Dual64 = product(&xs);
/// assert_eq!((p.re, p.eps), (6.0, 3.0));
/// ```
#[inline]
pub fn product<D: Scalar>(items: impl IntoIterator<Item = impl Value<D>>) -> D {
    // A `for` loop for the reason given in `sum`.
    let mut acc = D::from(1.0);
    for item in items {
        acc *= item.value();
    }
    acc
}

/// The K inputs of a gradient as dual numbers: `xᵢ + εᵢ`, the i-th carrying the unit
/// tangent `eᵢ` in a dense [`DualDense64<K>`] (the `_grad` companions' scalar).
///
/// ```
/// use gradhep_core::{gradient_seeds, split_gradient};
/// let [x, y] = gradient_seeds([3.0, 2.0]);
/// assert_eq!(split_gradient(x * x * y), (18.0, [12.0, 9.0]));
/// ```
#[inline]
pub fn gradient_seeds<const K: usize>(x: [f64; K]) -> [DualDense64<K>; K] {
    std::array::from_fn(|i| DualDense64::from_re(x[i]).derivative(i))
}

/// The value and the gradient `(f, [∂f/∂x₀, …, ∂f/∂x_{K−1}])` carried by `y`.
///
/// ```
/// use gradhep_core::{gradient_seeds, split_gradient};
/// let [x] = gradient_seeds([0.5]);
/// assert_eq!(split_gradient(x * 4.0), (2.0, [4.0]));
/// ```
#[inline]
pub fn split_gradient<const K: usize>(y: DualDense64<K>) -> (f64, [f64; K]) {
    (y.re, y.eps)
}

/// The K inputs of a Hessian as second-order dual numbers seeded with the unit tangents
/// `eᵢ`.
///
/// ```
/// use gradhep_core::{hessian_seeds, split_hessian};
/// let [x, y] = hessian_seeds([3.0, 2.0]);
/// let (f, g, h) = split_hessian(x * x * y);
/// assert_eq!((f, g, h), (18.0, [12.0, 9.0], [[4.0, 6.0], [6.0, 0.0]]));
/// ```
#[inline]
pub fn hessian_seeds<const K: usize>(x: [f64; K]) -> [Dual2SVec64<K>; K] {
    std::array::from_fn(|i| Dual2SVec64::from_re(x[i]).derivative(i))
}

/// The value, gradient and Hessian `(f, ∇f, ∇²f)` carried by `y`, with
/// `∇²f[i][j] = ∂²f/∂xᵢ∂xⱼ`.
///
/// ```
/// use gradhep_core::{hessian_seeds, split_hessian};
/// let [x] = hessian_seeds([2.0]);
/// assert_eq!(split_hessian(x * x * x), (8.0, [12.0], [[12.0]]));
/// ```
#[inline]
pub fn split_hessian<const K: usize>(y: Dual2SVec64<K>) -> (f64, [f64; K], [[f64; K]; K]) {
    let g = y.v1.unwrap_generic(U1, Const::<K>);
    let h = y.v2.unwrap_generic(Const::<K>, Const::<K>);
    (
        y.re,
        std::array::from_fn(|i| g[i]),
        std::array::from_fn(|i| std::array::from_fn(|j| h[(i, j)])),
    )
}

#[cfg(test)]
mod generated_code_inside_the_library {
    // The library is the attribute's first user: `::gradhep` resolves to this crate.
    #[crate::differentiable]
    fn energy(p: f64, m: f64) -> f64 {
        (p * p + m * m).sqrt()
    }

    #[test]
    fn companions_resolve_the_runtime_through_the_crate_itself() {
        let (e, [de_dp, de_dm]) = energy_grad(3.0, 4.0);
        assert_eq!(e, 5.0);
        assert!((de_dp - 0.6).abs() < 1e-15 && (de_dm - 0.8).abs() < 1e-15);
        let (_, _, h) = energy_hessian(3.0, 4.0);
        assert!((h[0][1] + 12.0 / 125.0).abs() < 1e-15);
    }
}
