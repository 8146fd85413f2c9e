//! What the scalars that carry first derivatives only, [`DualDense64`](crate::DualDense64)
//! (forward mode) and [`Rev`](crate::Rev) (reverse mode), share, written once: the
//! first-order rules `f ↦ (f(x), f′(x))` of the elementary functions, so that their values
//! and local partials agree bit for bit, and the traits that look at the value only.

/// The `DualNum` methods of one argument (`powf`, `sqrt`, `exp`, `ln`, `sin`, `tanh`,
/// `sph_j0`, …) for a type whose value is the field `$value` and whose method
/// `$apply(f0, f1)` makes the result of value `f0` and local derivative `f1`. Invoked inside
/// `impl DualNum<f64> for ..`.
macro_rules! first_order_functions {
    ($value:ident, $apply:ident) => {
        #[inline]
        fn powf(&self, n: f64) -> Self {
            if n == 0.0 {
                return <Self as ::num_traits::One>::one();
            }
            if n == 1.0 {
                return *self;
            }
            let (f0, f1) = $crate::first_order::powf_rule(self.$value, n);
            self.$apply(f0, f1)
        }

        #[inline]
        fn sqrt(&self) -> Self {
            let f0 = self.$value.sqrt();
            self.$apply(f0, f0 * self.$value.recip() * 0.5)
        }

        #[inline]
        fn cbrt(&self) -> Self {
            let f0 = self.$value.cbrt();
            self.$apply(f0, f0 * self.$value.recip() * (1.0 / 3.0))
        }

        #[inline]
        fn exp(&self) -> Self {
            let f = self.$value.exp();
            self.$apply(f, f)
        }

        #[inline]
        fn exp2(&self) -> Self {
            let f = self.$value.exp2();
            self.$apply(f, f * ::std::f64::consts::LN_2)
        }

        #[inline]
        fn exp_m1(&self) -> Self {
            self.$apply(self.$value.exp_m1(), self.$value.exp())
        }

        #[inline]
        fn ln(&self) -> Self {
            self.$apply(self.$value.ln(), self.$value.recip())
        }

        #[inline]
        fn log(&self, base: f64) -> Self {
            self.$apply(self.$value.log(base), self.$value.recip() / base.ln())
        }

        #[inline]
        fn log2(&self) -> Self {
            self.$apply(
                self.$value.log2(),
                self.$value.recip() / ::std::f64::consts::LN_2,
            )
        }

        #[inline]
        fn log10(&self) -> Self {
            self.$apply(
                self.$value.log10(),
                self.$value.recip() / ::std::f64::consts::LN_10,
            )
        }

        #[inline]
        fn ln_1p(&self) -> Self {
            self.$apply(self.$value.ln_1p(), (self.$value + 1.0).recip())
        }

        #[inline]
        fn sin(&self) -> Self {
            let (s, c) = self.$value.sin_cos();
            self.$apply(s, c)
        }

        #[inline]
        fn cos(&self) -> Self {
            let (s, c) = self.$value.sin_cos();
            self.$apply(c, -s)
        }

        #[inline]
        fn sin_cos(&self) -> (Self, Self) {
            let (s, c) = self.$value.sin_cos();
            (self.$apply(s, c), self.$apply(c, -s))
        }

        #[inline]
        fn tan(&self) -> Self {
            let c = self.$value.cos();
            self.$apply(self.$value.tan(), (c * c).recip())
        }

        #[inline]
        fn asin(&self) -> Self {
            let rec = (1.0 - self.$value * self.$value).recip();
            self.$apply(self.$value.asin(), rec.sqrt())
        }

        #[inline]
        fn acos(&self) -> Self {
            let rec = (1.0 - self.$value * self.$value).recip();
            self.$apply(self.$value.acos(), -rec.sqrt())
        }

        #[inline]
        fn atan(&self) -> Self {
            let rec = (1.0 + self.$value * self.$value).recip();
            self.$apply(self.$value.atan(), rec)
        }

        #[inline]
        fn sinh(&self) -> Self {
            self.$apply(self.$value.sinh(), self.$value.cosh())
        }

        #[inline]
        fn cosh(&self) -> Self {
            self.$apply(self.$value.cosh(), self.$value.sinh())
        }

        #[inline]
        fn tanh(&self) -> Self {
            // sech², not 1 − tanh²: no cancellation where tanh → ±1.
            self.$apply(
                self.$value.tanh(),
                $crate::special::tanh_sech_squared(self.$value).1,
            )
        }

        #[inline]
        fn asinh(&self) -> Self {
            let rec = (1.0 + self.$value * self.$value).recip();
            self.$apply(self.$value.asinh(), rec.sqrt())
        }

        #[inline]
        fn acosh(&self) -> Self {
            let rec = (self.$value * self.$value - 1.0).recip();
            self.$apply(self.$value.acosh(), rec.sqrt())
        }

        #[inline]
        fn atanh(&self) -> Self {
            let rec = (1.0 - self.$value * self.$value).recip();
            self.$apply(self.$value.atanh(), rec)
        }

        #[inline]
        fn sph_j0(&self) -> Self {
            // j0' = −j1
            let x = self.$value;
            let f1 = if x.abs() < f64::EPSILON {
                -x / 3.0
            } else {
                -x.sph_j1()
            };
            self.$apply(x.sph_j0(), f1)
        }

        #[inline]
        fn sph_j1(&self) -> Self {
            // j1' = j0 − 2 j1/x
            let x = self.$value;
            let f1 = if x.abs() < f64::EPSILON {
                1.0 / 3.0
            } else {
                x.sph_j0() - 2.0 * x.sph_j1() / x
            };
            self.$apply(x.sph_j1(), f1)
        }

        #[inline]
        fn sph_j2(&self) -> Self {
            // j2' = j1 − 3 j2/x
            let x = self.$value;
            let f1 = if x.abs() < f64::EPSILON {
                2.0 * x / 15.0
            } else {
                x.sph_j1() - 3.0 * x.sph_j2() / x
            };
            self.$apply(x.sph_j2(), f1)
        }
    };
}

pub(crate) use first_order_functions;

/// The traits that look at the value only, or build constants, for a first-order scalar
/// `$ty` (with generic parameters `$gen`) whose value is the field `$value` and whose
/// constant of value `x` is `Self::$constant(x)`: `Zero`, `One`, `Num`, `Signed`, `Inv`,
/// `FromPrimitive`, `From<f64>`, `Default`, `Sum`, `Product`, `Neg` of a reference, and
/// comparisons by value (as num-dual compares, so generic code takes the branches of the
/// `f64` code).
macro_rules! value_traits {
    ($ty:ty, [$($gen:tt)*], $value:ident, $constant:ident) => {
        impl<$($gen)*> ::std::ops::Neg for &$ty {
            type Output = $ty;
            #[inline]
            fn neg(self) -> $ty {
                -*self
            }
        }

        impl<$($gen)*> From<f64> for $ty {
            #[inline]
            fn from(x: f64) -> Self {
                Self::$constant(x)
            }
        }

        impl<$($gen)*> Default for $ty {
            /// The constant zero.
            #[inline]
            fn default() -> Self {
                Self::$constant(0.0)
            }
        }

        impl<$($gen)*> ::num_traits::Zero for $ty {
            #[inline]
            fn zero() -> Self {
                Self::$constant(0.0)
            }
            #[inline]
            fn is_zero(&self) -> bool {
                self.$value == 0.0
            }
        }

        impl<$($gen)*> ::num_traits::One for $ty {
            #[inline]
            fn one() -> Self {
                Self::$constant(1.0)
            }
            #[inline]
            fn is_one(&self) -> bool {
                self.$value == 1.0
            }
        }

        impl<$($gen)*> ::num_traits::Num for $ty {
            type FromStrRadixErr = <f64 as ::num_traits::Num>::FromStrRadixErr;
            /// A constant parsed as `f64::from_str_radix` parses it.
            #[inline]
            fn from_str_radix(s: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
                <f64 as ::num_traits::Num>::from_str_radix(s, radix).map(Self::$constant)
            }
        }

        impl<$($gen)*> ::num_traits::Signed for $ty {
            #[inline]
            fn abs(&self) -> Self {
                if ::num_traits::Signed::is_positive(self) { *self } else { -self }
            }
            #[inline]
            fn abs_sub(&self, other: &Self) -> Self {
                if self.$value > other.$value {
                    self - other
                } else {
                    <Self as ::num_traits::Zero>::zero()
                }
            }
            #[inline]
            fn signum(&self) -> Self {
                Self::$constant(::num_traits::Signed::signum(&self.$value))
            }
            #[inline]
            fn is_positive(&self) -> bool {
                ::num_traits::Signed::is_positive(&self.$value)
            }
            #[inline]
            fn is_negative(&self) -> bool {
                ::num_traits::Signed::is_negative(&self.$value)
            }
        }

        impl<$($gen)*> ::num_traits::Inv for $ty {
            type Output = Self;
            #[inline]
            fn inv(self) -> Self {
                ::num_dual::DualNum::recip(&self)
            }
        }

        impl<$($gen)*> ::std::iter::Sum for $ty {
            #[inline]
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(<Self as ::num_traits::Zero>::zero(), |acc, x| acc + x)
            }
        }

        impl<'a, $($gen)*> ::std::iter::Sum<&'a $ty> for $ty {
            #[inline]
            fn sum<I: Iterator<Item = &'a $ty>>(iter: I) -> Self {
                iter.fold(<Self as ::num_traits::Zero>::zero(), |acc, x| acc + x)
            }
        }

        impl<$($gen)*> ::std::iter::Product for $ty {
            #[inline]
            fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(<Self as ::num_traits::One>::one(), |acc, x| acc * x)
            }
        }

        impl<'a, $($gen)*> ::std::iter::Product<&'a $ty> for $ty {
            #[inline]
            fn product<I: Iterator<Item = &'a $ty>>(iter: I) -> Self {
                iter.fold(<Self as ::num_traits::One>::one(), |acc, x| acc * x)
            }
        }

        $crate::first_order::value_traits!(@from_primitive $ty, [$($gen)*], $constant,
            from_isize(isize), from_i8(i8), from_i16(i16), from_i32(i32), from_i64(i64),
            from_i128(i128), from_usize(usize), from_u8(u8), from_u16(u16), from_u32(u32),
            from_u64(u64), from_u128(u128), from_f32(f32), from_f64(f64));

        /// Equal values, whatever their derivatives (as num-dual compares).
        impl<$($gen)*> PartialEq for $ty {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                self.$value == other.$value
            }
        }

        impl<$($gen)*> PartialEq<f64> for $ty {
            #[inline]
            fn eq(&self, other: &f64) -> bool {
                self.$value == *other
            }
        }

        /// Ordered by value, as the `f64` code would branch.
        impl<$($gen)*> PartialOrd for $ty {
            #[inline]
            fn partial_cmp(&self, other: &Self) -> Option<::std::cmp::Ordering> {
                self.$value.partial_cmp(&other.$value)
            }
        }

        impl<$($gen)*> PartialOrd<f64> for $ty {
            #[inline]
            fn partial_cmp(&self, other: &f64) -> Option<::std::cmp::Ordering> {
                self.$value.partial_cmp(other)
            }
        }
    };
    (@from_primitive $ty:ty, [$($gen:tt)*], $constant:ident, $($method:ident($t:ty)),*) => {
        impl<$($gen)*> ::num_traits::FromPrimitive for $ty {
            $(
                #[inline]
                fn $method(n: $t) -> Option<Self> {
                    <f64 as ::num_traits::FromPrimitive>::$method(n).map(Self::$constant)
                }
            )*
        }
    };
}

pub(crate) use value_traits;

/// `(xⁿ, n·xⁿ⁻¹)`, the derivative from the value where it can be (one `powf` fewer).
#[inline]
pub(crate) fn powf_rule(x: f64, n: f64) -> (f64, f64) {
    let f0 = x.powf(n);
    let f1 = if x != 0.0 && f0.is_finite() {
        n * f0 / x
    } else {
        n * x.powf(n - 1.0)
    };
    (f0, f1)
}

/// `(xʸ, ∂xʸ/∂x, ∂xʸ/∂y)` with `∂/∂x = y·xʸ⁻¹` and `∂/∂y = xʸ·ln x` (→ 0 where `xʸ = 0`).
#[inline]
pub(crate) fn powd_rule(x: f64, y: f64) -> (f64, f64, f64) {
    let (f0, dx) = powf_rule(x, y);
    let dy = if f0 == 0.0 { 0.0 } else { f0 * x.ln() };
    (f0, dx, dy)
}

/// `(atan2(y, x), ∂/∂y, ∂/∂x) = (atan2(y, x), x/(x² + y²), −y/(x² + y²))`, defined on the
/// whole plane but the origin.
#[inline]
pub(crate) fn atan2_rule(y: f64, x: f64) -> (f64, f64, f64) {
    let r = (x * x + y * y).recip();
    (y.atan2(x), x * r, -y * r)
}
