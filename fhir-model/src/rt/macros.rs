//! Macros that generated code calls for the impls every type shares, so the
//! behaviour lives here once and the generated files only name the type.

/// `Value`, serde and `FromFhirJson` impls of a generated struct.
/// `resource` or `element` says whether `resourceType` is read and written.
macro_rules! element_impls {
    ($t:ident, resource) => {
        $crate::rt::element_impls!(@common $t, ::core::option::Option::Some($t::TYPE_INFO.name));
    };
    ($t:ident, element) => {
        $crate::rt::element_impls!(@common $t, ::core::option::Option::None);
    };
    (@common $t:ident, $rt:expr) => {
        impl $crate::rt::Value for $t {
            fn new_variant(_: usize) -> ::core::option::Option<Self> {
                ::core::option::Option::Some(<$t as ::core::default::Default>::default())
            }
            fn item(&self) -> $crate::rt::ItemRef<'_> {
                $crate::rt::ItemRef::Element(self)
            }
            fn item_mut(&mut self) -> $crate::rt::ItemMut<'_> {
                $crate::rt::ItemMut::Element(self)
            }
        }
        impl ::serde::Serialize for $t {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::rt::support::write_element(self, $rt, s)
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $t {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::rt::support::deserialize_element(d)
            }
        }
        impl $crate::json::FromFhirJson for $t {
            fn read_json<'de, D: ::serde::Deserializer<'de>>(
                d: D,
                st: &mut $crate::rt::json::de::DeState,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::rt::support::read_element(d, st)
            }
        }
        impl $crate::json::ToFhirJson for $t {
            fn json_root(&self) -> (&dyn $crate::rt::Element, ::core::option::Option<&'static str>) {
                (self, $rt)
            }
        }
        impl $crate::rt::xml::FhirXml for $t {
            fn read_xml(input: &str, opts: $crate::rt::xml::ReadOptions) -> ::core::result::Result<Self, $crate::rt::xml::Error> {
                $crate::rt::xml::read_element(input, opts)
            }
            fn read_xml_recovering(input: &str, opts: $crate::rt::xml::ReadOptions) -> $crate::rt::xml::Recovered<Self> {
                $crate::rt::xml::read_element_recovering(input, opts)
            }
            fn xml_root(&self) -> (&dyn $crate::rt::Element, &'static str) {
                (self, $t::TYPE_INFO.name)
            }
        }
    };
}
pub(crate) use element_impls;

/// serde and `FromFhirJson` impls of a version's `Resource` enum.
macro_rules! resource_enum_impls {
    ($t:ident) => {
        impl ::serde::Serialize for $t {
            fn serialize<S: ::serde::Serializer>(
                &self,
                s: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                let el = $crate::rt::ResourceEnum::as_element(self);
                $crate::rt::support::write_element(
                    el,
                    ::core::option::Option::Some(el.type_info().name),
                    s,
                )
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $t {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::rt::support::deserialize_resource(d)
            }
        }
        impl $crate::json::FromFhirJson for $t {
            fn read_json<'de, D: ::serde::Deserializer<'de>>(
                d: D,
                st: &mut $crate::rt::json::de::DeState,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::rt::support::read_resource(d, st)
            }
        }
        impl $crate::json::ToFhirJson for $t {
            fn json_root(
                &self,
            ) -> (
                &dyn $crate::rt::Element,
                ::core::option::Option<&'static str>,
            ) {
                let el = $crate::rt::ResourceEnum::as_element(self);
                (el, ::core::option::Option::Some(el.type_info().name))
            }
        }
        impl $crate::rt::xml::FhirXml for $t {
            fn read_xml(
                input: &str,
                opts: $crate::rt::xml::ReadOptions,
            ) -> ::core::result::Result<Self, $crate::rt::xml::Error> {
                $crate::rt::xml::read_resource(input, opts)
            }
            fn read_xml_recovering(
                input: &str,
                opts: $crate::rt::xml::ReadOptions,
            ) -> $crate::rt::xml::Recovered<Self> {
                $crate::rt::xml::read_resource_recovering(input, opts)
            }
            fn xml_root(&self) -> (&dyn $crate::rt::Element, &'static str) {
                let el = $crate::rt::ResourceEnum::as_element(self);
                (el, el.type_info().name)
            }
        }
    };
}
pub(crate) use resource_enum_impls;
