//! Masking JSON without breaking it: each string is masked as the text it stands for.
//!
//! A request body is JSON; a mask run over its bytes could match across a string's closing
//! quote (a regexp such as `pass=.*`) and leave a body the server refuses. Instead every
//! string (keys too) is decoded, masked as text (so the secret is found whichever way the
//! encoder escaped it), and written back re-encoded only when something was hidden, so
//! all other bytes stay as they were. Numbers are checked as well: a masked number becomes
//! the string `"***"`.

use std::borrow::Cow;

use serde_json::Value;

use super::{MASK, Masker};

impl Masker {
    /// `json` with every masked span of its strings and numbers hidden; `None` when nothing
    /// was hidden. Bytes that are not a JSON document are masked as they are.
    pub fn mask_json(&self, json: &[u8]) -> Option<Vec<u8>> {
        if self.is_empty() {
            return None;
        }
        // A secret's mask matches every way JSON can spell it (escaped or not), so when no
        // secret's mask matches the document, no string or number of it holds one; unless
        // colour codes are escaped in it (`\u001b`), which the mask allows between a
        // secret's characters only as they are.
        let escaped_colour = memchr::memmem::find(json, b"\\u001b").is_some()
            || memchr::memmem::find(json, b"\\u001B").is_some();
        if !escaped_colour
            && self
                .masks
                .iter()
                .all(|mask| !mask.is_regexp && mask.bytes.find(json).is_none())
        {
            return None;
        }
        if !scan(json, |_, _| {}) {
            return Some(self.mask_bytes(json).into_owned()).filter(|masked| masked != json);
        }
        // The document is copied only from its first masked token on: a big body that holds
        // no secret costs one read.
        let mut out: Option<Vec<u8>> = None;
        let mut copied = 0;
        let screened = self.screens(json);
        scan(json, |kind, range| {
            let bytes = &json[range.clone()];
            if screened && (kind == Token::Number || !bytes.contains(&b'\\')) {
                return;
            }
            let masked = match kind {
                Token::String => self.json_string(bytes),
                Token::Number => {
                    (!self.spans(bytes).is_empty()).then(|| format!("\"{MASK}\"").into_bytes())
                }
            };
            if let Some(masked) = masked {
                let out = out.get_or_insert_with(|| Vec::with_capacity(json.len()));
                out.extend_from_slice(&json[copied..range.start]);
                out.extend_from_slice(&masked);
                copied = range.end;
            }
        });
        out.map(|mut out| {
            out.extend_from_slice(&json[copied..]);
            out
        })
    }

    /// Masks every string of `value`, keys included, in place.
    pub fn mask_value(&self, value: &mut Value) {
        if self.is_empty() {
            return;
        }
        match value {
            Value::String(text) => {
                let masked = match self.mask(text) {
                    Cow::Owned(masked) => Some(masked),
                    Cow::Borrowed(_) => None,
                };
                if let Some(masked) = masked {
                    *text = masked;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.mask_value(item)),
            Value::Object(fields) => {
                let masked_keys = fields
                    .keys()
                    .any(|key| !self.spans(key.as_bytes()).is_empty());
                if masked_keys {
                    let entries = std::mem::take(fields);
                    for (key, item) in entries {
                        fields.insert(self.mask(&key).into_owned(), item);
                    }
                }
                fields.values_mut().for_each(|item| self.mask_value(item));
            }
            Value::Number(number) => {
                if !self.spans(number.to_string().as_bytes()).is_empty() {
                    *value = Value::String(MASK.to_owned());
                }
            }
            Value::Null | Value::Bool(_) => {}
        }
    }

    /// Whether no mask can match a number of `json` or a string without escapes, whose text
    /// is its bytes: a mask without anchors (which would match at a token's edges alone)
    /// that finds nothing in the whole document finds nothing in any part of it. Then only
    /// the strings with escapes need decoding, and a body without secrets is read once per
    /// mask instead of once per string.
    fn screens(&self, json: &[u8]) -> bool {
        self.masks
            .iter()
            .all(|mask| mask.screens_blocks && mask.bytes.find(json).is_none())
    }

    /// One string literal, quotes included, masked and re-encoded; `None` when unchanged.
    fn json_string(&self, literal: &[u8]) -> Option<Vec<u8>> {
        let inner = literal.get(1..literal.len().saturating_sub(1))?;
        // Without an escape the text is the bytes between the quotes: no need to decode.
        let decoded: Cow<'_, str> = match std::str::from_utf8(inner) {
            Ok(text) if !inner.contains(&b'\\') => Cow::Borrowed(text),
            _ => Cow::Owned(serde_json::from_slice::<String>(literal).ok()?),
        };
        match self.mask(&decoded) {
            Cow::Borrowed(_) => None,
            Cow::Owned(masked) => serde_json::to_vec(&masked).ok(),
        }
    }
}

/// What a piece of a JSON document is, for masking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// A string literal, quotes included.
    String,
    /// A number.
    Number,
}

/// Calls `found` with each string and number of `json`, in order, and says whether `json`
/// is JSON as far as masking cares (no unterminated string, no byte no document has).
fn scan(json: &[u8], mut found: impl FnMut(Token, std::ops::Range<usize>)) -> bool {
    let mut i = 0;
    while i < json.len() {
        let start = i;
        let kind = match json[i] {
            b'"' => {
                i += 1;
                loop {
                    match json.get(i) {
                        None => return false,
                        Some(b'\\') => i += 2,
                        Some(b'"') => break,
                        Some(_) => i += 1,
                    }
                }
                i += 1;
                Token::String
            }
            b'-' | b'0'..=b'9' => {
                while json
                    .get(i)
                    .is_some_and(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                {
                    i += 1;
                }
                Token::Number
            }
            b'{' | b'}' | b'[' | b']' | b':' | b',' | b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b't' | b'f' | b'n' => {
                while json.get(i).is_some_and(u8::is_ascii_lowercase) {
                    i += 1;
                }
                continue;
            }
            _ => return false,
        };
        found(kind, start..i);
    }
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::{Value, json};

    use crate::mask::Masker;

    fn masker() -> Masker {
        Masker::empty()
            .with_literal("env:DB_PASS", r#"Pa"ss\w0rd&<db>"#)
            .with_literal("env:ACCOUNT", "123456789012")
    }

    #[test]
    fn a_secret_split_by_escaped_colour_codes_is_still_found() {
        let body = r#"{"text":"pw 123456\u001b[0m789012 end","other":"plain"}"#;
        let out = masker().mask_json(body.as_bytes()).expect("masked");
        let text: Value = serde_json::from_slice(&out).unwrap();
        assert!(!text["text"].as_str().unwrap().contains("789012"), "{text}");
        assert_eq!(
            masker().mask_json(br#"{"a":"nothing secret","n":42}"#),
            None
        );
    }

    #[track_caller]
    fn masked(json: &str) -> String {
        let out = masker()
            .mask_json(json.as_bytes())
            .expect("something masked");
        let text = String::from_utf8(out).unwrap();
        serde_json::from_str::<Value>(&text).expect("still JSON");
        text
    }

    #[test]
    fn strings_are_masked_in_place_and_the_rest_is_kept_byte_for_byte() {
        let body = json!({"z": 1, "text": "pw: Pa\"ss\\w0rd&<db>!", "a": [true, null]});
        let bytes = serde_json::to_string(&body).unwrap();
        assert_eq!(
            masked(&bytes),
            r#"{"a":[true,null],"text":"pw: ***!","z":1}"#
        );
        // Whitespace and key order as they were.
        assert_eq!(
            masked("{ \"b\" : \"Pa\\\"ss\\\\w0rd&<db>\",\n  \"a\":2 }"),
            "{ \"b\" : \"***\",\n  \"a\":2 }"
        );
        assert_eq!(masker().mask_json(br#"{"clean":"text"}"#), None);
    }

    #[test]
    fn escaped_spellings_keys_and_numbers() {
        assert_eq!(
            masked(r#"{"x":"Pa\"ss\\w0rd\u0026\u003cdb\u003e"}"#),
            r#"{"x":"***"}"#
        );
        assert_eq!(
            masked(r#"{"Pa\"ss\\w0rd&<db>":1}"#),
            r#"{"***":1}"#,
            "a key"
        );
        assert_eq!(masked(r#"{"id":123456789012}"#), r#"{"id":"***"}"#);
        // The quoted form inside a string: a comment quoting `terraform plan -json`.
        assert_eq!(
            masked(r#"["is \"Pa\\\"ss\\\\w0rd\u0026\u003cdb\u003e\""]"#),
            r#"["is \"***\""]"#
        );
    }

    #[test]
    fn a_regexp_never_eats_the_structure() {
        let m = Masker::parse("TFNOTIFY_MASKS", "regexp:pass=.*", ",", &|_| None).unwrap();
        let out = m
            .mask_json(br#"{"text":"pass=hunter2","next":"kept"}"#)
            .unwrap();
        assert_eq!(out, br#"{"text":"***","next":"kept"}"#);
    }

    #[test]
    fn not_json_is_masked_as_bytes() {
        let out = masker()
            .mask_json(b"body=Pa\"ss\\w0rd&<db> \"open")
            .unwrap();
        assert_eq!(out, b"body=*** \"open");
    }

    #[test]
    fn values_are_masked_in_place() {
        let mut value = json!({
            "Vars": {"target": "prod-Pa\"ss\\w0rd&<db>"},
            "Pa\"ss\\w0rd&<db>": [123_456_789_012_u64, "ok"],
        });
        masker().mask_value(&mut value);
        assert_eq!(
            value,
            json!({"Vars": {"target": "prod-***"}, "***": ["***", "ok"]})
        );
    }
}
