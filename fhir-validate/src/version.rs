//! The FHIR versions this build can read, and the one place that turns a
//! [`FhirVersion`] value into that version's `Resource` type and validation
//! tables.
//!
//! Each version is behind the feature of the same name (`r4`, default;
//! `r4b`; `r5`), forwarded to fhir-model's, so a build compiles only the
//! generated types it can use. Adding a version is one line in the
//! [`fhir_versions!`] list below (plus its feature in Cargo.toml; its
//! validation tables are `crate::generated::<module>::TABLES`); code that
//! needs the typed resource implements [`WithResource`] once, generically,
//! and runs it with [`FhirVersion::with_resource`].

use fhir_model::json::FromFhirJson;
use fhir_model::rt::ResourceEnum;
use fhir_model::xml::FhirXml;
use fhir_model::AnyResource;

use crate::validate::Tables;

/// What code generic over the FHIR version needs of a version's `Resource`
/// enum: reading and writing both formats, the fields every resource has, and
/// the element model the validator walks. Implemented by every
/// `fhir_model::<version>::Resource`.
pub trait Resource:
    FromFhirJson + FhirXml + serde::Serialize + serde::de::DeserializeOwned + AnyResource + ResourceEnum
{
}

impl<T> Resource for T where
    T: FromFhirJson
        + FhirXml
        + serde::Serialize
        + serde::de::DeserializeOwned
        + AnyResource
        + ResourceEnum
{
}

/// A computation generic over the resource type, run for the version the
/// user chose by [`FhirVersion::with_resource`] (a closure cannot be generic,
/// hence a trait).
pub trait WithResource {
    /// What the computation returns.
    type Output;
    /// Runs the computation with `R`, the chosen version's `Resource` enum.
    fn run<R: Resource>(self) -> Self::Output;
}

/// Declares [`FhirVersion`] (one variant per compiled-in version, in the
/// order listed; the first compiled-in one is the default) and its dispatch
/// to the `Resource` types, from one list of
/// `"feature" Variant module "help";` lines.
macro_rules! fhir_versions {
    ($($feature:literal $variant:ident $module:ident $help:tt;)+) => {
        /// FHIR versions the inputs can be read as: those compiled in (Cargo
        /// features `r4`, the default, `r4b` and `r5`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
        pub enum FhirVersion {
            $(
                #[cfg(feature = $feature)]
                #[doc = $help]
                $variant,
            )+
        }

        impl FhirVersion {
            /// Every version this build reads, the default first.
            pub const ALL: &'static [FhirVersion] = &[$(
                #[cfg(feature = $feature)]
                FhirVersion::$variant,
            )+];

            /// Runs `f` with this version's `Resource` type.
            pub fn with_resource<F: WithResource>(self, f: F) -> F::Output {
                match self {
                    $(
                        #[cfg(feature = $feature)]
                        FhirVersion::$variant => f.run::<fhir_model::$module::Resource>(),
                    )+
                }
            }

            /// This version's validation tables (generated from the same
            /// definitions as its `Resource` type, in the module of the
            /// same name), for [`crate::validate::Validator::new`].
            pub fn tables(self) -> &'static Tables {
                match self {
                    $(
                        #[cfg(feature = $feature)]
                        FhirVersion::$variant => &crate::generated::$module::TABLES,
                    )+
                }
            }
        }

        #[cfg(not(any($(feature = $feature),+)))]
        compile_error!(concat!(
            "fhir-validate needs at least one FHIR version feature:" $(, " ", $feature)+
        ));
    };
}

fhir_versions! {
    "r4" R4 r4 "FHIR R4 (4.0.1)";
    "r4b" R4b r4b "FHIR R4B (4.3.0)";
    "r5" R5 r5 "FHIR R5 (5.0.0)";
}

/// The first compiled-in version: R4 when it is compiled in.
impl Default for FhirVersion {
    fn default() -> Self {
        // Not empty: the compile_error above stops a build without versions.
        #[allow(clippy::indexing_slicing)]
        Self::ALL[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TypeOf<'a>(&'a [u8]);

    impl WithResource for TypeOf<'_> {
        type Output = String;
        fn run<R: Resource>(self) -> String {
            let r: R = fhir_model::json::from_slice(self.0).unwrap();
            r.resource_type().to_owned()
        }
    }

    #[test]
    fn every_compiled_version_reads_a_patient() {
        for v in FhirVersion::ALL {
            let name = v.with_resource(TypeOf(br#"{"resourceType":"Patient"}"#));
            assert_eq!(name, "Patient", "{v:?}");
        }
    }

    #[test]
    fn every_compiled_version_has_tables() {
        for v in FhirVersion::ALL {
            assert!(!v.tables().primitives.is_empty(), "{v:?}");
        }
    }

    #[cfg(feature = "r4")]
    #[test]
    fn r4_is_the_default() {
        assert_eq!(FhirVersion::default(), FhirVersion::R4);
    }
}
