//! Syntax checks for codes of systems that cannot be enumerated offline but
//! have a grammar: MIME types (`urn:ietf:bcp:13`, RFC 6838 with RFC 2045
//! parameters) and language tags (`urn:ietf:bcp:47`, RFC 5646). A code that
//! breaks the grammar is certainly not in the value set; one that follows it
//! is still only "not checked" (the registries are not here).

/// The grammar check of `system`, if it has one: `Some(valid)`.
pub(crate) fn check(system: &str, code: &str) -> Option<bool> {
    match system {
        MIME_TYPES => Some(mime_type(code)),
        LANGUAGE_TAGS => Some(language_tag(code)),
        _ => None,
    }
}

/// What a code of `system` is called in messages.
pub(crate) fn describe(system: &str) -> &'static str {
    match system {
        MIME_TYPES => "MIME type",
        LANGUAGE_TAGS => "language tag",
        _ => "code",
    }
}

const MIME_TYPES: &str = "urn:ietf:bcp:13";
const LANGUAGE_TAGS: &str = "urn:ietf:bcp:47";

/// `type/subtype` (RFC 6838 restricted names) followed by optional
/// `; attribute=value` parameters (RFC 2045: token or quoted string).
fn mime_type(s: &str) -> bool {
    let mut parts = s.split(';');
    let Some((ty, sub)) = parts.next().and_then(|t| t.trim_end().split_once('/')) else { return false };
    if !restricted_name(ty) || !restricted_name(sub) {
        return false;
    }
    parts.all(|p| match p.trim().split_once('=') {
        Some((attr, value)) => token(attr) && (token(value) || quoted(value)),
        None => false,
    })
}

fn restricted_name(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=127).contains(&b.len())
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter().all(|c| c.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(c))
}

fn token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&c))
}

fn quoted(s: &str) -> bool {
    s.len() >= 2 && s.starts_with('"') && s.ends_with('"')
}

/// RFC 5646 `Language-Tag`: a `langtag` (language, script, region,
/// variants, extensions, private use, in that order), a private-use tag, or
/// one of the grandfathered tags.
fn language_tag(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if GRANDFATHERED.contains(&lower.as_str()) {
        return true;
    }
    let subtags: Vec<&str> = lower.split('-').collect();
    if subtags.iter().any(|t| t.is_empty() || t.len() > 8 || !t.bytes().all(|c| c.is_ascii_alphanumeric())) {
        return false;
    }
    let mut rest = subtags.as_slice();
    if let Some((&"x", private)) = rest.split_first() {
        return !private.is_empty();
    }
    // language: 2-3 letters with up to three 3-letter extlangs, or 4-8 letters.
    let Some((lang, tail)) = rest.split_first() else { return false };
    if !(2..=8).contains(&lang.len()) || !alpha(lang) {
        return false;
    }
    rest = tail;
    if lang.len() <= 3 {
        let mut extlangs = 0;
        while let Some((t, tail)) = rest.split_first() {
            if extlangs == 3 || t.len() != 3 || !alpha(t) {
                break;
            }
            extlangs += 1;
            rest = tail;
        }
    }
    if let Some((t, tail)) = rest.split_first() {
        if t.len() == 4 && alpha(t) {
            rest = tail; // script
        }
    }
    if let Some((t, tail)) = rest.split_first() {
        if (t.len() == 2 && alpha(t)) || (t.len() == 3 && t.bytes().all(|c| c.is_ascii_digit())) {
            rest = tail; // region
        }
    }
    while let Some((t, tail)) = rest.split_first() {
        let variant = (5..=8).contains(&t.len()) || (t.len() == 4 && t.as_bytes().first().is_some_and(u8::is_ascii_digit));
        if !variant {
            break;
        }
        rest = tail;
    }
    // Extensions: a singleton (not x) and one or more 2-8 character subtags.
    while let Some((t, tail)) = rest.split_first() {
        if t.len() != 1 || *t == "x" {
            break;
        }
        let n = tail.iter().take_while(|s| s.len() >= 2).count();
        if n == 0 {
            return false;
        }
        rest = tail.get(n..).unwrap_or_default();
    }
    match rest.split_first() {
        None => true,
        Some((&"x", private)) => !private.is_empty(),
        Some(_) => false,
    }
}

fn alpha(s: &str) -> bool {
    s.bytes().all(|c| c.is_ascii_alphabetic())
}

/// RFC 5646's grandfathered tags (irregular and regular), lower-cased.
const GRANDFATHERED: &[&str] = &[
    "en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux", "i-mingo",
    "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr", "sgn-be-nl", "sgn-ch-de", "art-lojban",
    "cel-gaulish", "no-bok", "no-nyn", "zh-guoyu", "zh-hakka", "zh-min", "zh-min-nan", "zh-xiang",
];

#[cfg(test)]
mod tests {
    use super::{language_tag, mime_type};

    #[test]
    fn mime_types() {
        for ok in ["text/plain", "application/fhir+json", "text/plain; charset=UTF-8", "image/svg+xml", "application/vnd.ms-excel", "multipart/form-data; boundary=\"a b\""] {
            assert!(mime_type(ok), "{ok}");
        }
        for bad in ["", "text", "text/", "/plain", "text plain", "text/plain;", "text/plain; charset", "text/pl ain", "tëxt/plain"] {
            assert!(!mime_type(bad), "{bad}");
        }
    }

    #[test]
    fn language_tags() {
        for ok in ["en", "en-US", "de-CH-1901", "zh-Hant-TW", "sr-Latn-RS", "es-419", "en-GB-oed", "x-whatever", "en-a-bbb-x-a-ccc", "i-klingon", "zh-yue-HK", "sl-rozaj-biske"] {
            assert!(language_tag(ok), "{ok}");
        }
        for bad in ["", "e", "en_US", "en-", "-en", "en--US", "123", "en-a", "en-x", "de-419-DE", "en-US-a"] {
            assert!(!language_tag(bad), "{bad}");
        }
    }
}
