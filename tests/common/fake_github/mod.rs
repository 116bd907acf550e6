//! A stateful fake of the GitHub REST and GraphQL APIs for integration tests.
//!
//! [`FakeGitHub::start`] listens on 127.0.0.1 (random port) and answers the endpoints
//! tfnotify uses with GitHub's JSON shapes. It checks every request the way GitHub does
//! (token, `User-Agent`, body schema from GitHub's `OpenAPI` description, comment and label
//! limits) and records each problem as a [`Violation`], so a test can end with
//! [`FakeGitHub::assert_no_violations`]. Responses are checked against the same
//! description. Faults can be injected with [`FakeGitHub::fail_next`]. The server stops
//! when the value is dropped.
//!
//! ```ignore
//! let gh = FakeGitHub::start();
//! gh.add_pull("octo", "infra", 7, "deadbeef");
//! // run tfnotify with GITHUB_API_URL=gh.url(), GITHUB_GRAPHQL_URL=gh.graphql_url(),
//! // GITHUB_TOKEN=gh.token()
//! assert_eq!(gh.comments("octo", "infra", 7).len(), 1);
//! gh.assert_no_violations();
//! ```
//!
//! Modelled: issue comments (list with `per_page`/`page`/`since` and a `Link` header, create,
//! get, edit, delete), commit comments, `GET /commits/{sha}/pulls`, `GET /pulls/{n}`, issue
//! labels (list, add, remove), repository labels (get, create, edit), `GET /user`, and on
//! `POST /graphql` the comment listing query (each comment with its `author` and whether
//! the token's account wrote it, `viewerDidAuthor`), `viewer { login }` and
//! `minimizeComment`. As on GitHub, a token with write access may edit, hide or delete
//! anyone's comment; the fake does it and keeps it as a violation, since tfnotify must only
//! ever touch its own.
//! Timestamps come from a logical clock (one second per write from 2026-01-01), ids count
//! up from 1000002, so responses are deterministic apart from the port.
//!
//! Check runs (create, update, list for a commit) are in `checks`. GitHub Enterprise
//! Server's `/api/v3` and `/api/graphql` prefixes are accepted too.
//!
//! Not modelled: plain issues (only pull requests are issues here), conditional requests (`ETag`), separate GraphQL rate-limit points, and
//! `Link` URLs in GitHub's `/repositories/{id}/…` form (the fake links to `/repos/{o}/{r}/…`).

mod checks;
mod graphql;
pub mod http;
mod openapi;
mod rest;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// The token [`FakeGitHub::start`] accepts.
pub const DEFAULT_TOKEN: &str = "ghp_FakeTokenForTfnotifyTests0123456789";
/// The login the default token belongs to.
pub const DEFAULT_LOGIN: &str = "tfnotify-bot";
/// GitHub's limit on issue and commit comment bodies, in characters.
pub const MAX_COMMENT_CHARS: usize = 65_536;
/// GitHub's limit on label names, in characters.
pub const MAX_LABEL_NAME_CHARS: usize = 50;
/// The first timestamp the fake's clock hands out (2026-01-01T00:00:00Z); each write
/// advances it by one second, so timestamps are deterministic.
pub const CLOCK_START: u64 = 1_767_225_600;

/// An issue (pull-request) comment held by the fake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// REST `id`.
    pub id: u64,
    /// GraphQL global id (`node_id`), as `minimizeComment` takes it.
    pub node_id: String,
    /// The pull request (issue) number.
    pub issue_number: u64,
    /// Markdown body.
    pub body: String,
    /// Author login.
    pub user: String,
    /// RFC 3339 creation time.
    pub created_at: String,
    /// RFC 3339 time of the last edit.
    pub updated_at: String,
    /// `https://github.com/{owner}/{repo}/pull/{n}#issuecomment-{id}`.
    pub html_url: String,
    /// The classifier (`OUTDATED`, …) if the comment was minimized (hidden).
    pub minimized: Option<String>,
}

/// A commit comment held by the fake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitComment {
    /// REST `id`.
    pub id: u64,
    /// GraphQL global id.
    pub node_id: String,
    /// The commit SHA the comment is on.
    pub commit_id: String,
    /// Markdown body.
    pub body: String,
    /// Author login.
    pub user: String,
    /// RFC 3339 creation time.
    pub created_at: String,
    /// `https://github.com/{owner}/{repo}/commit/{sha}#commitcomment-{id}`.
    pub html_url: String,
}

/// A check run held by the fake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckRun {
    /// REST `id`.
    pub id: u64,
    pub name: String,
    pub head_sha: String,
    /// `queued`, `in_progress` or `completed`.
    pub status: String,
    pub conclusion: Option<String>,
    pub external_id: Option<String>,
    pub details_url: Option<String>,
    /// `output.title`.
    pub title: Option<String>,
    /// `output.summary`, Markdown.
    pub summary: Option<String>,
    /// The slug of the app that created it (`github-actions` for the fake's tokens).
    pub app: String,
    /// RFC 3339 time it completed.
    pub completed_at: Option<String>,
}

/// A repository label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// REST `id`.
    pub id: u64,
    /// GraphQL global id.
    pub node_id: String,
    /// Name (unique per repository, compared case-insensitively).
    pub name: String,
    /// Six hex digits without `#`.
    pub color: String,
    /// Optional description.
    pub description: Option<String>,
}

/// One request the fake received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Path with query string, as sent.
    pub path: String,
    /// Selected headers (lower-case names): `accept`, `authorization` (token redacted),
    /// `content-type`, `user-agent`, `x-github-api-version`.
    pub headers: BTreeMap<String, String>,
    /// The body as text (lossy UTF-8), if one was sent.
    pub body: Option<String>,
    /// The status the fake answered with.
    pub status: u16,
}

impl RecordedRequest {
    /// `"METHOD /path?query"`.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        self.body
            .as_deref()
            .and_then(|b| serde_json::from_str(b).ok())
    }

    /// A JSON view for snapshots: method, path, headers, body (as JSON when it parses) and
    /// status. Nothing in it depends on the port.
    pub fn to_json(&self) -> Value {
        let body = match (&self.body, self.json()) {
            (_, Some(json)) => json,
            (Some(text), None) => Value::from(text.clone()),
            (None, None) => Value::Null,
        };
        json!({
            "method": self.method,
            "path": self.path,
            "headers": self.headers,
            "body": body,
            "status": self.status,
        })
    }
}

/// A request that GitHub would reject or that breaks GitHub's recommendations, or a
/// response of the fake that does not match GitHub's description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// `"METHOD /path?query"` of the request.
    pub request: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.request, self.message)
    }
}

/// An injected fault: the next `times` matching requests get this response.
#[derive(Clone, Debug)]
struct Fault {
    method: String,
    path_prefix: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    times: usize,
}

#[derive(Clone, Debug)]
struct Pull {
    number: u64,
    head_sha: String,
    state: String,
    merged: bool,
}

#[derive(Debug, Default)]
struct Repo {
    owner: String,
    name: String,
    id: u64,
    pulls: BTreeMap<u64, Pull>,
    comments: Vec<Comment>,
    commit_comments: Vec<CommitComment>,
    labels: Vec<Label>,
    /// Issue number → label ids, in the order they were added.
    issue_labels: BTreeMap<u64, Vec<u64>>,
    /// Commit SHA → associated pull numbers (besides pulls whose head is that SHA).
    commit_pulls: BTreeMap<String, BTreeSet<u64>>,
    /// Oldest first.
    check_runs: Vec<CheckRun>,
}

impl Repo {
    fn label_index(&self, name: &str) -> Option<usize> {
        self.labels
            .iter()
            .position(|l| l.name.eq_ignore_ascii_case(name))
    }
}

struct State {
    base: String,
    /// (token, login)
    tokens: Vec<(String, String)>,
    /// Logins whose tokens are personal access tokens, not a GitHub App's.
    personal_tokens: BTreeSet<String>,
    repos: BTreeMap<String, Repo>,
    next_id: u64,
    clock: u64,
    rate_remaining: u64,
    rate_reset: u64,
    requests: Vec<RecordedRequest>,
    violations: Vec<Violation>,
    faults: Vec<Fault>,
}

impl State {
    fn new(base: String) -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self {
            base,
            tokens: vec![(DEFAULT_TOKEN.to_owned(), DEFAULT_LOGIN.to_owned())],
            personal_tokens: BTreeSet::new(),
            repos: BTreeMap::new(),
            next_id: 1_000_001,
            clock: CLOCK_START,
            rate_remaining: 5000,
            rate_reset: now + 3600,
            requests: Vec::new(),
            violations: Vec::new(),
            faults: Vec::new(),
        }
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Advance the logical clock and return the new time as RFC 3339.
    fn tick(&mut self) -> String {
        self.clock += 1;
        rfc3339(self.clock)
    }

    fn repo_mut(&mut self, owner: &str, repo: &str) -> &mut Repo {
        let id = self.next_id + 1;
        let entry = self
            .repos
            .entry(repo_key(owner, repo))
            .or_insert_with(|| Repo {
                owner: owner.to_owned(),
                name: repo.to_owned(),
                id,
                ..Repo::default()
            });
        if entry.id == id {
            self.next_id = id;
        }
        entry
    }

    fn violate(&mut self, request: &str, message: impl Into<String>) {
        self.violations.push(Violation {
            request: request.to_owned(),
            message: message.into(),
        });
    }
}

fn repo_key(owner: &str, repo: &str) -> String {
    format!(
        "{}/{}",
        owner.to_ascii_lowercase(),
        repo.to_ascii_lowercase()
    )
}

/// Format seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn rfc3339(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days, for days ≥ 0.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

struct Shared {
    spec: openapi::Spec,
    state: Mutex<State>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The fake GitHub server. See the module documentation.
pub struct FakeGitHub {
    shared: Arc<Shared>,
    url: String,
    // Declared last so the state outlives the server threads' last use of it.
    _server: http::Server,
}

impl fmt::Debug for FakeGitHub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeGitHub")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl FakeGitHub {
    /// Start a fake on 127.0.0.1 with a random port. It accepts [`DEFAULT_TOKEN`].
    pub fn start() -> Self {
        let listener_state = Mutex::new(State::new(String::new()));
        let shared = Arc::new(Shared {
            spec: openapi::Spec::load(),
            state: listener_state,
        });
        let handler: Arc<dyn http::Handler> = Arc::clone(&shared) as Arc<dyn http::Handler>;
        let server = http::Server::start(handler).expect("bind the fake GitHub server");
        let url = format!("http://{}", server.addr);
        shared.lock().base.clone_from(&url);
        Self {
            shared,
            url,
            _server: server,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }

    /// The REST base URL, `http://127.0.0.1:PORT` (like `https://api.github.com`).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The GraphQL endpoint, `http://127.0.0.1:PORT/graphql`.
    pub fn graphql_url(&self) -> String {
        format!("{}/graphql", self.url)
    }

    /// The valid token ([`DEFAULT_TOKEN`]).
    #[allow(clippy::unused_self)] // a method, so tests need not import the constant
    pub fn token(&self) -> &'static str {
        DEFAULT_TOKEN
    }

    /// Accept another token, belonging to `login`.
    pub fn add_token(&self, token: &str, login: &str) {
        self.state()
            .tokens
            .push((token.to_owned(), login.to_owned()));
    }

    /// Accept a personal access token of `login`: it may read, but GitHub refuses it
    /// writing check runs (only GitHub Apps may).
    pub fn add_personal_token(&self, token: &str, login: &str) {
        let mut state = self.state();
        state.tokens.push((token.to_owned(), login.to_owned()));
        state.personal_tokens.insert(login.to_owned());
    }

    /// Seed a completed check run on `sha` written by the app `app` (another app's
    /// check, or an earlier run's when `app` is `github-actions`).
    pub fn add_check_run(
        &self,
        owner: &str,
        repo: &str,
        sha: &str,
        name: &str,
        app: &str,
        external_id: Option<&str>,
    ) -> CheckRun {
        let mut state = self.state();
        let id = state.id();
        let completed_at = Some(state.tick());
        let run = CheckRun {
            id,
            name: name.to_owned(),
            head_sha: sha.to_owned(),
            status: "completed".to_owned(),
            conclusion: Some("success".to_owned()),
            external_id: external_id.map(str::to_owned),
            details_url: None,
            title: Some("Seeded".to_owned()),
            summary: Some("Seeded".to_owned()),
            app: app.to_owned(),
            completed_at,
        };
        state.repo_mut(owner, repo).check_runs.push(run.clone());
        run
    }

    /// The check runs of the repository, oldest first.
    pub fn check_runs(&self, owner: &str, repo: &str) -> Vec<CheckRun> {
        self.state()
            .repos
            .get(&repo_key(owner, repo))
            .map_or_else(Vec::new, |r| r.check_runs.clone())
    }

    /// A fake with one open pull request whose head is `head_sha`, the commit CI builds.
    pub fn with_pull(owner: &str, repo: &str, number: u64, head_sha: &str) -> Self {
        let fake = FakeGitHub::start();
        fake.add_pull(owner, repo, number, head_sha);
        fake.associate_commit(owner, repo, head_sha, number);
        fake
    }

    /// Add an open pull request whose head is `head_sha` (creating the repository).
    pub fn add_pull(&self, owner: &str, repo: &str, number: u64, head_sha: &str) {
        let mut state = self.state();
        let pull = Pull {
            number,
            head_sha: head_sha.to_owned(),
            state: "open".into(),
            merged: false,
        };
        state.repo_mut(owner, repo).pulls.insert(number, pull);
    }

    /// Set a pull request's state: `"open"`, `"closed"` or `"merged"` (closed and merged).
    pub fn set_pull_state(&self, owner: &str, repo: &str, number: u64, state: &str) {
        let mut guard = self.state();
        if let Some(pull) = guard.repo_mut(owner, repo).pulls.get_mut(&number) {
            pull.merged = state == "merged";
            if state == "open" { "open" } else { "closed" }.clone_into(&mut pull.state);
        }
    }

    /// Associate commit `sha` with pull request `number` (for
    /// `GET /repos/{o}/{r}/commits/{sha}/pulls`), e.g. a merge commit. Pulls whose head is
    /// `sha` are associated already.
    pub fn associate_commit(&self, owner: &str, repo: &str, sha: &str, number: u64) {
        let mut state = self.state();
        let repo = state.repo_mut(owner, repo);
        repo.commit_pulls
            .entry(sha.to_owned())
            .or_default()
            .insert(number);
    }

    /// Seed an issue comment written by `user` (e.g. someone else, or an earlier run).
    pub fn add_comment(&self, owner: &str, repo: &str, pr: u64, user: &str, body: &str) -> Comment {
        let mut state = self.state();
        let comment = rest::new_comment(&mut state, owner, repo, pr, user, body);
        state.repo_mut(owner, repo).comments.push(comment.clone());
        comment
    }

    /// Mark a comment minimized with `classifier`, as if someone hid it.
    pub fn minimize(&self, owner: &str, repo: &str, comment_id: u64, classifier: &str) {
        let mut state = self.state();
        let repo = state.repo_mut(owner, repo);
        if let Some(c) = repo.comments.iter_mut().find(|c| c.id == comment_id) {
            c.minimized = Some(classifier.to_owned());
        }
    }

    /// The issue comments on pull request `pr`, oldest first.
    pub fn comments(&self, owner: &str, repo: &str, pr: u64) -> Vec<Comment> {
        self.state()
            .repos
            .get(&repo_key(owner, repo))
            .map_or_else(Vec::new, |r| {
                r.comments
                    .iter()
                    .filter(|c| c.issue_number == pr)
                    .cloned()
                    .collect()
            })
    }

    /// The commit comments on `sha`, oldest first.
    pub fn commit_comments(&self, owner: &str, repo: &str, sha: &str) -> Vec<CommitComment> {
        self.state()
            .repos
            .get(&repo_key(owner, repo))
            .map_or_else(Vec::new, |r| {
                r.commit_comments
                    .iter()
                    .filter(|c| c.commit_id == sha)
                    .cloned()
                    .collect()
            })
    }

    /// Add (or replace) a repository label.
    pub fn add_label(
        &self,
        owner: &str,
        repo: &str,
        name: &str,
        color: &str,
        description: Option<&str>,
    ) {
        let mut state = self.state();
        let id = state.id();
        let repo = state.repo_mut(owner, repo);
        let label = Label {
            id,
            node_id: format!("LA_kwDOFake{id}"),
            name: name.to_owned(),
            color: color.to_owned(),
            description: description.map(str::to_owned),
        };
        match repo.label_index(name) {
            Some(i) => {
                let old = repo.labels[i].id;
                repo.labels[i] = Label {
                    id: old,
                    node_id: repo.labels[i].node_id.clone(),
                    ..label
                };
            }
            None => repo.labels.push(label),
        }
    }

    /// Put label `name` on pull request `pr` (creating the repository label, colour
    /// `ededed`, if needed).
    pub fn add_label_to_pull(&self, owner: &str, repo: &str, pr: u64, name: &str) {
        let mut state = self.state();
        rest::attach_label(&mut state, owner, repo, pr, name);
    }

    /// The names of the labels on pull request `pr`, in the order they were added.
    pub fn labels_on(&self, owner: &str, repo: &str, pr: u64) -> Vec<String> {
        let state = self.state();
        let Some(r) = state.repos.get(&repo_key(owner, repo)) else {
            return Vec::new();
        };
        r.issue_labels
            .get(&pr)
            .into_iter()
            .flatten()
            .filter_map(|id| r.labels.iter().find(|l| l.id == *id))
            .map(|l| l.name.clone())
            .collect()
    }

    /// The repository's labels.
    pub fn repo_labels(&self, owner: &str, repo: &str) -> Vec<Label> {
        self.state()
            .repos
            .get(&repo_key(owner, repo))
            .map_or_else(Vec::new, |r| r.labels.clone())
    }

    /// Make the next `times` requests whose method is `method` (`"*"` for any) and whose
    /// path (with query) starts with `path_prefix` answer `status` with `headers` and
    /// `body` instead of being processed. Faults are checked before authentication and
    /// in the order they were added. Unless given, `Content-Type` is JSON.
    ///
    /// ```ignore
    /// gh.fail_next("POST", "/repos/o/r/issues/1/comments", 429, &[("Retry-After", "1")],
    ///     r#"{"message":"API rate limit exceeded"}"#, 1);
    /// ```
    pub fn fail_next(
        &self,
        method: &str,
        path_prefix: &str,
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
        times: usize,
    ) {
        self.state().faults.push(Fault {
            method: method.to_ascii_uppercase(),
            path_prefix: path_prefix.to_owned(),
            status,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.to_owned(),
            times,
        });
    }

    /// Make the next `times` matching requests fail with GitHub's secondary rate limit
    /// answer: 403, `retry-after: {retry_after}`, and GitHub's message.
    pub fn fail_secondary_rate_limit(
        &self,
        method: &str,
        path_prefix: &str,
        retry_after: u64,
        times: usize,
    ) {
        let retry = retry_after.to_string();
        self.fail_next(
            method,
            path_prefix,
            403,
            &[("retry-after", &retry), ("x-ratelimit-remaining", "4999")],
            rest::SECONDARY_RATE_LIMIT_BODY,
            times,
        );
    }

    /// Set the primary rate limit: `remaining` requests until `reset_epoch` (seconds),
    /// reported in `x-ratelimit-remaining` and `x-ratelimit-reset`. Each authenticated
    /// request uses one; once none remain, requests get GitHub's 403 "API rate limit
    /// exceeded" (recorded as a violation) until the reset time passes, when the count
    /// goes back to 5000.
    pub fn set_rate_limit(&self, remaining: u64, reset_epoch: u64) {
        let mut state = self.state();
        state.rate_remaining = remaining;
        state.rate_reset = reset_epoch;
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    /// `"METHOD /path?query"` of every request so far.
    pub fn request_lines(&self) -> Vec<String> {
        self.state()
            .requests
            .iter()
            .map(RecordedRequest::line)
            .collect()
    }

    /// The request log as JSON (see [`RecordedRequest::to_json`]), for `insta` snapshots.
    pub fn requests_json(&self) -> Value {
        Value::Array(
            self.state()
                .requests
                .iter()
                .map(RecordedRequest::to_json)
                .collect(),
        )
    }

    /// Replace this server's base URL in `text` with `[GITHUB]`, for snapshots of output
    /// that quotes API URLs (the port is random).
    pub fn redact(&self, text: &str) -> String {
        text.replace(&self.url, "[GITHUB]")
    }

    /// Forget the requests and violations recorded so far (state is kept).
    pub fn clear_log(&self) {
        let mut state = self.state();
        state.requests.clear();
        state.violations.clear();
    }

    /// Everything GitHub would have rejected or warned about, in order.
    pub fn violations(&self) -> Vec<Violation> {
        self.state().violations.clone()
    }

    /// Panic listing the violations, if there are any.
    #[track_caller]
    pub fn assert_no_violations(&self) {
        let violations = self.violations();
        assert!(
            violations.is_empty(),
            "the fake GitHub recorded {} violation(s):\n{}",
            violations.len(),
            violations
                .iter()
                .map(|v| format!("  {v}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

impl http::Handler for Shared {
    fn handle(&self, request: &http::Request) -> http::Response {
        let mut state = self.lock();
        rest::handle(&self.spec, &mut state, request)
    }
}
