//! [`AnyResource`]: what every resource of every FHIR version has (type name,
//! id, meta), behind one object-safe trait, so that code written once (a
//! store, a router, a log line) can serve R4, R4B and R5 alike.
//!
//! It is implemented once, generically, over the reflective element model:
//! the fields are found by their FHIR names in the `TypeInfo` tables, so no
//! generated code is involved and a new FHIR version gets it for free.

use std::borrow::Cow;

use super::element::{Element, ItemRef, ResourceEnum};

/// Any resource of any FHIR version.
///
/// Implemented by every version's `Resource` enum (`fhir_model::r4::Resource`,
/// `fhir_model::r5::Resource`...) and by `dyn Element` (for a single resource
/// struct: `(&patient as &dyn Element).id()`).
///
/// Values are returned exactly as read. They are `Cow`s because the runtime
/// stores a primitive's value in the form its type keeps (text for ids and
/// instants, so these borrow).
pub trait AnyResource {
    /// The resource as a generic element (for walking the other fields).
    fn element(&self) -> &dyn Element;

    /// The resource type (`Patient`), as in `resourceType`.
    ///
    /// The same as `ResourceEnum::resource_type`, under another name so that
    /// both traits can bound one generic parameter without ambiguous calls.
    fn type_name(&self) -> &'static str {
        self.element().type_info().name
    }

    /// `Resource.id`.
    fn id(&self) -> Option<Cow<'_, str>> {
        text_field(self.element(), "id")
    }

    /// `Resource.meta.versionId`.
    fn version_id(&self) -> Option<Cow<'_, str>> {
        element_field(self.element(), "meta").and_then(|meta| text_field(meta, "versionId"))
    }

    /// `Resource.meta.lastUpdated`, with its precision and time zone as written.
    fn last_updated(&self) -> Option<Cow<'_, str>> {
        element_field(self.element(), "meta").and_then(|meta| text_field(meta, "lastUpdated"))
    }
}

impl<R: ResourceEnum> AnyResource for R {
    fn element(&self) -> &dyn Element {
        self.as_element()
    }
}

impl AnyResource for dyn Element {
    fn element(&self) -> &dyn Element {
        self
    }
}

/// The first value of the field `name`, if it is present and has a value.
fn first_item<'a>(element: &'a dyn Element, name: &str) -> Option<ItemRef<'a>> {
    let index = element.type_info().field_index(name)?;
    element.field(index)?.get(0).map(|(_, item)| item)
}

/// The text of a primitive or plain-text field.
fn text_field<'a>(element: &'a dyn Element, name: &str) -> Option<Cow<'a, str>> {
    match first_item(element, name)? {
        ItemRef::Primitive(p) => p.lexical(),
        ItemRef::Text(t) => Some(Cow::Borrowed(t)),
        ItemRef::Element(_) => None,
    }
}

/// A complex or backbone field.
fn element_field<'a>(element: &'a dyn Element, name: &str) -> Option<&'a dyn Element> {
    match first_item(element, name)? {
        ItemRef::Element(e) => Some(e),
        ItemRef::Primitive(_) | ItemRef::Text(_) => None,
    }
}
