//! Joining the reports of a Terragrunt run's modules into one.
//!
//! A reviewer needs one answer for the run: every module's changes, the counts added up,
//! and the worst outcome, since one failed module fails the run. A run of one module is
//! exactly that module's report, so prefixes change nothing about a single Terraform run.
//! A run of several also keeps each module's own report beside the joined one, for
//! delivering the modules apart.

use crate::model::{
    CappedText, Command, MAX_DIAGNOSTICS, MAX_RESOURCES, ModuleReport, Outcome, Report, Tool,
};
use crate::parse::summary_line;

/// One report for the modules' `reports`, in the order their directories first appeared.
/// `overflow` says that lines of further directories were not read.
pub(crate) fn merge(command: Command, reports: Vec<(String, Report)>, overflow: bool) -> Report {
    let mut merged = match <[_; 1]>::try_from(reports) {
        Ok([(_, report)]) => report,
        Err(reports) if reports.is_empty() => {
            // Only Terragrunt's own lines: nothing of Terraform's to report.
            crate::parse::text::TextParser::new(command).finish()
        }
        Err(reports) => combine(command, reports),
    };
    if overflow {
        merged.notices.push(format!(
            "the output held more than {} module directories: the lines of the rest were not read",
            super::MAX_MODULES
        ));
        if rank(merged.outcome) < rank(Outcome::Unparsed) {
            merged.outcome = Outcome::Unparsed;
        }
    }
    merged
}

/// How bad an outcome is, for picking the run's: a failure over a result not found, over
/// changes, over nothing to do.
fn rank(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Error | Outcome::ApplyFailed | Outcome::Invalid => 4,
        Outcome::Unparsed => 3,
        Outcome::Changes | Outcome::Unformatted => 2,
        Outcome::Applied | Outcome::Formatted | Outcome::Valid => 1,
        Outcome::NoChanges => 0,
    }
}

fn combine(command: Command, reports: Vec<(String, Report)>) -> Report {
    let mut merged = Report::new(command);
    let worst = reports
        .iter()
        .map(|(_, r)| r.outcome)
        .max_by_key(|&o| rank(o))
        .unwrap_or(Outcome::Unparsed);
    merged.outcome = worst;
    merged.result = reports
        .iter()
        .find(|(_, r)| r.outcome == worst)
        .and_then(|(_, r)| r.result.clone());
    for (dir, report) in reports {
        // Kept whole as well, for delivering each module as its own run.
        merged.modules.push(ModuleReport {
            dir: dir.clone(),
            report: report.clone(),
        });
        add(&mut merged, &dir, report);
    }
    if !merged.outcome.is_success() || merged.outcome == Outcome::Unparsed {
        return merged;
    }
    if let Some(result) = merged.result.as_deref()
        && let Some(restated) = summary_line::restate(result, merged.counts)
    {
        merged.result = Some(restated);
    }
    merged
}

/// Adds one module's report to the run's, each entry marked with its directory.
fn add(merged: &mut Report, dir: &str, report: Report) {
    let module_dir = (!dir.is_empty()).then(|| dir.to_owned());
    let shared_dir: Option<std::sync::Arc<str>> = module_dir.as_deref().map(Into::into);
    if report.tool == Tool::OpenTofu {
        merged.tool = Tool::OpenTofu;
    }
    merged.counts.merge(report.counts);
    merged.has_destroy |= report.has_destroy;
    merged.resources_omitted += report.resources_omitted;
    for mut resource in std::sync::Arc::unwrap_or_clone(report.resources) {
        if merged.resources.len() < MAX_RESOURCES {
            resource.set_module_dir(shared_dir.clone());
            std::sync::Arc::make_mut(&mut merged.resources).push(resource);
        } else {
            merged.resources_omitted += 1;
        }
    }
    for mut drift in report.drift {
        if merged.drift.len() < MAX_RESOURCES {
            drift.set_module_dir(shared_dir.clone());
            merged.drift.push(drift);
        }
    }
    for mut output in report.outputs {
        output.module_dir.clone_from(&module_dir);
        merged.outputs.push(output);
    }
    for (list, from) in [
        (&mut merged.errors, report.errors),
        (&mut merged.warnings, report.warnings),
    ] {
        for mut diagnostic in from {
            if list.len() < MAX_DIAGNOSTICS {
                diagnostic.module_dir.clone_from(&module_dir);
                list.push(diagnostic);
            }
        }
    }
    // Addresses as Terraform wrote them; the diagnostics that name them carry the directory.
    merged.failed.extend(report.failed);
    merged.files.extend(report.files);
    let shown = module_dir.as_deref().unwrap_or(".");
    merged.notices.extend(
        report
            .notices
            .into_iter()
            .map(|notice| format!("in `{shown}`: {notice}")),
    );
    let from = report.transcript;
    let into = &mut merged.transcript;
    for (to, text) in [
        (&mut into.combined, from.combined),
        (&mut into.changes, from.changes),
        (&mut into.drift, from.drift),
        (&mut into.errors, from.errors),
    ] {
        append(to, module_dir.as_deref(), &text);
    }
}

/// Appends one module's copy of a text under a line naming its directory, as Terragrunt
/// names it.
fn append(to: &mut CappedText, dir: Option<&str>, text: &CappedText) {
    if text.is_empty() {
        return;
    }
    if let Some(dir) = dir {
        to.push_line(format!("[{dir}]").as_bytes());
    }
    let text = text.text();
    let body = text.strip_suffix('\n').unwrap_or(&text);
    for line in body.split('\n') {
        to.push_line(line.as_bytes());
    }
}
