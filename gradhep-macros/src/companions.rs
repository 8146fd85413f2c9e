//! The `_grad` and `_hessian` companions: the original signature in `f64`, the active
//! inputs seeded as dual numbers, one call of the generic function.

use crate::ast::Function;
use crate::expand::Active;
use crate::types;
use proc_macro2::{TokenStream, TokenTree};
use quote::{format_ident, quote};
use syn::{Expr, FnArg, GenericParam, Ident, Pat, ReturnType, Signature, Type};

/// What the companions return around `(f64, [f64; K])`.
enum Wrap {
    Plain,
    Option,
    Result(Box<Type>),
}

fn result_wrap(output: &ReturnType) -> Option<Wrap> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    if types::is_f64(ty) {
        return Some(Wrap::Plain);
    }
    let Type::Path(p) = &**ty else { return None };
    let seg = p.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    let mut tys = args.args.iter().filter_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    let first = tys.next()?;
    if !types::is_f64(first) {
        return None;
    }
    match (seg.ident.to_string().as_str(), tys.next()) {
        ("Option", None) => Some(Wrap::Option),
        ("Result", Some(e)) => Some(Wrap::Result(Box::new(e.clone()))),
        _ => None,
    }
}

/// `NAME_grad` and `NAME_hessian`, when the result is one scalar and the number of active
/// scalars is known at compile time.
pub fn companions(
    func: &Function,
    original: &Signature,
    actives: &[&Active],
    krate: &syn::Path,
) -> TokenStream {
    let Some(wrap) = result_wrap(&original.output) else {
        return TokenStream::new();
    };
    if actives.iter().any(|a| a.sequence) {
        return TokenStream::new();
    }
    let Some(k) = direction_count(actives, &original.generics) else {
        return TokenStream::new();
    };
    let grad = companion(func, original, actives, krate, &k, &wrap, Order::First);
    let hessian = companion(func, original, actives, krate, &k, &wrap, Order::Second);
    quote!(#grad #hessian)
}

/// K, the number of active scalars (arrays counted by their length).
fn direction_count(actives: &[&Active], generics: &syn::Generics) -> Option<TokenStream> {
    let const_params: Vec<String> = generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Const(c) => Some(c.ident.to_string()),
            _ => None,
        })
        .collect();
    let mut literal = 0usize;
    let mut terms = Vec::new();
    for a in actives {
        match &a.array_len {
            None => literal += 1,
            Some(len) => match int_literal(len) {
                Some(n) => literal += n,
                None => terms.push(len.clone()),
            },
        }
    }
    let generic = terms.iter().any(|t| mentions(t, &const_params));
    let literal = proc_macro2::Literal::usize_unsuffixed(literal);
    if terms.is_empty() {
        return Some(quote!(#literal));
    }
    if generic {
        // A sum involving a const parameter needs `generic_const_exprs`; one array alone is
        // fine.
        return (actives.len() == 1).then(|| {
            let t = &terms[0];
            quote!(#t)
        });
    }
    let literal = (literal.to_string() != "0").then(|| quote!(#literal +));
    Some(quote!(#literal #(#terms)+*))
}

fn int_literal(e: &Expr) -> Option<usize> {
    match e {
        Expr::Lit(l) => match &l.lit {
            syn::Lit::Int(i) => i.base10_parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

fn mentions(e: &Expr, names: &[String]) -> bool {
    fn walk(tokens: TokenStream, names: &[String]) -> bool {
        tokens.into_iter().any(|tt| match tt {
            TokenTree::Ident(i) => names.contains(&i.to_string()),
            TokenTree::Group(g) => walk(g.stream(), names),
            _ => false,
        })
    }
    walk(quote!(#e), names)
}

#[derive(Clone, Copy)]
enum Order {
    First,
    Second,
}

fn companion(
    func: &Function,
    original: &Signature,
    actives: &[&Active],
    krate: &syn::Path,
    k: &TokenStream,
    wrap: &Wrap,
    order: Order,
) -> TokenStream {
    let name = &original.ident;
    let (suffix, seeds, split) = match order {
        Order::First => ("grad", quote!(gradient_seeds), quote!(split_gradient)),
        Order::Second => ("hessian", quote!(hessian_seeds), quote!(split_hessian)),
    };
    let companion_name = format_ident!("{}_{}", name, suffix);

    // The original signature with plain names for every parameter, so they can be passed on.
    let mut sig = original.clone();
    sig.ident = companion_name;
    let mut call_args = Vec::new();
    for (i, input) in sig.inputs.iter_mut().enumerate() {
        if let FnArg::Typed(pt) = input {
            let ident = match &*pt.pat {
                Pat::Ident(p) => p.ident.clone(),
                _ => format_ident!("__arg{i}"),
            };
            *pt.pat = syn::parse_quote!(#ident);
            call_args.push(ident);
        }
    }
    let parts = match order {
        Order::First => quote!((f64, [f64; #k])),
        Order::Second => quote!((f64, [f64; #k], [[f64; #k]; #k])),
    };
    let inner = match wrap {
        Wrap::Plain => parts,
        Wrap::Option => quote!(::core::option::Option<#parts>),
        Wrap::Result(e) => quote!(::core::result::Result<#parts, #e>),
    };
    sig.output = syn::parse_quote!(-> #inner);

    let seeding = seeding(actives, krate, &seeds, k);
    let call = if func.is_method() {
        quote!(self.#name(#(#call_args),*))
    } else if func.mentions_self_type() {
        quote!(Self::#name(#(#call_args),*))
    } else {
        quote!(#name(#(#call_args),*))
    };
    let result = match wrap {
        Wrap::Plain => quote!(#krate::#split(#call)),
        Wrap::Option | Wrap::Result(_) => quote!(#call.map(#krate::#split)),
    };

    let wrt = actives
        .iter()
        .map(|a| match &a.array_len {
            None => format!("`{}`", a.ident),
            Some(_) => format!("`{}[..]`", a.ident),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let doc = match order {
        Order::First => format!(
            " Value and gradient of `{name}` with respect to {wrt}, in that order, from one \
             forward pass."
        ),
        Order::Second => format!(
            " Value, gradient and Hessian (`h[i][j] = ∂²f/∂xᵢ∂xⱼ`) of `{name}` with respect to \
             {wrt}, from one forward pass."
        ),
    };
    let note = match wrap {
        Wrap::Plain => None,
        Wrap::Option => Some(" `None` where the function returns `None`."),
        Wrap::Result(_) => Some(" The function's error where it returns one."),
    };
    let note = note.map(|n| quote!(#[doc = ""] #[doc = #n]));
    let cfgs = func.attrs.iter().filter(|a| a.path().is_ident("cfg"));
    let vis = &func.vis;
    quote! {
        #[doc = #doc]
        #note
        #(#cfgs)*
        #[inline]
        #[allow(dead_code)]
        #vis #sig {
            #seeding
            #result
        }
    }
}

/// Shadows the active parameters by seeded dual numbers.
fn seeding(
    actives: &[&Active],
    krate: &syn::Path,
    seeds: &TokenStream,
    k: &TokenStream,
) -> TokenStream {
    let all_literal = actives.iter().all(|a| {
        a.array_len
            .as_ref()
            .is_none_or(|l| int_literal(l).is_some())
    });
    if all_literal {
        let mut flat = Vec::new();
        let mut names = Vec::new();
        let mut regroup = Vec::new();
        for a in actives {
            let x = &a.ident;
            match a.array_len.as_ref().and_then(int_literal) {
                None => {
                    flat.push(quote!(#x));
                    names.push(x.clone());
                }
                Some(n) => {
                    let parts: Vec<Ident> = (0..n).map(|i| format_ident!("{}_{}", x, i)).collect();
                    let index = (0..n).map(proc_macro2::Literal::usize_unsuffixed);
                    flat.extend(index.map(|i| quote!(#x[#i])));
                    names.extend(parts.iter().cloned());
                    regroup.push(quote!(let #x = [#(#parts),*];));
                }
            }
        }
        return quote! {
            let [#(#names),*] = #krate::#seeds([#(#flat),*]);
            #(#regroup)*
        };
    }
    let mut fill = Vec::new();
    let mut take = Vec::new();
    let mut offset = quote!(0);
    for a in actives {
        let x = &a.ident;
        match &a.array_len {
            None => {
                fill.push(quote!(__flat[#offset] = #x;));
                take.push(quote!(let #x = __seeds[#offset];));
                offset = quote!(#offset + 1);
            }
            Some(n) => {
                fill.push(quote!(__flat[#offset..#offset + #n].copy_from_slice(&#x);));
                take.push(
                    quote!(let #x: [_; #n] = ::core::array::from_fn(|i| __seeds[#offset + i]);),
                );
                offset = quote!(#offset + #n);
            }
        }
    }
    quote! {
        let __seeds = #krate::#seeds::<{ #k }>({
            let mut __flat = [0.0; #k];
            #(#fill)*
            __flat
        });
        #(#take)*
    }
}
