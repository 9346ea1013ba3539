//! `fhir-model/src/versions.rs`: the declaration of every version module,
//! each behind the Cargo feature of the same name.
//!
//! Generated, like the modules themselves, so that adding a version to the
//! manifest is the only edit: the crate root includes this file and never
//! names a version.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use crate::format::format_file;
use crate::Error;

/// One version module and the package it is generated from (for its doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionModule {
    /// Module and feature name (`r4`).
    pub module: String,
    /// The npm package of the definitions (`hl7.fhir.r4.core`).
    pub package: String,
    /// The package version (`4.0.1`).
    pub version: String,
}

/// The source of `versions.rs`, with the `@generated` preamble.
pub fn emit_versions(versions: &[VersionModule]) -> Result<String, Error> {
    let mods = versions.iter().map(emit_version_mod);
    let tokens = quote! {
        //! The FHIR version modules: one per `versions` entry of
        //! `definitions/manifest.json`, each compiled only with the feature of
        //! the same name, so that a build pays only for the versions it enables.
        #(#mods)*
    };
    format_file("versions.rs", tokens)
}

fn emit_version_mod(v: &VersionModule) -> TokenStream {
    let name = ident(&v.module);
    let feature = &v.module;
    // `mod` inside `versions.rs` would look for `versions/<module>/`; the
    // modules live next to it in `src/<module>/`.
    let path = format!("{}/mod.rs", v.module);
    let doc = format!(
        " Every resource and datatype, generated from `{}` {} (feature `{feature}`).",
        v.package, v.version
    );
    quote! {
        #[doc = #doc]
        #[cfg(feature = #feature)]
        #[path = #path]
        #[allow(clippy::all, missing_docs)]
        pub mod #name;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_gated_module_per_version() {
        let v = |m: &str| VersionModule { module: m.into(), package: format!("p.{m}"), version: "1.0".into() };
        let text = emit_versions(&[v("r4"), v("r5")]).unwrap_or_default();
        assert!(text.starts_with(crate::format::PREAMBLE));
        for m in ["r4", "r5"] {
            assert!(text.contains(&format!("#[cfg(feature = \"{m}\")]\n#[path = \"{m}/mod.rs\"]")), "{text}");
            assert!(text.contains(&format!("pub mod {m};")), "{text}");
            assert!(text.contains(&format!("`p.{m}` 1.0")), "{text}");
        }
    }
}
