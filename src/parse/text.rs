//! The line-by-line reader of Terraform's human-readable output.
//!
//! One state machine serves every command, because real logs mix them: an apply prints a
//! plan first, a plan can end in errors, and diagnostics appear anywhere. Each line is looked
//! at once, as it arrives, so parsing keeps up with the pass-through and memory stays bounded.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock};

use crate::model::{
    Action, CappedText, Command, Counts, MAX_DIAGNOSTICS, MAX_RESOURCES, OutputChange, Report,
    ResourceChange, Severity, Tool,
};
use crate::parse::diagnostic::{self, OpenDiagnostic};
use crate::parse::outputs::OutputsReader;
use crate::parse::progress::{self, Done, Step};
use crate::parse::resource_line::{self, HeaderKind, Note};
use crate::parse::{ansi, lines, outcome, summary_line};

/// Where in the output the parser is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Other,
    /// "Terraform will perform the following actions:" up to the summary or a rule.
    Actions,
    /// "Changes to Outputs:" until a line that is not indented.
    Outputs,
    /// "Objects have changed outside of Terraform" up to its closing sentence.
    Drift,
}

/// How the plan part of the output ended. Terraform prints one plan per run, so the first
/// ending is the real one: a later look-alike is text inside a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlanEnd {
    /// A summary line, `No changes.`, or a refresh-only or outputs-only note.
    Succeeded,
    /// `Planning failed.`, or a plan Terraform shows as planned "but then encountered a
    /// problem".
    Failed,
}

/// Why an open diagnostic is being closed, which decides what its `Error:` parts are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Close {
    /// An apply summary line: Terraform prints none after an error, so `Error:` parts of
    /// the group were lines of text.
    ApplySummary,
    /// Anything else.
    Other,
}

/// How much text one output may have read again, in all, for summary lines that proved to
/// be text; past it, held lines go back into their diagnostic unread.
const REREAD_BUDGET: usize = 16 * 1024 * 1024;

/// The apply summary state an accepted summary line replaced: counts, errors before it,
/// whether an apply completed, the result line.
type SummaryState = (Option<Counts>, Option<usize>, bool, Option<String>);

/// A diagnostic whose text may go on past an `Apply complete!` line, with the lines read
/// since as outputs, to be read again as its text if they are not.
#[derive(Debug)]
struct Held {
    diagnostic: OpenDiagnostic,
    before: SummaryState,
    /// Each line, and whether it held escape codes before they were taken out.
    lines: Vec<(String, bool)>,
    size: usize,
}

impl Held {
    /// The most text kept to be read again; beyond it the lines are only outputs.
    const MAX: usize = 256 * 1024;

    fn new(diagnostic: OpenDiagnostic, before: SummaryState, summary: &str) -> Self {
        let mut held = Held {
            diagnostic,
            before,
            lines: Vec::new(),
            size: 0,
        };
        held.keep(summary, false);
        held
    }

    fn keep(&mut self, line: &str, escaped: bool) {
        if self.size + line.len() <= Self::MAX {
            self.size += line.len();
            self.lines.push((line.to_owned(), escaped));
        }
    }
}

/// Which list the last header added to, so `# (…)` notes attach to the right entry.
#[derive(Debug, Clone, Copy)]
enum LastHeader {
    None,
    Resource(usize),
    Drift(usize),
}

/// Markers seen so far; the outcome is decided from them at the end.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub plan_line: bool,
    pub no_changes: bool,
    pub outputs_section: bool,
    pub outputs_only_note: bool,
    pub refresh_only: bool,
    pub planning_failed: bool,
    pub apply_complete: bool,
    pub validate_success: bool,
    pub fmt_diff: bool,
    pub actions_header: bool,
    /// "Terraform planned the following actions, but then encountered a problem".
    pub planned_with_problem: bool,
    /// How many errors had been read when the last apply summary was accepted: errors
    /// after it mean the apply failed, errors before it did not stop it.
    pub errors_at_summary: Option<usize>,
    /// Lines other than blank ones and refresh/read progress.
    pub substantive_lines: u64,
    pub lines: u64,
}

/// What an apply did to one resource, from its progress lines.
#[derive(Debug, Clone, Copy, Default)]
struct Applied {
    created: bool,
    updated: bool,
    deleted: bool,
    imported: bool,
    open: u8,
    /// What Terraform said it finished, which is what its summary line counts.
    done: Counts,
}

/// Reads Terraform's text output one line at a time into a [`Report`].
#[derive(Debug)]
pub struct TextParser {
    report: Report,
    section: Section,
    last_header: LastHeader,
    diagnostic: Option<OpenDiagnostic>,
    box_open: bool,
    /// Detail text the report's diagnostics may still keep (see `diagnostic::DETAIL_BUDGET`).
    detail_room: usize,
    seen: Seen,
    legacy_headers: bool,
    modern_headers: bool,
    plan_counts: Option<Counts>,
    apply_counts: Option<Counts>,
    applied: Vec<(String, Applied)>,
    applied_index: HashMap<String, usize>,
    files: HashSet<String>,
    /// What the resources beyond [`MAX_RESOURCES`] would have counted.
    omitted: Counts,
    /// Whether an error has been seen, so every later line belongs to the error text.
    capturing_errors: bool,
    /// How the plan part ended; its facts are fixed from then on.
    plan_end: Option<PlanEnd>,
    /// Whether an apply has started (a progress line) or finished (a summary line).
    applying: bool,
    /// The outputs printed after an apply summary, while they are being read.
    outputs: Option<OutputsReader>,
    /// Where the output contradicts itself, said to the reader.
    notices: Vec<String>,
    /// A plain diagnostic ended by an apply summary line, kept until the outputs after the
    /// line show whether it was Terraform's.
    held: Option<Held>,
    /// What is left of [`REREAD_BUDGET`], so text built to nest look-alike summaries
    /// costs bounded work.
    reread_budget: usize,
    /// Lines waiting to be read again, in order; read in a loop, not by recursion, however
    /// deep look-alikes nest.
    replay: std::collections::VecDeque<(String, bool)>,
    /// Whether the replay loop is running.
    replaying: bool,
    /// Whether the error text began at a headline inside a diagnostic that may yet turn
    /// out to be a line of that diagnostic's text.
    errors_capture_tentative: bool,
    /// What [`TextParser::keep_changes`] asked for, handed on if the stream turns out to
    /// be Terragrunt's and each module gets a parser of its own.
    changes_head: Option<usize>,
}

impl TextParser {
    /// A parser for the output of `command`.
    pub fn new(command: Command) -> Self {
        TextParser {
            report: Report::new(command),
            section: Section::Other,
            last_header: LastHeader::None,
            diagnostic: None,
            box_open: false,
            detail_room: diagnostic::DETAIL_BUDGET,
            seen: Seen::default(),
            legacy_headers: false,
            modern_headers: false,
            plan_counts: None,
            apply_counts: None,
            applied: Vec::new(),
            applied_index: HashMap::new(),
            files: HashSet::new(),
            omitted: Counts::default(),
            capturing_errors: false,
            plan_end: None,
            applying: false,
            outputs: None,
            notices: Vec::new(),
            errors_capture_tentative: false,
            changes_head: None,
            held: None,
            reread_budget: REREAD_BUDGET,
            replay: std::collections::VecDeque::new(),
            replaying: false,
        }
    }

    /// The command whose output this is.
    pub(crate) fn command(&self) -> Command {
        self.report.command
    }

    /// Keeps up to `head` bytes of the changes section instead of the default, for a
    /// report that shows every resource's diff. Only before the first line is read.
    pub(crate) fn keep_changes(&mut self, head: usize) {
        self.report.transcript.changes = CappedText::with_caps(head, crate::model::DEFAULT_TAIL);
        self.changes_head = Some(head);
    }

    /// What [`TextParser::keep_changes`] set, if it was called.
    pub(crate) fn kept_changes(&self) -> Option<usize> {
        self.changes_head
    }

    /// Reads a block of whole lines (as the line assembler
    /// yields them). Runs of attribute lines inside resource blocks, the bulk of any plan, are
    /// taken in one step when they hold no escape codes or carriage returns.
    pub fn block(&mut self, block: &[u8]) {
        // Most logs hold no escape codes or carriage returns at all; one scan of the whole
        // block tells, and spares every line its own.
        if memchr::memchr2(0x1b, b'\r', block).is_some() {
            lines::for_each_line(block, |line| self.line(line));
            return;
        }
        // One SIMD scan finds every line end; runs of body lines are gathered as they come
        // and handed over whole just before the next line that needs reading.
        let mut ends = memchr::memchr_iter(b'\n', block);
        let mut run: Option<(usize, usize, u64)> = None;
        let mut at = 0;
        while at < block.len() {
            let end = ends.next().unwrap_or(block.len());
            let line = &block[at..end];
            if self.diagnostic.is_none() && self.outputs.is_none() && is_body_line(line) {
                run = Some(match run {
                    Some((start, _, count)) => (start, end, count + 1),
                    None => (at, end, 1),
                });
            } else {
                if let Some((start, stop, count)) = run.take() {
                    self.body_lines(&block[start..stop], count);
                }
                self.stripped_line(lines::clean(line), false);
            }
            at = end + 1;
        }
        if let Some((start, stop, count)) = run {
            self.body_lines(&block[start..stop], count);
        }
    }

    /// Takes `count` attribute lines at once: they only belong to the quoted sections.
    fn body_lines(&mut self, run: &[u8], count: u64) {
        self.report.transcript.combined.push_lines(run, count);
        if self.capturing_errors {
            self.report.transcript.errors.push_lines(run, count);
        }
        self.seen.lines += count;
        // As for single lines: only a line with something on it parts a note from its
        // header, so a run of blank lines leaves the header as it was.
        if run.iter().any(|&b| b != b'\n') {
            self.seen.substantive_lines += 1;
            self.last_header = LastHeader::None;
        }
        match self.section {
            Section::Actions | Section::Outputs => {
                self.report.transcript.changes.push_lines(run, count);
            }
            Section::Drift => self.report.transcript.drift.push_lines(run, count),
            Section::Other => {}
        }
    }

    /// Reads one raw line (no newline; colours, `\r` and invalid UTF-8 allowed).
    pub fn line(&mut self, raw: &[u8]) {
        let clean = lines::clean(raw);
        let stripped = ansi::strip(clean);
        let escaped = stripped.len() != clean.len();
        self.stripped_line(&stripped, escaped);
    }

    /// Reads one line that has no escape codes or line-end left in it; `escaped` when it
    /// had escape codes before they were taken out.
    pub(crate) fn stripped_line(&mut self, stripped: &[u8], escaped: bool) {
        self.report.transcript.combined.push_line(stripped);
        if self.capturing_errors {
            self.report
                .transcript
                .errors
                .push_line(strip_frame(stripped));
        }
        self.seen.lines += 1;
        self.read(stripped, escaped);
    }

    /// Reads one line for its meaning (it has been copied to the transcript already).
    fn read(&mut self, stripped: &[u8], escaped: bool) {
        if self.outputs.is_some() && self.take_output_line(stripped, escaped) {
            return;
        }
        if self.diagnostic.is_none() && is_noise_bytes(stripped) {
            // Refresh and read progress: a tenth of a big plan, and it tells nothing.
            return;
        }
        if self.diagnostic.is_none()
            && (is_body_line(stripped) || self.is_plain_block_line(stripped))
        {
            if !stripped.is_empty() {
                self.seen.substantive_lines += 1;
                self.last_header = LastHeader::None;
            }
            self.capture_section(stripped);
            return;
        }
        match std::str::from_utf8(stripped) {
            Ok(text) => self.text_line(text, stripped),
            Err(_) => self.text_line(&String::from_utf8_lossy(stripped), stripped),
        }
    }

    /// Whether an indented line is one the parser has no use for, told from its bytes alone:
    /// not a `# …` header or note, and not in a section that reads indented lines.
    fn is_plain_block_line(&self, line: &[u8]) -> bool {
        line.first() == Some(&b' ')
            && !line.trim_ascii_start().starts_with(b"# ")
            && self.section != Section::Outputs
            && (self.section != Section::Actions || self.modern_headers)
    }

    fn text_line(&mut self, line: &str, bytes: &[u8]) {
        if self.continue_diagnostic(line) {
            return;
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            self.capture_section(bytes);
            return;
        }
        if line.starts_with(' ') {
            self.seen.substantive_lines += 1;
            self.indented(line, bytes);
        } else {
            if !is_noise(line) {
                self.seen.substantive_lines += 1;
            }
            self.top_level(line, bytes);
        }
    }

    /// Feeds a line to the outputs after an apply summary; false when it cannot be one,
    /// which means the summary line was not Terraform's.
    fn take_output_line(&mut self, bytes: &[u8], escaped: bool) -> bool {
        let line = String::from_utf8_lossy(bytes);
        let Some(reader) = self.outputs.as_mut() else {
            return false;
        };
        if reader.take(&line, escaped) {
            if let Some(held) = self.held.as_mut() {
                held.keep(&line, escaped);
            }
            return true;
        }
        self.outputs = None;
        let Some(held) = self.held.take() else {
            self.notices.push(
                "text follows an `Apply complete!` line where only outputs can: that line was read as text, not as the result"
                    .to_owned(),
            );
            return false;
        };
        // The summary line was a line of the diagnostic before it: take the diagnostic up
        // again and read what followed as its text, as Terraform printed it, then this line.
        let Held {
            mut diagnostic,
            before,
            lines,
            size,
        } = held;
        (
            self.apply_counts,
            self.seen.errors_at_summary,
            self.seen.apply_complete,
            self.report.result,
        ) = before;
        let mut lines = lines.into_iter();
        if let Some((summary, _)) = lines.next() {
            diagnostic.push(&summary);
        }
        if size > self.reread_budget {
            for (kept, _) in lines {
                diagnostic.push(&kept);
            }
            self.diagnostic = Some(diagnostic);
            return false;
        }
        self.reread_budget -= size;
        self.diagnostic = Some(diagnostic);
        let again: Vec<(String, bool)> = lines
            .chain(std::iter::once((line.into_owned(), escaped)))
            .collect();
        for entry in again.into_iter().rev() {
            self.replay.push_front(entry);
        }
        if !self.replaying {
            self.replaying = true;
            while let Some((kept, escaped)) = self.replay.pop_front() {
                self.read(kept.as_bytes(), escaped);
            }
            self.replaying = false;
        }
        true
    }

    /// Whether an open plain diagnostic runs until the next headline whatever its lines
    /// say: once the plan has ended or an apply has started, Terraform prints only
    /// diagnostics (and an apply its summary), and an error is the last thing printed.
    fn is_strict(&self, open: &OpenDiagnostic) -> bool {
        open.has_error() || self.plan_end.is_some() || self.applying
    }

    /// Feeds the line to an open diagnostic; false when the line ended it (or none is open).
    fn continue_diagnostic(&mut self, line: &str) -> bool {
        let strict = self
            .diagnostic
            .as_ref()
            .is_some_and(|open| !open.boxed && self.is_strict(open));
        let Some(open) = self.diagnostic.as_mut() else {
            if line == "╷" {
                self.box_open = true;
                return true;
            }
            return false;
        };
        if open.boxed {
            if line.starts_with('╵') {
                self.close_diagnostic(Close::Other);
                self.box_open = false;
                return true;
            }
            if let Some(content) = diagnostic::box_content(line) {
                // Every line inside a frame is the diagnostic's own, `Error:` included:
                // Terraform draws one frame per diagnostic.
                open.push(content);
                return true;
            }
            self.close_diagnostic(Close::Other);
            return false;
        }
        if strict {
            if open.after_blank() {
                if let Some((severity, summary)) = diagnostic::start(line) {
                    open.split(severity, summary);
                    let surely_text = self.plan_succeeded();
                    if severity == Severity::Error && !surely_text && !self.capturing_errors {
                        // Perhaps Terraform's own error; dropped again if it was text.
                        self.capturing_errors = true;
                        self.errors_capture_tentative = true;
                        self.report.transcript.errors.push_line(line.as_bytes());
                    }
                    return true;
                }
                if self.report.command.is_apply_like() && summary_line::apply_counts(line).is_some()
                {
                    // Terraform's summary, or a line of this diagnostic: the outputs after
                    // it tell, so the diagnostic is held until they do.
                    if let Some(open) = self.diagnostic.take() {
                        self.release_held();
                        self.held = Some(Held::new(open, self.summary_state(), line));
                    }
                    return false;
                }
            }
            open.push(line);
            return true;
        }
        if ends_plain_diagnostic(line) {
            self.close_diagnostic(Close::Other);
            return false;
        }
        open.push(line);
        true
    }

    /// What an accepted summary line replaces, to be put back if it proves to be text.
    fn summary_state(&self) -> SummaryState {
        (
            self.apply_counts,
            self.seen.errors_at_summary,
            self.seen.apply_complete,
            self.report.result.clone(),
        )
    }

    /// Records a held diagnostic for good: the summary line after it was Terraform's.
    fn release_held(&mut self) {
        if let Some(held) = self.held.take() {
            self.diagnostic = Some(held.diagnostic);
            // Its errors were printed before the summary line, whenever they are recorded.
            let before = self.report.errors.len();
            self.close_diagnostic(Close::ApplySummary);
            let added = self.report.errors.len() - before;
            if let Some(at) = self.seen.errors_at_summary.as_mut() {
                *at += added;
            }
        }
    }

    fn close_diagnostic(&mut self, by: Close) {
        let Some(open) = self.diagnostic.take() else {
            return;
        };
        // After a plan that succeeded, Terraform prints warnings only; after an error it
        // prints no apply summary. An `Error:` headline where it could not have printed
        // one is a line of the text of the diagnostic above it.
        let errors_are_text = match by {
            Close::ApplySummary => true,
            Close::Other => self.plan_succeeded(),
        };
        if errors_are_text && self.errors_capture_tentative {
            self.report.transcript.errors = CappedText::default();
            self.capturing_errors = false;
        }
        self.errors_capture_tentative = false;
        self.detail_room = self.detail_room.saturating_sub(open.kept());
        for (severity, diag) in open.close(errors_are_text) {
            if let Some(address) = &diag.address
                && severity == Severity::Error
                && !self.report.failed.contains(address)
            {
                self.report.failed.push(address.clone());
            }
            let list = match severity {
                Severity::Error => &mut self.report.errors,
                Severity::Warning => &mut self.report.warnings,
            };
            if list.len() < MAX_DIAGNOSTICS {
                list.push(diag);
            }
        }
    }

    fn top_level(&mut self, line: &str, bytes: &[u8]) {
        let boxed = diagnostic::box_content(line);
        if let Some((severity, summary)) = diagnostic::start(boxed.unwrap_or(line)) {
            if severity == Severity::Error && !self.capturing_errors {
                self.capturing_errors = true;
                self.report.transcript.errors.push_line(strip_frame(bytes));
            }
            let open = OpenDiagnostic::new(severity, summary, boxed.is_some() || self.box_open);
            self.diagnostic = Some(open.within(self.detail_room));
            self.section = Section::Other;
            return;
        }
        if self.report.command == Command::Fmt {
            self.fmt_line(line);
            return;
        }
        if self.section == Section::Outputs {
            self.section = Section::Other;
        }
        if self.report.command.is_apply_like()
            && let Some(counts) = summary_line::apply_counts(line)
        {
            self.apply_counts = Some(counts);
            self.seen.apply_complete = true;
            self.applying = true;
            self.report.result = Some(line.to_owned());
            self.seen.errors_at_summary = Some(self.report.errors.len());
            self.outputs = Some(OutputsReader::new());
            self.section = Section::Other;
        } else if self.plan_end.is_some()
            && (self.seen.outputs_section || !line.starts_with("Changes to Outputs:"))
        {
            // The plan has been read (its output changes follow its summary line, once):
            // what reads like another plan is text.
            if let Some(tool) = tool_named(line) {
                self.report.tool = tool;
            } else if self.report.command.is_apply_like()
                && self.seen.errors_at_summary.is_none()
                && self.progress_line(line)
            {
                self.applying = true;
            }
        } else if let Some(counts) = summary_line::plan_counts(line) {
            self.plan_counts = Some(counts);
            self.seen.plan_line = true;
            self.set_result(line);
            self.section = Section::Other;
            self.end_plan(if self.seen.planned_with_problem {
                PlanEnd::Failed
            } else {
                PlanEnd::Succeeded
            });
        } else if line.starts_with("No changes.") {
            self.seen.no_changes = true;
            self.set_result(line);
            self.section = Section::Other;
            self.end_plan(PlanEnd::Succeeded);
        } else if line.starts_with("Changes to Outputs:") {
            self.seen.outputs_section = true;
            self.section = Section::Outputs;
            self.report.transcript.changes.push_line(bytes);
        } else if let Some(tool) = actions_header(line) {
            self.report.tool = tool;
            self.seen.actions_header = true;
            self.seen.planned_with_problem |= line.ends_with("but then encountered a problem:");
            self.section = Section::Actions;
        } else if line.starts_with("Note: Objects have changed outside of ") {
            self.section = Section::Drift;
            self.report.transcript.drift.push_line(bytes);
        } else if line.starts_with("Unless you have made equivalent changes") {
            self.report.transcript.drift.push_line(bytes);
            self.section = Section::Other;
        } else if line.starts_with("This is a refresh-only plan") {
            self.seen.refresh_only = true;
            self.section = Section::Other;
            self.end_plan(PlanEnd::Succeeded);
            if self.report.result.is_none() {
                // Terraform wraps these sentences at its terminal width; say them whole.
                let tool = self.report.tool.display_name();
                self.report.result = Some(format!(
                    "This is a refresh-only plan, so {tool} will not take any actions to undo these."
                ));
            }
        } else if line.starts_with("You can apply this plan to save these new output values") {
            self.seen.outputs_only_note = true;
            self.end_plan(PlanEnd::Succeeded);
            if self.report.result.is_none() {
                let tool = self.report.tool.display_name();
                self.report.result = Some(format!(
                    "You can apply this plan to save these new output values to the {tool} state, without changing any real infrastructure."
                ));
            }
        } else if line.starts_with("Planning failed.") {
            self.seen.planning_failed = true;
            self.end_plan(PlanEnd::Failed);
        } else if line.starts_with("Success! The configuration is valid") {
            self.seen.validate_success = true;
            self.set_result(line);
        } else if line.starts_with('─') {
            self.section = Section::Other;
        } else if let Some(tool) = tool_named(line) {
            self.report.tool = tool;
        } else if self.report.command.is_apply_like()
            && self.seen.errors_at_summary.is_none()
            && self.progress_line(line)
        {
            self.applying = true;
        } else {
            self.capture_section(bytes);
            if self.section == Section::Actions && !self.modern_headers {
                // 0.11 printed replacements (`-/+ addr`) without indentation.
                self.legacy_line(line);
            }
        }
    }

    /// Whether this is a plan that Terraform ended as a success, after which it prints
    /// warnings only, never an error.
    fn plan_succeeded(&self) -> bool {
        !self.report.command.is_apply_like() && self.plan_end == Some(PlanEnd::Succeeded)
    }

    /// Fixes the plan's facts: the first ending is the one Terraform printed.
    fn end_plan(&mut self, end: PlanEnd) {
        if self.plan_end.is_none() {
            self.plan_end = Some(end);
        }
    }

    fn set_result(&mut self, line: &str) {
        let is_error = self
            .report
            .result
            .as_deref()
            .is_some_and(|r| r.starts_with("Error: "));
        if !is_error {
            self.report.result = Some(line.to_owned());
        }
    }

    fn indented(&mut self, line: &str, bytes: &[u8]) {
        self.capture_section(bytes);
        let indent = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let trimmed = &line[indent..];
        if indent <= 2
            && self.section != Section::Other
            && let Some(text) = trimmed.strip_prefix("# ")
            && self.resource_comment(text)
        {
            return;
        }
        match self.section {
            Section::Outputs if indent == 2 => self.output_line(trimmed),
            Section::Actions if indent <= 2 && !self.modern_headers => self.legacy_line(trimmed),
            _ => {}
        }
        self.last_header = LastHeader::None;
    }

    /// A `# …` line at resource indentation: a header or a note. True when it was one.
    fn resource_comment(&mut self, text: &str) -> bool {
        if let Some(note) = resource_line::note(text) {
            self.apply_note(&note);
            return true;
        }
        let Some(header) = resource_line::header(text) else {
            return false;
        };
        self.modern_headers = true;
        let in_drift = self.section == Section::Drift;
        if !in_drift && self.report.resources.len() >= MAX_RESOURCES {
            // Past the cap only the tally grows, so memory stays flat on any input.
            if let HeaderKind::Change {
                action, imported, ..
            } = header.kind
            {
                self.omitted.tally(action, imported);
            }
            self.report.resources_omitted += 1;
            self.last_header = LastHeader::None;
            return true;
        }
        let mut change = match header.kind {
            HeaderKind::Drift(action) => {
                if self.report.drift.len() < MAX_RESOURCES {
                    self.report
                        .drift
                        .push(ResourceChange::new(header.address, action));
                    self.last_header = LastHeader::Drift(self.report.drift.len() - 1);
                }
                return true;
            }
            HeaderKind::Change {
                action,
                reason,
                imported,
            } => {
                let mut change = ResourceChange::new(header.address, action);
                change.set_reason(reason);
                change.imported = imported;
                change
            }
            HeaderKind::MovedTo(to) => {
                let mut change = ResourceChange::new(to, Action::NoOp);
                change.set_moved_from(Some(header.address));
                change
            }
        };
        change.set_deposed(header.deposed);
        if in_drift {
            if self.report.drift.len() < MAX_RESOURCES {
                self.report.drift.push(change);
                self.last_header = LastHeader::Drift(self.report.drift.len() - 1);
            }
        } else {
            self.push_resource(change);
        }
        true
    }

    fn push_resource(&mut self, change: ResourceChange) {
        if self.report.resources.len() < MAX_RESOURCES {
            Arc::make_mut(&mut self.report.resources).push(change);
            self.last_header = LastHeader::Resource(self.report.resources.len() - 1);
        } else {
            self.report.resources_omitted += 1;
            self.last_header = LastHeader::None;
        }
    }

    fn apply_note(&mut self, note: &Note<'_>) {
        let target = match self.last_header {
            LastHeader::Resource(i) => Arc::make_mut(&mut self.report.resources).get_mut(i),
            LastHeader::Drift(i) => self.report.drift.get_mut(i),
            LastHeader::None => None,
        };
        let Some(change) = target else {
            return;
        };
        match note {
            Note::MovedFrom(from) => change.set_moved_from(Some(from)),
            Note::ImportedFrom => change.imported = true,
            Note::Reason(reason) => {
                if change.reason().is_none() {
                    change.set_reason(Some(reason));
                }
            }
            Note::Other => {}
        }
    }

    /// `+ name = …` under "Changes to Outputs:".
    fn output_line(&mut self, trimmed: &str) {
        let (action, rest) = match trimmed.split_at_checked(2) {
            Some(("+ ", rest)) => (Action::Create, rest),
            Some(("~ ", rest)) => (Action::Update, rest),
            Some(("- ", rest)) => (Action::Delete, rest),
            _ => return,
        };
        let name = rest.split([' ', '=']).next().unwrap_or_default();
        if !name.is_empty() {
            self.report.outputs.push(OutputChange {
                name: name.to_owned(),
                action,
                module_dir: None,
            });
        }
    }

    /// Terraform 0.11's `  + aws_instance.web` / `-/+ aws_instance.db (new resource required)`.
    fn legacy_line(&mut self, trimmed: &str) {
        let symbols = [
            ("-/+ ", Action::Replace),
            ("+/- ", Action::Replace),
            ("<= ", Action::Read),
            ("+ ", Action::Create),
            ("~ ", Action::Update),
            ("- ", Action::Delete),
        ];
        let Some((rest, action)) = symbols
            .iter()
            .find_map(|(s, a)| trimmed.strip_prefix(s).map(|r| (r, *a)))
        else {
            return;
        };
        let address = rest.split(' ').next().unwrap_or_default();
        let looks_like_block = rest.starts_with("resource \"") || rest.starts_with("data \"");
        if address.is_empty() || looks_like_block || rest.contains(" = ") || rest.contains(':') {
            return;
        }
        self.legacy_headers = true;
        let mut change = ResourceChange::new(address, action);
        if rest.ends_with("(new resource required)") {
            change.set_reason(Some("new resource required"));
        }
        self.push_resource(change);
    }

    fn capture_section(&mut self, bytes: &[u8]) {
        match self.section {
            Section::Actions | Section::Outputs => self.report.transcript.changes.push_line(bytes),
            Section::Drift => self.report.transcript.drift.push_line(bytes),
            Section::Other => {}
        }
    }

    /// Records an apply progress line; false when the line is not one.
    fn progress_line(&mut self, line: &str) -> bool {
        let Some(p) = progress::progress(line) else {
            return false;
        };
        let index = if let Some(&i) = self.applied_index.get(p.address) {
            i
        } else {
            if self.applied.len() >= MAX_RESOURCES {
                return true;
            }
            self.applied
                .push((p.address.to_owned(), Applied::default()));
            self.applied_index
                .insert(p.address.to_owned(), self.applied.len() - 1);
            self.applied.len() - 1
        };
        let state = &mut self.applied[index].1;
        match p.step {
            Step::StartCreate => state.created = true,
            Step::StartUpdate => state.updated = true,
            Step::StartDelete => state.deleted = true,
            Step::StartImport => state.imported = true,
            Step::Complete(_) | Step::Errored => {}
        }
        if let Step::Complete(done) = p.step {
            let (counter, seen) = match done {
                Done::Create => (&mut state.done.add, state.created),
                Done::Update => (&mut state.done.change, state.updated),
                Done::Delete => (&mut state.done.destroy, state.deleted),
                Done::Import => (&mut state.done.import, state.imported),
            };
            // One line per object: a deposed object's destruction is one more destroyed.
            if seen {
                *counter += 1;
            }
        }
        match p.step {
            Step::StartCreate | Step::StartUpdate | Step::StartDelete => {
                state.open = state.open.saturating_add(1);
            }
            Step::Complete(_) => state.open = state.open.saturating_sub(1),
            Step::StartImport => {}
            Step::Errored => state.open = state.open.max(1),
        }
        true
    }

    fn fmt_line(&mut self, line: &str) {
        if let Some(file) = line.strip_prefix("--- old/") {
            self.seen.fmt_diff = true;
            self.add_file(file);
        } else if line.starts_with("@@ ") {
            self.seen.fmt_diff = true;
        } else if !line.starts_with("+++ ")
            && !line.starts_with('+')
            && !line.starts_with('-')
            && !line.contains(' ')
            && is_terraform_file(line)
        {
            self.add_file(line);
        }
    }

    fn add_file(&mut self, file: &str) {
        if self.files.insert(file.to_owned()) {
            self.report.files.push(file.to_owned());
        }
    }

    /// The report, with the outcome decided from everything seen.
    pub fn finish(mut self) -> Report {
        self.close_diagnostic(Close::Other);
        self.release_held();
        let applied = std::mem::take(&mut self.applied);
        let finished = applied
            .iter()
            .fold(Counts::default(), |mut sum, (_, state)| {
                sum.merge(state.done);
                sum
            });
        let progressed = !applied.is_empty();
        self.merge_apply_progress(applied);
        let counts = if self.report.command.is_apply_like() {
            match self.apply_counts {
                Some(printed) if progressed => self.checked(
                    Some(printed),
                    Some(finished),
                    "resources the apply reported finished",
                ),
                printed => printed.or(self.plan_counts),
            }
        } else {
            let mut listed = outcome::counts_of(&self.report.resources);
            listed.merge(self.omitted);
            let has_list = self.seen.actions_header || !self.report.resources.is_empty();
            self.checked(
                self.plan_counts,
                has_list.then_some(listed),
                "resources listed in the plan",
            )
        };
        outcome::decide(&mut self.report, &self.seen, counts, self.omitted);
        self.report.notices = self.notices;
        // Messages read the report for as long as they are made: keep no spare room.
        self.report.transcript.compact();
        Arc::make_mut(&mut self.report.resources).shrink_to_fit();
        self.report
    }

    /// The counts to report: a summary line is text that can be imitated, the resources
    /// Terraform lists are structure, so where the two disagree the list wins and the
    /// disagreement is said.
    fn checked(
        &mut self,
        printed: Option<Counts>,
        listed: Option<Counts>,
        what: &str,
    ) -> Option<Counts> {
        let (Some(printed), Some(listed)) = (printed, listed) else {
            return printed.or(listed);
        };
        let same = (printed.add, printed.change, printed.destroy)
            == (listed.add, listed.change, listed.destroy);
        if same {
            return Some(printed);
        }
        if let Some(restated) = self
            .report
            .result
            .as_deref()
            .and_then(|result| summary_line::restate(result, listed))
        {
            self.report.result = Some(restated);
        }
        self.notices.push(format!(
            "the summary line says {} to add, {} to change, {} to destroy, but the {what} add up to {} to add, {} to change, {} to destroy: the {what} are counted",
            printed.add, printed.change, printed.destroy, listed.add, listed.change, listed.destroy
        ));
        Some(Counts {
            import: printed.import.max(listed.import),
            forget: printed.forget.max(listed.forget),
            ..listed
        })
    }

    /// Folds progress lines into the resource list: the only record for a saved-plan apply,
    /// and the record of what an interrupted apply left unfinished.
    fn merge_apply_progress(&mut self, applied: Vec<(String, Applied)>) {
        let listed = !self.report.resources.is_empty();
        for (address, state) in applied {
            if state.open > 0 && !self.report.failed.contains(&address) {
                self.report.failed.push(address.clone());
            }
            if listed {
                continue;
            }
            let action = match (state.created, state.updated, state.deleted) {
                (true, _, true) => Action::Replace,
                (true, _, false) => Action::Create,
                (false, true, _) => Action::Update,
                (false, false, true) => Action::Delete,
                (false, false, false) => Action::NoOp,
            };
            let mut change = ResourceChange::new(address, action);
            change.imported = state.imported;
            self.push_resource(change);
        }
    }
}

/// `Terraform will perform the following actions:` and its relatives; which tool said it.
fn actions_header(line: &str) -> Option<Tool> {
    let tool = tool_prefix(line)?;
    let rest = line.split_once(' ').map_or("", |(_, r)| r);
    let is_header = rest == "will perform the following actions:"
        || rest == "planned the following actions, but then encountered a problem:";
    is_header.then_some(tool)
}

/// The tool a line of Terraform's own prose names, for lines that only tell us that.
fn tool_named(line: &str) -> Option<Tool> {
    let tool = tool_prefix(line)?;
    let rest = line.split_once(' ').map_or("", |(_, r)| r);
    let known = rest.starts_with("used the selected providers")
        || rest.starts_with("has compared your real infrastructure")
        || rest.starts_with("detected the following changes made outside");
    known.then_some(tool)
}

fn tool_prefix(line: &str) -> Option<Tool> {
    if line.starts_with("Terraform ") {
        Some(Tool::Terraform)
    } else if line.starts_with("OpenTofu ") {
        Some(Tool::OpenTofu)
    } else {
        None
    }
}

/// Whether a line ends a plain (unboxed) diagnostic: something Terraform prints only at the
/// top level of its output, never inside a diagnostic's explanation.
fn ends_plain_diagnostic(line: &str) -> bool {
    const STARTS: &[&str] = &[
        "Error: ",
        "Warning: ",
        "Plan: ",
        "Apply complete!",
        "Destroy complete!",
        "No changes.",
        "Changes to Outputs:",
        "Note: ",
        "Success! ",
        "Planning failed.",
        "Outputs:",
        "─",
        "╷",
        "│",
        "Terraform used the selected providers",
        "OpenTofu used the selected providers",
        "Terraform will perform the following actions:",
        "OpenTofu will perform the following actions:",
        "Terraform planned the following actions",
        "OpenTofu planned the following actions",
        "Apply cancelled",
        "Releasing state lock",
    ];
    if line.starts_with(' ') || line.is_empty() {
        return false;
    }
    STARTS.iter().any(|s| line.starts_with(s)) || progress::progress(line).is_some()
}

/// A line without the diagnostic frame Terraform draws around errors with colour on.
fn strip_frame(line: &[u8]) -> &[u8] {
    for frame in ["│ ", "│", "╷", "╵", "| "] {
        if let Some(rest) = line.strip_prefix(frame.as_bytes()) {
            return rest;
        }
    }
    line
}

/// Whether a line can only be quoted, never read: blank, or indented deeper than any line
/// the parser reads outside a diagnostic (headers, notes and outputs sit at two spaces;
/// 0.11's symbols at most three).
fn is_body_line(line: &[u8]) -> bool {
    line.is_empty() || line.starts_with(b"    ")
}

/// Lines that say nothing about the result: refresh and read progress of a plan.
fn is_noise(line: &str) -> bool {
    if !line.ends_with(']') && !line.ends_with("...") && !line.contains(": Read complete after") {
        return false;
    }
    line.ends_with("Reading...")
        || line.contains(": Refreshing state...")
        || line.contains(": Read complete after")
        || line.contains(": Still reading...")
}

/// [`is_noise`] on raw bytes, so progress lines skip UTF-8 checks and every other test.
fn is_noise_bytes(line: &[u8]) -> bool {
    static PATTERNS: LazyLock<[memchr::memmem::Finder<'static>; 4]> = LazyLock::new(|| {
        [
            memchr::memmem::Finder::new(b": Refreshing state..."),
            memchr::memmem::Finder::new(b": Reading..."),
            memchr::memmem::Finder::new(b": Read complete after"),
            memchr::memmem::Finder::new(b": Still reading..."),
        ]
    });
    if !matches!(line.last(), Some(b']' | b'.')) || line.first() == Some(&b' ') {
        return false;
    }
    PATTERNS.iter().any(|p| p.find(line).is_some())
}

fn is_terraform_file(name: &str) -> bool {
    [
        ".tf",
        ".tfvars",
        ".tftest.hcl",
        ".tf.json",
        ".tofu",
        ".tfmock.hcl",
    ]
    .iter()
    .any(|ext| name.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::TextParser;
    use crate::model::{Command, MAX_RESOURCES, Outcome};

    fn parse(text: &str) -> crate::model::Report {
        let mut parser = TextParser::new(Command::Plan);
        parser.block(text.as_bytes());
        parser.finish()
    }

    #[test]
    fn the_resource_list_is_capped_but_the_counts_are_not() {
        let mut text = String::from("Terraform will perform the following actions:\n\n");
        for i in 0..MAX_RESOURCES + 5 {
            let _ = writeln!(text, "  # terraform_data.r[{i}] will be destroyed");
        }
        let report = parse(&text);
        assert_eq!(report.resources.len(), MAX_RESOURCES);
        assert_eq!(report.resources_omitted, 5);
        assert_eq!(report.counts.destroy, MAX_RESOURCES as u64 + 5);
        assert!(report.has_destroy);
        assert_eq!(
            report.outcome,
            Outcome::Unparsed,
            "no summary line: cut short"
        );
    }

    #[test]
    fn notes_attach_only_to_the_header_right_above_them() {
        let report = parse(
            "Terraform will perform the following actions:\n\
             \n  # terraform_data.a will be destroyed\n  # (because terraform_data.a is not in configuration)\n\
             \x20 - resource \"terraform_data\" \"a\" {\n      - id = \"x\" -> null\n    }\n\
             \n  # (because nothing)\n\nPlan: 0 to add, 0 to change, 1 to destroy.\n",
        );
        assert_eq!(
            report.resources[0].reason(),
            Some("because terraform_data.a is not in configuration")
        );
        assert_eq!(report.outcome, Outcome::Changes);
    }

    #[test]
    fn body_runs_and_single_lines_read_alike() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/terraform/1.11/plan_mixed.txt"
        ))
        .expect("fixture");
        let whole = parse(&text);
        let mut parser = TextParser::new(Command::Plan);
        for line in text.lines() {
            parser.line(line.as_bytes());
        }
        let by_line = parser.finish();
        assert_eq!(whole, by_line);
    }

    #[test]
    fn the_error_text_runs_from_the_first_error_to_the_end_without_frames() {
        let colour = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/terraform/1.11/plan_prevent_destroy.color.txt"
        ))
        .expect("fixture");
        let mut parser = TextParser::new(Command::Plan);
        parser.block(&colour);
        let report = parser.finish();
        let errors = report.transcript.errors.text();
        assert!(
            errors.starts_with("Error: Instance cannot be destroyed\n"),
            "{errors}"
        );
        assert!(!errors.contains('│') && !errors.contains('╵'), "{errors}");
        assert!(errors.contains("reduce the scope of the plan using the -target option."));
    }
}
