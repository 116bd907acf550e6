//! One living comment per command and target on a pull request, for the review platforms
//! that share GitHub's comment model but not its API (GitLab, Gitea, Bitbucket).
//!
//! The rules are GitHub's (see `github::GitHub::write`, which keeps its own copy because
//! hiding there is a GraphQL call on node ids): `update` edits the last visible comment of
//! this command and target, `new` posts another, `hide-and-new` and `delete-and-new` post
//! another and then put the earlier ones out of the way. A body that would not change makes
//! no call, and a job for an older commit never touches a comment written for the pull
//! request's newer head. Which comments are ours is decided by the marker alone
//! (`github::metadata`); how a platform hides one is up to the platform.

use std::collections::BTreeMap;

use crate::ci::CiEnv;
use crate::model::{Command, Outcome, Report};
use crate::notify::github::Behaviour;
use crate::notify::github::labels::Labels;
use crate::notify::github::metadata::{Metadata, PROGRAM};
use crate::notify::label_name::Rules;
use crate::notify::{NotifyError, Request};

/// A comment on the pull request, as far as the behaviours need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Comment {
    pub id: u64,
    /// The body as stored (Markdown source).
    pub body: String,
    /// Where a person sees it, when the platform says.
    pub url: Option<String>,
    /// Put out of the way by an earlier `hide-and-new`: never the one updated.
    pub hidden: bool,
}

/// The calls the behaviours make on one pull request.
pub(crate) trait PullComments {
    fn create(&self, body: &str) -> Result<Comment, NotifyError>;
    fn update(&self, id: u64, body: &str) -> Result<Comment, NotifyError>;
    fn delete(&self, id: u64) -> Result<(), NotifyError>;
    /// Takes an earlier comment out of the way for `hide-and-new`; platforms without a
    /// hide button decide what that means and document it.
    fn hide(&self, comment: &Comment) -> Result<(), NotifyError>;
    /// The pull request's head commit, possibly abbreviated (Bitbucket gives 12 digits).
    fn head_sha(&self) -> Result<Option<String>, NotifyError>;
}

/// How this run writes its comments.
pub(crate) struct Writer<'a> {
    pub behaviour: Behaviour,
    pub skip_no_changes: bool,
    /// This job's commit, for the older-commit guard.
    pub sha: Option<&'a str>,
    /// Puts the marker into a body, in the form the platform hides.
    pub mark: fn(&str, &Metadata) -> String,
    /// What the platform calls a comment (`comment`, `note`), for the lines printed.
    pub noun: &'static str,
}

/// What a write did: the `Sent` action and the comment's link.
pub(crate) type Written = (String, Option<String>);

/// What every pull-request notifier takes from the run the same way GitHub's does: the
/// behaviour and its defaults, `--skip-no-changes`, the marker's metadata, the labels.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    pub behaviour: Behaviour,
    pub skip_no_changes: bool,
    pub metadata: Metadata,
    /// The result labels, for a plan whose labels are not turned off.
    pub labels: Option<Labels>,
}

impl Setup {
    /// Reads the request; `labels` are the platform's rules for label names, when it has
    /// labels at all. The error is a label name template that does not render.
    pub(crate) fn from_request(
        request: &Request<'_>,
        labels: Option<Rules>,
    ) -> Result<Setup, String> {
        let (config, ci, vars, command) =
            (request.config, request.ci, request.vars, request.command);
        let plan = &config.terraform.plan;
        let options = request.options;
        let labels = match labels {
            Some(rules)
                if command == Command::Plan && !options.disable_label && !plan.disable_label =>
            {
                Some(Labels::resolve_for(config, vars, rules)?)
            }
            _ => None,
        };
        let default_behaviour = match command {
            Command::Plan => Behaviour::Update,
            _ if config.plan_patch => Behaviour::Update,
            _ => Behaviour::New,
        };
        let embedded: BTreeMap<String, String> = config
            .embedded_var_names
            .iter()
            .filter_map(|name| vars.get(name).map(|v| (name.clone(), v.clone())))
            .collect();
        Ok(Setup {
            behaviour: options.behaviour.unwrap_or(default_behaviour),
            skip_no_changes: options.skip_no_changes
                || (command == Command::Plan && plan.when_no_changes.disable_comment),
            metadata: Metadata {
                command: command.as_str().to_owned(),
                job_name: ci.job.name.clone(),
                pr_number: ci.pr_number,
                program: PROGRAM.to_owned(),
                sha: ci.sha.clone(),
                target: vars.get("target").filter(|t| !t.is_empty()).cloned(),
                vars: embedded,
                workflow_name: ci.job.workflow.clone(),
            },
            labels,
        })
    }

    /// A plan with nothing to say (no changes, no warnings, no problems of ours), which
    /// `--skip-no-changes` leaves unposted.
    pub(crate) fn is_quiet(report: &Report, problems: &[String]) -> bool {
        report.outcome == Outcome::NoChanges && report.warnings.is_empty() && problems.is_empty()
    }

    /// The writer for the main thread.
    pub(crate) fn writer<'a>(
        &self,
        sha: Option<&'a str>,
        mark: fn(&str, &Metadata) -> String,
    ) -> Writer<'a> {
        Writer {
            behaviour: self.behaviour,
            skip_no_changes: self.skip_no_changes,
            sha,
            mark,
            noun: "comment",
        }
    }
}

impl Writer<'_> {
    /// Writes the thread `metadata` names, the way the behaviour says. `quiet` is a plan
    /// with nothing to say, which `skip_no_changes` leaves unposted.
    pub(crate) fn write(
        &self,
        pull: &dyn PullComments,
        comments: &[Comment],
        metadata: &Metadata,
        body: &str,
        quiet: bool,
    ) -> Result<Written, NotifyError> {
        let full = (self.mark)(body, metadata);
        let earlier: Vec<(&Comment, Metadata)> = comments
            .iter()
            .filter_map(|c| Metadata::extract(&c.body).map(|m| (c, m)))
            .filter(|(_, m)| metadata.is_same_thread(m))
            .collect();
        let visible: Vec<&(&Comment, Metadata)> =
            earlier.iter().filter(|(c, _)| !c.hidden).collect();
        if let Some((last, theirs)) = visible.last() {
            let update = self.behaviour == Behaviour::Update;
            if update && last.body == full {
                return Ok(("unchanged".to_owned(), last.url.clone()));
            }
            // Whatever the behaviour, a job for an older commit leaves the newer comment be.
            if self.is_older_than(pull, theirs)? {
                return Ok((
                    format!("skipped: the {} is for a newer commit", self.noun),
                    last.url.clone(),
                ));
            }
            if update {
                let comment = pull.update(last.id, &full)?;
                return Ok(("updated".to_owned(), comment.url));
            }
        }
        if self.skip_no_changes && quiet {
            return Ok(("skipped: no changes".to_owned(), None));
        }
        let comment = pull.create(&full)?;
        match self.behaviour {
            Behaviour::HideAndNew => {
                for (old, _) in &visible {
                    pull.hide(old)?;
                }
            }
            Behaviour::DeleteAndNew => {
                for (old, _) in &earlier {
                    pull.delete(old.id)?;
                }
            }
            Behaviour::Update | Behaviour::New => {}
        }
        Ok(("created".to_owned(), comment.url))
    }

    /// Whether this job's commit is older than the one the existing comment was written
    /// for: the comment's commit is the pull request's head and ours is not.
    fn is_older_than(
        &self,
        pull: &dyn PullComments,
        theirs: &Metadata,
    ) -> Result<bool, NotifyError> {
        let (Some(ours), Some(theirs)) = (self.sha, theirs.sha.as_deref()) else {
            return Ok(false);
        };
        if same_commit(ours, theirs) {
            return Ok(false);
        }
        let Some(head) = pull.head_sha()? else {
            return Ok(false);
        };
        Ok(same_commit(&head, theirs) && !same_commit(&head, ours))
    }
}

/// Whether two commit hashes name the same commit when one may be abbreviated (at least
/// seven digits, as Git abbreviates).
pub(crate) fn same_commit(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 7
        && long
            .get(..short.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(short))
}

/// The repository the CI or the flags name, when both parts are known.
pub(crate) fn repository(ci: &CiEnv) -> Option<(String, String)> {
    let owner = ci.owner.as_deref().filter(|o| !o.is_empty())?;
    let repo = ci.repo.as_deref().filter(|r| !r.is_empty())?;
    Some((owner.to_owned(), repo.to_owned()))
}

/// The pull request to comment on: the one given, else the one `find` finds for the
/// commit. `Ok(Err(why))` is a commit in no pull request, which a run skips with `why`;
/// neither a number nor a commit is an error of the destination `kind`.
pub(crate) fn pull_to_comment_on(
    kind: &'static str,
    pr: Option<u64>,
    sha: Option<&str>,
    find: impl FnOnce(&str) -> Result<Result<u64, String>, NotifyError>,
) -> Result<Result<u64, String>, NotifyError> {
    match (pr, sha) {
        (Some(pr), _) => Ok(Ok(pr)),
        (None, Some(sha)) => find(sha),
        (None, None) => Err(NotifyError::new(
            kind,
            "nothing to comment on: no pull request, and no commit SHA to find one".to_owned(),
            Some("give `--pr` or `--sha`"),
        )),
    }
}

/// The first 12 digits of a commit, as forges show them in messages.
pub(crate) fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::{Comment, PullComments, Writer, same_commit};
    use crate::notify::NotifyError;
    use crate::notify::github::Behaviour;
    use crate::notify::github::metadata::{Metadata, PROGRAM};

    /// A pull request in memory that records the calls made on it.
    #[derive(Default)]
    struct Pull {
        head: Option<String>,
        calls: RefCell<Vec<String>>,
    }

    impl PullComments for Pull {
        fn create(&self, body: &str) -> Result<Comment, NotifyError> {
            self.calls.borrow_mut().push("create".into());
            Ok(comment(99, body, false))
        }
        fn update(&self, id: u64, body: &str) -> Result<Comment, NotifyError> {
            self.calls.borrow_mut().push(format!("update {id}"));
            Ok(comment(id, body, false))
        }
        fn delete(&self, id: u64) -> Result<(), NotifyError> {
            self.calls.borrow_mut().push(format!("delete {id}"));
            Ok(())
        }
        fn hide(&self, comment: &Comment) -> Result<(), NotifyError> {
            self.calls.borrow_mut().push(format!("hide {}", comment.id));
            Ok(())
        }
        fn head_sha(&self) -> Result<Option<String>, NotifyError> {
            self.calls.borrow_mut().push("head".into());
            Ok(self.head.clone())
        }
    }

    fn comment(id: u64, body: &str, hidden: bool) -> Comment {
        Comment {
            id,
            body: body.to_owned(),
            url: Some(format!("https://forge.example/c/{id}")),
            hidden,
        }
    }

    fn meta(sha: &str) -> Metadata {
        Metadata {
            command: "plan".into(),
            program: PROGRAM.into(),
            sha: Some(sha.into()),
            target: Some("prod".into()),
            ..Metadata::default()
        }
    }

    fn mark(body: &str, metadata: &Metadata) -> String {
        format!("{body}\n{}", metadata.marker())
    }

    fn writer(behaviour: Behaviour, sha: &str) -> Writer<'_> {
        Writer {
            behaviour,
            skip_no_changes: true,
            sha: Some(sha),
            mark,
            noun: "comment",
        }
    }

    #[track_caller]
    fn case(
        behaviour: Behaviour,
        existing: &[Comment],
        head: Option<&str>,
        quiet: bool,
        action: &str,
        calls: &[&str],
    ) {
        let pull = Pull {
            head: head.map(Into::into),
            ..Pull::default()
        };
        let w = writer(behaviour, "bbbbbbbbbbbb");
        let (got, _) = w
            .write(&pull, existing, &meta("bbbbbbbbbbbb"), "new body", quiet)
            .expect("no error");
        assert_eq!(got, action);
        assert_eq!(*pull.calls.borrow(), calls);
    }

    #[test]
    fn behaviours_on_earlier_comments() {
        let old = comment(1, &mark("old", &meta("aaaaaaaaaaaa")), false);
        let hidden = comment(2, &mark("older", &meta("aaaaaaaaaaaa")), true);
        let theirs = comment(3, "someone else's", false);
        let same = comment(4, &mark("new body", &meta("bbbbbbbbbbbb")), false);
        let all = [hidden.clone(), old.clone(), theirs.clone()];
        // The earlier comment is for another commit, so the head is asked each time.
        case(
            Behaviour::Update,
            &all,
            None,
            false,
            "updated",
            &["head", "update 1"],
        );
        case(Behaviour::Update, &[same], None, false, "unchanged", &[]);
        let none_visible = [hidden.clone(), theirs.clone()];
        case(
            Behaviour::Update,
            &none_visible,
            None,
            false,
            "created",
            &["create"],
        );
        case(
            Behaviour::New,
            &all,
            None,
            false,
            "created",
            &["head", "create"],
        );
        let hide = ["head", "create", "hide 1"];
        case(Behaviour::HideAndNew, &all, None, false, "created", &hide);
        let delete = ["head", "create", "delete 2", "delete 1"];
        case(
            Behaviour::DeleteAndNew,
            &all,
            None,
            false,
            "created",
            &delete,
        );
        case(
            Behaviour::Update,
            &[theirs],
            None,
            true,
            "skipped: no changes",
            &[],
        );
        // An existing comment is still brought up to date when the plan has nothing to say.
        case(
            Behaviour::Update,
            &[old],
            None,
            true,
            "updated",
            &["head", "update 1"],
        );
    }

    #[test]
    fn an_older_commit_leaves_the_newer_comment_alone() {
        let newer = comment(1, &mark("newer", &meta("cccccccccccccccccccc")), false);
        // The pull request's head is the newer commit, abbreviated as Bitbucket does.
        for behaviour in [
            Behaviour::Update,
            Behaviour::HideAndNew,
            Behaviour::DeleteAndNew,
        ] {
            case(
                behaviour,
                std::slice::from_ref(&newer),
                Some("cccccccccccc"),
                false,
                "skipped: the comment is for a newer commit",
                &["head"],
            );
        }
        // Our commit is the head: the comment is stale, not newer.
        case(
            Behaviour::Update,
            &[newer],
            Some("bbbbbbbbbbbb"),
            false,
            "updated",
            &["head", "update 1"],
        );
    }

    #[test]
    fn abbreviated_hashes_match_their_full_form() {
        assert!(same_commit(
            "0123456789ab",
            "0123456789abcdef0123456789abcdef01234567"
        ));
        assert!(same_commit("ABCDEF1", "abcdef1234"));
        assert!(!same_commit("0123456789ab", "0123456789ac"));
        assert!(
            !same_commit("abc", "abcdef1234"),
            "too short to mean anything"
        );
    }
}
