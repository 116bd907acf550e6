//! A copy of a text that never grows past a fixed size.
//!
//! Terraform logs can be gigabytes long, yet a message only ever quotes the beginning and the
//! end. Keeping a head and a tail of whole lines bounds memory at any input size and still
//! shows a reader what came first and how it ended.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Bytes kept from the start of the text by default.
pub(crate) const DEFAULT_HEAD: usize = 256 * 1024;
/// Bytes kept from the end of the text by default.
pub(crate) const DEFAULT_TAIL: usize = 256 * 1024;

/// The start and end of a text, whole lines only, with a count of what lies between.
#[derive(Clone, PartialEq, Eq)]
pub struct CappedText {
    head: String,
    head_cap: usize,
    head_lines: u64,
    /// Bytes of input the head holds, newlines included: `head` itself can be longer, as
    /// each byte that is not UTF-8 reads as a three-byte replacement character there.
    head_bytes: u64,
    head_closed: bool,
    /// The most recent bytes once the head is full: up to four times the cap, trimmed back
    /// to the cap when it overflows, so each byte is moved a third of a time on average.
    tail: Vec<u8>,
    tail_cap: usize,
    /// Whether bytes were ever dropped from the front of `tail`.
    tail_trimmed: bool,
    total_bytes: u64,
    total_lines: u64,
}

impl Default for CappedText {
    fn default() -> Self {
        CappedText::with_caps(DEFAULT_HEAD, DEFAULT_TAIL)
    }
}

impl std::fmt::Debug for CappedText {
    // The full text would drown any debug print; its size is what matters there.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CappedText")
            .field("total_bytes", &self.total_bytes)
            .field("total_lines", &self.total_lines)
            .finish_non_exhaustive()
    }
}

impl CappedText {
    /// A text that keeps up to `head` bytes from the start and `tail` bytes from the end.
    pub fn with_caps(head: usize, tail: usize) -> Self {
        CappedText {
            head: String::new(),
            head_cap: head,
            head_lines: 0,
            head_bytes: 0,
            head_closed: false,
            tail: Vec::new(),
            tail_cap: tail,
            tail_trimmed: false,
            total_bytes: 0,
            total_lines: 0,
        }
    }

    /// Appends `count` lines joined by `\n` (no newline after the last), in one step.
    /// Callers with many lines at once use this; it is what keeps long logs cheap.
    pub fn push_lines(&mut self, lines: &[u8], count: u64) {
        if !self.head_closed {
            for line in lines.split(|&b| b == b'\n') {
                self.push_line(line);
            }
            return;
        }
        self.total_bytes += lines.len() as u64 + 1;
        self.total_lines += count;
        self.push_tail(lines);
    }

    /// Appends one line (without its newline).
    pub fn push_line(&mut self, line: &[u8]) {
        self.total_bytes += line.len() as u64 + 1;
        self.total_lines += 1;
        if !self.head_closed {
            if self.head.len() + line.len() < self.head_cap {
                match std::str::from_utf8(line) {
                    Ok(text) => self.head.push_str(text),
                    Err(_) => self.head.push_str(&String::from_utf8_lossy(line)),
                }
                self.head.push('\n');
                self.head_lines += 1;
                self.head_bytes += line.len() as u64 + 1;
                return;
            }
            self.head_closed = true;
        }
        self.push_tail(line);
    }

    /// Gives back what the text holds beyond its caps, once nothing more will be pushed:
    /// the tail collects up to four times its cap between trims.
    pub fn compact(&mut self) {
        if self.tail.len() > self.tail_cap {
            let cut = self.tail.len() - self.tail_cap;
            self.tail.copy_within(cut.., 0);
            self.tail.truncate(self.tail_cap);
            self.tail_trimmed = true;
        }
        self.tail.shrink_to_fit();
        self.head.shrink_to_fit();
    }

    fn push_tail(&mut self, line: &[u8]) {
        if self.tail_cap == 0 {
            return;
        }
        self.tail.extend_from_slice(line);
        self.tail.push(b'\n');
        if self.tail.len() > 4 * self.tail_cap {
            let cut = self.tail.len() - self.tail_cap;
            self.tail.copy_within(cut.., 0);
            self.tail.truncate(self.tail_cap);
            self.tail_trimmed = true;
        }
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.total_lines == 0
    }

    /// Bytes pushed in all, newlines included.
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Lines pushed in all.
    pub fn total_lines(&self) -> u64 {
        self.total_lines
    }

    /// The kept start of the text.
    pub fn head(&self) -> &str {
        &self.head
    }

    /// The kept end of the text, starting at a line boundary.
    pub fn tail(&self) -> String {
        String::from_utf8_lossy(self.tail_bytes()).into_owned()
    }

    /// The input bytes of the tail, starting at a line boundary.
    fn tail_bytes(&self) -> &[u8] {
        let mut bytes = &self.tail[..];
        if bytes.len() > self.tail_cap {
            bytes = &bytes[bytes.len() - self.tail_cap..];
        }
        let wrapped = self.tail_trimmed || bytes.len() < self.tail.len();
        let start = if wrapped {
            // The first line kept is a fragment; drop it so the tail starts clean.
            memchr::memchr(b'\n', bytes).map_or(bytes.len(), |i| i + 1)
        } else {
            0
        };
        &bytes[start..]
    }

    /// Bytes between head and tail that were not kept.
    pub fn omitted_bytes(&self) -> u64 {
        self.total_bytes - self.head_bytes - self.tail_bytes().len() as u64
    }

    /// [`CappedText::text`], borrowed when all of it was kept in the head (as when a
    /// reader asks to keep a whole plan's changes), so a large text is not copied.
    pub fn text_cow(&self) -> Cow<'_, str> {
        if self.tail.is_empty() && self.omitted_bytes() == 0 {
            Cow::Borrowed(self.head.strip_suffix('\n').unwrap_or(&self.head))
        } else {
            Cow::Owned(self.text())
        }
    }

    /// The kept text with one marker line where the middle was left out. Ends with no
    /// trailing newline, as a quoted block should.
    pub fn text(&self) -> String {
        let tail = self.tail();
        let omitted_bytes = self.omitted_bytes();
        let mut out = String::with_capacity(self.head.len() + tail.len() + 80);
        out.push_str(&self.head);
        if omitted_bytes > 0 {
            let tail_lines = tail.matches('\n').count() as u64;
            let omitted_lines = self.total_lines - self.head_lines - tail_lines;
            let _ = writeln!(
                out,
                "… {omitted_lines} lines ({omitted_bytes} bytes) omitted by tfnotify …"
            );
        }
        out.push_str(&tail);
        if out.ends_with('\n') {
            out.pop();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::CappedText;

    fn filled(head: usize, tail: usize, lines: &[&str]) -> CappedText {
        let mut text = CappedText::with_caps(head, tail);
        for line in lines {
            text.push_line(line.as_bytes());
        }
        text
    }

    #[test]
    fn compacting_keeps_the_text() {
        let lines: Vec<String> = (0..5000).map(|i| format!("line {i}")).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        for (head, tail) in [(64, 64), (64, 1000), (10_000, 300), (100_000, 100_000)] {
            let mut text = filled(head, tail, &refs);
            let before = (text.text(), text.omitted_bytes());
            text.compact();
            assert_eq!((text.text(), text.omitted_bytes()), before, "{head} {tail}");
            assert!(text.tail.capacity() <= tail.max(text.tail.len()));
        }
    }

    #[test]
    fn the_borrowed_text_is_the_text_and_only_borrowed_when_all_of_it_is_in_the_head() {
        let lines: Vec<String> = (0..500).map(|i| format!("line {i}")).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        for (head, tail, borrowed) in [
            (1 << 20, 64, true),
            (64, 1 << 20, false),
            (64, 64, false),
            (1 << 20, 0, true),
        ] {
            let text = filled(head, tail, &refs);
            let cow = text.text_cow();
            assert_eq!(cow, text.text(), "{head} {tail}");
            assert_eq!(
                matches!(cow, std::borrow::Cow::Borrowed(_)),
                borrowed,
                "{head} {tail}"
            );
        }
        assert_eq!(filled(64, 64, &[]).text_cow(), "");
    }

    #[test]
    fn short_text_is_kept_whole() {
        let text = filled(100, 100, &["a", "b", "c"]);
        assert_eq!(text.text(), "a\nb\nc");
        assert_eq!(text.omitted_bytes(), 0);
        assert_eq!(text.total_lines(), 3);
    }

    #[test]
    fn bytes_that_are_not_utf8_count_as_the_input_had_them() {
        // Each stray byte reads as a three-byte replacement character; the counts of what
        // was left out are of the input's bytes all the same.
        let mut whole = CappedText::with_caps(100, 100);
        whole.push_line(b"\xff\xfe a");
        whole.push_line(b"b \xc3");
        assert_eq!(whole.omitted_bytes(), 0);
        assert_eq!(whole.text(), "\u{fffd}\u{fffd} a\nb \u{fffd}");

        let mut cut = CappedText::with_caps(8, 8);
        for line in [
            &b"\xff\xff\xff"[..],
            b"mid 1",
            b"mid 2",
            b"\xfe\xfe",
            b"end",
        ] {
            cut.push_line(line);
        }
        assert_eq!(cut.omitted_bytes(), 12);
        assert_eq!(
            cut.text(),
            "\u{fffd}\u{fffd}\u{fffd}\n… 2 lines (12 bytes) omitted by tfnotify …\n\u{fffd}\u{fffd}\nend"
        );
    }

    #[test]
    fn long_text_keeps_head_and_tail_lines() {
        let lines: Vec<String> = (0..100).map(|i| format!("line {i:03}")).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let text = filled(20, 20, &refs);
        assert_eq!(text.head(), "line 000\nline 001\n");
        assert_eq!(text.tail(), "line 098\nline 099\n");
        assert_eq!(
            text.text(),
            "line 000\nline 001\n… 96 lines (864 bytes) omitted by tfnotify …\nline 098\nline 099"
        );
    }

    #[test]
    fn tail_never_starts_inside_a_multibyte_character() {
        let lines = ["ééééé", "ééééé", "ééééé", "ééééé"];
        let text = filled(1, 13, &lines);
        assert_eq!(text.tail(), "ééééé\n");
    }

    #[test]
    fn a_line_longer_than_the_tail_keeps_its_end() {
        let text = filled(1, 4, &["abcdefgh"]);
        assert_eq!(text.tail(), "");
        assert_eq!(text.total_bytes(), 9);
    }
}
