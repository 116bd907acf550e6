//! Bitbucket Cloud: one living comment per target on the pull request.
//!
//! It behaves like the GitHub notifier (see `notify::thread` for the comment rules), within
//! what Bitbucket has: no labels, no way to hide a comment (`hide-and-new` deletes the
//! earlier ones, as Atlantis does there), and no HTML, so the message's folds are rewritten
//! and the marker that identifies our comments is a Markdown link reference definition
//! rather than an HTML comment (see `markdown`). A commit that belongs to no pull request
//! Bitbucket knows of gets nothing, and the run says why.
//!
//! Bitbucket Server and Data Center (the 1.0 REST API: `text` instead of `content.raw`,
//! versioned edits, comments listed through the activity feed) are `bitbucket_server`,
//! which reuses `markdown` and [`COMMENT_LIMIT`].

pub(crate) mod api;
pub(crate) mod markdown;

use base64::Engine as _;

use crate::ci::Platform;
use crate::config::SecretString;
use crate::notify::authors::Author;
use crate::notify::http::{Http, HttpError};
use crate::notify::results::{self, PullResults};
use crate::notify::thread::{self, PullComments, Setup, short};
use crate::notify::{
    Delivery, Notifier, NotifyError, Request, Sent, env_is_set, is_http_url, non_empty,
};
use crate::render::Flavor;

use api::{Api, CommitPulls};

/// What a `notifiers:` entry of type `bitbucket` may set, and the variables each replaces.
#[rustfmt::skip]
pub const SETTINGS: &[crate::notify::Setting] = &[
    crate::notify::Setting { key: "token", env: &["TFNOTIFY_BITBUCKET_TOKEN", "BITBUCKET_TOKEN", "BITBUCKET_ACCESS_TOKEN"], one_of: &[], doc: "Repository, project or workspace access token with the `pullrequest:write` scope, sent as a bearer token." },
    crate::notify::Setting { key: "username", env: &["BITBUCKET_USERNAME", "BITBUCKET_EMAIL"], one_of: &[], doc: "For basic authentication: the Bitbucket username (with an app password) or the Atlassian account email (with an API token)." },
    crate::notify::Setting { key: "app_password", env: &["BITBUCKET_APP_PASSWORD", "BITBUCKET_API_TOKEN"], one_of: &[], doc: "The app password or API token of `username`, with the `pullrequest:write` scope." },
    crate::notify::Setting { key: "base_url", env: &["BITBUCKET_API_URL"], one_of: &[], doc: "API URL (default `https://api.bitbucket.org/2.0`)." },
];

/// The API's base when `BITBUCKET_API_URL` does not name another.
pub const DEFAULT_API_URL: &str = "https://api.bitbucket.org/2.0";

/// Bitbucket's limit on a comment: "a non-empty value less than 32768 characters".
pub const COMMENT_LIMIT: usize = 32_767;

/// How requests are signed.
enum Credentials {
    /// An access token (repository, project or workspace).
    Bearer(SecretString),
    /// A username (or Atlassian email) with an app password (or API token).
    Basic {
        username: String,
        password: SecretString,
    },
}

impl Credentials {
    /// The `Authorization` header's value.
    fn header(&self) -> String {
        match self {
            Credentials::Bearer(token) => format!("Bearer {}", token.expose()),
            Credentials::Basic { username, password } => {
                format!("Basic {}", basic(username, password))
            }
        }
    }
}

/// The Bitbucket notifier, resolved from the environment and CI.
pub struct Bitbucket {
    base: String,
    credentials: Credentials,
    workspace: String,
    repo: String,
    pr: Option<u64>,
    sha: Option<String>,
    setup: Setup,
}

impl Bitbucket {
    /// The notifier for this run: credentials and a repository are needed.
    pub fn build(request: &Request<'_>) -> Result<Bitbucket, NotifyError> {
        let read = |name: &str| non_empty((request.env)(name));
        let token = read("TFNOTIFY_BITBUCKET_TOKEN")
            .or_else(|| read("BITBUCKET_TOKEN"))
            .or_else(|| read("BITBUCKET_ACCESS_TOKEN"));
        let username = read("BITBUCKET_USERNAME").or_else(|| read("BITBUCKET_EMAIL"));
        let password = read("BITBUCKET_APP_PASSWORD").or_else(|| read("BITBUCKET_API_TOKEN"));
        let credentials = match (token, username, password) {
            (Some(token), _, _) => Credentials::Bearer(SecretString::new(token)),
            (None, Some(username), Some(password)) => Credentials::Basic {
                username,
                password: SecretString::new(password),
            },
            (None, Some(_), None) => {
                return Err(error(
                    "`BITBUCKET_USERNAME` is set but no password".to_owned(),
                    Some("set `BITBUCKET_APP_PASSWORD` (or `BITBUCKET_API_TOKEN`) too"),
                ));
            }
            (None, None, Some(_)) => {
                return Err(error(
                    "an app password or API token is set but no username".to_owned(),
                    Some(
                        "set `BITBUCKET_USERNAME` (with an app password) or `BITBUCKET_EMAIL` (with an API token) too",
                    ),
                ));
            }
            (None, None, None) => {
                return Err(error(
                    "no credentials".to_owned(),
                    Some(
                        "set `BITBUCKET_TOKEN` to an access token with the `pullrequest:write` scope, or `BITBUCKET_EMAIL` and `BITBUCKET_API_TOKEN`",
                    ),
                ));
            }
        };
        let base = read("BITBUCKET_API_URL")
            .unwrap_or_else(|| DEFAULT_API_URL.to_owned())
            .trim_end_matches('/')
            .to_owned();
        if !is_http_url(&base) {
            return Err(error(
                format!("the API URL `{base}` is not an http(s) URL"),
                Some("unset `BITBUCKET_API_URL`, or set it to `https://api.bitbucket.org/2.0`"),
            ));
        }
        let ci = request.ci;
        let Some((workspace, repo)) = thread::repository(ci) else {
            return Err(error(
                "the repository is unknown".to_owned(),
                Some(
                    "run in Bitbucket Pipelines, or give `--owner WORKSPACE` and `--repo REPO_SLUG`",
                ),
            ));
        };
        let setup = Setup::from_request(request, None).map_err(|message| error(message, None))?;
        Ok(Bitbucket {
            base,
            credentials,
            workspace,
            repo,
            pr: ci.pr_number,
            sha: ci.sha.clone(),
            setup,
        })
    }

    /// The latest result of each target on the pull request, for `tfnotify summary`.
    fn results(&self, http: &Http) -> Result<PullResults, NotifyError> {
        let api = self.api(http);
        let find = |sha: &str| self.find_pull(&api, sha);
        let pr = thread::pull_to_comment_on("Bitbucket", self.pr, self.sha.as_deref(), find)?
            .map_err(|why| error(why, None))?;
        let (pull, comments) = self.open(&api, pr)?;
        results::latest(&pull, &comments, "comment")
    }

    fn api<'a>(&self, http: &'a Http) -> Api<'a> {
        Api {
            http,
            base: self.base.clone(),
            authorization: self.credentials.header(),
            workspace: self.workspace.clone(),
            repo: self.repo.clone(),
        }
    }

    /// Pull request `pr`'s comments (deleted ones left out), and the calls on it the
    /// shared rules make.
    fn open<'a>(
        &'a self,
        api: &'a Api<'a>,
        pr: u64,
    ) -> Result<(Pull<'a>, Vec<thread::Comment>), NotifyError> {
        let comments = api
            .comments(pr)
            .map_err(|e| self.http_error(&e))?
            .into_iter()
            .filter(|c| !c.deleted)
            .map(posted)
            .collect();
        let pull = Pull {
            bitbucket: self,
            api,
            number: pr,
        };
        Ok((pull, comments))
    }

    fn post(&self, http: &Http, delivery: &Delivery<'_>) -> Result<Sent, NotifyError> {
        let api = self.api(http);
        let mut sent = Sent::default();
        let body = (delivery.render)(&[]).map_err(|message| error(message, None))?;
        let body = markdown::adapt(&body);
        let find = |sha: &str| self.find_pull(&api, sha);
        let pr = match thread::pull_to_comment_on("Bitbucket", self.pr, self.sha.as_deref(), find)?
        {
            Ok(pr) => pr,
            Err(why) => {
                "skipped: no pull request".clone_into(&mut sent.action);
                sent.warnings.push(why);
                return Ok(sent);
            }
        };
        let mut metadata = self.setup.metadata_for(delivery.report, Some(pr));
        // Pipelines names a step by a UUID that is new on every run; in the marker it would
        // make every re-run's body differ and defeat "no write when unchanged".
        metadata.job_name = None;
        let (pull, comments) = self.open(&api, pr)?;
        let writer = self.setup.writer(
            self.sha.as_deref(),
            markdown::with_reference_marker,
            "comment",
        );
        let quiet = Setup::is_quiet(delivery.report, &[]);
        let (action, url) = writer.write(&pull, &comments, &metadata, &body, quiet)?;
        sent.action = action;
        sent.url = url;
        if let (Some(warning), true) = (delivery.destroy_warning, delivery.report.has_destroy) {
            let mut meta = metadata.clone();
            meta.command = format!("{}-destroy-warning", metadata.command);
            writer.write(&pull, &comments, &meta, &markdown::adapt(warning), false)?;
        }
        sent.warnings.extend(writer.warnings());
        Ok(sent)
    }

    /// The pull request of the commit, preferring an open one; when Bitbucket cannot say,
    /// why (the outer error is a failed request).
    fn find_pull(&self, api: &Api<'_>, sha: &str) -> Result<Result<u64, String>, NotifyError> {
        let found = api.pulls_for_commit(sha).map_err(|e| self.http_error(&e))?;
        let sha = short(sha);
        Ok(match found {
            CommitPulls::Found(pulls) => {
                let open = pulls.iter().find(|p| p.state == "OPEN");
                open.or(pulls.first()).map(|p| p.id).ok_or_else(|| {
                    format!(
                        "commit `{sha}` belongs to no pull request; give `--pr` to comment on one"
                    )
                })
            }
            CommitPulls::Indexing => Err(format!(
                "Bitbucket is still indexing the pull requests of `{}/{}`, so the pull request of commit `{sha}` is unknown; run again later, or give `--pr`",
                self.workspace, self.repo
            )),
            CommitPulls::Unknown(message) => Err(format!(
                "Bitbucket cannot tell the pull request of commit `{sha}` ({message}); its pull request links are indexed once someone opens \"Go to pull request\" on a commit page, or give `--pr`"
            )),
        })
    }

    /// An HTTP failure with the hint for Bitbucket's usual refusals.
    fn http_error(&self, source: &HttpError) -> NotifyError {
        let slug = format!("{}/{}", self.workspace, self.repo);
        let hint = match source.status() {
            Some(400) if source.to_string().contains("32768") => Some(
                "the comment is over Bitbucket's 32,768 characters, which tfnotify should have prevented; please report this as a bug".to_owned(),
            ),
            Some(400) => Some("Bitbucket refused the request; its message above says why".to_owned()),
            Some(401) => Some(
                "the credentials are invalid or expired; check `BITBUCKET_TOKEN`, or `BITBUCKET_USERNAME` with `BITBUCKET_APP_PASSWORD` (an Atlassian API token goes with the account's email, `BITBUCKET_EMAIL`)".to_owned(),
            ),
            Some(403) => Some(format!(
                "the credentials need the `pullrequest:write` scope and access to `{slug}`; a repository access token works only for its own repository"
            )),
            Some(404) => Some(format!(
                "check that `{slug}` (workspace and repository slug) and the pull request exist and that the credentials can see them"
            )),
            Some(429) => Some("Bitbucket's rate limit was hit; try again later".to_owned()),
            _ => source.hint().map(str::to_owned),
        };
        NotifyError {
            kind: "Bitbucket",
            message: source.to_string(),
            hint,
        }
    }
}

/// The comment calls on one pull request, for the shared behaviours.
struct Pull<'a> {
    bitbucket: &'a Bitbucket,
    api: &'a Api<'a>,
    number: u64,
}

impl PullComments for Pull<'_> {
    fn create(&self, body: &str) -> Result<thread::Comment, NotifyError> {
        let comment = self
            .api
            .create_comment(self.number, body)
            .map_err(|e| self.bitbucket.http_error(&e))?;
        Ok(posted(comment))
    }

    fn update(&self, id: u64, body: &str) -> Result<thread::Comment, NotifyError> {
        let comment = self
            .api
            .update_comment(self.number, id, body)
            .map_err(|e| self.bitbucket.http_error(&e))?;
        Ok(posted(comment))
    }

    fn delete(&self, id: u64) -> Result<(), NotifyError> {
        self.api
            .delete_comment(self.number, id)
            .map_err(|e| self.bitbucket.http_error(&e))
    }

    /// Deletes the comment: Bitbucket cannot hide one, and cannot fold it either.
    fn hide(&self, comment: &thread::Comment) -> Result<(), NotifyError> {
        self.delete(comment.id)
    }

    fn head_sha(&self) -> Result<Option<String>, NotifyError> {
        let pull = self
            .api
            .pull(self.number)
            .map_err(|e| self.bitbucket.http_error(&e))?;
        Ok(pull
            .source
            .and_then(|s| s.commit)
            .map(|c| c.hash)
            .filter(|h| !h.is_empty()))
    }

    fn token_account(&self) -> Result<String, String> {
        match self.api.me() {
            Ok(account) => Ok(account.uuid),
            Err(e) => Err(format!(
                "Bitbucket did not say whose the credentials are ({e}); it answers that for an API token with the `read:user:bitbucket` scope or an app password with the `account` scope, but never for a repository, project or workspace access token, and without it tfnotify cannot tell its own comments from copies of them"
            )),
        }
    }
}

/// The Bitbucket notifier when the run asks for it: `--notifier bitbucket`, or Bitbucket
/// credentials in a Bitbucket Pipelines job. Elsewhere the repository named by CI or flags
/// may live on another forge, so credentials alone do not send anything there.
pub(crate) fn from_request(
    request: &Request<'_>,
) -> Option<Result<Box<dyn Notifier>, NotifyError>> {
    let set = |name: &str| env_is_set(request.env, name);
    let wanted = request.wants("bitbucket", || {
        let token = [
            "TFNOTIFY_BITBUCKET_TOKEN",
            "BITBUCKET_TOKEN",
            "BITBUCKET_ACCESS_TOKEN",
        ]
        .iter()
        .any(|name| set(name));
        let basic = (set("BITBUCKET_USERNAME") || set("BITBUCKET_EMAIL"))
            && (set("BITBUCKET_APP_PASSWORD") || set("BITBUCKET_API_TOKEN"));
        (token || basic) && request.ci.platform == Platform::BitbucketPipelines
    });
    wanted.then(|| Bitbucket::build(request).map(|b| Box::new(b) as Box<dyn Notifier>))
}

impl Notifier for Bitbucket {
    fn kind(&self) -> &'static str {
        "Bitbucket"
    }

    fn noun(&self) -> &'static str {
        "comment"
    }

    fn flavor(&self) -> Flavor {
        Flavor::Markdown
    }

    fn codeowners(&self) -> Option<crate::owners::Dialect> {
        Some(crate::owners::Dialect::Bitbucket)
    }

    fn limit(&self) -> usize {
        // Room is kept for the marker.
        COMMENT_LIMIT - 1_000
    }

    fn secrets(&self) -> Vec<String> {
        match &self.credentials {
            Credentials::Bearer(token) => vec![token.expose().to_owned()],
            Credentials::Basic { username, password } => {
                vec![password.expose().to_owned(), basic(username, password)]
            }
        }
    }

    fn pull_results(&self, http: &Http) -> Option<Result<PullResults, NotifyError>> {
        Some(self.results(http))
    }

    fn send(&self, http: &Http, delivery: &Delivery<'_>) -> Result<Sent, NotifyError> {
        self.post(http, delivery)
    }
}

/// `username:password` as basic authentication sends it.
fn basic(username: &str, password: &SecretString) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{username}:{}", password.expose()))
}

/// A comment as the shared rules see it; its author is Bitbucket's account UUID.
fn posted(comment: api::Comment) -> thread::Comment {
    thread::Comment {
        id: comment.id,
        body: comment.content.raw,
        url: comment.links.html.map(|h| h.href),
        hidden: false,
        author: comment.user.map_or_else(Author::unknown, |account| {
            let name = account
                .nickname
                .or(account.display_name)
                .unwrap_or_else(|| account.uuid.clone());
            Author::Account {
                id: account.uuid,
                name,
            }
        }),
    }
}

fn error(message: String, hint: Option<&str>) -> NotifyError {
    NotifyError::new("Bitbucket", message, hint)
}
