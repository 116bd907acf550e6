//! A masked value in any text, fed to the pass-through in any chunking: the stream comes
//! out exactly as masking the whole text at once would make it, and without the value.
#![no_main]

#[path = "chunks.rs"]
mod chunks;

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use tfnotify::mask::{LineMasker, Masker};

fuzz_target!(|data: &[u8]| {
    let Some((&secret_len, rest)) = data.split_first() else {
        return;
    };
    let secret_len = usize::from(secret_len % 16) + 1;
    if rest.len() < secret_len + 1 {
        return;
    }
    let (secret, rest) = rest.split_at(secret_len);
    let Ok(secret) = std::str::from_utf8(secret) else {
        return;
    };
    // A value a line can hold, and that masking cannot rebuild around its `***`.
    if secret.contains(['\n', '\r', '*']) || secret.trim().is_empty() {
        return;
    }
    let seed_len = rest.len().min(usize::from(rest[0] % 9));
    let (seed, text) = rest.split_at(seed_len);
    let masker = Masker::empty().with_literal("env:FUZZ_SECRET", secret);

    let mut streamed = LineMasker::new(masker.clone(), Vec::new());
    for chunk in chunks::split(seed, text) {
        streamed.write_all(chunk).expect("writing to memory");
    }
    streamed.finish().expect("writing to memory");
    let whole = masker.mask_bytes(text);
    assert_eq!(
        streamed.get_ref().as_slice(),
        whole.as_ref(),
        "the chunking changed what was masked"
    );
    let out = streamed.get_ref();
    assert!(
        !out.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "the value came through"
    );
});
