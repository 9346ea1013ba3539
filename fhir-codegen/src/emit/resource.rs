//! The `Resource` enum over every concrete resource of a version.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::ident;
use crate::names;

pub fn emit_resource(resources: &[String]) -> TokenStream {
    let mut variants = Vec::new();
    let mut news = Vec::new();
    let mut idxs = Vec::new();
    let mut els = Vec::new();
    let mut els_mut = Vec::new();
    let mut froms = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        let v = ident(&names::type_name(r));
        let doc = format!(" A `{r}` resource.");
        variants.push(quote! { #[doc = #doc] #v(::std::boxed::Box<super::#v>), });
        let idx = Literal::usize_unsuffixed(i);
        news.push(quote! { #idx => Self::#v(::core::default::Default::default()), });
        idxs.push(quote! { Self::#v(_) => #idx, });
        els.push(quote! { Self::#v(r) => &**r, });
        els_mut.push(quote! { Self::#v(r) => &mut **r, });
        froms.push(quote! {
            impl ::core::convert::From<super::#v> for Resource {
                fn from(r: super::#v) -> Self {
                    Self::#v(::std::boxed::Box::new(r))
                }
            }
        });
    }
    quote! {
        /// Names of all resource types, sorted; the variant order of [`Resource`].
        pub const RESOURCE_TYPES: &[&str] = &[#(#resources),*];

        /// Any resource of this FHIR version.
        ///
        /// Reads and writes FHIR JSON through serde (`serde_json::from_slice::<Resource>`),
        /// choosing the variant from `resourceType`.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Resource {
            #(#variants)*
        }
        impl crate::rt::Value for Resource {
            fn new_variant(variant: usize) -> ::core::option::Option<Self> {
                ::core::option::Option::Some(match variant {
                    #(#news)*
                    _ => return ::core::option::Option::None,
                })
            }
            fn variant(&self) -> usize {
                match self {
                    #(#idxs)*
                }
            }
            fn item(&self) -> crate::rt::ItemRef<'_> {
                crate::rt::ItemRef::Element(crate::rt::ResourceEnum::as_element(self))
            }
            fn item_mut(&mut self) -> crate::rt::ItemMut<'_> {
                crate::rt::ItemMut::Element(crate::rt::ResourceEnum::as_element_mut(self))
            }
        }
        impl crate::rt::ResourceEnum for Resource {
            const TYPES: &'static [&'static str] = RESOURCE_TYPES;
            fn as_element(&self) -> &dyn crate::rt::Element {
                match self {
                    #(#els)*
                }
            }
            fn as_element_mut(&mut self) -> &mut dyn crate::rt::Element {
                match self {
                    #(#els_mut)*
                }
            }
        }
        crate::rt::resource_enum_impls!(Resource);
        #(#froms)*
    }
}
