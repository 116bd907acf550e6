//! The sample pull request `config check` and `render summary` show the summary with: the
//! bundled plan (replacing protected `module.db.*` resources), a target without changes, a
//! failed one and a stale one, so every part of a summary template is exercised.

use crate::guard::{Guard, Pattern};
use crate::model::overview::{Overview, TargetResult};
use crate::model::{Command, Counts, Outcome, Report};
use crate::parse;

const HEAD: &str = "5f2c1e9a7b3d4c6e8f0a1b2c3d4e5f6a7b8c9d0e";

/// The sample pull request's overview.
pub(super) fn sample_overview() -> Overview {
    let mut plan = parse::parse(
        include_bytes!("../../examples/mixed.plan.txt"),
        Command::Plan,
    )
    .unwrap_or_else(|_| Report::new(Command::Plan));
    if let Ok(pattern) = Pattern::new("module.db.*") {
        Guard::new(vec![pattern], false).mark(&mut plan);
    }
    let row = |target: &str, report: &Report, sha: &str| TargetResult {
        target: target.to_owned(),
        command: report.command,
        outcome: report.outcome,
        counts: report.counts,
        has_destroy: report.has_destroy,
        protected: report.protected.clone(),
        protected_omitted: 0,
        sha: Some(sha.to_owned()),
        job_url: Some(format!("https://ci.example.com/jobs/{target}")),
        comment_url: Some(format!("https://forge.example.com/pull/7#{target}")),
    };
    let mut quiet = Report::new(Command::Plan);
    quiet.outcome = Outcome::NoChanges;
    let mut failed = Report::new(Command::Plan);
    failed.outcome = Outcome::Error;
    let mut older = Report::new(Command::Plan);
    older.outcome = Outcome::Changes;
    older.counts = Counts {
        add: 2,
        change: 1,
        ..Counts::default()
    };
    Overview::new(
        vec![
            row("envs/prod", &plan, HEAD),
            row("envs/dev", &quiet, HEAD),
            row("envs/shared", &failed, HEAD),
            row(
                "services/api",
                &older,
                "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
            ),
        ],
        Some(HEAD.to_owned()),
    )
}
