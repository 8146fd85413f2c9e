//! A dual number with a dense, always-present tangent of K components: the scalar of the
//! `_grad` companions.
//!
//! `x = re + Σₖ epsₖ εₖ` with `εⱼεₖ = 0`: first derivatives in K directions from one forward
//! pass, as num-dual's [`DualSVec64<K>`](num_dual::DualSVec64). num-dual stores that tangent as
//! an `Option<SVector>`, so every operation branches on its presence and builds a fresh
//! optional vector; [`DualDense64<K>`] stores `[f64; K]` and writes each operation's tangent
//! in one loop the compiler vectorises: 2–3.5× faster than num-dual for K ≥ 8 in
//! `benches/tangents.rs`, and as fast at K = 2.
//!
//! It implements [`DualNum`], so every generic function of this crate takes it unchanged.
//! Its numbers agree with `DualSVec64<K>` to a few ulp; where they differ it is by design:
//!
//! - every function's value is the plain `f64` function's (`x.tan()`, `x.powf(n)`, …, where
//!   num-dual composes some of them); a quotient is `x·(1/y)`, as num-dual's;
//! - every unary function applies `f'(re)` once to the tangent (num-dual composes `tan` and
//!   `tanh` from two duals and a quotient: `tanh` is then NaN for `|x| > 710`);
//! - a tangent component that is zero stays zero through a non-finite factor (`sqrt` at 0,
//!   `ln` at 0, a product with an infinite value): the derivative of a constant is zero, as
//!   num-dual gets by leaving a constant's tangent absent.
//!
//! ```
//! use gradhep_core::DualDense64;
//! use gradhep_core::num_dual::DualNum;
//!
//! // f(x, y) = x²·sin(y)
//! let x = DualDense64::<2>::from_re(3.0).derivative(0);
//! let y = DualDense64::<2>::from_re(0.5).derivative(1);
//! let f = x * x * y.sin();
//! assert_eq!(f.re, 9.0 * 0.5f64.sin());
//! assert_eq!(f.eps, [6.0 * 0.5f64.sin(), 9.0 * 0.5f64.cos()]);
//! ```

use crate::first_order::{atan2_rule, powd_rule};
use num_dual::{DualNum, DualStruct, Mappable};
use num_traits::One;
use std::fmt;
use std::ops::{
    Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign, Sub, SubAssign,
};

/// A dual number `re + Σₖ epsₖ εₖ` with a dense tangent of K components, always present.
///
/// The first derivatives of a value in K directions: seed input `i` with
/// [`derivative(i)`](Self::derivative) (or use [`gradient_seeds`](crate::gradient_seeds)), run
/// the generic code, read `eps`. Comparisons (`==`, `<`, …) look at `re` only, as num-dual's,
/// so code takes the branches the `f64` code takes.
///
/// ```
/// use gradhep_core::DualDense64;
/// use gradhep_core::num_dual::DualNum;
/// let x = DualDense64::<1>::from_re(2.0).derivative(0);
/// let y = x.ln() * x; // d(x ln x)/dx = ln x + 1
/// assert_eq!(y.eps, [2f64.ln() + 1.0]);
/// ```
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct DualDense64<const K: usize> {
    /// The value.
    pub re: f64,
    /// The tangent: `eps[k] = ∂re/∂xₖ`.
    pub eps: [f64; K],
}

/// `e·s`, but exactly zero where `e` is: a constant's derivative through a non-finite factor.
#[inline]
fn scaled(e: f64, s: f64) -> f64 {
    if e == 0.0 { 0.0 } else { e * s }
}

/// Below this many components the zero-preserving product is cheaper than the test that
/// would skip it.
const GUARD_ALWAYS: usize = 4;

/// `a·s + b·t` component by component: every tangent of a product, quotient or chain rule.
///
/// One loop over fresh storage, which the compiler vectorises and writes straight into the
/// result (an in-place update of a copied operand would cost a copy more).
#[inline]
fn combination<const K: usize>(a: &[f64; K], s: f64, b: &[f64; K], t: f64) -> [f64; K] {
    if K > GUARD_ALWAYS && s.is_finite() && t.is_finite() {
        std::array::from_fn(|i| a[i] * s + b[i] * t)
    } else {
        std::array::from_fn(|i| scaled(a[i], s) + scaled(b[i], t))
    }
}

/// `a·s` component by component.
#[inline]
fn multiple<const K: usize>(a: &[f64; K], s: f64) -> [f64; K] {
    if K > GUARD_ALWAYS && s.is_finite() {
        std::array::from_fn(|i| a[i] * s)
    } else {
        std::array::from_fn(|i| scaled(a[i], s))
    }
}

impl<const K: usize> DualDense64<K> {
    /// The dual number `re + Σₖ eps[k] εₖ`.
    ///
    /// ```
    /// use gradhep_core::DualDense64;
    /// let x = DualDense64::new(1.5, [1.0, 0.0]);
    /// assert_eq!((x.re, x.eps), (1.5, [1.0, 0.0]));
    /// ```
    #[inline]
    pub const fn new(re: f64, eps: [f64; K]) -> Self {
        Self { re, eps }
    }

    /// A constant: the value `re` with a zero tangent.
    ///
    /// ```
    /// use gradhep_core::DualDense64;
    /// assert_eq!(DualDense64::<3>::from_re(2.0).eps, [0.0; 3]);
    /// ```
    #[inline]
    pub const fn from_re(re: f64) -> Self {
        Self { re, eps: [0.0; K] }
    }

    /// The same value seeded as input `index`: its tangent becomes the unit vector
    /// `e_index`, as num-dual's `DualSVec64::derivative`.
    ///
    /// # Panics
    /// If `index >= K`.
    ///
    /// ```
    /// use gradhep_core::DualDense64;
    /// let y = DualDense64::<3>::from_re(2.0).derivative(1);
    /// assert_eq!(y.eps, [0.0, 1.0, 0.0]);
    /// ```
    #[inline]
    pub fn derivative(mut self, index: usize) -> Self {
        assert!(
            index < K,
            "derivative: index {index} out of range for {K} directions"
        );
        self.eps = [0.0; K];
        self.eps[index] = 1.0;
        self
    }

    /// `f(re) + f'(re)·eps`: the chain rule with the value `f0` and derivative `f1`.
    #[inline]
    pub(crate) fn chain_rule(&self, f0: f64, f1: f64) -> Self {
        Self {
            re: f0,
            eps: multiple(&self.eps, f1),
        }
    }

    /// `a·b = (ab, a'b + b'a)`, the order of num-dual's product rule.
    #[inline]
    fn product(a: &Self, b: &Self) -> Self {
        Self {
            re: a.re * b.re,
            eps: combination(&a.eps, b.re, &b.eps, a.re),
        }
    }

    /// `a/b = (a·b⁻¹, a'·b⁻¹ − b'·(a·b⁻¹)·b⁻¹)`: one division, as num-dual's quotient (a second
    /// one for the `f64` code's `a/b` costs a quarter of a K = 2 gradient).
    #[inline]
    fn quotient(a: &Self, b: &Self) -> Self {
        let inv = b.re.recip();
        let q = a.re * inv;
        Self {
            re: q,
            eps: combination(&a.eps, inv, &b.eps, -q * inv),
        }
    }

    /// `a mod b = a − trunc(a/b)·b`, whose derivative is `a' − trunc(a/b)·b'` away from the
    /// jumps.
    #[inline]
    fn remainder(a: &Self, b: &Self) -> Self {
        let n = (a.re / b.re).trunc();
        Self {
            re: a.re % b.re,
            eps: combination(&a.eps, 1.0, &b.eps, -n),
        }
    }

    /// `eps ← eps·s`, for a value already owned.
    #[inline]
    fn scale_tangent(&mut self, s: f64) {
        if K > GUARD_ALWAYS && s.is_finite() {
            for e in &mut self.eps {
                *e *= s;
            }
        } else {
            for e in &mut self.eps {
                *e = scaled(*e, s);
            }
        }
    }

    #[inline]
    fn mul_in_place(&mut self, other: &Self) {
        *self = Self::product(self, other);
    }

    #[inline]
    fn div_in_place(&mut self, other: &Self) {
        *self = Self::quotient(self, other);
    }

    #[inline]
    fn rem_in_place(&mut self, other: &Self) {
        *self = Self::remainder(self, other);
    }

    #[inline]
    fn add_in_place(&mut self, other: &Self) {
        self.re += other.re;
        for (e, &o) in self.eps.iter_mut().zip(&other.eps) {
            *e += o;
        }
    }

    #[inline]
    fn sub_in_place(&mut self, other: &Self) {
        self.re -= other.re;
        for (e, &o) in self.eps.iter_mut().zip(&other.eps) {
            *e -= o;
        }
    }
}

// Binary operators. A sum updates its left operand in place (in `acc + a * b` that is the
// accumulator, which is then moved, not copied); a product or quotient writes one fresh
// tangent from both operands, read where they lie.
macro_rules! binary_ops {
    ($trait:ident, $method:ident, $assign:ident, $assign_method:ident, $in_place:ident, $of:ident) => {
        impl<const K: usize> $assign<&Self> for DualDense64<K> {
            #[inline]
            fn $assign_method(&mut self, other: &Self) {
                self.$in_place(other);
            }
        }
        impl<const K: usize> $assign for DualDense64<K> {
            #[inline]
            fn $assign_method(&mut self, other: Self) {
                self.$in_place(&other);
            }
        }
        impl<const K: usize> $trait<&Self> for DualDense64<K> {
            type Output = Self;
            #[inline]
            fn $method(self, other: &Self) -> Self {
                binary_ops!(@by_value $of, self, other, $in_place)
            }
        }
        impl<const K: usize> $trait for DualDense64<K> {
            type Output = Self;
            #[inline]
            fn $method(self, other: Self) -> Self {
                binary_ops!(@by_value $of, self, &other, $in_place)
            }
        }
        impl<const K: usize> $trait<DualDense64<K>> for &DualDense64<K> {
            type Output = DualDense64<K>;
            #[inline]
            fn $method(self, other: DualDense64<K>) -> DualDense64<K> {
                binary_ops!(@by_ref $of, self, &other, $in_place)
            }
        }
        impl<const K: usize> $trait<&DualDense64<K>> for &DualDense64<K> {
            type Output = DualDense64<K>;
            #[inline]
            fn $method(self, other: &DualDense64<K>) -> DualDense64<K> {
                binary_ops!(@by_ref $of, self, other, $in_place)
            }
        }
    };
    (@by_value in_place, $a:ident, $b:expr, $in_place:ident) => {{
        let mut y = $a;
        y.$in_place($b);
        y
    }};
    (@by_value $of:ident, $a:ident, $b:expr, $in_place:ident) => {
        DualDense64::$of(&$a, $b)
    };
    (@by_ref in_place, $a:ident, $b:expr, $in_place:ident) => {{
        let mut y = *$a;
        y.$in_place($b);
        y
    }};
    (@by_ref $of:ident, $a:ident, $b:expr, $in_place:ident) => {
        DualDense64::$of($a, $b)
    };
}

binary_ops!(Add, add, AddAssign, add_assign, add_in_place, in_place);
binary_ops!(Sub, sub, SubAssign, sub_assign, sub_in_place, in_place);
binary_ops!(Mul, mul, MulAssign, mul_assign, mul_in_place, product);
binary_ops!(Div, div, DivAssign, div_assign, div_in_place, quotient);
binary_ops!(Rem, rem, RemAssign, rem_assign, rem_in_place, remainder);

// Operators with a plain `f64` on the right: a constant, so no second tangent.
macro_rules! scalar_ops {
    ($trait:ident, $method:ident, $assign:ident, $assign_method:ident, |$y:ident, $c:ident| $body:block) => {
        impl<const K: usize> $assign<f64> for DualDense64<K> {
            #[inline]
            fn $assign_method(&mut self, $c: f64) {
                let $y = self;
                $body
            }
        }
        impl<const K: usize> $trait<f64> for DualDense64<K> {
            type Output = Self;
            #[inline]
            fn $method(mut self, c: f64) -> Self {
                self.$assign_method(c);
                self
            }
        }
        impl<const K: usize> $trait<f64> for &DualDense64<K> {
            type Output = DualDense64<K>;
            #[inline]
            fn $method(self, c: f64) -> DualDense64<K> {
                let mut y = *self;
                y.$assign_method(c);
                y
            }
        }
    };
}

scalar_ops!(Add, add, AddAssign, add_assign, |y, c| { y.re += c });
scalar_ops!(Sub, sub, SubAssign, sub_assign, |y, c| { y.re -= c });
scalar_ops!(Mul, mul, MulAssign, mul_assign, |y, c| {
    y.re *= c;
    y.scale_tangent(c);
});
// Divides each component (not a multiply by `1/c`), as num-dual and as `f64` code would.
scalar_ops!(Div, div, DivAssign, div_assign, |y, c| {
    y.re /= c;
    if c == 0.0 {
        y.scale_tangent(f64::INFINITY.copysign(c));
    } else {
        for e in &mut y.eps {
            *e /= c;
        }
    }
});
scalar_ops!(Rem, rem, RemAssign, rem_assign, |y, c| { y.re %= c });

impl<const K: usize> Neg for DualDense64<K> {
    type Output = Self;
    #[inline]
    fn neg(mut self) -> Self {
        self.re = -self.re;
        for e in &mut self.eps {
            *e = -*e;
        }
        self
    }
}

crate::first_order::value_traits!(DualDense64<K>, [const K: usize], re, from_re);

/// `re + [eps₀, eps₁, …]ε`, as num-dual prints a vector dual.
impl<const K: usize> fmt::Display for DualDense64<K> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{} + [", self.re)?;
        for (k, e) in self.eps.iter().enumerate() {
            if k > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{e}")?;
        }
        write!(f, "]ε")
    }
}

impl<const K: usize> DualStruct for DualDense64<K> {
    type Real = f64;
    type Inner = f64;
    #[inline]
    fn re(&self) -> f64 {
        self.re
    }
    #[inline]
    fn from_inner(inner: &f64) -> Self {
        Self::from_re(*inner)
    }
}

impl<const K: usize> Mappable<Self> for DualDense64<K> {
    type Output<O> = O;
    #[inline]
    fn map_dual<M: Fn(Self) -> O, O>(self, f: M) -> O {
        f(self)
    }
}

/// The first derivatives of every function: `f(x) = f(re) + f'(re)·eps`, with `f(re)` the
/// `f64` function's value.
impl<const K: usize> DualNum for DualDense64<K> {
    type Primitive = f64;
    const NDERIV: usize = 1;
    type InnerDual = f64;

    #[inline]
    fn from_re(re: f64) -> Self {
        Self::from_re(re)
    }

    #[inline]
    fn scale(mut self, factor: &f64) -> Self {
        self *= *factor;
        self
    }

    #[inline]
    fn recip(&self) -> Self {
        let rec = self.re.recip();
        self.chain_rule(rec, -rec * rec)
    }

    #[inline]
    fn powi(&self, n: i32) -> Self {
        match n {
            0 => Self::one(),
            1 => *self,
            2 => self * self,
            _ => self.chain_rule(self.re.powi(n), f64::from(n) * self.re.powi(n - 1)),
        }
    }

    #[inline]
    fn powd(&self, n: Self) -> Self {
        let (f0, dx, dy) = powd_rule(self.re, n.re);
        Self {
            re: f0,
            eps: combination(&self.eps, dx, &n.eps, dy),
        }
    }

    #[inline]
    fn mul_add(&self, a: Self, b: Self) -> Self {
        // `self·a + b` unfused, as num-dual's duals compute it (the `f64` code's `mul_add` is
        // fused: the values can differ by an ulp).
        let mut y = Self::product(self, &a);
        y.add_in_place(&b);
        y
    }

    #[inline]
    fn atan2(&self, other: Self) -> Self {
        let (f0, dy, dx) = atan2_rule(self.re, other.re);
        Self {
            re: f0,
            eps: combination(&self.eps, dy, &other.eps, dx),
        }
    }

    crate::first_order::first_order_functions!(re, chain_rule);
}
