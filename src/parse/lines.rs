//! Turning a stream of chunks into blocks of whole lines, with a bound on line length.
//!
//! Reads end wherever the pipe happened to split the data, so a line may arrive in pieces.
//! Only the unfinished piece is copied; the whole lines of a chunk are handed on in place,
//! as one block, so the parser can skim runs of uninteresting lines without a call per line.
//! A line longer than [`MAX_LINE`] is cut for parsing (no Terraform marker is that long),
//! which keeps memory bounded even for a gigabyte without a newline.

/// The longest line the parser looks at; the rest of a longer line is skipped.
pub(crate) const MAX_LINE: usize = 1024 * 1024;

/// Collects chunks and yields blocks of complete lines. A block is one or more lines, each
/// ending in `\n` except possibly the last one of the input.
#[derive(Debug, Default)]
pub(crate) struct LineAssembler {
    pending: Vec<u8>,
}

impl LineAssembler {
    /// Feeds one chunk, calling `emit` with each block of lines it completes.
    pub(crate) fn push(&mut self, mut chunk: &[u8], mut emit: impl FnMut(&[u8])) {
        if !self.pending.is_empty() {
            let Some(end) = memchr::memchr(b'\n', chunk) else {
                self.append(chunk);
                return;
            };
            self.append(&chunk[..end]);
            self.pending.push(b'\n');
            emit(&self.pending);
            self.pending.clear();
            chunk = &chunk[end + 1..];
        }
        match memchr::memrchr(b'\n', chunk) {
            Some(last) => {
                emit(&chunk[..=last]);
                self.append(&chunk[last + 1..]);
            }
            None => self.append(chunk),
        }
    }

    /// Emits the last line when the input did not end with a newline.
    pub(crate) fn finish(&mut self, mut emit: impl FnMut(&[u8])) {
        if !self.pending.is_empty() {
            emit(&self.pending);
            self.pending.clear();
        }
    }

    fn append(&mut self, bytes: &[u8]) {
        let room = MAX_LINE.saturating_sub(self.pending.len());
        self.pending
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }
}

/// Calls `each` for every line of a block, without its `\n`.
pub(crate) fn for_each_line(block: &[u8], mut each: impl FnMut(&[u8])) {
    let mut rest = block;
    while !rest.is_empty() {
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        each(&rest[..end]);
        rest = rest.get(end + 1..).unwrap_or_default();
    }
}

/// A line without its `\r` (CRLF input), cut to [`MAX_LINE`].
pub(crate) fn clean(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.len() > MAX_LINE {
        &line[..MAX_LINE]
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::{LineAssembler, MAX_LINE, clean, for_each_line};

    fn lines_of(chunks: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut assembler = LineAssembler::default();
        let mut take = |block: &[u8]| for_each_line(block, |l| out.push(clean(l).to_vec()));
        for chunk in chunks {
            assembler.push(chunk, &mut take);
        }
        assembler.finish(&mut take);
        out
    }

    #[test]
    fn joins_lines_split_across_chunks() {
        let got = lines_of(&[b"Pla", b"n: 1 to add\nnext", b"\r\n", b"last"]);
        assert_eq!(
            got,
            vec![
                b"Plan: 1 to add".to_vec(),
                b"next".to_vec(),
                b"last".to_vec()
            ]
        );
    }

    #[test]
    fn crlf_and_empty_lines() {
        let got = lines_of(&[b"a\r\n\r\nb\n", b"\n"]);
        assert_eq!(
            got,
            vec![b"a".to_vec(), Vec::new(), b"b".to_vec(), Vec::new()]
        );
    }

    #[test]
    fn overlong_lines_are_cut_to_the_bound() {
        let big = vec![b'x'; MAX_LINE + 10];
        let got = lines_of(&[&big[..100], &big[100..], b"\nok\n"]);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].len(), MAX_LINE);
        assert_eq!(got[1], b"ok");
    }
}
