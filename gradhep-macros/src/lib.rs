//! The `#[differentiable]` attribute of gradhep. Users reach it as `gradhep::differentiable`;
//! its documentation is there.

mod activity;
mod ast;
mod expand;
mod rewrite;
mod types;
mod valid;

use proc_macro::TokenStream;

/// Makes an ordinary `f64` function differentiable: generic over the scalar type, with
/// gradient and Hessian companions.
#[proc_macro_attribute]
pub fn differentiable(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::differentiable(args.into(), item.into()).into()
}
