//! GitHub: one living comment per target on the pull request, result labels, and a commit
//! comment when there is no pull request.
//!
//! A run finds its pull request (from CI, or from the commit, which also finds it after a
//! squash merge), brings the labels in line with the result, then writes the comment the
//! way the behaviour says: `update` the last comment of this command and target, post a
//! `new` one, or post a new one and hide or delete the older ones, by the rules every
//! review platform shares (`notify::thread`). A body that would not change makes no call,
//! and a job for an older commit never overwrites a comment written for a newer one.
//! Comments and labels of anyone else are never touched: our comments carry a hidden
//! marker (see `metadata`) and were written by the token's own account, which GitHub's
//! `viewerDidAuthor` tells in the listing tfnotify reads anyway. Commit comments are only
//! ever posted, never looked for.

pub(crate) mod api;
pub(crate) mod labels;
pub(crate) mod metadata;
#[cfg(test)]
mod recorded;

use std::collections::BTreeMap;

use crate::ci::Platform;
use crate::config::SecretString;
use crate::model::{Outcome, Report};
use crate::notify::authors::Author;
use crate::notify::http::{Http, HttpError};
use crate::notify::results::{self, PullResults};
use crate::notify::thread::{self, PullComments, Setup};
use crate::notify::{Delivery, Notifier, NotifyError, Request, Sent};
use crate::render::Flavor;

use api::{Api, Comment};
use labels::{Kind, Labels, Present};
use metadata::Metadata;

/// What a `notifiers:` entry of type `github` may set, and the variables each replaces.
#[rustfmt::skip]
pub const SETTINGS: &[crate::notify::Setting] = &[
    crate::notify::Setting { key: "token", env: &["TFNOTIFY_GITHUB_TOKEN", "TFCMT_GITHUB_TOKEN", "GITHUB_TOKEN"], one_of: &[], doc: "API token that may write pull-request comments and labels." },
    crate::notify::Setting { key: "base_url", env: &["GITHUB_API_URL"], one_of: &[], doc: "REST API URL (GitHub Enterprise: `https://HOST/api/v3`)." },
    crate::notify::Setting { key: "graphql_url", env: &["GITHUB_GRAPHQL_URL"], one_of: &[], doc: "GraphQL URL (GitHub Enterprise: `https://HOST/api/graphql`)." },
];

/// GitHub's limit on a comment body, in characters.
pub const COMMENT_LIMIT: usize = 65_536;

/// What to do with earlier comments of the same command and target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Behaviour {
    /// Edit the last one in place (plan's default): one living comment.
    Update,
    /// Leave them and post another (apply's default: a record of each apply).
    New,
    /// Post another and hide the earlier ones as outdated.
    HideAndNew,
    /// Post another and delete the earlier ones.
    DeleteAndNew,
}

/// Why posting to GitHub failed, with a hint for the usual causes.
#[derive(Debug, thiserror::Error)]
pub enum GitHubError {
    #[error(
        "GitHub: no token; set `GITHUB_TOKEN` (or `TFNOTIFY_GITHUB_TOKEN`, or `token:` in the config)"
    )]
    NoToken,
    #[error(
        "GitHub: in {0} `GITHUB_TOKEN` and `GITHUB_API_URL` belong to the job's own server; post there with `--notifier gitea`, or set `TFNOTIFY_GITHUB_TOKEN` to post to GitHub"
    )]
    ForgeJob(&'static str),
    #[error("GitHub: the repository is unknown; run in CI, or give `--owner` and `--repo`")]
    NoRepository,
    #[error(
        "GitHub: nothing to comment on: no pull request, and no commit SHA to find one; give `--pr` or `--sha`"
    )]
    NoTarget,
    #[error("GitHub: {0}")]
    Labels(String),
    #[error("GitHub: {0}")]
    Render(String),
    #[error("GitHub: {source}")]
    Http {
        source: HttpError,
        hint: Option<String>,
    },
}

impl GitHubError {
    /// How to fix it, when there is something to say.
    pub fn hint(&self) -> Option<&str> {
        match self {
            GitHubError::Http { hint, .. } => hint.as_deref(),
            _ => None,
        }
    }
}

/// The GitHub notifier, resolved from config, environment and CI.
pub struct GitHub {
    base: String,
    graphql: String,
    token: SecretString,
    owner: String,
    repo: String,
    pr: Option<u64>,
    sha: Option<String>,
    setup: Setup,
}

/// Choices from the command line for one run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub behaviour: Option<Behaviour>,
    pub skip_no_changes: bool,
    pub disable_label: bool,
}

/// Where and as whom a run calls GitHub: the token, the REST base and the GraphQL URL,
/// resolved the same way for every GitHub destination (comments and check runs).
pub(crate) struct Endpoint {
    pub token: SecretString,
    /// REST base without a trailing `/`: `https://api.github.com`, or `https://HOST/api/v3`.
    pub base: String,
    pub graphql: String,
}

impl Endpoint {
    /// The token (`TFNOTIFY_GITHUB_TOKEN`, `TFCMT_GITHUB_TOKEN`, the classic block's, then
    /// `GITHUB_TOKEN`) and the API URLs (the classic block's, `ghe_base_url`,
    /// `GITHUB_API_URL`, the CI's), read through `request.env`.
    pub(crate) fn resolve(request: &Request<'_>) -> Result<Endpoint, GitHubError> {
        let (config, ci, env) = (request.config, request.ci, request.env);
        let classic = config.notifier.github.as_ref();
        // A Gitea or Forgejo runner sets these two for its own server, not for GitHub.
        let forge_job = crate::notify::gitea::is_forge_job(ci.platform);
        let runner = |name: &str| if forge_job { None } else { env(name) };
        let token = env("TFNOTIFY_GITHUB_TOKEN")
            .or_else(|| env("TFCMT_GITHUB_TOKEN"))
            .filter(|t| !t.is_empty())
            .or_else(|| {
                classic
                    .map(|g| g.token.expose().to_owned())
                    .filter(|t| !t.is_empty())
            })
            .or_else(|| runner("GITHUB_TOKEN"))
            .filter(|t| !t.is_empty())
            .ok_or(if forge_job {
                GitHubError::ForgeJob(ci.platform.label())
            } else {
                GitHubError::NoToken
            })?;
        let base = [
            classic.map(|g| g.base_url.clone()),
            Some(config.ghe_base_url.clone()),
            runner("GITHUB_API_URL"),
            ci.api_url.clone().filter(|_| !forge_job),
        ]
        .into_iter()
        .flatten()
        .find(|u| !u.is_empty())
        .unwrap_or_else(|| "https://api.github.com".to_owned());
        let base = base.trim_end_matches('/').to_owned();
        let graphql = [
            Some(config.ghe_graphql_endpoint.clone()),
            env("GITHUB_GRAPHQL_URL"),
        ]
        .into_iter()
        .flatten()
        .find(|u| !u.is_empty())
        .unwrap_or_else(|| graphql_for(&base));
        Ok(Endpoint {
            token: SecretString::new(token),
            base,
            graphql,
        })
    }

    /// The calls on `owner/repo` through `http`.
    pub(crate) fn api<'a>(&self, http: &'a Http, owner: &str, repo: &str) -> Api<'a> {
        Api {
            http,
            base: self.base.clone(),
            graphql: self.graphql.clone(),
            token: self.token.clone(),
            owner: owner.to_owned(),
            repo: repo.to_owned(),
        }
    }
}

impl GitHub {
    /// The notifier for this run; tokens and API URLs are read through `request.env`.
    pub(crate) fn build(request: &Request<'_>) -> Result<GitHub, GitHubError> {
        let Endpoint {
            token,
            base,
            graphql,
        } = Endpoint::resolve(request)?;
        let ci = request.ci;
        let (owner, repo) = thread::repository(ci).ok_or(GitHubError::NoRepository)?;
        let setup =
            Setup::from_request(request, Some(labels::RULES)).map_err(GitHubError::Labels)?;
        Ok(GitHub {
            base,
            graphql,
            token,
            owner,
            repo,
            pr: ci.pr_number,
            sha: ci.sha.clone(),
            setup,
        })
    }

    /// Posts the message. `render` gets the label problems (for `.ErrorMessages`) and
    /// returns the body; `destroy_warning` is the classic extra comment, already rendered.
    fn post(
        &self,
        http: &Http,
        report: &Report,
        render: &dyn Fn(&[String]) -> Result<String, String>,
        destroy_warning: Option<&str>,
    ) -> Result<Sent, NotifyError> {
        let api = self.api(http);
        let pr = match self.pr {
            Some(pr) => Some(pr),
            None => self.find_pull(&api)?,
        };
        let mut sent = Sent::default();
        if let (Some(pr), Some(labels)) = (pr, &self.setup.labels) {
            sent.warnings = sync_labels(&api, pr, labels, Kind::of(report));
        }
        let body = render(&sent.warnings).map_err(GitHubError::Render)?;
        let metadata = self.setup.metadata_for(report, pr);
        let quiet = report.outcome == Outcome::NoChanges
            && report.warnings.is_empty()
            && sent.warnings.is_empty();
        let Some(pr) = pr else {
            let Some(sha) = &self.sha else {
                return Err(GitHubError::NoTarget.into());
            };
            if self.setup.skip_no_changes && quiet {
                "skipped: no changes".clone_into(&mut sent.action);
                return Ok(sent);
            }
            let comment = api
                .create_commit_comment(sha, &with_marker(&body, &metadata))
                .map_err(|e| http_error(e, &self.owner, &self.repo))?;
            "created (commit comment)".clone_into(&mut sent.action);
            sent.url = Some(comment.html_url);
            return Ok(sent);
        };
        let (pull, comments) = self.open(&api, pr)?;
        let writer = self
            .setup
            .writer(self.sha.as_deref(), with_marker, "comment");
        let (action, url) = writer.write(&pull, &comments, &metadata, &body, quiet)?;
        sent.action = action;
        sent.url = url;
        if let (Some(warning), true) = (destroy_warning, report.has_destroy) {
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
            None => self.find_pull(&api)?.ok_or(GitHubError::NoTarget)?,
        };
        let (pull, comments) = self.open(&api, pr)?;
        results::latest(&pull, &comments, "comment")
    }

    /// Pull request `pr`'s comments, and the calls on it the shared rules make.
    fn open<'a>(
        &'a self,
        api: &'a Api<'a>,
        pr: u64,
    ) -> Result<(Pull<'a>, Vec<thread::Comment>), NotifyError> {
        let listed = api
            .comments(pr)
            .map_err(|e| http_error(e, &self.owner, &self.repo))?;
        let pull = Pull {
            github: self,
            api,
            number: pr,
            nodes: listed.iter().map(|c| (c.id, c.node_id.clone())).collect(),
        };
        Ok((pull, listed.into_iter().map(posted).collect()))
    }

    fn api<'a>(&self, http: &'a Http) -> Api<'a> {
        Api {
            http,
            base: self.base.clone(),
            graphql: self.graphql.clone(),
            token: self.token.clone(),
            owner: self.owner.clone(),
            repo: self.repo.clone(),
        }
    }

    /// The pull request of the commit, preferring an open one.
    fn find_pull(&self, api: &Api<'_>) -> Result<Option<u64>, GitHubError> {
        let Some(sha) = &self.sha else {
            return Ok(None);
        };
        let pulls = api
            .pulls_for_commit(sha)
            .map_err(|e| http_error(e, &self.owner, &self.repo))?;
        let open = pulls.iter().find(|p| p.state == "open");
        Ok(open.or(pulls.first()).map(|p| p.number))
    }
}

/// The comment calls on one pull request, for the shared behaviours; remembers the
/// GraphQL node id of every comment listed, which hiding takes.
struct Pull<'a> {
    github: &'a GitHub,
    api: &'a Api<'a>,
    number: u64,
    nodes: BTreeMap<u64, String>,
}

impl Pull<'_> {
    fn error(&self, source: HttpError) -> NotifyError {
        http_error(source, &self.github.owner, &self.github.repo).into()
    }
}

impl PullComments for Pull<'_> {
    fn create(&self, body: &str) -> Result<thread::Comment, NotifyError> {
        let comment = self.api.create_comment(self.number, body);
        Ok(posted(comment.map_err(|e| self.error(e))?))
    }

    fn update(&self, id: u64, body: &str) -> Result<thread::Comment, NotifyError> {
        let comment = self.api.update_comment(id, body);
        Ok(posted(comment.map_err(|e| self.error(e))?))
    }

    fn delete(&self, id: u64) -> Result<(), NotifyError> {
        self.api.delete_comment(id).map_err(|e| self.error(e))
    }

    /// Hides the comment as outdated, as GitHub's "Hide" menu does.
    fn hide(&self, comment: &thread::Comment) -> Result<(), NotifyError> {
        let node = self.nodes.get(&comment.id).map_or("", String::as_str);
        self.api.minimize(node).map_err(|e| self.error(e))
    }

    fn head_sha(&self) -> Result<Option<String>, NotifyError> {
        let pull = self.api.pull(self.number).map_err(|e| self.error(e))?;
        Ok(Some(pull.head.sha).filter(|s| !s.is_empty()))
    }
}

/// A comment as the shared rules see it: GitHub says outright whether the token wrote it.
fn posted(comment: Comment) -> thread::Comment {
    thread::Comment {
        id: comment.id,
        body: comment.body,
        url: Some(comment.html_url).filter(|u| !u.is_empty()),
        hidden: comment.minimized,
        author: Author::Known {
            by_token: comment.by_viewer,
            name: comment
                .author
                .unwrap_or_else(|| "an unknown account".to_owned()),
        },
    }
}

/// The GitHub notifier when the run asks for it: `--notifier github`, a `github` block in
/// the config, or a GitHub token in the environment of a GitHub Actions job (or of a run
/// whose repository was given by flags, unless it is a Gitea or Forgejo Actions job, whose
/// `GITHUB_TOKEN` is for its own server).
pub(crate) fn from_request(
    request: &Request<'_>,
) -> Option<Result<Box<dyn Notifier>, NotifyError>> {
    let wanted = request.wants("github", || {
        let token = [
            "TFNOTIFY_GITHUB_TOKEN",
            "TFCMT_GITHUB_TOKEN",
            "GITHUB_TOKEN",
        ]
        .iter()
        .any(|name| (request.env)(name).is_some_and(|v| !v.is_empty()));
        let forge_job = crate::notify::gitea::is_forge_job(request.ci.platform);
        request.config.notifier.github.is_some()
            || (token
                && (request.ci.platform == Platform::GitHubActions
                    || (request.repository_from_flags && !forge_job)))
    });
    wanted.then(|| {
        GitHub::build(request)
            .map(|github| Box::new(github) as Box<dyn Notifier>)
            .map_err(NotifyError::from)
    })
}

impl Notifier for GitHub {
    fn kind(&self) -> &'static str {
        "GitHub"
    }

    fn noun(&self) -> &'static str {
        "comment"
    }

    fn flavor(&self) -> Flavor {
        Flavor::Markdown
    }

    fn codeowners(&self) -> Option<crate::owners::Dialect> {
        Some(crate::owners::Dialect::GitHub)
    }

    fn limit(&self) -> usize {
        // Room is kept for the hidden marker.
        COMMENT_LIMIT - 1_000
    }

    fn secrets(&self) -> Vec<String> {
        vec![self.token.expose().to_owned()]
    }

    fn pull_results(&self, http: &Http) -> Option<Result<PullResults, NotifyError>> {
        Some(self.results(http))
    }

    fn send(&self, http: &Http, delivery: &Delivery<'_>) -> Result<Sent, NotifyError> {
        self.post(
            http,
            delivery.report,
            delivery.render,
            delivery.destroy_warning,
        )
    }
}

impl From<GitHubError> for NotifyError {
    fn from(error: GitHubError) -> Self {
        let hint = error.hint().map(str::to_owned);
        let message = error.to_string();
        let message = message
            .strip_prefix("GitHub: ")
            .unwrap_or(&message)
            .to_owned();
        NotifyError {
            kind: "GitHub",
            message,
            hint,
        }
    }
}

/// Brings our labels in line with the result; problems (a label skipped because its name
/// cannot be one among them) are returned, never raised.
fn sync_labels(api: &Api<'_>, pr: u64, labels: &Labels, kind: Option<Kind>) -> Vec<String> {
    let mut problems: Vec<String> = labels.refusal(kind).into_iter().collect();
    if !labels.any() {
        return problems;
    }
    let present: Vec<Present> = match api.labels(pr) {
        Ok(list) => list
            .into_iter()
            .map(|l| Present {
                name: l.name,
                color: l.color,
            })
            .collect(),
        Err(e) => {
            problems.push(format!("could not read the labels of #{pr}: {e}"));
            return problems;
        }
    };
    let changes = labels.changes(kind, &present);
    if changes.is_empty() {
        return problems;
    }
    for name in &changes.remove {
        if let Err(e) = api.remove_label(pr, name) {
            problems.push(format!("could not remove the label `{name}`: {e}"));
        }
    }
    if let Some(wanted) = &changes.add {
        match api.add_labels(pr, &[&wanted.name]) {
            Ok(now) => {
                let color = now
                    .iter()
                    .find(|l| wanted.name == *l.name)
                    .map(|l| l.color.clone());
                if color.is_some_and(|c| !c.eq_ignore_ascii_case(&wanted.color))
                    && let Err(e) = api.set_label_color(&wanted.name, &wanted.color)
                {
                    problems.push(format!("could not colour the label `{}`: {e}", wanted.name));
                }
            }
            Err(e) => problems.push(format!("could not add the label `{}`: {e}", wanted.name)),
        }
    }
    if let Some(wanted) = &changes.recolor
        && let Err(e) = api.set_label_color(&wanted.name, &wanted.color)
    {
        problems.push(format!("could not colour the label `{}`: {e}", wanted.name));
    }
    problems
}

pub(crate) fn with_marker(body: &str, metadata: &Metadata) -> String {
    format!("{}\n{}", body.trim_end(), metadata.marker())
}

/// GitHub's GraphQL endpoint for a REST base: `…/api/v3` on GitHub Enterprise Server.
fn graphql_for(base: &str) -> String {
    match base.strip_suffix("/api/v3") {
        Some(host) => format!("{host}/api/graphql"),
        None => format!("{base}/graphql"),
    }
}

/// An HTTP failure with the hint a user needs for GitHub's usual refusals.
fn http_error(source: HttpError, owner: &str, repo: &str) -> GitHubError {
    let hint = match source.status() {
        Some(401) => Some("the token is invalid or expired".to_owned()),
        Some(403) => Some(
            "the token may lack `pull-requests: write` (in GitHub Actions: `permissions: pull-requests: write`); on a pull request from a fork the token is read-only, so the message reaches only the job's step summary (`GITHUB_STEP_SUMMARY`, unless `--no-step-summary` is set)".to_owned(),
        ),
        Some(404) => Some(format!(
            "check that `{owner}/{repo}` and the pull request exist and that the token can see them"
        )),
        _ => source.hint().map(str::to_owned),
    };
    GitHubError::Http { source, hint }
}

#[cfg(test)]
mod tests {
    use super::graphql_for;

    #[test]
    fn graphql_follows_the_rest_base() {
        assert_eq!(
            graphql_for("https://api.github.com"),
            "https://api.github.com/graphql"
        );
        assert_eq!(
            graphql_for("https://ghe.example.com/api/v3"),
            "https://ghe.example.com/api/graphql"
        );
    }
}
