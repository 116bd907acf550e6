//! Parse: turning Terraform's output into a [`Report`].
//!
//! Parsing is pure (no environment, clock or network), so every fixture can be snapshotted
//! cheaply. Terragrunt's output (Terraform's text behind per-line prefixes, several modules
//! at once) is recognised by its first line and read module by module (see `terragrunt`). Two doors lead in: [`parse`] for a whole text already in memory, and
//! [`Collector`] for text that arrives in chunks while it is passed through. Both go through
//! the same line reader, so they cannot disagree.

mod ansi;
mod collector;
mod diagnostic;
mod diff_blocks;
mod exit_code;
mod json;
mod lines;
mod outcome;
mod outputs;
mod progress;
mod reader;
mod resource_line;
mod summary_line;
mod terragrunt;
mod text;

use std::io::Read;

use crate::model::{Command, Outcome, Report};

pub use collector::Collector;
pub use diff_blocks::{ResourceDiff, resource_diffs};
pub use exit_code::check_exit_code;
pub use text::TextParser;

/// Why input could not be read as Terraform output at all.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("the input is empty")]
    Empty,
    #[error("the input looks like JSON but is not valid JSON: {source}")]
    Json { source: serde_json::Error },
    #[error("the JSON plan has format_version `{version}`, and only major version 1 is known")]
    JsonVersion { version: String },
    #[error(
        "the input is JSON but neither a plan (`terraform show -json`), a `validate -json` result nor a `-json` log"
    )]
    UnknownJson,
    #[error(
        "the JSON is a state (`terraform show -json` of a state file), not a plan: it holds no planned changes"
    )]
    StateNotPlan,
}

/// Parses a whole output of `command`, text or JSON, detected from the first byte.
pub fn parse(input: &[u8], command: Command) -> Result<Report, ParseError> {
    if first_meaningful_byte(input) == Some(b'{') {
        return json::parse_reader(input, command);
    }
    let mut collector = Collector::new(command);
    collector.feed_text(input);
    collector.finish()
}

/// Parses a JSON plan from a reader, streaming, for `--plan-json FILE`.
pub fn parse_json(reader: impl Read, command: Command) -> Result<Report, ParseError> {
    json::parse_reader(reader, command)
}

/// The first byte that is not white space, which tells JSON from text.
fn first_meaningful_byte(bytes: &[u8]) -> Option<u8> {
    bytes.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// Lays a JSON plan over a report read from text, for runs that have both. The JSON is
/// Terraform's structure where the text is a rendering of it that messages can imitate,
/// so it is the source of every action and count; where the text said otherwise, the
/// report says so.
pub fn overlay_plan(report: &mut Report, plan: Report) {
    let text_counts = report.counts;
    report.resources = plan.resources;
    report.resources_omitted = plan.resources_omitted;
    report.outputs = plan.outputs;
    report.drift = plan.drift;
    report.counts = plan.counts;
    report.has_destroy = plan.has_destroy;
    let text_failed = matches!(report.outcome, Outcome::Error);
    if plan.outcome == Outcome::Error || !text_failed {
        report.outcome = plan.outcome;
    }
    let differs = (text_counts.add, text_counts.change, text_counts.destroy)
        != (plan.counts.add, plan.counts.change, plan.counts.destroy);
    if report.result.is_none() || (differs && !text_failed) {
        report.result = plan.result.or(report.result.take());
    }
    if report.command == Command::Plan && differs && report.outcome != Outcome::Unparsed {
        report.notices.push(format!(
            "the text says {} to add, {} to change, {} to destroy, but the JSON plan says {} to add, {} to change, {} to destroy: the JSON plan is counted",
            text_counts.add,
            text_counts.change,
            text_counts.destroy,
            plan.counts.add,
            plan.counts.change,
            plan.counts.destroy
        ));
    }
}
