//! GitLab (gitlab.com and self-managed, REST v4): one living note per target on the merge
//! request, result labels, and a commit comment when there is no merge request.
//!
//! It works as the GitHub notifier does and shares its decisions: which label a result
//! earns (`github::labels`), the hidden marker that makes a note ours and names its command
//! and target (`github::metadata`), and the behaviours (`github::Behaviour`). A run finds
//! its merge request (from CI, or from the commit, which also finds it after a squash
//! merge), brings the labels in line with the result, then writes the note: `update` the
//! last note of this command and target, post a `new` one, or post a new one and delete
//! the older ones. GitLab cannot hide a note, so `hide-and-new` posts a new note, leaves
//! the older ones and says so in a warning. A body that would not change makes no call, a
//! job for an older commit never overwrites a note written for a newer one, and notes of
//! anyone else (and GitLab's system notes) are never touched.

pub(crate) mod api;
mod body;
mod labels;

use crate::ci::Platform;
use crate::config::SecretString;
use crate::model::{Outcome, Report};
use crate::notify::authors::Author;
use crate::notify::github::Behaviour;
use crate::notify::github::labels::Kind;
use crate::notify::http::{Http, HttpError};
use crate::notify::label_name::Rules;
use crate::notify::results::{self, PullResults};
use crate::notify::thread::{self, Comment, PullComments, Setup};
use crate::notify::{Delivery, Notifier, NotifyError, Request, Sent, is_http_url, non_empty};
use crate::render::Flavor;

use api::{Api, Note};

/// What a `notifiers:` entry of type `gitlab` may set, and the variables each replaces.
#[rustfmt::skip]
pub const SETTINGS: &[crate::notify::Setting] = &[
    crate::notify::Setting { key: "token", env: &["TFNOTIFY_GITLAB_TOKEN", "GITLAB_TOKEN"], one_of: &[], doc: "Project, group or personal access token with the `api` scope (Reporter or above); `CI_JOB_TOKEN` cannot write notes." },
    crate::notify::Setting { key: "base_url", env: &["GITLAB_BASE_URL", "CI_API_V4_URL", "CI_SERVER_URL"], one_of: &[], doc: "API URL `https://HOST/api/v4`, or the server URL (`/api/v4` is added)." },
];

/// GitLab's limit on a note body, in characters.
pub const NOTE_LIMIT: usize = 1_000_000;

/// The API of gitlab.com, used when nothing names another.
pub const DEFAULT_API_URL: &str = "https://gitlab.com/api/v4";

/// What GitLab allows in a label name: 255 characters (its title column).
const LABEL_RULES: Rules = Rules {
    forge: "GitLab",
    max_chars: 255,
};

/// Said whenever a token is missing or refused: the usual cause in GitLab CI.
const TOKEN_HINT: &str = "`CI_JOB_TOKEN` cannot write merge-request notes; use a project or group access token with the `api` scope and the Reporter role or above, stored as a masked CI/CD variable `GITLAB_TOKEN`";

/// Why posting to GitLab failed, with a hint for the usual causes.
#[derive(Debug, thiserror::Error)]
pub enum GitLabError {
    #[error(
        "GitLab: no token; set `GITLAB_TOKEN` (or `TFNOTIFY_GITLAB_TOKEN`, or `token:` in the config)"
    )]
    NoToken,
    #[error("GitLab: the API URL `{0}` is not an http(s) URL")]
    BadBaseUrl(String),
    #[error(
        "GitLab: the project is unknown; run in GitLab CI, or give `--owner GROUP --repo PROJECT` (or `notifier.gitlab.repository`)"
    )]
    NoProject,
    #[error(
        "GitLab: nothing to comment on: no merge request, and no commit SHA to find one; give `--pr IID` or `--sha`"
    )]
    NoTarget,
    #[error("GitLab: {0}")]
    Labels(String),
    #[error("GitLab: {0}")]
    Render(String),
    #[error("GitLab: {source}")]
    Http {
        source: HttpError,
        hint: Option<String>,
    },
}

impl GitLabError {
    /// How to fix it, when there is something to say.
    pub fn hint(&self) -> Option<&str> {
        match self {
            GitLabError::NoToken => Some(TOKEN_HINT),
            GitLabError::Http { hint, .. } => hint.as_deref(),
            _ => None,
        }
    }
}

/// The GitLab notifier, resolved from config, environment and CI.
pub struct GitLab {
    /// REST base, `https://HOST/api/v4`.
    base: String,
    /// Web base, `https://HOST`, for the links printed after posting.
    web: String,
    token: SecretString,
    /// `group/sub/project`.
    project: String,
    mr: Option<u64>,
    sha: Option<String>,
    setup: Setup,
}

impl GitLab {
    /// The notifier for this run; the token and the API URL are read through
    /// `request.env`.
    pub(crate) fn build(request: &Request<'_>) -> Result<GitLab, GitLabError> {
        let (config, ci, env) = (request.config, request.ci, request.env);
        let classic = config.notifier.gitlab.as_ref();
        let token = non_empty(env("TFNOTIFY_GITLAB_TOKEN"))
            .or_else(|| non_empty(classic.map(|g| g.token.expose().to_owned())))
            .or_else(|| non_empty(env("GITLAB_TOKEN")))
            .ok_or(GitLabError::NoToken)?;
        let base = non_empty(classic.map(|g| g.base_url.clone()))
            .or_else(|| non_empty(env("GITLAB_BASE_URL")))
            .or_else(|| non_empty(env("CI_API_V4_URL")))
            .or_else(|| non_empty(env("CI_SERVER_URL")))
            .map_or_else(|| DEFAULT_API_URL.to_owned(), |url| api_base(&url));
        if !is_http_url(&base) {
            return Err(GitLabError::BadBaseUrl(base));
        }
        let web = base
            .strip_suffix("/api/v4")
            .unwrap_or(base.as_str())
            .to_owned();
        let (owner, name) = thread::repository(ci).ok_or(GitLabError::NoProject)?;
        let setup = Setup::from_request(request, Some(LABEL_RULES)).map_err(GitLabError::Labels)?;
        Ok(GitLab {
            base,
            web,
            token: SecretString::new(token),
            project: format!("{}/{}", owner.trim_matches('/'), name.trim_matches('/')),
            mr: ci.pr_number,
            sha: ci.sha.clone(),
            setup,
        })
    }

    /// Posts the message. `render` gets the label problems (for `.ErrorMessages`) and
    /// returns the body; `destroy_warning` is the classic extra note, already rendered.
    fn post(
        &self,
        http: &Http,
        report: &Report,
        render: &dyn Fn(&[String]) -> Result<String, String>,
        destroy_warning: Option<&str>,
    ) -> Result<Sent, NotifyError> {
        let api = self.api(http);
        let mr = match self.mr {
            Some(iid) => Some(iid),
            None => self.find_merge_request(&api)?,
        };
        let mut sent = Sent::default();
        if let (Some(iid), Some(labels)) = (mr, &self.setup.labels) {
            sent.warnings = labels::sync(&api, iid, labels, Kind::of(report));
        }
        let body = render(&sent.warnings).map_err(GitLabError::Render)?;
        let metadata = self.setup.metadata_for(report, mr);
        let quiet = report.outcome == Outcome::NoChanges
            && report.warnings.is_empty()
            && sent.warnings.is_empty();
        let Some(iid) = mr else {
            let Some(sha) = &self.sha else {
                return Err(GitLabError::NoTarget.into());
            };
            if self.setup.skip_no_changes && quiet {
                "skipped: no changes".clone_into(&mut sent.action);
                return Ok(sent);
            }
            api.create_commit_comment(sha, &body::note(&body, &metadata))
                .map_err(|e| self.http_error(e))?;
            "created (commit comment)".clone_into(&mut sent.action);
            sent.url = Some(format!("{}/{}/-/commit/{sha}", self.web, self.project));
            return Ok(sent);
        };
        if self.setup.behaviour == Behaviour::HideAndNew {
            sent.warnings.push(
                "notes cannot be hidden on GitLab: a new note was posted and the earlier ones were left; use `--comment delete-and-new` to remove them, or `update` to keep one note".to_owned(),
            );
        }
        let (pull, comments) = self.open(&api, iid)?;
        let writer = self.setup.writer(self.sha.as_deref(), body::note, "note");
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

    /// The latest result of each target on the merge request, for `tfnotify summary`.
    fn results(&self, http: &Http) -> Result<PullResults, NotifyError> {
        let api = self.api(http);
        let iid = match self.mr {
            Some(iid) => iid,
            None => self
                .find_merge_request(&api)?
                .ok_or(GitLabError::NoTarget)?,
        };
        let (pull, comments) = self.open(&api, iid)?;
        results::latest(&pull, &comments, "note")
    }

    fn api<'a>(&self, http: &'a Http) -> Api<'a> {
        Api {
            http,
            base: self.base.clone(),
            token: self.token.clone(),
            project: self.project.clone(),
        }
    }

    /// Merge request `iid`'s notes (system notes left out), and the calls on it the shared
    /// rules make.
    fn open<'a>(
        &'a self,
        api: &'a Api<'a>,
        iid: u64,
    ) -> Result<(MergeRequestNotes<'a>, Vec<Comment>), NotifyError> {
        let comments = api
            .notes(iid)
            .map_err(|e| self.http_error(e))?
            .iter()
            .filter(|n| !n.system)
            .map(|n| self.comment(iid, n))
            .collect();
        let pull = MergeRequestNotes {
            gitlab: self,
            api,
            iid,
        };
        Ok((pull, comments))
    }

    /// The merge request of the commit, preferring an open one.
    fn find_merge_request(&self, api: &Api<'_>) -> Result<Option<u64>, GitLabError> {
        let Some(sha) = &self.sha else {
            return Ok(None);
        };
        let found = api
            .merge_requests_for_commit(sha)
            .map_err(|e| self.http_error(e))?;
        let open = found.iter().find(|mr| mr.state == "opened");
        Ok(open.or(found.first()).map(|mr| mr.iid))
    }

    /// A note as the shared rules see it; GitLab cannot hide notes, so none is hidden. Its
    /// author is GitLab's account id.
    fn comment(&self, iid: u64, note: &Note) -> Comment {
        Comment {
            id: note.id,
            body: note.body.clone(),
            url: Some(self.note_url(iid, note.id)),
            hidden: false,
            author: note
                .author
                .as_ref()
                .map_or_else(Author::unknown, |user| Author::Account {
                    id: user.id.to_string(),
                    name: user.username.clone(),
                }),
        }
    }

    /// The web address of a note.
    fn note_url(&self, iid: u64, id: u64) -> String {
        format!(
            "{}/{}/-/merge_requests/{iid}#note_{id}",
            self.web, self.project
        )
    }

    /// An HTTP failure with the hint a user needs for GitLab's usual refusals.
    fn http_error(&self, source: HttpError) -> GitLabError {
        let hint = match source.status() {
            Some(401) => Some(format!(
                "the token is wrong, expired or revoked; {TOKEN_HINT}"
            )),
            Some(403) => Some(TOKEN_HINT.to_owned()),
            Some(404) => Some(format!(
                "check that the project `{}` and the merge request exist and that the token can see the project (`--owner` is the whole group path, `--repo` the project)",
                self.project
            )),
            _ => source.hint().map(str::to_owned),
        };
        GitLabError::Http { source, hint }
    }
}

/// The GitLab notifier when the run asks for it: `--notifier gitlab`, a `gitlab` block in
/// the config, or a GitLab token in the environment of a GitLab CI job (or of a run whose
/// repository was given by flags).
pub(crate) fn from_request(
    request: &Request<'_>,
) -> Option<Result<Box<dyn Notifier>, NotifyError>> {
    let wanted = request.wants("gitlab", || {
        let token = ["TFNOTIFY_GITLAB_TOKEN", "GITLAB_TOKEN"]
            .iter()
            .any(|name| crate::notify::env_is_set(request.env, name));
        request.config.notifier.gitlab.is_some()
            || (token
                && (request.ci.platform == Platform::GitLabCi || request.repository_from_flags))
    });
    wanted.then(|| {
        GitLab::build(request)
            .map(|gitlab| Box::new(gitlab) as Box<dyn Notifier>)
            .map_err(NotifyError::from)
    })
}

impl Notifier for GitLab {
    fn kind(&self) -> &'static str {
        "GitLab"
    }

    fn noun(&self) -> &'static str {
        "note"
    }

    fn flavor(&self) -> Flavor {
        Flavor::Markdown
    }

    fn codeowners(&self) -> Option<crate::owners::Dialect> {
        Some(crate::owners::Dialect::GitLab)
    }

    fn limit(&self) -> usize {
        // Room is kept for the hidden marker; the quick-action guards make their own room.
        NOTE_LIMIT - 1_000
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

/// One merge request's notes, written through the shared comment rules.
struct MergeRequestNotes<'a> {
    gitlab: &'a GitLab,
    api: &'a Api<'a>,
    iid: u64,
}

impl PullComments for MergeRequestNotes<'_> {
    fn create(&self, body: &str) -> Result<Comment, NotifyError> {
        let note = self.api.create_note(self.iid, body);
        let note = note.map_err(|e| self.gitlab.http_error(e))?;
        Ok(self.gitlab.comment(self.iid, &note))
    }

    fn update(&self, id: u64, body: &str) -> Result<Comment, NotifyError> {
        let note = self.api.update_note(self.iid, id, body);
        let note = note.map_err(|e| self.gitlab.http_error(e))?;
        Ok(self.gitlab.comment(self.iid, &note))
    }

    fn delete(&self, id: u64) -> Result<(), NotifyError> {
        let deleted = self.api.delete_note(self.iid, id);
        Ok(deleted.map_err(|e| self.gitlab.http_error(e))?)
    }

    /// GitLab has no hide: `hide-and-new` leaves the earlier notes (the run says so).
    fn hide(&self, _: &Comment) -> Result<(), NotifyError> {
        Ok(())
    }

    fn head_sha(&self) -> Result<Option<String>, NotifyError> {
        let mr = self.api.merge_request(self.iid);
        Ok(mr.map_err(|e| self.gitlab.http_error(e))?.sha)
    }

    fn token_account(&self) -> Result<String, String> {
        match self.api.me() {
            Ok(user) => Ok(user.id.to_string()),
            Err(e) => Err(format!(
                "GitLab did not say whose the token is ({e}); a token with the `api` or `read_user` scope can read it, which lets tfnotify tell its own notes from copies of them"
            )),
        }
    }
}

impl From<GitLabError> for NotifyError {
    fn from(error: GitLabError) -> Self {
        let hint = error.hint().map(str::to_owned);
        let message = error.to_string();
        let message = message
            .strip_prefix("GitLab: ")
            .unwrap_or(&message)
            .to_owned();
        NotifyError {
            kind: "GitLab",
            message,
            hint,
        }
    }
}

/// The REST base for a configured URL: classic tfnotify took the server URL and added
/// `/api/v4`, newer tools take the API URL itself; both work.
fn api_base(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    if url.ends_with("/api/v4") {
        url.to_owned()
    } else {
        format!("{url}/api/v4")
    }
}

#[cfg(test)]
mod tests {
    use super::api_base;

    #[test]
    fn the_server_or_the_api_url_names_the_api() {
        assert_eq!(
            api_base("https://gitlab.example.com"),
            "https://gitlab.example.com/api/v4"
        );
        assert_eq!(
            api_base("https://gitlab.example.com/api/v4/"),
            "https://gitlab.example.com/api/v4"
        );
        assert_eq!(
            api_base("https://example.com/gitlab/"),
            "https://example.com/gitlab/api/v4"
        );
    }
}
