//! The summary's template context, and fitting the summary into a destination's limit.
//!
//! The context is plain data (see docs/templates.md, "The summary"): `.Targets` holds the
//! rows that need a reviewer, in reading order; `.NoChanges` the targets that change
//! nothing, which the default templates put on one line; `.Totals` counts both. Five
//! hundred targets fit: when the text is too long, the names of unchanged targets go
//! first (their number stays), then rows from the end of `.Targets`, where the least
//! urgent ones are (`.Omitted` says how many), and only then the text is cut.

use serde_json::{Map, Value, json};

use crate::model::overview::{Overview, Status, TargetResult};
use crate::render::budget::{Fitted, cut, length};
use crate::render::message::{Message, MessageError};

/// What the summary's template reads besides the rows.
#[derive(Debug, Clone, Default)]
pub struct OverviewExtras {
    pub title: String,
    pub message: String,
    pub vars: std::collections::BTreeMap<String, String>,
    /// This summary job's link.
    pub link: Option<String>,
    /// Problems worth a line in the message (a report file that could not be read …).
    pub error_messages: Vec<String>,
}

/// The template context of `overview`.
pub fn context(overview: &Overview, extras: &OverviewExtras) -> Value {
    let (mut targets, mut unchanged) = (Vec::new(), Vec::new());
    let mut totals: Map<String, Value> = Map::new();
    for status in Status::ALL {
        totals.insert(totals_key(status).to_owned(), json!(0));
    }
    let mut stale = 0;
    for row in &overview.rows {
        let status = row.status();
        let is_stale = overview.is_stale(row);
        stale += usize::from(is_stale);
        if let Some(n) = totals.get_mut(totals_key(status)) {
            *n = json!(n.as_u64().unwrap_or(0) + 1);
        }
        let value = row_value(row, status, is_stale);
        if status == Status::NoChanges {
            unchanged.push(value);
        } else {
            targets.push(value);
        }
    }
    let counts = overview.counts();
    totals.insert("Targets".into(), json!(overview.rows.len()));
    totals.insert("Stale".into(), json!(stale));
    totals.insert(
        "Counts".into(),
        json!({
            "Add": counts.add,
            "Change": counts.change,
            "Destroy": counts.destroy,
            "Import": counts.import,
        }),
    );
    json!({
        "Title": extras.title,
        "Message": extras.message,
        "Vars": extras.vars,
        "Link": extras.link.clone().unwrap_or_default(),
        "ErrorMessages": extras.error_messages,
        "HeadSHA": overview.head_sha.clone().unwrap_or_default(),
        "Outcome": overview.outcome().as_str(),
        "Totals": totals,
        "NoChangesCount": unchanged.len(),
        "Targets": targets,
        "NoChanges": unchanged,
        "Omitted": 0,
    })
}

fn totals_key(status: Status) -> &'static str {
    match status {
        Status::Failed => "Failed",
        Status::ProtectedDestroy => "ProtectedDestroy",
        Status::Destroy => "Destroy",
        Status::Changes => "Changes",
        Status::NoChanges => "NoChanges",
    }
}

fn row_value(row: &TargetResult, status: Status, stale: bool) -> Value {
    json!({
        "Target": row.target,
        "Command": row.command.as_str(),
        "Outcome": row.outcome.as_str(),
        "Status": status.as_str(),
        "Add": row.counts.add,
        "Change": row.counts.change,
        "Destroy": row.counts.destroy,
        "Import": row.counts.import,
        "HasDestroy": row.has_destroy,
        "Protected": row.protected.iter().map(|p| json!({
            "Address": p.address,
            "Action": p.action.as_str(),
        })).collect::<Vec<_>>(),
        "ProtectedOmitted": row.protected_omitted,
        "SHA": row.sha.clone().unwrap_or_default(),
        "Stale": stale,
        "JobURL": row.job_url.clone().unwrap_or_default(),
        "CommentURL": row.comment_url.clone().unwrap_or_default(),
    })
}

/// Renders the summary within `limit` (see the module documentation for what goes first).
pub fn render_overview_within(
    message: &Message,
    mut context: Value,
    limit: usize,
) -> Result<Fitted, MessageError> {
    let text = message.render_value(&context)?;
    if length(&text) <= limit {
        return Ok(Fitted {
            text,
            shortened: Vec::new(),
        });
    }
    let mut shortened = vec!["the names of the targets without changes".to_owned()];
    context["NoChanges"] = json!([]);
    if let Some(notes) = context["ErrorMessages"].as_array_mut() {
        notes.push(json!(format!(
            "This summary was shortened to fit the destination's limit of {limit} characters; each target's comment has the details."
        )));
    }
    let text = message.render_value(&context)?;
    if length(&text) <= limit {
        return Ok(Fitted { text, shortened });
    }
    // The most rows that fit, found by halving: a render per step, nine for 500 rows.
    let rows = context["Targets"].as_array().cloned().unwrap_or_default();
    let with = |context: &mut Value, kept: usize| {
        context["Targets"] = Value::Array(rows[..kept].to_vec());
        context["Omitted"] = json!(rows.len() - kept);
    };
    let (mut fits, mut over) = (0, rows.len());
    let mut best = None;
    while fits < over {
        let mid = fits + (over - fits).div_ceil(2);
        with(&mut context, mid);
        let text = message.render_value(&context)?;
        if length(&text) <= limit {
            fits = mid;
            best = Some(text);
        } else {
            over = mid - 1;
        }
    }
    shortened.push("rows of targets with changes".to_owned());
    let text = if let Some(text) = best {
        text
    } else {
        with(&mut context, 0);
        let text = message.render_value(&context)?;
        if length(&text) > limit {
            shortened.push("the end of the message".to_owned());
            cut(&text, limit)
        } else {
            text
        }
    };
    Ok(Fitted { text, shortened })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{OverviewExtras, context, render_overview_within};
    use crate::model::overview::{Overview, TargetResult};
    use crate::model::{Command, Counts, Outcome};
    use crate::render::budget::length;
    use crate::render::message::{Flavor, Message, Spec};

    fn row(target: String, outcome: Outcome, add: u64) -> TargetResult {
        TargetResult {
            target,
            command: Command::Plan,
            outcome,
            counts: Counts {
                add,
                ..Counts::default()
            },
            has_destroy: false,
            protected: Vec::new(),
            protected_omitted: 0,
            sha: Some("abcdef1234567".into()),
            job_url: Some("https://ci.example/jobs/1".into()),
            comment_url: Some("https://forge.example/pr/1#c1".into()),
        }
    }

    fn message(flavor: Flavor) -> Message {
        Message::build(&Spec {
            flavor,
            command: Command::Summary,
            template: None,
            overrides: &BTreeMap::new(),
            raw: false,
        })
        .expect("default summary parses")
    }

    fn many(changed: usize, unchanged: usize) -> Overview {
        let mut rows: Vec<TargetResult> = (0..changed)
            .map(|i| {
                row(
                    format!("services/team-{i:03}/production"),
                    Outcome::Changes,
                    3,
                )
            })
            .collect();
        rows.extend((0..unchanged).map(|i| {
            row(
                format!("services/quiet-{i:03}/staging"),
                Outcome::NoChanges,
                0,
            )
        }));
        rows.push(row("services/broken".into(), Outcome::Error, 0));
        Overview::new(rows, Some("abcdef1234567".into()))
    }

    #[test]
    fn five_hundred_targets_fit_every_destination_with_failures_kept() {
        for (changed, unchanged) in [(20, 480), (500, 0), (250, 250)] {
            let overview = many(changed, unchanged);
            let extras = OverviewExtras {
                title: "## Terraform summary".into(),
                ..OverviewExtras::default()
            };
            for flavor in [
                Flavor::Markdown,
                Flavor::Slack,
                Flavor::Teams,
                Flavor::Chatwork,
            ] {
                let fitted = render_overview_within(
                    &message(flavor),
                    context(&overview, &extras),
                    flavor.limit(),
                )
                .expect("renders");
                let text = &fitted.text;
                assert!(length(text) <= flavor.limit(), "{flavor:?}");
                assert!(
                    text.contains("services/broken"),
                    "{flavor:?} {changed}: the failure is never cut"
                );
                assert!(
                    text.contains(&format!("{}", overview.rows.len())),
                    "{flavor:?}: the total stays"
                );
                assert!(
                    !fitted
                        .shortened
                        .contains(&"the end of the message".to_owned()),
                    "{flavor:?} {changed}/{unchanged}: rows went, not the text's end"
                );
            }
        }
    }

    #[test]
    fn a_summary_that_fits_is_not_shortened_and_lists_unchanged_targets_on_one_line() {
        let overview = many(2, 3);
        let fitted = render_overview_within(
            &message(Flavor::Markdown),
            context(&overview, &OverviewExtras::default()),
            65_536,
        )
        .expect("renders");
        assert!(fitted.shortened.is_empty());
        let line = fitted
            .text
            .lines()
            .find(|l| l.contains("No changes"))
            .expect("one line of unchanged targets");
        assert_eq!(line.matches("services/quiet-").count(), 3, "{line}");
    }
}
