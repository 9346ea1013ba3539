//! Tokenizer: turns expression text into tokens, dropping whitespace and
//! comments. Literal text (numbers, dates) is kept as written; the parser
//! decides what it means.

use crate::error::Error;

/// One token with its byte offset (for error messages).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub kind: Tok,
    pub pos: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// A plain identifier or keyword (`name`, `and`, `true`).
    Ident(String),
    /// A backtick-delimited identifier: never a keyword.
    Delimited(String),
    /// A string literal, escapes resolved.
    Str(String),
    /// An integer or decimal number as written (`12`, `1.50`).
    Number(String),
    /// A long integer literal (`12L`), digits only.
    Long(String),
    /// `@...` date, date-time or time literal, text after the `@`.
    DateTime(String),
    /// `%name`, `%`name`` or `%'name'`.
    Var(String),
    /// `$this`, `$index`, `$total`.
    Special(String),
    /// An operator or punctuation.
    Op(&'static str),
    Eof,
}

const OPS: &[&str] = &[
    "<=", ">=", "!=", "!~", "(", ")", "[", "]", "{", "}", ".", ",", "+", "-", "*", "/", "&", "|",
    "=", "~", "<", ">",
];

/// Splits `src` into tokens.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, Error> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let pos = |i: usize| chars.get(i).map_or(src.len(), |&(p, _)| p);
    while let Some(c) = at(i) {
        let start = pos(i);
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '/' && at(i + 1) == Some('/') {
            while let Some(c) = at(i) {
                if c == '\n' {
                    break;
                }
                i += 1;
            }
            continue;
        }
        if c == '/' && at(i + 1) == Some('*') {
            i += 2;
            loop {
                match at(i) {
                    None => return Err(Error::syntax(format!("unterminated comment at {start}"))),
                    Some('*') if at(i + 1) == Some('/') => {
                        i += 2;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
            continue;
        }
        let kind = if c.is_ascii_alphabetic() || c == '_' {
            let mut s = String::new();
            while let Some(c) = at(i).filter(|c| c.is_ascii_alphanumeric() || *c == '_') {
                s.push(c);
                i += 1;
            }
            Tok::Ident(s)
        } else if c.is_ascii_digit() {
            let mut s = String::new();
            while let Some(c) = at(i).filter(char::is_ascii_digit) {
                s.push(c);
                i += 1;
            }
            if at(i) == Some('.') && at(i + 1).is_some_and(|c| c.is_ascii_digit()) {
                s.push('.');
                i += 1;
                while let Some(c) = at(i).filter(char::is_ascii_digit) {
                    s.push(c);
                    i += 1;
                }
                Tok::Number(s)
            } else if at(i) == Some('L') && !at(i + 1).is_some_and(|c| c.is_ascii_alphanumeric()) {
                i += 1;
                Tok::Long(s)
            } else {
                Tok::Number(s)
            }
        } else if c == '\'' || c == '`' {
            let (s, next) = quoted(&chars, i, c)?;
            i = next;
            if c == '\'' {
                Tok::Str(s)
            } else {
                Tok::Delimited(s)
            }
        } else if c == '@' {
            i += 1;
            let mut s = String::new();
            while let Some(c) = at(i)
                .filter(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | '.' | 'T' | 'Z' | '+'))
            {
                // A '+'/'-' only continues the literal as a time-zone offset
                // or date separator, never as a following operator with spaces.
                if (c == '+' || c == '-') && !at(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                    break;
                }
                // A '.' followed by a letter is an invocation (`@2014.is(...)`).
                if c == '.' && !at(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                    break;
                }
                s.push(c);
                i += 1;
            }
            if s.is_empty() {
                return Err(Error::syntax(format!(
                    "'@' without a date or time at {start}"
                )));
            }
            Tok::DateTime(s)
        } else if c == '%' {
            i += 1;
            match at(i) {
                Some(q @ ('`' | '\'')) => {
                    let (s, next) = quoted(&chars, i, q)?;
                    i = next;
                    Tok::Var(s)
                }
                Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                    let mut s = String::new();
                    while let Some(c) =
                        at(i).filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    {
                        s.push(c);
                        i += 1;
                    }
                    Tok::Var(s)
                }
                _ => return Err(Error::syntax(format!("'%' without a name at {start}"))),
            }
        } else if c == '$' {
            i += 1;
            let mut s = String::new();
            while let Some(c) = at(i).filter(|c| c.is_ascii_alphanumeric()) {
                s.push(c);
                i += 1;
            }
            match s.as_str() {
                "this" | "index" | "total" => Tok::Special(s),
                _ => {
                    return Err(Error::syntax(format!(
                        "unknown special variable ${s} at {start}"
                    )))
                }
            }
        } else {
            let rest = &src[start..];
            let Some(op) = OPS.iter().find(|op| rest.starts_with(**op)) else {
                return Err(Error::syntax(format!(
                    "unexpected character {c:?} at {start}"
                )));
            };
            i += op.chars().count();
            Tok::Op(op)
        };
        out.push(Token { kind, pos: start });
    }
    out.push(Token {
        kind: Tok::Eof,
        pos: src.len(),
    });
    Ok(out)
}

/// Reads a quoted string starting at the opening `quote`, resolving the
/// FHIRPath escapes; returns the text and the index after the closing quote.
fn quoted(chars: &[(usize, char)], open: usize, quote: char) -> Result<(String, usize), Error> {
    let mut s = String::new();
    let mut i = open + 1;
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    loop {
        match at(i) {
            None => return Err(Error::syntax(format!("unterminated {quote} literal"))),
            Some(c) if c == quote => return Ok((s, i + 1)),
            Some('\\') => {
                let e = at(i + 1).ok_or_else(|| Error::syntax("unterminated escape"))?;
                i += 2;
                match e {
                    't' => s.push('\t'),
                    'n' => s.push('\n'),
                    'r' => s.push('\r'),
                    'f' => s.push('\u{c}'),
                    'u' => {
                        let hex: String = (0..4).filter_map(|k| at(i + k)).collect();
                        let code = u32::from_str_radix(&hex, 16)
                            .ok()
                            .filter(|_| hex.len() == 4)
                            .and_then(char::from_u32)
                            .ok_or_else(|| {
                                Error::syntax(format!("invalid unicode escape \\u{hex}"))
                            })?;
                        s.push(code);
                        i += 4;
                    }
                    '\\' | '/' | '\'' | '"' | '`' => s.push(e),
                    other => return Err(Error::syntax(format!("invalid escape \\{other}"))),
                }
            }
            Some(c) => {
                s.push(c);
                i += 1;
            }
        }
    }
}
