//! Splitting an input into the pieces a pipe might deliver it in, chosen by the fuzzer.
#![allow(dead_code, unreachable_pub)] // each includer (fuzz targets, tests) uses part of it

/// Chunk sizes from `seed` (1 to 64 bytes each, cycling), for inputs read in pieces.
pub fn split<'a>(seed: &[u8], input: &'a [u8]) -> Vec<&'a [u8]> {
    let sizes: Vec<usize> = if seed.is_empty() {
        vec![7]
    } else {
        seed.iter().map(|b| usize::from(b % 64) + 1).collect()
    };
    let mut chunks = Vec::new();
    let mut rest = input;
    let mut i = 0;
    while !rest.is_empty() {
        let take = sizes[i % sizes.len()].min(rest.len());
        let (chunk, tail) = rest.split_at(take);
        chunks.push(chunk);
        rest = tail;
        i += 1;
    }
    chunks
}

/// A reader that hands out the chunks one read at a time, as a pipe does.
pub struct ChunkReader<'a> {
    pub chunks: std::collections::VecDeque<&'a [u8]>,
}

impl std::io::Read for ChunkReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let Some(chunk) = self.chunks.pop_front() else {
            return Ok(0);
        };
        let n = chunk.len().min(buf.len());
        buf[..n].copy_from_slice(&chunk[..n]);
        if n < chunk.len() {
            self.chunks.push_front(&chunk[n..]);
        }
        Ok(n)
    }
}
