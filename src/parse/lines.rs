//! Turning a stream of chunks into whole lines, with a bound on line length.
//!
//! Reads end wherever the pipe happened to split the data, so a line may arrive in pieces.
//! Only the unfinished piece is copied; lines wholly inside a chunk are handed on in place.
//! A line longer than [`MAX_LINE`] is cut for parsing (no Terraform marker is that long),
//! which keeps memory bounded even for a gigabyte without a newline.

/// The longest line the parser looks at; the rest of a longer line is skipped.
pub(crate) const MAX_LINE: usize = 1024 * 1024;

/// Collects chunks and yields complete lines without their `\n` or `\r\n`.
#[derive(Debug, Default)]
pub(crate) struct LineAssembler {
    pending: Vec<u8>,
}

impl LineAssembler {
    /// Feeds one chunk, calling `emit` for every line it completes.
    pub(crate) fn push(&mut self, mut chunk: &[u8], mut emit: impl FnMut(&[u8])) {
        while let Some(end) = memchr::memchr(b'\n', chunk) {
            if self.pending.is_empty() {
                emit(trim_cr(&chunk[..end]));
            } else {
                self.append(&chunk[..end]);
                emit(trim_cr(&self.pending));
                self.pending.clear();
            }
            chunk = &chunk[end + 1..];
        }
        self.append(chunk);
    }

    /// Emits the last line when the input did not end with a newline.
    pub(crate) fn finish(&mut self, mut emit: impl FnMut(&[u8])) {
        if !self.pending.is_empty() {
            emit(trim_cr(&self.pending));
            self.pending.clear();
        }
    }

    fn append(&mut self, bytes: &[u8]) {
        let room = MAX_LINE.saturating_sub(self.pending.len());
        self.pending
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }
}

/// Splits a whole text into lines the same way the streaming path does.
#[cfg(test)]
fn for_each_line(text: &[u8], mut emit: impl FnMut(&[u8])) {
    let mut assembler = LineAssembler::default();
    assembler.push(text, &mut emit);
    assembler.finish(&mut emit);
}

fn trim_cr(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.len() > MAX_LINE {
        &line[..MAX_LINE]
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::{LineAssembler, MAX_LINE, for_each_line};

    fn lines_of(chunks: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut assembler = LineAssembler::default();
        for chunk in chunks {
            assembler.push(chunk, |l| out.push(l.to_vec()));
        }
        assembler.finish(|l| out.push(l.to_vec()));
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
        let mut got = Vec::new();
        for_each_line(b"a\r\n\r\nb\n", |l| got.push(l.to_vec()));
        assert_eq!(got, vec![b"a".to_vec(), Vec::new(), b"b".to_vec()]);
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
