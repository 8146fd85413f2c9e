//! The compile-time checks: constructs whose derivative would be silently wrong or zero.
//!
//! Each error is spanned on the user's tokens and names the smooth replacement, or
//! `detach(x)` as the explicit way to let no derivative flow. Proc macros on stable Rust cannot
//! attach `help` sub-diagnostics, so the help is the message's last line.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{Error, Expr, Ident, Signature};

const DETACH: &str = "`detach(x)` if no derivative should flow";

/// A comparison (`<`, `>`, `<=`, `>=`, `==`, `!=`) with a differentiable operand.
pub fn comparison(tokens: impl ToTokens, adaptor: Option<&str>) -> Error {
    let msg = match adaptor {
        Some(name) => format!(
            "`{name}` decided by a comparison of a differentiable value: each event's \
             derivative is zero, yet the result moves with the cut\n\
             help: keep every event and weight it by a smooth step, \
             `.map(|x| gradhep::smooth::cut_above(x, cut, width))` (or `cut_below`, \
             `cut_window`), or compare {DETACH}"
        ),
        None => format!(
            "comparison of a differentiable value: a branch on it has zero derivative, so \
             the gradient misses how the cut moves\n\
             help: use a smooth step, `gradhep::smooth::cut_above(x, cut, width)`, \
             `cut_below`, `cut_window` or `sigmoid`, or compare {DETACH}"
        ),
    };
    Error::new_spanned(tokens, msg)
}

/// `match` on a differentiable value.
pub fn match_scrutinee(tokens: impl ToTokens) -> Error {
    Error::new_spanned(
        tokens,
        format!(
            "`match` on a differentiable value: choosing an arm by its value has zero \
             derivative\nhelp: weight the arms by smooth steps \
             (`gradhep::smooth::cut_above`, `cut_window`), or match on {DETACH}"
        ),
    )
}

/// `as` cast of a differentiable value.
pub fn cast(tokens: impl ToTokens) -> Error {
    Error::new_spanned(
        tokens,
        "`as` cast of a differentiable value drops its derivative\n\
         help: for a bin index fill a smooth histogram, `gradhep::hist::kde(values, edges, \
         bandwidth)`; write `detach(x) as T` if no derivative should flow",
    )
}

/// `floor`, `ceil`, `round`, `trunc`, `fract`, `signum` of a differentiable value.
pub fn step_method(tokens: impl ToTokens, method: &Ident) -> Error {
    Error::new_spanned(
        tokens,
        format!(
            "`{method}` of a differentiable value is a step function: its derivative is zero \
             almost everywhere\n\
             help: use a smooth step, `gradhep::smooth::sigmoid((x - edge) / width)`, or \
             `detach(x).{method}()` if no derivative should flow"
        ),
    )
}

/// `%`, `rem_euclid`, `div_euclid` with a differentiable operand.
pub fn remainder(tokens: impl ToTokens, what: &str) -> Error {
    Error::new_spanned(
        tokens,
        format!(
            "`{what}` of a differentiable value jumps at every multiple of the divisor, and \
             its derivative misses the jumps\n\
             help: write the periodic quantity smoothly (`sin`, `cos`, `atan2`), or use \
             {DETACH}"
        ),
    )
}

/// A differentiable value used as an index.
pub fn index(tokens: impl ToTokens) -> Error {
    Error::new_spanned(
        tokens,
        "a differentiable value used as an index: the bin it selects has zero derivative\n\
         help: fill a smooth histogram, `gradhep::hist::kde(values, edges, bandwidth)`, or \
         index by `detach(x) as usize` if no derivative should flow",
    )
}

/// The attribute on something other than a function.
pub fn not_a_function(item: TokenStream) -> Error {
    let head = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Struct(s)) => pair(s.struct_token, s.ident),
        Ok(syn::Item::Enum(e)) => pair(e.enum_token, e.ident),
        Ok(syn::Item::Trait(t)) => pair(t.trait_token, t.ident),
        Ok(syn::Item::Impl(i)) => pair(i.impl_token, i.self_ty),
        Ok(syn::Item::Mod(m)) => pair(m.mod_token, m.ident),
        Ok(syn::Item::Const(c)) => pair(c.const_token, c.ident),
        Ok(syn::Item::Static(s)) => pair(s.static_token, s.ident),
        Ok(syn::Item::Type(t)) => pair(t.type_token, t.ident),
        _ => item,
    };
    Error::new_spanned(
        head,
        "#[differentiable] applies to functions and methods\n\
         help: put it on each `fn` whose `f64` inputs should carry derivatives",
    )
}

fn pair(keyword: impl ToTokens, name: impl ToTokens) -> TokenStream {
    quote!(#keyword #name)
}

/// Function qualifiers the rewrite cannot keep meaningful.
pub fn signature(sig: &Signature, errors: &mut Vec<Error>) {
    let refuse = |tokens: &dyn ToTokens, what: &str, why: &str| {
        Error::new_spanned(
            tokens,
            format!(
                "#[differentiable] cannot rewrite {what} function: {why}\n\
                 help: put the arithmetic in a plain `fn` with #[differentiable] and call it \
                 from this one"
            ),
        )
    };
    if let Some(t) = &sig.asyncness {
        errors.push(refuse(
            t,
            "an `async`",
            "its body is a future, not a computation",
        ));
    }
    if let Some(t) = &sig.constness {
        errors.push(refuse(
            t,
            "a `const`",
            "dual-number arithmetic is not available in const evaluation",
        ));
    }
    if let syn::Safety::Unsafe(t) = &sig.safety {
        errors.push(refuse(
            t,
            "an `unsafe`",
            "its contract is about the `f64` signature",
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(refuse(
            abi,
            "an `extern`",
            "a foreign ABI cannot be generic over the scalar type",
        ));
    }
}

/// A name in `wrt(..)` that is not a parameter.
pub fn unknown_wrt(name: &Ident, function: &Ident) -> Error {
    Error::new_spanned(
        name,
        format!(
            "`wrt` names `{name}`, which is not a parameter of `{function}`\n\
             help: list the `f64`, `[f64; N]`, `&[f64]`, `&mut [f64]` or `Vec<f64>` \
             parameters to differentiate with respect to"
        ),
    )
}

/// A name in `wrt(..)` whose type cannot hold dual numbers.
pub fn not_differentiable_param(name: &Ident, ty: &syn::Type) -> Error {
    Error::new_spanned(
        ty,
        format!(
            "`{name}` cannot carry derivatives: its type is not `f64`, `[f64; N]`, \
             `&[f64]`, `&mut [f64]` or `Vec<f64>`\n\
             help: remove it from `wrt(..)`"
        ),
    )
}

/// An active value stored into data: a passive parameter or a field of `self`.
pub fn stored_into_data(place: &Expr, name: &str, field: bool) -> Error {
    let (what, help) = if field {
        (
            "a field of `self`".to_owned(),
            "return the value instead of storing it",
        )
    } else {
        (
            format!("`{name}`, a parameter that holds plain `f64` data"),
            "name the parameter in `wrt(..)` so that it holds dual numbers",
        )
    };
    Error::new_spanned(
        place,
        format!(
            "a differentiable value is stored into {what}: its derivative would be lost\n\
             help: {help}, or store {DETACH}"
        ),
    )
}
