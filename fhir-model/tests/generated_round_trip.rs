//! Property test: random typed resources, built generically through the
//! reflective element model (fields picked from `TypeInfo`, choice variants
//! and resource types at random, primitives filled with valid lexical
//! values, lists of one to three items, ids and extensions on primitives),
//! come back identical through JSON and through XML.
//!
//! Deterministic: a fixed seed per case (a failure names its seed; rerun one
//! with `FHIR_PROPTEST_SEED=N`); `FHIR_PROPTEST_CASES` sets how many (300 by
//! default, a few seconds).

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use fhir_model::rt::{Element, FieldKind, ItemMut, PrimitiveElement, ResourceEnum};
use fhir_model::{json, xml};

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// True with probability `p` percent.
    fn chance(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// Text with what JSON and XML writers must escape, non-ASCII, and spaces
/// inside (FHIR strings are trimmed of nothing, but may not be all blank).
fn text(rng: &mut Rng) -> String {
    const PARTS: &[&str] = &[
        "a", "Zz", "é", "日本", "😀", " ", "\"", "'", "<", ">", "&", "\\", "\t", "\n", "\r\n",
        "]]>", "&amp;", "1.0",
    ];
    let mut s = String::from("x");
    for _ in 0..rng.below(6) {
        s.push_str(rng.pick(PARTS));
    }
    s.push('y');
    s
}

/// A valid lexical value of a FHIR primitive type.
fn lexical(rng: &mut Rng, ty: &str) -> String {
    match ty {
        "boolean" => rng.pick(&["true", "false"]).to_owned(),
        "integer" => rng
            .pick(&["0", "-7", "2147483647", "-2147483648", "42"])
            .to_owned(),
        "positiveInt" => rng.pick(&["1", "2147483647", "9"]).to_owned(),
        "unsignedInt" => rng.pick(&["0", "2147483647", "12"]).to_owned(),
        "integer64" => rng
            .pick(&["0", "-9223372036854775808", "9223372036854775807"])
            .to_owned(),
        "decimal" => rng
            .pick(&[
                "0",
                "1.50",
                "-0.000",
                "3.14159265358979323846264338",
                "1E+245",
                "1e-3",
                "100",
            ])
            .to_owned(),
        "date" => rng.pick(&["2020", "2020-02", "2020-02-29"]).to_owned(),
        "dateTime" => rng
            .pick(&[
                "2020",
                "2020-02",
                "2020-02-29",
                "2020-02-29T13:45:00Z",
                "2020-02-29T13:45:00.123+05:30",
            ])
            .to_owned(),
        "instant" => rng
            .pick(&["2020-02-29T13:45:00Z", "2020-02-29T13:45:00.1234-01:00"])
            .to_owned(),
        "time" => rng.pick(&["13:45:00", "00:00:00.5"]).to_owned(),
        "base64Binary" => rng.pick(&["AA==", "aGVsbG8gd29ybGQ="]).to_owned(),
        "id" => rng
            .pick(&[
                "a1",
                "x-Y.9",
                "0123456789012345678901234567890123456789012345678901234567890123",
            ])
            .to_owned(),
        "code" => rng.pick(&["final", "male", "a-code", "x y"]).to_owned(),
        "uri" | "url" | "canonical" => rng
            .pick(&["http://example.org/fhir", "urn:x", "#o1", "Patient/1"])
            .to_owned(),
        "oid" => "urn:oid:1.2.3".to_owned(),
        "uuid" => "urn:uuid:c757873d-ec9a-4326-a141-556f43239520".to_owned(),
        "xhtml" => rng
            .pick(&[
                "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>",
                "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>a &amp; b<br/></p><!-- c --></div>",
                "<div xmlns=\"http://www.w3.org/1999/xhtml\"/>",
            ])
            .to_owned(),
        _ => text(rng),
    }
}

struct Gen {
    rng: Rng,
}

impl Gen {
    /// Fills some fields of `el` (at least one unless it is a resource),
    /// nesting at most `depth` more levels.
    fn element(&mut self, el: &mut dyn Element, depth: usize, resource: bool) {
        let info = el.type_info();
        let mut filled = 0usize;
        let p = if depth == 0 { 15 } else { 35 };
        for (i, f) in info.fields.iter().enumerate() {
            let deep = matches!(
                f.kind,
                FieldKind::Element | FieldKind::Resource | FieldKind::Choice
            );
            if deep && depth == 0 && f.kind != FieldKind::Choice {
                continue;
            }
            if f.kind == FieldKind::Resource && !resource {
                continue;
            }
            if self.rng.chance(p) {
                filled += usize::from(self.field(el, i, depth));
            }
        }
        // Elements need content (ele-1): a text attribute or a primitive.
        if filled == 0 && !resource {
            let simple: Vec<usize> = (0..info.fields.len())
                .filter(|&i| matches!(info.fields[i].kind, FieldKind::Primitive | FieldKind::Text))
                .collect();
            if !simple.is_empty() {
                let i = simple[self.rng.below(simple.len())];
                filled += usize::from(self.field(el, i, 0));
            }
        }
        assert!(filled > 0 || resource, "could not fill {}", info.name);
    }

    /// Fills one field; false if it could not (nothing was added).
    fn field(&mut self, el: &mut dyn Element, i: usize, depth: usize) -> bool {
        let f = &el.type_info().fields[i];
        let slot = el.field_mut(i).unwrap();
        if !slot.is_empty() {
            return false;
        }
        let count = if slot.is_list() {
            1 + self.rng.below(3)
        } else {
            1
        };
        match f.kind {
            FieldKind::Choice => {
                // One variant for the whole element (a choice is 0..1).
                let v = self.rng.below(f.choice_keys.len());
                let ty = f.types[v];
                let complex = ty.starts_with(|c: char| c.is_ascii_uppercase());
                if complex && depth == 0 {
                    return false;
                }
                let item = slot.push(v).unwrap();
                self.item(item, ty, depth);
            }
            FieldKind::Resource => {
                for _ in 0..count {
                    let v = self.rng.below(f.types.len());
                    if let Some(ItemMut::Element(r)) = slot.push(v) {
                        // Nested resources: one level, no further resources.
                        self.element(r, depth.saturating_sub(2), false);
                    }
                }
            }
            _ => {
                let ty = f.types.first().copied().unwrap_or("string");
                for _ in 0..count {
                    let item = slot.push(0).unwrap();
                    self.item(item, ty, depth);
                }
            }
        }
        true
    }

    fn item(&mut self, item: ItemMut<'_>, ty: &str, depth: usize) {
        match item {
            ItemMut::Text(t) => {
                *t = if ty.contains("uri") {
                    "http://example.org/x".to_owned()
                } else {
                    text(&mut self.rng)
                }
            }
            ItemMut::Element(e) => self.element(e, depth.saturating_sub(1), false),
            ItemMut::Primitive(p) => self.primitive(p, ty, depth),
        }
    }

    fn primitive(&mut self, p: &mut dyn PrimitiveElement, ty: &str, depth: usize) {
        let value = lexical(&mut self.rng, ty);
        // Mostly a value; sometimes an id and extensions too, or instead.
        let with_value = ty == "xhtml" || !self.rng.chance(10);
        if with_value {
            p.set_lexical(&value)
                .unwrap_or_else(|e| panic!("{ty} {value:?}: {e}"));
        }
        if ty == "xhtml" {
            return;
        }
        if !with_value || self.rng.chance(10) {
            *p.id_mut() = Some("p1".to_owned());
        }
        if depth > 0 && (!with_value || self.rng.chance(5)) {
            let ext = p.extensions_mut();
            if let Some(ItemMut::Element(x)) = ext.push(0) {
                self.element(x, depth - 1, false);
            }
        }
    }
}

fn check<R>(cases: u64)
where
    R: ResourceEnum
        + json::FromFhirJson
        + xml::FhirXml
        + serde::Serialize
        + PartialEq
        + std::fmt::Debug,
{
    let only: Option<u64> = std::env::var("FHIR_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok());
    let seeds: Vec<u64> = match only {
        Some(s) => vec![s],
        None => (0..cases).collect(),
    };
    for seed in seeds {
        let mut g = Gen { rng: Rng(seed) };
        let ty = R::TYPES[g.rng.below(R::TYPES.len())];
        let mut r = R::new_of_type(ty).unwrap();
        g.element(r.as_element_mut(), 3, true);

        let j = json::to_string(&r);
        let back: R = json::from_str(&j)
            .unwrap_or_else(|e| panic!("seed {seed}: JSON re-read failed: {e}\n{j}"));
        assert_eq!(back, r, "seed {seed}: JSON round trip\n{j}");

        let x = xml::to_string(&r)
            .unwrap_or_else(|e| panic!("seed {seed}: XML write failed: {e}\n{j}"));
        let back: R = xml::from_str(&x)
            .unwrap_or_else(|e| panic!("seed {seed}: XML re-read failed: {e}\n{x}"));
        assert_eq!(back, r, "seed {seed}: XML round trip\n{x}");
        assert_eq!(json::to_string(&back), j, "seed {seed}");
    }
}

fn cases() -> u64 {
    std::env::var("FHIR_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300)
}

#[cfg(feature = "r4")]
#[test]
fn random_r4_resources_round_trip_through_json_and_xml() {
    check::<fhir_model::r4::Resource>(cases());
}

#[cfg(feature = "r4b")]
#[test]
fn random_r4b_resources_round_trip_through_json_and_xml() {
    check::<fhir_model::r4b::Resource>(cases());
}

#[cfg(feature = "r5")]
#[test]
fn random_r5_resources_round_trip_through_json_and_xml() {
    check::<fhir_model::r5::Resource>(cases());
}
