//! The expansion of a ten-line function, as `cargo expand` would show it: it must read like
//! num-dual code written by hand. `SNAPSHOT=overwrite cargo test -p gradhep-macros` rewrites
//! the expected file after a deliberate change; review the diff.

use crate::expand::differentiable;
use quote::quote;

fn expand_pretty(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
    let file: syn::File = syn::parse2(differentiable(args, item)).expect("expansion parses");
    prettyplease::unparse(&file)
}

#[test]
fn expansion_of_a_ten_line_function_reads_like_hand_written_code() {
    let pretty = expand_pretty(
        quote!(wrt(cut, width)),
        quote! {
            /// Weighted events kept by a soft cut at `cut`.
            pub fn kept(cut: f64, width: f64, events: &[f64], weights: &[f64]) -> f64 {
                let mut total = 0.0;
                for (x, w) in events.iter().zip(weights) {
                    let keep = 1.0 / (1.0 + ((cut - x) / width).exp());
                    total += w * keep;
                }
                total
            }
        },
    );
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/expand/kept.expanded.rs");
    if std::env::var_os("SNAPSHOT").is_some_and(|v| v == "overwrite") {
        std::fs::write(path, &pretty).expect("snapshot written");
    }
    let expected = std::fs::read_to_string(path).expect("snapshot present");
    assert_eq!(pretty, expected, "expansion changed; see {path}");
}
