//! The expansion: parse, choose the active inputs, analyse and rewrite the body, make the
//! signature generic over the scalar type, and add the companions.

use crate::activity::Shape;
use crate::ast::{Args, Function};
use crate::companions::companions;
use crate::rewrite::Walker;
use crate::{types, valid};
use proc_macro2::{TokenStream, TokenTree};
use quote::{format_ident, quote};
use syn::{Expr, FnArg, Ident, Pat, ReturnType, Signature};

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
pub struct Active {
    pub ident: Ident,
    pub array_len: Option<Expr>,
    /// A slice or `Vec`: its length is not known at compile time.
    pub sequence: bool,
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

/// The rewritten function, with an inline hint unless it has its own: a companion calls it
/// with seeds whose one-hot tangents are constants, and only where the body inlines into the
/// companion can the compiler fold the zero components away (W1's serial `_grad`: 1.12× the
/// hand-written num-dual without the hint, 1.00 with it).
fn emit(func: &Function) -> TokenStream {
    let Function {
        attrs,
        vis,
        sig,
        block,
    } = func;
    let hint = (!attrs.iter().any(|a| a.path().is_ident("inline"))).then(|| quote!(#[inline]));
    quote!(#(#attrs)* #hint #vis #sig #block)
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
