//! Masking a stream line by line: the pass-through, and the files and terminal we write.
//!
//! The pass-through carries gigabytes, so lines are not searched one at a time: each mask
//! searches a whole block of complete lines, and only a line where some mask's match
//! starts is masked on its own. For literal values and for regexps without anchors that is
//! exactly what masking every line alone gives (a match inside a line is a match inside
//! the block, found no later); regexps also search the block without its colour codes.
//! A regexp with `^`, `$`, `\A` or `\z` is searched line by line.

use std::fmt;
use std::io::{self, Write};

use super::Masker;
use super::ansi::Stripped;

/// How long a line may grow without a newline before [`LineMasker`] emits it anyway.
///
/// Holding back an unfinished line is what makes split secrets safe, but a stream without
/// newlines (a progress bar, a binary blob) must not be held in memory forever. Past this
/// bound the held bytes are masked and written as they are; a secret straddling that cut
/// can then escape, which is the price of bounded memory.
pub const MAX_PENDING_LINE: usize = 1 << 20;

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

impl Masker {
    /// Appends `lines` (whole lines, the last one perhaps without its `\n`) to `out`, each
    /// line masked on its own.
    pub(super) fn mask_lines_into(&self, out: &mut Vec<u8>, lines: &[u8]) {
        if self.masks.iter().any(|mask| !mask.screens_blocks) {
            for line in lines.split_inclusive(|&b| b == b'\n') {
                self.mask_into(out, line);
            }
            return;
        }
        let mut screen = Screen::new(self, lines);
        let mut at = 0;
        while let Some(hit) = screen.next_hit(at) {
            let start = memchr::memrchr(b'\n', &lines[at..hit]).map_or(at, |i| at + i + 1);
            let end = memchr::memchr(b'\n', &lines[hit..]).map_or(lines.len(), |i| hit + i + 1);
            out.extend_from_slice(&lines[at..start]);
            self.mask_into(out, &lines[start..end]);
            at = end;
        }
        out.extend_from_slice(&lines[at..]);
    }
}

/// Finds, block-wide, the next place where some mask matches: in the block as it is, and
/// for regexps in the block without colour codes (stripping never joins two lines, so the
/// stripped block is the stripped lines one after the other).
struct Screen<'a> {
    masker: &'a Masker,
    lines: &'a [u8],
    stripped: Option<Stripped>,
    /// Per mask, where its first match at or after the last search starts.
    raw: Vec<Option<usize>>,
    /// Per mask, the same in the stripped block (regexps only).
    plain: Vec<Option<usize>>,
}

impl<'a> Screen<'a> {
    fn new(masker: &'a Masker, lines: &'a [u8]) -> Screen<'a> {
        let regexps = masker.masks.iter().any(|mask| mask.is_regexp);
        let stripped = if regexps { Stripped::new(lines) } else { None };
        let raw = masker
            .masks
            .iter()
            .map(|mask| mask.bytes.find(lines).map(|m| m.start()))
            .collect();
        let plain = masker
            .masks
            .iter()
            .map(|mask| match &stripped {
                Some(stripped) if mask.is_regexp => {
                    mask.bytes.find(&stripped.text).map(|m| m.start())
                }
                _ => None,
            })
            .collect();
        Screen {
            masker,
            lines,
            stripped,
            raw,
            plain,
        }
    }

    /// Where the first match starting at or after `at` (a line start) starts.
    fn next_hit(&mut self, at: usize) -> Option<usize> {
        let mut hit: Option<usize> = None;
        for (mask, next) in self.masker.masks.iter().zip(self.raw.iter_mut()) {
            if next.is_some_and(|start| start < at) {
                *next = mask.bytes.find_at(self.lines, at).map(|m| m.start());
            }
            hit = min(hit, *next);
        }
        if let Some(stripped) = &self.stripped {
            let from = stripped.index(at);
            for (mask, next) in self.masker.masks.iter().zip(self.plain.iter_mut()) {
                if next.is_some_and(|start| start < from) {
                    *next = mask.bytes.find_at(&stripped.text, from).map(|m| m.start());
                }
                hit = min(hit, next.map(|start| stripped.origin(start)));
            }
        }
        hit
    }
}

/// The smaller of two positions, either of which may be missing.
fn min(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
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
        self.masker.mask_lines_into(&mut self.out, lines);
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::io::Write;

    use super::{LineMasker, MAX_PENDING_LINE};
    use crate::mask::{MASK, Masker};

    #[track_caller]
    fn masker(spec: &str, vars: &[(&str, &str)]) -> Masker {
        let lookup = |name: &str| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        };
        Masker::parse("TFNOTIFY_MASKS", spec, ",", &lookup).unwrap()
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

    /// What masking each line alone gives: the meaning every chunking must keep.
    fn line_by_line(masker: &Masker, input: &[u8]) -> Vec<u8> {
        input
            .split_inclusive(|&b| b == b'\n')
            .flat_map(|line| masker.mask_bytes(line).into_owned())
            .collect()
    }

    /// A coloured plan excerpt with the secret raw, quoted, JSON-escaped, percent-encoded,
    /// split by colour codes and split by a newline (which no line masker can see).
    const SECRET: &str = r#"Pa"ss\w0rd&<db>"#;
    const INPUT: &[u8] = b"\x1b[1m  # terraform_data.db\x1b[0m will be created\n\
        \x1b[32m+\x1b[0m input = \"Pa\\\"ss\\\\w0rd&<db>\"\r\n\
        {\"value\":\"Pa\\\"ss\\\\w0rd\\u0026\\u003cdb\\u003e\"}\n\
        GET /labels/Pa%22ss%5Cw0rd%26%3Cdb%3E \xff\n\
        pass=Pa\"ss\\w0\x1b[0m\x1b[1mrd&<db>\x1b[0m and pw=hunter \x1b[1mpw=hun\x1b[0mter2\n\
        Pa\"ss\\w0\nrd&<db> stays split\n\
        no newline at the end: Pa\"ss\\w0rd&<db>";

    #[test]
    fn every_form_is_masked_and_colour_codes_outside_the_secret_stay() {
        let m = masker("env:S,regexp:pw=[a-z]+[0-9]?", &[("S", SECRET)]);
        let expected: &[u8] = b"\x1b[1m  # terraform_data.db\x1b[0m will be created\n\
        \x1b[32m+\x1b[0m input = \"***\"\r\n\
        {\"value\":\"***\"}\n\
        GET /labels/*** \xff\n\
        pass=***\x1b[0m and *** \x1b[1m***\n\
        Pa\"ss\\w0\nrd&<db> stays split\n\
        no newline at the end: ***";
        assert_eq!(
            String::from_utf8_lossy(&stream(&m, &[INPUT])),
            String::from_utf8_lossy(expected)
        );
    }

    #[test]
    fn chunks_of_every_size_give_what_masking_each_line_alone_gives() {
        let maskers = [
            masker("env:S", &[("S", SECRET)]),
            masker("env:S,regexp:pw=[a-z]+[0-9]?", &[("S", SECRET)]),
            // An anchored regexp: searched line by line.
            masker("env:S,regexp:^pass=\\S+", &[("S", SECRET)]),
            masker("env:S,env:T", &[("S", SECRET), ("T", "w0rd&")]),
        ];
        for m in &maskers {
            let expected = line_by_line(m, INPUT);
            assert_ne!(expected, INPUT, "{m:?} masks something");
            for size in 1..=INPUT.len() {
                let chunks: Vec<&[u8]> = INPUT.chunks(size).collect();
                assert_eq!(stream(m, &chunks), expected, "{m:?}, chunks of {size}");
            }
            // Every split into two pieces, so a boundary falls at each byte of the secret
            // and of each colour code, and a sample of splits into three.
            for first in 0..=INPUT.len() {
                let (a, b) = INPUT.split_at(first);
                assert_eq!(stream(m, &[a, b]), expected, "{m:?}, split at {first}");
                for second in (first..=INPUT.len()).step_by(29) {
                    let chunks = [&INPUT[..first], &INPUT[first..second], &INPUT[second..]];
                    assert_eq!(stream(m, &chunks), expected, "{m:?}, {first}, {second}");
                }
            }
        }
    }

    #[test]
    fn blocks_agree_with_lines_where_a_match_would_cross_them() {
        // A regexp that could run across a newline in a block, and a secret with one.
        let m = masker("regexp:a\\s+b,env:S", &[("S", "x\ny")]);
        let input = b"1 a\nb 2\nx\ny\nab a  b\n";
        assert_eq!(stream(&m, &[input]), line_by_line(&m, input));
        assert_eq!(stream(&m, &[input]), b"1 a\nb 2\nx\ny\nab ***\n".to_vec());
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
    fn invalid_utf8_and_crlf_lines() {
        let m = masker("env:S", &[("S", "secret")]);
        assert_eq!(
            &*stream(&m, &[b"\xff\xfesec", b"ret\x80\n\xc0"]),
            b"\xff\xfe***\x80\n\xc0"
        );
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
