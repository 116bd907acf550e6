//! The hidden marker that says what a comment of ours is about.
//!
//! It uses github-comment's format (`<!-- github-comment: {JSON} -->`, the format tfcmt
//! writes too), so the hide and delete tools built for those keep working on our comments.
//! Anyone can copy it into a comment of their own, so it never decides alone that a comment
//! is ours: the token must have written it too (`notify::authors`).
//!
//! Where Markdown shows HTML as text (Bitbucket escapes every tag), the same JSON travels in
//! a second form, a link reference definition that nothing references:
//! `[//]: # (tfnotify: {JSON})`. Markdown consumes it and renders nothing. Both forms are
//! read everywhere.
//!
//! The target and the embedded variables are text nobody vetted (a directory name, a
//! `--var`), so the JSON is written as Go's `encoding/json` writes it: `<`, `>` and `&`
//! as `\u003c`, `\u003e` and `\u0026`, line breaks (U+2028 and U+2029 too) as escapes.
//! Nothing in a target can then end the HTML comment (`-->`, or `--!>`, which browsers
//! also honour), open a tag, or start a new line.
//!
//! A plan or apply comment also carries what its run amounted to (`Result`: outcome,
//! counts, protected destroys, the job's link), taken from the report, so `tfnotify
//! summary` can put every target side by side without reading any comment's text.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::overview::TargetResult;
use crate::model::{Command, Counts, Outcome, ProtectedChange, Report};

/// The program name written into the marker.
pub(crate) const PROGRAM: &str = "tfnotify";

const PREFIX: &str = "<!-- github-comment: ";
const SUFFIX: &str = " -->";
const REFERENCE_PREFIX: &str = "[//]: # (tfnotify: ";
const REFERENCE_SUFFIX: &str = ")";

/// What a comment is about. Field names are github-comment's (Go map keys, sorted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Metadata {
    #[serde(rename = "Command", default)]
    pub command: String,
    #[serde(rename = "JobName", default, skip_serializing_if = "Option::is_none")]
    pub job_name: Option<String>,
    #[serde(rename = "PRNumber", default, skip_serializing_if = "Option::is_none")]
    pub pr_number: Option<u64>,
    #[serde(rename = "Program", default)]
    pub program: String,
    #[serde(rename = "Result", default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Facts>,
    #[serde(rename = "SHA1", default, skip_serializing_if = "Option::is_none")]
    pub sha: Option<String>,
    #[serde(rename = "Target", default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(rename = "Vars", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, String>,
    #[serde(
        rename = "WorkflowName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub workflow_name: Option<String>,
}

/// The most protected addresses a marker names; the rest are counted.
const MAX_PROTECTED: usize = 20;

/// What a run amounted to, as its report says: what `tfnotify summary` reads back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Facts {
    #[serde(rename = "Add", default)]
    pub add: u64,
    #[serde(rename = "Change", default)]
    pub change: u64,
    #[serde(rename = "Destroy", default)]
    pub destroy: u64,
    #[serde(rename = "HasDestroy", default)]
    pub has_destroy: bool,
    #[serde(rename = "Import", default)]
    pub import: u64,
    /// The run's CI job.
    #[serde(rename = "Link", default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(rename = "Outcome", default)]
    pub outcome: String,
    #[serde(rename = "Protected", default, skip_serializing_if = "Vec::is_empty")]
    pub protected: Vec<ProtectedMark>,
    #[serde(rename = "ProtectedOmitted", default, skip_serializing_if = "is_zero")]
    pub protected_omitted: usize,
}

/// A protected resource the run destroys or replaces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ProtectedMark {
    #[serde(rename = "Action", default)]
    pub action: String,
    #[serde(rename = "Address", default)]
    pub address: String,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Facts {
    /// The facts of `report`, whose job is at `link`.
    pub(crate) fn of(report: &Report, link: Option<&str>) -> Facts {
        let protected: Vec<ProtectedMark> = report
            .protected
            .iter()
            .take(MAX_PROTECTED)
            .map(|p| ProtectedMark {
                action: p.action.as_str().to_owned(),
                address: p.address.clone(),
            })
            .collect();
        Facts {
            add: report.counts.add,
            change: report.counts.change,
            destroy: report.counts.destroy,
            has_destroy: report.has_destroy,
            import: report.counts.import,
            link: link.filter(|l| !l.is_empty()).map(str::to_owned),
            outcome: report.outcome.as_str().to_owned(),
            protected_omitted: report.protected.len() - protected.len(),
            protected,
        }
    }
}

impl Metadata {
    /// The target's result a comment with this marker states, at `url`: `None` for a
    /// comment that is not a plan or apply, or that says no result (an earlier version's).
    pub(crate) fn target_result(&self, url: Option<&str>) -> Option<TargetResult> {
        let command = Command::from_name(&self.command)
            .filter(|c| matches!(c, Command::Plan | Command::Apply | Command::Destroy))?;
        let facts = self.result.as_ref()?;
        Some(TargetResult {
            target: self.target.clone().unwrap_or_default(),
            command,
            outcome: Outcome::from_name(&facts.outcome).unwrap_or(Outcome::Unparsed),
            counts: Counts {
                add: facts.add,
                change: facts.change,
                destroy: facts.destroy,
                import: facts.import,
                forget: 0,
            },
            has_destroy: facts.has_destroy,
            protected: facts
                .protected
                .iter()
                .filter_map(|p| ProtectedChange::from_names(p.address.clone(), &p.action))
                .collect(),
            protected_omitted: facts.protected_omitted,
            sha: self.sha.clone(),
            job_url: facts.link.clone(),
            comment_url: url.map(str::to_owned),
        })
    }

    /// The marker line to append to a comment body.
    pub(crate) fn marker(&self) -> String {
        format!("{PREFIX}{}{SUFFIX}", self.json())
    }

    /// The marker as a link reference definition, for Markdown that shows HTML as text.
    /// It must follow a blank line: a definition cannot interrupt a paragraph.
    pub(crate) fn reference_marker(&self) -> String {
        let json = self.json();
        // A title in parentheses may hold no unescaped parenthesis; outside strings JSON
        // has none, and inside them `\u0028` is the same character.
        let json = json.replace('(', "\\u0028").replace(')', "\\u0029");
        format!("{REFERENCE_PREFIX}{json}{REFERENCE_SUFFIX}")
    }

    /// The metadata as one line of JSON in Go's encoding (see the module documentation).
    fn json(&self) -> String {
        // Plain data with string keys always serialises.
        let json = serde_json::to_string(self).unwrap_or_default();
        // Outside strings JSON holds none of these characters, so each one replaced here is
        // inside a string, where the escape stands for the same character.
        let mut out = String::with_capacity(json.len());
        for c in json.chars() {
            match c {
                '<' => out.push_str("\\u003c"),
                '>' => out.push_str("\\u003e"),
                '&' => out.push_str("\\u0026"),
                '\u{2028}' => out.push_str("\\u2028"),
                '\u{2029}' => out.push_str("\\u2029"),
                _ => out.push(c),
            }
        }
        out
    }

    /// The marker of a comment body, if it has one, in either form: the last line that
    /// parses. Ours is always the last; an earlier one can only be quoted Terraform output
    /// (a heredoc line of a plan), which must not decide whose comment this is.
    pub(crate) fn extract(body: &str) -> Option<Metadata> {
        body.lines().rev().find_map(|line| {
            let line = line.trim();
            let json = line
                .strip_prefix(PREFIX)
                .and_then(|rest| rest.strip_suffix(SUFFIX))
                .or_else(|| {
                    line.strip_prefix(REFERENCE_PREFIX)?
                        .strip_suffix(REFERENCE_SUFFIX)
                })?;
            serde_json::from_str(json).ok()
        })
    }

    /// Whether a comment with this marker is the one this run should update: ours, same
    /// command, same target.
    pub(crate) fn is_same_thread(&self, other: &Metadata) -> bool {
        other.program == PROGRAM && other.command == self.command && other.target == self.target
    }
}

#[cfg(test)]
mod tests {
    use super::{Metadata, PROGRAM};

    fn ours(target: Option<&str>) -> Metadata {
        Metadata {
            command: "plan".into(),
            program: PROGRAM.into(),
            pr_number: Some(7),
            sha: Some("abc".into()),
            target: target.map(Into::into),
            ..Metadata::default()
        }
    }

    #[test]
    fn the_marker_is_github_comment_s_format_with_sorted_keys() {
        assert_eq!(
            ours(Some("prod")).marker(),
            r#"<!-- github-comment: {"Command":"plan","PRNumber":7,"Program":"tfnotify","SHA1":"abc","Target":"prod"} -->"#
        );
    }

    #[test]
    fn markers_round_trip_and_foreign_ones_are_read_too() {
        let body = format!("## Plan\n\nbody\n{}", ours(Some("prod")).marker());
        assert_eq!(Metadata::extract(&body), Some(ours(Some("prod"))));
        let tfcmt = r#"<!-- github-comment: {"Command":"plan","JobName":"plan","PRNumber":504,"Program":"tfcmt","SHA1":"x","Target":"github/foo","Vars":{},"WorkflowName":"test"} -->"#;
        let read = Metadata::extract(tfcmt).expect("tfcmt marker");
        assert_eq!(read.program, "tfcmt");
        assert!(!ours(Some("github/foo")).is_same_thread(&read), "not ours");
        assert_eq!(
            Metadata::extract("no marker\n<!-- github-comment: not json -->"),
            None
        );
    }

    #[test]
    fn threads_are_per_command_and_target() {
        let a = ours(Some("prod"));
        assert!(a.is_same_thread(&ours(Some("prod"))));
        assert!(!a.is_same_thread(&ours(Some("dev"))));
        assert!(!a.is_same_thread(&ours(None)));
        let mut apply = ours(Some("prod"));
        apply.command = "apply".into();
        assert!(!a.is_same_thread(&apply));
    }

    #[test]
    fn the_reference_form_round_trips_and_holds_no_bare_parenthesis() {
        let meta = ours(Some("prod (eu) \\( x"));
        let marker = meta.reference_marker();
        assert!(marker.starts_with("[//]: # (tfnotify: {"), "{marker}");
        let inner = &marker["[//]: # (".len()..marker.len() - 1];
        assert!(!inner.contains(['(', ')']), "{marker}");
        let body = format!("## Plan\n\nbody\n\n{marker}");
        assert_eq!(Metadata::extract(&body), Some(meta));
    }

    #[test]
    fn a_marker_quoted_in_the_output_does_not_decide_whose_comment_it_is() {
        let forged = ours(Some("dev")).reference_marker();
        let body = format!(
            "```hcl\n  + x = <<-EOT\n        {forged}\n    EOT\n```\n\n{}",
            ours(Some("prod")).marker()
        );
        assert_eq!(Metadata::extract(&body), Some(ours(Some("prod"))));
    }

    #[test]
    fn a_target_cannot_close_the_html_comment() {
        let marker = ours(Some("x-->y")).marker();
        assert_eq!(marker.matches("-->").count(), 1, "{marker}");
        assert_eq!(
            Metadata::extract(&marker).and_then(|m| m.target),
            Some("x-->y".into())
        );
    }

    #[test]
    fn no_target_can_break_either_form_of_the_marker() {
        let hostile = "a-->b --!><img src=x onerror=alert(1)>\n<!-- c\r\n) ]\u{2028}d & e";
        let meta = ours(Some(hostile));
        let marker = meta.marker();
        assert!(marker.starts_with("<!-- github-comment: {"), "{marker}");
        let inner = &marker[..marker.len() - " -->".len()];
        assert_eq!(
            inner.matches('<').count(),
            1,
            "only the comment's own `<!--`: {marker}"
        );
        assert!(
            !inner.contains(['>', '&']),
            "nothing can close the comment early: {marker}"
        );
        assert_eq!(marker.lines().count(), 1, "{marker:?}");
        assert!(!marker.contains(['\u{2028}', '\u{2029}']), "{marker:?}");
        assert!(
            marker.contains(r#""Target":"a--\u003eb --!\u003e\u003cimg"#),
            "Go's encoding: {marker}"
        );
        let reference = meta.reference_marker();
        assert_eq!(reference.lines().count(), 1, "{reference:?}");
        let title = &reference["[//]: # (".len()..reference.len() - 1];
        assert!(!title.contains(['(', ')', '<', '>']), "{reference}");
        for form in [marker, reference] {
            let body = format!("## Plan\n\nbody\n\n{form}");
            assert_eq!(Metadata::extract(&body), Some(meta.clone()), "{form}");
        }
    }
}
