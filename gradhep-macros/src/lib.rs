//! The `#[differentiable]` attribute of gradhep (placeholder until the macro lands).
use proc_macro::TokenStream;

/// Placeholder: emits the item unchanged.
#[proc_macro_attribute]
pub fn differentiable(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}
