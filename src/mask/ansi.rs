//! Colour codes taken out of a text for regexp masks, with the way back to the original.
//!
//! A literal mask already allows colour codes between any two of its characters (see
//! [`super::forms`]); a user's regexp cannot be rewritten that way, so it is also run on
//! the text without its CSI sequences, and what it finds there is mapped back to the
//! original bytes, codes inside the match included.

/// The escape byte that starts every colour code.
const ESC: u8 = 0x1b;

/// A text without its CSI sequences, and where each of its bytes came from.
pub(super) struct Stripped {
    /// The text without the sequences.
    pub(super) text: Vec<u8>,
    /// For each removed sequence: where in `text` it was, and how many bytes were removed
    /// up to and including it. Increasing in both, so positions map by binary search.
    cuts: Vec<(usize, usize)>,
}

impl Stripped {
    /// `bytes` without CSI sequences (`ESC [`, parameters, intermediates, a final byte); an
    /// `ESC` that does not start a complete one is kept as it is. `None` when there is no
    /// sequence at all, the common case.
    pub(super) fn new(bytes: &[u8]) -> Option<Stripped> {
        let first = memchr::memchr(ESC, bytes)?;
        let mut text = Vec::with_capacity(bytes.len());
        let mut cuts = Vec::new();
        let mut removed = 0;
        let mut at = 0;
        let mut next = Some(first);
        while let Some(esc) = next {
            let end = csi_end(bytes, esc);
            if end == esc {
                text.extend_from_slice(&bytes[at..=esc]);
                at = esc + 1;
            } else {
                text.extend_from_slice(&bytes[at..esc]);
                removed += end - esc;
                cuts.push((text.len(), removed));
                at = end;
            }
            next = memchr::memchr(ESC, &bytes[at..]).map(|offset| at + offset);
        }
        text.extend_from_slice(&bytes[at..]);
        (!cuts.is_empty()).then_some(Stripped { text, cuts })
    }

    /// The span of the original covering `start..end` of the stripped text: from its first
    /// byte to its last, so codes inside are covered and codes around are not.
    pub(super) fn original(&self, start: usize, end: usize) -> (usize, usize) {
        (self.origin(start), self.origin(end - 1) + 1)
    }

    /// Where byte `index` of the stripped text is in the original.
    pub(super) fn origin(&self, index: usize) -> usize {
        let before = self.cuts.partition_point(|&(at, _)| at <= index);
        index + before.checked_sub(1).map_or(0, |last| self.cuts[last].1)
    }

    /// The index in the stripped text of the first byte at or after `original` that was
    /// kept; `original` must not be inside a removed sequence (a line start never is).
    pub(super) fn index(&self, original: usize) -> usize {
        let before = self
            .cuts
            .partition_point(|&(at, removed)| at + removed <= original);
        original - before.checked_sub(1).map_or(0, |last| self.cuts[last].1)
    }
}

/// The index just past the CSI sequence starting at `esc`, or `esc` when none starts there.
fn csi_end(bytes: &[u8], esc: usize) -> usize {
    if bytes.get(esc + 1) != Some(&b'[') {
        return esc;
    }
    let mut i = esc + 2;
    while bytes.get(i).is_some_and(|b| (0x30..=0x3f).contains(b)) {
        i += 1;
    }
    while bytes.get(i).is_some_and(|b| (0x20..=0x2f).contains(b)) {
        i += 1;
    }
    match bytes.get(i) {
        Some(b) if (0x40..=0x7e).contains(b) => i + 1,
        _ => esc,
    }
}

#[cfg(test)]
mod tests {
    use super::Stripped;

    #[test]
    fn codes_are_removed_and_spans_map_back_over_them() {
        let line = b"\x1b[1mpw=ab\x1b[0mcd\x1b[0m end";
        let stripped = Stripped::new(line).expect("has codes");
        assert_eq!(stripped.text, b"pw=abcd end");
        // `pw=abcd` in the stripped text covers the code inside, not the ones around.
        assert_eq!(stripped.original(0, 7), (4, 15));
        assert_eq!(&line[4..15], b"pw=ab\x1b[0mcd");
    }

    #[test]
    fn no_codes_no_copy_and_a_lone_escape_is_kept() {
        assert!(Stripped::new(b"plain").is_none());
        assert!(Stripped::new(b"half \x1b[12").is_none());
        let stripped = Stripped::new(b"a\x1b\x1b[0mb").expect("one code");
        assert_eq!(stripped.text, b"a\x1bb");
        assert_eq!(stripped.original(0, 3), (0, 7));
    }

    #[test]
    fn positions_map_both_ways() {
        let line = b"ab\x1b[1m\x1b[0mc\nd\x1b[31me\n";
        let stripped = Stripped::new(line).expect("has codes");
        assert_eq!(stripped.text, b"abc\nde\n");
        let origins: Vec<usize> = (0..stripped.text.len())
            .map(|i| stripped.origin(i))
            .collect();
        assert_eq!(origins, [0, 1, 10, 11, 12, 18, 19]);
        for (index, origin) in origins.iter().enumerate() {
            assert_eq!(stripped.index(*origin), index);
        }
        assert_eq!(stripped.index(line.len()), stripped.text.len());
    }
}
