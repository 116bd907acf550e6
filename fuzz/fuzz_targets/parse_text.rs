//! Any bytes, in any chunking, through the pass-through and the parser.
//!
//! Invariants: the pass-through writes exactly the bytes read; the parser never panics;
//! the report does not depend on how the input was split; counts hold what the resources
//! listed add up to, or more (a capped list), never less for destroys.
#![no_main]

#[path = "chunks.rs"]
mod chunks;

use libfuzzer_sys::fuzz_target;
use tfnotify::input::{Stream, tee};
use tfnotify::model::{Action, Command};
use tfnotify::parse::{Collector, parse};

const COMMANDS: [Command; 5] = [
    Command::Plan,
    Command::Apply,
    Command::Destroy,
    Command::Fmt,
    Command::Validate,
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let command = COMMANDS[usize::from(pick) % COMMANDS.len()];
    let seed_len = rest.len().min(usize::from(pick >> 3) % 9);
    let (seed, input) = rest.split_at(seed_len);
    let pieces = chunks::split(seed, input);

    let mut written = Vec::new();
    let mut collector = Collector::new(command);
    let reader = chunks::ChunkReader {
        chunks: pieces.iter().copied().collect(),
    };
    let passed = tee(reader, &mut written, |chunk| {
        collector.feed(Stream::Stdout, chunk)
    })
    .expect("reading from memory cannot fail");
    assert!(passed.write_error.is_none());
    assert_eq!(written, input, "the pass-through lost or changed bytes");

    let chunked = collector.finish();
    let whole = parse(input, command);
    match (&chunked, &whole) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "the report depends on how the input was split");
            let destroys = a
                .resources
                .iter()
                .filter(|r| matches!(r.action, Action::Delete | Action::Replace))
                .count() as u64;
            if command == Command::Plan && a.resources_omitted == 0 {
                assert!(
                    a.counts.destroy >= destroys,
                    "a listed destroy went uncounted"
                );
                assert!(!a.has_destroy || destroys > 0 || a.counts.destroy > 0);
            }
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("chunked and whole parses disagree: {chunked:?} / {whole:?}"),
    }
});
