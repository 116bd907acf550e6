//! Gitea and Forgejo: one living comment per target on the pull request, and result labels.
//!
//! Forgejo's API is a superset of Gitea's, so this one notifier (`--notifier gitea`) serves
//! both, Codeberg included. It behaves like GitHub's (see `notify::thread` for the comment
//! rules and `github::labels` for which label a plan earns) with three differences that
//! come from Gitea itself:
//! - there is no hide button, so `hide-and-new` folds each earlier comment into a closed
//!   `<details>` block titled "Outdated" (kept readable, out of the way, never updated again);
//! - labels are set by id, so a missing label is first created in the repository;
//! - there are no commit comments, so a commit that belongs to no pull request gets nothing,
//!   and the run says so.
//!
//! In Gitea and Forgejo Actions the runner sets GitHub's variable names; the API base comes
//! from there and the job's `GITHUB_TOKEN` is the Gitea token, so this notifier, not
//! GitHub's, takes it.

pub(crate) mod api;

use crate::ci::{CiEnv, Platform};
use crate::config::SecretString;
use crate::notify::authors::Author;
use crate::notify::github::labels::{Kind, Labels, Present};
use crate::notify::github::with_marker;
use crate::notify::http::{Http, HttpError};
use crate::notify::label_name::{LabelName, Rules};
use crate::notify::results::{self, PullResults};
use crate::notify::thread::{self, PullComments, Setup, same_commit, short};
use crate::notify::{Delivery, Notifier, NotifyError, Request, Sent, is_http_url, non_empty};
use crate::render::Flavor;

use api::Api;

/// What a `notifiers:` entry of type `gitea` may set, and the variables each replaces.
#[rustfmt::skip]
pub const SETTINGS: &[crate::notify::Setting] = &[
    crate::notify::Setting { key: "token", env: &["TFNOTIFY_GITEA_TOKEN", "GITEA_TOKEN", "FORGEJO_TOKEN", "GITHUB_TOKEN"], one_of: &[], doc: "API token with the `write:issue`, `read:repository` and `read:user` scopes (`GITHUB_TOKEN` is read only in Gitea and Forgejo Actions, where it is the job's Gitea token)." },
    crate::notify::Setting { key: "base_url", env: &["GITEA_API_URL"], one_of: &[], doc: "REST API URL, `https://HOST/api/v1` (in Gitea and Forgejo Actions: the job's server)." },
];

/// The longest comment posted, in characters. Gitea documents no limit (the column is
/// `LONGTEXT`); this is GitLab's, a size a browser still shows.
pub const COMMENT_LIMIT: usize = 1_000_000;

/// What Gitea allows in a label name: 50 characters, what Gitea's and Forgejo's label form
/// accepts, so a label we create can still be edited in their web pages.
const LABEL_RULES: Rules = Rules {
    forge: "Gitea",
    max_chars: 50,
};

/// The first line of a comment that `hide-and-new` folded away.
const FOLDED: &str = "<details><summary>Outdated: a newer comment replaces this one</summary>";

/// The Gitea notifier, resolved from the environment and CI.
pub struct Gitea {
    base: String,
    token: SecretString,
    owner: String,
    repo: String,
    pr: Option<u64>,
    sha: Option<String>,
    setup: Setup,
}

impl Gitea {
    /// The notifier for this run: a token, an API URL and a repository are needed.
    pub fn build(request: &Request<'_>) -> Result<Gitea, NotifyError> {
        let ci = request.ci;
        let read = |name: &str| non_empty((request.env)(name));
        let forge_job = is_forge_job(ci.platform);
        let token = read("TFNOTIFY_GITEA_TOKEN")
            .or_else(|| read("GITEA_TOKEN"))
            .or_else(|| read("FORGEJO_TOKEN"))
            .or_else(|| forge_job.then(|| read("GITHUB_TOKEN")).flatten())
            .ok_or_else(|| {
                error(
                    "no token".to_owned(),
                    Some(
                        "set `GITEA_TOKEN` (or `FORGEJO_TOKEN`) to a token with the `write:issue`, `read:repository` and `read:user` scopes; in Gitea or Forgejo Actions, `GITEA_TOKEN: ${{ secrets.GITEA_TOKEN }}`",
                    ),
                )
            })?;
        let base = read("GITEA_API_URL")
            .or_else(|| ci_api_url(ci))
            .map(|url| url.trim_end_matches('/').to_owned())
            .ok_or_else(|| {
                error(
                    "the API URL is unknown".to_owned(),
                    Some("set `GITEA_API_URL` to `https://HOST/api/v1` (Codeberg: `https://codeberg.org/api/v1`)"),
                )
            })?;
        if !is_http_url(&base) {
            return Err(error(
                format!("the API URL `{base}` is not an http(s) URL"),
                Some("set `GITEA_API_URL` to `https://HOST/api/v1`"),
            ));
        }
        let Some((owner, repo)) = thread::repository(ci) else {
            return Err(error(
                "the repository is unknown".to_owned(),
                Some("run in Gitea or Forgejo Actions, or give `--owner` and `--repo`"),
            ));
        };
        let setup = Setup::from_request(request, Some(LABEL_RULES))
            .map_err(|message| error(message, None))?;
        Ok(Gitea {
            base,
            token: SecretString::new(token),
            owner,
            repo,
            pr: ci.pr_number,
            sha: ci.sha.clone(),
            setup,
        })
    }

    fn post(&self, http: &Http, delivery: &Delivery<'_>) -> Result<Sent, NotifyError> {
        let api = self.api(http);
        let pr = match self.pr {
            Some(pr) => Some(pr),
            None => self.find_pull(&api)?,
        };
        let mut sent = Sent::default();
        if let (Some(pr), Some(labels)) = (pr, &self.setup.labels) {
            sent.warnings = sync_labels(&api, pr, labels, Kind::of(delivery.report));
        }
        let body = (delivery.render)(&sent.warnings).map_err(|message| error(message, None))?;
        let Some(pr) = pr else {
            let Some(sha) = &self.sha else {
                return Err(error(
                    "nothing to comment on: no pull request, and no commit SHA to find one"
                        .to_owned(),
                    Some("give `--pr` or `--sha`"),
                ));
            };
            "skipped: no pull request".clone_into(&mut sent.action);
            sent.warnings.push(format!(
                "commit `{}` belongs to no open or merged pull request, and Gitea has no commit comments; give `--pr` to comment on one",
                short(sha)
            ));
            return Ok(sent);
        };
        let quiet = Setup::is_quiet(delivery.report, &sent.warnings);
        let metadata = self.setup.metadata_for(delivery.report, Some(pr));
        let (pull, comments) = self.open(&api, pr)?;
        let writer = self
            .setup
            .writer(self.sha.as_deref(), with_marker, "comment");
        let (action, url) = writer.write(&pull, &comments, &metadata, &body, quiet)?;
        sent.action = action;
        sent.url = url;
        if let (Some(warning), true) = (delivery.destroy_warning, delivery.report.has_destroy) {
            let mut meta = metadata.clone();
            meta.command = format!("{}-destroy-warning", metadata.command);
            writer.write(&pull, &comments, &meta, warning, false)?;
        }
        sent.warnings.extend(writer.warnings());
        Ok(sent)
    }

    /// The latest result of each target on the pull request, for `tfnotify summary`.
    fn results(&self, http: &Http) -> Result<PullResults, NotifyError> {
        let api = self.api(http);
        let pr = match self.pr {
            Some(pr) => pr,
            None => self.find_pull(&api)?.ok_or_else(|| {
                error(
                    "no pull request to summarise: give `--pr`, or the commit of one with `--sha`"
                        .to_owned(),
                    None,
                )
            })?,
        };
        let (pull, comments) = self.open(&api, pr)?;
        results::latest(&pull, &comments, "comment")
    }

    fn api<'a>(&self, http: &'a Http) -> Api<'a> {
        Api {
            http,
            base: self.base.clone(),
            token: self.token.clone(),
            owner: self.owner.clone(),
            repo: self.repo.clone(),
        }
    }

    /// Pull request `pr`'s comments, and the calls on it the shared rules make.
    fn open<'a>(
        &'a self,
        api: &'a Api<'a>,
        pr: u64,
    ) -> Result<(Pull<'a>, Vec<thread::Comment>), NotifyError> {
        let comments = api
            .comments(pr)
            .map_err(|e| self.http_error(&e))?
            .into_iter()
            .map(posted)
            .collect();
        let pull = Pull {
            gitea: self,
            api,
            number: pr,
        };
        Ok((pull, comments))
    }

    /// The pull request of the commit: the one whose merge brought it in, else an open one
    /// whose head it is.
    fn find_pull(&self, api: &Api<'_>) -> Result<Option<u64>, NotifyError> {
        let Some(sha) = &self.sha else {
            return Ok(None);
        };
        if let Some(pull) = api.merged_pull(sha).map_err(|e| self.http_error(&e))? {
            return Ok(Some(pull.number));
        }
        let open = api.open_pulls().map_err(|e| self.http_error(&e))?;
        Ok(open
            .iter()
            .find(|p| same_commit(&p.head.sha, sha))
            .map(|p| p.number))
    }

    /// An HTTP failure with the hint for Gitea's usual refusals.
    fn http_error(&self, source: &HttpError) -> NotifyError {
        let (owner, repo) = (&self.owner, &self.repo);
        let hint = match source.status() {
            Some(401) => Some(
                "the token is invalid or expired; check `GITEA_TOKEN` (or `FORGEJO_TOKEN`)"
                    .to_owned(),
            ),
            Some(403) => Some(format!(
                "the token needs the `write:issue` and `read:repository` scopes and write access to `{owner}/{repo}`; a job for a pull request from a fork gets a read-only token"
            )),
            Some(404) => Some(format!(
                "check that `{owner}/{repo}` and the pull request exist, that the token can see them, and that the API URL ends in `/api/v1`"
            )),
            Some(413) => Some(
                "a proxy in front of Gitea refused the comment's size; nginx allows 1 MB unless `client_max_body_size` is raised".to_owned(),
            ),
            Some(422) => Some(
                "Gitea refused the request's content; its message above names the field".to_owned(),
            ),
            _ => source.hint().map(str::to_owned),
        };
        NotifyError {
            kind: "Gitea",
            message: source.to_string(),
            hint,
        }
    }
}

/// The comment calls on one pull request, for the shared behaviours.
struct Pull<'a> {
    gitea: &'a Gitea,
    api: &'a Api<'a>,
    number: u64,
}

impl PullComments for Pull<'_> {
    fn create(&self, body: &str) -> Result<thread::Comment, NotifyError> {
        let comment = self
            .api
            .create_comment(self.number, body)
            .map_err(|e| self.gitea.http_error(&e))?;
        Ok(posted(comment))
    }

    fn update(&self, id: u64, body: &str) -> Result<thread::Comment, NotifyError> {
        let comment = self
            .api
            .update_comment(id, body)
            .map_err(|e| self.gitea.http_error(&e))?;
        Ok(posted(comment))
    }

    fn delete(&self, id: u64) -> Result<(), NotifyError> {
        self.api
            .delete_comment(id)
            .map_err(|e| self.gitea.http_error(&e))
    }

    /// Folds the comment into a closed `<details>` block: Gitea cannot hide comments.
    fn hide(&self, comment: &thread::Comment) -> Result<(), NotifyError> {
        self.update(comment.id, &fold(&comment.body)).map(|_| ())
    }

    fn head_sha(&self) -> Result<Option<String>, NotifyError> {
        let pull = self
            .api
            .pull(self.number)
            .map_err(|e| self.gitea.http_error(&e))?;
        Ok(Some(pull.head.sha).filter(|s| !s.is_empty()))
    }

    fn token_account(&self) -> Result<String, String> {
        match self.api.me() {
            Ok(user) => Ok(user.id.to_string()),
            Err(e) => Err(format!(
                "Gitea did not say whose the token is ({e}); give the token the `read:user` scope, which lets tfnotify tell its own comments from copies of them"
            )),
        }
    }
}

/// The Gitea notifier when the run asks for it: `--notifier gitea`; a Gitea token
/// (`GITEA_TOKEN`, `FORGEJO_TOKEN`) where the API is known (Gitea or Forgejo Actions,
/// `GITEA_API_URL`); or the job token of a Gitea or Forgejo Actions job. A token alone is
/// not enough: with no server to post to it could only fail, and a job that carries one
/// for another purpose (a mirror) must not fail for it.
pub(crate) fn from_request(
    request: &Request<'_>,
) -> Option<Result<Box<dyn Notifier>, NotifyError>> {
    let set = |name: &str| crate::notify::env_is_set(request.env, name);
    let wanted = request.wants("gitea", || {
        let forge_job = is_forge_job(request.ci.platform);
        let token = ["TFNOTIFY_GITEA_TOKEN", "GITEA_TOKEN", "FORGEJO_TOKEN"]
            .iter()
            .any(|name| set(name));
        let api_known = forge_job || set("GITEA_API_URL");
        (token && api_known) || (forge_job && set("GITHUB_TOKEN"))
    });
    wanted.then(|| Gitea::build(request).map(|g| Box::new(g) as Box<dyn Notifier>))
}

/// Whether the job runs in Gitea or Forgejo Actions, whose `GITHUB_*` variables (the token
/// and the API URL among them) belong to that server, not to GitHub.
pub(crate) fn is_forge_job(platform: Platform) -> bool {
    matches!(platform, Platform::GiteaActions | Platform::ForgejoActions)
}

impl Notifier for Gitea {
    fn kind(&self) -> &'static str {
        "Gitea"
    }

    fn noun(&self) -> &'static str {
        "comment"
    }

    fn flavor(&self) -> Flavor {
        Flavor::Markdown
    }

    fn codeowners(&self) -> Option<crate::owners::Dialect> {
        Some(crate::owners::Dialect::Gitea)
    }

    fn limit(&self) -> usize {
        // Room is kept for the marker and for folding the comment later.
        COMMENT_LIMIT - 1_000
    }

    fn secrets(&self) -> Vec<String> {
        vec![self.token.expose().to_owned()]
    }

    fn pull_results(&self, http: &Http) -> Option<Result<PullResults, NotifyError>> {
        Some(self.results(http))
    }

    fn send(&self, http: &Http, delivery: &Delivery<'_>) -> Result<Sent, NotifyError> {
        self.post(http, delivery)
    }
}

/// The API base CI knows: the job's own server in Gitea or Forgejo Actions, or a Woodpecker
/// job whose forge has a Gitea-style API.
fn ci_api_url(ci: &CiEnv) -> Option<String> {
    let url = ci.api_url.clone()?;
    let gitea_style = is_forge_job(ci.platform)
        || (ci.platform == Platform::Woodpecker && url.trim_end_matches('/').ends_with("/api/v1"));
    gitea_style.then_some(url)
}

/// Brings our labels in line with the result; problems (a label skipped because its name
/// cannot be one among them) are returned, never raised.
fn sync_labels(api: &Api<'_>, pr: u64, labels: &Labels, kind: Option<Kind>) -> Vec<String> {
    let mut problems: Vec<String> = labels.refusal(kind).into_iter().collect();
    if !labels.any() {
        return problems;
    }
    let on_pull = match api.issue_labels(pr) {
        Ok(list) => list,
        Err(e) => {
            problems.push(format!("could not read the labels of #{pr}: {e}"));
            return problems;
        }
    };
    let present: Vec<Present> = on_pull
        .iter()
        .map(|l| Present {
            name: l.name.clone(),
            color: color(&l.color),
        })
        .collect();
    let changes = labels.changes(kind, &present);
    let id_on_pull = |name: &LabelName| on_pull.iter().find(|l| *name == *l.name).map(|l| l.id);
    for name in &changes.remove {
        if let Some(id) = id_on_pull(name)
            && let Err(e) = api.remove_label(pr, id)
        {
            problems.push(format!("could not remove the label `{name}`: {e}"));
        }
    }
    if let Some(wanted) = &changes.add {
        let repo_labels = match api.repo_labels() {
            Ok(list) => list,
            Err(e) => {
                problems.push(format!("could not read the repository's labels: {e}"));
                return problems;
            }
        };
        let id = match repo_labels.iter().find(|l| wanted.name == *l.name) {
            Some(existing) => {
                if color(&existing.color) != wanted.color
                    && let Err(e) = api.set_label_color(existing.id, &wanted.color)
                {
                    problems.push(format!("could not colour the label `{}`: {e}", wanted.name));
                }
                Some(existing.id)
            }
            None => match api.create_label(&wanted.name, &wanted.color) {
                Ok(created) => Some(created.id),
                Err(e) => {
                    problems.push(format!("could not create the label `{}`: {e}", wanted.name));
                    None
                }
            },
        };
        if let Some(id) = id
            && let Err(e) = api.add_labels(pr, &[id])
        {
            problems.push(format!("could not add the label `{}`: {e}", wanted.name));
        }
    }
    if let Some(wanted) = &changes.recolor
        && let Some(id) = id_on_pull(&wanted.name)
        && let Err(e) = api.set_label_color(id, &wanted.color)
    {
        problems.push(format!("could not colour the label `{}`: {e}", wanted.name));
    }
    problems
}

/// A colour as `github::labels` compares them: six lowercase hex digits, no `#`.
fn color(text: &str) -> String {
    text.trim_start_matches('#').to_ascii_lowercase()
}

/// An earlier comment folded away for `hide-and-new`; its marker stays inside, so it is
/// still known as ours (and as folded, by its first line).
fn fold(body: &str) -> String {
    format!("{FOLDED}\n\n{}\n\n</details>", body.trim_end())
}

/// A comment as the shared rules see it; its author is Gitea's account id.
fn posted(comment: api::Comment) -> thread::Comment {
    thread::Comment {
        id: comment.id,
        hidden: comment.body.starts_with(FOLDED),
        body: comment.body,
        url: Some(comment.html_url).filter(|u| !u.is_empty()),
        author: comment
            .user
            .map_or_else(Author::unknown, |user| Author::Account {
                id: user.id.to_string(),
                name: user.login,
            }),
    }
}

fn error(message: String, hint: Option<&str>) -> NotifyError {
    NotifyError::new("Gitea", message, hint)
}

#[cfg(test)]
mod tests {
    use super::{FOLDED, fold};
    use crate::notify::github::metadata::{Metadata, PROGRAM};
    use crate::notify::github::with_marker;

    #[test]
    fn a_folded_comment_keeps_its_marker() {
        let meta = Metadata {
            command: "plan".into(),
            program: PROGRAM.into(),
            target: Some("prod".into()),
            ..Metadata::default()
        };
        let folded = fold(&with_marker("## Plan\n\nbody", &meta));
        assert!(folded.starts_with(FOLDED));
        assert!(folded.ends_with("</details>"));
        assert_eq!(Metadata::extract(&folded), Some(meta));
    }
}
