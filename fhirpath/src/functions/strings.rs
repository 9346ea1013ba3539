//! String functions, including the regular-expression ones (on the `regex`
//! crate, which has no backtracking, so hostile patterns cannot hang) and
//! `encode`/`decode`/`escape`/`unescape`.

use super::{one, opt, Call};
use crate::error::Error;
use crate::item::Item;
use crate::items::Items;
use crate::value::Value;

/// Largest compiled regex accepted, so a pattern cannot exhaust memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compiled patterns are kept (up to this many) across evaluations: an
/// invariant such as cnl-0 runs `matches()` with the same literal at every
/// instance, and compiling a regex costs far more than matching it.
const REGEX_CACHE_SIZE: usize = 256;

/// Shared, not cloned: a cloned `Regex` starts with empty matching caches.
/// One map per anchoring (`matches`, `matchesFull`), keyed by the pattern
/// alone, so a lookup borrows the pattern instead of building a key.
type RegexCache = [std::collections::HashMap<String, std::sync::Arc<regex::Regex>>; 2];

fn regex(pattern: &str, anchored: bool) -> Result<std::sync::Arc<regex::Regex>, Error> {
    static CACHE: std::sync::OnceLock<std::sync::Mutex<RegexCache>> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let which = usize::from(anchored);
    if let Ok(maps) = cache.lock() {
        if let Some(re) = maps.get(which).and_then(|m| m.get(pattern)) {
            return Ok(re.clone());
        }
    }
    let re = std::sync::Arc::new(compile_regex(pattern, anchored)?);
    if let Ok(mut maps) = cache.lock() {
        if let Some(map) = maps.get_mut(which) {
            if map.len() >= REGEX_CACHE_SIZE {
                map.clear();
            }
            map.insert(pattern.to_owned(), re.clone());
        }
    }
    Ok(re)
}

/// How many patterns each thread keeps in front of the shared cache.
const RECENT_SIZE: usize = 16;

thread_local! {
    /// This thread's latest patterns (anchoring, text, compiled), found by
    /// comparing the text: no lock and no hash per match, which the shared
    /// cache takes (invariants match a few patterns very often: eld-19,
    /// eld-20 on every ElementDefinition, sdf-19 on every type code).
    static RECENT: std::cell::RefCell<Vec<(bool, String, std::sync::Arc<regex::Regex>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// `text.matches(pattern)`, or `matchesFull` when `full`: whether the
/// pattern matches in the text (the whole text for `matchesFull`).
pub(crate) fn regex_matches(text: &str, pattern: &str, full: bool) -> Result<bool, Error> {
    let recent = RECENT.with(|r| {
        r.borrow()
            .iter()
            .find(|(a, p, _)| *a == full && p == pattern)
            .map(|(_, _, re)| re.is_match(text))
    });
    if let Some(found) = recent {
        return Ok(found);
    }
    let re = regex(pattern, full)?;
    let found = re.is_match(text);
    RECENT.with(|r| {
        let mut r = r.borrow_mut();
        if r.len() >= RECENT_SIZE {
            r.remove(0);
        }
        r.push((full, pattern.to_owned(), re));
    });
    Ok(found)
}

fn compile_regex(pattern: &str, anchored: bool) -> Result<regex::Regex, Error> {
    let p = if anchored {
        format!("^(?s:{pattern})$")
    } else {
        format!("(?s){pattern}")
    };
    regex::RegexBuilder::new(&p)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| Error::execution(format!("invalid regular expression: {e}")))
}

fn chars_index(s: &str, byte: usize) -> i64 {
    i64::try_from(s[..byte].chars().count()).unwrap_or(i64::MAX)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8], url: bool) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                let c = B64.get(((n >> (18 - 6 * k)) & 63) as usize).copied().unwrap_or(b'A');
                out.push(match (url, c) {
                    (true, b'+') => '-',
                    (true, b'/') => '_',
                    _ => char::from(c),
                });
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'-' => 62,
            b'_' => 63,
            c => u32::try_from(B64.iter().position(|x| *x == c)?).ok()?,
        };
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push(u8::try_from((bits >> n) & 0xff).ok()?);
        }
    }
    Some(out)
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn escape(s: &str, target: &str) -> Option<String> {
    let mut out = String::new();
    for c in s.chars() {
        match (target, c) {
            ("html", '<') => out.push_str("&lt;"),
            ("html", '>') => out.push_str("&gt;"),
            ("html", '&') => out.push_str("&amp;"),
            ("html", '"') => out.push_str("&quot;"),
            ("html", '\'') => out.push_str("&#39;"),
            ("json", '"') => out.push_str("\\\""),
            ("json", '\\') => out.push_str("\\\\"),
            ("json", '\n') => out.push_str("\\n"),
            ("json", '\r') => out.push_str("\\r"),
            ("json", '\t') => out.push_str("\\t"),
            ("html" | "json", c) => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

fn unescape(s: &str, target: &str) -> Option<String> {
    match target {
        "html" => Some(
            s.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&"),
        ),
        "json" => {
            let mut out = String::new();
            let mut it = s.chars();
            while let Some(c) = it.next() {
                if c != '\\' {
                    out.push(c);
                    continue;
                }
                match it.next()? {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    other => out.push(other),
                }
            }
            Some(out)
        }
        _ => None,
    }
}

pub(super) fn call<'a>(c: &mut Call<'_, '_, 'a>) -> Result<Option<Items<'a>>, Error> {
    let name = c.name;
    if !matches!(
        name,
        "indexOf"
            | "lastIndexOf"
            | "substring"
            | "startsWith"
            | "endsWith"
            | "contains"
            | "upper"
            | "lower"
            | "replace"
            | "matches"
            | "matchesFull"
            | "replaceMatches"
            | "length"
            | "toChars"
            | "encode"
            | "decode"
            | "escape"
            | "unescape"
            | "trim"
            | "split"
            | "join"
    ) {
        return Ok(None);
    }
    if name == "join" {
        let sep = if c.args.is_empty() {
            Some(String::new())
        } else {
            c.arg_string(0)?
        };
        let parts: Vec<String> = c
            .input
            .iter()
            .filter_map(Item::system_value)
            .map(|v| v.to_text())
            .collect();
        return one(Value::String(parts.join(&sep.unwrap_or_default()))).map(Some);
    }
    let Some(s) = c.input_string()? else {
        return Ok(Some(Items::new()));
    };
    let str_out = |v: Option<String>| opt(v.map(Value::String)).map(Some);
    let int_out = |v: i64| one(Value::Integer(v)).map(Some);
    let bool_out = |v: Option<bool>| opt(v.map(Value::Boolean)).map(Some);
    match name {
        "indexOf" | "lastIndexOf" => {
            let Some(sub) = c.arg_string(0)? else {
                return Ok(Some(Items::new()));
            };
            let found = if name == "indexOf" {
                s.find(&sub)
            } else {
                s.rfind(&sub)
            };
            int_out(found.map_or(-1, |b| chars_index(&s, b)))
        }
        "substring" => {
            let Some(start) = c.arg_integer(0)? else {
                return Ok(Some(Items::new()));
            };
            let len = if c.args.len() > 1 {
                c.arg_integer(1)?
            } else {
                None
            };
            let n = i64::try_from(s.chars().count()).unwrap_or(i64::MAX);
            if start < 0 || start >= n {
                return Ok(Some(Items::new()));
            }
            let take = usize::try_from(len.unwrap_or(n).max(0)).unwrap_or(usize::MAX);
            str_out(Some(
                s.chars()
                    .skip(usize::try_from(start).unwrap_or(0))
                    .take(take)
                    .collect(),
            ))
        }
        "startsWith" => {
            let sub = c.arg_string(0)?;
            bool_out(sub.map(|p| s.starts_with(&p)))
        }
        "endsWith" => {
            let sub = c.arg_string(0)?;
            bool_out(sub.map(|p| s.ends_with(&p)))
        }
        "contains" => {
            let sub = c.arg_string(0)?;
            bool_out(sub.map(|p| s.contains(&p)))
        }
        "upper" => str_out(Some(s.to_uppercase())),
        "lower" => str_out(Some(s.to_lowercase())),
        "replace" => {
            let (Some(from), Some(to)) = (c.arg_string(0)?, c.arg_string(1)?) else {
                return Ok(Some(Items::new()));
            };
            str_out(Some(s.replace(&from, &to)))
        }
        "matches" | "matchesFull" => {
            let Some(p) = c.arg_string(0)? else {
                return Ok(Some(Items::new()));
            };
            bool_out(Some(regex_matches(&s, &p, name == "matchesFull")?))
        }
        "replaceMatches" => {
            let (Some(p), Some(to)) = (c.arg_string(0)?, c.arg_string(1)?) else {
                return Ok(Some(Items::new()));
            };
            if p.is_empty() {
                return str_out(Some(s));
            }
            str_out(Some(
                regex(&p, false)?.replace_all(&s, to.as_str()).into_owned(),
            ))
        }
        "length" => int_out(i64::try_from(s.chars().count()).unwrap_or(i64::MAX)),
        "toChars" => Ok(Some(
            s.chars().map(|ch| Item::string(ch.to_string())).collect(),
        )),
        "trim" => str_out(Some(s.trim().to_owned())),
        "split" => {
            let Some(sep) = c.arg_string(0)? else {
                return Ok(Some(Items::new()));
            };
            Ok(Some(s.split(sep.as_str()).map(Item::string).collect()))
        }
        "encode" | "decode" => {
            let Some(fmt) = c.arg_string(0)? else {
                return Ok(Some(Items::new()));
            };
            let r = match (name, fmt.as_str()) {
                ("encode", "base64") => Some(base64_encode(s.as_bytes(), false)),
                ("encode", "urlbase64") => Some(base64_encode(s.as_bytes(), true)),
                ("encode", "hex") => Some(s.bytes().map(|b| format!("{b:02x}")).collect()),
                ("decode", "base64" | "urlbase64") => {
                    base64_decode(&s).and_then(|b| String::from_utf8(b).ok())
                }
                ("decode", "hex") => hex_decode(&s).and_then(|b| String::from_utf8(b).ok()),
                _ => None,
            };
            str_out(r)
        }
        "escape" | "unescape" => {
            let Some(fmt) = c.arg_string(0)? else {
                return Ok(Some(Items::new()));
            };
            str_out(if name == "escape" {
                escape(&s, &fmt)
            } else {
                unescape(&s, &fmt)
            })
        }
        _ => Ok(None),
    }
}
