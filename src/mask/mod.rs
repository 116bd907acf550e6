//! Masks: secrets kept out of the pass-through, of logs and of everything sent anywhere.
//!
//! Users list what must never be shown in `TFNOTIFY_MASKS` (or tfcmt's `TFCMT_MASKS`, so
//! existing pipelines keep working): `env:NAME` hides the value of the env var `NAME`, and
//! `regexp:RE` hides every match of `RE`. Hidden text becomes `***`.
//!
//! A literal value (an `env:` entry, a token) is matched in every form it is printed in:
//! as it is, quoted by Terraform, JSON-escaped, percent-encoded, and split by colour codes
//! (the `forms` module lists them). A regexp stays a regexp: it is run on the text as it
//! is and, where the text has colour codes, on the text without them too.
//!
//! The consumers share this one implementation so they cannot drift apart:
//! [`Masker::mask`] for whole texts (messages, error messages), [`Masker::mask_json`] for
//! JSON documents (request bodies, template contexts), and [`LineMasker`] for the live
//! pass-through and local outputs, which see arbitrary chunks. tfcmt masks each `Write`
//! call on its own, so a secret split across two reads of the pipe reaches the CI log;
//! [`LineMasker`] masks whole lines instead, so the chunking never matters.
//!
//! This module reads no env itself: the lookup is injected, which keeps tests hermetic.
//! It depends only on std and external crates.

mod ansi;
mod forms;
mod json;
mod line;

use std::borrow::Cow;
use std::fmt;

pub use line::{LineMasker, MAX_PENDING_LINE};

/// What replaces masked text, the same marker tfcmt uses.
pub const MASK: &str = "***";

/// The env vars read by [`Masker::from_env`], in order: ours first, then tfcmt's.
const MASK_VARS: [(&str, &str); 2] = [
    ("TFNOTIFY_MASKS", "TFNOTIFY_MASKS_SEPARATOR"),
    ("TFCMT_MASKS", "TFCMT_MASKS_SEPARATOR"),
];

/// A set of masks, parsed once and applied to texts and streams.
///
/// Cloning is cheap (compiled regexes share their programs), so each consumer can own one.
/// `Debug` shows only where each mask came from (`env:NAME` or the regexp source), never the
/// secret values themselves.
#[derive(Clone, Default)]
pub struct Masker {
    masks: Vec<Mask>,
}

/// A mask entry that cannot be used; the whole mask list is rejected so that a typo never
/// silently leaves a secret visible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MaskError {
    /// tfcmt's format is `kind:value`; an entry without `:` (an empty entry from a trailing
    /// separator too) is rejected exactly as tfcmt rejects it.
    #[error("mask {index} in `{var}` (`{entry}`) is invalid: `:` is missing")]
    MissingColon {
        /// The env var the list came from, such as `TFNOTIFY_MASKS`.
        var: String,
        /// 1-based position of the entry in the list.
        index: usize,
        /// The entry as written.
        entry: String,
    },
    /// Only `env` and `regexp` exist.
    #[error("mask {index} in `{var}` (`{entry}`) has unknown kind `{kind}`: use `env` or `regexp`")]
    UnknownKind {
        /// The env var the list came from.
        var: String,
        /// 1-based position of the entry in the list.
        index: usize,
        /// The entry as written.
        entry: String,
        /// The text before the first `:`.
        kind: String,
    },
    /// The regexp does not compile (Rust `regex` syntax, which is close to Go's RE2).
    #[error("mask {index} in `{var}` (`{entry}`) is not a valid regular expression: {message}")]
    Regexp {
        /// The env var the list came from.
        var: String,
        /// 1-based position of the entry in the list.
        index: usize,
        /// The entry as written.
        entry: String,
        /// The regex compiler's message, on one line.
        message: String,
    },
}

/// One parsed mask: where it came from (for `Debug`) and its compiled form.
#[derive(Clone)]
struct Mask {
    /// `env:NAME` or `regexp:RE`; never the secret value.
    origin: String,
    bytes: regex::bytes::Regex,
    /// A user's regexp, which is also run on text without colour codes; a literal's pattern
    /// already allows them.
    is_regexp: bool,
    /// A match found in a block of lines starts on the line where a search of that line
    /// alone finds one: true unless the regexp has anchors, which match at line starts or
    /// ends only when each line is searched alone.
    screens_blocks: bool,
}

impl Masker {
    /// A masker that hides nothing; [`Masker::is_empty`] lets callers skip masking entirely.
    pub fn empty() -> Masker {
        Masker::default()
    }

    /// Reads `TFNOTIFY_MASKS` and `TFCMT_MASKS` through `lookup` and combines both lists.
    ///
    /// Each list is split by its own separator variable (`TFNOTIFY_MASKS_SEPARATOR`,
    /// `TFCMT_MASKS_SEPARATOR`), falling back to the other one, then to `,`, so a tfcmt
    /// setup works unchanged and a mixed one does what it says.
    pub fn from_env(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Masker, MaskError> {
        let get = |name: &str| lookup(name).filter(|value| !value.is_empty());
        let mut masker = Masker::empty();
        for (index, (var, separator_var)) in MASK_VARS.iter().enumerate() {
            let Some(spec) = get(var) else { continue };
            let (_, other_separator_var) = MASK_VARS[1 - index];
            let separator = get(separator_var)
                .or_else(|| get(other_separator_var))
                .unwrap_or_else(|| ",".to_owned());
            masker.extend(Masker::parse(var, &spec, &separator, lookup)?);
        }
        Ok(masker)
    }

    /// Parses one mask list the way tfcmt does; `var` names the list in errors.
    ///
    /// An empty `spec` means no masks. Entries are split on `separator` (`,` when empty) and
    /// are not trimmed. `env:NAME` whose variable is unset or empty is skipped, because
    /// masking the empty string would hide nothing. Anything else that does not parse is an
    /// error naming the entry.
    pub fn parse(
        var: &str,
        spec: &str,
        separator: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Masker, MaskError> {
        let mut masker = Masker::empty();
        if spec.is_empty() {
            return Ok(masker);
        }
        let separator = if separator.is_empty() { "," } else { separator };
        for (position, entry) in spec.split(separator).enumerate() {
            let index = position + 1;
            let Some((kind, value)) = entry.split_once(':') else {
                return Err(MaskError::MissingColon {
                    var: var.to_owned(),
                    index,
                    entry: entry.to_owned(),
                });
            };
            match kind {
                "env" => {
                    if let Some(secret) = lookup(value).filter(|secret| !secret.is_empty()) {
                        masker.push_literal(entry.to_owned(), &secret);
                    }
                }
                "regexp" => {
                    let mask = Mask::regexp(entry.to_owned(), value).map_err(|message| {
                        MaskError::Regexp {
                            var: var.to_owned(),
                            index,
                            entry: entry.to_owned(),
                            message,
                        }
                    })?;
                    masker.masks.push(mask);
                }
                _ => {
                    return Err(MaskError::UnknownKind {
                        var: var.to_owned(),
                        index,
                        entry: entry.to_owned(),
                        kind: kind.to_owned(),
                    });
                }
            }
        }
        Ok(masker)
    }

    /// Adds a literal secret known to the program (a token read from the env), so it is
    /// masked like the user's own entries. Empty values are ignored.
    #[must_use]
    pub fn with_literal(mut self, origin: &str, secret: &str) -> Masker {
        if !secret.is_empty() {
            self.push_literal(origin.to_owned(), secret);
        }
        self
    }

    /// Appends all masks of `other`, keeping their order.
    pub fn extend(&mut self, other: Masker) {
        self.masks.extend(other.masks);
    }

    /// True when nothing is masked; callers use it to skip masking with no copy at all.
    pub fn is_empty(&self) -> bool {
        self.masks.is_empty()
    }

    /// Replaces every masked span of `text` with `***`; borrows when nothing matched.
    ///
    /// The spans of all masks are found on the original text and overlapping ones are
    /// merged, so two overlapping secrets are hidden completely, and the order of the list
    /// does not matter. Empty matches are ignored: they hide nothing.
    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match self.mask_bytes(text.as_bytes()) {
            Cow::Borrowed(_) => Cow::Borrowed(text),
            // Spans end on character boundaries (masks that compile as text regexes match
            // only whole characters), so this is UTF-8; the lossy path is a safety net.
            Cow::Owned(bytes) => Cow::Owned(
                String::from_utf8(bytes)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            ),
        }
    }

    /// [`Masker::mask`] for bytes that need not be UTF-8: everything outside the masked
    /// spans is kept byte for byte.
    pub fn mask_bytes<'a>(&self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        let spans = self.spans(bytes);
        if spans.is_empty() {
            return Cow::Borrowed(bytes);
        }
        let mut masked = Vec::with_capacity(bytes.len());
        write_masked(&mut masked, bytes, &spans);
        Cow::Owned(masked)
    }

    /// The merged spans of `bytes` that masks hide, in order.
    pub fn spans(&self, bytes: &[u8]) -> Vec<(usize, usize)> {
        if self.masks.is_empty() {
            return Vec::new();
        }
        let mut spans: Vec<(usize, usize)> = self
            .masks
            .iter()
            .flat_map(|mask| mask.bytes.find_iter(bytes).map(|m| (m.start(), m.end())))
            .collect();
        if self.masks.iter().any(|mask| mask.is_regexp)
            && let Some(stripped) = ansi::Stripped::new(bytes)
        {
            for mask in self.masks.iter().filter(|mask| mask.is_regexp) {
                spans.extend(
                    mask.bytes
                        .find_iter(&stripped.text)
                        .filter(|m| !m.is_empty())
                        .map(|m| stripped.original(m.start(), m.end())),
                );
            }
        }
        merge(spans)
    }

    /// Appends `bytes` to `out` with masked spans replaced.
    fn mask_into(&self, out: &mut Vec<u8>, bytes: &[u8]) {
        let spans = self.spans(bytes);
        write_masked(out, bytes, &spans);
    }

    fn push_literal(&mut self, origin: String, secret: &str) {
        let bytes = regex::bytes::RegexBuilder::new(&forms::pattern(secret))
            .size_limit(1 << 26)
            .build()
            .expect("the forms of a literal are always a valid regular expression");
        self.masks.push(Mask {
            origin,
            bytes,
            is_regexp: false,
            screens_blocks: true,
        });
    }
}

impl fmt::Debug for Masker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.masks.iter().map(|mask| &mask.origin))
            .finish()
    }
}

impl Mask {
    /// Compiles a user's `pattern`; the error is the compiler's message on one line.
    ///
    /// It must compile as a text regex too, so that it only ever matches whole characters
    /// and masking a text keeps it valid UTF-8.
    fn regexp(origin: String, pattern: &str) -> Result<Mask, String> {
        regex::Regex::new(pattern).map_err(|error| one_line(&error))?;
        let bytes = regex::bytes::Regex::new(pattern).map_err(|error| one_line(&error))?;
        Ok(Mask {
            origin,
            bytes,
            is_regexp: true,
            screens_blocks: !has_anchors(pattern),
        })
    }
}

/// Whether `pattern` may use `^`, `$`, `\A` or `\z`, erring towards yes: only `[^` and
/// escaped characters are known not to be anchors.
fn has_anchors(pattern: &str) -> bool {
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if matches!(chars.next(), Some('A' | 'z')) {
                    return true;
                }
            }
            '[' if chars.peek() == Some(&'^') => {
                chars.next();
            }
            '^' | '$' => return true,
            _ => {}
        }
    }
    false
}

/// The `error: …` line of a regex error, which is the useful part of its multi-line,
/// caret-drawing `Display`.
fn one_line(error: &regex::Error) -> String {
    let full = error.to_string();
    full.lines()
        .find_map(|line| line.trim().strip_prefix("error: "))
        .map_or_else(
            || full.split_whitespace().collect::<Vec<_>>().join(" "),
            str::to_owned,
        )
}

/// Sorts spans and merges overlapping ones, dropping empty ones.
fn merge(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.retain(|(start, end)| start < end);
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

fn write_masked(out: &mut Vec<u8>, bytes: &[u8], spans: &[(usize, usize)]) {
    let mut at = 0;
    for &(start, end) in spans {
        out.extend_from_slice(&bytes[at..start]);
        out.extend_from_slice(MASK.as_bytes());
        at = end;
    }
    out.extend_from_slice(&bytes[at..]);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[track_caller]
    fn masker(spec: &str, vars: &[(&str, &str)]) -> Masker {
        let vars = env(vars);
        Masker::parse("TFNOTIFY_MASKS", spec, ",", &|name| vars.get(name).cloned()).unwrap()
    }

    #[track_caller]
    fn parse_error(spec: &str) -> String {
        Masker::parse("TFCMT_MASKS", spec, ",", &|_| None)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn env_and_regexp_masks() {
        let m = masker(
            "env:TOKEN,regexp:pass=\\w+",
            &[("TOKEN", "ghp_abc123"), ("OTHER", "x")],
        );
        assert_eq!(
            m.mask("token ghp_abc123 and pass=hunter2!"),
            "token *** and ***!"
        );
        assert_eq!(m.mask("nothing here"), Cow::Borrowed("nothing here"));
    }

    #[test]
    fn env_value_is_matched_literally() {
        let m = masker("env:S", &[("S", "a.b*c")]);
        assert_eq!(m.mask("a.b*c axbbc"), "*** axbbc");
    }

    #[test]
    fn env_value_is_matched_in_every_form_terraform_prints() {
        let m = masker("env:DB_PASS", &[("DB_PASS", r#"Pa"ss\w0rd&<db>${env}"#)]);
        let cases = [
            // The error message of a precondition, as it is.
            (
                r#"The database password Pa"ss\w0rd&<db>${env} is too long."#,
                "The database password *** is too long.",
            ),
            // A plan diff and a diagnostic's values: quoted.
            (
                r#"      + input  = "Pa\"ss\\w0rd&<db>${env}""#,
                r#"      + input  = "***""#,
            ),
            // `terraform show -json`: JSON-escaped by Go's encoder.
            (
                r#"{"input":"Pa\"ss\\w0rd\u0026\u003cdb\u003e${env}"}"#,
                r#"{"input":"***"}"#,
            ),
            // `terraform plan -json`: quoted, then JSON-escaped.
            (
                r#""statement":"is \"Pa\\\"ss\\\\w0rd\u0026\u003cdb\u003e${env}\"""#,
                r#""statement":"is \"***\"""#,
            ),
            // A label or target in a URL.
            (
                "/labels/prod%2FPa%22ss%5Cw0rd%26%3Cdb%3E%24%7Benv%7D?x=1",
                "/labels/prod%2F***?x=1",
            ),
            // Coloured output.
            (
                "\x1b[1mpw: Pa\"ss\\w0\x1b[0m\x1b[1mrd&<db>${env}\x1b[0m!",
                "\x1b[1mpw: ***\x1b[0m!",
            ),
        ];
        for (text, masked) in cases {
            assert_eq!(m.mask(text), masked, "{text}");
        }
    }

    #[test]
    fn regexps_also_see_text_without_colour_codes() {
        let m = masker("regexp:pw=[a-z]+", &[]);
        assert_eq!(
            m.mask("\x1b[1mpw=ab\x1b[0mcd\x1b[0m end"),
            "\x1b[1m***\x1b[0m end"
        );
        assert_eq!(m.mask("pw=abc"), "***");
        // The stripped text only adds spans: a match across an ESC that is no colour code
        // is still found as it is.
        assert_eq!(m.mask("\x1b[0mx pw=a"), "\x1b[0mx ***");
    }

    #[test]
    fn unset_or_empty_env_is_skipped() {
        let m = masker("env:MISSING,env:EMPTY", &[("EMPTY", "")]);
        assert!(m.is_empty());
    }

    #[test]
    fn empty_spec_has_no_masks() {
        assert!(masker("", &[]).is_empty());
        assert!(Masker::empty().is_empty());
        assert_eq!(Masker::empty().mask("abc"), Cow::Borrowed("abc"));
    }

    #[test]
    fn custom_separator() {
        let vars = env(&[("A", "one"), ("B", "two")]);
        let lookup = |name: &str| vars.get(name).cloned();
        let m = Masker::parse("TFCMT_MASKS", "env:A;regexp:t,o;env:B", ";", &lookup).unwrap();
        assert_eq!(m.mask("one t,o two"), "*** *** ***");
    }

    #[test]
    fn from_env_reads_both_lists_with_their_separators() {
        let vars = env(&[
            ("TFNOTIFY_MASKS", "env:A|env:B"),
            ("TFNOTIFY_MASKS_SEPARATOR", "|"),
            ("TFCMT_MASKS", "regexp:c+;env:D"),
            ("TFCMT_MASKS_SEPARATOR", ";"),
            ("A", "alpha"),
            ("B", "beta"),
            ("D", "delta"),
        ]);
        let m = Masker::from_env(&|name| vars.get(name).cloned()).unwrap();
        assert_eq!(m.mask("alpha beta ccc delta e"), "*** *** *** *** e");
        assert_eq!(
            format!("{m:?}"),
            r#"["env:A", "env:B", "regexp:c+", "env:D"]"#
        );
    }

    #[test]
    fn from_env_separator_falls_back_to_the_other_variable() {
        let vars = env(&[
            ("TFCMT_MASKS", "env:A;env:B"),
            ("TFNOTIFY_MASKS_SEPARATOR", ";"),
            ("A", "alpha"),
            ("B", "beta"),
        ]);
        let m = Masker::from_env(&|name| vars.get(name).cloned()).unwrap();
        assert_eq!(m.mask("alpha beta"), "*** ***");
        assert!(Masker::from_env(&|_| None).unwrap().is_empty());
    }

    #[test]
    fn errors_name_the_entry() {
        assert_eq!(
            parse_error("env:A,regexp:[a-"),
            "mask 2 in `TFCMT_MASKS` (`regexp:[a-`) is not a valid regular expression: \
             unclosed character class"
        );
        assert_eq!(
            parse_error("env:A,"),
            "mask 2 in `TFCMT_MASKS` (``) is invalid: `:` is missing"
        );
        assert_eq!(
            parse_error("secret:A"),
            "mask 1 in `TFCMT_MASKS` (`secret:A`) has unknown kind `secret`: use `env` or `regexp`"
        );
        // tfcmt does not trim entries, so a space before the kind is an unknown kind.
        assert!(parse_error("env:A, env:B").contains("unknown kind ` env`"));
        // A regexp that could match half a character would corrupt texts.
        assert!(parse_error(r"regexp:(?-u:\xFF)").contains("not a valid regular expression"));
    }

    #[test]
    fn debug_never_shows_secret_values() {
        let m = masker("env:TOKEN", &[("TOKEN", "s3cr3t")]).with_literal("github token", "tok");
        let debug = format!("{m:?}");
        assert_eq!(debug, r#"["env:TOKEN", "github token"]"#);
        let writer = LineMasker::new(m, Vec::new());
        assert!(!format!("{writer:?}").contains("s3cr3t"));
    }

    #[test]
    fn overlapping_matches_are_merged() {
        let m = masker("env:A,env:B", &[("A", "abc"), ("B", "bcd")]);
        // Applying the masks one after the other would leave `d` of the second secret.
        assert_eq!(m.mask("xabcdx"), "x***x");
        assert_eq!(m.mask("abc bcd"), "*** ***");
        let nested = masker("regexp:key-[0-9]+,env:K", &[("K", "key-12")]);
        assert_eq!(nested.mask("key-1234 key-12"), "*** ***");
        // Adjacent but not overlapping secrets stay two masks, as tfcmt would show them.
        assert_eq!(m.mask("abcbcd"), "******");
    }

    #[test]
    fn empty_matches_hide_nothing() {
        let m = masker("regexp:x*", &[]);
        assert_eq!(m.mask("abc"), Cow::Borrowed("abc"));
        assert_eq!(m.mask("axxb"), "a***b");
    }

    #[test]
    fn mask_bytes_keeps_invalid_utf8() {
        let m = masker("env:S", &[("S", "secret")]);
        let input = b"\xff\xfe secret \x00\xc3(\n";
        assert_eq!(&*m.mask_bytes(input), b"\xff\xfe *** \x00\xc3(\n");
    }

    #[test]
    fn anchors_are_found_conservatively() {
        for anchored in ["^a", "a$", r"\Aa", r"a\z", "(?m)^x", "[$]", r"\p{^Greek}"] {
            assert!(has_anchors(anchored), "{anchored}");
        }
        for free in ["a", "[^a]+", r"\^\$", r"token=[^\s]+", r"\bword\b", r"a\\b"] {
            assert!(!has_anchors(free), "{free}");
        }
    }
}
