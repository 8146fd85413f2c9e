//! The attribute's arguments and the item it is placed on.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::{Attribute, Block, Ident, ImplItemFn, ItemFn, Path, Signature, Visibility};

/// `#[differentiable(wrt(a, b), crate = path)]`.
pub struct Args {
    /// The parameters named by `wrt(..)`; `None` means every by-value `f64` and `[f64; N]`.
    pub wrt: Option<Vec<Ident>>,
    /// The path generated code names the runtime through (`::gradhep` unless overridden).
    pub krate: Path,
}

impl Args {
    pub fn parse(tokens: TokenStream) -> syn::Result<Args> {
        let mut wrt: Option<Vec<Ident>> = None;
        let mut krate: Path = syn::parse_quote!(::gradhep);
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("wrt") {
                let names = wrt.get_or_insert_with(Vec::new);
                meta.parse_nested_meta(|name| {
                    let ident = name.path.require_ident()?.clone();
                    if names.contains(&ident) {
                        return Err(name.error(format!("`{ident}` is named twice in `wrt`")));
                    }
                    names.push(ident);
                    Ok(())
                })
            } else if meta.path.is_ident("crate") {
                krate = meta.value()?.parse()?;
                Ok(())
            } else {
                Err(meta.error(
                    "unknown argument of #[differentiable]\n\
                     help: expected `wrt(a, b, ..)` or `crate = path`",
                ))
            }
        });
        parser.parse2(tokens)?;
        Ok(Args { wrt, krate })
    }
}

/// The function the attribute is on: a free function, or a method inside an `impl` block.
pub struct Function {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub sig: Signature,
    pub block: Block,
}

impl Function {
    /// Parses the item, or an error spanned on it when it is not a function.
    pub fn parse(item: TokenStream) -> syn::Result<Function> {
        if let Ok(f) = syn::parse2::<ItemFn>(item.clone()) {
            return Ok(Function {
                attrs: f.attrs,
                vis: f.vis,
                sig: f.sig,
                block: *f.block,
            });
        }
        if let Ok(f) = syn::parse2::<ImplItemFn>(item.clone()) {
            return Ok(Function {
                attrs: f.attrs,
                vis: f.vis,
                sig: f.sig,
                block: f.block,
            });
        }
        Err(crate::valid::not_a_function(item))
    }

    /// Whether the function takes `self`, so companions call it as a method.
    pub fn is_method(&self) -> bool {
        self.sig.receiver().is_some()
    }

    /// Whether the function names `Self`, so it is an associated function that companions
    /// call as `Self::name`.
    pub fn mentions_self_type(&self) -> bool {
        fn walk(tokens: TokenStream) -> bool {
            tokens.into_iter().any(|tt| match tt {
                proc_macro2::TokenTree::Ident(i) => i == "Self",
                proc_macro2::TokenTree::Group(g) => walk(g.stream()),
                _ => false,
            })
        }
        let (sig, block) = (&self.sig, &self.block);
        walk(quote::quote!(#sig #block))
    }
}
