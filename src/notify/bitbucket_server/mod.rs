//! Bitbucket Server and Data Center: one living comment per target on the pull request.
//!
//! The comment rules are the shared ones (`notify::thread`) and the message is Bitbucket
//! Cloud's (`bitbucket::markdown`: folds rewritten, the marker a link reference
//! definition), since both editions escape HTML. What differs is the 1.0 REST API: the
//! repository is a project key and a slug, comments are listed through the pull request's
//! activity feed, and every edit or delete names the comment's `version`. An edit that
//! lost a race (409) reads the comment again and retries once. There is no hide button,
//! so `hide-and-new` deletes the earlier comments, as on Cloud; one with replies cannot be
//! deleted and is left in place with a warning.

pub(crate) mod api;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use crate::config::SecretString;
use crate::notify::authors::Author;
use crate::notify::bitbucket::{COMMENT_LIMIT, markdown};
use crate::notify::http::{Http, HttpError};
use crate::notify::results::{self, PullResults};
use crate::notify::thread::{self, PullComments, Setup, short};
use crate::notify::{
    Delivery, Notifier, NotifyError, Request, Sent, env_is_set, is_http_url, non_empty,
};
use crate::render::Flavor;

use api::Api;

/// What a `notifiers:` entry of type `bitbucket-server` may set, and the variables each
/// replaces.
#[rustfmt::skip]
pub const SETTINGS: &[crate::notify::Setting] = &[
    crate::notify::Setting { key: "token", env: &["BITBUCKET_SERVER_TOKEN"], one_of: &[], doc: "HTTP access token with the repository read and pull request write permissions, sent as a bearer token." },
    crate::notify::Setting { key: "base_url", env: &["BITBUCKET_SERVER_URL"], one_of: &[], doc: "The server's URL (`https://bitbucket.example.com`); `/rest/api/1.0` is added unless given." },
];

/// Where the 1.0 REST API lives under the server's URL.
const API_PATH: &str = "/rest/api/1.0";

/// The Bitbucket Server notifier, resolved from the environment and flags.
pub struct BitbucketServer {
    /// The server's URL, for the links to comments.
    server: String,
    token: SecretString,
    project: String,
    repo: String,
    pr: Option<u64>,
    sha: Option<String>,
    setup: Setup,
}

impl BitbucketServer {
    /// The notifier for this run: a token, the server and a repository are needed.
    pub fn build(request: &Request<'_>) -> Result<BitbucketServer, NotifyError> {
        let read = |name: &str| non_empty((request.env)(name));
        let Some(token) = read("BITBUCKET_SERVER_TOKEN") else {
            return Err(error(
                "no token".to_owned(),
                Some(
                    "set `BITBUCKET_SERVER_TOKEN` to an HTTP access token with the repository read and pull request write permissions",
                ),
            ));
        };
        let Some(url) = read("BITBUCKET_SERVER_URL") else {
            return Err(error(
                "the server is unknown".to_owned(),
                Some(
                    "set `BITBUCKET_SERVER_URL` to the server's URL, `https://bitbucket.example.com`",
                ),
            ));
        };
        let server = server_url(&url);
        if !is_http_url(&server) {
            return Err(error(
                format!("the server URL `{url}` is not an http(s) URL"),
                Some("set `BITBUCKET_SERVER_URL` to `https://bitbucket.example.com`"),
            ));
        }
        let ci = request.ci;
        let Some((project, repo)) = thread::repository(ci) else {
            return Err(error(
                "the repository is unknown".to_owned(),
                Some("give `--owner PROJECT_KEY` and `--repo REPO_SLUG`"),
            ));
        };
        let setup = Setup::from_request(request, None).map_err(|message| error(message, None))?;
        Ok(BitbucketServer {
            server,
            token: SecretString::new(token),
            project,
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
        let pr =
            thread::pull_to_comment_on("Bitbucket Server", self.pr, self.sha.as_deref(), find)?
                .map_err(|why| error(why, None))?;
        let (pull, comments) = self.open(&api, pr)?;
        results::latest(&pull, &comments, "comment")
    }

    fn api<'a>(&self, http: &'a Http) -> Api<'a> {
        Api {
            http,
            server: self.server.clone(),
            base: format!("{}{API_PATH}", self.server),
            authorization: format!("Bearer {}", self.token.expose()),
            project: self.project.clone(),
            repo: self.repo.clone(),
        }
    }

    /// Pull request `pr`'s comments, and the calls on it the shared rules make (which
    /// remember each comment's version and whether it has replies).
    fn open<'a>(
        &'a self,
        api: &'a Api<'a>,
        pr: u64,
    ) -> Result<(Pull<'a>, Vec<thread::Comment>), NotifyError> {
        let listed = api.comments(pr).map_err(|e| self.http_error(&e))?;
        let pull = Pull {
            server: self,
            api,
            number: pr,
            versions: RefCell::new(listed.iter().map(|c| (c.id, c.version)).collect()),
            replied: RefCell::new(
                listed
                    .iter()
                    .filter(|c| !c.comments.is_empty())
                    .map(|c| c.id)
                    .collect(),
            ),
            warnings: RefCell::new(Vec::new()),
        };
        let comments = listed.into_iter().map(|c| self.posted(pr, c)).collect();
        Ok((pull, comments))
    }

    fn post(&self, http: &Http, delivery: &Delivery<'_>) -> Result<Sent, NotifyError> {
        let api = self.api(http);
        let mut sent = Sent::default();
        let body = (delivery.render)(&[]).map_err(|message| error(message, None))?;
        let body = markdown::adapt(&body);
        let find = |sha: &str| self.find_pull(&api, sha);
        let pr = match thread::pull_to_comment_on(
            "Bitbucket Server",
            self.pr,
            self.sha.as_deref(),
            find,
        )? {
            Ok(pr) => pr,
            Err(why) => {
                "skipped: no pull request".clone_into(&mut sent.action);
                sent.warnings.push(why);
                return Ok(sent);
            }
        };
        let metadata = self.setup.metadata_for(delivery.report, Some(pr));
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
        sent.warnings.extend(pull.warnings.take());
        Ok(sent)
    }

    /// The pull request of the commit, preferring an open one; when there is none, why
    /// (the outer error is a failed request).
    fn find_pull(&self, api: &Api<'_>, sha: &str) -> Result<Result<u64, String>, NotifyError> {
        let pulls = api.pulls_for_commit(sha).map_err(|e| self.http_error(&e))?;
        let open = pulls.iter().find(|p| p.state == "OPEN");
        Ok(open.or(pulls.first()).map(|p| p.id).ok_or_else(|| {
            format!(
                "commit `{}` belongs to no pull request; give `--pr` to comment on one",
                short(sha)
            )
        }))
    }

    /// Where a person sees comment `id` of pull request `pr`.
    fn comment_url(&self, pr: u64, id: u64) -> String {
        format!(
            "{}/projects/{}/repos/{}/pull-requests/{pr}/overview?commentId={id}",
            self.server, self.project, self.repo
        )
    }

    /// A comment as the shared rules see it; its author is the account's username.
    fn posted(&self, pr: u64, comment: api::Comment) -> thread::Comment {
        thread::Comment {
            id: comment.id,
            url: Some(self.comment_url(pr, comment.id)),
            body: comment.text,
            hidden: false,
            author: comment
                .author
                .map_or_else(Author::unknown, |user| Author::Account {
                    name: user.name.clone(),
                    id: user.name,
                }),
        }
    }

    /// An HTTP failure with the hint for Bitbucket Server's usual refusals.
    fn http_error(&self, source: &HttpError) -> NotifyError {
        let slug = format!("{}/{}", self.project, self.repo);
        let hint = match source.status() {
            Some(400) if source.to_string().contains("32768") => Some(
                "the comment is over Bitbucket's 32,768 characters, which tfnotify should have prevented; please report this as a bug".to_owned(),
            ),
            Some(400) => Some("Bitbucket refused the request; its message above says why".to_owned()),
            Some(401) => Some(
                "the token is invalid, expired or revoked; check `BITBUCKET_SERVER_TOKEN` (an HTTP access token) and that `BITBUCKET_SERVER_URL` names the right server".to_owned(),
            ),
            Some(403) => Some(format!(
                "the token needs the repository read and pull request write permissions (or project or repository admin) on `{slug}`"
            )),
            Some(404) => Some(format!(
                "check that `{slug}` (project key and repository slug) and the pull request exist and that the token can see them"
            )),
            Some(409) => Some(
                "the comment was changed by someone else while tfnotify edited it; run again".to_owned(),
            ),
            Some(429) => Some("Bitbucket's rate limit was hit; try again later".to_owned()),
            _ => source.hint().map(str::to_owned),
        };
        NotifyError {
            kind: "Bitbucket Server",
            message: source.to_string(),
            hint,
        }
    }
}

/// The comment calls on one pull request, for the shared behaviours; remembers the
/// version of every comment it has seen, which edits and deletes must name.
struct Pull<'a> {
    server: &'a BitbucketServer,
    api: &'a Api<'a>,
    number: u64,
    versions: RefCell<BTreeMap<u64, u64>>,
    /// Comments that have replies, which Bitbucket Server refuses to delete.
    replied: RefCell<BTreeSet<u64>>,
    /// Earlier comments left in place, for the line printed after the delivery.
    warnings: RefCell<Vec<String>>,
}

impl Pull<'_> {
    fn version(&self, id: u64) -> u64 {
        self.versions.borrow().get(&id).copied().unwrap_or(0)
    }

    /// Runs `call` with the comment's version; on 409 (the comment changed since it was
    /// read) reads the current version and tries once more.
    fn versioned<T>(
        &self,
        id: u64,
        call: impl Fn(u64) -> Result<T, HttpError>,
    ) -> Result<T, NotifyError> {
        match call(self.version(id)) {
            Err(e) if e.status() == Some(409) => {
                let current = self
                    .api
                    .comment(self.number, id)
                    .map_err(|e| self.server.http_error(&e))?;
                self.versions.borrow_mut().insert(id, current.version);
                call(current.version).map_err(|e| self.server.http_error(&e))
            }
            other => other.map_err(|e| self.server.http_error(&e)),
        }
    }
}

impl PullComments for Pull<'_> {
    fn create(&self, body: &str) -> Result<thread::Comment, NotifyError> {
        let comment = self
            .api
            .create_comment(self.number, body)
            .map_err(|e| self.server.http_error(&e))?;
        self.versions
            .borrow_mut()
            .insert(comment.id, comment.version);
        Ok(self.server.posted(self.number, comment))
    }

    fn update(&self, id: u64, body: &str) -> Result<thread::Comment, NotifyError> {
        let comment = self.versioned(id, |version| {
            self.api.update_comment(self.number, id, version, body)
        })?;
        self.versions
            .borrow_mut()
            .insert(comment.id, comment.version);
        Ok(self.server.posted(self.number, comment))
    }

    /// Deletes the comment, unless someone replied to it: Bitbucket Server keeps a comment
    /// with replies, so it is left in place and the run says so.
    fn delete(&self, id: u64) -> Result<(), NotifyError> {
        let keep = || {
            self.warnings.borrow_mut().push(format!(
                "the earlier comment {} has replies, which Bitbucket Server does not delete; it was left in place",
                self.server.comment_url(self.number, id)
            ));
            Ok(())
        };
        if self.replied.borrow().contains(&id) {
            return keep();
        }
        match self.api.delete_comment(self.number, id, self.version(id)) {
            Err(e) if e.status() == Some(409) => {
                let current = self
                    .api
                    .comment(self.number, id)
                    .map_err(|e| self.server.http_error(&e))?;
                if !current.comments.is_empty() {
                    return keep();
                }
                self.api
                    .delete_comment(self.number, id, current.version)
                    .map_err(|e| self.server.http_error(&e))
            }
            other => other.map_err(|e| self.server.http_error(&e)),
        }
    }

    /// Deletes the comment: Bitbucket Server cannot hide one.
    fn hide(&self, comment: &thread::Comment) -> Result<(), NotifyError> {
        self.delete(comment.id)
    }

    fn head_sha(&self) -> Result<Option<String>, NotifyError> {
        let pull = self
            .api
            .pull(self.number)
            .map_err(|e| self.server.http_error(&e))?;
        Ok(pull
            .from_ref
            .and_then(|r| r.latest_commit)
            .filter(|h| !h.is_empty()))
    }

    fn token_account(&self) -> Result<String, String> {
        match self.api.whoami() {
            Ok(name) if !name.is_empty() => Ok(name),
            Ok(_) => Err(
                "Bitbucket Server did not say whose the token is (`/plugins/servlet/applinks/whoami` named nobody); check that the token is valid and that nothing in front of the server strips the `Authorization` header there, or tfnotify cannot tell its own comments from copies of them".to_owned(),
            ),
            Err(e) => Err(format!(
                "Bitbucket Server did not say whose the token is ({e}); tfnotify reads it from `/plugins/servlet/applinks/whoami`, which every authenticated token may read, and without it cannot tell its own comments from copies of them"
            )),
        }
    }
}

/// The server's URL without a trailing slash or the API path, whichever way it was given.
fn server_url(url: &str) -> String {
    let url = url.trim_end_matches('/');
    url.strip_suffix(API_PATH)
        .unwrap_or(url)
        .trim_end_matches('/')
        .to_owned()
}

/// The Bitbucket Server notifier when the run asks for it: `--notifier bitbucket-server`,
/// or both `BITBUCKET_SERVER_URL` and `BITBUCKET_SERVER_TOKEN` set (no CI system names a
/// Bitbucket Server repository, so the flags do).
pub(crate) fn from_request(
    request: &Request<'_>,
) -> Option<Result<Box<dyn Notifier>, NotifyError>> {
    let set = |name: &str| env_is_set(request.env, name);
    let wanted = request.wants("bitbucket-server", || {
        set("BITBUCKET_SERVER_URL") && set("BITBUCKET_SERVER_TOKEN")
    });
    wanted.then(|| BitbucketServer::build(request).map(|b| Box::new(b) as Box<dyn Notifier>))
}

impl Notifier for BitbucketServer {
    fn kind(&self) -> &'static str {
        "Bitbucket Server"
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
        vec![self.token.expose().to_owned()]
    }

    fn pull_results(&self, http: &Http) -> Option<Result<PullResults, NotifyError>> {
        Some(self.results(http))
    }

    fn send(&self, http: &Http, delivery: &Delivery<'_>) -> Result<Sent, NotifyError> {
        self.post(http, delivery)
    }
}

fn error(message: String, hint: Option<&str>) -> NotifyError {
    NotifyError::new("Bitbucket Server", message, hint)
}

#[cfg(test)]
mod tests {
    use super::server_url;

    #[test]
    fn the_server_url_is_taken_with_or_without_the_api_path() {
        for given in [
            "https://git.example.com",
            "https://git.example.com/",
            "https://git.example.com/rest/api/1.0",
            "https://git.example.com/rest/api/1.0/",
        ] {
            assert_eq!(server_url(given), "https://git.example.com", "{given}");
        }
        assert_eq!(
            server_url("https://example.com/bitbucket/rest/api/1.0"),
            "https://example.com/bitbucket"
        );
    }
}
