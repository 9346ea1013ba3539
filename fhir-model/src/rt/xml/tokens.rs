//! The XML tokenizer of the reader and of the narrative div check.
//!
//! quick-xml's event loop was a quarter of all XML reading time, and its
//! start tags were then scanned twice more (namespace declarations, field
//! values). FHIR elements are simple: a name, a few attributes (`value`,
//! `id`, `url`, `xmlns`), self-closing or not, white space between them.
//! This tokenizer reads each start tag once, attributes included (so their
//! syntax and uniqueness are checked here, and the reader takes them from
//! [`Tokens::attributes`]), skips white space between tags without an
//! event, and matches end tags to start tags. Comments, processing
//! instructions, CDATA, text and DOCTYPE come out as quick-xml's events,
//! for the reader to skip or refuse.
//!
//! In general content (the narrative div, skipped elements; see
//! [`Tokens::general_content`]) text is split at references as quick-xml
//! splits it, each `&name;` a `GeneralRef` event for the caller to check.
//! The XML writer checks the divs it writes with this same tokenizer
//! ([`check_div`](crate::rt::xhtml::check_div)), so what one accepts the
//! other does.

use quick_xml::events::{
    BytesCData, BytesDecl, BytesEnd, BytesPI, BytesRef, BytesStart, BytesText, Event,
};

use super::attrs::{self, is_space, Attr, Names};

/// A syntax error: where, and what (without the "malformed XML" that the
/// reader puts before it).
#[derive(Debug)]
pub(crate) struct SyntaxError {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

type Res<T> = Result<T, SyntaxError>;

/// Eight spaces, as a little-endian word: indentation is skipped a word at a time.
const EIGHT_SPACES: u64 = u64::from_le_bytes(*b"        ");

pub(crate) struct Tokens<'i> {
    text: &'i str,
    input: &'i [u8],
    /// Where tokenizing goes on.
    pos: usize,
    /// Where the last event began: its `<`, or the first byte of text.
    event_start: usize,
    /// Names of the open elements, innermost last.
    open: Vec<&'i [u8]>,
    /// The attributes of the last start tag.
    attributes: Vec<Attr<'i>>,
    /// Some attribute of the last start tag has a name beginning `xmlns`.
    declares: bool,
    names: Names<'i>,
    /// Text is split at references (in general content).
    general: bool,
}

fn error(offset: usize, message: impl Into<String>) -> SyntaxError {
    SyntaxError {
        offset,
        message: message.into(),
    }
}

fn lossy(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b)
}

impl<'i> Tokens<'i> {
    pub(crate) fn new(text: &'i str) -> Self {
        let input = text.as_bytes();
        // A byte order mark is no content (quick-xml drops it too).
        let pos = if input.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        Tokens {
            text,
            input,
            pos,
            event_start: pos,
            open: Vec::with_capacity(16),
            attributes: Vec::with_capacity(4),
            declares: false,
            names: Names::default(),
            general: false,
        }
    }

    /// The offset after the last event.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// The offset where the last event began.
    pub(crate) fn event_start(&self) -> usize {
        self.event_start
    }

    /// The attributes of the last start tag, taken out (give them back
    /// with [`Tokens::give_back`] to keep the allocation).
    pub(crate) fn take_attributes(&mut self) -> Vec<Attr<'i>> {
        std::mem::take(&mut self.attributes)
    }

    pub(crate) fn give_back(&mut self, mut attributes: Vec<Attr<'i>>) {
        attributes.clear();
        self.attributes = attributes;
    }

    /// Whether the last start tag declares namespaces (has an attribute
    /// named `xmlns...`).
    pub(crate) fn declares(&self) -> bool {
        self.declares
    }

    /// The attributes of the last start tag, in place.
    pub(crate) fn attributes(&self) -> &[Attr<'i>] {
        &self.attributes
    }

    /// Reads general content (`on`) or FHIR elements from here on;
    /// returns which it read before.
    pub(crate) fn general_content(&mut self, on: bool) -> bool {
        std::mem::replace(&mut self.general, on)
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.input.get(at).copied()
    }

    fn str(&self, from: usize, to: usize) -> &'i str {
        self.text.get(from..to).unwrap_or_default()
    }

    fn skip_space(&mut self) {
        loop {
            match self.byte(self.pos) {
                Some(b' ') => {
                    let word = self
                        .input
                        .get(self.pos..self.pos + 8)
                        .and_then(|w| <[u8; 8]>::try_from(w).ok());
                    let step = if word.map(u64::from_le_bytes) == Some(EIGHT_SPACES) {
                        8
                    } else {
                        1
                    };
                    self.pos += step;
                }
                Some(b'\n' | b'\r' | b'\t') => self.pos += 1,
                _ => return,
            }
        }
    }

    /// The next event. White space between markup is skipped; text that
    /// is not all white space comes whole (from the end of the markup
    /// before it), so the reader can refuse it.
    pub(crate) fn next(&mut self) -> Res<Event<'i>> {
        let text_start = self.pos;
        self.skip_space();
        let start = self.pos;
        match self.byte(start) {
            None => {
                self.event_start = start;
                Ok(Event::Eof)
            }
            Some(b'<') => {
                self.event_start = start;
                self.markup(start)
            }
            Some(b'&') if self.general => {
                self.event_start = start;
                self.reference(start)
            }
            Some(_) => {
                self.event_start = text_start;
                let rest = self.input.get(start..).unwrap_or_default();
                let found = match self.general {
                    true => memchr::memchr2(b'<', b'&', rest),
                    false => memchr::memchr(b'<', rest),
                };
                let end = found.map_or(self.input.len(), |n| start + n);
                self.pos = end;
                Ok(Event::Text(BytesText::from_escaped(
                    self.str(text_start, end),
                )))
            }
        }
    }

    /// `&name;`, with no `&` or `<` before the `;` (as quick-xml reads it);
    /// the caller checks the name.
    fn reference(&mut self, start: usize) -> Res<Event<'i>> {
        let from = start + 1;
        let rest = self.input.get(from..).unwrap_or_default();
        match memchr::memchr3(b';', b'&', b'<', rest) {
            Some(n) if rest.get(n) == Some(&b';') => {
                self.pos = from + n + 1;
                Ok(Event::GeneralRef(BytesRef::new(self.str(from, from + n))))
            }
            _ => Err(error(start, "unclosed reference: `;` is missing after `&`")),
        }
    }

    fn markup(&mut self, start: usize) -> Res<Event<'i>> {
        match self.byte(start + 1) {
            Some(b'/') => self.end_tag(start),
            Some(b'!') => self.bang(start),
            Some(b'?') => self.instruction(start),
            _ => self.start_tag(start),
        }
    }

    /// `<name attributes>` or `<name attributes/>`.
    fn start_tag(&mut self, start: usize) -> Res<Event<'i>> {
        let name_start = start + 1;
        let mut pos = name_start;
        while let Some(b) = self.byte(pos) {
            match b {
                b'>' | b'/' => break,
                b'"' | b'\'' | b'<' | b'&' | b'=' => {
                    return Err(error(
                        pos,
                        format!("`{}` in an element name", char::from(b)),
                    ))
                }
                _ if is_space(b) => break,
                _ => pos += 1,
            }
        }
        let name_end = pos;
        if name_end == name_start {
            return Err(error(start, "expected an element name after `<`"));
        }
        self.attributes.clear();
        self.names.clear();
        self.declares = false;
        let (end, empty) = loop {
            let before = pos;
            while self.byte(pos).is_some_and(is_space) {
                pos += 1;
            }
            match self.byte(pos) {
                None => return Err(error(start, "start tag not closed: `>` is missing")),
                Some(b'>') => break (pos, false),
                Some(b'/') if self.byte(pos + 1) == Some(b'>') => break (pos, true),
                Some(b'/') => return Err(error(pos, "expected `>` after `/` in a start tag")),
                Some(_) if pos == before => {
                    return Err(error(
                        pos,
                        "malformed attribute: attributes must be separated by white space",
                    ))
                }
                Some(_) => {
                    let (a, next) = attrs::attribute(self.input, pos).map_err(|m| error(pos, m))?;
                    self.names.insert(a.key).map_err(|m| error(pos, m))?;
                    self.declares |= a.key.starts_with(b"xmlns");
                    self.attributes.push(a);
                    pos = next;
                }
            }
        };
        self.pos = end + if empty { 2 } else { 1 };
        let content = BytesStart::from_content(self.str(name_start, end), name_end - name_start);
        if empty {
            Ok(Event::Empty(content))
        } else {
            self.open
                .push(self.input.get(name_start..name_end).unwrap_or_default());
            Ok(Event::Start(content))
        }
    }

    /// `</name>`, which must close the innermost open element.
    fn end_tag(&mut self, start: usize) -> Res<Event<'i>> {
        let from = start + 2;
        let rest = self.input.get(from..).unwrap_or_default();
        let Some(len) = rest.iter().position(|&b| b == b'>') else {
            return Err(error(start, "end tag not closed: `>` is missing"));
        };
        let mut name = rest.get(..len).unwrap_or_default();
        while let Some((&last, init)) = name.split_last() {
            if !is_space(last) {
                break;
            }
            name = init;
        }
        self.pos = from + len + 1;
        match self.open.pop() {
            Some(open) if open == name => {
                Ok(Event::End(BytesEnd::new(self.str(from, from + name.len()))))
            }
            Some(open) => Err(error(
                start,
                format!(
                    "ill-formed document: expected `</{}>`, but `</{}>` was found",
                    lossy(open),
                    lossy(name)
                ),
            )),
            None => Err(error(
                start,
                format!(
                    "ill-formed document: close tag `</{}>` does not match any open tag",
                    lossy(name)
                ),
            )),
        }
    }

    /// The text of the markup at `start` from `open` bytes in up to
    /// `close`, after which tokenizing goes on; `what` names the markup in
    /// the error if `close` is missing.
    fn delimited(&mut self, start: usize, open: usize, close: &[u8], what: &str) -> Res<&'i str> {
        let from = start + open;
        let rest = self.input.get(from..).unwrap_or_default();
        let Some(len) = memchr::memmem::find(rest, close) else {
            let close = lossy(close);
            return Err(error(
                start,
                format!("{what} not closed: `{close}` is missing"),
            ));
        };
        self.pos = from + len + close.len();
        Ok(self.str(from, from + len))
    }

    /// Comments, CDATA sections and DOCTYPE.
    fn bang(&mut self, start: usize) -> Res<Event<'i>> {
        let rest = self.input.get(start..).unwrap_or_default();
        if rest.starts_with(b"<!--") {
            let text = self.delimited(start, 4, b"-->", "comment")?;
            return Ok(Event::Comment(BytesText::from_escaped(text)));
        }
        if rest.starts_with(b"<![CDATA[") {
            let text = self.delimited(start, 9, b"]]>", "CDATA")?;
            return Ok(Event::CData(BytesCData::new(text)));
        }
        if rest
            .get(2..9)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"DOCTYPE"))
        {
            self.pos = start + 9;
            return Ok(Event::DocType(BytesText::from_escaped(
                self.str(start + 2, start + 9),
            )));
        }
        Err(error(start, "unknown markup after `<!`"))
    }

    /// `<?target ...?>`; `<?xml ...?>` is the XML declaration.
    fn instruction(&mut self, start: usize) -> Res<Event<'i>> {
        let content = self.delimited(start, 2, b"?>", "processing instruction")?;
        let b = content.as_bytes();
        if b.starts_with(b"xml") && b.get(3).is_none_or(|&c| is_space(c)) {
            return Ok(Event::Decl(BytesDecl::from_start(
                BytesStart::from_content(content, 3),
            )));
        }
        Ok(Event::PI(BytesPI::new(content)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(text: &str) -> Result<Vec<String>, String> {
        let mut t = Tokens::new(text);
        let mut out = Vec::new();
        loop {
            let ev = t
                .next()
                .map_err(|e| format!("{} at {}", e.message, e.offset))?;
            let s = match ev {
                Event::Start(e) => {
                    format!("<{}>{}", lossy(e.name().into_inner()), t.attributes().len())
                }
                Event::Empty(e) => format!(
                    "<{}/>{}",
                    lossy(e.name().into_inner()),
                    t.attributes().len()
                ),
                Event::End(e) => format!("</{}>", lossy(e.name().into_inner())),
                Event::Text(e) => format!("text {:?}", lossy(&e)),
                Event::Comment(_) => "comment".into(),
                Event::CData(_) => "cdata".into(),
                Event::PI(_) => "pi".into(),
                Event::Decl(_) => "decl".into(),
                Event::DocType(_) => "doctype".into(),
                Event::GeneralRef(_) => "ref".into(),
                Event::Eof => break,
            };
            out.push(s);
        }
        Ok(out)
    }

    #[test]
    fn fhir_markup() {
        let doc = "\u{feff}<?xml version=\"1.0\"?>\n<!-- c --><P xmlns=\"u\">\n        <a value='x&amp;\"y'  id=\"1\" />\n  <?pi x?><b></b ></P>\n";
        assert_eq!(
            events(doc).unwrap(),
            ["decl", "comment", "<P>1", "<a/>2", "pi", "<b>0", "</b>", "</P>"]
        );
        assert_eq!(
            events("<a> x <![CDATA[y]]></a>").unwrap(),
            ["<a>0", "text \" x \"", "cdata", "</a>"]
        );
        // The reader refuses it: what follows is not tokenized.
        assert_eq!(
            events("<!doctype x>").unwrap().first().map(String::as_str),
            Some("doctype")
        );
        let long = format!("<a v=\"{}&lt;\"/>", "z".repeat(40));
        let mut t = Tokens::new(&long);
        assert!(matches!(t.next(), Ok(Event::Empty(_))));
        assert!(t
            .attributes()
            .first()
            .is_some_and(|a| a.refs && a.value.len() == 44));
    }

    #[test]
    fn general_content_splits_text_at_references() {
        let mut t = Tokens::new("<a>x &amp; y&#65;</a>");
        t.general_content(true);
        let mut kinds = Vec::new();
        while let Ok(ev) = t.next() {
            match ev {
                Event::Eof => break,
                Event::Text(x) => kinds.push(format!("text {:?}", lossy(&x))),
                Event::GeneralRef(r) => kinds.push(format!("ref {:?}", lossy(&r))),
                other => kinds.push(format!("{other:?}").chars().take(5).collect()),
            }
        }
        assert_eq!(
            kinds,
            [
                "Start",
                "text \"x \"",
                "ref \"amp\"",
                "text \" y\"",
                "ref \"#65\"",
                "End(B"
            ]
        );
        for bad in ["<a>&amp</a>", "<a>&a&b;</a>", "<a>&"] {
            let mut t = Tokens::new(bad);
            t.general_content(true);
            let e = std::iter::from_fn(|| Some(t.next())).find_map(|r| r.err());
            assert!(
                e.is_some_and(|e| e.message.contains("unclosed reference")),
                "{bad}"
            );
        }
    }

    #[test]
    fn malformed_markup() {
        for (bad, why) in [
            ("<a></b>", "expected `</a>`, but `</b>` was found"),
            ("</a>", "does not match any open tag"),
            ("<a", "not closed"),
            ("<a b='1'c='2'/>", "separated by white space"),
            ("<a b='1' b='2'/>", "attribute b repeats"),
            ("<a b='<'/>", "`<` is not allowed"),
            ("<a b/>", "expected `=` after b"),
            ("<a/ >", "expected `>` after `/`"),
            ("< a/>", "expected an element name"),
            ("<a\"/>", "in an element name"),
            ("<!-- x", "comment not closed"),
            ("<![CDATA[", "CDATA not closed"),
            ("<?pi", "processing instruction not closed"),
            ("<!x>", "unknown markup"),
            ("<a></a", "end tag not closed"),
        ] {
            let e = events(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
