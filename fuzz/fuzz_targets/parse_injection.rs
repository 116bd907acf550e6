//! Any text where Terraform prints a module author's words never changes the facts.
//!
//! Real Terraform 1.11 runs hold a `check` message and an output value; the fuzzer's lines
//! take their place, printed as Terraform prints them (at column 0 without colour, after
//! the frame with colour, as a heredoc among an apply's outputs). Outcome, counts,
//! destroys, resources and failure must stay those of the harmless run.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tfnotify::model::{Command, Report};
use tfnotify::parse::parse;

#[path = "../../tests/common/imitation.rs"]
mod imitation;

macro_rules! capture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/terraform/1.11/",
            $name
        ))
    };
}

const CAPTURES: [(Command, &str); 8] = [
    (Command::Plan, capture!("plan_injected_benign.txt")),
    (Command::Plan, capture!("plan_injected_benign.color.txt")),
    (
        Command::Plan,
        capture!("plan_injected_no_changes_benign.txt"),
    ),
    (Command::Plan, capture!("plan_injected_failure_benign.txt")),
    (
        Command::Plan,
        capture!("plan_injected_failure_benign.color.txt"),
    ),
    (Command::Apply, capture!("apply_injected_benign.txt")),
    (Command::Apply, capture!("apply_injected_benign.color.txt")),
    (
        Command::Plan,
        capture!("plan_injected_no_changes_benign.color.txt"),
    ),
];

type Facts = (
    tfnotify::model::Outcome,
    tfnotify::model::Counts,
    bool,
    bool,
    Vec<(String, tfnotify::model::Action)>,
);

fn facts(report: &Report) -> Facts {
    let mut resources: Vec<_> = report
        .resources
        .iter()
        .map(|r| (r.address.to_string(), r.action))
        .collect();
    resources.sort();
    (
        report.outcome,
        report.counts,
        report.has_destroy,
        !report.errors.is_empty(),
        resources,
    )
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(message) = std::str::from_utf8(rest) else {
        return;
    };
    // Terraform prints a message line by line; a lone `\r` at a line end is the same line.
    let lines: Vec<&str> = message
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .collect();
    let (command, text) = CAPTURES[usize::from(pick) % CAPTURES.len()];
    let expected = facts(&parse(text.as_bytes(), command).expect("the capture parses"));
    let injected = if pick & 0x80 != 0 && command == Command::Apply {
        imitation::with_output(text, &lines)
    } else {
        imitation::with_message(text, &lines)
    };
    let injected = injected.expect("every capture has the message and the applies the output");
    let report = parse(injected.as_bytes(), command).expect("still parses");
    assert_eq!(facts(&report), expected, "the message changed the facts");
});
