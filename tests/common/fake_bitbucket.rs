//! A stateful fake Bitbucket Cloud (REST API 2.0) on 127.0.0.1, under `/2.0`.
//!
//! Modelled: the account of the credentials (`GET /user`, which Bitbucket answers basic
//! credentials and refuses, 403, to an access token, which is no account); pull-request
//! comments, each with its author's `user.uuid` (list in pages of `{"values", "next"}` with `pagelen` at
//! most 100, deleted comments kept in the list with `deleted: true`; create; edit with
//! `PUT`; delete), a pull request (`source.commit.hash` abbreviated to 12 digits, as
//! Bitbucket does), and the pull requests of a commit, which answers 200, 202 (still
//! indexing) or 404 (links never indexed) as the test sets it. Authentication is a bearer
//! access token or basic `username:app_password`. Errors use Bitbucket's body
//! `{"type": "error", "error": {"message", …}}`; a comment of 32,768 characters or more gets
//! Bitbucket's 400 "Please enter a non-empty value less than 32768 characters". Anything
//! Bitbucket would refuse is also kept as a violation, and so is any attempt to edit or
//! delete someone else's comment. Faults can be injected with [`FakeBitbucket::fail_next`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use base64::Engine as _;
use serde_json::{Value, json};

use super::fake_github::http::{Handler, Request, Response, Server};

/// The access token the fake accepts as `Authorization: Bearer …`.
pub const TOKEN: &str = "ATCTT3xFfGN0FakeBitbucketAccessTokenForTfnotify0123";
/// The user of the basic credentials.
pub const USERNAME: &str = "tfnotify-bot";
/// The app password of [`USERNAME`].
pub const APP_PASSWORD: &str = "ATBBfakeAppPassword0123456789";
/// Who the token's comments are by.
pub const TOKEN_USER: &str = "infra-token";
/// Bitbucket's largest page.
pub const MAX_PAGELEN: usize = 100;
/// Bitbucket refuses a comment of this many characters or more.
pub const LIMIT: usize = 32_768;

/// A comment held by the fake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: u64,
    pub pr: u64,
    pub raw: String,
    pub user: String,
    pub deleted: bool,
}

/// How the fake answers `GET …/commit/{sha}/pullrequests`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitLinks {
    /// Indexed: the pull requests that contain the commit.
    Indexed,
    /// 202: still indexing.
    Indexing,
    /// 404: the pull request links app was never installed.
    NotInstalled,
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: BTreeMap<String, String>,
    pub body: String,
    pub status: u16,
}

impl Recorded {
    /// `METHOD /path?query`, without `/2.0`.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path.replacen("/2.0", "", 1))
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// A view for snapshots: credentials, port and version left out, bodies abridged.
    pub fn to_json(&self) -> Value {
        let keep = ["accept", "authorization", "content-type"];
        let headers: BTreeMap<&str, String> = self
            .headers
            .iter()
            .filter(|(k, _)| keep.contains(&k.as_str()))
            .map(|(k, v)| {
                let v = v
                    .replace(TOKEN, "[TOKEN]")
                    .replace(&basic(), "[CREDENTIALS]");
                (k.as_str(), v)
            })
            .collect();
        let mut body = self.json().unwrap_or(Value::Null);
        if let Some(raw) = body.pointer_mut("/content/raw") {
            *raw = Value::from(super::fake_gitea::abridged(
                raw.as_str().unwrap_or_default(),
            ));
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

#[derive(Debug, Clone)]
struct Pull {
    head: String,
    state: String,
    /// Commits besides the head that the pull request contains (a merge commit).
    commits: Vec<String>,
}

#[derive(Debug, Default)]
struct Repo {
    pulls: BTreeMap<u64, Pull>,
    comments: Vec<Comment>,
}

struct Fault {
    method: String,
    path_prefix: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    times: usize,
}

struct State {
    base: String,
    repos: BTreeMap<String, Repo>,
    next_id: u64,
    links: CommitLinks,
    log: Vec<Recorded>,
    violations: Vec<String>,
    faults: Vec<Fault>,
}

struct Fake {
    state: Mutex<State>,
}

/// The running fake; stops when dropped.
pub struct FakeBitbucket {
    server: Server,
    fake: Arc<Fake>,
}

type Answer = (u16, Vec<(String, String)>, String);

impl FakeBitbucket {
    /// Starts on a random port.
    pub fn start() -> FakeBitbucket {
        let fake = Arc::new(Fake {
            state: Mutex::new(State {
                base: String::new(),
                repos: BTreeMap::new(),
                next_id: 500_000,
                links: CommitLinks::Indexed,
                log: Vec::new(),
                violations: Vec::new(),
                faults: Vec::new(),
            }),
        });
        let server =
            Server::start(Arc::clone(&fake) as Arc<dyn Handler>).expect("start fake Bitbucket");
        fake.lock().base = format!("http://{}/2.0", server.addr);
        FakeBitbucket { server, fake }
    }

    /// `http://127.0.0.1:PORT/2.0`, what `BITBUCKET_API_URL` is set to.
    pub fn api_url(&self) -> String {
        format!("http://{}/2.0", self.server.addr)
    }

    /// Adds an open pull request whose head is `head`.
    pub fn add_pull(&self, workspace: &str, repo: &str, id: u64, head: &str) {
        let pull = Pull {
            head: head.to_owned(),
            state: "OPEN".to_owned(),
            commits: Vec::new(),
        };
        self.fake
            .lock()
            .repo(workspace, repo)
            .pulls
            .insert(id, pull);
    }

    /// Merges a pull request with `merge_commit`, which it then contains.
    pub fn merge_pull(&self, workspace: &str, repo: &str, id: u64, merge_commit: &str) {
        if let Some(pull) = self.fake.lock().repo(workspace, repo).pulls.get_mut(&id) {
            "MERGED".clone_into(&mut pull.state);
            pull.commits.push(merge_commit.to_owned());
        }
    }

    /// Moves the head of a pull request, as a push does.
    pub fn push(&self, workspace: &str, repo: &str, id: u64, head: &str) {
        if let Some(pull) = self.fake.lock().repo(workspace, repo).pulls.get_mut(&id) {
            head.clone_into(&mut pull.head);
        }
    }

    /// How the pull requests of a commit are answered from now on.
    pub fn set_commit_links(&self, links: CommitLinks) {
        self.fake.lock().links = links;
    }

    /// Seeds a comment; `deleted` ones stay listed, as Bitbucket keeps them.
    pub fn add_comment(
        &self,
        workspace: &str,
        repo: &str,
        pr: u64,
        user: &str,
        raw: &str,
        deleted: bool,
    ) {
        let mut state = self.fake.lock();
        let id = state.id();
        state.repo(workspace, repo).comments.push(Comment {
            id,
            pr,
            raw: raw.to_owned(),
            user: user.to_owned(),
            deleted,
        });
    }

    /// The comments of `pr` that are not deleted, oldest first.
    pub fn comments(&self, workspace: &str, repo: &str, pr: u64) -> Vec<Comment> {
        self.all_comments(workspace, repo, pr)
            .into_iter()
            .filter(|c| !c.deleted)
            .collect()
    }

    /// Every comment of `pr`, deleted ones included.
    pub fn all_comments(&self, workspace: &str, repo: &str, pr: u64) -> Vec<Comment> {
        let mut state = self.fake.lock();
        let repo = state.repo(workspace, repo);
        repo.comments
            .iter()
            .filter(|c| c.pr == pr)
            .cloned()
            .collect()
    }

    /// The next `times` requests with `method` (`*` for any) whose path (under `/2.0`)
    /// starts with `path_prefix` get this answer instead.
    pub fn fail_next(
        &self,
        method: &str,
        path_prefix: &str,
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
        times: usize,
    ) {
        let mut all = vec![("Content-Type".to_owned(), "application/json".to_owned())];
        all.extend(
            headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        self.fake.lock().faults.push(Fault {
            method: method.to_owned(),
            path_prefix: format!("/2.0{path_prefix}"),
            status,
            headers: all,
            body: body.to_owned(),
            times,
        });
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.fake.lock().log.clone()
    }

    pub fn request_lines(&self) -> Vec<String> {
        self.requests().iter().map(Recorded::line).collect()
    }

    pub fn requests_json(&self) -> Value {
        Value::Array(self.requests().iter().map(Recorded::to_json).collect())
    }

    pub fn clear_log(&self) {
        let mut state = self.fake.lock();
        state.log.clear();
        state.violations.clear();
    }

    pub fn violations(&self) -> Vec<String> {
        self.fake.lock().violations.clone()
    }

    #[track_caller]
    pub fn assert_no_violations(&self) {
        let violations = self.violations();
        assert!(violations.is_empty(), "{violations:#?}");
    }
}

/// The basic credentials as the header carries them.
pub fn basic() -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{USERNAME}:{APP_PASSWORD}"))
}

impl Fake {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn repo(&mut self, workspace: &str, repo: &str) -> &mut Repo {
        self.repos
            .entry(format!(
                "{}/{}",
                workspace.to_ascii_lowercase(),
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

    /// Who the request is from, if its credentials are good.
    fn user(request: &Request) -> Option<&'static str> {
        let auth = request.header("authorization")?;
        if auth == format!("Bearer {TOKEN}") {
            Some(TOKEN_USER)
        } else if auth == format!("Basic {}", basic()) {
            Some(USERNAME)
        } else {
            None
        }
    }

    fn answer(&mut self, request: &Request) -> Answer {
        if let Some(answer) = self.fault(request) {
            return answer;
        }
        let Some(user) = Self::user(request) else {
            return error(
                401,
                "Token is invalid, expired, or not supported for this endpoint.",
            );
        };
        let (path, query) = request
            .target
            .split_once('?')
            .unwrap_or((&request.target, ""));
        if path == "/2.0/user" && request.method == "GET" {
            if !query.is_empty() || !request.body.is_empty() {
                self.violate(request, "`GET /user` takes no parameters");
            }
            if user == TOKEN_USER {
                return error(
                    403,
                    "This API is not accessible by this authentication mechanism",
                );
            }
            return ok(200, &user_json(user));
        }
        let Some(rest) = path.strip_prefix("/2.0/repositories/") else {
            self.violate(request, "not a repository endpoint");
            return error(404, "Resource not found");
        };
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.len() < 3 {
            return error(404, "Resource not found");
        }
        let (workspace, repo) = (parts[0].to_owned(), parts[1].to_owned());
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
                return error(400, "Bad request");
            }
        };
        let number = |s: &str| s.parse::<u64>().ok();
        match (request.method.as_str(), &parts[2..]) {
            ("GET", ["pullrequests", id, "comments"]) => {
                self.list_comments(request, &workspace, &repo, number(id), path, query)
            }
            ("POST", ["pullrequests", id, "comments"]) => {
                self.create_comment(request, user, &workspace, &repo, number(id), body.as_ref())
            }
            ("PUT", ["pullrequests", id, "comments", cid]) => self.edit_comment(
                request,
                user,
                (&workspace, &repo),
                (number(id), number(cid)),
                body.as_ref(),
            ),
            ("DELETE", ["pullrequests", id, "comments", cid]) => {
                self.delete_comment(request, user, (&workspace, &repo), number(id), number(cid))
            }
            ("GET", ["pullrequests", id]) => {
                let found = number(id).and_then(|id| {
                    self.repo(&workspace, &repo)
                        .pulls
                        .get(&id)
                        .map(|p| (id, p.clone()))
                });
                match found {
                    Some((id, pull)) => ok(200, &pull_json(id, &pull)),
                    None => error(404, "Resource not found"),
                }
            }
            ("GET", ["commit", sha, "pullrequests"]) => match self.links {
                CommitLinks::Indexing => ok(
                    202,
                    &json!({"type": "error", "error": {"message": "Pull requests are still being indexed for this repository."}}),
                ),
                CommitLinks::NotInstalled => error(404, "Repository not indexed"),
                CommitLinks::Indexed => {
                    let values: Vec<Value> = self
                        .repo(&workspace, &repo)
                        .pulls
                        .iter()
                        .filter(|(_, p)| p.head == *sha || p.commits.iter().any(|c| c == sha))
                        .map(|(id, p)| pull_json(*id, p))
                        .collect();
                    ok(
                        200,
                        &json!({"pagelen": 50, "page": 1, "size": values.len(), "values": values}),
                    )
                }
            },
            _ => {
                self.violate(request, "an endpoint the fake does not know");
                error(404, "Resource not found")
            }
        }
    }

    fn list_comments(
        &mut self,
        request: &Request,
        workspace: &str,
        repo: &str,
        pr: Option<u64>,
        path: &str,
        query: &str,
    ) -> Answer {
        let pagelen: usize = query_value(query, "pagelen")
            .and_then(|p| p.parse().ok())
            .unwrap_or(10);
        if pagelen > MAX_PAGELEN {
            self.violate(request, "a `pagelen` over 100");
            return error(400, "Invalid pagelen");
        }
        let page: usize = query_value(query, "page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        let base = self.base.clone();
        let slug = format!("{workspace}/{repo}");
        let r = self.repo(workspace, repo);
        let Some(pr) = pr.filter(|n| r.pulls.contains_key(n)) else {
            return error(404, "Resource not found");
        };
        let all: Vec<&Comment> = r.comments.iter().filter(|c| c.pr == pr).collect();
        let values: Vec<Value> = all
            .iter()
            .skip((page - 1) * pagelen)
            .take(pagelen)
            .map(|c| comment_json(c, &slug))
            .collect();
        let mut answer =
            json!({"pagelen": pagelen, "page": page, "size": all.len(), "values": values});
        if page * pagelen < all.len() {
            let path = path.trim_start_matches("/2.0");
            answer["next"] =
                Value::from(format!("{base}{path}?pagelen={pagelen}&page={}", page + 1));
        }
        ok(200, &answer)
    }

    /// The `content.raw` of a comment request, checked as Bitbucket checks it.
    fn raw(&mut self, request: &Request, body: Option<&Value>) -> Result<String, Answer> {
        let raw = body
            .and_then(|b| b.pointer("/content/raw"))
            .and_then(Value::as_str);
        if body
            .and_then(Value::as_object)
            .is_some_and(|o| o.keys().any(|k| k != "content"))
        {
            self.violate(request, "fields besides `content`");
        }
        match raw {
            Some(raw) if !raw.is_empty() && raw.chars().count() < LIMIT => Ok(raw.to_owned()),
            Some(raw) if !raw.is_empty() => {
                self.violate(request, "a comment of 32,768 characters or more");
                Err(too_long())
            }
            _ => {
                self.violate(request, "no `content.raw`");
                Err(too_long())
            }
        }
    }

    fn create_comment(
        &mut self,
        request: &Request,
        user: &str,
        workspace: &str,
        repo: &str,
        pr: Option<u64>,
        body: Option<&Value>,
    ) -> Answer {
        let raw = match self.raw(request, body) {
            Ok(raw) => raw,
            Err(answer) => return answer,
        };
        let id = self.id();
        let slug = format!("{workspace}/{repo}");
        let r = self.repo(workspace, repo);
        let Some(pr) = pr.filter(|n| r.pulls.contains_key(n)) else {
            return error(404, "Resource not found");
        };
        let comment = Comment {
            id,
            pr,
            raw,
            user: user.to_owned(),
            deleted: false,
        };
        r.comments.push(comment.clone());
        ok(201, &comment_json(&comment, &slug))
    }

    fn edit_comment(
        &mut self,
        request: &Request,
        user: &str,
        (workspace, repo): (&str, &str),
        (pr, id): (Option<u64>, Option<u64>),
        body: Option<&Value>,
    ) -> Answer {
        let raw = match self.raw(request, body) {
            Ok(raw) => raw,
            Err(answer) => return answer,
        };
        let slug = format!("{workspace}/{repo}");
        let r = self.repo(workspace, repo);
        let Some(comment) = r
            .comments
            .iter_mut()
            .find(|c| Some(c.id) == id && Some(c.pr) == pr && !c.deleted)
        else {
            return error(404, "Resource not found");
        };
        if comment.user != user {
            let what = format!("edits a comment of `{}`", comment.user);
            self.violate(request, &what);
            return error(403, "You can only edit your own comments.");
        }
        comment.raw = raw;
        let comment = comment.clone();
        ok(200, &comment_json(&comment, &slug))
    }

    fn delete_comment(
        &mut self,
        request: &Request,
        user: &str,
        (workspace, repo): (&str, &str),
        pr: Option<u64>,
        id: Option<u64>,
    ) -> Answer {
        let r = self.repo(workspace, repo);
        let Some(comment) = r
            .comments
            .iter_mut()
            .find(|c| Some(c.id) == id && Some(c.pr) == pr && !c.deleted)
        else {
            return error(404, "Resource not found");
        };
        if comment.user != user {
            let what = format!("deletes a comment of `{}`", comment.user);
            self.violate(request, &what);
            return error(403, "You can only delete your own comments.");
        }
        comment.deleted = true;
        (204, Vec::new(), String::new())
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

fn comment_json(comment: &Comment, slug: &str) -> Value {
    json!({
        "id": comment.id,
        "type": "pullrequest_comment",
        "deleted": comment.deleted,
        "pending": false,
        "content": {"type": "rendered", "raw": comment.raw, "markup": "markdown", "html": ""},
        "user": user_json(&comment.user),
        "created_on": "2026-01-01T00:00:00.000000+00:00",
        "updated_on": "2026-01-01T00:00:00.000000+00:00",
        "pullrequest": {"type": "pullrequest", "id": comment.pr},
        "links": {
            "self": {"href": format!("https://api.bitbucket.org/2.0/repositories/{slug}/pullrequests/{}/comments/{}", comment.pr, comment.id)},
            "html": {"href": format!("https://bitbucket.org/{slug}/pull-requests/{}#comment-{}", comment.pr, comment.id)},
        },
    })
}

/// An account as Bitbucket shows one; its UUID is the same in every answer about it.
fn user_json(name: &str) -> Value {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let uuid = format!(
        "{{{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}}}",
        hash >> 32,
        (hash >> 16) & 0xffff,
        hash & 0xfff,
        (hash >> 20) & 0xfff,
        hash & 0xffff_ffff_ffff
    );
    json!({
        "type": "user",
        "display_name": name,
        "nickname": name,
        "uuid": uuid,
        "account_id": format!("557058:{uuid}"),
        "links": {"avatar": {"href": "https://avatar-management.example/initials/x.png"}},
    })
}

fn pull_json(id: u64, pull: &Pull) -> Value {
    let short = pull.head.get(..12).unwrap_or(&pull.head);
    json!({
        "type": "pullrequest",
        "id": id,
        "title": "Change the infrastructure",
        "state": pull.state,
        "source": {"branch": {"name": "topic"}, "commit": {"type": "commit", "hash": short}},
        "destination": {"branch": {"name": "main"}},
    })
}

fn query_value<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

fn ok(status: u16, value: &Value) -> Answer {
    (
        status,
        vec![(
            "Content-Type".to_owned(),
            "application/json; charset=utf-8".to_owned(),
        )],
        value.to_string(),
    )
}

/// Bitbucket's error body.
fn error(status: u16, message: &str) -> Answer {
    ok(
        status,
        &json!({"type": "error", "error": {"message": message}}),
    )
}

/// What Bitbucket answers for an empty or too long comment.
fn too_long() -> Answer {
    ok(
        400,
        &json!({"type": "error", "error": {"message": "Bad request", "fields": {"content.raw": ["Please enter a non-empty value less than 32768 characters"]}}}),
    )
}
