//! Structs, their static type information, field access, choice enums, and
//! the primitive type aliases.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::ident;
use crate::format::doc_attrs;
use crate::ir::{Field, FieldType, Kind, PrimitiveDef, TypeDef, Variant};
use crate::names;

/// The Rust type of one value of a field (before `Option`/`Vec`).
fn value_type(ty: &FieldType, boxed: bool) -> TokenStream {
    let inner = match ty {
        FieldType::Primitive { fhir, code_enum: None } => {
            let a = ident(&names::type_name(fhir));
            quote!(super::#a)
        }
        FieldType::Primitive { code_enum: Some(e), .. } => {
            let e = ident(e);
            quote!(crate::rt::Primitive<super::codes::#e, super::Extension>)
        }
        FieldType::Complex(n) | FieldType::Backbone(n) => {
            let t = ident(&names::type_name(n));
            quote!(super::#t)
        }
        FieldType::Choice { enum_name, .. } => {
            let t = ident(enum_name);
            quote!(super::#t)
        }
        FieldType::Resource => quote!(super::Resource),
        FieldType::Text => quote!(::std::string::String),
    };
    if boxed {
        quote!(::std::boxed::Box<#inner>)
    } else {
        inner
    }
}

fn field_kind(ty: &FieldType) -> TokenStream {
    match ty {
        FieldType::Primitive { .. } => quote!(K::Primitive),
        FieldType::Complex(_) | FieldType::Backbone(_) => quote!(K::Element),
        FieldType::Choice { .. } => quote!(K::Choice),
        FieldType::Resource => quote!(K::Resource),
        FieldType::Text => quote!(K::Text),
    }
}

fn type_codes(ty: &FieldType) -> TokenStream {
    match ty {
        FieldType::Primitive { fhir, .. } => quote!(&[#fhir]),
        FieldType::Complex(n) | FieldType::Backbone(n) => quote!(&[#n]),
        FieldType::Choice { variants, .. } => {
            let codes = variants.iter().map(|v| &v.code);
            quote!(&[#(#codes),*])
        }
        FieldType::Resource => quote!(super::RESOURCE_TYPES),
        FieldType::Text => quote!(&["string"]),
    }
}

fn doc_attr(doc: &str) -> TokenStream {
    doc_attrs(doc)
}

/// Everything for one struct: the struct, its `TYPE_INFO`, `Element` and the
/// runtime's shared impls, and the choice enums of its fields.
pub fn emit_type(t: &TypeDef) -> TokenStream {
    let name = ident(&t.rust_name);
    let doc = doc_attr(&t.doc);
    let fhir_name = &t.name;
    let kind = match t.kind {
        Kind::Resource => quote!(crate::rt::TypeKind::Resource),
        Kind::Complex => quote!(crate::rt::TypeKind::Complex),
        Kind::Backbone => quote!(crate::rt::TypeKind::Backbone),
    };
    let mut fields = Vec::new();
    let mut infos = Vec::new();
    let mut keys: Vec<(String, usize, usize)> = Vec::new();
    let mut arms = Vec::new();
    let mut arms_mut = Vec::new();
    let mut has = Vec::new();
    let mut writes = Vec::new();
    let mut enums = TokenStream::new();
    for (i, f) in t.fields.iter().enumerate() {
        let fname = ident(&f.rust_name);
        let vt = value_type(&f.ty, f.boxed);
        let ty = if f.is_list() { quote!(::std::vec::Vec<#vt>) } else { quote!(::core::option::Option<#vt>) };
        let fdoc = doc_attr(&field_doc(f));
        fields.push(quote! { #fdoc pub #fname: #ty, });
        let n = &f.name;
        let k = field_kind(&f.ty);
        let min = Literal::u32_unsuffixed(f.min);
        let max = if f.max == u32::MAX { quote!(u32::MAX) } else { let m = Literal::u32_unsuffixed(f.max); quote!(#m) };
        let codes = type_codes(&f.ty);
        let flags = Literal::u8_unsuffixed(u8::from(f.is_summary) | (u8::from(f.is_modifier) << 1));
        let choice_keys: Vec<&String> = match &f.ty {
            FieldType::Choice { variants, .. } => variants.iter().map(|v| &v.key).collect(),
            _ => Vec::new(),
        };
        infos.push(quote! { F::new(#n, #k, #min, #max, #codes, &[#(#choice_keys),*], #flags), });
        match &f.ty {
            FieldType::Choice { enum_name, variants } => {
                for (vi, v) in variants.iter().enumerate() {
                    keys.push((v.key.clone(), i, vi));
                }
                enums.extend(emit_choice(enum_name, t, f, variants));
            }
            _ => keys.push((f.name.clone(), i, 0)),
        }
        let idx = Literal::usize_unsuffixed(i);
        arms.push(quote! { #idx => &self.#fname, });
        arms_mut.push(quote! { #idx => &mut self.#fname, });
        has.push(quote! { crate::rt::has(&self.#fname) });
        writes.push(quote! { crate::rt::write_json_field(out, Self::TYPE_INFO, #idx, &self.#fname); });
    }
    keys.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let keys = keys.iter().map(|(k, f, v)| {
        let f = Literal::u16_unsuffixed(u16::try_from(*f).unwrap_or(u16::MAX));
        let v = Literal::u16_unsuffixed(u16::try_from(*v).unwrap_or(u16::MAX));
        quote!((#k, #f, #v))
    });
    let bases = t.bases.iter().map(String::as_str);
    let resource = if t.kind == Kind::Resource { quote!(resource) } else { quote!(element) };
    let constructor = emit_constructor(t);
    quote! {
        #doc
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct #name {
            #(#fields)*
        }
        impl #name {
            #constructor
            /// Static description of this type: fields, cardinality, types, JSON keys.
            pub const TYPE_INFO: &'static crate::rt::TypeInfo = &crate::rt::TypeInfo {
                name: #fhir_name,
                kind: #kind,
                fields: &[#(#infos)*],
                json_keys: &[#(#keys),*],
                bases: &[#(#bases),*],
            };
        }
        impl crate::rt::Element for #name {
            fn type_info(&self) -> &'static crate::rt::TypeInfo {
                Self::TYPE_INFO
            }
            fn field(&self, index: usize) -> ::core::option::Option<&dyn crate::rt::Slot> {
                ::core::option::Option::Some(match index {
                    #(#arms)*
                    _ => return ::core::option::Option::None,
                })
            }
            fn field_mut(&mut self, index: usize) -> ::core::option::Option<&mut dyn crate::rt::Slot> {
                ::core::option::Option::Some(match index {
                    #(#arms_mut)*
                    _ => return ::core::option::Option::None,
                })
            }
            fn as_any(&self) -> &dyn ::core::any::Any {
                self
            }
            fn present(&self) -> u128 {
                crate::rt::presence([#(#has),*])
            }
            fn write_json_fields(&self, out: &mut ::std::vec::Vec<u8>) {
                #(#writes)*
            }
        }
        crate::rt::element_impls!(#name, #resource);
        #enums
    }
}

fn field_doc(f: &Field) -> String {
    let card = if f.max == u32::MAX { format!("{}..*", f.min) } else { format!("{}..{}", f.min, f.max) };
    if f.doc.is_empty() {
        format!("`{}` ({card})", f.name)
    } else {
        // First line: short text and cardinality; then the definition.
        match f.doc.split_once("\n\n") {
            Some((short, rest)) => format!("{short} ({card})\n\n{rest}"),
            None => format!("{} ({card})", f.doc),
        }
    }
}

fn emit_choice(enum_name: &str, t: &TypeDef, f: &Field, variants: &[Variant]) -> TokenStream {
    let name = ident(enum_name);
    let doc = format!(" Choice of types for `{}.{}[x]`.", t.name, f.name);
    let mut defs = Vec::new();
    let mut news = Vec::new();
    let mut idxs = Vec::new();
    let mut items = Vec::new();
    let mut items_mut = Vec::new();
    for (i, v) in variants.iter().enumerate() {
        let vn = ident(&v.rust_name);
        // Complex variants are boxed so that the enum stays small.
        let boxed = !matches!(v.ty, FieldType::Primitive { .. });
        let vt = value_type(&v.ty, boxed);
        let vdoc = format!(" `{}`", v.key);
        defs.push(quote! { #[doc = #vdoc] #vn(#vt), });
        let idx = Literal::usize_unsuffixed(i);
        news.push(quote! { #idx => Self::#vn(::core::default::Default::default()), });
        idxs.push(quote! { Self::#vn(_) => #idx, });
        items.push(quote! { Self::#vn(v) => crate::rt::Value::item(v), });
        items_mut.push(quote! { Self::#vn(v) => crate::rt::Value::item_mut(v), });
    }
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq)]
        pub enum #name {
            #(#defs)*
        }
        impl crate::rt::Value for #name {
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
                match self {
                    #(#items)*
                }
            }
            fn item_mut(&mut self) -> crate::rt::ItemMut<'_> {
                match self {
                    #(#items_mut)*
                }
            }
        }
    }
}

/// `pub type DateTime = Primitive<rt::values::DateTime, Extension>;` for every primitive.
pub fn emit_primitives(prims: &[PrimitiveDef]) -> TokenStream {
    let items = prims.iter().map(|p| {
        let name = ident(&p.rust_name);
        let vt: TokenStream = p.value_type.parse().unwrap_or_else(|_| quote!(::std::string::String));
        let doc = doc_attrs(&format!("FHIR `{}`: {}", p.name, p.doc));
        quote! {
            #doc
            pub type #name = crate::rt::Primitive<#vt, super::Extension>;
        }
    });
    quote! { #(#items)* }
}

/// `new(required...)` for types with required elements: takes exactly the
/// elements whose minimum cardinality is at least one, the rest default.
fn emit_constructor(t: &TypeDef) -> TokenStream {
    let required: Vec<&Field> = t.fields.iter().filter(|f| f.min > 0).collect();
    if required.is_empty() {
        return TokenStream::new();
    }
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut names_doc = Vec::new();
    for f in &required {
        let n = ident(&f.rust_name);
        let vt = value_type(&f.ty, false);
        names_doc.push(format!("`{}`", f.name));
        if f.is_list() {
            params.push(quote!(#n: ::std::vec::Vec<#vt>));
            inits.push(quote!(#n,));
        } else {
            params.push(quote!(#n: impl ::core::convert::Into<#vt>));
            if f.boxed {
                inits.push(quote!(#n: ::core::option::Option::Some(::std::boxed::Box::new(#n.into())),));
            } else {
                inits.push(quote!(#n: ::core::option::Option::Some(#n.into()),));
            }
        }
    }
    let doc = format!(" A new `{}` with its required elements ({}); the others are empty.", t.name, names_doc.join(", "));
    quote! {
        #[doc = #doc]
        pub fn new(#(#params),*) -> Self {
            Self {
                #(#inits)*
                ..::core::default::Default::default()
            }
        }
    }
}
