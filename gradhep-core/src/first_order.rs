//! The first-order rules `f ↦ (f(x), f′(x))` of the elementary functions, written once for
//! the scalars that carry first derivatives only: [`DualDense64`](crate::DualDense64)
//! (forward mode) and [`Rev`](crate::Rev) (reverse mode), so that their values and local
//! partials agree bit for bit.

/// The `DualNum` methods of one argument (`sqrt`, `exp`, `ln`, `sin`, `tanh`, `sph_j0`, …)
/// for a type whose value is the field `$value` and whose method `$apply(f0, f1)` makes the
/// result of value `f0` and local derivative `f1`. Invoked inside `impl DualNum<f64> for ..`.
macro_rules! first_order_functions {
    ($value:ident, $apply:ident) => {
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
                $crate::special::sech_squared(self.$value),
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
