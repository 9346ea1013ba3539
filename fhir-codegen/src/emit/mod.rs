//! Emitters: IR in, token streams out, one function per artifact.

mod codes;
mod resource;
mod types;
mod versions;

pub use versions::{emit_versions, VersionModule};

use std::collections::BTreeMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::format::format_file;
use crate::ir::Model;
use crate::{Error, GeneratedFile};

pub(crate) fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// Emits every file of a version module, paths relative to the module folder.
pub fn emit_model(model: &Model) -> Result<Vec<GeneratedFile>, Error> {
    let mut files = Vec::new();
    let mut by_file: BTreeMap<&str, Vec<&crate::ir::TypeDef>> = BTreeMap::new();
    for t in &model.types {
        by_file.entry(t.file.as_str()).or_default().push(t);
    }
    let mut mods = Vec::new();
    for (stem, mut ts) in by_file {
        // The root type first, then backbone elements in definition order.
        ts.sort_by_key(|t| (t.kind == crate::ir::Kind::Backbone, t.name.clone()));
        let mut body = quote! {
            use crate::rt::meta::{FieldInfo as F, FieldKind as K};
        };
        for t in ts {
            body.extend(types::emit_type(t));
        }
        let name = format!("{stem}.rs");
        files.push(GeneratedFile { path: name.clone(), contents: format_file(&name, body)? });
        mods.push(stem);
    }
    files.push(GeneratedFile { path: "primitives.rs".into(), contents: format_file("primitives.rs", types::emit_primitives(&model.primitives))? });
    files.push(GeneratedFile { path: "codes.rs".into(), contents: format_file("codes.rs", codes::emit_codes(&model.code_enums))? });
    files.push(GeneratedFile { path: "resource.rs".into(), contents: format_file("resource.rs", resource::emit_resource(&model.resources))? });

    let mod_items: Vec<TokenStream> = mods
        .iter()
        .map(|m| {
            let id = ident(m);
            quote! { mod #id; pub use #id::*; }
        })
        .collect();
    let mod_rs = quote! {
        #![allow(rustdoc::broken_intra_doc_links, rustdoc::bare_urls, rustdoc::invalid_html_tags, rustdoc::invalid_rust_codeblocks)]
        #![allow(clippy::large_enum_variant, clippy::doc_lazy_continuation, clippy::doc_overindented_list_items, clippy::too_long_first_doc_paragraph)]
        pub mod codes;
        mod primitives;
        pub use primitives::*;
        mod resource;
        pub use resource::*;
        #(#mod_items)*
    };
    files.push(GeneratedFile { path: "mod.rs".into(), contents: format_file("mod.rs", mod_rs)? });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
