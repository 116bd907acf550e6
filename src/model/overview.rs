//! One pull request across many targets: the latest result of each, for `tfnotify summary`.
//!
//! A monorepo runs one plan job per state directory; each leaves a comment (or a report
//! file) that says what its run amounted to. The overview puts those results side by side,
//! in the order a reviewer must read them: what failed, then what destroys something
//! protected, then other destroys, then other changes, then what changes nothing. Every
//! fact in a row comes from the report of that target's run, never from its text.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Command, Counts, Outcome, ProtectedChange};

/// Where a target's result stands, in the order the overview lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The run failed, or its output could not be read: nothing it says can be trusted.
    Failed,
    /// It destroys or replaces a resource `guard.protect` names.
    ProtectedDestroy,
    /// It destroys or replaces something.
    Destroy,
    /// It changes something, destroying nothing.
    Changes,
    /// It changes nothing.
    NoChanges,
}

impl Status {
    /// Every status, in the overview's order.
    pub const ALL: [Status; 5] = [
        Status::Failed,
        Status::ProtectedDestroy,
        Status::Destroy,
        Status::Changes,
        Status::NoChanges,
    ];

    /// The stable name used in templates and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Failed => "failed",
            Status::ProtectedDestroy => "protected_destroy",
            Status::Destroy => "destroy",
            Status::Changes => "changes",
            Status::NoChanges => "no_changes",
        }
    }
}

/// The latest result of one target, as its run reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetResult {
    /// The target (state directory, module path); empty for a run that named none.
    pub target: String,
    /// `plan`, `apply` or `destroy`: the command of the latest run.
    pub command: Command,
    pub outcome: Outcome,
    pub counts: Counts,
    pub has_destroy: bool,
    /// Protected addresses it destroys or replaces (possibly only the first of them).
    pub protected: Vec<ProtectedChange>,
    /// How many protected addresses there were beyond those in `protected`.
    pub protected_omitted: usize,
    /// The commit the run was for.
    pub sha: Option<String>,
    /// The run's CI job.
    pub job_url: Option<String>,
    /// The target's own comment.
    pub comment_url: Option<String>,
}

impl TargetResult {
    /// Where this result stands.
    pub fn status(&self) -> Status {
        let failed = !self.outcome.is_success() || self.outcome == Outcome::Unparsed;
        if failed {
            Status::Failed
        } else if !self.protected.is_empty() || self.protected_omitted > 0 {
            Status::ProtectedDestroy
        } else if self.has_destroy {
            Status::Destroy
        } else if self.outcome == Outcome::Changes || !self.counts.is_zero() {
            Status::Changes
        } else {
            Status::NoChanges
        }
    }
}

/// Every target's latest result on one pull request, in reading order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overview {
    /// Ordered by status, then by target.
    pub rows: Vec<TargetResult>,
    /// The pull request's head commit, when known: a row for another commit is stale.
    pub head_sha: Option<String>,
}

impl Overview {
    /// The overview of `rows`, put in reading order.
    pub fn new(mut rows: Vec<TargetResult>, head_sha: Option<String>) -> Self {
        rows.sort_by(|a, b| {
            (a.status(), &a.target, a.command.as_str()).cmp(&(
                b.status(),
                &b.target,
                b.command.as_str(),
            ))
        });
        Overview { rows, head_sha }
    }

    /// Whether a row was written for a commit other than the pull request's head.
    pub fn is_stale(&self, row: &TargetResult) -> bool {
        match (&self.head_sha, &row.sha) {
            (Some(head), Some(sha)) => !same_commit(head, sha),
            _ => false,
        }
    }

    /// The outcome of the pull request as a whole: failed when any target failed, else
    /// changes when any target changes something, else no changes.
    pub fn outcome(&self) -> Outcome {
        let statuses: Vec<Status> = self.rows.iter().map(TargetResult::status).collect();
        if statuses.contains(&Status::Failed) {
            Outcome::Error
        } else if statuses.iter().any(|s| *s != Status::NoChanges) {
            Outcome::Changes
        } else {
            Outcome::NoChanges
        }
    }

    /// The counts of every target together.
    pub fn counts(&self) -> Counts {
        let mut total = Counts::default();
        for row in &self.rows {
            total.merge(row.counts);
        }
        total
    }
}

/// The latest result of each target among `candidates` (in the order they were written),
/// by target: the one for the `head` commit, an apply before a plan of the same commit
/// (it comes after it), else the last written.
pub fn latest_per_target(candidates: Vec<TargetResult>, head: Option<&str>) -> Vec<TargetResult> {
    let rank = |index: usize, r: &TargetResult| {
        let at_head = matches!((head, &r.sha), (Some(h), Some(s)) if same_commit(h, s));
        (at_head, r.command.is_apply_like(), index)
    };
    let mut latest: BTreeMap<String, (usize, TargetResult)> = BTreeMap::new();
    for (index, result) in candidates.into_iter().enumerate() {
        match latest.get(&result.target) {
            Some((i, kept)) if rank(*i, kept) >= rank(index, &result) => {}
            _ => {
                latest.insert(result.target.clone(), (index, result));
            }
        }
    }
    latest.into_values().map(|(_, r)| r).collect()
}

/// Whether two commit hashes name the same commit when one may be abbreviated (at least
/// seven digits, as Git abbreviates).
pub fn same_commit(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 7
        && long
            .get(..short.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(short))
}

#[cfg(test)]
mod tests {
    use super::{Overview, Status, TargetResult};
    use crate::model::{Command, Counts, Outcome};

    fn row(target: &str, outcome: Outcome, counts: Counts, destroy: bool) -> TargetResult {
        TargetResult {
            target: target.into(),
            command: Command::Plan,
            outcome,
            counts,
            has_destroy: destroy,
            protected: Vec::new(),
            protected_omitted: 0,
            sha: Some("aaaaaaaaaaaa".into()),
            job_url: None,
            comment_url: None,
        }
    }

    fn adds(n: u64) -> Counts {
        Counts {
            add: n,
            ..Counts::default()
        }
    }

    #[test]
    fn rows_read_failures_then_protected_then_destroys_then_changes_then_nothing() {
        let mut protected = row("b-db", Outcome::Changes, adds(1), true);
        protected.protected = vec![crate::model::ProtectedChange {
            address: "module.db.x".into(),
            action: crate::model::Action::Replace,
        }];
        let rows = vec![
            row("a-quiet", Outcome::NoChanges, Counts::default(), false),
            row("z-adds", Outcome::Changes, adds(2), false),
            row("c-drops", Outcome::Changes, Counts::default(), true),
            protected,
            row("y-broken", Outcome::Error, Counts::default(), false),
            row("m-unread", Outcome::Unparsed, Counts::default(), false),
            row("b-adds", Outcome::Changes, adds(1), false),
        ];
        let overview = Overview::new(rows, None);
        let order: Vec<(&str, Status)> = overview
            .rows
            .iter()
            .map(|r| (r.target.as_str(), r.status()))
            .collect();
        assert_eq!(
            order,
            [
                ("m-unread", Status::Failed),
                ("y-broken", Status::Failed),
                ("b-db", Status::ProtectedDestroy),
                ("c-drops", Status::Destroy),
                ("b-adds", Status::Changes),
                ("z-adds", Status::Changes),
                ("a-quiet", Status::NoChanges),
            ]
        );
        assert_eq!(overview.outcome(), Outcome::Error);
        assert_eq!(overview.counts().add, 4);
    }

    #[test]
    fn an_apply_that_changed_nothing_is_no_change_and_one_that_did_is_a_change() {
        let mut applied = row("a", Outcome::Applied, Counts::default(), false);
        applied.command = Command::Apply;
        assert_eq!(applied.status(), Status::NoChanges);
        applied.counts = adds(3);
        assert_eq!(applied.status(), Status::Changes);
        applied.outcome = Outcome::ApplyFailed;
        assert_eq!(applied.status(), Status::Failed);
    }

    #[test]
    fn a_row_for_another_commit_is_stale_and_an_abbreviation_is_the_same_commit() {
        let overview = Overview::new(Vec::new(), Some("aaaaaaaaaaaabbbb".into()));
        let mut r = row("a", Outcome::NoChanges, Counts::default(), false);
        assert!(!overview.is_stale(&r), "abbreviated head");
        r.sha = Some("cccccccccccc".into());
        assert!(overview.is_stale(&r));
        r.sha = None;
        assert!(!overview.is_stale(&r), "unknown commit: not judged");
        assert_eq!(
            Overview::new(vec![r], None).outcome(),
            Outcome::NoChanges,
            "nothing changes"
        );
    }
}
