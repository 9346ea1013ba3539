//! FHIR XML reading on our tokenizer ([`Tokens`]).
//!
//! Walks the same reflective element model as the JSON reader: element names
//! are the JSON property names (`valueQuantity`), primitives carry `value` and
//! `id` attributes and `extension` children, `Element.id` and `Extension.url`
//! are attributes, resources sit inside a wrapper element (`contained`,
//! `resource`), the narrative `div` is XHTML kept as its exact source text.
//! Element order is part of the format: an element before one that the
//! definitions put earlier is an error, as in the official schema.
//!
//! Hostile input: DOCTYPE declarations are rejected (so no external or
//! custom entities, no "billion laughs"), only the predefined entities and
//! character references are decoded, and nesting depth is limited.

use quick_xml::events::{BytesStart, Event};

use super::chars::is_xml_char;
use super::names::{Ns, Scopes};
use super::tokens::Tokens;
use super::{Error, ReadOptions, FHIR_NS, XSI_NS};
use crate::rt::element::{Element, ItemMut, ResourceEnum, Slot};
use crate::rt::meta::{FieldKind, TypeInfo};
use crate::rt::primitive::PrimitiveElement;
use crate::rt::xhtml::DivChecker;

#[derive(Clone, Copy, Debug)]
enum Seg {
    Name(&'static str),
    Index(usize),
}

/// The reader state: the event source over the input, options, the element path.
pub(crate) struct XmlReader<'i> {
    tokens: Tokens<'i>,
    /// The input, as text and as bytes.
    text: &'i str,
    /// Namespace declarations in scope (see [`Scopes`] for why by hand).
    scopes: Scopes,
    /// Elements open, of any kind (for namespace scopes).
    open: usize,
    /// The last event was an empty element: its declarations go out of
    /// scope before the next event.
    leave_empty: bool,
    input: &'i [u8],
    opts: ReadOptions,
    path: Vec<Seg>,
    depth: usize,
    /// `Some` in a recovering read: problems that leave the rest readable
    /// are recorded here, and the offending element or attribute is left out.
    issues: Option<Vec<Error>>,
    /// Offset of the start tag of the element being read, for problems
    /// found only at its end (an empty element is reported at its start).
    element_start: usize,
}

type Res<T> = Result<T, Error>;

impl<'i> XmlReader<'i> {
    pub(crate) fn new(input: &'i str, opts: ReadOptions) -> Self {
        XmlReader {
            tokens: Tokens::new(input),
            scopes: Scopes::default(),
            open: 0,
            leave_empty: false,
            text: input,
            input: input.as_bytes(),
            opts,
            path: Vec::with_capacity(16),
            depth: 0,
            issues: None,
            element_start: 0,
        }
    }

    /// A reader that records recoverable problems instead of failing on them.
    pub(crate) fn recovering(input: &'i str, opts: ReadOptions) -> Self {
        let mut r = XmlReader::new(input, opts);
        r.issues = Some(Vec::new());
        r
    }

    /// The problems recorded by a recovering read.
    pub(crate) fn take_issues(&mut self) -> Vec<Error> {
        self.issues.take().unwrap_or_default()
    }

    /// A problem after which reading can go on: recorded when recovering
    /// (the caller then leaves the offending part out), an error otherwise.
    /// Past [`MAX_ISSUES`](crate::rt::json::de::MAX_ISSUES) problems reading
    /// stops, so memory and time stay bounded whatever the input.
    fn soft(&mut self, e: Error) -> Res<()> {
        let max = crate::rt::json::de::MAX_ISSUES;
        match self.issues.as_mut() {
            None => Err(e),
            Some(v) if v.len() >= max => Err(Error {
                message: format!("more than {max} problems: reading stopped here"),
                ..e
            }),
            Some(v) => {
                v.push(e);
                Ok(())
            }
        }
    }

    fn path_string(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            let name = match seg {
                Seg::Name(n) => Some(*n),
                Seg::Index(i) => {
                    s.push('[');
                    s.push_str(&i.to_string());
                    s.push(']');
                    None
                }
            };
            if let Some(n) = name {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(n);
            }
        }
        s
    }

    /// An error at the current reader position.
    fn err(&self, msg: impl std::fmt::Display) -> Error {
        self.err_at(self.position(), msg)
    }

    /// The offset after the last event.
    fn position(&self) -> usize {
        self.tokens.position()
    }

    /// The offset where the last event began (a start tag's `<`).
    fn event_start(&self) -> usize {
        self.tokens.event_start()
    }

    /// The next event of the input.
    fn raw_event(&mut self) -> Res<Event<'i>> {
        self.tokens
            .next()
            .map_err(|e| self.err_at(e.offset, format_args!("malformed XML: {}", e.message)))
    }

    fn err_at(&self, offset: usize, msg: impl std::fmt::Display) -> Error {
        let (line, column) = line_col(self.input, offset);
        let path = self.path_string();
        let message = crate::rt::short_message(msg.to_string());
        Error { path: (!path.is_empty()).then_some(path), message, line, column }
    }

    /// Next event, with the namespace of a start tag's name: the FHIR or
    /// the XHTML namespace, or `None` for any other or none. DOCTYPE is
    /// refused here, once for all.
    fn next(&mut self) -> Res<(Option<Ns>, Event<'i>)> {
        if std::mem::take(&mut self.leave_empty) {
            self.scopes.leave(self.open + 1);
        }
        let ev = self.raw_event()?;
        let ns = match &ev {
            Event::Start(e) => {
                self.open += 1;
                self.enter_scope(self.open)?;
                self.namespace_of(e)
            }
            Event::Empty(e) => {
                self.enter_scope(self.open + 1)?;
                self.leave_empty = true;
                self.namespace_of(e)
            }
            Event::End(_) => {
                self.scopes.leave(self.open);
                self.open = self.open.saturating_sub(1);
                None
            }
            Event::DocType(_) => {
                return Err(self.err("DOCTYPE declarations are not allowed in FHIR XML (no DTDs, no custom entities)"))
            }
            _ => None,
        };
        Ok((ns, ev))
    }

    /// Takes the namespace declarations of the start tag at `depth`, the
    /// last event, from the attributes the tokenizer found.
    fn enter_scope(&mut self, depth: usize) -> Res<()> {
        if !self.tokens.declares() {
            return Ok(());
        }
        self.scopes
            .enter(self.tokens.attributes(), depth)
            .map_err(|m| self.err(m))
    }

    fn namespace_of(&self, e: &BytesStart<'_>) -> Option<Ns> {
        self.scopes.known_namespace_of_element(e.name().into_inner())
    }

    /// Checks what every document must satisfy before reading: size, and
    /// only characters XML 1.0 allows (no NUL or other control characters
    /// but tab, newline and carriage return; no U+FFFE, U+FFFF).
    fn check_document(&self) -> Res<()> {
        check_size(self.input, &self.opts)?;
        // Valid UTF-8 (we hold a &str): only the code points need checking.
        if let Some((offset, c)) = super::chars::first_invalid(self.text) {
            let (line, column) = line_col(self.input, offset);
            return Err(Error {
                path: None,
                message: format!("character U+{:04X} is not allowed in XML", u32::from(c)),
                line,
                column,
            });
        }
        Ok(())
    }

    /// Reads a whole document whose root is any resource of `R`.
    pub(crate) fn read_resource_root<R: ResourceEnum>(&mut self) -> Res<R> {
        self.check_document()?;
        let (start, empty) = self.root_start()?;
        let name = self.local(&start);
        let Some(mut r) = R::new_of_type(name) else {
            return Err(self.err(format_args!("unknown resource type <{name}>")));
        };
        self.read_element_body(r.as_element_mut(), empty)?;
        self.finish_document()?;
        Ok(r)
    }

    /// Reads a whole document into a generated struct (a resource or a datatype).
    pub(crate) fn read_element_root(&mut self, el: &mut dyn Element) -> Res<()> {
        self.check_document()?;
        let (start, empty) = self.root_start()?;
        let info = el.type_info();
        let name = self.local(&start);
        if info.kind == crate::rt::meta::TypeKind::Resource && name != info.name {
            return Err(self.err(format_args!("root element is <{name}>, expected <{}>", info.name)));
        }
        self.read_element_body(el, empty)?;
        self.finish_document()
    }

    fn root_start(&mut self) -> Res<(BytesStart<'i>, bool)> {
        loop {
            let (ns, ev) = self.next()?;
            match ev {
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
                Event::Text(t) if is_ws(&t) => {}
                Event::Start(e) | Event::Empty(e) if ns != Some(Ns::Fhir) => {
                    return Err(self.err(format_args!("root element <{}> is not in the FHIR namespace {}", self.local(&e), show(FHIR_NS))));
                }
                Event::Start(e) => return Ok((e, false)),
                Event::Empty(e) => return Ok((e, true)),
                Event::Eof => return Err(self.err("empty document")),
                _ => return Err(self.err("expected the root element")),
            }
        }
    }

    fn finish_document(&mut self) -> Res<()> {
        loop {
            match self.next()?.1 {
                Event::Eof => return Ok(()),
                Event::Comment(_) | Event::PI(_) => {}
                Event::Text(t) if is_ws(&t) => {}
                _ => return Err(self.err("content after the root element")),
            }
        }
    }

    /// Reads the attributes and (unless `empty`) the children of an
    /// element into `el`; its start tag was the last event.
    fn read_element_body(&mut self, el: &mut dyn Element, empty: bool) -> Res<()> {
        let info = el.type_info();
        if self.path.is_empty() {
            self.path.push(Seg::Name(info.name));
        }
        let at = self.element_start;
        // Every element counts, as every JSON object does.
        self.enter()?;
        let mut any = self.read_text_attributes(el)?;
        if !empty {
            any |= self.read_children(el, info)?;
        }
        self.depth -= 1;
        // A resource may be empty (`{"resourceType":"Basic"}` in JSON); an
        // element may not (ele-1).
        if !any && info.kind != crate::rt::meta::TypeKind::Resource {
            let e = self.err_at(at, "empty element: FHIR elements must have a value, attributes or children");
            self.soft(e)?;
        }
        Ok(())
    }

    /// The end of the input inside an element: names the element not closed.
    fn unclosed(&self) -> Error {
        let open = self.path.iter().rev().find_map(|s| match s {
            Seg::Name(n) => Some(*n),
            Seg::Index(_) => None,
        });
        match open {
            // A backbone type's name is its path (`Patient.contact`); the tag is the last part.
            Some(n) => {
                let tag = n.rsplit('.').next().unwrap_or(n);
                self.err(format_args!("unexpected end of the document: expected </{tag}>"))
            }
            None => self.err("unexpected end of the document"),
        }
    }

    /// One more level of elements; an error past the limit.
    fn enter(&mut self) -> Res<()> {
        self.depth += 1;
        let max = self.opts.max_depth;
        if self.depth > max {
            return Err(self.err(format_args!(
                "elements nested deeper than {max} levels (ReadOptions::max_depth)"
            )));
        }
        Ok(())
    }

    /// `id` and `url`-like attributes: the element's plain-text fields.
    fn read_text_attributes(&mut self, el: &mut dyn Element) -> Res<bool> {
        let info = el.type_info();
        let mut any = false;
        let attributes = self.tokens.take_attributes();
        for a in &attributes {
            if skip_attribute(&self.scopes, a) {
                continue;
            }
            let name = self.str_of(a.key).unwrap_or("?");
            let field = info.lookup_json(name).filter(|&(f, _)| info.fields.get(f).is_some_and(|fi| fi.kind == FieldKind::Text));
            let Some((f, _)) = field else {
                if !self.opts.ignore_unknown {
                    let e = self.err_at(self.element_start, format_args!("unknown attribute {name:?}"));
                    self.soft(e)?;
                }
                continue;
            };
            let value = self.attribute_value(a).map_err(|e| self.err(format_args!("attribute {name}: {e}")))?;
            if let Err(e) = self.check_chars(&value) {
                self.soft(e)?;
                continue;
            }
            match el.field_mut(f).and_then(|s| s.push(0)) {
                Some(ItemMut::Text(t)) => {
                    *t = value.into_owned();
                    any = true;
                }
                _ => return Err(self.err("internal: attribute field is not text")),
            }
        }
        self.tokens.give_back(attributes);
        Ok(any)
    }

    /// Reads child elements up to the end tag; true if there was any.
    fn read_children(&mut self, el: &mut dyn Element, info: &'static TypeInfo) -> Res<bool> {
        let mut last: Option<usize> = None;
        let mut any = false;
        loop {
            let (ns, ev) = self.next()?;
            let before = self.event_start();
            let (e, empty) = match ev {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(_) => return Ok(any),
                Event::Text(t) if is_ws(&t) => continue,
                Event::Comment(_) | Event::PI(_) => continue,
                Event::Eof => return Err(self.unclosed()),
                Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                    let e = self.err_at(before, "unexpected text: FHIR elements hold values in `value` attributes");
                    self.soft(e)?;
                    continue;
                }
                Event::Decl(_) | Event::DocType(_) => return Err(self.err("unexpected declaration")),
            };
            any = true;
            let name = self.local(&e);
            // Every element is in the FHIR namespace but the narrative div (XHTML).
            let key = if name.starts_with('_') { None } else { info.lookup_from(name, last.unwrap_or(0)) };
            let key = key.filter(|&(f, _)| {
                info.fields.get(f).is_some_and(|fi| {
                    let want = if fi.types.first() == Some(&"xhtml") { Ns::Xhtml } else { Ns::Fhir };
                    fi.kind != FieldKind::Text && ns == Some(want)
                })
            });
            let Some((field, variant)) = key else {
                // The narrative div is the one element outside the FHIR namespace.
                if !self.opts.ignore_unknown {
                    let what = if ns == Some(Ns::Fhir) {
                        info.unknown_name_hint(name)
                    } else {
                        format!("not in the FHIR namespace {}", show(FHIR_NS))
                    };
                    let e = self.err_at(before, format_args!("unknown element <{name}> ({what})"));
                    self.soft(e)?;
                }
                self.skip(empty)?;
                continue;
            };
            let Some(finfo) = info.fields.get(field) else { continue };
            if !finfo.is_list() && el.field(field).is_some_and(|s| !s.is_empty()) {
                let e = self.err_at(before, format_args!("element <{name}> repeats, but it may occur at most once"));
                self.soft(e)?;
                self.skip(empty)?;
                continue;
            }
            let mut next_last = field;
            if let Some(prev) = last {
                if field < prev && !self.opts.any_order {
                    let prev_name = info.fields.get(prev).map_or("?", |f| f.name);
                    let e = self.err_at(before, format_args!(
                        "element <{name}> is out of order: it must come before <{prev_name}>"
                    ));
                    // Recovering: read it all the same, and go on checking
                    // order against the furthest element seen.
                    self.soft(e)?;
                    next_last = prev;
                }
            }
            last = Some(next_last);
            let seg_name = finfo.json_name(variant);
            self.path.push(Seg::Name(seg_name));
            let Some(slot) = el.field_mut(field) else { return Err(self.err("internal: no such field")) };
            let list = slot.is_list();
            if list {
                self.path.push(Seg::Index(slot.len()));
            }
            let is_xhtml = finfo.types.first() == Some(&"xhtml");
            self.element_start = before;
            match finfo.kind {
                FieldKind::Resource => self.read_resource_wrapper(slot, finfo.types, empty)?,
                _ if is_xhtml => self.read_xhtml(slot, ns, &e, empty, before)?,
                _ => {
                    let Some(item) = slot.push(variant) else { return Err(self.err("internal: cannot create the value")) };
                    match item {
                        ItemMut::Primitive(p) => self.read_primitive(p, empty)?,
                        ItemMut::Element(child) => self.read_element_body(child, empty)?,
                        ItemMut::Text(_) => return Err(self.err("internal: text field as element")),
                    }
                }
            }
            if list {
                self.path.pop();
            }
            self.path.pop();
        }
    }

    fn read_primitive(&mut self, p: &mut dyn PrimitiveElement, empty: bool) -> Res<()> {
        let at = self.element_start;
        let mut any = false;
        let attributes = self.tokens.take_attributes();
        for a in &attributes {
            if skip_attribute(&self.scopes, a) {
                continue;
            }
            let value = self.attribute_value(a).map_err(|e| self.err(format_args!("attribute: {e}")))?;
            if let Err(e) = self.check_chars(&value) {
                self.soft(e)?;
                continue;
            }
            match a.key {
                b"value" => {
                    if let Err(m) = p.set_lexical(&value) {
                        let e = self.err_at(at, m);
                        self.soft(e)?;
                    }
                    // Present, even if invalid: no second "empty" problem.
                    any = true;
                }
                b"id" => {
                    *p.id_mut() = Some(value.into_owned());
                    any = true;
                }
                other => {
                    if !self.opts.ignore_unknown {
                        let e = self.err_at(at, format_args!("unknown attribute {:?}", String::from_utf8_lossy(other)));
                        self.soft(e)?;
                    }
                }
            }
        }
        self.tokens.give_back(attributes);
        // A primitive with an id or extensions counts as a level, as its
        // `_name` object does in JSON.
        let counted = !empty || p.id().is_some();
        if counted {
            self.enter()?;
        }
        if !empty {
            loop {
                let (ns, ev) = self.next()?;
                let before = self.event_start();
                let (e, child_empty) = match ev {
                    Event::Start(e) => (e, false),
                    Event::Empty(e) => (e, true),
                    Event::End(_) => break,
                    Event::Text(t) if is_ws(&t) => continue,
                    Event::Comment(_) | Event::PI(_) => continue,
                    Event::Eof => return Err(self.unclosed()),
                    Event::Decl(_) | Event::DocType(_) => return Err(self.err("unexpected declaration")),
                    _ => {
                        let e = self.err_at(before, "unexpected text: a primitive holds its value in the `value` attribute");
                        self.soft(e)?;
                        continue;
                    }
                };
                if ns != Some(Ns::Fhir) || self.local(&e) != "extension" {
                    if !self.opts.ignore_unknown {
                        let e = self.err_at(before, format_args!("unknown element <{}>: a primitive has only `extension` children", self.local(&e)));
                        self.soft(e)?;
                    }
                    self.skip(child_empty)?;
                    continue;
                }
                any = true;
                let slot = p.extensions_mut();
                self.path.push(Seg::Name("extension"));
                self.path.push(Seg::Index(slot.len()));
                self.element_start = before;
                match slot.push(0) {
                    Some(ItemMut::Element(x)) => self.read_element_body(x, child_empty)?,
                    _ => return Err(self.err("internal: extension is not an element")),
                }
                self.path.pop();
                self.path.pop();
            }
        }
        if counted {
            self.depth -= 1;
        }
        if !any {
            let e = self.err_at(at, "empty element: a primitive needs a value, an id or extensions");
            self.soft(e)?;
        }
        Ok(())
    }

    /// `<contained><Patient>...</Patient></contained>`.
    fn read_resource_wrapper(&mut self, slot: &mut dyn Slot, types: &'static [&'static str], empty: bool) -> Res<()> {
        if empty {
            let e = self.err("empty resource wrapper: it must contain one resource");
            return self.soft(e);
        }
        let mut done = false;
        loop {
            let (ns, ev) = self.next()?;
            let before = self.event_start();
            let (e, child_empty) = match ev {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(_) if done => return Ok(()),
                Event::End(_) => {
                    let e = self.err("empty resource wrapper: it must contain one resource");
                    return self.soft(e);
                }
                Event::Text(t) if is_ws(&t) => continue,
                Event::Comment(_) | Event::PI(_) => continue,
                Event::Eof => return Err(self.unclosed()),
                Event::Decl(_) | Event::DocType(_) => return Err(self.err("unexpected declaration")),
                _ => {
                    let e = self.err_at(before, "unexpected text in a resource wrapper");
                    self.soft(e)?;
                    continue;
                }
            };
            let name = self.local(&e);
            if done {
                let e = self.err_at(before, format_args!("second resource <{name}> in one wrapper"));
                self.soft(e)?;
                self.skip(child_empty)?;
                continue;
            }
            let variant = types.binary_search(&name).ok().filter(|_| ns == Some(Ns::Fhir));
            let Some(variant) = variant else {
                let e = self.err_at(before, format_args!("unknown resource type <{name}>"));
                self.soft(e)?;
                self.skip(child_empty)?;
                // The wrapper is then empty: counted as done, so the one
                // problem is reported once.
                done = true;
                continue;
            };
            let Some(ItemMut::Element(child)) = slot.push(variant) else {
                return Err(self.err("internal: cannot create the resource"));
            };
            self.element_start = before;
            // Nested resources are reached through their field, as in FHIRPath
            // (`entry[0].resource.name`): no type segment in the path. The
            // wrapper is no level of its own (JSON has no object for it).
            self.read_element_body(child, child_empty)?;
            done = true;
        }
    }

    /// The narrative `div`: XHTML, kept as its exact source text. It is
    /// checked as it is read (see [`check_div`](crate::rt::xhtml::check_div)):
    /// it must stand on its own, as it is written back as it is.
    fn read_xhtml(&mut self, slot: &mut dyn Slot, ns: Option<Ns>, start: &BytesStart<'i>, empty: bool, before: usize) -> Res<()> {
        if ns != Some(Ns::Xhtml) {
            let e = self.err_at(before, "the narrative div must be in the XHTML namespace");
            self.soft(e)?;
            return self.skip(empty);
        }
        let mut div = match DivChecker::start(start, self.tokens.attributes(), empty) {
            Ok(div) => div,
            Err(m) => {
                let e = self.err_at(before, m);
                self.soft(e)?;
                return self.skip(empty);
            }
        };
        let general = self.tokens.general_content(true);
        // The div's content bypasses `next`: the checker keeps the
        // namespace scopes inside the div itself (declarations there are
        // for the div only), and refuses declarations and DOCTYPE.
        while !div.is_done() {
            let at = self.position();
            let ev = self.raw_event()?;
            if let Event::Eof = ev {
                return Err(self.err("unexpected end of the document inside an element"));
            }
            if let Err(m) = div.event(&ev, self.tokens.attributes()) {
                let e = self.err_at(at, m);
                self.soft(e)?;
                // The elements open in the div, but the div, are counted
                // from here on, as `next` counts them.
                self.open += div.depth().saturating_sub(1);
                self.skip_levels(div.depth())?;
                self.tokens.general_content(general);
                return Ok(());
            }
        }
        if !empty {
            // The div's end tag, as `next` takes an end tag.
            self.scopes.leave(self.open);
            self.open = self.open.saturating_sub(1);
        }
        let end = self.position();
        self.tokens.general_content(general);
        // Offsets of markup: character boundaries of the input text.
        let text = self.text.get(before..end).ok_or_else(|| self.err("invalid UTF-8"))?;
        match slot.push(0) {
            Some(ItemMut::Primitive(p)) => p.set_lexical(text).map_err(|m| self.err(m)),
            _ => Err(self.err("internal: xhtml field is not a primitive")),
        }
    }

    /// Skips the content of an element whose start tag was just read, keeping
    /// namespace scopes right (unlike `read_to_end`). Iterative: skipped
    /// content (unknown elements when lenient, narrative XHTML) costs no
    /// stack, and has its own, much higher, depth limit.
    fn skip(&mut self, empty: bool) -> Res<()> {
        if empty {
            return Ok(());
        }
        let general = self.tokens.general_content(true);
        self.skip_levels(1)?;
        self.tokens.general_content(general);
        Ok(())
    }

    /// Skips content up to the end of the innermost `depth` open elements.
    fn skip_levels(&mut self, mut depth: usize) -> Res<()> {
        while depth > 0 {
            match self.next()?.1 {
                Event::Start(_) => {
                    depth += 1;
                    if depth > MAX_SKIPPED_DEPTH {
                        return Err(self.err(format_args!(
                            "XHTML or skipped elements nested deeper than {MAX_SKIPPED_DEPTH} levels"
                        )));
                    }
                }
                Event::End(_) => depth -= 1,
                Event::Eof => return Err(self.err("unexpected end of the document inside an element")),
                Event::GeneralRef(r) => check_reference(r.as_ref()).map_err(|m| self.err(m))?,
                _ => {}
            }
        }
        Ok(())
    }
}

impl<'i> XmlReader<'i> {
    /// `bytes`, a part of the input, as the text it is: the input is a
    /// `&str`, so no second UTF-8 check is needed (`None` for bytes from
    /// elsewhere, or not on character boundaries).
    /// The local name of a start tag (`div` of `x:div`), borrowed from the
    /// input (so with no second UTF-8 check).
    fn local(&self, e: &BytesStart<'_>) -> &'i str {
        let n = e.name().into_inner();
        let l = match n.iter().position(|&b| b == b':') {
            Some(i) => n.get(i + 1..).unwrap_or(n),
            None => n,
        };
        self.str_of(l).unwrap_or("?")
    }

    fn str_of(&self, bytes: &[u8]) -> Option<&'i str> {
        let offset = (bytes.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)?;
        self.text.get(offset..offset.checked_add(bytes.len())?)
    }

    /// An attribute's value: the input text itself when it holds no
    /// reference (nearly always), decoded otherwise.
    fn attribute_value(&self, a: &super::attrs::Attr<'_>) -> Result<std::borrow::Cow<'i, str>, String> {
        let Some(text) = self.str_of(a.value) else {
            return a.decoded().map(|v| std::borrow::Cow::Owned(v.into_owned()));
        };
        if !a.refs {
            return Ok(std::borrow::Cow::Borrowed(text));
        }
        quick_xml::escape::unescape(text).map_err(|e| e.to_string())
    }

    /// Text decoded from character references holds only characters XML
    /// allows. Text taken as it is from the document needs no check: the
    /// whole document was checked before reading. (It takes the `Cow`, not
    /// a `&str`, because the variant is what tells decoded text from raw.)
    #[allow(clippy::ptr_arg)]
    fn check_chars(&self, value: &std::borrow::Cow<'_, str>) -> Res<()> {
        let std::borrow::Cow::Owned(decoded) = value else { return Ok(()) };
        match super::chars::first_invalid(decoded) {
            Some((_, c)) => Err(self.err(format_args!(
                "character reference to U+{:04X}, which XML does not allow",
                u32::from(c)
            ))),
            None => Ok(()),
        }
    }
}

/// The input size limit, reported at the position where it is crossed.
pub(crate) fn check_size(input: &[u8], opts: &ReadOptions) -> Res<()> {
    if input.len() <= opts.max_input_size {
        return Ok(());
    }
    let (line, column) = line_col(input, opts.max_input_size);
    Err(Error {
        path: None,
        message: format!(
            "input of {} bytes is larger than the limit of {} bytes (ReadOptions::max_input_size)",
            input.len(),
            opts.max_input_size
        ),
        line,
        column,
    })
}

/// Nesting limit of content read without recursion (narrative XHTML, unknown
/// elements skipped when lenient). quick-xml counts namespace scopes in 16
/// bits (overflowing at 65,536 levels); this stays far below.
pub(crate) const MAX_SKIPPED_DEPTH: usize = 10_000;

/// Only the predefined entities and character references to characters XML
/// allows exist without a DTD; `name` is what stands between `&` and `;`.
pub(crate) fn check_reference(name: &[u8]) -> Result<(), String> {
    match name.strip_prefix(b"#") {
        Some(num) => match char_ref(num) {
            Some(c) if is_xml_char(c) => Ok(()),
            _ => Err(format!(
                "character reference &{}; is not a character XML allows",
                String::from_utf8_lossy(name)
            )),
        },
        None if matches!(name, b"lt" | b"gt" | b"amp" | b"apos" | b"quot") => Ok(()),
        None => Err(format!("unknown entity &{};", String::from_utf8_lossy(name))),
    }
}

/// The character of a numeric character reference (`x41` or `65`, without `&#` and `;`).
pub(crate) fn char_ref(num: &[u8]) -> Option<char> {
    let s = std::str::from_utf8(num).ok()?;
    let code = match s.strip_prefix('x') {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => s.parse::<u32>().ok()?,
    };
    char::from_u32(code)
}

/// Namespace declarations and `xsi:` attributes (schemaLocation) carry no data.
fn skip_attribute(scopes: &Scopes, a: &super::attrs::Attr<'_>) -> bool {
    let k = a.key;
    // The first byte first: most names are `value` and `id`.
    if k.first() == Some(&b'x') && (k == b"xmlns" || k.starts_with(b"xmlns:")) {
        return true;
    }
    a.prefix().is_some() && scopes.namespace_of_name(k, false) == Some(XSI_NS)
}


fn is_ws(t: &[u8]) -> bool {
    t.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

fn show(ns: &[u8]) -> String {
    String::from_utf8_lossy(ns).into_owned()
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(input: &[u8], offset: usize) -> (usize, usize) {
    let upto = input.get(..offset.min(input.len())).unwrap_or_default();
    let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = upto.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(upto.get(line_start..).unwrap_or_default()).chars().count() + 1;
    (line, col)
}
