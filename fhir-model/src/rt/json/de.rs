//! FHIR JSON reading, as a serde driver over the reflective element model.
//!
//! The driver is generic over the serde `Deserializer` (so it is instantiated
//! once per JSON reader type) but not over FHIR types: every generated type
//! is reached through `&mut dyn Element`. This keeps the code users compile
//! small, whatever the number of resource types.
//!
//! What it enforces (FHIR JSON rules): `resourceType` on resources, `_name`
//! objects for primitive ids and extensions (merged by index for arrays,
//! padded with `null`), choice keys (`valueQuantity`), no `null` outside
//! those arrays, no empty objects or arrays, no duplicate keys, no unknown
//! properties (unless lenient). Errors name the element path.

use std::borrow::Cow;
use std::fmt::{self, Display};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::rt::element::{Element, ItemMut, ResourceEnum, Slot};
use crate::rt::meta::{FieldKind, TypeInfo};
use crate::rt::primitive::PrimitiveElement;
use crate::rt::values::{JsonKind, JsonScalar};

/// Options of the JSON reader.
///
/// The limits keep hostile or broken input from exhausting the stack or
/// memory; each is an error with the path, line and column where it was
/// crossed. The defaults are far above what real resources need.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Ignore properties the definitions do not know instead of failing.
    pub ignore_unknown: bool,
    /// Maximum nesting of elements, that is of JSON objects (arrays do not
    /// count: in FHIR JSON they hold objects or primitives only). The default,
    /// 60, is the same as XML's, far above real resources (the official
    /// examples nest 13 objects at most, in Questionnaires), keeps serde_json's
    /// own limit of 128 objects and arrays from being reached first, and is
    /// far from exhausting a 2 MiB thread stack, reading, writing or dropping.
    pub max_depth: usize,
    /// Maximum input size in bytes for the `from_slice*` / `from_str` entry
    /// points (default 64 MiB). Through serde's own entry points, it bounds
    /// the properties buffered before a late `resourceType`.
    pub max_input_size: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            ignore_unknown: false,
            max_depth: DEFAULT_MAX_DEPTH,
            max_input_size: DEFAULT_MAX_INPUT_SIZE,
        }
    }
}

/// How many problems a recovering read (`json::from_slice_recovering`)
/// collects before it stops.
pub const MAX_ISSUES: usize = 10_000;

/// Default of [`ReadOptions::max_depth`].
pub const DEFAULT_MAX_DEPTH: usize = 60;
/// Default of [`ReadOptions::max_input_size`] (64 MiB).
pub const DEFAULT_MAX_INPUT_SIZE: usize = 64 << 20;

impl ReadOptions {
    /// Ignore unknown properties (lenient reading).
    pub fn ignore_unknown(mut self, yes: bool) -> Self {
        self.ignore_unknown = yes;
        self
    }
    /// Sets the maximum nesting of elements (JSON objects).
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }
    /// Sets the maximum input size in bytes.
    pub fn max_input_size(mut self, bytes: usize) -> Self {
        self.max_input_size = bytes;
        self
    }
}

#[derive(Clone, Copy, Debug)]
enum Seg {
    Name(&'static str),
    Index(usize),
}

/// State threaded through one read: options and the current element path.
#[derive(Debug)]
pub struct DeState {
    opts: ReadOptions,
    path: Vec<Seg>,
    /// Path where the first error happened (kept for structured errors).
    pub(crate) error_path: Option<String>,
    /// Recovering mode: problems that leave the rest readable are collected
    /// here (path, message) and reading goes on.
    pub(crate) issues: Option<Vec<(String, String)>>,
    /// Current nesting of JSON objects and arrays.
    depth: usize,
    /// Bytes buffered so far for resources whose `resourceType` came late.
    buffered: usize,
}

impl DeState {
    pub fn new(opts: ReadOptions) -> Self {
        DeState {
            opts,
            path: Vec::with_capacity(16),
            error_path: None,
            issues: None,
            depth: 0,
            buffered: 0,
        }
    }

    /// The current element path, FHIRPath style: `Patient.name[0].given[1]`.
    pub fn path_string(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            match seg {
                Seg::Name(n) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(n);
                }
                Seg::Index(i) => {
                    s.push('[');
                    s.push_str(&i.to_string());
                    s.push(']');
                }
            }
        }
        s
    }

    fn err<E: de::Error>(&mut self, msg: impl Display) -> E {
        let msg = crate::rt::short_message(msg.to_string());
        let p = self.path_string();
        let e = if p.is_empty() { E::custom(msg) } else { E::custom(format_args!("{p}: {msg}")) };
        if self.error_path.is_none() {
            self.error_path = Some(p);
        }
        e
    }

    /// A problem that does not stop reading in recovering mode: recorded
    /// there, an error otherwise.
    fn problem<E: de::Error>(&mut self, msg: impl Display) -> Result<(), E> {
        if self.issues.is_some() {
            let p = self.path_string();
            self.record(p, msg.to_string())
        } else {
            Err(self.err(msg))
        }
    }

    /// Records a problem in recovering mode; past [`MAX_ISSUES`] reading
    /// stops (memory and time stay bounded whatever the input).
    fn record<E: de::Error>(&mut self, path: String, msg: String) -> Result<(), E> {
        let msg = crate::rt::short_message(msg);
        let Some(v) = self.issues.as_mut() else { return Ok(()) };
        if v.len() >= MAX_ISSUES {
            return Err(self.err(format_args!("more than {MAX_ISSUES} problems: reading stopped here")));
        }
        v.push((path, msg));
        Ok(())
    }

    /// Enters a JSON object; an error past the depth limit. Every visitor
    /// that reads an object calls it first and [`Self::leave`] at the end, so
    /// the limit also holds across the separate serde_json readers of
    /// replayed properties (each with its own recursion budget).
    fn enter<E: de::Error>(&mut self) -> Result<(), E> {
        self.depth += 1;
        let max = self.opts.max_depth;
        if self.depth > max {
            return Err(self.err(format_args!(
                "elements nested deeper than {max} levels (ReadOptions::max_depth)"
            )));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn recovering(&self) -> bool {
        self.issues.is_some()
    }

    /// Records the path of an error raised below us (syntax errors from the
    /// JSON reader carry no path of their own).
    fn note<E>(&mut self, e: E) -> E {
        if self.error_path.is_none() {
            self.error_path = Some(self.path_string());
        }
        e
    }
}

/// Implements the visitor methods for every JSON type a visitor does not
/// accept, each failing with "expected X, found Y" at the current path.
macro_rules! reject {
    ($expected:expr; $($m:ident),*) => {
        $(reject!(@one $m, $expected);)*
    };
    (@one bool, $x:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> { self.st.problem(format_args!("expected {}, found a boolean", $x)) }
    };
    (@one num, $x:expr) => {
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> { self.st.problem(format_args!("expected {}, found a number", $x)) }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> { self.st.problem(format_args!("expected {}, found a number", $x)) }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> { self.st.problem(format_args!("expected {}, found a number", $x)) }
    };
    (@one str, $x:expr) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> { self.st.problem(format_args!("expected {}, found a string", $x)) }
    };
    (@one unit, $x:expr) => {
        fn visit_unit<E: de::Error>(self) -> Result<(), E> { self.st.problem(format_args!("expected {}, found null", $x)) }
    };
    (@one map, $x:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            self.st.problem(format_args!("expected {}, found an object", $x))?;
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(())
        }
    };
    (@one seq, $x:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            self.st.problem(format_args!("expected {}, found an array", $x))?;
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(())
        }
    };
}

// ---------------------------------------------------------------------------
// Entry points

/// Reads a generated struct (resource or datatype) from `d`.
/// `resource_type` is `Some(name)` for a resource, whose `resourceType` must match.
pub fn read_element<'de, D: Deserializer<'de>>(
    d: D,
    el: &mut dyn Element,
    st: &mut DeState,
) -> Result<(), D::Error> {
    let info = el.type_info();
    st.path.push(Seg::Name(info.name));
    d.deserialize_any(ElementVisitor { el, st, root_resource: true })
}

/// Reads any resource of a version's `Resource` enum from `d`.
pub fn read_resource<'de, R: ResourceEnum, D: Deserializer<'de>>(
    d: D,
    st: &mut DeState,
) -> Result<R, D::Error> {
    let mut out: Option<R> = None;
    d.deserialize_any(ResourceVisitor { slot: &mut out, types: R::TYPES, st })?;
    out.ok_or_else(|| de::Error::custom("missing resource"))
}

// ---------------------------------------------------------------------------
// Keys

enum Key {
    ResourceType,
    /// `prim_list`: the field is a list of primitives (checked once the
    /// object is complete, see [`finish_element`]).
    Field { field: usize, variant: usize, ext: bool, name: &'static str, prim_list: bool },
    Unknown(String),
}

struct KeySeed {
    info: &'static TypeInfo,
    /// The field of the previous key: keys nearly always come in definition
    /// order, so the next one is tried from there before searching.
    hint: usize,
}

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a property name")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
        Ok(resolve_key_from(self.info, s, self.hint))
    }
}

/// Resolves a key, first looking at the fields from `hint` on (99.7% of
/// the keys of the official examples come in definition order), then by
/// binary search.
///
/// The names are compared by length first, and a choice's variants only
/// when the key starts with the choice's name (`valueQuantity`, `value`),
/// so that the fields passed over cost a few instructions each. All of the
/// fields after `hint` are looked at, not only the next few: 6% of the keys
/// come more than four fields after the previous one (ElementDefinition's
/// optional elements, mostly), and the binary search cost them about 370
/// instructions each, as much as passing over some sixty fields.
fn resolve_key_from(info: &'static TypeInfo, s: &str, hint: usize) -> Key {
    let (ext, bare) = match s.strip_prefix('_') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let b = bare.as_bytes();
    for (field, f) in info.fields.iter().enumerate().skip(hint) {
        let n = f.name.as_bytes();
        let found = match f.kind {
            FieldKind::Choice => {
                if b.len() > n.len() && b.starts_with(n) {
                    f.choice_keys.iter().position(|k| same_name(k.as_bytes(), b))
                } else {
                    None
                }
            }
            FieldKind::Primitive | FieldKind::Element | FieldKind::Resource | FieldKind::Text => {
                same_name(n, b).then_some(0)
            }
        };
        if let Some(variant) = found {
            if ext && !matches!(f.kind, FieldKind::Primitive | FieldKind::Choice) {
                break;
            }
            return field_key(f, field, variant, ext);
        }
    }
    resolve_key(info, s)
}

/// Whether two property names are equal. Most are 4 to 16 bytes long and
/// are compared as two words that may overlap (the first and the last
/// bytes), inline: slice equality calls `memcmp` (about 20 instructions a
/// name, 2.5 million names in the R4 examples).
#[inline(always)]
fn same_name(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() > 16 {
        return a == b;
    }
    let word = |w: Option<&[u8; 8]>| w.map(|w| u64::from_le_bytes(*w));
    if let (Some(a0), Some(a1), Some(b0), Some(b1)) =
        (word(a.first_chunk()), word(a.last_chunk()), word(b.first_chunk()), word(b.last_chunk()))
    {
        return a0 == b0 && a1 == b1;
    }
    let half = |w: Option<&[u8; 4]>| w.map(|w| u32::from_le_bytes(*w));
    if let (Some(a0), Some(a1), Some(b0), Some(b1)) =
        (half(a.first_chunk()), half(a.last_chunk()), half(b.first_chunk()), half(b.last_chunk()))
    {
        return a0 == b0 && a1 == b1;
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

fn field_key(f: &'static crate::rt::meta::FieldInfo, field: usize, variant: usize, ext: bool) -> Key {
    let name = f.json_name(variant);
    let prim_list = f.kind == FieldKind::Primitive && f.is_list();
    Key::Field { field, variant, ext, name, prim_list }
}

fn resolve_key(info: &'static TypeInfo, s: &str) -> Key {
    // `resourceType` tags a resource, unless the type has an element of that
    // name (ExampleScenario.instance.resourceType).
    if s == "resourceType" && info.lookup_json(s).is_none() {
        return Key::ResourceType;
    }
    let (ext, bare) = match s.strip_prefix('_') {
        Some(b) => (true, b),
        None => (false, s),
    };
    match info.lookup_json(bare).and_then(|(field, variant)| Some((field, variant, info.fields.get(field)?))) {
        Some((field, variant, f)) => {
            if ext && !matches!(f.kind, FieldKind::Primitive | FieldKind::Choice) {
                return Key::Unknown(s.to_owned());
            }
            field_key(f, field, variant, ext)
        }
        None => Key::Unknown(s.to_owned()),
    }
}

// ---------------------------------------------------------------------------
// Elements

struct ElementVisitor<'s> {
    el: &'s mut dyn Element,
    st: &'s mut DeState,
    /// Whether `resourceType` is expected (the element is a resource read on its own).
    root_resource: bool,
}

impl<'de> Visitor<'de> for ElementVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a JSON object ({})", self.el.type_info().name)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.st.enter()?;
        let info = self.el.type_info();
        let mut seen = Seen::default();
        let mut any = false;
        let is_resource = self.root_resource && info.kind == crate::rt::meta::TypeKind::Resource;
        let mut saw_type = false;
        let mut hint = 0;
        while let Some(key) = map.next_key_seed(KeySeed { info, hint }).map_err(|e| self.st.note(e))? {
            any = true;
            if let Key::Field { field, .. } = key {
                hint = field;
            }
            match key {
                Key::ResourceType if is_resource && !saw_type => {
                    saw_type = true;
                    let t = map.next_value_seed(NameSeed).map_err(|e| self.st.note(e))?;
                    if t != info.name {
                        self.st.problem(format_args!("resourceType is {:?}, expected {:?}", t, info.name))?;
                    }
                }
                key => read_entry(&mut map, key, self.el, &mut seen, self.st)?,
            }
        }
        if is_resource && !saw_type {
            self.st.problem(format_args!("missing resourceType: expected \"resourceType\": {:?}", info.name))?;
        }
        if !any {
            self.st.problem("empty object: FHIR elements must have content")?;
        }
        finish_element(self.el, &seen, self.st)?;
        self.st.leave();
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.wrong("a boolean")
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.wrong("a number")
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.wrong("a number")
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.wrong("a number")
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.wrong("a string")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.wrong("null (leave the property out instead)")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.wrong("an array (this element occurs at most once)")?;
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

impl ElementVisitor<'_> {
    /// "expected an object (HumanName), found ...".
    fn wrong<E: de::Error>(self, found: &str) -> Result<(), E> {
        let name = self.el.type_info().name;
        self.st.problem(format_args!("expected an object ({name}), found {found}"))
    }
}

/// Which JSON keys an object has had: two bits per field (value, `_` part),
/// and whether any was a list of primitives (see [`finish_element`]).
#[derive(Default)]
struct Seen([u64; 4], bool);

impl Seen {
    /// Marks a key; false if it was already there.
    fn mark(&mut self, field: usize, ext: bool) -> bool {
        let bit = field * 2 + usize::from(ext);
        let (w, b) = (bit / 64, bit % 64);
        match self.0.get_mut(w) {
            Some(word) => {
                let was = *word & (1 << b) != 0;
                *word |= 1 << b;
                !was
            }
            // More than 128 fields: the generator refuses such types.
            None => true,
        }
    }
    fn any(&self, field: usize) -> bool {
        let bit = field * 2;
        let (w, b) = (bit / 64, bit % 64);
        self.0.get(w).is_some_and(|word| *word & (3 << b) != 0)
    }
}

/// Reads the value of one property of an element.
fn read_entry<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: Key,
    el: &mut dyn Element,
    seen: &mut Seen,
    st: &mut DeState,
) -> Result<(), A::Error> {
    match key {
        Key::Field { field, variant, ext, name, prim_list } => {
            seen.1 |= prim_list;
            st.path.push(Seg::Name(name));
            if !seen.mark(field, ext) {
                let what = if let Some(f) = el.type_info().fields.get(field) {
                    if f.kind == FieldKind::Choice {
                        format!("more than one value for the choice {}[x]", f.name)
                    } else {
                        format!("duplicate property {:?}", if ext { format!("_{name}") } else { name.to_owned() })
                    }
                } else {
                    "duplicate property".to_owned()
                };
                st.problem(what)?;
                map.next_value::<IgnoredAny>()?;
                st.path.pop();
                return Ok(());
            }
            map.next_value_seed(EntrySeed { el, field, variant, ext, st: &mut *st }).map_err(|e| st.note(e))?;
            st.path.pop();
            Ok(())
        }
        Key::ResourceType => unknown(map, "resourceType".to_owned(), Some(el.type_info()), st),
        Key::Unknown(k) => unknown(map, k, Some(el.type_info()), st),
    }
}

fn unknown<'de, A: MapAccess<'de>>(
    map: &mut A,
    k: String,
    info: Option<&'static TypeInfo>,
    st: &mut DeState,
) -> Result<(), A::Error> {
    if !st.opts.ignore_unknown {
        let hint = match info {
            Some(info) => info.unknown_name_hint(&k),
            None => "expected \"id\" or \"extension\"".to_owned(),
        };
        if st.recovering() {
            // Recorded at the unknown element's own path, so it can be located.
            let p = st.path_string();
            let p = if p.is_empty() { k.clone() } else { format!("{p}.{k}") };
            st.record(p, format!("unknown property {k:?} ({hint})"))?;
        } else {
            return Err(st.err(format_args!("unknown property {k:?} ({hint})")));
        }
    }
    map.next_value::<IgnoredAny>()?;
    Ok(())
}

/// Checks done once an object is complete: every primitive of a list read
/// from `name` / `_name` has a value or an extension (no `null` in both).
fn finish_element<E: de::Error>(el: &mut dyn Element, seen: &Seen, st: &mut DeState) -> Result<(), E> {
    if !seen.1 {
        return Ok(());
    }
    let info = el.type_info();
    for (i, f) in info.fields.iter().enumerate() {
        if f.kind != FieldKind::Primitive || !f.is_list() || !seen.any(i) {
            continue;
        }
        let Some(slot) = el.field(i) else { continue };
        for j in 0..slot.len() {
            if let Some((_, crate::rt::element::ItemRef::Primitive(p))) = slot.get(j) {
                if p.is_empty() {
                    st.path.push(Seg::Name(f.name));
                    st.path.push(Seg::Index(j));
                    st.problem("null in both the value array and the `_` array")?;
                    st.path.pop();
                    st.path.pop();
                }
            }
        }
    }
    Ok(())
}

/// The value of one property: dispatches on the field's storage.
struct EntrySeed<'s> {
    el: &'s mut dyn Element,
    field: usize,
    variant: usize,
    ext: bool,
    st: &'s mut DeState,
}

impl<'de> DeserializeSeed<'de> for EntrySeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let EntrySeed { el, field, variant, ext, st } = self;
        let info = el.type_info();
        let Some(finfo) = info.fields.get(field) else {
            return Err(st.err("internal: no such field"));
        };
        let kind = finfo.kind;
        let Some(slot) = el.field_mut(field) else {
            return Err(st.err("internal: no such field"));
        };
        if kind == FieldKind::Resource {
            return if slot.is_list() {
                d.deserialize_any(ListVisitor { slot, variant, ext, st, kind, types: finfo.types })
            } else {
                d.deserialize_any(ResourceSlotVisitor { slot, types: finfo.types, st })
            };
        }
        if slot.is_list() {
            return d.deserialize_any(ListVisitor { slot, variant, ext, st, kind, types: finfo.types });
        }
        // A single value; for a primitive the other half (`name` or `_name`)
        // may already be there.
        if let Some((v, _)) = slot.get(0) {
            if v != variant {
                st.problem("the value and its `_` extension object name different choice types")?;
                return d.deserialize_any(IgnoredAny).map(|_| ());
            }
        }
        let item = if slot.is_empty() { slot.push(variant) } else { slot.get_mut(0).map(|(_, i)| i) };
        let Some(item) = item else {
            return Err(st.err("internal: cannot create the value"));
        };
        read_item(d, item, ext, false, st)
    }
}

/// Reads one value into `item`. `in_array`: a `null` is a placeholder.
fn read_item<'de, D: Deserializer<'de>>(
    d: D,
    item: ItemMut<'_>,
    ext: bool,
    in_array: bool,
    st: &mut DeState,
) -> Result<(), D::Error> {
    match item {
        ItemMut::Primitive(p) if ext => d.deserialize_any(PrimExtVisitor { p, in_array, st }),
        ItemMut::Primitive(p) => read_scalar(d, p, in_array, st),
        ItemMut::Element(_) if ext => Err(st.err("`_` properties are only for primitives")),
        ItemMut::Element(el) => d.deserialize_any(ElementVisitor { el, st, root_resource: false }),
        ItemMut::Text(t) => d.deserialize_any(TextVisitor { t, st }),
    }
}

// ---------------------------------------------------------------------------
// Lists

struct ListVisitor<'s> {
    slot: &'s mut dyn Slot,
    variant: usize,
    ext: bool,
    st: &'s mut DeState,
    kind: FieldKind,
    types: &'static [&'static str],
}

impl<'de> Visitor<'de> for ListVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let ListVisitor { slot, variant, ext, st, kind, types } = self;
        // For primitives, `name` and `_name` arrays are merged by index.
        let existing = slot.len();
        let mut i = 0usize;
        loop {
            st.path.push(Seg::Index(i));
            let more = seq
                .next_element_seed(ListItemSeed { slot: &mut *slot, index: i, existing, variant, ext, kind, types, st: &mut *st })
                .map_err(|e| st.note(e))?;
            st.path.pop();
            if more.is_none() {
                break;
            }
            i += 1;
        }
        if existing == 0 {
            slot.shrink_to_fit();
        }
        if i == 0 {
            st.problem("empty array: omit the property instead")?;
        }
        if existing > 0 && i != existing {
            st.problem(format_args!("the value array and the `_` array differ in length ({existing} and {i})"))?;
        }
        Ok(())
    }
    reject!("an array (this element repeats)"; bool, num, str, unit, map);
}

struct ListItemSeed<'s> {
    slot: &'s mut dyn Slot,
    index: usize,
    existing: usize,
    variant: usize,
    ext: bool,
    kind: FieldKind,
    types: &'static [&'static str],
    st: &'s mut DeState,
}

impl<'de> DeserializeSeed<'de> for ListItemSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let ListItemSeed { slot, index, existing, variant, ext, kind, types, st } = self;
        if kind == FieldKind::Resource {
            return d.deserialize_any(ResourceSlotVisitor { slot, types, st });
        }
        let item = if existing > 0 {
            match slot.get_mut(index) {
                Some((_, item)) => item,
                None if st.recovering() => return d.deserialize_any(IgnoredAny).map(|_| ()),
                None => {
                    return Err(st.err("the value array and the `_` array differ in length"));
                }
            }
        } else {
            match slot.push_growing(variant) {
                Some(item) => item,
                None => return Err(st.err("internal: cannot create the value")),
            }
        };
        read_item(d, item, ext, true, st)
    }
}

// ---------------------------------------------------------------------------
// Resources

/// Reads a resource into a slot (`contained`, `Bundle.entry.resource`).
struct ResourceSlotVisitor<'s> {
    slot: &'s mut dyn Slot,
    types: &'static [&'static str],
    st: &'s mut DeState,
}

impl<'de> Visitor<'de> for ResourceSlotVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a resource (a JSON object with resourceType)")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let ResourceSlotVisitor { slot, types, st } = self;
        read_resource_map(map, types, st, |variant| slot.push(variant))
    }
    reject!("a resource object"; bool, num, str, unit, seq);
}

/// Reads a resource into a standalone `Resource` enum value.
struct ResourceVisitor<'s, R> {
    slot: &'s mut Option<R>,
    types: &'static [&'static str],
    st: &'s mut DeState,
}

impl<'de, R: ResourceEnum> Visitor<'de> for ResourceVisitor<'_, R> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a resource (a JSON object with resourceType)")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let ResourceVisitor { slot, types, st } = self;
        read_resource_map(map, types, st, |variant| Slot::push(slot, variant))
    }
    reject!("a resource object"; bool, num, str, unit, seq);
}

#[derive(serde::Deserialize)]
#[serde(transparent)]
struct TypeName(String);

/// A property name, or the value of `resourceType`: borrowed from the input
/// when the reader can (no escapes), so that reading it allocates nothing.
struct NameSeed;

impl<'de> DeserializeSeed<'de> for NameSeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for NameSeed {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(s))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s.to_owned()))
    }
}

/// A value's raw JSON text (a decimal's exact digits, a property buffered
/// before a late `resourceType`): borrowed from our own reader
/// ([`super::reader`]), boxed in a `RawValue` by serde_json.
enum Raw<'de> {
    Borrowed(&'de str),
    Boxed(Box<RawValue>),
}

impl Raw<'_> {
    fn get(&self) -> &str {
        match self {
            Raw::Borrowed(s) => s,
            Raw::Boxed(b) => b.get(),
        }
    }
}

/// Asks for a value's raw text with the newtype name our reader answers
/// with the text itself; other deserializers visit a newtype, from which a
/// `RawValue` is read.
struct RawSeed;

impl<'de> DeserializeSeed<'de> for RawSeed {
    type Value = Raw<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Raw<'de>, D::Error> {
        d.deserialize_newtype_struct(super::reader::RAW_TOKEN, self)
    }
}

impl<'de> Visitor<'de> for RawSeed {
    type Value = Raw<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Raw<'de>, D::Error> {
        serde::Deserialize::deserialize(d).map(Raw::Boxed)
    }
    fn visit_borrowed_bytes<E: de::Error>(self, b: &'de [u8]) -> Result<Raw<'de>, E> {
        std::str::from_utf8(b).map(Raw::Borrowed).map_err(E::custom)
    }
}

/// Reads the properties of a resource object. `resourceType` normally comes
/// first and the resource is then read as it streams; otherwise the
/// properties before it are buffered as raw JSON and replayed.
fn read_resource_map<'de, 'a, A: MapAccess<'de>>(
    mut map: A,
    types: &'static [&'static str],
    st: &mut DeState,
    create: impl FnOnce(usize) -> Option<ItemMut<'a>>,
) -> Result<(), A::Error> {
    st.enter()?;
    let mut buffered: Vec<(Cow<'de, str>, Raw<'de>)> = Vec::new();
    let type_name = loop {
        let Some(k) = map.next_key_seed(NameSeed).map_err(|e| st.note(e))? else {
            return Err(st.err("missing resourceType: a resource is a JSON object naming its type in \"resourceType\""));
        };
        if k == "resourceType" {
            break map.next_value_seed(NameSeed).map_err(|e| st.note(e))?;
        }
        if buffered.iter().any(|(b, _)| *b == k) {
            return Err(st.err(format_args!("duplicate property {k:?}")));
        }
        let raw = map.next_value_seed(RawSeed).map_err(|e| st.note(e))?;
        // Replaying copies: nested resources with late `resourceType`s would
        // otherwise copy the same text once per level.
        st.buffered = st.buffered.saturating_add(raw.get().len());
        let max = st.opts.max_input_size;
        if st.buffered > max {
            return Err(st.err(format_args!(
                "more than {max} bytes of properties before a late resourceType (ReadOptions::max_input_size); put resourceType first"
            )));
        }
        buffered.push((k, raw));
    };
    let Ok(variant) = types.binary_search(&&*type_name) else {
        let hint = match types.iter().find(|t| t.eq_ignore_ascii_case(&type_name)) {
            Some(t) => format!("did you mean {t:?}?"),
            None if types.len() == 1 => format!("expected {:?}", types.first().copied().unwrap_or_default()),
            None => "not a resource type of this FHIR version".to_owned(),
        };
        return Err(st.err(format_args!("unknown resourceType {type_name:?} ({hint})")));
    };
    let Some(ItemMut::Element(el)) = create(variant) else {
        return Err(st.err("internal: cannot create the resource"));
    };
    let info = el.type_info();
    // The root resource names the path; nested ones (contained, entry.resource)
    // are reached through their field, as in FHIRPath (`entry[0].resource.name`).
    let root = st.path.is_empty();
    if root {
        st.path.push(Seg::Name(info.name));
    }
    let mut seen = Seen::default();
    for (k, raw) in buffered {
        replay_entry::<A::Error>(&k, raw.get(), el, &mut seen, st)?;
    }
    let mut hint = 0;
    while let Some(key) = map.next_key_seed(KeySeed { info, hint }).map_err(|e| st.note(e))? {
        if let Key::Field { field, .. } = key {
            hint = field;
        }
        match key {
            Key::ResourceType => {
                st.problem("duplicate property \"resourceType\"")?;
                map.next_value::<IgnoredAny>()?;
            }
            key => read_entry(&mut map, key, el, &mut seen, st)?,
        }
    }
    finish_element(el, &seen, st)?;
    if root {
        st.path.pop();
    }
    st.leave();
    Ok(())
}

/// Reads one buffered property of a resource whose `resourceType` came late.
fn replay_entry<E: de::Error>(
    k: &str,
    raw: &str,
    el: &mut dyn Element,
    seen: &mut Seen,
    st: &mut DeState,
) -> Result<(), E> {
    let mut de = serde_json::Deserializer::from_str(raw);
    let mut map = OneEntry { key: Some(k), de: &mut de };
    let key = resolve_key(el.type_info(), k);
    read_entry(&mut map, key, el, seen, st).map_err(|e| E::custom(e))
}

/// A map access over one buffered (key, raw value) pair.
struct OneEntry<'k, 'd> {
    key: Option<&'k str>,
    de: &'d mut serde_json::Deserializer<serde_json::de::StrRead<'k>>,
}

impl<'de> MapAccess<'de> for OneEntry<'de, '_> {
    type Error = serde_json::Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        match self.key.take() {
            Some(k) => seed.deserialize(de::value::BorrowedStrDeserializer::new(k)).map(Some),
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
        seed.deserialize(&mut *self.de)
    }
}

// ---------------------------------------------------------------------------
// Primitives

fn read_scalar<'de, D: Deserializer<'de>>(
    d: D,
    p: &mut dyn PrimitiveElement,
    in_array: bool,
    st: &mut DeState,
) -> Result<(), D::Error> {
    if p.json_kind() == JsonKind::Decimal {
        // Decimals keep their exact text: read the raw number token.
        let raw = RawSeed.deserialize(d).map_err(|e| st.note(e))?;
        let t = raw.get();
        if t == "null" {
            return if in_array {
                Ok(())
            } else {
                st.problem("expected a JSON number, found null (leave the property out instead)")
            };
        }
        let first = t.as_bytes().first().copied().unwrap_or(b' ');
        if !(first == b'-' || first.is_ascii_digit()) {
            let found = match first {
                b'"' => "a string",
                b't' | b'f' => "a boolean",
                b'{' => "an object",
                b'[' => "an array",
                _ => "something else",
            };
            return st.problem(format_args!("expected a JSON number, found {found}: {t}"));
        }
        return match p.set_json(JsonScalar::Number(t)) {
            Ok(()) => Ok(()),
            Err(m) => st.problem(m),
        };
    }
    d.deserialize_any(ScalarVisitor { p, in_array, st })
}

struct ScalarVisitor<'s> {
    p: &'s mut dyn PrimitiveElement,
    in_array: bool,
    st: &'s mut DeState,
}

impl ScalarVisitor<'_> {
    fn set<E: de::Error>(self, v: JsonScalar<'_>) -> Result<(), E> {
        match self.p.set_json(v) {
            Ok(()) => Ok(()),
            Err(m) => self.st.problem(m),
        }
    }
}

impl<'de> Visitor<'de> for ScalarVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(crate::rt::values::kind_name(self.p.json_kind()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.set(JsonScalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.set(JsonScalar::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        match i64::try_from(v) {
            Ok(i) => self.set(JsonScalar::Int(i)),
            Err(_) => self.st.problem(format_args!("integer {v} is out of range")),
        }
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        let k = crate::rt::values::kind_name(self.p.json_kind());
        self.st.problem(format_args!("expected {k}, found the number {v}"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.set(JsonScalar::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        if self.in_array {
            Ok(())
        } else {
            let k = crate::rt::values::kind_name(self.p.json_kind());
            self.st.problem(format_args!("expected {k}, found null (leave the property out instead)"))
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let k = crate::rt::values::kind_name(self.p.json_kind());
        self.st.problem(format_args!("expected {k}, found an object"))?;
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let k = crate::rt::values::kind_name(self.p.json_kind());
        self.st.problem(format_args!("expected {k}, found an array"))?;
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

/// The `_name` object of a primitive: `{"id": ..., "extension": [...]}`.
struct PrimExtVisitor<'s> {
    p: &'s mut dyn PrimitiveElement,
    in_array: bool,
    st: &'s mut DeState,
}

impl<'de> Visitor<'de> for PrimExtVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with id and/or extension")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        if self.in_array {
            Ok(())
        } else {
            self.st.problem("expected an object with id and/or extension, found null (leave the property out instead)")
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let PrimExtVisitor { p, st, .. } = self;
        st.enter()?;
        let mut any = false;
        while let Some(k) = map.next_key_seed(NameSeed).map_err(|e| st.note(e))? {
            any = true;
            match &*k {
                "id" => {
                    st.path.push(Seg::Name("id"));
                    if p.id().is_some() {
                        return Err(st.err("duplicate property \"id\""));
                    }
                    let id: TypeName = map.next_value().map_err(|e| st.note(e))?;
                    *p.id_mut() = Some(id.0);
                    st.path.pop();
                }
                "extension" => {
                    st.path.push(Seg::Name("extension"));
                    let slot = p.extensions_mut();
                    if !slot.is_empty() {
                        return Err(st.err("duplicate property \"extension\""));
                    }
                    map.next_value_seed(ExtListSeed { slot, st: &mut *st })?;
                    st.path.pop();
                }
                other => {
                    let other = other.to_owned();
                    unknown(&mut map, other, None, st)?;
                }
            }
        }
        if !any {
            st.problem("empty object: FHIR elements must have content")?;
        }
        st.leave();
        Ok(())
    }
    reject!("an object with id and/or extension"; bool, num, str, seq);
}

struct ExtListSeed<'s> {
    slot: &'s mut dyn Slot,
    st: &'s mut DeState,
}

impl<'de> DeserializeSeed<'de> for ExtListSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(ListVisitor {
            slot: self.slot,
            variant: 0,
            ext: false,
            st: self.st,
            kind: FieldKind::Element,
            types: &[],
        })
    }
}

/// Plain text (`Element.id`, `Extension.url`).
struct TextVisitor<'s> {
    t: &'s mut String,
    st: &'s mut DeState,
}

impl<'de> Visitor<'de> for TextVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        v.clone_into(self.t);
        Ok(())
    }
    reject!("a JSON string"; bool, num, unit, map, seq);
}

#[cfg(test)]
mod tests {
    use super::same_name;

    #[test]
    fn same_name_is_slice_equality() {
        let names = ["", "a", "id", "url", "code", "valueQuantity", "display", "resourceType", "modifierExtension", "a_long_name_over_sixteen", "a_long_name_over_sixteeN", "valueQuantitY", "Code", "codE"];
        for a in names {
            for b in names {
                assert_eq!(same_name(a.as_bytes(), b.as_bytes()), a == b, "{a:?} {b:?}");
            }
        }
        for len in 0..40 {
            let a: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            for at in 0..len {
                let mut b = a.clone();
                if let Some(c) = b.get_mut(at) {
                    *c ^= 0x20;
                }
                assert!(!same_name(&a, &b), "{len} {at}");
                assert!(same_name(&a, &a.clone()));
            }
        }
    }
}
