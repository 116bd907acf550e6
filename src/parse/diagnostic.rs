//! `Error:` and `Warning:` blocks, boxed (`╷ │ ╵`, with colour) or plain (`-no-color`).
//!
//! A boxed block says where it ends. A plain one does not, and its detail is text that
//! module authors write (a `check` message, a precondition's `error_message`), printed at
//! column 0: a detail can hold a line that reads exactly like Terraform's next headline.
//! So a plain block that may hold such text is read as a group of parts, one per headline,
//! and whether a later `Error:` part is a real diagnostic or a line of the text before it
//! is decided when the group ends, from what Terraform's structure allows there.

use crate::model::{Diagnostic, MAX_DIAGNOSTICS, Severity};

/// The most detail text kept for one diagnostic.
const MAX_DETAIL: usize = 16 * 1024;

/// The most detail text kept for all the diagnostics of one report: a long stream can hold
/// thousands of them, and a thousand full ones would be 16 MiB.
pub(crate) const DETAIL_BUDGET: usize = 1024 * 1024;

/// A diagnostic (or a group of plain ones) still being read.
#[derive(Debug)]
pub(crate) struct OpenDiagnostic {
    pub(crate) boxed: bool,
    parts: Vec<Part>,
    /// Whether the last line read into the group was blank: Terraform starts every plain
    /// headline after one.
    last_blank: bool,
    /// Whether a part is an `Error:`, asked on every line while the group is open.
    has_error: bool,
    /// Detail bytes the group may still keep (see [`DETAIL_BUDGET`]).
    room: usize,
    /// What `room` was when the group opened.
    budget: usize,
}

/// One headline of a group and the lines under it.
#[derive(Debug)]
struct Part {
    severity: Severity,
    summary: String,
    detail: String,
    address: Option<String>,
    /// Lines dropped for [`MAX_DETAIL`]; only whole lines are kept.
    cut: bool,
}

/// `Error: …` or `Warning: …` at the start of `text`, with the summary.
pub(crate) fn start(text: &str) -> Option<(Severity, &str)> {
    if let Some(summary) = text.strip_prefix("Error: ") {
        Some((Severity::Error, summary))
    } else if let Some(summary) = text.strip_prefix("Warning: ") {
        Some((Severity::Warning, summary))
    } else if text == "Error:" {
        Some((Severity::Error, ""))
    } else {
        None
    }
}

/// The content of a box line (`│ text` or `| text`), or `None` when the line is not one.
pub(crate) fn box_content(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('│').or_else(|| line.strip_prefix("| "))?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

impl OpenDiagnostic {
    /// Starts a diagnostic from its headline.
    pub(crate) fn new(severity: Severity, summary: &str, boxed: bool) -> Self {
        OpenDiagnostic {
            boxed,
            parts: vec![Part::new(severity, summary)],
            last_blank: false,
            has_error: severity == Severity::Error,
            room: DETAIL_BUDGET,
            budget: DETAIL_BUDGET,
        }
    }

    /// Keeps the group's detail within what the report has left of [`DETAIL_BUDGET`].
    pub(crate) fn within(mut self, room: usize) -> Self {
        self.room = room;
        self.budget = room;
        self
    }

    /// The detail bytes the group kept.
    pub(crate) fn kept(&self) -> usize {
        self.budget - self.room
    }

    /// Whether the last line read was blank, so that a headline may follow.
    pub(crate) fn after_blank(&self) -> bool {
        self.last_blank
    }

    /// Whether any part of the group, its headline included, is an `Error:`.
    pub(crate) fn has_error(&self) -> bool {
        self.has_error
    }

    /// Adds one line of the body.
    pub(crate) fn push(&mut self, line: &str) {
        self.last_blank = line.trim().is_empty();
        if let Some(part) = self.parts.last_mut() {
            part.push(line, &mut self.room);
        }
    }

    /// Starts the next part of a plain group at a headline that may be Terraform's own or
    /// may be a line of the text above it; [`OpenDiagnostic::close`] decides which.
    pub(crate) fn split(&mut self, severity: Severity, summary: &str) {
        self.last_blank = false;
        if self.parts.len() < MAX_DIAGNOSTICS {
            self.parts.push(Part::new(severity, summary));
            self.has_error |= severity == Severity::Error;
        } else if let Some(part) = self.parts.last_mut() {
            part.push(&headline(severity, summary), &mut self.room);
        }
    }

    /// The finished diagnostics, bodies without surrounding blank lines. With
    /// `errors_are_text`, an `Error:` part that follows another part is a line of that
    /// part's text (Terraform could not have printed an error there), not a diagnostic.
    pub(crate) fn close(self, errors_are_text: bool) -> Vec<(Severity, Diagnostic)> {
        let mut merged: Vec<Part> = Vec::with_capacity(self.parts.len());
        // Text moved from one part to another was counted when it was read.
        let mut room = usize::MAX;
        for part in self.parts {
            match merged.last_mut() {
                Some(previous) if errors_are_text && part.severity == Severity::Error => {
                    previous.push(&headline(part.severity, &part.summary), &mut room);
                    for line in part.detail.lines() {
                        previous.push(line, &mut room);
                    }
                }
                _ => merged.push(part),
            }
        }
        merged
            .into_iter()
            .map(|p| (p.severity, p.finish()))
            .collect()
    }
}

impl Part {
    fn new(severity: Severity, summary: &str) -> Self {
        Part {
            severity,
            summary: summary.trim().to_owned(),
            detail: String::new(),
            address: None,
            cut: false,
        }
    }

    fn push(&mut self, line: &str, room: &mut usize) {
        if self.address.is_none() {
            let trimmed = line.trim();
            if let Some(address) = trimmed
                .strip_prefix("with ")
                .and_then(|a| a.strip_suffix(','))
            {
                self.address = Some(address.to_owned());
            }
        }
        if !self.cut && self.detail.len() + line.len() < MAX_DETAIL && line.len() < *room {
            self.detail.push_str(line);
            self.detail.push('\n');
            *room -= line.len() + 1;
        } else {
            self.cut = true;
        }
    }

    fn finish(self) -> Diagnostic {
        let mut detail = without_trailer(self.detail.trim_matches('\n')).trim_end();
        let mut summary = self.summary;
        if summary.is_empty() {
            // Terraform 0.11 printed some headlines as a bare `Error: ` with the text on the
            // lines below; the first of them is what the headline would have said.
            let body = detail.trim_start();
            let (first, rest) = body.split_once('\n').unwrap_or((body, ""));
            first.trim().clone_into(&mut summary);
            detail = rest.trim_matches('\n');
        }
        Diagnostic {
            summary,
            detail: detail.to_owned(),
            address: self.address,
            module_dir: None,
        }
    }
}

fn headline(severity: Severity, summary: &str) -> String {
    match severity {
        Severity::Error => format!("Error: {summary}"),
        Severity::Warning => format!("Warning: {summary}"),
    }
}

/// A plain detail without what Terraform prints after the last diagnostic of a plan (the
/// rule and the note about `-out`), which no frame separates from it.
fn without_trailer(detail: &str) -> &str {
    let mut at = 0;
    let mut cut = None;
    for line in detail.split_inclusive('\n') {
        let text = line.trim_end();
        if text.chars().count() >= 20 && text.chars().all(|c| c == '─') {
            cut = Some(at);
        }
        at += line.len();
    }
    let Some(cut) = cut else {
        return detail;
    };
    let after = detail[cut..]
        .split_once('\n')
        .map_or("", |(_, rest)| rest)
        .trim_start();
    let is_trailer = after.is_empty()
        || after.starts_with("Note: You didn't use the -out option")
        || after.starts_with("Saved the plan to:");
    if is_trailer { &detail[..cut] } else { detail }
}

#[cfg(test)]
mod tests {
    use super::{OpenDiagnostic, box_content, start};
    use crate::model::Severity;

    #[test]
    fn headlines_and_boxes() {
        assert_eq!(
            start("Error: Bad thing"),
            Some((Severity::Error, "Bad thing"))
        );
        assert_eq!(
            start("Warning: Careful"),
            Some((Severity::Warning, "Careful"))
        );
        assert_eq!(start("Errors: none"), None);
        assert_eq!(box_content("│ Error: x"), Some("Error: x"));
        assert_eq!(box_content("│"), Some(""));
        assert_eq!(box_content("plain"), None);
    }

    #[test]
    fn detail_is_trimmed_and_names_the_resource() {
        let mut diag = OpenDiagnostic::new(Severity::Error, "local-exec provisioner error", true);
        for line in [
            "",
            "  with terraform_data.job,",
            "  on main.tf line 3:",
            "",
            "boom",
            "",
        ] {
            diag.push(line);
        }
        let diag = diag.close(false).remove(0).1;
        assert_eq!(diag.address.as_deref(), Some("terraform_data.job"));
        assert_eq!(
            diag.detail,
            "  with terraform_data.job,\n  on main.tf line 3:\n\nboom"
        );
    }

    fn group() -> OpenDiagnostic {
        let mut diag =
            OpenDiagnostic::new(Severity::Warning, "Check block assertion failed", false);
        for line in ["", "all good", ""] {
            diag.push(line);
        }
        diag.split(Severity::Error, "Provider produced inconsistent final plan");
        for line in ["", "a bug", ""] {
            diag.push(line);
        }
        diag.split(Severity::Warning, "Second check");
        diag.push("");
        diag.push("more");
        diag
    }

    #[test]
    fn an_error_part_is_text_when_terraform_could_not_have_printed_it() {
        let closed = group().close(true);
        assert_eq!(closed.len(), 2, "{closed:#?}");
        assert_eq!(
            closed[0].1.detail,
            "all good\n\nError: Provider produced inconsistent final plan\n\na bug"
        );
        assert_eq!(closed[1].1.summary, "Second check");
    }

    #[test]
    fn parts_are_diagnostics_of_their_own_where_errors_can_be_real() {
        let closed = group().close(false);
        let summaries: Vec<&str> = closed.iter().map(|(_, d)| d.summary.as_str()).collect();
        assert_eq!(
            summaries,
            [
                "Check block assertion failed",
                "Provider produced inconsistent final plan",
                "Second check"
            ]
        );
        assert_eq!(closed[1].1.detail, "a bug");
    }

    #[test]
    fn a_group_keeps_no_more_detail_than_its_room() {
        let line = "x".repeat(1000);
        let mut diag = OpenDiagnostic::new(Severity::Warning, "w", false).within(50_000);
        for i in 0..2000 {
            diag.push("");
            diag.split(Severity::Warning, &format!("warning {i}"));
            diag.push(&line);
        }
        assert!(diag.kept() <= 50_000, "{}", diag.kept());
        let closed = diag.close(false);
        assert_eq!(
            closed.len(),
            crate::model::MAX_DIAGNOSTICS,
            "every headline is kept"
        );
        let detail: usize = closed.iter().map(|(_, d)| d.detail.len()).sum();
        assert!(detail <= 50_000, "{detail}");
        assert_eq!(closed[1].1.detail, line, "the first parts keep their text");
    }

    #[test]
    fn an_empty_headline_takes_the_first_line_of_text() {
        let mut diag = OpenDiagnostic::new(Severity::Error, "", false);
        for line in ["", "", "  Missing required argument: \"name\"", "", "more"] {
            diag.push(line);
        }
        let diag = diag.close(false).remove(0).1;
        assert_eq!(diag.summary, "Missing required argument: \"name\"");
        assert_eq!(diag.detail, "more");
    }

    #[test]
    fn the_rule_and_note_after_the_last_diagnostic_are_not_its_text() {
        let mut diag = OpenDiagnostic::new(Severity::Warning, "w", false);
        for line in [
            "",
            "text",
            "",
            &"─".repeat(77),
            "",
            "Note: You didn't use the -out option to save this plan, so Terraform can't",
        ] {
            diag.push(line);
        }
        assert_eq!(diag.close(false)[0].1.detail, "text");
    }
}
