//! Code enums of required bindings.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::ident;
use crate::format::doc_attrs;
use crate::ir::CodeEnumDef;

pub fn emit_codes(enums: &[CodeEnumDef]) -> TokenStream {
    let items = enums.iter().map(emit_code_enum);
    quote! {
        //! Code enums: `code` elements bound (required) to a value set that could be
        //! enumerated from the definitions. Unknown codes are kept in `Unrecognized`.
        #(#items)*
    }
}

fn emit_code_enum(e: &CodeEnumDef) -> TokenStream {
    let name = ident(&e.rust_name);
    let doc = doc_attrs(&e.doc);
    let vs = &e.value_set;
    let mut variants = Vec::new();
    let mut codes = Vec::new();
    let mut from = Vec::new();
    let mut to = Vec::new();
    for (i, (code, rust, display)) in e.codes.iter().enumerate() {
        let v = ident(rust);
        let d = if display.is_empty() { doc_attrs(&format!("`{code}`")) } else { doc_attrs(&format!("`{code}`: {display}")) };
        variants.push(quote! { #d #v, });
        codes.push(code);
        let idx = Literal::usize_unsuffixed(i);
        from.push(quote! { #idx => Self::#v, });
        to.push(quote! { Self::#v => #idx, });
    }
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#variants)*
            /// A code outside the value set, kept exactly as read.
            Unrecognized(::std::string::String),
        }
        impl crate::rt::CodeEnum for #name {
            const CODES: &'static [&'static str] = &[#(#codes),*];
            const VALUE_SET: &'static str = #vs;
            fn from_index(index: usize) -> ::core::option::Option<Self> {
                ::core::option::Option::Some(match index {
                    #(#from)*
                    _ => return ::core::option::Option::None,
                })
            }
            fn index(&self) -> ::core::option::Option<usize> {
                ::core::option::Option::Some(match self {
                    #(#to)*
                    Self::Unrecognized(_) => return ::core::option::Option::None,
                })
            }
            fn unrecognized(code: ::std::string::String) -> Self {
                Self::Unrecognized(code)
            }
            fn unrecognized_code(&self) -> ::core::option::Option<&str> {
                match self {
                    Self::Unrecognized(c) => ::core::option::Option::Some(c),
                    _ => ::core::option::Option::None,
                }
            }
        }
    }
}
