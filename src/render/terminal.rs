//! The summary printed on stderr after the pass-through.
//!
//! It must read well without colour (CI logs, `NO_COLOR`), so every colour doubles a word or
//! a symbol that already says the same thing.

use std::fmt::Write as _;

use crate::model::{Action, Command, Outcome, Report};
use crate::render::style::{Style, paint};
use crate::render::summary::{GroupKind, Summary};

/// The protected resources the run destroys, before anything else: a platform team's
/// "this must not slip through" is the first thing in the log.
fn protected_banner(report: &Report, out: &mut String, color: bool) {
    if report.protected.is_empty() {
        return;
    }
    let n = report.protected.len();
    let (noun, verb) = match (n, report.command.is_apply_like()) {
        (1, false) => ("resource", "will be destroyed or replaced"),
        (_, false) => ("resources", "will be destroyed or replaced"),
        (1, true) => ("resource", "was destroyed or replaced"),
        (_, true) => ("resources", "were destroyed or replaced"),
    };
    let headline = format!("!! PROTECTED: {n} protected {noun} {verb} !!");
    let _ = writeln!(out, "\n{}", paint(&headline, Style::BoldRed, color));
    for change in &report.protected {
        let what = protected_action(change.action, report.command.is_apply_like());
        let _ = writeln!(
            out,
            "      {}  {}",
            change.address,
            paint(&format!("({what})"), Style::BoldRed, color)
        );
    }
}

/// What happens to a protected resource, in the tense of the command.
fn protected_action(action: Action, done: bool) -> &'static str {
    match (action, done) {
        (Action::Replace, false) => "will be replaced",
        (Action::Replace, true) => "was replaced",
        (_, false) => "will be destroyed",
        (_, true) => "was destroyed",
    }
}

/// The terminal summary of `report`, coloured when `color` is on.
pub fn terminal(report: &Report, color: bool) -> String {
    let summary = Summary::new(report);
    let mut out = String::new();
    let p = |text: &str, style: Style| paint(text, style, color);

    let outcome_style = match report.outcome {
        Outcome::Changes | Outcome::Unformatted => Style::Yellow,
        Outcome::NoChanges | Outcome::Applied | Outcome::Formatted | Outcome::Valid => Style::Green,
        Outcome::Error | Outcome::ApplyFailed | Outcome::Invalid | Outcome::Unparsed => {
            Style::BoldRed
        }
    };
    protected_banner(report, &mut out, color);
    let _ = writeln!(
        out,
        "\n{} {} {}",
        p("tfnotify", Style::Bold),
        p(&format!("{}:", report.command.as_str()), Style::Dim),
        p(&summary.headline(), outcome_style)
    );
    if let Some(result) = &report.result {
        let _ = writeln!(out, "  {result}");
    }
    if let Some(hint) = summary.unparsed_hint() {
        let _ = writeln!(out, "  {hint}");
    }
    if let Some(warning) = summary.destroy_warning() {
        let _ = writeln!(out, "  {}", p(&format!("!! {warning} !!"), Style::BoldRed));
    }
    let result_has_counts = report
        .result
        .as_deref()
        .is_some_and(|r| r.starts_with("Plan: "));
    if !report.counts.is_zero() && report.command == Command::Plan && !result_has_counts {
        let _ = writeln!(out, "  {}", report.counts.plan_phrase());
    }

    for group in &summary.groups {
        let style = group_style(group.kind);
        let _ = writeln!(
            out,
            "\n  {} {} ({})",
            p(group.kind.symbol(), style),
            p(group.kind.label(), style),
            group.resources.len()
        );
        let limit = Summary::limit(group.kind);
        for r in group.resources.iter().take(limit) {
            match Summary::note(group.kind, r) {
                Some(note) => {
                    let _ = writeln!(
                        out,
                        "      {}  {}",
                        r.address,
                        p(&format!("({note})"), Style::Dim)
                    );
                }
                None => {
                    let _ = writeln!(out, "      {}", r.address);
                }
            }
        }
        if group.resources.len() > limit {
            let _ = writeln!(out, "      … and {} more", group.resources.len() - limit);
        }
    }
    if report.resources_omitted > 0 {
        let _ = writeln!(
            out,
            "\n  … {} more resource changes not listed (the list is capped)",
            report.resources_omitted
        );
    }
    if !report.outputs.is_empty() {
        let outputs: Vec<String> = report
            .outputs
            .iter()
            .map(|o| format!("{} {}", output_symbol(o.action), o.name))
            .collect();
        let _ = writeln!(out, "\n  outputs: {}", outputs.join(", "));
    }
    if !report.drift.is_empty() {
        let _ = writeln!(
            out,
            "\n  {} ({})",
            p(
                &format!("changed outside of {}", report.tool.display_name()),
                Style::Magenta
            ),
            report.drift.len()
        );
        for r in report.drift.iter().take(25) {
            let _ = writeln!(out, "      {} {}", output_symbol(r.action), r.address);
        }
        if report.drift.len() > 25 {
            let _ = writeln!(out, "      … and {} more", report.drift.len() - 25);
        }
    }
    if !report.files.is_empty() {
        let _ = writeln!(
            out,
            "\n  {} ({})",
            p("files to format", Style::Yellow),
            report.files.len()
        );
        for file in &report.files {
            let _ = writeln!(out, "      {file}");
        }
    }
    for (title, list, style) in [
        ("warnings", &report.warnings, Style::Yellow),
        ("errors", &report.errors, Style::BoldRed),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n  {} ({})", p(title, style), list.len());
        for diag in list.iter().take(10) {
            let at = diag
                .address
                .as_ref()
                .map(|a| format!("  ({a})"))
                .unwrap_or_default();
            let _ = writeln!(out, "      {}{at}", diag.summary);
        }
        if list.len() > 10 {
            let _ = writeln!(out, "      … and {} more", list.len() - 10);
        }
    }
    if !report.notices.is_empty() {
        let _ = writeln!(
            out,
            "\n  {} ({})",
            p("the output contradicts itself", Style::Yellow),
            report.notices.len()
        );
        for notice in &report.notices {
            let _ = writeln!(out, "      {notice}");
        }
    }
    if !report.failed.is_empty() && report.command.is_apply_like() {
        let _ = writeln!(
            out,
            "\n  {} ({})",
            p("failed", Style::BoldRed),
            report.failed.len()
        );
        for address in report.failed.iter().take(25) {
            let _ = writeln!(out, "      {address}");
        }
    }
    out
}

fn group_style(kind: GroupKind) -> Style {
    match kind {
        GroupKind::Create | GroupKind::Import => Style::Green,
        GroupKind::Update | GroupKind::Move => Style::Yellow,
        GroupKind::Replace | GroupKind::Destroy => Style::BoldRed,
        GroupKind::Forget | GroupKind::Read => Style::Cyan,
    }
}

fn output_symbol(action: Action) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Update => "~",
        Action::Delete => "-",
        Action::Replace => "-/+",
        Action::Read => "<=",
        Action::Forget => ".",
        Action::NoOp => " ",
    }
}
