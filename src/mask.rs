//! Masks: secrets kept out of the pass-through, of logs and of posted messages.
//!
//! Users list what must never be shown in `TFNOTIFY_MASKS` (or tfcmt's `TFCMT_MASKS`, so
//! existing pipelines keep working): `env:NAME` hides the value of the env var `NAME`, and
//! `regexp:RE` hides every match of `RE`. Hidden text becomes `***`.
//!
//! Two consumers exist and both live here so they cannot drift apart:
//! [`Masker::mask`] for whole texts (comment bodies, request bodies, error messages) and
//! [`LineMasker`] for the live pass-through, which sees arbitrary chunks. tfcmt masks each
//! `Write` call on its own, so a secret split across two reads of the pipe reaches the CI
//! log; [`LineMasker`] masks whole lines instead, so the chunking never matters.
//!
//! This module reads no env itself: the lookup is injected, which keeps tests hermetic.
//! It depends only on std and external crates.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};

/// What replaces masked text, the same marker tfcmt uses.
pub const MASK: &str = "***";

/// How long a line may grow without a newline before [`LineMasker`] emits it anyway.
///
/// Holding back an unfinished line is what makes split secrets safe, but a stream without
/// newlines (a progress bar, a binary blob) must not be held in memory forever. Past this
/// bound the held bytes are masked and written as they are; a secret straddling that cut
/// can then escape, which is the price of bounded memory.
pub const MAX_PENDING_LINE: usize = 1 << 20;

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

/// Streams bytes to `W`, masking every complete line as soon as its newline arrives.
///
/// Only the unfinished last line is held back, so a secret split across two writes is still
/// masked, and output order is unchanged. Lines are masked one at a time (each with its
/// `\n`), so the result never depends on how the input was chunked; the flip side is that a
/// regexp spanning a newline is not matched here (it is by [`Masker::mask`]).
///
/// When the [`Masker`] is empty, every write goes straight to `W`: no copy, no delay.
/// Call [`LineMasker::finish`] at end of input; dropping the value also writes the held
/// line (errors are then ignored, as `BufWriter` does).
pub struct LineMasker<W: Write> {
    masker: Masker,
    inner: W,
    pending: Vec<u8>,
    out: Vec<u8>,
}

/// One parsed mask: where it came from (for `Debug`) and its compiled forms.
#[derive(Clone)]
struct Mask {
    /// `env:NAME` or `regexp:RE`; never the secret value.
    origin: String,
    text: regex::Regex,
    bytes: regex::bytes::Regex,
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
        let spans = merge(
            self.masks
                .iter()
                .flat_map(|mask| mask.text.find_iter(text).map(|m| (m.start(), m.end()))),
        );
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut masked = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end) in spans {
            masked.push_str(&text[at..start]);
            masked.push_str(MASK);
            at = end;
        }
        masked.push_str(&text[at..]);
        Cow::Owned(masked)
    }

    /// [`Masker::mask`] for bytes that need not be UTF-8: everything outside the masked
    /// spans is kept byte for byte.
    pub fn mask_bytes<'a>(&self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        let spans = self.byte_spans(bytes);
        if spans.is_empty() {
            return Cow::Borrowed(bytes);
        }
        let mut masked = Vec::with_capacity(bytes.len());
        write_masked(&mut masked, bytes, &spans);
        Cow::Owned(masked)
    }

    fn byte_spans(&self, bytes: &[u8]) -> Vec<(usize, usize)> {
        merge(
            self.masks
                .iter()
                .flat_map(|mask| mask.bytes.find_iter(bytes).map(|m| (m.start(), m.end()))),
        )
    }

    /// Appends `bytes` to `out` with masked spans replaced.
    fn mask_into(&self, out: &mut Vec<u8>, bytes: &[u8]) {
        let spans = self.byte_spans(bytes);
        write_masked(out, bytes, &spans);
    }

    fn push_literal(&mut self, origin: String, secret: &str) {
        let pattern = regex::escape(secret);
        let mask = Mask::regexp(origin, &pattern)
            .expect("an escaped literal is always a valid regular expression");
        self.masks.push(mask);
    }
}

impl fmt::Debug for Masker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.masks.iter().map(|mask| &mask.origin))
            .finish()
    }
}

impl<W: Write> LineMasker<W> {
    /// Wraps `inner`; bytes written to the result reach `inner` masked.
    pub fn new(masker: Masker, inner: W) -> LineMasker<W> {
        LineMasker {
            masker,
            inner,
            pending: Vec::new(),
            out: Vec::new(),
        }
    }

    /// Writes the held, unfinished line now (masked as it is) and flushes `inner`.
    ///
    /// For a caller that knows the source is idle, for example after Terraform printed an
    /// interactive prompt such as `Enter a value: ` that ends without a newline.
    pub fn flush_partial(&mut self) -> io::Result<()> {
        self.emit_pending()?;
        self.inner.flush()
    }

    /// Ends the stream: writes the held line and flushes `inner`. Calling it twice is fine.
    pub fn finish(&mut self) -> io::Result<()> {
        self.flush_partial()
    }

    /// The wrapped writer, to inspect what was written.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// The wrapped writer, mutably (writing to it directly bypasses masking).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    fn emit_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.out.clear();
        self.masker.mask_into(&mut self.out, &self.pending);
        self.pending.clear();
        self.inner.write_all(&self.out)
    }
}

impl<W: Write> Write for LineMasker<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.masker.is_empty() && self.pending.is_empty() {
            // Fast path: nothing to hide, so nothing is copied or held back.
            return self.inner.write(buf);
        }
        let Some(last_newline) = memchr::memrchr(b'\n', buf) else {
            self.pending.extend_from_slice(buf);
            if self.pending.len() > MAX_PENDING_LINE {
                self.emit_pending()?;
            }
            return Ok(buf.len());
        };
        let (complete, rest) = buf.split_at(last_newline + 1);
        self.out.clear();
        let mut lines = complete;
        if !self.pending.is_empty() {
            // The held line ends in this chunk: join it before masking.
            let first_end = memchr::memchr(b'\n', lines).map_or(lines.len(), |at| at + 1);
            self.pending.extend_from_slice(&lines[..first_end]);
            self.masker.mask_into(&mut self.out, &self.pending);
            self.pending.clear();
            lines = &lines[first_end..];
        }
        while !lines.is_empty() {
            let end = memchr::memchr(b'\n', lines).map_or(lines.len(), |at| at + 1);
            self.masker.mask_into(&mut self.out, &lines[..end]);
            lines = &lines[end..];
        }
        self.inner.write_all(&self.out)?;
        self.pending.extend_from_slice(rest);
        if self.pending.len() > MAX_PENDING_LINE {
            self.emit_pending()?;
        }
        Ok(buf.len())
    }

    /// Flushes `inner` only: the unfinished line stays held, because emitting it early is
    /// exactly what would let a split secret through. See [`LineMasker::flush_partial`].
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Drop for LineMasker<W> {
    fn drop(&mut self) {
        // Best effort, like `BufWriter`: losing the last line silently would be worse.
        let _ = self.emit_pending();
    }
}

impl<W: Write> fmt::Debug for LineMasker<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LineMasker")
            .field("masker", &self.masker)
            .field("pending_bytes", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl Mask {
    /// Compiles `pattern` for text and for bytes; the error is the compiler's message on
    /// one line.
    fn regexp(origin: String, pattern: &str) -> Result<Mask, String> {
        let text = regex::Regex::new(pattern).map_err(|error| one_line(&error))?;
        let bytes = regex::bytes::Regex::new(pattern).map_err(|error| one_line(&error))?;
        Ok(Mask {
            origin,
            text,
            bytes,
        })
    }
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
fn merge(spans: impl Iterator<Item = (usize, usize)>) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = spans.filter(|(start, end)| start < end).collect();
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

    /// Writes `chunks` through a [`LineMasker`] and returns everything that came out.
    fn stream(masker: &Masker, chunks: &[&[u8]]) -> Vec<u8> {
        let mut out = LineMasker::new(masker.clone(), Vec::new());
        for chunk in chunks {
            out.write_all(chunk).unwrap();
        }
        out.finish().unwrap();
        out.get_ref().clone()
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
        assert_eq!(
            &*stream(&m, &[b"\xff\xfesec", b"ret\x80\n\xc0"]),
            b"\xff\xfe***\x80\n\xc0"
        );
    }

    #[test]
    fn secret_split_at_every_boundary_is_masked() {
        let m = masker("env:T,regexp:pw=[a-z]+", &[("T", "tok-XYZ-987")]);
        let input: &[u8] = b"start\nuse tok-XYZ-987 now\r\npw=hunter \xff tok-XYZ-987";
        let expected: &[u8] = b"start\nuse *** now\r\n*** \xff ***";
        assert_eq!(stream(&m, &[input]), expected);
        for split in 0..=input.len() {
            let (a, b) = input.split_at(split);
            assert_eq!(stream(&m, &[a, b]), expected, "split at {split}");
        }
        // Every pair of split points: three chunks, including empty ones.
        for first in 0..=input.len() {
            for second in first..=input.len() {
                let chunks = [&input[..first], &input[first..second], &input[second..]];
                assert_eq!(stream(&m, &chunks), expected, "splits {first}, {second}");
            }
        }
        // One byte at a time.
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(stream(&m, &bytes), expected);
    }

    #[test]
    fn complete_lines_are_emitted_at_once_and_the_tail_is_held() {
        let m = masker("env:T", &[("T", "secret")]);
        let mut out = LineMasker::new(m, Vec::new());
        out.write_all(b"a secret\nb sec").unwrap();
        assert_eq!(out.get_ref(), b"a ***\n");
        out.flush().unwrap();
        assert_eq!(
            out.get_ref(),
            b"a ***\n",
            "flush must not release a partial line"
        );
        out.write_all(b"ret\n").unwrap();
        assert_eq!(out.get_ref(), b"a ***\nb ***\n");
        out.write_all(b"Enter a value: ").unwrap();
        out.flush_partial().unwrap();
        assert_eq!(out.get_ref(), b"a ***\nb ***\nEnter a value: ");
    }

    #[test]
    fn crlf_lines() {
        let m = masker("regexp:pw=.*", &[]);
        // `.` does not match `\n` but does match `\r`, as in Go's regexp.
        assert_eq!(
            stream(&m, &[b"pw=abc\r", b"\nok\r\n"]),
            b"***\nok\r\n".to_vec()
        );
        let m = masker("env:S", &[("S", "abc")]);
        assert_eq!(stream(&m, &[b"x ab", b"c\r", b"\n"]), b"x ***\r\n".to_vec());
    }

    #[test]
    fn long_line_without_newline_is_flushed_after_the_bound() {
        let m = masker("env:S", &[("S", "secret")]);
        let mut out = LineMasker::new(m, Vec::new());
        let mut line = vec![b'x'; MAX_PENDING_LINE - 10];
        line.extend_from_slice(b"secret");
        out.write_all(&line).unwrap();
        assert!(out.get_ref().is_empty(), "still within the bound");
        out.write_all(&[b'y'; 10]).unwrap();
        let emitted = out.get_ref().len();
        assert_eq!(emitted, MAX_PENDING_LINE - 10 + MASK.len() + 10);
        assert!(out.get_ref().ends_with(b"x***yyyyyyyyyy"));
        out.write_all(b"tail\n").unwrap();
        out.finish().unwrap();
        assert!(out.get_ref().ends_with(b"yyyyyyyyyytail\n"));
    }

    #[test]
    fn empty_masker_passes_chunks_straight_through() {
        let mut out = LineMasker::new(Masker::empty(), Vec::new());
        out.write_all(b"no newline yet").unwrap();
        assert_eq!(out.get_ref(), b"no newline yet", "no delay without masks");
        out.write_all(b"\xff\n").unwrap();
        assert_eq!(out.get_ref(), b"no newline yet\xff\n");
    }

    #[test]
    fn drop_writes_the_held_line() {
        let m = masker("env:S", &[("S", "secret")]);
        let mut sink = Vec::new();
        {
            let mut out = LineMasker::new(m, &mut sink);
            out.write_all(b"last secret").unwrap();
        }
        assert_eq!(sink, b"last ***");
    }

    #[test]
    fn whole_text_masking_spans_lines_but_streaming_does_not() {
        let m = masker("regexp:BEGIN\\s+KEY", &[]);
        assert_eq!(m.mask("BEGIN\nKEY"), "***");
        assert_eq!(stream(&m, &[b"BEGIN\nKEY"]), b"BEGIN\nKEY".to_vec());
    }
}
