//! A masked value in any text, fed to the pass-through in any chunking: the stream comes
//! out exactly as masking the whole text at once would make it, and without the value.
#![no_main]

#[path = "chunks.rs"]
mod chunks;

use std::cell::RefCell;
use std::collections::HashMap;
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
    let masker = masker_for(secret);

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

thread_local! {
    static MASKERS: RefCell<HashMap<String, Masker>> = RefCell::new(HashMap::new());
}

/// The masker for `secret`, compiled once: most mutations keep the secret and change the
/// text, and compiling the forms of a literal costs more than masking a short text.
fn masker_for(secret: &str) -> Masker {
    MASKERS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= 4096 {
            cache.clear();
        }
        cache
            .entry(secret.to_owned())
            .or_insert_with(|| Masker::empty().with_literal("env:FUZZ_SECRET", secret))
            .clone()
    })
}
