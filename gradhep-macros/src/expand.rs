//! The expansion: the function made generic over the scalar type, and its companions.

use crate::activity::Shape;
use crate::ast::{Args, Function};
use crate::rewrite::Walker;
use crate::{types, valid};
use proc_macro2::{TokenStream, TokenTree};
use quote::{format_ident, quote};
use syn::{Expr, FnArg, GenericParam, Ident, Pat, ReturnType, Signature, Type};

/// More passes than any body needs: each pass makes at least one binding more active.
const MAX_PASSES: usize = 64;

/// Expands `#[differentiable(args)] item`.
pub fn differentiable(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let args = Args::parse(args).unwrap_or_else(|e| {
        errors.push(e);
        Args {
            wrt: None,
            krate: syn::parse_quote!(::gradhep),
        }
    });
    let func = match Function::parse(item.clone()) {
        Ok(func) => func,
        Err(e) => {
            let e = e.to_compile_error();
            return quote!(#e #item);
        }
    };
    let before = errors.len();
    valid::signature(&func.sig, &mut errors);
    if errors.len() > before {
        // Refused qualifiers: the function stays as written, so only the reason is reported.
        return combine(errors, item);
    }
    let actives = active_params(&func.sig, args.wrt.as_deref(), &mut errors);
    let output = if actives.iter().any(|a| a.is_some()) {
        rewrite(func, &actives, &args, &item, &mut errors)
    } else {
        emit(&func)
    };
    combine(errors, output)
}

/// All errors in one, before the code emitted.
fn combine(errors: Vec<syn::Error>, output: TokenStream) -> TokenStream {
    let errors = errors.into_iter().reduce(|mut all, e| {
        all.combine(e);
        all
    });
    let errors = errors.map(|e| e.to_compile_error());
    quote!(#errors #output)
}

/// An active parameter: its name and, for an array, its length.
struct Active {
    ident: Ident,
    array_len: Option<Expr>,
    /// A slice or `Vec`: its length is not known at compile time.
    sequence: bool,
}

/// For each input of the signature, whether (and how) it is active.
fn active_params(
    sig: &Signature,
    wrt: Option<&[Ident]>,
    errors: &mut Vec<syn::Error>,
) -> Vec<Option<Active>> {
    let mut found = Vec::new();
    let actives = sig
        .inputs
        .iter()
        .map(|input| {
            let FnArg::Typed(pt) = input else { return None };
            let Pat::Ident(p) = &*pt.pat else { return None };
            let chosen = match wrt {
                Some(names) => names.contains(&p.ident),
                None => types::is_f64(&pt.ty) || types::f64_array_len(&pt.ty).is_some(),
            };
            if !chosen {
                return None;
            }
            found.push(p.ident.clone());
            if !types::may_be_active(&pt.ty) {
                errors.push(valid::not_differentiable_param(&p.ident, &pt.ty));
                return None;
            }
            Some(Active {
                ident: p.ident.clone(),
                array_len: types::f64_array_len(&pt.ty).cloned(),
                sequence: !types::is_f64(&pt.ty) && types::f64_array_len(&pt.ty).is_none(),
            })
        })
        .collect();
    for name in wrt.unwrap_or_default() {
        if !found.contains(name) {
            errors.push(valid::unknown_wrt(name, &sig.ident));
        }
    }
    actives
}

fn rewrite(
    mut func: Function,
    actives: &[Option<Active>],
    args: &Args,
    item: &TokenStream,
    errors: &mut Vec<syn::Error>,
) -> TokenStream {
    let scalar = fresh_scalar(item);
    let krate = &args.krate;
    let original = func.sig.clone();
    let mask: Vec<bool> = actives.iter().map(Option::is_some).collect();

    let mut walker = Walker::new(scalar.clone(), krate.clone());
    for _ in 0..MAX_PASSES {
        walker.start_pass(false);
        let (mut sig, mut block) = (func.sig.clone(), func.block.clone());
        declare_params(&mut walker, &mut sig, &mask);
        walker.body(&mut block);
        if !walker.bindings.changed {
            break;
        }
    }
    walker.start_pass(true);
    declare_params(&mut walker, &mut func.sig, &mask);
    walker.body(&mut func.block);
    errors.append(&mut walker.errors);

    for (input, active) in func.sig.inputs.iter_mut().zip(&mask) {
        if let (FnArg::Typed(pt), true) = (input, active) {
            types::activate(&mut pt.ty, &Shape::Active, &scalar);
        }
    }
    if let ReturnType::Type(_, ty) = &mut func.sig.output {
        types::activate(ty, &walker.ret, &scalar);
    }
    func.sig
        .generics
        .params
        .push(syn::parse_quote!(#scalar: #krate::Scalar));

    let function = emit(&func);
    let actives: Vec<&Active> = actives.iter().flatten().collect();
    let companions = if walker.ret == Shape::Active {
        companions(&func, &original, &actives, krate)
    } else {
        TokenStream::new()
    };
    quote!(#function #companions)
}

fn declare_params(walker: &mut Walker, sig: &mut Signature, mask: &[bool]) {
    for (input, &active) in sig.inputs.iter_mut().zip(mask) {
        if let FnArg::Typed(pt) = input {
            walker.param(&mut pt.pat, &pt.ty, active);
        }
    }
}

fn emit(func: &Function) -> TokenStream {
    let Function {
        attrs,
        vis,
        sig,
        block,
    } = func;
    quote!(#(#attrs)* #vis #sig #block)
}

/// `D`, or a name the item does not use.
fn fresh_scalar(item: &TokenStream) -> Ident {
    fn collect(tokens: TokenStream, names: &mut Vec<String>) {
        for tt in tokens {
            match tt {
                TokenTree::Ident(i) => names.push(i.to_string()),
                TokenTree::Group(g) => collect(g.stream(), names),
                _ => {}
            }
        }
    }
    let mut names = Vec::new();
    collect(item.clone(), &mut names);
    let name = std::iter::once("D".to_owned())
        .chain((1..).map(|i| format!("D{i}")))
        .find(|n| !names.contains(n))
        .expect("some name is free");
    format_ident!("{name}")
}

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
fn companions(
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
