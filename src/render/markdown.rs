//! The summary as GitHub-flavoured Markdown, for `--output FILE` (a CI step summary).
//!
//! Terraform output is untrusted text: a resource key or a diagnostic can hold Markdown or
//! HTML. Addresses go in code spans whose fence outruns any backticks inside them, and
//! prose goes through [`escape`], so nothing in a plan can restyle or hide the summary.

use std::fmt::Write as _;

use crate::model::{Diagnostic, Report};
use crate::render::summary::{GroupKind, Summary};

/// Lists longer than this are folded into `<details>` (destructive ones never are).
const FOLD_AFTER: usize = 10;

/// The Markdown summary of `report`.
pub fn markdown(report: &Report) -> String {
    let summary = Summary::new(report);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### tfnotify {}: {}\n",
        report.command.as_str(),
        escape(&summary.headline())
    );
    if let Some(result) = &report.result {
        let _ = writeln!(out, "{}\n", code_span(result));
    }
    if let Some(hint) = summary.unparsed_hint() {
        let _ = writeln!(out, "{}\n", escape(&hint));
    }
    if let Some(warning) = summary.destroy_warning() {
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> **{}.** Review every destroyed resource below before applying.\n",
            escape(&warning)
        );
    }
    for group in &summary.groups {
        let count = group.resources.len();
        let symbol = code_span(group.kind.symbol());
        let label = group.kind.label();
        let fold = count > FOLD_AFTER && !group.kind.is_destructive();
        if fold {
            let _ = writeln!(
                out,
                "<details><summary><code>{}</code> <b>{label}</b> ({count})</summary>\n",
                escape(group.kind.symbol())
            );
        } else {
            let _ = writeln!(out, "{symbol} **{label}** ({count})\n");
        }
        let limit = Summary::limit(group.kind);
        for r in group.resources.iter().take(limit) {
            let note = match (group.kind, &r.moved_from) {
                (GroupKind::Move, Some(from)) => format!(" — from {}", code_span(from)),
                _ => Summary::note(group.kind, r)
                    .map(|n| format!(" — {}", escape(&n)))
                    .unwrap_or_default(),
            };
            let _ = writeln!(out, "- {}{note}", code_span(&r.address));
        }
        if count > limit {
            let _ = writeln!(out, "- … and {} more", count - limit);
        }
        if fold {
            let _ = writeln!(out, "\n</details>");
        }
        out.push('\n');
    }
    if report.resources_omitted > 0 {
        let _ = writeln!(
            out,
            "… {} more resource changes not listed (the list is capped).\n",
            report.resources_omitted
        );
    }
    if !report.outputs.is_empty() {
        let names: Vec<String> = report
            .outputs
            .iter()
            .map(|o| format!("{} ({})", code_span(&o.name), o.action.as_str()))
            .collect();
        let _ = writeln!(out, "**Outputs:** {}\n", names.join(", "));
    }
    if !report.drift.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Changed outside of {} ({})</summary>\n",
            report.tool.display_name(),
            report.drift.len()
        );
        for r in report.drift.iter().take(100) {
            let _ = writeln!(out, "- {} ({})", code_span(&r.address), r.action.as_str());
        }
        let _ = writeln!(out, "\n</details>\n");
    }
    if !report.files.is_empty() {
        let _ = writeln!(out, "**Files to format ({})**\n", report.files.len());
        for file in &report.files {
            let _ = writeln!(out, "- {}", code_span(file));
        }
        out.push('\n');
    }
    diagnostics(&mut out, "Warnings", &report.warnings);
    diagnostics(&mut out, "Errors", &report.errors);
    if !report.failed.is_empty() && report.command.is_apply_like() {
        let _ = writeln!(out, "**Failed ({})**\n", report.failed.len());
        for address in report.failed.iter().take(100) {
            let _ = writeln!(out, "- {}", code_span(address));
        }
        out.push('\n');
    }
    out
}

fn diagnostics(out: &mut String, title: &str, list: &[Diagnostic]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "**{title} ({})**\n", list.len());
    for diag in list.iter().take(20) {
        let _ = writeln!(
            out,
            "<details><summary>{}</summary>\n",
            escape(&diag.summary)
        );
        let _ = writeln!(out, "{}\n\n</details>\n", code_block(&diag.detail));
    }
    if list.len() > 20 {
        let _ = writeln!(out, "… and {} more\n", list.len() - 20);
    }
}

/// Text made inert for Markdown and HTML: it shows as written and styles nothing.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// `text` as an inline code span that no backtick inside it can close.
pub(crate) fn code_span(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let fence = "`".repeat(longest_run(&text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// `text` as a fenced block that no line inside it can close.
pub(crate) fn code_block(text: &str) -> String {
    let fence = "`".repeat((longest_run(text, '`') + 1).max(3));
    format!("{fence}text\n{text}\n{fence}")
}

fn longest_run(text: &str, c: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        if ch == c {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::{code_block, code_span, escape};

    #[test]
    fn hostile_text_stays_inert() {
        assert_eq!(
            escape("<script>*x*</script>"),
            "&lt;script&gt;\\*x\\*&lt;/script&gt;"
        );
        assert_eq!(code_span("a[\"`b`\"]"), "``a[\"`b`\"]``");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(code_block("```\nboom"), "````text\n```\nboom\n````");
    }
}
