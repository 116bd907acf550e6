//! The pass-through with masks: secrets replaced before a byte reaches the terminal or log.

use std::io::{self, Write};

use crate::mask::{LineMasker, Masker};

/// A writer that masks whole lines, so a secret split across two reads is still caught.
///
/// The unfinished last line is held back until its newline arrives, except when a person
/// is watching (`release_partial`): then each flush lets it out, so a prompt such as
/// Terraform's `Enter a value:` still shows before the answer is typed.
pub struct Masked<W: Write> {
    inner: LineMasker<W>,
    release_partial: bool,
}

impl<W: Write> Masked<W> {
    /// Masks what is written to `inner`.
    pub fn new(masker: Masker, inner: W, release_partial: bool) -> Self {
        Masked {
            inner: LineMasker::new(masker, inner),
            release_partial,
        }
    }

    /// Writes out whatever is held back; call at the end of the input.
    pub fn finish(&mut self) -> io::Result<()> {
        self.inner.finish()
    }
}

impl<W: Write> Write for Masked<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.release_partial {
            self.inner.flush_partial()?;
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::Masked;
    use crate::mask::Masker;

    #[test]
    fn a_secret_split_across_writes_is_masked_and_partials_wait_unless_watched() {
        let masker = Masker::empty().with_literal("test", "s3cr3t");
        let mut out = Vec::new();
        {
            let mut writer = Masked::new(masker.clone(), &mut out, false);
            writer.write_all(b"token=s3").expect("write");
            writer.flush().expect("flush");
            writer.write_all(b"cr3t\nnext").expect("write");
            writer.finish().expect("finish");
        }
        assert_eq!(out, b"token=***\nnext");
        let mut watched = Vec::new();
        {
            let mut prompt = Masked::new(masker, &mut watched, true);
            prompt.write_all(b"Enter a value: ").expect("write");
            prompt.flush().expect("flush");
            assert_eq!(
                prompt.inner.get_ref().len(),
                15,
                "the prompt is out before the answer"
            );
        }
    }
}
