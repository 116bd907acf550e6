//! Reading back what each target's comment says, for `tfnotify summary`.
//!
//! Every plan and apply comment carries its run's result in the hidden marker
//! (`github::metadata`). A comment counts only when the token's own account wrote it, as
//! for updating one (`notify::authors`): a marker copied into anyone else's comment, or
//! quoted in a plan, says nothing. Hidden comments were put away and are not read; of the
//! rest, [`latest_per_target`] picks each target's latest result.

use crate::model::overview::{TargetResult, latest_per_target};
use crate::notify::NotifyError;
use crate::notify::authors::{Authors, Marked};
use crate::notify::github::metadata::Metadata;
use crate::notify::thread::{Comment, PullComments};

/// The latest result of each target on one pull request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullResults {
    pub results: Vec<TargetResult>,
    /// The pull request's head commit, when the platform says.
    pub head_sha: Option<String>,
    /// What reading found worth a warning (a marked comment someone else wrote …).
    pub warnings: Vec<String>,
}

/// The latest result of each target among `comments` (in the order they were posted) on
/// `pull`; `noun` is what the platform calls a comment.
pub(crate) fn latest(
    pull: &dyn PullComments,
    comments: &[Comment],
    noun: &'static str,
) -> Result<PullResults, NotifyError> {
    let authors = Authors::default();
    let marked: Vec<TargetResult> = comments
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.hidden)
        .filter_map(|(i, c)| {
            let result = Metadata::extract(&c.body)
                .filter(|m| m.program == crate::notify::github::metadata::PROGRAM)?
                .target_result(c.url.as_deref())?;
            Some((i, c, result))
        })
        .filter(|(_, c, _)| {
            let marked = Marked {
                id: c.id,
                url: c.url.as_deref(),
                author: &c.author,
            };
            authors.is_ours(&marked, noun, || pull.token_account())
        })
        .map(|(_, _, result)| result)
        .collect();
    let head_sha = if marked.is_empty() {
        None
    } else {
        pull.head_sha()?
    };
    Ok(PullResults {
        results: latest_per_target(marked, head_sha.as_deref()),
        head_sha,
        warnings: authors.take_warnings(),
    })
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::latest;
    use crate::model::{Command, Outcome, Report};
    use crate::notify::NotifyError;
    use crate::notify::authors::Author;
    use crate::notify::github::metadata::{Facts, Metadata, PROGRAM};
    use crate::notify::thread::{Comment, PullComments};

    struct Pull {
        head: &'static str,
        asked: Cell<usize>,
    }

    impl PullComments for Pull {
        fn create(&self, _: &str) -> Result<Comment, NotifyError> {
            unreachable!("reading never writes")
        }
        fn update(&self, _: u64, _: &str) -> Result<Comment, NotifyError> {
            unreachable!("reading never writes")
        }
        fn delete(&self, _: u64) -> Result<(), NotifyError> {
            unreachable!("reading never writes")
        }
        fn hide(&self, _: &Comment) -> Result<(), NotifyError> {
            unreachable!("reading never writes")
        }
        fn head_sha(&self) -> Result<Option<String>, NotifyError> {
            self.asked.set(self.asked.get() + 1);
            Ok(Some(self.head.to_owned()))
        }
        fn token_account(&self) -> Result<String, String> {
            Ok("42".into())
        }
    }

    fn marked(id: u64, account: &str, command: Command, target: &str, sha: &str) -> Comment {
        let mut report = Report::new(command);
        report.outcome = if command == Command::Plan {
            Outcome::Changes
        } else {
            Outcome::Applied
        };
        report.counts.add = id;
        let meta = Metadata {
            command: command.as_str().into(),
            program: PROGRAM.into(),
            sha: Some(sha.into()),
            target: Some(target.into()),
            result: Some(Facts::of(&report, Some("https://ci.example/1"))),
            ..Metadata::default()
        };
        Comment {
            id,
            body: format!("## Plan\n\n{}", meta.marker()),
            url: Some(format!("https://forge.example/c/{id}")),
            hidden: false,
            author: Author::Account {
                id: account.into(),
                name: format!("user-{account}"),
            },
        }
    }

    #[test]
    fn the_head_commit_wins_then_an_apply_then_the_last_posted() {
        let pull = Pull {
            head: "bbbbbbbbbbbb",
            asked: Cell::new(0),
        };
        let comments = [
            // prod: planned at the head, then an apply of an older commit listed after it.
            marked(1, "42", Command::Plan, "prod", "bbbbbbbbbbbb"),
            marked(2, "42", Command::Apply, "prod", "aaaaaaaaaaaa"),
            // dev: plan and apply of the head: the apply.
            marked(3, "42", Command::Apply, "dev", "bbbbbbbbbbbb"),
            marked(4, "42", Command::Plan, "dev", "bbbbbbbbbbbb"),
            // old: nothing at the head: the last one listed, stale.
            marked(5, "42", Command::Plan, "old", "aaaaaaaaaaaa"),
            marked(6, "42", Command::Plan, "old", "cccccccccccc"),
        ];
        let read = latest(&pull, &comments, "comment").expect("reads");
        let got: Vec<(&str, Command, u64)> = read
            .results
            .iter()
            .map(|r| (r.target.as_str(), r.command, r.counts.add))
            .collect();
        assert_eq!(
            got,
            [
                ("dev", Command::Apply, 3),
                ("old", Command::Plan, 6),
                ("prod", Command::Plan, 1)
            ]
        );
        assert_eq!(read.head_sha.as_deref(), Some("bbbbbbbbbbbb"));
        assert_eq!(pull.asked.get(), 1, "the head is asked once");
        assert_eq!(
            read.results[0].comment_url.as_deref(),
            Some("https://forge.example/c/3")
        );
    }

    #[test]
    fn only_our_visible_plan_and_apply_comments_count() {
        let pull = Pull {
            head: "bbbbbbbbbbbb",
            asked: Cell::new(0),
        };
        let mut hidden = marked(1, "42", Command::Plan, "hidden", "bbbbbbbbbbbb");
        hidden.hidden = true;
        let forged = marked(2, "7", Command::Plan, "forged", "bbbbbbbbbbbb");
        let mut summary = marked(3, "42", Command::Plan, "", "bbbbbbbbbbbb");
        summary.body = summary.body.replace("\"plan\"", "\"summary\"");
        let mut before = marked(4, "42", Command::Plan, "old-version", "bbbbbbbbbbbb");
        before.body = before.body.replace("\"Result\"", "\"Other\"");
        let read = latest(&pull, &[hidden, forged, summary, before], "comment").expect("reads");
        assert!(read.results.is_empty(), "{:?}", read.results);
        assert_eq!(read.warnings.len(), 1, "the forged one is named: {read:?}");
    }
}
