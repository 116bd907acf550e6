//! Any bytes as a JSON plan, a `validate -json` result or a `-json` log: an error or a
//! report, never a panic, and the same answer whether read whole or as a stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tfnotify::model::Command;
use tfnotify::parse::{parse, parse_json};

fuzz_target!(|data: &[u8]| {
    for command in [Command::Plan, Command::Apply, Command::Validate] {
        let streamed = parse_json(data, command);
        if data.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            let whole = parse(data, command);
            assert_eq!(
                streamed.as_ref().map_err(ToString::to_string),
                whole.as_ref().map_err(ToString::to_string)
            );
        }
    }
});
