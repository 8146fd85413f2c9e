//! The arguments of `vec![..]`, which syn leaves as tokens.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::punctuated::Punctuated;
use syn::{Expr, Macro, Token};

/// The arguments of `vec![..]`.
/// The arguments of `vec![..]`.
pub(super) enum VecMacro {
    Repeat(Box<Expr>, Box<Expr>),
    List(Punctuated<Expr, Token![,]>),
}

impl VecMacro {
    pub(super) fn parse(mac: &Macro) -> Option<VecMacro> {
        mac.parse_body_with(|input: syn::parse::ParseStream| {
            if input.is_empty() {
                return Ok(VecMacro::List(Punctuated::new()));
            }
            let first: Expr = input.parse()?;
            if input.peek(Token![;]) {
                input.parse::<Token![;]>()?;
                return Ok(VecMacro::Repeat(Box::new(first), input.parse()?));
            }
            let mut list = Punctuated::new();
            list.push(first);
            while !input.is_empty() {
                list.push_punct(input.parse()?);
                if input.is_empty() {
                    break;
                }
                list.push(input.parse()?);
            }
            Ok(VecMacro::List(list))
        })
        .ok()
    }

    pub(super) fn elems_mut(&mut self) -> Vec<&mut Expr> {
        match self {
            VecMacro::Repeat(elem, _) => vec![&mut **elem],
            VecMacro::List(list) => list.iter_mut().collect(),
        }
    }

    pub(super) fn into_tokens(self) -> TokenStream {
        match self {
            VecMacro::Repeat(elem, len) => quote!(#elem; #len),
            VecMacro::List(list) => list.into_token_stream(),
        }
    }
}
