//! A stateful fake Gitea (Forgejo answers the same) on 127.0.0.1, under `/api/v1`.
//!
//! Modelled: the token's user (`GET /user`, which an API token reads only with the
//! `read:user` scope and an Actions job token always, as the `gitea-actions` user, id -2);
//! issue comments (list, which Gitea does not page; create; edit; delete; each with its
//! author's `user.id`), pull
//! requests (get, list open ones with `page`/`limit`, the merged pull request of a commit),
//! repository labels (list with `page`/`limit`, create, edit) and the labels of an issue
//! (list, add by id, remove by id). Answers use Gitea's JSON shapes and error bodies
//! (`{"message", "url"}`); lists carry `X-Total-Count` and a `Link` header written, as Gitea
//! does, with its configured `ROOT_URL`, which here is another host than the one the client
//! calls. Requests are checked the way Gitea checks them (the token, required fields,
//! colours) plus our own rules (JSON bodies, a body of at most 1,000,000 characters, which
//! is answered 413 like the nginx in front of most Gitea servers); anything wrong is kept as
//! a violation. Like Gitea, the fake lets a token with write access edit and delete anyone's
//! comment, and keeps that as a violation too, since tfnotify must touch only its own.
//! Faults can be injected with [`FakeGitea::fail_next`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::{Value, json};

use super::fake_github::http::{Handler, Request, Response, Server};

/// The token the fake accepts (`Authorization: token …` or `Bearer …`).
pub const TOKEN: &str = "7f3a9c2e4b1d8f6a0c5e9b2d4f7a1c3e5b8d0f2a";
/// The user the token belongs to.
pub const USER: &str = "tfnotify-bot";
/// The scopes of [`TOKEN`].
pub const SCOPES: &[&str] = &["write:issue", "read:repository", "read:user"];
/// The user an Actions job token posts as.
pub const ACTIONS_USER: &str = "gitea-actions";
/// The largest comment body accepted, in characters (our limit; Gitea has none).
pub const MAX_BODY_CHARS: usize = 1_000_000;
/// Gitea's largest page.
pub const MAX_LIMIT: usize = 50;
/// The `ROOT_URL` Gitea writes into `Link` headers and `html_url`s.
pub const ROOT_URL: &str = "https://gitea.example.com";

/// A comment held by the fake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: u64,
    pub issue: u64,
    pub body: String,
    pub user: String,
    pub created_at: String,
    pub updated_at: String,
}

/// A repository label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub id: u64,
    pub name: String,
    /// Six lowercase hex digits, no `#`.
    pub color: String,
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Header names lower-cased.
    pub headers: BTreeMap<String, String>,
    pub body: String,
    pub status: u16,
}

impl Recorded {
    /// `METHOD /path?query`.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The body as JSON, if it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// A view for snapshots: the token, the port and the version are not in it.
    pub fn to_json(&self) -> Value {
        let keep = ["accept", "authorization", "content-type"];
        let headers: BTreeMap<&str, String> = self
            .headers
            .iter()
            .filter(|(k, _)| keep.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.replace(TOKEN, "[TOKEN]")))
            .collect();
        let mut body = self.json().unwrap_or(Value::Null);
        if let Some(text) = body.get_mut("body") {
            *text = Value::from(abridged(text.as_str().unwrap_or_default()));
        }
        json!({
            "method": self.method,
            "path": self.path,
            "headers": headers,
            "body": body,
            "status": self.status,
        })
    }
}

/// A comment body for snapshots: its first and last lines (title and marker) and its size;
/// the middle is the renderer's, which has snapshots of its own.
pub fn abridged(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    match (lines.first(), lines.last()) {
        (Some(first), Some(last)) if lines.len() > 2 => {
            format!("{first}\n… {} characters …\n{last}", text.chars().count())
        }
        _ => text.to_owned(),
    }
}

#[derive(Debug, Clone)]
struct Pull {
    head_sha: String,
    state: String,
    merged_commit: Option<String>,
}

#[derive(Debug, Default)]
struct Repo {
    pulls: BTreeMap<u64, Pull>,
    comments: Vec<Comment>,
    labels: Vec<Label>,
    issue_labels: BTreeMap<u64, Vec<u64>>,
}

struct Fault {
    method: String,
    path_prefix: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    times: usize,
}

/// A token the fake accepts: whose it is, and its scopes (`None` for an Actions job token,
/// which has none and needs none).
struct Token {
    secret: String,
    user: String,
    scopes: Option<Vec<String>>,
}

#[derive(Default)]
struct State {
    tokens: Vec<Token>,
    repos: BTreeMap<String, Repo>,
    next_id: u64,
    clock: u64,
    log: Vec<Recorded>,
    violations: Vec<String>,
    faults: Vec<Fault>,
}

impl State {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// 2026-01-01T00:00:00Z plus one second per write.
    fn tick(&mut self) -> String {
        self.clock += 1;
        format!(
            "2026-01-01T00:{:02}:{:02}Z",
            self.clock / 60 % 60,
            self.clock % 60
        )
    }
}

struct Fake {
    state: Mutex<State>,
}

/// The running fake; stops when dropped.
pub struct FakeGitea {
    server: Server,
    fake: Arc<Fake>,
}

type Answer = (u16, Vec<(String, String)>, String);

impl FakeGitea {
    /// Starts on a random port.
    pub fn start() -> FakeGitea {
        let fake = Arc::new(Fake {
            state: Mutex::new(State {
                tokens: vec![Token {
                    secret: TOKEN.to_owned(),
                    user: USER.to_owned(),
                    scopes: Some(SCOPES.iter().map(|s| (*s).to_owned()).collect()),
                }],
                next_id: 100,
                ..State::default()
            }),
        });
        let server =
            Server::start(Arc::clone(&fake) as Arc<dyn Handler>).expect("start fake Gitea");
        FakeGitea { server, fake }
    }

    /// `http://127.0.0.1:PORT/api/v1`, what `GITEA_API_URL` is set to.
    pub fn api_url(&self) -> String {
        format!("http://{}/api/v1", self.server.addr)
    }

    /// `http://127.0.0.1:PORT`, the server a Gitea Actions job names in `GITHUB_SERVER_URL`.
    pub fn server_url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    /// Accepts `token` too, as `user`'s with `scopes`.
    pub fn add_token(&self, token: &str, user: &str, scopes: &[&str]) {
        self.fake.lock().tokens.push(Token {
            secret: token.to_owned(),
            user: user.to_owned(),
            scopes: Some(scopes.iter().map(|s| (*s).to_owned()).collect()),
        });
    }

    /// Accepts `token` as an Actions job token, which posts as [`ACTIONS_USER`].
    pub fn add_actions_token(&self, token: &str) {
        self.fake.lock().tokens.push(Token {
            secret: token.to_owned(),
            user: ACTIONS_USER.to_owned(),
            scopes: None,
        });
    }

    /// A fake with one open pull request whose head is `head_sha`, the commit CI builds:
    /// what every suite that posts to a pull request starts from.
    pub fn with_pull(owner: &str, repo: &str, number: u64, head_sha: &str) -> FakeGitea {
        let fake = FakeGitea::start();
        fake.add_pull(owner, repo, number, head_sha);
        fake
    }

    /// Adds an open pull request whose head is `head_sha`.
    pub fn add_pull(&self, owner: &str, repo: &str, number: u64, head_sha: &str) {
        let pull = Pull {
            head_sha: head_sha.to_owned(),
            state: "open".to_owned(),
            merged_commit: None,
        };
        self.fake
            .lock()
            .repo(owner, repo)
            .pulls
            .insert(number, pull);
    }

    /// Merges a pull request: closed, and `merge_sha` now leads to it.
    pub fn merge_pull(&self, owner: &str, repo: &str, number: u64, merge_sha: &str) {
        if let Some(pull) = self.fake.lock().repo(owner, repo).pulls.get_mut(&number) {
            "closed".clone_into(&mut pull.state);
            pull.merged_commit = Some(merge_sha.to_owned());
        }
    }

    /// Moves the head of a pull request, as a push does.
    pub fn push(&self, owner: &str, repo: &str, number: u64, head_sha: &str) {
        if let Some(pull) = self.fake.lock().repo(owner, repo).pulls.get_mut(&number) {
            head_sha.clone_into(&mut pull.head_sha);
        }
    }

    /// Seeds a comment by `user`.
    pub fn add_comment(&self, owner: &str, repo: &str, issue: u64, user: &str, body: &str) {
        let mut state = self.fake.lock();
        let comment = new_comment(&mut state, issue, user, body);
        state.repo(owner, repo).comments.push(comment);
    }

    /// The comments of `issue`, oldest first.
    pub fn comments(&self, owner: &str, repo: &str, issue: u64) -> Vec<Comment> {
        let mut state = self.fake.lock();
        let repo = state.repo(owner, repo);
        repo.comments
            .iter()
            .filter(|c| c.issue == issue)
            .cloned()
            .collect()
    }

    /// Adds a repository label.
    pub fn add_label(&self, owner: &str, repo: &str, name: &str, color: &str) {
        let mut state = self.fake.lock();
        let id = state.id();
        let label = Label {
            id,
            name: name.to_owned(),
            color: color.to_owned(),
        };
        state.repo(owner, repo).labels.push(label);
    }

    /// Puts an existing repository label on `issue`.
    pub fn add_label_to_pull(&self, owner: &str, repo: &str, issue: u64, name: &str) {
        let mut state = self.fake.lock();
        let repo = state.repo(owner, repo);
        let id = repo.labels.iter().find(|l| l.name == name).map(|l| l.id);
        if let Some(id) = id {
            repo.issue_labels.entry(issue).or_default().push(id);
        }
    }

    /// The names of the labels on `issue`.
    pub fn labels_on(&self, owner: &str, repo: &str, issue: u64) -> Vec<String> {
        let mut state = self.fake.lock();
        let repo = state.repo(owner, repo);
        let ids = repo.issue_labels.get(&issue).cloned().unwrap_or_default();
        ids.iter()
            .filter_map(|id| repo.labels.iter().find(|l| l.id == *id))
            .map(|l| l.name.clone())
            .collect()
    }

    /// The repository's labels.
    pub fn repo_labels(&self, owner: &str, repo: &str) -> Vec<Label> {
        self.fake.lock().repo(owner, repo).labels.clone()
    }

    /// The next `times` requests with `method` (`*` for any) whose path starts with
    /// `path_prefix` (under `/api/v1`) get this answer instead.
    pub fn fail_next(
        &self,
        method: &str,
        path_prefix: &str,
        status: u16,
        body: &str,
        times: usize,
    ) {
        self.fake.lock().faults.push(Fault {
            method: method.to_owned(),
            path_prefix: format!("/api/v1{path_prefix}"),
            status,
            headers: vec![(
                "Content-Type".into(),
                "application/json;charset=utf-8".into(),
            )],
            body: body.to_owned(),
            times,
        });
    }

    /// Like [`FakeGitea::fail_next`], with extra headers (`Retry-After`).
    pub fn fail_next_with(
        &self,
        method: &str,
        path_prefix: &str,
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
    ) {
        self.fail_next(method, path_prefix, status, body, 1);
        let mut state = self.fake.lock();
        if let Some(fault) = state.faults.last_mut() {
            fault.headers.extend(
                headers
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
            );
        }
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.fake.lock().log.clone()
    }

    /// `METHOD /path?query` of every request, with `/api/v1` left out.
    pub fn request_lines(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| r.line().replacen(" /api/v1/", " /", 1))
            .collect()
    }

    /// The log as JSON, for snapshots.
    pub fn requests_json(&self) -> Value {
        Value::Array(self.requests().iter().map(Recorded::to_json).collect())
    }

    /// Forgets the requests and violations so far (state is kept).
    pub fn clear_log(&self) {
        let mut state = self.fake.lock();
        state.log.clear();
        state.violations.clear();
    }

    /// What a real Gitea (or our rules) would have refused.
    pub fn violations(&self) -> Vec<String> {
        self.fake.lock().violations.clone()
    }

    #[track_caller]
    pub fn assert_no_violations(&self) {
        let violations = self.violations();
        assert!(violations.is_empty(), "{violations:#?}");
    }
}

impl Fake {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    fn repo(&mut self, owner: &str, repo: &str) -> &mut Repo {
        self.repos
            .entry(format!(
                "{}/{}",
                owner.to_ascii_lowercase(),
                repo.to_ascii_lowercase()
            ))
            .or_default()
    }

    fn violate(&mut self, request: &Request, what: &str) {
        self.violations
            .push(format!("{} {}: {what}", request.method, request.target));
    }

    fn fault(&mut self, request: &Request) -> Option<Answer> {
        let i = self.faults.iter().position(|f| {
            (f.method == "*" || f.method == request.method)
                && request.target.starts_with(&f.path_prefix)
        })?;
        let fault = &mut self.faults[i];
        let answer = (fault.status, fault.headers.clone(), fault.body.clone());
        fault.times = fault.times.saturating_sub(1);
        if fault.times == 0 {
            self.faults.remove(i);
        }
        Some(answer)
    }

    fn answer(&mut self, request: &Request) -> Answer {
        if let Some(answer) = self.fault(request) {
            return answer;
        }
        let auth = request.header("authorization").unwrap_or("");
        let given = auth
            .strip_prefix("token ")
            .or_else(|| auth.strip_prefix("Bearer "));
        let Some(index) = self
            .tokens
            .iter()
            .position(|t| Some(t.secret.as_str()) == given)
        else {
            return error(401, "invalid username, password or token");
        };
        let (path, query) = request
            .target
            .split_once('?')
            .unwrap_or((&request.target, ""));
        if path == "/api/v1/user" && request.method == "GET" {
            return self.me(request, index, query);
        }
        let user = self.tokens[index].user.clone();
        let Some(rest) = path.strip_prefix("/api/v1/repos/") else {
            self.violate(request, "not a repository endpoint");
            return error(404, "The target couldn't be found.");
        };
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.len() < 3 {
            return error(404, "The target couldn't be found.");
        }
        let (owner, repo) = (decode(parts[0]), decode(parts[1]));
        let body = if request.body.is_empty() {
            None
        } else {
            if !request
                .header("content-type")
                .is_some_and(|t| t.starts_with("application/json"))
            {
                self.violate(request, "a body that is not sent as JSON");
            }
            if let Ok(v) = serde_json::from_slice::<Value>(&request.body) {
                Some(v)
            } else {
                self.violate(request, "a body that is not JSON");
                return error(422, "invalid JSON");
            }
        };
        let route: Vec<&str> = parts[2..].to_vec();
        let number = |s: &str| s.parse::<u64>().ok();
        match (request.method.as_str(), route.as_slice()) {
            ("GET", ["issues", n, "comments"]) => self.list_comments(&owner, &repo, number(n)),
            ("POST", ["issues", n, "comments"]) => {
                self.create_comment(request, &user, (&owner, &repo), number(n), body.as_ref())
            }
            ("PATCH", ["issues", "comments", id]) => {
                self.edit_comment(request, &user, (&owner, &repo), number(id), body.as_ref())
            }
            ("DELETE", ["issues", "comments", id]) => {
                self.delete_comment(request, &user, (&owner, &repo), number(id))
            }
            ("GET", ["issues", n, "labels"]) => self.issue_labels(&owner, &repo, number(n)),
            ("POST", ["issues", n, "labels"]) => {
                self.add_issue_labels(request, &owner, &repo, number(n), body.as_ref())
            }
            ("DELETE", ["issues", n, "labels", id]) => {
                self.remove_issue_label(&owner, &repo, number(n), number(id))
            }
            ("GET", ["labels"]) => {
                let labels: Vec<Value> = self
                    .repo(&owner, &repo)
                    .labels
                    .iter()
                    .map(label_json)
                    .collect();
                self.page(request, path, query, &labels)
            }
            ("POST", ["labels"]) => self.create_label(request, &owner, &repo, body.as_ref()),
            ("PATCH", ["labels", id]) => {
                self.edit_label(request, &owner, &repo, number(id), body.as_ref())
            }
            ("GET", ["pulls"]) => {
                let state = query_value(query, "state").unwrap_or("open").to_owned();
                let pulls: Vec<Value> = self
                    .repo(&owner, &repo)
                    .pulls
                    .iter()
                    .filter(|(_, p)| state == "all" || p.state == state)
                    .map(|(n, p)| pull_json(*n, p))
                    .collect();
                self.page(request, path, query, &pulls)
            }
            ("GET", ["pulls", n]) => match number(n).and_then(|n| {
                self.repo(&owner, &repo)
                    .pulls
                    .get(&n)
                    .cloned()
                    .map(|p| (n, p))
            }) {
                Some((n, pull)) => ok(200, &pull_json(n, &pull)),
                None => error(404, "pull request does not exist"),
            },
            ("GET", ["commits", sha, "pull"]) => {
                let found = self
                    .repo(&owner, &repo)
                    .pulls
                    .iter()
                    .find(|(_, p)| p.merged_commit.as_deref() == Some(*sha))
                    .map(|(n, p)| pull_json(*n, p));
                match found {
                    Some(pull) => ok(200, &pull),
                    None => error(404, "pull request does not exist"),
                }
            }
            _ => {
                self.violate(request, "an endpoint the fake does not know");
                error(404, "The target couldn't be found.")
            }
        }
    }

    fn list_comments(&mut self, owner: &str, repo: &str, issue: Option<u64>) -> Answer {
        let slug = format!("{owner}/{repo}");
        let r = self.repo(owner, repo);
        let Some(issue) = issue.filter(|n| r.pulls.contains_key(n)) else {
            return error(404, "issue does not exist");
        };
        let list: Vec<Value> = r
            .comments
            .iter()
            .filter(|c| c.issue == issue)
            .map(|c| comment_json(c, &slug))
            .collect();
        ok(200, &Value::Array(list))
    }

    /// `GET /user`: the token's user, if its scopes let it read that.
    fn me(&mut self, request: &Request, token: usize, query: &str) -> Answer {
        if !query.is_empty() || !request.body.is_empty() {
            self.violate(request, "`GET /user` takes no parameters");
        }
        let token = &self.tokens[token];
        let readable = token.scopes.as_ref().is_none_or(|scopes| {
            scopes
                .iter()
                .any(|s| s == "read:user" || s == "write:user" || s == "all")
        });
        if !readable {
            return error(
                403,
                "token does not have at least one of required scope(s): [read:user]",
            );
        }
        ok(200, &user_json(&token.user))
    }

    fn create_comment(
        &mut self,
        request: &Request,
        user: &str,
        (owner, repo): (&str, &str),
        issue: Option<u64>,
        body: Option<&Value>,
    ) -> Answer {
        let Some(issue) = issue.filter(|n| self.repo(owner, repo).pulls.contains_key(n)) else {
            return error(404, "issue does not exist");
        };
        let Some(text) = self.comment_body(request, body) else {
            return error(422, "[Body]: Required");
        };
        if text.chars().count() > MAX_BODY_CHARS {
            self.violate(request, "a comment over 1,000,000 characters");
            return too_large();
        }
        let comment = new_comment(self, issue, user, &text);
        self.repo(owner, repo).comments.push(comment.clone());
        ok(201, &comment_json(&comment, &format!("{owner}/{repo}")))
    }

    fn edit_comment(
        &mut self,
        request: &Request,
        user: &str,
        (owner, repo): (&str, &str),
        id: Option<u64>,
        body: Option<&Value>,
    ) -> Answer {
        let Some(text) = self.comment_body(request, body) else {
            return error(422, "[Body]: Required");
        };
        if text.chars().count() > MAX_BODY_CHARS {
            self.violate(request, "a comment over 1,000,000 characters");
            return too_large();
        }
        let now = self.tick();
        let Some(poster) = self
            .repo(owner, repo)
            .comments
            .iter()
            .find(|c| Some(c.id) == id)
            .map(|c| c.user.clone())
        else {
            return error(404, "comment does not exist");
        };
        if poster != user {
            // Gitea lets anyone who may write the repository's issues edit it.
            self.violate(request, &format!("edits a comment of `{poster}`"));
        }
        let Some(comment) = self
            .repo(owner, repo)
            .comments
            .iter_mut()
            .find(|c| Some(c.id) == id)
        else {
            return error(404, "comment does not exist");
        };
        comment.body = text;
        comment.updated_at = now;
        let comment = comment.clone();
        ok(200, &comment_json(&comment, &format!("{owner}/{repo}")))
    }

    fn delete_comment(
        &mut self,
        request: &Request,
        user: &str,
        (owner, repo): (&str, &str),
        id: Option<u64>,
    ) -> Answer {
        let comments = &self.repo(owner, repo).comments;
        let Some(i) = comments.iter().position(|c| Some(c.id) == id) else {
            return error(404, "comment does not exist");
        };
        let poster = comments[i].user.clone();
        if poster != user {
            // Gitea lets anyone who may write the repository's issues delete it.
            self.violate(request, &format!("deletes a comment of `{poster}`"));
        }
        self.repo(owner, repo).comments.remove(i);
        (204, Vec::new(), String::new())
    }

    /// The `body` of a comment request: a non-empty string and nothing else.
    fn comment_body(&mut self, request: &Request, body: Option<&Value>) -> Option<String> {
        let object = body.and_then(Value::as_object);
        if object.is_some_and(|o| o.keys().any(|k| k != "body")) {
            self.violate(request, "fields besides `body`");
        }
        let text = object.and_then(|o| o.get("body")).and_then(Value::as_str);
        match text {
            Some(text) if !text.is_empty() => Some(text.to_owned()),
            _ => {
                self.violate(request, "no `body` string");
                None
            }
        }
    }

    fn issue_labels(&mut self, owner: &str, repo: &str, issue: Option<u64>) -> Answer {
        let r = self.repo(owner, repo);
        let Some(issue) = issue.filter(|n| r.pulls.contains_key(n)) else {
            return error(404, "issue does not exist");
        };
        let ids = r.issue_labels.get(&issue).cloned().unwrap_or_default();
        let list: Vec<Value> = ids
            .iter()
            .filter_map(|id| r.labels.iter().find(|l| l.id == *id))
            .map(label_json)
            .collect();
        ok(200, &Value::Array(list))
    }

    fn add_issue_labels(
        &mut self,
        request: &Request,
        owner: &str,
        repo: &str,
        issue: Option<u64>,
        body: Option<&Value>,
    ) -> Answer {
        let ids: Option<Vec<u64>> = body
            .and_then(|b| b.get("labels"))
            .and_then(Value::as_array)
            .and_then(|list| list.iter().map(Value::as_u64).collect());
        let Some(ids) = ids else {
            self.violate(request, "`labels` is not a list of ids");
            return error(422, "[Labels]: Required");
        };
        let r = self.repo(owner, repo);
        let Some(issue) = issue.filter(|n| r.pulls.contains_key(n)) else {
            return error(404, "issue does not exist");
        };
        if ids.iter().any(|id| !r.labels.iter().any(|l| l.id == *id)) {
            return error(422, "label does not exist");
        }
        let on = r.issue_labels.entry(issue).or_default();
        for id in ids {
            if !on.contains(&id) {
                on.push(id);
            }
        }
        self.issue_labels(owner, repo, Some(issue))
    }

    fn remove_issue_label(
        &mut self,
        owner: &str,
        repo: &str,
        issue: Option<u64>,
        id: Option<u64>,
    ) -> Answer {
        let on = issue.and_then(|n| self.repo(owner, repo).issue_labels.get_mut(&n));
        match (on, id) {
            (Some(on), Some(id)) if on.contains(&id) => {
                on.retain(|x| *x != id);
                (204, Vec::new(), String::new())
            }
            _ => error(404, "label does not exist"),
        }
    }

    fn create_label(
        &mut self,
        request: &Request,
        owner: &str,
        repo: &str,
        body: Option<&Value>,
    ) -> Answer {
        let name = body
            .and_then(|b| b.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let color = body
            .and_then(|b| b.get("color"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if name.is_empty() {
            self.violate(request, "a label without a name");
            return error(422, "[Name]: Required");
        }
        let Some(color) = valid_color(color) else {
            self.violate(request, "a colour that is not `#rrggbb`");
            return error(422, "invalid color");
        };
        if self.repo(owner, repo).labels.iter().any(|l| l.name == name) {
            self.violate(request, "a label that exists already");
        }
        let id = self.id();
        let label = Label {
            id,
            name: name.to_owned(),
            color,
        };
        self.repo(owner, repo).labels.push(label.clone());
        ok(201, &label_json(&label))
    }

    fn edit_label(
        &mut self,
        request: &Request,
        owner: &str,
        repo: &str,
        id: Option<u64>,
        body: Option<&Value>,
    ) -> Answer {
        let color = body.and_then(|b| b.get("color")).and_then(Value::as_str);
        let color = match color.map(valid_color) {
            Some(Some(color)) => Some(color),
            Some(None) => {
                self.violate(request, "a colour that is not `#rrggbb`");
                return error(422, "invalid color");
            }
            None => None,
        };
        let Some(label) = self
            .repo(owner, repo)
            .labels
            .iter_mut()
            .find(|l| Some(l.id) == id)
        else {
            return error(404, "label does not exist");
        };
        if let Some(color) = color {
            label.color = color;
        }
        let label = label.clone();
        ok(200, &label_json(&label))
    }

    /// One page of a list Gitea pages: `page` from 1, `limit` at most 50 (30 by default).
    fn page(&mut self, request: &Request, path: &str, query: &str, all: &[Value]) -> Answer {
        let limit: usize = query_value(query, "limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(30);
        if limit > MAX_LIMIT {
            self.violate(request, "a `limit` over 50, which Gitea lowers to 50");
        }
        let limit = limit.clamp(1, MAX_LIMIT);
        let page: usize = query_value(query, "page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
            .max(1);
        let items: Vec<Value> = all
            .iter()
            .skip((page - 1) * limit)
            .take(limit)
            .cloned()
            .collect();
        let mut headers = vec![
            (
                "Content-Type".to_owned(),
                "application/json;charset=utf-8".to_owned(),
            ),
            ("X-Total-Count".to_owned(), all.len().to_string()),
        ];
        if page * limit < all.len() {
            headers.push((
                "Link".to_owned(),
                format!(
                    "<{ROOT_URL}{path}?page={}&limit={limit}>; rel=\"next\"",
                    page + 1
                ),
            ));
        }
        (200, headers, Value::Array(items).to_string())
    }
}

impl Handler for Fake {
    fn handle(&self, request: &Request) -> Response {
        let mut state = self.lock();
        let (status, headers, body) = state.answer(request);
        state.log.push(Recorded {
            method: request.method.clone(),
            path: request.target.clone(),
            headers: request.headers.iter().cloned().collect(),
            body: String::from_utf8_lossy(&request.body).into_owned(),
            status,
        });
        Response {
            status,
            headers,
            body: body.into_bytes(),
        }
    }
}

fn new_comment(state: &mut State, issue: u64, user: &str, body: &str) -> Comment {
    let id = state.id();
    let now = state.tick();
    Comment {
        id,
        issue,
        body: body.to_owned(),
        user: user.to_owned(),
        created_at: now.clone(),
        updated_at: now,
    }
}

fn comment_json(comment: &Comment, slug: &str) -> Value {
    json!({
        "id": comment.id,
        "html_url": format!("{ROOT_URL}/{slug}/pulls/{}#issuecomment-{}", comment.issue, comment.id),
        "pull_request_url": format!("{ROOT_URL}/{slug}/pulls/{}", comment.issue),
        "issue_url": "",
        "user": user_json(&comment.user),
        "original_author": "",
        "original_author_id": 0,
        "body": comment.body,
        "assets": [],
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
    })
}

/// A user as Gitea shows one; the id is the same in every answer about one user, and the
/// Actions user's is Gitea's -2.
fn user_json(login: &str) -> Value {
    let id: i64 = if login == ACTIONS_USER {
        -2
    } else {
        let hash = login.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        i64::try_from(hash % 1_000_000).unwrap_or(1) + 1
    };
    json!({"id": id, "login": login, "login_name": "", "full_name": "", "email": format!("{login}@noreply.gitea.example.com"), "is_admin": false, "restricted": false, "active": true})
}

fn label_json(label: &Label) -> Value {
    json!({"id": label.id, "name": label.name, "exclusive": false, "is_archived": false, "color": label.color, "description": "", "url": ""})
}

fn pull_json(number: u64, pull: &Pull) -> Value {
    json!({
        "id": number + 5000,
        "number": number,
        "state": pull.state,
        "merged": pull.merged_commit.is_some(),
        "merge_commit_sha": pull.merged_commit,
        "head": {"ref": "topic", "sha": pull.head_sha},
        "base": {"ref": "main"},
    })
}

/// `#rrggbb` (or six digits without `#`, which Gitea also takes), lowercased, no `#`.
fn valid_color(text: &str) -> Option<String> {
    let digits = text.strip_prefix('#').unwrap_or(text);
    (digits.len() == 6 && digits.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| digits.to_ascii_lowercase())
}

fn query_value<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

fn decode(segment: &str) -> String {
    segment.replace("%2F", "/").replace("%20", " ")
}

fn ok(status: u16, value: &Value) -> Answer {
    (
        status,
        vec![(
            "Content-Type".to_owned(),
            "application/json;charset=utf-8".to_owned(),
        )],
        value.to_string(),
    )
}

/// Gitea's error body.
fn error(status: u16, message: &str) -> Answer {
    let body = json!({"message": message, "url": format!("{ROOT_URL}/api/swagger")});
    ok(status, &body)
}

/// What nginx answers for a body over its `client_max_body_size`.
fn too_large() -> Answer {
    (
        413,
        vec![("Content-Type".to_owned(), "text/html".to_owned())],
        "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n".to_owned(),
    )
}
