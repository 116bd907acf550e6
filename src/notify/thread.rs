//! One living comment per command and target on a pull request, for every review platform
//! (GitHub, GitLab, Gitea, Bitbucket Cloud and Server).
//!
//! The rules are GitHub's, which follows them too: `update` edits the last visible comment of
//! this command and target, `new` posts another, `hide-and-new` and `delete-and-new` post
//! another and then put the earlier ones out of the way. A body that would not change makes
//! no call, and a job for an older commit never touches a comment written for the pull
//! request's newer head. A comment is ours when it carries the marker (`github::metadata`)
//! and the token's own account wrote it (`notify::authors`): anyone else's comment is left
//! alone whatever its marker says. How a platform hides one is up to the platform.

use std::collections::BTreeMap;

use crate::ci::CiEnv;
use crate::model::{Command, Outcome, Report};
use crate::notify::authors::{Author, Authors, Marked};
use crate::notify::github::Behaviour;
use crate::notify::github::labels::Labels;
use crate::notify::github::metadata::{Facts, Metadata, PROGRAM};
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
    /// Who wrote it: a marked comment is ours only when the token did.
    pub author: Author,
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
    /// The token's own account, as [`Author::Account`] names authors; `Err` says why it
    /// cannot be known and what would fix it. Asked at most once a run, and only when a
    /// comment with the marker needs deciding; a platform that says outright who wrote
    /// each comment ([`Author::Known`]) is never asked.
    fn token_account(&self) -> Result<String, String> {
        Err("the token's account is unknown".to_owned())
    }
}

/// How this run writes its comments; one writer serves every thread of the run, so the
/// token's account is read once.
pub(crate) struct Writer<'a> {
    pub behaviour: Behaviour,
    pub skip_no_changes: bool,
    /// This job's commit, for the older-commit guard.
    pub sha: Option<&'a str>,
    /// Puts the marker into a body, in the form the platform hides.
    pub mark: fn(&str, &Metadata) -> String,
    /// What the platform calls a comment (`comment`, `note`), for the lines printed.
    pub noun: &'static str,
    /// Whose the marked comments are, learnt as the threads are written.
    authors: Authors,
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
    /// The job's link, which the marker of a plan or apply carries.
    pub link: Option<String>,
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
            // A plan and the summary are living comments; an apply is a record of each.
            Command::Plan | Command::Summary => Behaviour::Update,
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
                result: None,
                sha: ci.sha.clone(),
                target: vars.get("target").filter(|t| !t.is_empty()).cloned(),
                vars: embedded,
                workflow_name: ci.job.workflow.clone(),
            },
            link: ci.build_url.clone(),
            labels,
        })
    }

    /// The marker of this run's comment on pull request `pr`: a plan or apply's says
    /// what `report` amounted to, for `tfnotify summary`.
    pub(crate) fn metadata_for(&self, report: &Report, pr: Option<u64>) -> Metadata {
        let mut metadata = self.metadata.clone();
        metadata.pr_number = pr;
        if matches!(
            report.command,
            Command::Plan | Command::Apply | Command::Destroy
        ) {
            metadata.result = Some(Facts::of(report, self.link.as_deref()));
        }
        metadata
    }

    /// A plan with nothing to say (no changes, no warnings, no problems of ours), which
    /// `--skip-no-changes` leaves unposted.
    pub(crate) fn is_quiet(report: &Report, problems: &[String]) -> bool {
        report.outcome == Outcome::NoChanges && report.warnings.is_empty() && problems.is_empty()
    }

    /// The writer for the run's threads; `noun` is what the platform calls a comment.
    pub(crate) fn writer<'a>(
        &self,
        sha: Option<&'a str>,
        mark: fn(&str, &Metadata) -> String,
        noun: &'static str,
    ) -> Writer<'a> {
        Writer {
            behaviour: self.behaviour,
            skip_no_changes: self.skip_no_changes,
            sha,
            mark,
            noun,
            authors: Authors::default(),
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
        // Ours, of this command and target: the marker says which thread, the author
        // whether it is ours at all.
        let earlier: Vec<(&Comment, Metadata)> = comments
            .iter()
            .filter_map(|c| Metadata::extract(&c.body).map(|m| (c, m)))
            .filter(|(_, m)| metadata.is_same_thread(m))
            .filter(|(c, _)| {
                let marked = Marked {
                    id: c.id,
                    url: c.url.as_deref(),
                    author: &c.author,
                };
                self.authors
                    .is_ours(&marked, self.noun, || pull.token_account())
            })
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

    /// What the writing found worth a warning (a marked comment by someone else, a token
    /// whose account cannot be read), once each.
    pub(crate) fn warnings(&self) -> Vec<String> {
        self.authors.take_warnings()
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

pub(crate) use crate::model::overview::same_commit;

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
    use crate::notify::authors::{Author, Authors};
    use crate::notify::github::Behaviour;
    use crate::notify::github::metadata::{Metadata, PROGRAM};

    /// A pull request in memory that records the calls made on it.
    #[derive(Default)]
    struct Pull {
        head: Option<String>,
        /// The token's account; `None` when it cannot be read.
        token: Option<String>,
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
        fn token_account(&self) -> Result<String, String> {
            self.calls.borrow_mut().push("whoami".into());
            self.token.clone().ok_or_else(|| "no scope".to_owned())
        }
    }

    /// A comment by the token's account (`bot`, id 42).
    fn comment(id: u64, body: &str, hidden: bool) -> Comment {
        by(id, body, hidden, "42")
    }

    /// A comment by the account `account`.
    fn by(id: u64, body: &str, hidden: bool, account: &str) -> Comment {
        Comment {
            id,
            body: body.to_owned(),
            url: Some(format!("https://forge.example/c/{id}")),
            hidden,
            author: Author::Account {
                id: account.into(),
                name: format!("user-{account}"),
            },
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
            authors: Authors::default(),
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
            token: Some("42".into()),
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
        // The earlier comment is for another commit, so the head is asked each time; the
        // token's account is read once, for the marked comments.
        case(
            Behaviour::Update,
            &all,
            None,
            false,
            "updated",
            &["whoami", "head", "update 1"],
        );
        case(
            Behaviour::Update,
            &[same],
            None,
            false,
            "unchanged",
            &["whoami"],
        );
        let none_visible = [hidden.clone(), theirs.clone()];
        case(
            Behaviour::Update,
            &none_visible,
            None,
            false,
            "created",
            &["whoami", "create"],
        );
        case(
            Behaviour::New,
            &all,
            None,
            false,
            "created",
            &["whoami", "head", "create"],
        );
        let hide = ["whoami", "head", "create", "hide 1"];
        case(Behaviour::HideAndNew, &all, None, false, "created", &hide);
        let delete = ["whoami", "head", "create", "delete 2", "delete 1"];
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
            &["whoami", "head", "update 1"],
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
                &["whoami", "head"],
            );
        }
        // Our commit is the head: the comment is stale, not newer.
        case(
            Behaviour::Update,
            &[newer],
            Some("bbbbbbbbbbbb"),
            false,
            "updated",
            &["whoami", "head", "update 1"],
        );
    }

    #[test]
    fn a_marked_comment_by_someone_else_is_never_touched() {
        let planted = by(5, &mark("harmless", &meta("cccccccccccc")), false, "7");
        let old = comment(1, &mark("old", &meta("aaaaaaaaaaaa")), false);
        // Whatever the behaviour, the planted comment (newest, and for the head commit)
        // neither receives the plan nor stops the run, nor is hidden or deleted.
        for (behaviour, action, calls) in [
            (
                Behaviour::Update,
                "updated",
                &["whoami", "head", "update 1"][..],
            ),
            (Behaviour::New, "created", &["whoami", "head", "create"][..]),
            (
                Behaviour::HideAndNew,
                "created",
                &["whoami", "head", "create", "hide 1"][..],
            ),
            (
                Behaviour::DeleteAndNew,
                "created",
                &["whoami", "head", "create", "delete 1"][..],
            ),
        ] {
            case(
                behaviour,
                &[old.clone(), planted.clone()],
                Some("cccccccccccc"),
                false,
                action,
                calls,
            );
        }
        // Alone, it is as good as no comment at all.
        case(
            Behaviour::Update,
            std::slice::from_ref(&planted),
            Some("cccccccccccc"),
            false,
            "created",
            &["whoami", "create"],
        );
    }

    #[test]
    fn a_planted_comment_is_named_in_a_warning_once_for_every_thread() {
        let planted = by(5, &mark("harmless", &meta("cccccccccccc")), false, "7");
        let pull = Pull {
            token: Some("42".into()),
            ..Pull::default()
        };
        let w = writer(Behaviour::Update, "bbbbbbbbbbbb");
        let comments = [planted];
        for _ in 0..2 {
            w.write(&pull, &comments, &meta("bbbbbbbbbbbb"), "body", false)
                .expect("no error");
        }
        assert_eq!(*pull.calls.borrow(), ["whoami", "create", "create"]);
        assert_eq!(
            w.warnings(),
            [
                "the comment https://forge.example/c/5 by another user, `user-7`, carries tfnotify's marker; it was left alone, as tfnotify edits, hides and deletes only what its own token wrote"
            ]
        );
    }

    #[test]
    fn a_token_whose_account_cannot_be_read_touches_no_marked_comment() {
        let old = comment(1, &mark("old", &meta("aaaaaaaaaaaa")), false);
        for behaviour in [
            Behaviour::Update,
            Behaviour::New,
            Behaviour::HideAndNew,
            Behaviour::DeleteAndNew,
        ] {
            let pull = Pull::default();
            let w = writer(behaviour, "bbbbbbbbbbbb");
            let (action, _) = w
                .write(
                    &pull,
                    std::slice::from_ref(&old),
                    &meta("bbbbbbbbbbbb"),
                    "new body",
                    false,
                )
                .expect("no error");
            assert_eq!(action, "created");
            assert_eq!(*pull.calls.borrow(), ["whoami", "create"]);
            let warnings = w.warnings();
            assert_eq!(warnings.len(), 1, "{warnings:?}");
            assert!(warnings[0].starts_with("no scope; "), "{warnings:?}");
        }
        // Nothing marked, nothing to ask.
        let pull = Pull::default();
        let w = writer(Behaviour::Update, "bbbbbbbbbbbb");
        let unmarked = [by(3, "LGTM", false, "7")];
        w.write(&pull, &unmarked, &meta("bbbbbbbbbbbb"), "body", false)
            .expect("no error");
        assert_eq!(*pull.calls.borrow(), ["create"]);
        assert!(w.warnings().is_empty());
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
