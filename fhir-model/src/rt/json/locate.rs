//! Finds where an element path points in JSON text, for issues found after
//! reading (validation), which carry a path but no position.
//!
//! The path's segments are JSON property names and array indices
//! (`Patient.name[0].given[1]`; the first segment, the resource type, is the
//! document root). A primitive's `_name` object is found when `name` is not.

/// 1-based (line, column) of the value at `path`, or of the deepest part of
/// it that exists. To place many paths in one document, use a [`Locator`].
pub fn locate(text: &[u8], path: &str) -> Option<(usize, usize)> {
    Locator::new(text).locate(path)
}

/// Places paths in one JSON document, remembering what it has scanned:
/// where each line starts, and where the elements of each array it walked
/// are. A validator's many findings in a large Bundle then cost about one
/// pass over the text, not one pass each.
#[derive(Debug)]
pub struct Locator<'a> {
    text: &'a [u8],
    /// Offsets at which lines start, computed on first use.
    line_starts: Vec<usize>,
    /// Per array (offset of its `[`): offsets of the elements found so far.
    arrays: std::collections::HashMap<usize, Vec<usize>>,
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        Locator { text, line_starts: Vec::new(), arrays: std::collections::HashMap::new() }
    }

    /// As [`locate`].
    pub fn locate(&mut self, path: &str) -> Option<(usize, usize)> {
        let segs = parse_path(path);
        let mut s = Scanner { b: self.text, i: 0 };
        s.ws();
        let mut best = s.i;
        for seg in segs.iter().skip(1) {
            match seg {
                PathSeg::Key(k) => {
                    if s.peek() != Some(b'{') {
                        break;
                    }
                    match s.find_key(k) {
                        Some(pos) => {
                            best = pos;
                        }
                        None => break,
                    }
                }
                PathSeg::Index(n) => {
                    if s.peek() != Some(b'[') {
                        // A single value addressed as `[0]`: stay on it.
                        if *n == 0 {
                            continue;
                        }
                        break;
                    }
                    match self.find_index(&mut s, *n) {
                        Some(pos) => best = pos,
                        None => break,
                    }
                }
            }
        }
        Some(self.line_col(best))
    }

    /// At `[`: moves to element `n`, from the furthest element already known.
    fn find_index(&mut self, s: &mut Scanner<'a>, n: usize) -> Option<usize> {
        let known = self.arrays.entry(s.i).or_default();
        if let Some(&p) = known.get(n) {
            s.i = p;
            return Some(p);
        }
        match known.last() {
            Some(&last) => {
                s.i = last;
                s.skip_value()?;
                s.ws();
                if s.peek()? != b',' {
                    return None;
                }
                s.i += 1;
            }
            None => s.i += 1,
        }
        loop {
            s.ws();
            if s.peek()? == b']' {
                return None;
            }
            known.push(s.i);
            if known.len() > n {
                return Some(s.i);
            }
            s.skip_value()?;
            s.ws();
            if s.peek()? != b',' {
                return None;
            }
            s.i += 1;
        }
    }

    fn line_col(&mut self, offset: usize) -> (usize, usize) {
        if self.line_starts.is_empty() {
            self.line_starts.push(0);
            let newlines = self.text.iter().enumerate().filter(|(_, b)| **b == b'\n');
            self.line_starts.extend(newlines.map(|(i, _)| i + 1));
        }
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = line.checked_sub(1).and_then(|l| self.line_starts.get(l)).copied().unwrap_or(0);
        (line.max(1), chars(self.text.get(start..offset).unwrap_or_default()) + 1)
    }
}

/// Characters in UTF-8 text: the bytes that do not continue a character.
fn chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

enum PathSeg<'a> {
    Key(&'a str),
    Index(usize),
}

fn parse_path(path: &str) -> Vec<PathSeg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, rest) = match part.find('[') {
            Some(i) => (part.get(..i).unwrap_or(""), part.get(i..).unwrap_or("")),
            None => (part, ""),
        };
        if !name.is_empty() {
            out.push(PathSeg::Key(name));
        }
        for idx in rest.split('[').filter(|x| !x.is_empty()) {
            if let Ok(n) = idx.trim_end_matches(']').parse() {
                out.push(PathSeg::Index(n));
            }
        }
    }
    out
}

pub(crate) fn line_col(text: &[u8], offset: usize) -> (usize, usize) {
    let upto = text.get(..offset.min(text.len())).unwrap_or_default();
    let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = upto.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(upto.get(start..).unwrap_or_default()).chars().count() + 1;
    (line, col)
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }
    /// Reads a string starting at `"`; returns its raw content.
    fn string(&mut self) -> Option<&'a [u8]> {
        if self.peek() != Some(b'"') {
            return None;
        }
        self.i += 1;
        let start = self.i;
        loop {
            match self.peek()? {
                b'\\' => self.i += 2,
                b'"' => {
                    let b: &'a [u8] = self.b;
                    let s = b.get(start..self.i);
                    self.i += 1;
                    return s;
                }
                _ => self.i += 1,
            }
        }
    }
    /// Skips one value of any kind; iterative, so deep input cannot overflow.
    fn skip_value(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            self.ws();
            match self.peek()? {
                b'{' | b'[' => {
                    depth += 1;
                    self.i += 1;
                    continue;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    self.i += 1;
                }
                b'"' => {
                    self.string()?;
                }
                b',' | b':' => {
                    self.i += 1;
                    continue;
                }
                _ => {
                    while !matches!(self.peek(), None | Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')) {
                        self.i += 1;
                    }
                }
            }
            if depth == 0 {
                return Some(());
            }
        }
    }
    /// At `{`: moves to the value of `key` (or `_key`), returning the key's position.
    fn find_key(&mut self, key: &str) -> Option<usize> {
        let mut fallback: Option<usize> = None;
        self.i += 1;
        loop {
            self.ws();
            if self.peek()? == b'}' {
                let f = fallback?;
                self.i = f;
                self.string()?;
                self.ws();
                self.i += 1; // ':'
                self.ws();
                return Some(f);
            }
            let kpos = self.i;
            let k = self.string()?;
            self.ws();
            if self.peek()? != b':' {
                return None;
            }
            self.i += 1;
            self.ws();
            if k == key.as_bytes() {
                return Some(kpos);
            }
            if fallback.is_none() && k.first() == Some(&b'_') && k.get(1..) == Some(key.as_bytes()) {
                fallback = Some(kpos);
            }
            self.skip_value()?;
            self.ws();
            if self.peek() == Some(b',') {
                self.i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::locate;

    #[test]
    fn finds_nested_values() {
        let t = b"{\n  \"resourceType\": \"Patient\",\n  \"name\": [\n    {\"given\": [\"a\", \"b\"]},\n    {\"family\": \"x\", \"given\": [\"c\", {\"x\": [1,2]}]}\n  ]\n}";
        assert_eq!(locate(t, "Patient.name[1].given[1]"), Some((5, 36)));
        assert_eq!(locate(t, "Patient.name[0].given"), Some((4, 6)));
        assert_eq!(locate(t, "Patient"), Some((1, 1)));
        // Missing parts: the deepest existing part.
        assert_eq!(locate(t, "Patient.name[0].family"), Some((4, 5)));
    }

    #[test]
    fn a_locator_reuses_what_it_scanned() {
        let t = "{\"resourceType\":\"Bundle\",\"entry\":[{\"a\":1},\n{\"a\":2},{\"é\":[3,4]}]}";
        let mut l = super::Locator::new(t.as_bytes());
        assert_eq!(l.locate("Bundle.entry[2].é[1]"), Some((2, 17)));
        assert_eq!(l.locate("Bundle.entry[1]"), Some((2, 1)));
        assert_eq!(l.locate("Bundle.entry[0].a"), Some((1, 36)));
        assert_eq!(l.locate("Bundle.entry[2].é[0]"), Some((2, 15)));
        assert_eq!(l.locate("Bundle.entry[3]"), Some((1, 26)));
        for p in ["Bundle.entry[2].é[1]", "Bundle.entry[1]", "Bundle.entry[0].a", "Bundle.entry[3]"] {
            assert_eq!(l.locate(p), locate(t.as_bytes(), p), "{p}");
        }
    }

    #[test]
    fn falls_back_to_the_underscore_object() {
        let t = br#"{"resourceType":"Patient","_birthDate":{"extension":[]}}"#;
        assert_eq!(locate(t, "Patient.birthDate"), Some((1, 27)));
    }
}
