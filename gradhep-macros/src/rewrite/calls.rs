//! Calls and method calls: activity through iterator adaptors, the methods num-dual lacks,
//! and the lifting of passive arguments.

use super::{Floats, Param, Ty, Walker, paren, take};
use crate::activity::Shape;
use crate::{types, valid};
use quote::quote;
use syn::{Expr, Ident, Path, Token};

/// Scalar methods of num-dual (all take `&self`, so a reference receiver is fine).
const MATH: &[&str] = &[
    "abs", "recip", "powi", "sqrt", "cbrt", "exp", "exp2", "exp_m1", "ln", "log2", "log10",
    "ln_1p", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
    "atanh", "sph_j0", "sph_j1", "sph_j2", "powf", "log", "powd", "inv",
];

/// Methods whose value jumps: refused on active values.
const STEPS: &[&str] = &["floor", "ceil", "round", "trunc", "fract", "signum"];

/// Methods that num-dual lacks for a generic scalar, provided by the runtime.
const RUNTIME: &[&str] = &["max", "min", "clamp", "hypot"];

/// Iterator adaptors whose closure decides which elements survive.
const SELECTORS: &[&str] = &[
    "filter",
    "take_while",
    "skip_while",
    "position",
    "rposition",
    "partition",
    "find",
    "any",
    "all",
    "retain",
];

impl Walker {
    pub(super) fn call(&mut self, e: &mut Expr) -> Ty {
        let Expr::Call(call) = e else { unreachable!() };
        // `f64::exp(x)`, `f64::max(a, b)`: the method form, which the rest handles.
        if let Some(method) = f64_function(&call.func)
            && !call.args.is_empty()
        {
            let mut args = std::mem::take(&mut call.args).into_iter();
            // Spanned from `f64` on, so that a check on the method points at the whole call.
            let span = syn::spanned::Spanned::span(&*call.func);
            let receiver = match paren(args.next().expect("at least one argument")) {
                Expr::Paren(mut p) => {
                    p.paren_token = syn::token::Paren(span);
                    Expr::Paren(p)
                }
                e => e,
            };
            *e = Expr::MethodCall(syn::ExprMethodCall {
                attrs: std::mem::take(&mut call.attrs),
                receiver: Box::new(receiver),
                dot_token: Token![.](method.span()),
                method,
                turbofish: None,
                paren_token: call.paren_token,
                args: args.collect(),
            });
            return self.method(e);
        }
        let Expr::Call(call) = e else { unreachable!() };
        if path_ends_with(&call.func, "detach") {
            for arg in &mut call.args {
                self.expr(arg);
            }
            return Ty::float();
        }
        let func = self.expr(&mut call.func);
        let args: Vec<Ty> = call.args.iter_mut().map(|a| self.expr(a)).collect();
        // A closure bound by `let`: its parameters take the activity of the arguments.
        if let Expr::Path(p) = &*call.func
            && let Some(ident) = p.path.get_ident()
            && let Some(id) = self.bindings.lookup(&ident.to_string())
            && let Some(params) = self.bindings.get(id).closure_params.clone()
        {
            for (param, arg) in params.iter().zip(&args) {
                if let Some(param) = param {
                    self.bindings.make_active(*param, &arg.shape);
                }
            }
        }
        if is_wrapper(&call.func) {
            let shape = args.iter().fold(Shape::Passive, |s, a| s.join(&a.shape));
            return Ty::shape(shape);
        }
        let active = func.active() || args.iter().any(Ty::active);
        if active {
            self.lift_args(call.args.iter_mut(), &args);
            self.mark_out_params(&call.args);
        }
        Ty {
            float: !active && path_starts_with(&call.func, "f64"),
            ..Ty::shape(Shape::active(active))
        }
    }

    /// `&mut out` passed to an active call is a buffer the callee fills with active values
    /// (`softmax_into(xs, &mut out)`): the place becomes active, or is reported when it is
    /// data (a passive parameter, a field of `self`).
    fn mark_out_params<'a>(&mut self, args: impl IntoIterator<Item = &'a Expr>) {
        for arg in args {
            if let Expr::Reference(r) = arg
                && r.mutability.is_some()
            {
                self.mark_place(&r.expr, &Shape::Active);
            }
        }
    }

    /// Passive `f64` arguments beside active ones: `lift` them to the callee's parameter.
    pub(super) fn lift_args<'a>(&self, args: impl Iterator<Item = &'a mut Expr>, tys: &[Ty]) {
        if !self.rewrite {
            return;
        }
        for (arg, ty) in args.zip(tys) {
            if !ty.active() && ty.float && !matches!(arg, Expr::Reference(_)) {
                *arg = self.lift_to_callee(take(arg), ty.by_ref);
            }
        }
    }

    pub(super) fn method(&mut self, e: &mut Expr) -> Ty {
        let Expr::MethodCall(mc) = e else {
            unreachable!()
        };
        let name = mc.method.to_string();
        let recv = self.expr(&mut mc.receiver);
        // Elements of an `f64` sequence are `f64`s (or references to them) when passive.
        let elem = Param {
            shape: recv.shape.clone(),
            by_ref: true,
            float: recv.elem_floats(),
        };
        let outer = self.selector.take();
        if SELECTORS.contains(&name.as_str()) {
            self.selector = Some(name.clone());
        }
        let mut args: Vec<Ty> = Vec::new();
        let mut acc = Shape::Passive;
        for (i, arg) in mc.args.iter_mut().enumerate() {
            let ty = match (name.as_str(), i, &mut *arg) {
                ("fold", 1, Expr::Closure(c)) => {
                    let init = args[0].shape.clone();
                    let start = Param {
                        shape: init,
                        by_ref: false,
                        float: Floats::of(args[0].float),
                    };
                    let (body, acc_shape) = self.closure(c, &[start, elem.clone()], true);
                    acc = acc_shape;
                    body
                }
                (
                    "max_by" | "min_by" | "sort_by" | "reduce" | "sort_unstable_by",
                    _,
                    Expr::Closure(c),
                ) => self.closure(c, &[elem.clone(), elem.clone()], false).0,
                (_, _, Expr::Closure(c)) => self.closure(c, std::slice::from_ref(&elem), false).0,
                (_, _, arg) => self.expr(arg),
            };
            args.push(ty);
        }
        self.selector = outer;
        if name == "fold"
            && let Some(init) = mc.args.first_mut()
        {
            let init_ty = args[0].clone();
            self.coerce(init, &init_ty, &acc);
        }
        let any_arg = args.iter().any(Ty::active);
        let involved = recv.active() || any_arg;
        if involved {
            self.mark_out_params(&mc.args);
        }
        let rewrite = self.rewrite;
        match name.as_str() {
            _ if STEPS.contains(&name.as_str()) && involved => {
                self.error(valid::step_method(&*mc, &mc.method));
                if rewrite {
                    *mc.receiver = self.detach(take(&mut mc.receiver));
                }
                Ty::float()
            }
            "rem_euclid" | "div_euclid" if involved => {
                self.error(valid::remainder(&*mc, &name));
                if rewrite {
                    *mc.receiver = self.detach(take(&mut mc.receiver));
                    for arg in &mut mc.args {
                        *arg = self.detach(take(arg));
                    }
                }
                Ty::float()
            }
            "sum" | "product" if recv.active() => {
                if rewrite {
                    let k = &self.krate;
                    let f = &mc.method;
                    let iter = &mc.receiver;
                    *e = self.parse(quote!(#k::#f(#iter)));
                }
                Ty::shape(Shape::Active)
            }
            _ if RUNTIME.contains(&name.as_str()) && involved => {
                if rewrite {
                    let mut operands = vec![(take(&mut mc.receiver), recv)];
                    operands.extend(mc.args.iter_mut().map(take).zip(args));
                    let operands = operands.into_iter().map(|(x, ty)| {
                        if ty.active() {
                            self.value_if(x, ty.by_ref)
                        } else {
                            self.lift_to_callee(x, ty.by_ref)
                        }
                    });
                    let (k, f) = (&self.krate, &mc.method);
                    *e = self.parse(quote!(#k::#f(#(#operands),*)));
                }
                Ty::shape(Shape::Active)
            }
            // The standard library's definitions, which are exact products.
            "to_radians" | "to_degrees" if recv.active() => {
                if rewrite {
                    let x = self.value_if(take(&mut mc.receiver), recv.by_ref);
                    let factor = if name == "to_radians" {
                        quote!((::core::f64::consts::PI / 180.0))
                    } else {
                        quote!((180.0 / ::core::f64::consts::PI))
                    };
                    *e = self.parse(quote!(#x * #factor));
                }
                Ty::shape(Shape::Active)
            }
            "powf" if any_arg => {
                if rewrite {
                    if !recv.active() {
                        *mc.receiver = self.lift_to_scalar(take(&mut mc.receiver), recv.by_ref);
                    }
                    mc.method = Ident::new("powd", mc.method.span());
                    if let Some(arg) = mc.args.first_mut() {
                        *arg = self.value_if(take(arg), args[0].by_ref);
                    }
                }
                Ty::shape(Shape::Active)
            }
            "powf" | "log" if recv.active() => {
                if rewrite && let Some(arg) = mc.args.first_mut() {
                    *arg = self.value_if(take(arg), args[0].by_ref);
                }
                Ty::shape(Shape::Active)
            }
            "atan2" | "mul_add" if involved => {
                if rewrite {
                    if !recv.active() {
                        *mc.receiver = self.lift_to_scalar(take(&mut mc.receiver), recv.by_ref);
                    }
                    for (arg, ty) in mc.args.iter_mut().zip(&args) {
                        *arg = if ty.active() {
                            self.value_if(take(arg), ty.by_ref)
                        } else {
                            self.lift_to_scalar(take(arg), ty.by_ref)
                        };
                    }
                }
                Ty::shape(Shape::Active)
            }
            _ if MATH.contains(&name.as_str()) => Ty {
                float: recv.float,
                ..Ty::shape(recv.shape)
            },
            "sin_cos" => Ty::shape(Shape::Tuple(vec![recv.shape.clone(), recv.shape])),
            "enumerate" => Ty {
                parts: Floats::Tuple(vec![Floats::No, recv.elem_floats()]),
                ..Ty::shape(Shape::Tuple(vec![Shape::Passive, recv.shape]))
            },
            "zip" => {
                let other = args.first().cloned().unwrap_or_default();
                Ty {
                    parts: Floats::Tuple(vec![recv.elem_floats(), other.elem_floats()]),
                    ..Ty::shape(Shape::Tuple(vec![recv.shape, other.shape]))
                }
            }
            "partition" => Ty::shape(Shape::Tuple(vec![recv.shape.clone(), recv.shape])),
            "map" | "flat_map" | "filter_map" | "map_while" | "find_map" | "then" => {
                Ty::shape(args.last().map(|a| a.shape.clone()).unwrap_or_default())
            }
            "fold" => Ty::shape(acc),
            "push" | "extend" | "extend_from_slice" | "insert" | "fill" => {
                let shape = args.iter().fold(Shape::Passive, |s, a| s.join(&a.shape));
                if !self.mark_place(&mc.receiver, &shape) && self.rewrite {
                    for (arg, ty) in mc.args.iter_mut().zip(&args) {
                        if ty.active() {
                            *arg = self.detach(take(arg));
                        }
                    }
                    return Ty::passive();
                }
                if self.place_shape(&mc.receiver).is_active()
                    && let Some(arg) = mc.args.last_mut()
                {
                    let ty = args.last().cloned().unwrap_or_default();
                    self.coerce(arg, &ty, &Shape::Active);
                }
                Ty::passive()
            }
            "len" | "is_empty" | "count" | "position" | "rposition" | "any" | "all" | "is_nan"
            | "is_finite" | "is_infinite" | "is_sign_positive" | "is_sign_negative"
            | "is_positive" | "is_negative" | "for_each" => Ty::passive(),
            _ if is_container_method(&mc.method) || is_passthrough(&name) => {
                if rewrite && recv.active() {
                    activate_turbofish(mc, &self.scalar);
                }
                let shape = args
                    .iter()
                    .filter(|_| matches!(name.as_str(), "chain" | "unwrap_or" | "or"))
                    .fold(recv.shape.clone(), |s, a| s.join(&a.shape));
                // An `Option` taken from an `f64` sequence holds an `f64` once unwrapped.
                let unwrapped = matches!(name.as_str(), "unwrap" | "expect" | "unwrap_or");
                Ty {
                    by_ref: true,
                    seq: recv.seq,
                    float: recv.float || (recv.seq && unwrapped),
                    parts: recv.parts.clone(),
                    ..Ty::shape(shape)
                }
            }
            _ => {
                if involved {
                    if rewrite {
                        activate_turbofish(mc, &self.scalar);
                    }
                    self.lift_args(mc.args.iter_mut(), &args);
                }
                Ty {
                    by_ref: true,
                    ..Ty::shape(Shape::active(involved))
                }
            }
        }
    }
}

/// `f64::name` as a callee, for a method `name` of the scalar.
pub(super) fn f64_function(func: &Expr) -> Option<Ident> {
    let Expr::Path(p) = func else { return None };
    let segs: Vec<&syn::PathSegment> = p.path.segments.iter().collect();
    match segs.as_slice() {
        [ty, f] if ty.ident == "f64" && p.qself.is_none() => {
            let name = f.ident.to_string();
            let known = MATH.contains(&name.as_str())
                || STEPS.contains(&name.as_str())
                || RUNTIME.contains(&name.as_str())
                || matches!(
                    name.as_str(),
                    "atan2"
                        | "mul_add"
                        | "sin_cos"
                        | "rem_euclid"
                        | "div_euclid"
                        | "to_radians"
                        | "to_degrees"
                );
            known.then(|| f.ident.clone())
        }
        _ => None,
    }
}

pub(super) fn path_ends_with(func: &Expr, name: &str) -> bool {
    matches!(func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
}

pub(super) fn path_starts_with(func: &Expr, name: &str) -> bool {
    matches!(func, Expr::Path(p) if p.path.segments.first().is_some_and(|s| s.ident == name))
}

/// `Some(..)`, `Ok(..)`: the value inside has the activity of the argument.
pub(super) fn is_wrapper(func: &Expr) -> bool {
    let Expr::Path(p) = func else { return false };
    p.path
        .get_ident()
        .is_some_and(|i| i == "Some" || i == "Ok" || i == "Err" || i == "Box")
}

/// `Vec::new()`, `Vec::with_capacity(n)`, `Default::default()`: empty containers whose
/// element type inference decides.
pub(super) fn is_constructor(path: &Path) -> bool {
    path.segments.last().is_some_and(|s| {
        matches!(
            s.ident.to_string().as_str(),
            "new" | "with_capacity" | "default"
        )
    })
}

pub(super) fn is_container_method(method: &Ident) -> bool {
    matches!(
        method.to_string().as_str(),
        "iter"
            | "iter_mut"
            | "into_iter"
            | "collect"
            | "to_vec"
            | "to_owned"
            | "windows"
            | "chunks"
            | "chunks_exact"
            | "as_slice"
            | "as_mut_slice"
    )
}

/// Adaptors and accessors whose result has the activity of the receiver.
pub(super) fn is_passthrough(name: &str) -> bool {
    matches!(
        name,
        "copied"
            | "cloned"
            | "rev"
            | "skip"
            | "take"
            | "step_by"
            | "chain"
            | "clone"
            | "unwrap"
            | "expect"
            | "unwrap_or"
            | "unwrap_or_default"
            | "or"
            | "filter"
            | "take_while"
            | "skip_while"
            | "first"
            | "last"
            | "get"
            | "next"
            | "nth"
            | "find"
            | "max_by"
            | "min_by"
            | "max_by_key"
            | "min_by_key"
            | "reduce"
            | "peekable"
            | "cycle"
            | "into"
            | "as_ref"
            | "borrow"
            | "iter_mut"
            | "inspect"
            | "unwrap_unchecked"
    )
}

/// `collect::<Vec<f64>>()` on active items collects the scalar type.
pub(super) fn activate_turbofish(mc: &mut syn::ExprMethodCall, scalar: &Ident) {
    if let Some(args) = &mut mc.turbofish {
        syn::visit_mut::VisitMut::visit_angle_bracketed_generic_arguments_mut(
            &mut types::ReplaceF64(scalar),
            args,
        );
    }
}
