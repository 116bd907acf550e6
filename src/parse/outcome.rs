//! Deciding what a run amounted to, once all of it has been read.
//!
//! The decision needs the whole text (an error can follow a summary line), so it is made at
//! the end from the markers the line reader recorded.

use crate::model::{Action, Command, Counts, Outcome, Report, ResourceChange};
use crate::parse::text::Seen;

/// Sets counts, `has_destroy`, the outcome and a result line on a finished report.
pub(crate) fn decide(report: &mut Report, seen: &Seen, printed: Option<Counts>, omitted: Counts) {
    let mut derived = counts_of(&report.resources);
    derived.merge(omitted);
    report.counts = printed.unwrap_or(derived);
    if report.command == Command::Plan {
        // Terraform 1.11 leaves forgotten and (before 1.5) imported objects out of its
        // summary line; count them anyway so text and JSON plans agree.
        report.counts.forget = report.counts.forget.max(derived.forget);
        report.counts.import = report.counts.import.max(derived.import);
    }
    if report.command.is_apply_like() {
        report.has_destroy = report.counts.destroy > 0;
    } else {
        report.has_destroy = report.counts.destroy > 0
            || report.resources.iter().any(ResourceChange::is_destructive);
    }
    report.outcome = match report.command {
        Command::Plan => plan(report, seen),
        Command::Apply | Command::Destroy => apply(report, seen),
        Command::Fmt => fmt(report, seen),
        Command::Validate => validate(report, seen),
        // Nothing parses a summary: its report is built from the targets' results.
        Command::Summary => report.outcome,
    };
    let failed = matches!(
        report.outcome,
        Outcome::Error | Outcome::ApplyFailed | Outcome::Invalid
    );
    if let (true, Some(first)) = (failed, report.errors.first()) {
        report.result = Some(format!("Error: {}", first.summary));
    }
}

/// What the actions add up to, as Terraform would count them in its summary line.
pub(crate) fn counts_of(resources: &[ResourceChange]) -> Counts {
    let mut counts = Counts::default();
    for r in resources {
        counts.tally(r.action, r.imported);
    }
    counts
}

fn plan(report: &Report, seen: &Seen) -> Outcome {
    if !report.errors.is_empty() || seen.planning_failed || seen.planned_with_problem {
        return Outcome::Error;
    }
    // Terraform 1.4.0 printed nothing at all after refreshing when there was nothing to
    // do (hashicorp/terraform#32815); refresh lines alone therefore mean no changes.
    let only_refresh = seen.lines > 0 && seen.substantive_lines == 0;
    let concluded = seen.plan_line
        || seen.no_changes
        || seen.outputs_section
        || seen.outputs_only_note
        || seen.refresh_only
        || only_refresh;
    if !concluded {
        return Outcome::Unparsed;
    }
    if has_work(report, seen) {
        Outcome::Changes
    } else {
        Outcome::NoChanges
    }
}

/// Whether applying the plan would change anything: resources, moves, imports, outputs, or
/// (for a refresh-only plan) the state. A move-only plan counts, as `-detailed-exitcode`
/// agrees.
fn has_work(report: &Report, seen: &Seen) -> bool {
    !report.counts.is_zero()
        || report.resources_omitted > 0
        || report
            .resources
            .iter()
            .any(|r| r.action != Action::NoOp || r.moved_from().is_some() || r.imported)
        || !report.outputs.is_empty()
        || (seen.refresh_only && !report.drift.is_empty())
}

fn apply(report: &Report, seen: &Seen) -> Outcome {
    let errors_after_summary = report.errors.len() > seen.errors_at_summary.unwrap_or(0);
    if errors_after_summary {
        Outcome::ApplyFailed
    } else if seen.apply_complete {
        Outcome::Applied
    } else {
        Outcome::Unparsed
    }
}

fn fmt(report: &mut Report, seen: &Seen) -> Outcome {
    if !report.errors.is_empty() {
        return Outcome::Error;
    }
    if report.files.is_empty() && !seen.fmt_diff {
        report.result = Some("All files are formatted.".to_owned());
        return Outcome::Formatted;
    }
    let n = report.files.len();
    let noun = if n == 1 { "file needs" } else { "files need" };
    report.result = Some(format!("{n} {noun} formatting."));
    Outcome::Unformatted
}

fn validate(report: &mut Report, seen: &Seen) -> Outcome {
    if !report.errors.is_empty() {
        Outcome::Invalid
    } else if seen.validate_success {
        // Terraform wraps this sentence at its terminal width; say it whole.
        report.result = Some(if report.warnings.is_empty() {
            "Success! The configuration is valid.".to_owned()
        } else {
            "Success! The configuration is valid, but there were some validation warnings as shown above."
                .to_owned()
        });
        Outcome::Valid
    } else {
        Outcome::Unparsed
    }
}
