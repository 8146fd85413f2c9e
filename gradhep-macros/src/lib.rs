//! The `#[differentiable]` attribute of gradhep. Users reach it as `gradhep::differentiable`;
//! its documentation is there.

mod activity;
mod ast;
mod companions;
mod expand;
mod rewrite;
mod types;
mod valid;

#[cfg(test)]
mod snapshot;

use proc_macro::TokenStream;

/// Makes an ordinary `f64` function differentiable at compile time.
///
/// The function becomes generic over one scalar type `D: gradhep::Scalar` — `f64` or any
/// num-dual dual number — and gains `_grad` and `_hessian` companions. Called with plain
/// numbers it computes exactly what the original body computed, to the bit.
///
/// ```
/// use gradhep::differentiable;
///
/// /// Efficiency of a soft cut at `cut` for an event at `x`.
/// #[differentiable]
/// fn efficiency(x: f64, cut: f64, width: f64) -> f64 {
///     1.0 / (1.0 + (-(x - cut) / width).exp())
/// }
///
/// let e = efficiency(1.0, 0.5, 0.1); // plain f64, the call site is unchanged
/// let (e2, [de_dx, de_dcut, _de_dwidth]) = efficiency_grad(1.0, 0.5, 0.1);
/// assert_eq!(e, e2);
/// assert_eq!(de_dcut, -de_dx);
/// let (_, _, h) = efficiency_hessian(1.0, 0.5, 0.1);
/// assert_eq!(h[0][1], h[1][0]);
/// ```
///
/// # Arguments
///
/// - `wrt(a, b, ..)` names the active parameters exactly. It may name `&[f64]`,
///   `&mut [f64]` and `Vec<f64>` parameters, which then hold dual numbers (`&[D]`, ...).
///   A name that is not a parameter, or a parameter of another type, is a compile error.
/// - `crate = path` names the runtime when `gradhep` is reached under another path
///   (`#[differentiable(crate = my_reexport::gradhep)]`).
///
/// # What is active
///
/// Without `wrt`, every by-value `f64` and `[f64; N]` parameter is active; references,
/// slices, integers, `&self` and everything else are data. A fixed point over the body then
/// marks what depends on an active input: `let` bindings (annotated or not, shadowed or
/// not), assignments and compound assignments (`s += x` makes `s` active even if it started
/// as `0.0`), `for`/`while`/`loop` bodies and the values a `loop` `break`s with, closures
/// and the iterator chains they feed (`map`, `zip` component by component, `enumerate`,
/// `fold`, `sum`, `product`, ...),
/// `if`/`match` branches, early `return`, `?`, tuples, arrays, `vec![..]`, `Vec`s filled by
/// `push` or by index, closures bound by `let` and called with active arguments, and calls:
/// a call with any active argument (another `#[differentiable]` function, itself) is active,
/// and so is a local it is passed as `&mut` (an output buffer the callee fills).
/// `detach(x)` is passive.
///
/// # What is rewritten
///
/// Only active code; passive arithmetic on data stays plain `f64`. Every rewrite is exact at
/// `f64`, and a mixed operation costs what hand-written num-dual code costs (`D * f64`
/// scales the tangents, no lifting of data to duals):
///
/// - active parameter types, the active parts of the return type (`f64`, tuples, arrays,
///   `Vec<f64>`, `Option<f64>`, `Result<f64, E>`), annotations and closure parameter types
///   on active bindings, and turbofishes (`collect::<Vec<f64>>()`) become `D`;
/// - `c + x` and `c * x` with `c` passive become `x + c` and `x * c`, `c - x` becomes
///   `-x + c` and `c / x` becomes `lift::<D>(c) / x` (num-dual has no `f64 ⊕ D`);
/// - an active operand that may be a reference (`|x| x * x` over `iter()`) is read through
///   `gradhep::value`;
/// - a passive value that becomes an active binding, return value, branch, array element
///   or `fold` accumulator is lifted: `let mut s = 0.0;` becomes
///   `let mut s = gradhep::lift::<D>(0.0);`, `vec![0.0; n]` likewise;
/// - a passive `f64` passed beside active arguments goes through `gradhep::lift`, which
///   becomes the callee's parameter type (`D` or `f64`) by inference. Lifted are: float
///   literals (negated or not), `as f64` casts, arithmetic on those, bindings and
///   parameters typed or initialised as `f64`, elements of `f64` slices, arrays and `Vec`s
///   (indexed, or bound by `for`, by iterator closures including through `zip` and
///   `enumerate`, by `while let`, `?` or `unwrap`), and upper-case constants (`MZ`,
///   `Self::MASS`, `f64::consts::PI`);
/// - `a.max(b)`, `a.min(b)`, `x.clamp(lo, hi)`, `a.hypot(b)` become `gradhep::max`, `min`,
///   `clamp`, `hypot`; `x.powf(y)` with an active exponent becomes `x.powd(y)`; `atan2` and
///   `mul_add` lift passive arguments; `to_radians`/`to_degrees` become the products the
///   standard library defines them as; `f64::exp(x)`-style calls take the method form;
///   `.sum()` and `.product()` of active items become `gradhep::sum` and `gradhep::product`.
///
/// # Companions
///
/// For a result of type `f64` (or `Option<f64>`, `Result<f64, E>`) and K active scalars
/// known at compile time (scalars, and arrays of literal or named-constant length,
/// flattened in parameter order):
///
/// - `NAME_grad(args) -> (f64, [f64; K])`: the value and the gradient, from one forward
///   pass with `gradhep::DualDense64<K>` (a dense tangent of K components);
/// - `NAME_hessian(args) -> (f64, [f64; K], [[f64; K]; K])`: value, gradient and Hessian
///   from one pass with `Dual2SVec64<K>`.
///
/// They take the original parameters as `f64` (data unchanged), keep the function's
/// visibility, and wrap their result in the same `Option`/`Result`. Methods get companion
/// methods. Functions with active slices, or results that are tuples or vectors, get no
/// companions: call the generic function with the dual type you need.
///
/// # Compile-time checks
///
/// Constructs whose derivative would be silently wrong are errors, spanned on the code and
/// naming the smooth replacement; all errors of a function are reported together. The
/// explicit way out is `gradhep::detach(x)`: the value as `f64`, no derivative.
///
/// | on an active value | instead |
/// |---|---|
/// | `<`, `>`, `<=`, `>=`, `==`, `!=` (in `if`, `while`, `&&`/`||`, guards, anywhere) | `gradhep::smooth::cut_above`, `cut_below`, `cut_window`, `sigmoid` |
/// | comparisons inside `filter`, `take_while`, `skip_while`, `position`, `partition`, `find`, `any`, `all` | weight every event: `.map(\|x\| cut_above(x, cut, width))` |
/// | `match` on it | smooth weights per arm |
/// | `x as T` | `gradhep::hist::kde` for bin indices |
/// | `floor`, `ceil`, `round`, `trunc`, `fract`, `signum` | `gradhep::smooth::sigmoid` |
/// | `%`, `%=`, `rem_euclid`, `div_euclid` | `sin`, `cos`, `atan2` |
/// | as an index (`hist[(x / w) as usize]`) | `gradhep::hist::kde` |
/// | stored into a passive parameter (`hist: &mut [f64]`) or a field of `self` | name the parameter in `wrt(..)`; return the value |
///
/// The attribute on something that is not a function, on `async`, `const`, `unsafe` or
/// `extern` functions, and unknown names in `wrt` are errors too.
///
/// # Limits
///
/// - Companions of an associated function without `self` call it as `Self::name` when its
///   signature or body names `Self`, and as a free function otherwise; in an `impl` block,
///   an associated function that does not name `Self` gets companions that do not resolve
///   (give it a receiver). Companions cannot be added to `impl Trait for T` blocks.
/// - A passive value is lifted beside active arguments only when it is known to be an `f64`
///   (see above); fields (`self.mass`) are not: write `gradhep::lift(self.mass)` when the
///   callee takes the scalar type there. Conversely an upper-case integer constant passed
///   next to active arguments is taken for an `f64`.
/// - Bodies of nested `fn` items and of macros other than `vec!` are not analysed.
/// - `break 'label value` is taken to leave the innermost `loop`.
#[proc_macro_attribute]
pub fn differentiable(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::differentiable(args.into(), item.into()).into()
}
