//! Copying a reader to a writer chunk by chunk while handing each chunk on.

use std::io::{self, ErrorKind, Read, Write};

/// Read size. Large enough for throughput; a read still returns as soon as any data is
/// there, so a line written by Terraform is passed on before Terraform writes the next.
const CHUNK: usize = 64 * 1024;

/// What a pass-through saw.
#[derive(Debug, Default)]
pub struct Passthrough {
    /// Bytes read (and passed on, unless the writer failed).
    pub bytes: u64,
    /// Why writing stopped, if it did. Reading goes on regardless, so the producer is
    /// never killed by a closed pipe on our side.
    pub write_error: Option<io::Error>,
}

/// Copies `reader` to `writer` as it arrives, calling `on_chunk` after each write.
pub fn tee(
    mut reader: impl Read,
    mut writer: impl Write,
    mut on_chunk: impl FnMut(&[u8]),
) -> io::Result<Passthrough> {
    let mut buf = vec![0_u8; CHUNK];
    let mut result = Passthrough::default();
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = &buf[..n];
        if result.write_error.is_none()
            && let Err(e) = writer.write_all(chunk).and_then(|()| writer.flush())
        {
            result.write_error = Some(e);
        }
        on_chunk(chunk);
        result.bytes += n as u64;
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use std::io::{self, Write};

    use super::tee;

    struct BrokenPipe;

    impl Write for BrokenPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn copies_bytes_exactly_and_hands_them_on() {
        let input: Vec<u8> = (0..=255).cycle().take(600_000).collect();
        let mut out = Vec::new();
        let mut seen = Vec::new();
        let stats = tee(&input[..], &mut out, |c| seen.extend_from_slice(c)).expect("tee");
        assert_eq!(out, input);
        assert_eq!(seen, input);
        assert_eq!(stats.bytes, 600_000);
    }

    #[test]
    fn keeps_reading_when_the_writer_fails() {
        let mut seen = 0;
        let stats = tee(&b"abc\ndef\n"[..], BrokenPipe, |c| seen += c.len()).expect("tee");
        assert_eq!(seen, 8);
        assert!(stats.write_error.is_some());
    }
}
