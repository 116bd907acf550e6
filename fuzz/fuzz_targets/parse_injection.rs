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

const NOTE: &str = "The replica count is below the recommended minimum.";
const OUTPUT_LINE: &str = "note = \"release notes\"";

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
        .map(|r| (r.address.clone(), r.action))
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

/// `text` with the message line replaced by `lines`, framed as the capture frames it.
fn with_message(text: &str, lines: &[&str]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        match line.trim_end_matches('\n').strip_suffix(NOTE) {
            Some(prefix) if !prefix.contains('"') => {
                for injected in lines {
                    out.push_str(prefix);
                    out.push_str(injected);
                    out.push('\n');
                }
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// `text` with the output value replaced by a heredoc of `lines`, whose delimiter no line
/// is, as Terraform picks it.
fn with_output(text: &str, lines: &[&str]) -> String {
    let mut delimiter = String::from("EOT");
    while lines.iter().any(|l| *l == delimiter) {
        delimiter.push('_');
    }
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        match line.trim_end_matches('\n').strip_suffix(OUTPUT_LINE) {
            Some(prefix) if !prefix.contains(' ') => {
                out.push_str(prefix);
                out.push_str("note = <<");
                out.push_str(&delimiter);
                out.push('\n');
                for injected in lines {
                    out.push_str(injected);
                    out.push('\n');
                }
                out.push_str(&delimiter);
                out.push('\n');
            }
            _ => out.push_str(line),
        }
    }
    out
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
        with_output(text, &lines)
    } else {
        with_message(text, &lines)
    };
    let report = parse(injected.as_bytes(), command).expect("still parses");
    assert_eq!(facts(&report), expected, "the message changed the facts");
});
