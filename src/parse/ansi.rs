//! Removing terminal escape sequences so coloured and plain output parse alike.
//!
//! Terraform colours its output even when piped, and users pipe it both ways. The stripped
//! copy is only for parsing and templates; the pass-through keeps every byte. This is on the
//! hot path of every line, so it is a small byte loop rather than a full terminal emulator:
//! it knows CSI (`ESC [ … final`), OSC (`ESC ] … BEL` or `ESC \`), character-set designations and two-byte escapes,
//! which is all Terraform and OpenTofu emit.

use std::borrow::Cow;

const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;

/// `line` without escape sequences; borrowed when there were none (the common case).
pub(crate) fn strip(line: &[u8]) -> Cow<'_, [u8]> {
    let Some(first) = memchr::memchr(ESC, line) else {
        return Cow::Borrowed(line);
    };
    let mut out = Vec::with_capacity(line.len());
    out.extend_from_slice(&line[..first]);
    let mut i = first;
    while i < line.len() {
        if line[i] != ESC {
            let next = memchr::memchr(ESC, &line[i..]).map_or(line.len(), |n| i + n);
            out.extend_from_slice(&line[i..next]);
            i = next;
            continue;
        }
        i = skip_escape(line, i);
    }
    Cow::Owned(out)
}

/// Where in `line` the first `visible` bytes of its stripped copy end: the raw offset just
/// past them, escape codes before them included, those after them not.
pub(crate) fn visible_offset(line: &[u8], visible: usize) -> usize {
    let mut seen = 0;
    let mut i = 0;
    while i < line.len() && seen < visible {
        if line[i] == ESC {
            i = skip_escape(line, i);
        } else {
            i += 1;
            seen += 1;
        }
    }
    i
}

/// The index just past the escape sequence that starts at `start`.
fn skip_escape(line: &[u8], start: usize) -> usize {
    let Some(&kind) = line.get(start + 1) else {
        return line.len();
    };
    match kind {
        b'[' => {
            // Parameters and intermediates run until a final byte in 0x40..=0x7e.
            let body = &line[start + 2..];
            body.iter()
                .position(|b| (0x40..=0x7e).contains(b))
                .map_or(line.len(), |p| start + 2 + p + 1)
        }
        b']' => {
            let body = &line[start + 2..];
            let mut j = 0;
            while j < body.len() {
                match body[j] {
                    BEL => return start + 2 + j + 1,
                    ESC if body.get(j + 1) == Some(&b'\\') => return start + 2 + j + 2,
                    _ => j += 1,
                }
            }
            line.len()
        }
        // Character-set designations (`ESC ( B`) carry one more byte.
        b'(' | b')' | b'*' | b'+' | b'-' | b'.' | b'/' | b'#' | b'%' => (start + 3).min(line.len()),
        _ => start + 2,
    }
}

#[cfg(test)]
mod tests {
    use super::{strip, visible_offset};

    #[track_caller]
    fn case(input: &[u8], expected: &[u8]) {
        assert_eq!(
            &*strip(input),
            expected,
            "input {:?}",
            String::from_utf8_lossy(input)
        );
    }

    #[test]
    fn strips_terraform_colours() {
        case(b"\x1b[1mPlan:\x1b[0m 1 to add", b"Plan: 1 to add");
        case(
            "\x1b[31m│\x1b[0m \x1b[0m\x1b[1m\x1b[31mError: \x1b[0m\x1b[0m\x1b[1mBad\x1b[0m"
                .as_bytes(),
            "│ Error: Bad".as_bytes(),
        );
        case(b"plain", b"plain");
    }

    #[test]
    fn strips_osc_and_two_byte_escapes() {
        case(b"a\x1b]8;;http://x\x07link\x1b]8;;\x1b\\b", b"alinkb");
        case(b"a\x1b(Bb", b"ab");
    }

    #[test]
    fn visible_offsets_skip_the_codes_before_them() {
        let line = b"\x1b[32mSTDOUT\x1b[0m [a] x: \x1b[1mPlan";
        let cut = visible_offset(line, "STDOUT [a] x: ".len());
        assert_eq!(&line[cut..], b"\x1b[1mPlan");
        assert_eq!(visible_offset(b"abc", 5), 3);
    }

    #[test]
    fn unterminated_escape_drops_the_rest() {
        case(b"ok\x1b[31", b"ok");
        case(b"ok\x1b", b"ok");
    }
}
