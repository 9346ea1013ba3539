//! Finds where an element path points in JSON text, for issues found after
//! reading (validation), which carry a path but no position.
//!
//! The path's segments are JSON property names and array indices
//! (`Patient.name[0].given[1]`; the first segment, the resource type, is the
//! document root). A primitive's `_name` object is found when `name` is not.

/// 1-based (line, column) of the value at `path`, or of the deepest part of
/// it that exists.
pub fn locate(text: &[u8], path: &str) -> Option<(usize, usize)> {
    let segs = parse_path(path);
    let mut s = Scanner { b: text, i: 0 };
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
                match s.find_index(*n) {
                    Some(pos) => best = pos,
                    None => break,
                }
            }
        }
    }
    Some(line_col(text, best))
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
    /// At `[`: moves to element `n`, returning its position.
    fn find_index(&mut self, n: usize) -> Option<usize> {
        self.i += 1;
        for _ in 0..n {
            self.ws();
            self.skip_value()?;
            self.ws();
            if self.peek()? != b',' {
                return None;
            }
            self.i += 1;
        }
        self.ws();
        Some(self.i)
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
    fn falls_back_to_the_underscore_object() {
        let t = br#"{"resourceType":"Patient","_birthDate":{"extension":[]}}"#;
        assert_eq!(locate(t, "Patient.birthDate"), Some((1, 27)));
    }
}
