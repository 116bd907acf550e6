//! A stateful fake Bitbucket Server / Data Center (REST API 1.0) on 127.0.0.1, under
//! `/rest/api/1.0`.
//!
//! Modelled: the token's username, which the REST API has no resource for and the
//! application-links servlet `/plugins/servlet/applinks/whoami` answers as plain text; a
//! pull request's activity feed (newest first, in pages of `{"values",
//! "isLastPage", "nextPageStart", "start", "limit"}`, a `limit` over 50 cut to 50 as a
//! server's page settings do), with a `COMMENTED`/`ADDED` entry per live comment among other
//! events; comments with a `version` that every `PUT` (`{"text", "version"}`) and `DELETE`
//! (`?version=N`) must name, or get Server's 409 `CommentOutOfDateException`; one comment;
//! a pull request (`fromRef.latestCommit`); the pull requests of a commit. Authentication is
//! `Authorization: Bearer` with an HTTP access token, else Server's 401. A comment of
//! 32,768 characters or more gets Server's 400. Comments and their authors carry Server's
//! user objects (`name`, `id`, `slug`). Anything Server would refuse is also kept as a
//! violation, and so is any attempt to edit or delete someone else's comment. Faults can
//! be injected with [`FakeBitbucketServer::fail_next`], and
//! [`FakeBitbucketServer::race_next_edit`] makes someone edit a comment just before ours.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::{Value, json};

use super::fake_github::http::{Handler, Request, Response, Server};

/// The HTTP access token the fake accepts.
pub const TOKEN: &str = "BBDC-NjQ2MzE0OTk3OTQ0OkFrZUZha2VTZXJ2ZXJUb2tlbkZvclRmbm90aWZ5";
/// Who the token's comments are by.
pub const TOKEN_USER: &str = "infra-bot";
/// Server refuses a comment of this many characters or more.
pub const LIMIT: usize = 32_768;
/// The largest page the fake gives, whatever `limit` asks.
pub const MAX_LIMIT: usize = 50;
/// Where the API lives.
const API: &str = "/rest/api/1.0";
/// The servlet that names the authenticated user.
pub const WHOAMI: &str = "/plugins/servlet/applinks/whoami";

/// A comment held by the fake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: u64,
    pub pr: u64,
    pub text: String,
    pub version: u64,
    pub user: String,
    pub deleted: bool,
    /// Who replied; a comment with replies cannot be deleted.
    pub replies: Vec<String>,
    /// Order in the activity feed.
    seq: u64,
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
    /// `METHOD /path?query`, without `/rest/api/1.0/projects/KEY/repos/slug`.
    pub fn line(&self) -> String {
        let path = self.path.strip_prefix(API).unwrap_or(&self.path);
        let short = path
            .strip_prefix("/projects/")
            .and_then(|p| p.splitn(4, '/').nth(3))
            .map_or_else(|| path.to_owned(), |rest| format!("/{rest}"));
        format!("{} {short}", self.method)
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

#[derive(Debug, Clone)]
struct Pull {
    head: String,
    state: String,
    commits: Vec<String>,
}

#[derive(Debug, Default)]
struct Repo {
    pulls: BTreeMap<u64, Pull>,
    comments: Vec<Comment>,
    /// Other events (approvals, pushes): pull request, order.
    events: Vec<(u64, u64)>,
}

/// What someone else does to a comment just before our next edit or delete of it.
#[derive(Debug, Clone, Copy)]
enum Race {
    Edit,
    Reply,
}

struct Fault {
    method: String,
    path_prefix: String,
    status: u16,
    body: String,
    times: usize,
}

struct State {
    repos: BTreeMap<String, Repo>,
    next_id: u64,
    race: Option<Race>,
    log: Vec<Recorded>,
    violations: Vec<String>,
    faults: Vec<Fault>,
}

struct Fake {
    state: Mutex<State>,
}

/// The running fake; stops when dropped.
pub struct FakeBitbucketServer {
    server: Server,
    fake: Arc<Fake>,
}

type Answer = (u16, String);

impl FakeBitbucketServer {
    /// Starts on a random port.
    pub fn start() -> FakeBitbucketServer {
        let fake = Arc::new(Fake {
            state: Mutex::new(State {
                repos: BTreeMap::new(),
                next_id: 1_000,
                race: None,
                log: Vec::new(),
                violations: Vec::new(),
                faults: Vec::new(),
            }),
        });
        let server = Server::start(Arc::clone(&fake) as Arc<dyn Handler>)
            .expect("start fake Bitbucket Server");
        FakeBitbucketServer { server, fake }
    }

    /// `http://127.0.0.1:PORT`, the server's URL as `BITBUCKET_SERVER_URL` names it.
    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    /// Adds an open pull request whose head is `head`.
    pub fn add_pull(&self, project: &str, repo: &str, id: u64, head: &str) {
        let pull = Pull {
            head: head.to_owned(),
            state: "OPEN".to_owned(),
            commits: Vec::new(),
        };
        let mut state = self.fake.lock();
        let seq = state.id();
        let r = state.repo(project, repo);
        r.pulls.insert(id, pull);
        r.events.push((id, seq));
    }

    /// Merges a pull request with `merge_commit`, which it then contains.
    pub fn merge_pull(&self, project: &str, repo: &str, id: u64, merge_commit: &str) {
        if let Some(pull) = self.fake.lock().repo(project, repo).pulls.get_mut(&id) {
            "MERGED".clone_into(&mut pull.state);
            pull.commits.push(merge_commit.to_owned());
        }
    }

    /// Moves the head of a pull request, as a push does.
    pub fn push(&self, project: &str, repo: &str, id: u64, head: &str) {
        if let Some(pull) = self.fake.lock().repo(project, repo).pulls.get_mut(&id) {
            head.clone_into(&mut pull.head);
        }
    }

    /// Adds an event that is not a comment (an approval) to the feed of `pr`.
    pub fn add_event(&self, project: &str, repo: &str, pr: u64) {
        let mut state = self.fake.lock();
        let seq = state.id();
        state.repo(project, repo).events.push((pr, seq));
    }

    /// Seeds a comment at version `version`.
    pub fn add_comment(
        &self,
        project: &str,
        repo: &str,
        pr: u64,
        user: &str,
        text: &str,
        version: u64,
    ) {
        let mut state = self.fake.lock();
        let id = state.id();
        state.repo(project, repo).comments.push(Comment {
            id,
            pr,
            text: text.to_owned(),
            version,
            user: user.to_owned(),
            deleted: false,
            replies: Vec::new(),
            seq: id,
        });
    }

    /// The live comments of `pr`, oldest first.
    pub fn comments(&self, project: &str, repo: &str, pr: u64) -> Vec<Comment> {
        let mut state = self.fake.lock();
        state
            .repo(project, repo)
            .comments
            .iter()
            .filter(|c| c.pr == pr && !c.deleted)
            .cloned()
            .collect()
    }

    /// The next edit or delete of a comment finds it edited by someone else first, its
    /// version one higher than what was read.
    pub fn race_next_edit(&self) {
        self.fake.lock().race = Some(Race::Edit);
    }

    /// The next edit or delete of a comment finds that someone replied to it first.
    pub fn reply_before_next_edit(&self) {
        self.fake.lock().race = Some(Race::Reply);
    }

    /// `user` replies to comment `id`.
    pub fn reply(&self, project: &str, repo: &str, id: u64, user: &str) {
        let mut state = self.fake.lock();
        if let Some(comment) = state
            .repo(project, repo)
            .comments
            .iter_mut()
            .find(|c| c.id == id)
        {
            comment.replies.push(user.to_owned());
        }
    }

    /// The next request for the token's username gets this answer instead (a proxy that
    /// keeps the servlets to people signed in through the browser, say).
    pub fn fail_whoami(&self, status: u16, body: &str) {
        self.fake.lock().faults.push(Fault {
            method: "GET".to_owned(),
            path_prefix: WHOAMI.to_owned(),
            status,
            body: body.to_owned(),
            times: 1,
        });
    }

    /// The next `times` requests with `method` (`*` for any) whose path, after
    /// `/rest/api/1.0`, starts with `path_prefix` get this answer instead.
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
            path_prefix: format!("{API}{path_prefix}"),
            status,
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

    /// Project keys are upper case on Server, and matched without case like slugs.
    fn repo(&mut self, project: &str, repo: &str) -> &mut Repo {
        self.repos
            .entry(format!(
                "{}/{}",
                project.to_ascii_uppercase(),
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
        let answer = (fault.status, fault.body.clone());
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
        if request.header("authorization") != Some(&format!("Bearer {TOKEN}")) {
            return unauthorized();
        }
        let (path, query) = request
            .target
            .split_once('?')
            .unwrap_or((&request.target, ""));
        if path == WHOAMI {
            if request.method != "GET" || !query.is_empty() || !request.body.is_empty() {
                self.violate(request, "the servlet takes a plain `GET`");
            }
            return (200, TOKEN_USER.to_owned());
        }
        let Some(rest) = path.strip_prefix(&format!("{API}/projects/")) else {
            self.violate(request, "not a repository endpoint");
            return not_found("This resource does not exist.");
        };
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.len() < 4 || parts[1] != "repos" {
            self.violate(request, "not a repository endpoint");
            return not_found("This resource does not exist.");
        }
        let (project, slug) = (parts[0].to_owned(), parts[2].to_owned());
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
                return bad_request(None, "The request body is not valid JSON.");
            }
        };
        let number = |s: &str| s.parse::<u64>().ok();
        if self.repo(&project, &slug).pulls.is_empty() {
            return not_found(&format!("Repository {project}/{slug} does not exist."));
        }
        match (request.method.as_str(), &parts[3..]) {
            ("GET", ["pull-requests", id, "activities"]) => {
                self.activities(request, &project, &slug, number(id), query)
            }
            ("POST", ["pull-requests", id, "comments"]) => {
                self.create(request, &project, &slug, number(id), body.as_ref())
            }
            ("GET", ["pull-requests", id, "comments", cid]) => {
                match self.find(&project, &slug, number(id), number(cid)) {
                    Some(c) => ok(200, &comment_json(&c.clone())),
                    None => no_comment(),
                }
            }
            ("PUT", ["pull-requests", id, "comments", cid]) => {
                let at = (number(id), number(cid));
                self.edit(request, (&project, &slug), at, body.as_ref())
            }
            ("DELETE", ["pull-requests", id, "comments", cid]) => {
                let at = (number(id), number(cid));
                self.delete(request, (&project, &slug), at, query)
            }
            ("GET", ["pull-requests", id]) => {
                let repo = self.repo(&project, &slug);
                let found = number(id).and_then(|id| repo.pulls.get(&id).map(|p| (id, p.clone())));
                match found {
                    Some((id, pull)) => ok(200, &pull_json(id, &pull)),
                    None => no_pull(),
                }
            }
            ("GET", ["commits", sha, "pull-requests"]) => {
                let values: Vec<Value> = self
                    .repo(&project, &slug)
                    .pulls
                    .iter()
                    .filter(|(_, p)| p.head == *sha || p.commits.iter().any(|c| c == sha))
                    .map(|(id, p)| pull_json(*id, p))
                    .collect();
                ok(
                    200,
                    &json!({"size": values.len(), "limit": 25, "isLastPage": true, "values": values, "start": 0}),
                )
            }
            _ => {
                self.violate(request, "an endpoint the fake does not know");
                not_found("This resource does not exist.")
            }
        }
    }

    fn find(
        &mut self,
        project: &str,
        slug: &str,
        pr: Option<u64>,
        id: Option<u64>,
    ) -> Option<&mut Comment> {
        self.repo(project, slug)
            .comments
            .iter_mut()
            .find(|c| Some(c.id) == id && Some(c.pr) == pr && !c.deleted)
    }

    fn activities(
        &mut self,
        request: &Request,
        project: &str,
        slug: &str,
        pr: Option<u64>,
        query: &str,
    ) -> Answer {
        let start: usize = query_value(query, "start")
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let limit: usize = query_value(query, "limit")
            .and_then(|p| p.parse().ok())
            .unwrap_or(25);
        if limit == 0 {
            self.violate(request, "a `limit` of 0");
        }
        let limit = limit.clamp(1, MAX_LIMIT);
        let repo = self.repo(project, slug);
        let Some(pr) = pr.filter(|n| repo.pulls.contains_key(n)) else {
            return no_pull();
        };
        let mut feed: Vec<(u64, Value)> = repo
            .comments
            .iter()
            .filter(|c| c.pr == pr && !c.deleted)
            .map(|c| {
                let activity = json!({
                    "id": c.seq,
                    "createdDate": 1_767_225_600_000_u64,
                    "user": user_json(&c.user),
                    "action": "COMMENTED",
                    "commentAction": "ADDED",
                    "comment": comment_json(c),
                });
                (c.seq, activity)
            })
            .collect();
        feed.extend(
            repo.events
                .iter()
                .filter(|(p, _)| *p == pr)
                .map(|(_, seq)| {
                    let activity = json!({
                        "id": seq,
                        "createdDate": 1_767_225_600_000_u64,
                        "user": user_json("alice"),
                        "action": "APPROVED",
                    });
                    (*seq, activity)
                }),
        );
        feed.sort_by_key(|(seq, _)| std::cmp::Reverse(*seq));
        let values: Vec<Value> = feed
            .iter()
            .skip(start)
            .take(limit)
            .map(|(_, v)| v.clone())
            .collect();
        let last = start + limit >= feed.len();
        let mut page = json!({
            "size": values.len(),
            "limit": limit,
            "isLastPage": last,
            "values": values,
            "start": start,
        });
        if !last {
            page["nextPageStart"] = Value::from(start + limit);
        }
        ok(200, &page)
    }

    /// The `text` of a comment request, checked as Server checks it.
    fn text(
        &mut self,
        request: &Request,
        body: Option<&Value>,
        allowed: &[&str],
    ) -> Result<String, Answer> {
        if body
            .and_then(Value::as_object)
            .is_some_and(|o| o.keys().any(|k| !allowed.contains(&k.as_str())))
        {
            self.violate(request, "fields the request does not take");
        }
        match body.and_then(|b| b.get("text")).and_then(Value::as_str) {
            Some(text) if !text.trim().is_empty() && text.chars().count() < LIMIT => {
                Ok(text.to_owned())
            }
            _ => {
                self.violate(request, "no `text`, or one of 32,768 characters or more");
                Err(bad_request(
                    Some("text"),
                    "Please enter a non-empty value less than 32768 characters",
                ))
            }
        }
    }

    fn create(
        &mut self,
        request: &Request,
        project: &str,
        slug: &str,
        pr: Option<u64>,
        body: Option<&Value>,
    ) -> Answer {
        let text = match self.text(request, body, &["text"]) {
            Ok(text) => text,
            Err(answer) => return answer,
        };
        let id = self.id();
        let repo = self.repo(project, slug);
        let Some(pr) = pr.filter(|n| repo.pulls.contains_key(n)) else {
            return no_pull();
        };
        let comment = Comment {
            id,
            pr,
            text,
            version: 0,
            user: TOKEN_USER.to_owned(),
            deleted: false,
            replies: Vec::new(),
            seq: id,
        };
        repo.comments.push(comment.clone());
        ok(201, &comment_json(&comment))
    }

    /// Someone else's edit, if the test asked for one before ours.
    fn race(&mut self, project: &str, slug: &str, at: (Option<u64>, Option<u64>)) {
        let race = self.race.take();
        if let (Some(race), Some(comment)) = (race, self.find(project, slug, at.0, at.1)) {
            match race {
                Race::Edit => comment.version += 1,
                Race::Reply => comment.replies.push("alice".to_owned()),
            }
        }
    }

    fn edit(
        &mut self,
        request: &Request,
        (project, slug): (&str, &str),
        at: (Option<u64>, Option<u64>),
        body: Option<&Value>,
    ) -> Answer {
        let text = match self.text(request, body, &["text", "version"]) {
            Ok(text) => text,
            Err(answer) => return answer,
        };
        let Some(version) = body.and_then(|b| b.get("version")).and_then(Value::as_u64) else {
            self.violate(request, "an edit without `version`");
            return bad_request(Some("version"), "A version is required.");
        };
        self.race(project, slug, at);
        let Some(comment) = self.find(project, slug, at.0, at.1) else {
            return no_comment();
        };
        if comment.user != TOKEN_USER {
            let what = format!("edits a comment of `{}`", comment.user);
            self.violate(request, &what);
            return forbidden("You are not permitted to edit this comment.");
        }
        if comment.version != version {
            return out_of_date(comment.version);
        }
        comment.text = text;
        comment.version += 1;
        let comment = comment.clone();
        ok(200, &comment_json(&comment))
    }

    fn delete(
        &mut self,
        request: &Request,
        (project, slug): (&str, &str),
        at: (Option<u64>, Option<u64>),
        query: &str,
    ) -> Answer {
        let Some(version) = query_value(query, "version").and_then(|v| v.parse::<u64>().ok())
        else {
            self.violate(request, "a delete without `?version=`");
            return bad_request(Some("version"), "A version is required.");
        };
        self.race(project, slug, at);
        let Some(comment) = self.find(project, slug, at.0, at.1) else {
            return no_comment();
        };
        if comment.user != TOKEN_USER {
            let what = format!("deletes a comment of `{}`", comment.user);
            self.violate(request, &what);
            return forbidden("You are not permitted to delete this comment.");
        }
        if comment.version != version {
            return out_of_date(comment.version);
        }
        if !comment.replies.is_empty() {
            return errors(
                409,
                None,
                "This comment has replies which must be deleted first.",
                "com.atlassian.bitbucket.comment.CommentDeletionException",
            );
        }
        comment.deleted = true;
        (204, String::new())
    }
}

impl Handler for Fake {
    fn handle(&self, request: &Request) -> Response {
        let mut state = self.lock();
        let (status, body) = state.answer(request);
        state.log.push(Recorded {
            method: request.method.clone(),
            path: request.target.clone(),
            headers: request.headers.iter().cloned().collect(),
            body: String::from_utf8_lossy(&request.body).into_owned(),
            status,
        });
        let headers = if body.is_empty() {
            Vec::new()
        } else if request.target.starts_with(WHOAMI) && status == 200 {
            vec![(
                "Content-Type".to_owned(),
                "text/plain;charset=UTF-8".to_owned(),
            )]
        } else {
            vec![(
                "Content-Type".to_owned(),
                "application/json;charset=UTF-8".to_owned(),
            )]
        };
        Response {
            status,
            headers,
            body: body.into_bytes(),
        }
    }
}

/// A user as Server shows one; the id is the same in every answer about one user.
fn user_json(name: &str) -> Value {
    let id = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    }) % 100_000
        + 1;
    json!({"name": name, "emailAddress": format!("{name}@example.com"), "id": id, "displayName": name, "slug": name, "type": "NORMAL", "active": true})
}

fn comment_json(comment: &Comment) -> Value {
    json!({
        "properties": {"repositoryId": 1},
        "id": comment.id,
        "version": comment.version,
        "text": comment.text,
        "author": user_json(&comment.user),
        "createdDate": 1_767_225_600_000_u64,
        "updatedDate": 1_767_225_600_000_u64,
        "comments": comment.replies.iter().enumerate().map(|(i, user)| json!({
            "id": comment.id * 1_000 + i as u64,
            "version": 0,
            "text": "Looks right to me.",
            "author": user_json(user),
            "comments": [],
        })).collect::<Vec<Value>>(),
        "tasks": [],
        "severity": "NORMAL",
        "state": "OPEN",
        "permittedOperations": {"editable": true, "deletable": true},
    })
}

fn pull_json(id: u64, pull: &Pull) -> Value {
    json!({
        "id": id,
        "version": 3,
        "title": "Change the infrastructure",
        "state": pull.state,
        "open": pull.state == "OPEN",
        "closed": pull.state != "OPEN",
        "fromRef": {"id": "refs/heads/topic", "displayId": "topic", "latestCommit": pull.head},
        "toRef": {"id": "refs/heads/main", "displayId": "main", "latestCommit": "9999999999999999999999999999999999999999"},
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
    (status, value.to_string())
}

/// Server's error body: a list of errors, each with its context and exception.
fn errors(status: u16, context: Option<&str>, message: &str, exception: &str) -> Answer {
    ok(
        status,
        &json!({"errors": [{"context": context, "message": message, "exceptionName": exception}]}),
    )
}

/// What Server answers a missing or wrong token.
pub fn unauthorized() -> Answer {
    errors(
        401,
        None,
        "Authentication failed. Please check your credentials and try again.",
        "com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException",
    )
}

fn bad_request(context: Option<&str>, message: &str) -> Answer {
    errors(
        400,
        context,
        message,
        "com.atlassian.bitbucket.validation.ArgumentValidationException",
    )
}

fn forbidden(message: &str) -> Answer {
    errors(
        403,
        None,
        message,
        "com.atlassian.bitbucket.AuthorisationException",
    )
}

fn not_found(message: &str) -> Answer {
    errors(
        404,
        None,
        message,
        "com.atlassian.bitbucket.repository.NoSuchRepositoryException",
    )
}

fn no_pull() -> Answer {
    errors(
        404,
        None,
        "The requested pull request does not exist.",
        "com.atlassian.bitbucket.pull.NoSuchPullRequestException",
    )
}

fn no_comment() -> Answer {
    errors(
        404,
        None,
        "The requested comment does not exist.",
        "com.atlassian.bitbucket.comment.NoSuchCommentException",
    )
}

fn out_of_date(current: u64) -> Answer {
    ok(
        409,
        &json!({"errors": [{
            "context": null,
            "message": "You are attempting to modify a comment based on out-of-date information.",
            "exceptionName": "com.atlassian.bitbucket.comment.CommentOutOfDateException",
            "currentVersion": current,
        }]}),
    )
}
