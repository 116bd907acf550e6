//! A stateful fake of the GitLab REST v4 API for integration tests.
//!
//! [`FakeGitLab::start`] listens on 127.0.0.1 (random port, API under `/api/v4`) and answers
//! the endpoints tfnotify uses with GitLab's JSON shapes and error texts. It checks every
//! request the way GitLab does (`PRIVATE-TOKEN`, required parameters, the 1,000,000
//! character note limit, `#RRGGBB` label colours) and records what GitLab would refuse or
//! do unasked as a [`Violation`], so a test can end with [`FakeGitLab::assert_no_violations`].
//! Faults can be injected with [`FakeGitLab::fail_next`]. The server stops on drop.
//!
//! ```ignore
//! let gl = FakeGitLab::start();
//! gl.add_merge_request("acme/platform/infra", 7, "deadbeef");
//! // run tfnotify with GITLAB_BASE_URL=gl.url(), GITLAB_TOKEN=gl.token()
//! assert_eq!(gl.user_notes("acme/platform/infra", 7).len(), 1);
//! gl.assert_no_violations();
//! ```
//!
//! Modelled: the token's user (`GET /user`, which every token of a user, a project or a
//! group answers, as its bot user for the latter two); projects by numeric id and by
//! URL-encoded (nested) path; merge requests (get,
//! update with `add_labels`/`remove_labels`/`labels`); merge-request notes (list with
//! `sort`, `order_by`, `page`, `per_page` and GitLab's `x-*` and `Link` pagination headers,
//! create, get, update, delete), with system notes in the lists and each note's author
//! (`author.id`, the same for every note of one user); commit comments (which
//! take `note`); the merge requests of a commit; project labels (list, get by id or title,
//! create, update). A stored note is what GitLab stores: carriage returns deleted and
//! trailing white space trimmed. Timestamps come from a logical clock (one second per
//! write from 2026-01-01), ids count up, so answers are deterministic apart from the port.
//!
//! Judgements where GitLab is laxer than the fake, so that mistakes show:
//! - GitLab (Grape) silently ignores parameters an endpoint does not declare; the fake
//!   ignores them too but records a violation, so a misspelt `add_label` cannot pass.
//! - GitLab runs quick actions (`/merge`, `/label ~x` …) at the start of a line outside
//!   the code blocks it recognises; the fake records any such line as a violation,
//!   wherever it is.
//! - GitLab accepts CSS colour names for labels; the fake accepts only `#RGB`/`#RRGGBB`.
//!   Label titles are checked as GitLab checks them: no comma, at most 255 characters.
//! - GitLab splits `labels`, `add_labels` and `remove_labels` at every comma, also inside
//!   each element of a JSON array (`CommaSeparatedToArray`), and creates the labels it
//!   finds; the fake does the same, and records an array element holding a comma as a
//!   violation, since whoever sent an array meant one label per element.
//! - Editing or deleting a note of someone else is a violation. GitLab lets a Maintainer do
//!   both, and the fake's tokens are Maintainers, so it does them too: the harm shows.
//!
//! Not modelled: issues, discussions and threads, emoji, group endpoints, keyset
//! pagination, rate-limit headers (a 429 comes only from [`FakeGitLab::fail_next`]).

mod labels;
mod merge_requests;
mod routes;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::{Value, json};

use super::fake_github::http;
use super::fake_github::rfc3339;

/// The token [`FakeGitLab::start`] accepts.
pub const DEFAULT_TOKEN: &str = "glpat-FakeTokenForTfnotifyTests01";
/// The username the default token belongs to.
pub const DEFAULT_USER: &str = "project_42_bot";
/// GitLab's limit on a note (and commit comment) body, in characters.
pub const MAX_NOTE_CHARS: usize = 1_000_000;
/// The colour GitLab gives a label it creates on its own (an unknown name in `add_labels`).
pub const DEFAULT_LABEL_COLOR: &str = "#6699cc";
/// The first timestamp of the logical clock (2026-01-01T00:00:00Z).
pub const CLOCK_START: u64 = 1_767_225_600;

/// A note on a merge request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub id: u64,
    pub mr_iid: u64,
    /// The body as GitLab stores it.
    pub body: String,
    pub author: String,
    /// GitLab's own notes ("added 1 commit").
    pub system: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A comment on a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitComment {
    pub sha: String,
    pub note: String,
    pub author: String,
}

/// A project label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub id: u64,
    pub name: String,
    /// `#RRGGBB` as given.
    pub color: String,
}

/// One request the fake received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path with query, as sent (`/api/v4/projects/…`).
    pub path: String,
    /// Selected headers (lower-case names): `content-type`, `private-token` (redacted),
    /// `authorization` (redacted), `user-agent`.
    pub headers: BTreeMap<String, String>,
    /// The body as text, if one was sent.
    pub body: Option<String>,
    pub status: u16,
}

impl RecordedRequest {
    /// `"METHOD /path?query"`, without the `/api/v4` prefix.
    pub fn line(&self) -> String {
        let path = self.path.strip_prefix("/api/v4").unwrap_or(&self.path);
        format!("{} {path}", self.method)
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        self.body
            .as_deref()
            .and_then(|b| serde_json::from_str(b).ok())
    }

    /// A JSON view for snapshots; nothing in it depends on the port.
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

/// A request GitLab would refuse, or one that would make GitLab do something unasked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub request: String,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.request, self.message)
    }
}

/// An injected fault: the next `times` matching requests get this answer.
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
struct MergeRequest {
    id: u64,
    iid: u64,
    sha: String,
    state: String,
    labels: Vec<String>,
}

#[derive(Debug, Default)]
struct Project {
    id: u64,
    path: String,
    merge_requests: BTreeMap<u64, MergeRequest>,
    notes: Vec<Note>,
    commits: BTreeSet<String>,
    /// Commit → merge requests it belongs to, besides those whose head it is.
    commit_mrs: BTreeMap<String, BTreeSet<u64>>,
    commit_comments: Vec<CommitComment>,
    labels: Vec<Label>,
}

struct State {
    /// `http://127.0.0.1:PORT`.
    origin: String,
    /// The host pagination links point to (a misconfigured external URL differs).
    link_origin: String,
    /// (token, username)
    tokens: Vec<(String, String)>,
    projects: Vec<Project>,
    next_id: u64,
    clock: u64,
    requests: Vec<RecordedRequest>,
    violations: Vec<Violation>,
    faults: Vec<Fault>,
}

impl State {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn tick(&mut self) -> String {
        self.clock += 1;
        rfc3339(self.clock).replace('Z', ".000Z")
    }

    fn project_mut(&mut self, path: &str) -> &mut Project {
        let found = self
            .projects
            .iter()
            .position(|p| p.path.eq_ignore_ascii_case(path));
        let index = found.unwrap_or_else(|| {
            let id = self.id();
            self.projects.push(Project {
                id,
                path: path.to_owned(),
                ..Project::default()
            });
            self.projects.len() - 1
        });
        &mut self.projects[index]
    }

    fn project(&self, path: &str) -> Option<&Project> {
        self.projects
            .iter()
            .find(|p| p.path.eq_ignore_ascii_case(path))
    }

    fn violate(&mut self, request: &str, message: impl Into<String>) {
        self.violations.push(Violation {
            request: request.to_owned(),
            message: message.into(),
        });
    }
}

struct Shared {
    state: Mutex<State>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl http::Handler for Shared {
    fn handle(&self, request: &http::Request) -> http::Response {
        routes::handle(&mut self.lock(), request)
    }
}

/// The fake GitLab server. See the module documentation.
pub struct FakeGitLab {
    shared: Arc<Shared>,
    origin: String,
    // Declared last so the state outlives the server threads' last use of it.
    _server: http::Server,
}

impl FakeGitLab {
    /// Start a fake on 127.0.0.1 with a random port. It accepts [`DEFAULT_TOKEN`].
    pub fn start() -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                origin: String::new(),
                link_origin: String::new(),
                tokens: vec![(DEFAULT_TOKEN.to_owned(), DEFAULT_USER.to_owned())],
                projects: Vec::new(),
                next_id: 100,
                clock: CLOCK_START,
                requests: Vec::new(),
                violations: Vec::new(),
                faults: Vec::new(),
            }),
        });
        let handler: Arc<dyn http::Handler> = Arc::clone(&shared) as Arc<dyn http::Handler>;
        let server = http::Server::start(handler).expect("bind the fake GitLab server");
        let origin = format!("http://{}", server.addr);
        {
            let mut state = shared.lock();
            state.origin.clone_from(&origin);
            state.link_origin.clone_from(&origin);
        }
        Self {
            shared,
            origin,
            _server: server,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }

    /// The API base, `http://127.0.0.1:PORT/api/v4` (like `CI_API_V4_URL`).
    pub fn url(&self) -> String {
        format!("{}/api/v4", self.origin)
    }

    /// The server, `http://127.0.0.1:PORT` (like `CI_SERVER_URL`).
    pub fn server_url(&self) -> String {
        self.origin.clone()
    }

    /// The valid token ([`DEFAULT_TOKEN`]).
    #[allow(clippy::unused_self)] // a method, so tests need not import the constant
    pub fn token(&self) -> &'static str {
        DEFAULT_TOKEN
    }

    /// Accept another token, belonging to `username`.
    pub fn add_token(&self, token: &str, username: &str) {
        self.state()
            .tokens
            .push((token.to_owned(), username.to_owned()));
    }

    /// Make pagination links point at `origin` (`https://gitlab.internal`), as a GitLab
    /// with a wrong external URL does; `x-next-page` stays right.
    pub fn set_link_origin(&self, origin: &str) {
        origin.clone_into(&mut self.state().link_origin);
    }

    /// Create the project `path` (`group/sub/name`) if needed; its numeric id.
    pub fn add_project(&self, path: &str) -> u64 {
        self.state().project_mut(path).id
    }

    /// A fake with one open merge request whose head is `sha`, the commit CI builds: what
    /// every suite that posts to a merge request starts from.
    pub fn with_merge_request(path: &str, iid: u64, sha: &str) -> Self {
        let fake = FakeGitLab::start();
        fake.add_merge_request(path, iid, sha);
        fake
    }

    /// Add an open merge request whose head is `sha` (creating the project).
    pub fn add_merge_request(&self, path: &str, iid: u64, sha: &str) {
        let mut state = self.state();
        let id = state.id();
        let project = state.project_mut(path);
        project.commits.insert(sha.to_owned());
        project.merge_requests.insert(
            iid,
            MergeRequest {
                id,
                iid,
                sha: sha.to_owned(),
                state: "opened".to_owned(),
                labels: Vec::new(),
            },
        );
    }

    /// Push `sha` to merge request `iid`: its new head.
    pub fn set_head(&self, path: &str, iid: u64, sha: &str) {
        let mut state = self.state();
        let project = state.project_mut(path);
        project.commits.insert(sha.to_owned());
        if let Some(mr) = project.merge_requests.get_mut(&iid) {
            sha.clone_into(&mut mr.sha);
        }
    }

    /// Set a merge request's state: `opened`, `closed` or `merged`.
    pub fn set_state(&self, path: &str, iid: u64, state: &str) {
        let mut guard = self.state();
        if let Some(mr) = guard.project_mut(path).merge_requests.get_mut(&iid) {
            state.clone_into(&mut mr.state);
        }
    }

    /// A commit the project knows, with no merge request.
    pub fn add_commit(&self, path: &str, sha: &str) {
        self.state()
            .project_mut(path)
            .commits
            .insert(sha.to_owned());
    }

    /// Make commit `sha` belong to merge request `iid` (a squash or merge commit).
    pub fn associate_commit(&self, path: &str, sha: &str, iid: u64) {
        let mut state = self.state();
        let project = state.project_mut(path);
        project.commits.insert(sha.to_owned());
        project
            .commit_mrs
            .entry(sha.to_owned())
            .or_default()
            .insert(iid);
    }

    /// Seed a note written by `author`.
    pub fn add_note(&self, path: &str, iid: u64, author: &str, body: &str) -> Note {
        self.seed_note(path, iid, author, body, false)
    }

    /// Seed one of GitLab's system notes ("added 1 commit").
    pub fn add_system_note(&self, path: &str, iid: u64, body: &str) -> Note {
        self.seed_note(path, iid, "root", body, true)
    }

    fn seed_note(&self, path: &str, iid: u64, author: &str, body: &str, system: bool) -> Note {
        let mut state = self.state();
        let note = merge_requests::new_note(&mut state, iid, author, body, system);
        state.project_mut(path).notes.push(note.clone());
        note
    }

    /// Every note of merge request `iid`, system notes included, oldest first.
    pub fn notes(&self, path: &str, iid: u64) -> Vec<Note> {
        self.state().project(path).map_or_else(Vec::new, |p| {
            p.notes
                .iter()
                .filter(|n| n.mr_iid == iid)
                .cloned()
                .collect()
        })
    }

    /// The notes of merge request `iid` that people (or tokens) wrote, oldest first.
    pub fn user_notes(&self, path: &str, iid: u64) -> Vec<Note> {
        self.notes(path, iid)
            .into_iter()
            .filter(|n| !n.system)
            .collect()
    }

    /// The comments on commit `sha`, oldest first.
    pub fn commit_comments(&self, path: &str, sha: &str) -> Vec<CommitComment> {
        self.state().project(path).map_or_else(Vec::new, |p| {
            p.commit_comments
                .iter()
                .filter(|c| c.sha == sha)
                .cloned()
                .collect()
        })
    }

    /// Add (or recolour) a project label.
    pub fn add_label(&self, path: &str, name: &str, color: &str) {
        let mut state = self.state();
        let id = state.id();
        let project = state.project_mut(path);
        match project.labels.iter_mut().find(|l| l.name == name) {
            Some(label) => color.clone_into(&mut label.color),
            None => project.labels.push(Label {
                id,
                name: name.to_owned(),
                color: color.to_owned(),
            }),
        }
    }

    /// Put label `name` on merge request `iid` (creating it in GitLab's default colour).
    pub fn add_label_to_merge_request(&self, path: &str, iid: u64, name: &str) {
        let mut state = self.state();
        merge_requests::attach_labels(&mut state, path, iid, &[name.to_owned()]);
    }

    /// The labels on merge request `iid`, sorted (as GitLab lists them).
    pub fn labels_on(&self, path: &str, iid: u64) -> Vec<String> {
        self.state()
            .project(path)
            .and_then(|p| p.merge_requests.get(&iid))
            .map_or_else(Vec::new, |mr| {
                let mut labels = mr.labels.clone();
                labels.sort();
                labels
            })
    }

    /// The project's labels.
    pub fn project_labels(&self, path: &str) -> Vec<Label> {
        self.state()
            .project(path)
            .map_or_else(Vec::new, |p| p.labels.clone())
    }

    /// Make the next `times` requests whose method is `method` (`"*"` for any) and whose
    /// path after `/api/v4` (with query) starts with `path_prefix` answer `status` with
    /// `headers` and `body` instead of being processed; checked before authentication.
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

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    /// `"METHOD /path?query"` (after `/api/v4`) of every request so far.
    pub fn request_lines(&self) -> Vec<String> {
        self.state()
            .requests
            .iter()
            .map(RecordedRequest::line)
            .collect()
    }

    /// The request log as JSON, for `insta` snapshots.
    pub fn requests_json(&self) -> Value {
        Value::Array(
            self.state()
                .requests
                .iter()
                .map(RecordedRequest::to_json)
                .collect(),
        )
    }

    /// Replace this server's origin in `text` with `[GITLAB]` (the port is random).
    pub fn redact(&self, text: &str) -> String {
        text.replace(&self.origin, "[GITLAB]")
    }

    /// Forget the requests and violations recorded so far (state is kept).
    pub fn clear_log(&self) {
        let mut state = self.state();
        state.requests.clear();
        state.violations.clear();
    }

    /// Everything GitLab would have refused or done unasked, in order.
    pub fn violations(&self) -> Vec<Violation> {
        self.state().violations.clone()
    }

    /// Panic listing the violations, if there are any.
    #[track_caller]
    pub fn assert_no_violations(&self) {
        let violations = self.violations();
        assert!(
            violations.is_empty(),
            "the fake GitLab recorded {} violation(s):\n{}",
            violations.len(),
            violations
                .iter()
                .map(|v| format!("  {v}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
