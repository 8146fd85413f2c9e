//! Reading and rewriting the `f64` parts of types.

use crate::activity::Shape;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Ident, Type};

/// `f64`, possibly parenthesised.
pub fn is_f64(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p.qself.is_none() && p.path.is_ident("f64"),
        Type::Paren(p) => is_f64(&p.elem),
        Type::Group(g) => is_f64(&g.elem),
        _ => false,
    }
}

/// `&f64` or `&mut f64`.
pub fn is_f64_ref(ty: &Type) -> bool {
    matches!(ty, Type::Reference(r) if is_f64(&r.elem))
}

/// A reference type.
pub fn is_ref(ty: &Type) -> bool {
    matches!(ty, Type::Reference(_))
}

/// `[f64; N]`, `&[f64]`, `&mut [f64]`, `Vec<f64>` or a reference to one of them: something
/// whose elements are `f64`.
pub fn is_f64_seq(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => is_f64_seq(&r.elem),
        Type::Slice(s) => is_f64(&s.elem),
        Type::Array(a) => is_f64(&a.elem),
        Type::Path(p) => vec_elem(p).is_some_and(is_f64),
        _ => false,
    }
}

fn vec_elem(p: &syn::TypePath) -> Option<&Type> {
    let seg = p.path.segments.last()?;
    if seg.ident != "Vec" {
        return None;
    }
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// The length of `[f64; N]`, the kinds of parameter active by default being `f64` and this.
pub fn f64_array_len(ty: &Type) -> Option<&Expr> {
    match ty {
        Type::Array(a) if is_f64(&a.elem) => Some(&a.len),
        _ => None,
    }
}

/// Whether `ty` may be named in `wrt`: `f64`, `[f64; N]`, or a slice, `Vec` or reference of
/// `f64` elements.
pub fn may_be_active(ty: &Type) -> bool {
    is_f64(ty) || is_f64_seq(ty)
}

/// Replaces the `f64` parts of `ty` that `shape` says are active by the scalar type.
pub fn activate(ty: &mut Type, shape: &Shape, scalar: &Ident) {
    match (ty, shape) {
        (Type::Tuple(t), Shape::Tuple(parts)) if t.elems.len() == parts.len() => {
            for (elem, part) in t.elems.iter_mut().zip(parts) {
                activate(elem, part, scalar);
            }
        }
        (Type::Paren(p), s) => activate(&mut p.elem, s, scalar),
        (ty, s) if s.is_active() => ReplaceF64(scalar).visit_type_mut(ty),
        _ => {}
    }
}

/// Replaces every `f64` in a type (including generic arguments) by the scalar type.
pub struct ReplaceF64<'a>(pub &'a Ident);

impl VisitMut for ReplaceF64<'_> {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if is_f64(ty) {
            let scalar = self.0;
            *ty = syn::parse_quote!(#scalar);
        } else {
            visit_mut::visit_type_mut(self, ty);
        }
    }

    // Array lengths are expressions; nothing in them is a scalar type.
    fn visit_expr_mut(&mut self, _: &mut Expr) {}
}
