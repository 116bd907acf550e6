//! Report files: what one job's run amounted to, for `tfnotify summary --from`.
//!
//! `--report-file FILE` writes the `tfnotify parse` JSON of the run with what the summary
//! needs beside it (target, command, commit, the CI job's link and the review comment's),
//! masked like everything else that leaves the machine. CIs that pass artifacts between
//! jobs, and setups that post only to chat, build the summary from these instead of from
//! the pull request's comments. Only the report's structured facts are read back.

use std::path::Path;

use serde::Deserialize;
use serde_json::json;

use crate::error::Error;
use crate::mask::Masker;
use crate::model::overview::TargetResult;
use crate::model::{Command, Counts, Outcome, ProtectedChange, Report};

/// The version of the file's shape.
const VERSION: u32 = 1;

/// Where a run's report file says it came from.
pub(super) struct Origin<'a> {
    pub target: Option<&'a str>,
    pub sha: Option<&'a str>,
    pub pr: Option<u64>,
    pub job_url: Option<&'a str>,
    pub comment_url: Option<&'a str>,
}

/// Writes the report file of `report`, masked.
pub(super) fn write(
    path: &Path,
    report: &Report,
    origin: &Origin<'_>,
    masker: &Masker,
) -> Result<(), Error> {
    let mut value = json!({
        "tfnotify_report": VERSION,
        "target": origin.target,
        "command": report.command.as_str(),
        "sha": origin.sha,
        "pr": origin.pr,
        "job_url": origin.job_url,
        "comment_url": origin.comment_url,
        "report": report,
    });
    masker.mask_value(&mut value);
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    std::fs::write(path, text).map_err(|source| Error::ReportFileWrite {
        path: path.to_owned(),
        source,
    })
}

/// A report file as read back: only what the summary needs.
#[derive(Deserialize)]
struct Stored {
    tfnotify_report: u32,
    #[serde(default)]
    target: Option<String>,
    command: String,
    #[serde(default)]
    sha: Option<String>,
    #[serde(default)]
    job_url: Option<String>,
    #[serde(default)]
    comment_url: Option<String>,
    report: StoredReport,
}

#[derive(Deserialize)]
struct StoredReport {
    outcome: String,
    #[serde(default)]
    counts: StoredCounts,
    #[serde(default)]
    has_destroy: bool,
    #[serde(default)]
    protected: Vec<StoredProtected>,
}

#[derive(Deserialize, Default)]
struct StoredCounts {
    #[serde(default)]
    add: u64,
    #[serde(default)]
    change: u64,
    #[serde(default)]
    destroy: u64,
    #[serde(default)]
    import: u64,
}

#[derive(Deserialize)]
struct StoredProtected {
    address: String,
    action: String,
}

/// Reads one report file into the result it states.
pub(super) fn read(path: &Path) -> Result<TargetResult, Error> {
    let problem = |problem: String| Error::ReportFile {
        path: path.to_owned(),
        problem,
    };
    let text = std::fs::read(path).map_err(|e| problem(format!("could not be read: {e}")))?;
    let stored: Stored = serde_json::from_slice(&text).map_err(|e| {
        problem(format!(
            "is not a report file ({e}); write one with `tfnotify plan --report-file FILE`"
        ))
    })?;
    if stored.tfnotify_report != VERSION {
        return Err(problem(format!(
            "is a report file of version {}, and this tfnotify reads version {VERSION}",
            stored.tfnotify_report
        )));
    }
    let command = Command::from_name(&stored.command)
        .filter(|c| matches!(c, Command::Plan | Command::Apply | Command::Destroy))
        .ok_or_else(|| {
            problem(format!(
                "is the report of `{}`; the summary reads plans and applies",
                stored.command
            ))
        })?;
    let outcome = Outcome::from_name(&stored.report.outcome).ok_or_else(|| {
        problem(format!(
            "has an unknown outcome `{}`",
            stored.report.outcome
        ))
    })?;
    let protected = stored
        .report
        .protected
        .into_iter()
        .filter_map(|p| ProtectedChange::from_names(p.address, &p.action))
        .collect();
    let counts = stored.report.counts;
    Ok(TargetResult {
        target: stored.target.unwrap_or_default(),
        command,
        outcome,
        counts: Counts {
            add: counts.add,
            change: counts.change,
            destroy: counts.destroy,
            import: counts.import,
            forget: 0,
        },
        has_destroy: stored.report.has_destroy,
        protected,
        protected_omitted: 0,
        sha: stored.sha,
        job_url: stored.job_url.filter(|u| !u.is_empty()),
        comment_url: stored.comment_url.filter(|u| !u.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::{Origin, read, write};
    use crate::error::Error;
    use crate::mask::Masker;
    use crate::model::{Action, Command, Outcome, ProtectedChange, Report};

    #[test]
    fn a_written_report_file_reads_back_as_the_same_result_masked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("prod.json");
        let mut report = Report::new(Command::Plan);
        report.outcome = Outcome::Changes;
        report.counts.add = 2;
        report.counts.destroy = 1;
        report.has_destroy = true;
        report.protected.push(ProtectedChange {
            address: "module.db.x".into(),
            action: Action::Replace,
        });
        let masker = Masker::empty().with_literal("token", "s3cr3t-value");
        let origin = Origin {
            target: Some("envs/prod"),
            sha: Some("abcdef1234567"),
            pr: Some(7),
            job_url: Some("https://ci.example/jobs/s3cr3t-value"),
            comment_url: Some("https://forge.example/pr/7#c1"),
        };
        write(&path, &report, &origin, &masker).expect("written");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(!text.contains("s3cr3t-value"), "{text}");
        let row = read(&path).expect("reads back");
        assert_eq!(row.target, "envs/prod");
        assert_eq!(row.command, Command::Plan);
        assert_eq!(row.outcome, Outcome::Changes);
        assert_eq!((row.counts.add, row.counts.destroy), (2, 1));
        assert_eq!(row.protected, report.protected);
        assert_eq!(
            row.comment_url.as_deref(),
            Some("https://forge.example/pr/7#c1")
        );
    }

    #[test]
    fn a_file_that_is_not_a_report_file_is_named_with_how_to_make_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("plan.txt");
        std::fs::write(&path, "Plan: 1 to add, 0 to change, 0 to destroy.\n").expect("write");
        let Err(Error::ReportFile { problem, .. }) = read(&path) else {
            panic!("refused");
        };
        assert!(problem.contains("--report-file"), "{problem}");
        std::fs::write(
            &path,
            r#"{"tfnotify_report":1,"command":"fmt","report":{"outcome":"formatted"}}"#,
        )
        .expect("write");
        let Err(Error::ReportFile { problem, .. }) = read(&path) else {
            panic!("refused");
        };
        assert!(problem.contains("plans and applies"), "{problem}");
        let missing = dir.path().join("missing.json");
        assert!(matches!(read(&missing), Err(Error::ReportFile { .. })));
    }
}
