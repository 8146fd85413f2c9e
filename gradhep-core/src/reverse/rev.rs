//! The reverse-mode scalar and its first-order rules.

use super::tape::{self, Node};
use crate::first_order::{atan2_rule, powd_rule};
use num_dual::{DualNum, DualStruct, Mappable};
use num_traits::One;
use std::fmt;
use std::ops::{
    Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign, Sub, SubAssign,
};

/// A reverse-mode (adjoint) scalar: a value and the node of the thread's tape that computed
/// it.
///
/// Every operation on a `Rev` records one node (its one or two parents and the local
/// partials) on a thread-local tape; [`event_sum_jacobian`](super::event_sum_jacobian) then
/// sweeps that tape backwards to get the derivatives of an event's outputs in every
/// parameter at once. A `Rev` built from an `f64` is a constant and records nothing, nor does
/// anything computed from constants alone, nor adding or subtracting a constant (which
/// leaves the derivative as it is).
///
/// It implements [`DualNum`] with first-order rules (`NDERIV = 1`), so every generic
/// function of gradhep (and every `#[differentiable]` function) runs on it unchanged. Every
/// value is the plain `f64` code's, bit for bit (`a / b`, `x.mul_add(a, b)` and all
/// functions included); comparisons look at the value only, as num-dual's, so code takes the
/// branches the `f64` code takes.
///
/// A `Rev` is only meaningful inside the event that recorded it: its node index refers to
/// that event's tape, which the next event clears. Each value carries its event's
/// generation, and debug builds panic when a value from another event (or another thread)
/// meets the current one; release builds panic when its node lies past the current tape or
/// no event is being recorded, and otherwise give meaningless derivatives for that event
/// (never for later ones).
///
/// ```
/// use gradhep_core::reverse::{Rev, event_sum_jacobian};
/// use gradhep_core::num_dual::DualNum;
///
/// // one "event", S = x·y² and its gradient (y², 2xy)
/// let sums = event_sum_jacobian(&[3.0, 2.0], &[()], 1, |p: &[Rev], _: &(), out: &mut [Rev]| {
///     out[0] = p[0] * p[1].powi(2);
/// });
/// assert_eq!(sums.sum, vec![12.0]);
/// assert_eq!(sums.jacobian, vec![4.0, 12.0]);
/// assert_eq!(Rev::from(2.0).exp().value(), 2f64.exp()); // constants record nothing
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Rev {
    value: f64,
    node: u32,
    generation: u32,
}

impl Rev {
    /// A constant: the value `x`, with no derivative.
    ///
    /// ```
    /// use gradhep_core::reverse::Rev;
    /// assert_eq!(Rev::constant(1.5).value(), 1.5);
    /// ```
    #[inline]
    pub const fn constant(x: f64) -> Self {
        Self {
            value: x,
            node: 0,
            generation: 0,
        }
    }

    /// The value.
    ///
    /// ```
    /// use gradhep_core::reverse::Rev;
    /// assert_eq!((Rev::constant(2.0) * 3.0).value(), 6.0);
    /// ```
    #[inline]
    pub const fn value(self) -> f64 {
        self.value
    }

    /// The leaf at tape node `node` of the event `generation`, with value `x`.
    #[inline]
    pub(super) const fn leaf(x: f64, node: u32, generation: u32) -> Self {
        Self {
            value: x,
            node,
            generation,
        }
    }

    /// The same value and node in the event `generation`.
    #[inline]
    pub(super) fn restamp(&mut self, generation: u32) {
        self.generation = generation;
    }

    /// The tape node, checked (in debug builds) to belong to the current event.
    #[inline]
    pub(super) fn node(self) -> u32 {
        debug_assert!(
            self.node == 0 || self.generation == tape::generation(),
            "gradhep::reverse: a Rev value from another event (generation {}, now {}); \
             values do not outlive the event that recorded them",
            self.generation,
            tape::generation()
        );
        self.node
    }

    #[inline]
    fn is_constant(self) -> bool {
        self.node == 0
    }

    /// `f(self)` with value `f0` and derivative `f1`.
    #[inline]
    pub(crate) fn unary(self, f0: f64, f1: f64) -> Self {
        if self.is_constant() {
            return Self::constant(f0);
        }
        let (node, generation) = tape::record(Node::new([self.node(), 0], [f1, 0.0]));
        Self {
            value: f0,
            node,
            generation,
        }
    }

    /// `f(a, b)` with value `f0` and partials `da = ∂f/∂a`, `db = ∂f/∂b`.
    #[inline]
    fn binary(a: Self, b: Self, f0: f64, da: f64, db: f64) -> Self {
        if a.is_constant() && b.is_constant() {
            return Self::constant(f0);
        }
        let (node, generation) = tape::record(Node::new([a.node(), b.node()], [da, db]));
        Self {
            value: f0,
            node,
            generation,
        }
    }

    /// `self` with its value shifted by a constant: the same derivative, the same node.
    #[inline]
    fn shifted(self, value: f64) -> Self {
        Self { value, ..self }
    }

    #[inline]
    fn sum(a: Self, b: Self) -> Self {
        let v = a.value + b.value;
        if b.is_constant() {
            a.shifted(v)
        } else if a.is_constant() {
            b.shifted(v)
        } else {
            let (node, generation) = tape::record_sum([a.node(), b.node()]);
            Self {
                value: v,
                node,
                generation,
            }
        }
    }

    #[inline]
    fn difference(a: Self, b: Self) -> Self {
        let v = a.value - b.value;
        if b.is_constant() {
            a.shifted(v)
        } else {
            Self::binary(a, b, v, 1.0, -1.0)
        }
    }

    #[inline]
    fn product(a: Self, b: Self) -> Self {
        Self::binary(a, b, a.value * b.value, b.value, a.value)
    }

    #[inline]
    fn quotient(a: Self, b: Self) -> Self {
        let inv = b.value.recip();
        let q = a.value / b.value;
        Self::binary(a, b, q, inv, -q * inv)
    }

    /// `a mod b = a − trunc(a/b)·b`, whose derivative is `a' − trunc(a/b)·b'` away from the
    /// jumps.
    #[inline]
    fn remainder(a: Self, b: Self) -> Self {
        let n = (a.value / b.value).trunc();
        Self::binary(a, b, a.value % b.value, 1.0, -n)
    }
}

// Binary operators between two `Rev`s, in every by-value and by-reference form.
macro_rules! binary_ops {
    ($trait:ident, $method:ident, $assign:ident, $assign_method:ident, $of:ident) => {
        impl $trait for Rev {
            type Output = Rev;
            #[inline]
            fn $method(self, other: Rev) -> Rev {
                Rev::$of(self, other)
            }
        }
        impl $trait<&Rev> for Rev {
            type Output = Rev;
            #[inline]
            fn $method(self, other: &Rev) -> Rev {
                Rev::$of(self, *other)
            }
        }
        impl $trait<Rev> for &Rev {
            type Output = Rev;
            #[inline]
            fn $method(self, other: Rev) -> Rev {
                Rev::$of(*self, other)
            }
        }
        impl $trait<&Rev> for &Rev {
            type Output = Rev;
            #[inline]
            fn $method(self, other: &Rev) -> Rev {
                Rev::$of(*self, *other)
            }
        }
        impl $assign for Rev {
            #[inline]
            fn $assign_method(&mut self, other: Rev) {
                *self = Rev::$of(*self, other);
            }
        }
        impl $assign<&Rev> for Rev {
            #[inline]
            fn $assign_method(&mut self, other: &Rev) {
                *self = Rev::$of(*self, *other);
            }
        }
    };
}

binary_ops!(Add, add, AddAssign, add_assign, sum);
binary_ops!(Sub, sub, SubAssign, sub_assign, difference);
binary_ops!(Mul, mul, MulAssign, mul_assign, product);
binary_ops!(Div, div, DivAssign, div_assign, quotient);
binary_ops!(Rem, rem, RemAssign, rem_assign, remainder);

// Operators with a plain `f64` on the right: a constant, so at most one parent (none for a
// shift).
macro_rules! scalar_ops {
    ($(($trait:ident, $method:ident, $assign:ident, $assign_method:ident, |$x:ident, $c:ident| $body:expr)),*) => {
        $(
            impl $trait<f64> for Rev {
                type Output = Rev;
                #[inline]
                fn $method(self, $c: f64) -> Rev {
                    let $x = self;
                    $body
                }
            }
            impl $trait<f64> for &Rev {
                type Output = Rev;
                #[inline]
                fn $method(self, c: f64) -> Rev {
                    $trait::$method(*self, c)
                }
            }
            impl $assign<f64> for Rev {
                #[inline]
                fn $assign_method(&mut self, c: f64) {
                    *self = $trait::$method(*self, c);
                }
            }
        )*
    };
}

scalar_ops!(
    (Add, add, AddAssign, add_assign, |x, c| x
        .shifted(x.value + c)),
    (Sub, sub, SubAssign, sub_assign, |x, c| x
        .shifted(x.value - c)),
    (Mul, mul, MulAssign, mul_assign, |x, c| x
        .unary(x.value * c, c)),
    (Div, div, DivAssign, div_assign, |x, c| x
        .unary(x.value / c, c.recip())),
    (Rem, rem, RemAssign, rem_assign, |x, c| x
        .shifted(x.value % c))
);

impl Neg for Rev {
    type Output = Rev;
    #[inline]
    fn neg(self) -> Rev {
        self.unary(-self.value, -1.0)
    }
}

crate::first_order::value_traits!(Rev, [], value, constant);

/// The value, as `f64` prints it (the derivatives are not known until the sweep).
impl fmt::Display for Rev {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}

impl DualStruct for Rev {
    type Real = f64;
    type Inner = f64;
    #[inline]
    fn re(&self) -> f64 {
        self.value
    }
    #[inline]
    fn from_inner(inner: &f64) -> Self {
        Self::constant(*inner)
    }
}

impl Mappable<Self> for Rev {
    type Output<O> = O;
    #[inline]
    fn map_dual<M: Fn(Self) -> O, O>(self, f: M) -> O {
        f(self)
    }
}

/// The first derivatives of every function: one node `f(x)` with the partial `f'(x)`, the
/// value `f(x)` the `f64` function's.
impl DualNum for Rev {
    type Primitive = f64;
    const NDERIV: usize = 1;
    type InnerDual = f64;

    #[inline]
    fn from_re(re: f64) -> Self {
        Self::constant(re)
    }

    #[inline]
    fn scale(self, factor: &f64) -> Self {
        self * *factor
    }

    #[inline]
    fn recip(&self) -> Self {
        let rec = self.value.recip();
        self.unary(rec, -rec * rec)
    }

    #[inline]
    fn powi(&self, n: i32) -> Self {
        match n {
            0 => Self::one(),
            1 => *self,
            _ => {
                let x = self.value;
                self.unary(x.powi(n), f64::from(n) * x.powi(n - 1))
            }
        }
    }

    #[inline]
    fn powd(&self, n: Self) -> Self {
        let (f0, dx, dy) = powd_rule(self.value, n.value);
        Self::binary(*self, n, f0, dx, dy)
    }

    #[inline]
    fn mul_add(&self, a: Self, b: Self) -> Self {
        // Three parents: the product's node, then the sum's; the value is `f64::mul_add`'s.
        let value = self.value.mul_add(a.value, b.value);
        Self::sum(Self::product(*self, a), b).shifted(value)
    }

    #[inline]
    fn atan2(&self, other: Self) -> Self {
        let (f0, dy, dx) = atan2_rule(self.value, other.value);
        Self::binary(*self, other, f0, dy, dx)
    }

    crate::first_order::first_order_functions!(value, unary);
}
