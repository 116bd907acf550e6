//! Request checks shared by REST and GraphQL, and the REST endpoints.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::http::{Request, Response};
use super::openapi::{Matched, Spec, percent_decode};
use super::{
    Comment, CommitComment, Label, MAX_COMMENT_CHARS, MAX_LABEL_NAME_CHARS, Pull, RecordedRequest,
    Repo, State, checks, graphql, repo_key,
};

/// GitHub's body for a secondary rate limit (403 or 429).
pub(crate) const SECONDARY_RATE_LIMIT_BODY: &str = r#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.","documentation_url":"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits","status":"403"}"#;

/// The body GitHub's edge answers (403, plain text) when `User-Agent` is missing.
pub(crate) const NO_USER_AGENT_BODY: &str = "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n";

const DOCS: &str = "https://docs.github.com/rest";
/// API versions GitHub accepts in `X-GitHub-Api-Version`.
const API_VERSIONS: &[&str] = &["2022-11-28", "2026-03-10"];
/// Headers kept in the request log.
const LOGGED_HEADERS: &[&str] = &[
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-github-api-version",
];
/// The primary rate limit per hour (users and PATs).
const RATE_LIMIT: u64 = 5000;
const DEFAULT_LABEL_COLOR: &str = "ededed";
const MAX_LABEL_DESCRIPTION_CHARS: usize = 100;

/// What an endpoint answers before the common headers are added.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
    pub(crate) headers: Vec<(String, String)>,
}

impl Reply {
    pub(crate) fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    fn empty(status: u16) -> Self {
        Self {
            status,
            body: None,
            headers: Vec::new(),
        }
    }
}

/// GitHub's error body: `{"message", "documentation_url", "status"}`.
pub(crate) fn error(status: u16, message: &str, documentation_url: &str) -> Reply {
    Reply::json(
        status,
        json!({"message": message, "documentation_url": documentation_url, "status": status.to_string()}),
    )
}

pub(crate) fn not_found() -> Reply {
    error(404, "Not Found", DOCS)
}

/// GitHub's 422 `Validation Failed` body with one error object.
fn validation_failed(error: &Value, documentation_url: &str) -> Reply {
    Reply::json(
        422,
        json!({
            "message": "Validation Failed",
            "errors": [error],
            "documentation_url": documentation_url,
            "status": "422",
        }),
    )
}

/// Answer one request: log it, apply faults, check it, route it, check the response.
pub(crate) fn handle(spec: &Spec, state: &mut State, request: &Request) -> Response {
    // GitHub Enterprise Server serves the same API under `/api/v3` (GraphQL: `/api/graphql`).
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((request.target.as_str(), ""));
    let path = match path.strip_prefix("/api/v3") {
        Some(rest) if rest.starts_with('/') => rest,
        _ if path == "/api/graphql" => "/graphql",
        _ => path,
    };
    let line = format!("{} {}", request.method, request.target);
    let index = state.requests.len();
    state.requests.push(record(request));
    let graphql = path == "/graphql";
    let now = epoch_now();
    if now >= state.rate_reset {
        state.rate_remaining = RATE_LIMIT;
        state.rate_reset = now + 3600;
    }

    let mut response = if let Some(fault) = take_fault(state, &request.method, &request.target) {
        let mut headers = fault.headers;
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            headers.push((
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            ));
        }
        Response {
            status: fault.status,
            headers,
            body: fault.body.into_bytes(),
        }
    } else {
        let reply = check_and_route(spec, state, request, &line, path, query, graphql);
        to_response(reply)
    };
    add_common_headers(state, &mut response, graphql);
    state.requests[index].status = response.status;
    response
}

fn epoch_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn record(request: &Request) -> RecordedRequest {
    let mut headers = BTreeMap::new();
    for (name, value) in &request.headers {
        if !LOGGED_HEADERS.contains(&name.as_str()) {
            continue;
        }
        let value = if name == "authorization" {
            match value.split_once(' ') {
                Some((scheme, _)) => format!("{scheme} [REDACTED]"),
                None => "[REDACTED]".to_owned(),
            }
        } else {
            value.clone()
        };
        headers.insert(name.clone(), value);
    }
    let body =
        (!request.body.is_empty()).then(|| String::from_utf8_lossy(&request.body).into_owned());
    RecordedRequest {
        method: request.method.clone(),
        path: request.target.clone(),
        headers,
        body,
        status: 0,
    }
}

fn take_fault(state: &mut State, method: &str, target: &str) -> Option<super::Fault> {
    let i = state.faults.iter().position(|f| {
        f.times > 0 && (f.method == "*" || f.method == method) && target.starts_with(&f.path_prefix)
    })?;
    state.faults[i].times -= 1;
    let fault = state.faults[i].clone();
    if state.faults[i].times == 0 {
        state.faults.remove(i);
    }
    Some(fault)
}

fn to_response(reply: Reply) -> Response {
    let mut headers = reply.headers;
    let body = match reply.body {
        Some(Value::String(text)) if reply.status == 403 && text == NO_USER_AGENT_BODY => {
            headers.push(("Content-Type".into(), "text/plain; charset=utf-8".into()));
            text.into_bytes()
        }
        Some(value) => {
            headers.push((
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            ));
            serde_json::to_vec(&value).unwrap_or_default()
        }
        None => Vec::new(),
    };
    Response {
        status: reply.status,
        headers,
        body,
    }
}

fn add_common_headers(state: &State, response: &mut Response, graphql: bool) {
    let has = |response: &Response, name: &str| {
        response
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(name))
    };
    let used = RATE_LIMIT.saturating_sub(state.rate_remaining);
    let common = [
        ("x-ratelimit-limit", RATE_LIMIT.to_string()),
        ("x-ratelimit-remaining", state.rate_remaining.to_string()),
        ("x-ratelimit-reset", state.rate_reset.to_string()),
        ("x-ratelimit-used", used.to_string()),
        (
            "x-ratelimit-resource",
            if graphql { "graphql" } else { "core" }.to_owned(),
        ),
        ("x-github-api-version-selected", "2022-11-28".to_owned()),
        (
            "x-github-request-id",
            format!("FAKE:{:08X}", state.requests.len()),
        ),
    ];
    for (name, value) in common {
        if !has(response, name) {
            response.headers.push((name.to_owned(), value));
        }
    }
}

fn check_and_route(
    spec: &Spec,
    state: &mut State,
    request: &Request,
    line: &str,
    path: &str,
    query: &str,
    graphql: bool,
) -> Reply {
    if request.header("user-agent").is_none_or(str::is_empty) {
        state.violate(line, "missing User-Agent header (GitHub answers 403)");
        return Reply::json(403, Value::from(NO_USER_AGENT_BODY));
    }
    if !graphql {
        match request.header("x-github-api-version") {
            None => state.violate(
                line,
                "missing X-GitHub-Api-Version header (recommended: 2022-11-28)",
            ),
            Some(v) if !API_VERSIONS.contains(&v) => {
                state.violate(line, format!("unsupported X-GitHub-Api-Version {v:?}"));
                return error(
                    400,
                    &format!("API version '{v}' is not supported."),
                    "https://docs.github.com/rest/about-the-rest-api/api-versions",
                );
            }
            Some(_) => {}
        }
        match request.header("accept") {
            None => state.violate(
                line,
                "missing Accept header (recommended: application/vnd.github+json)",
            ),
            Some(a) if !a.contains("application/vnd.github") && !a.contains("application/json") => {
                state.violate(
                    line,
                    format!("Accept {a:?} is not application/vnd.github+json"),
                );
            }
            Some(_) => {}
        }
    }
    let docs = if graphql {
        "https://docs.github.com/graphql"
    } else {
        DOCS
    };
    let login = match authenticate(state, request) {
        Ok(login) => login,
        Err(message) => {
            state.violate(line, format!("401 {message}"));
            return error(401, message, docs);
        }
    };
    if state.rate_remaining == 0 {
        state.violate(
            line,
            "primary rate limit exhausted (x-ratelimit-remaining was 0)",
        );
        let message = format!(
            "API rate limit exceeded for user ID {}. If you reach out to GitHub Support for help, \
             please include the request ID FAKE:{:08X}.",
            user_id(&login),
            state.requests.len()
        );
        return error(
            403,
            &message,
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit",
        );
    }
    state.rate_remaining -= 1;
    if graphql {
        if request.method != "POST" {
            state.violate(line, "GraphQL takes POST");
            return not_found();
        }
        return graphql::handle(state, request, line, &login);
    }
    let Ok(matched) = spec.find(&request.method, path) else {
        state.violate(line, "no such endpoint in GitHub's OpenAPI subset");
        return not_found();
    };
    let query = parse_query(query);
    if let Some(reply) = check_parameters(spec, state, &matched, &query, line) {
        return reply;
    }
    let body = match check_body(spec, state, &matched, request, line) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let owner = matched.var("owner").to_owned();
    let repo = matched.var("repo").to_owned();
    let ctx = Ctx {
        owner,
        repo,
        query,
        body,
        login,
        line: line.to_owned(),
    };
    let reply = route(state, &matched, &ctx);
    check_response(spec, state, &matched, reply, line)
}

fn authenticate(state: &State, request: &Request) -> Result<String, &'static str> {
    let Some(value) = request.header("authorization") else {
        return Err("Requires authentication");
    };
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| {
            scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token")
        })
        .map(|(_, token)| token.trim());
    token
        .and_then(|t| state.tokens.iter().find(|(known, _)| known == t))
        .map(|(_, login)| login.clone())
        .ok_or("Bad credentials")
}

fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (
                percent_decode(&k.replace('+', " ")),
                percent_decode(&v.replace('+', " ")),
            )
        })
        .collect()
}

fn check_parameters(
    spec: &Spec,
    state: &mut State,
    matched: &Matched<'_>,
    query: &[(String, String)],
    line: &str,
) -> Option<Reply> {
    let op = matched.operation;
    for (name, value) in &matched.vars {
        let Some(param) = op
            .parameters
            .iter()
            .find(|p| &p.name == name && p.location == "path")
        else {
            continue;
        };
        if param.schema["type"] == "integer" && value.parse::<u64>().is_err() {
            state.violate(
                line,
                format!("path parameter {name}={value:?} is not an integer"),
            );
            return Some(not_found());
        }
    }
    for (name, value) in query {
        let Some(param) = op
            .parameters
            .iter()
            .find(|p| &p.name == name && p.location == "query")
        else {
            state.violate(
                line,
                format!("unknown query parameter {name:?} for {}", op.id),
            );
            continue;
        };
        let parsed = match param.schema["type"].as_str() {
            Some("integer") => value
                .parse::<i64>()
                .map_or_else(|_| Value::from(value.clone()), Value::from),
            _ => Value::from(value.clone()),
        };
        let mut errors = Vec::new();
        spec.validate(&param.schema, &parsed, name, &mut errors);
        for e in errors {
            state.violate(line, format!("query parameter {e}"));
        }
    }
    for param in op
        .parameters
        .iter()
        .filter(|p| p.required && p.location == "query")
    {
        if !query.iter().any(|(k, _)| k == &param.name) {
            state.violate(
                line,
                format!("missing required query parameter {}", param.name),
            );
            return Some(error(
                422,
                &format!("Invalid request.\n\n\"{}\" wasn't supplied.", param.name),
                DOCS,
            ));
        }
    }
    None
}

fn check_body(
    spec: &Spec,
    state: &mut State,
    matched: &Matched<'_>,
    request: &Request,
    line: &str,
) -> Result<Value, Reply> {
    let op = matched.operation;
    let Some((_, schema)) = &op.body else {
        if !request.body.is_empty() {
            state.violate(line, format!("{} takes no request body", op.id));
        }
        return Ok(Value::Null);
    };
    let body = if request.body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        match serde_json::from_slice::<Value>(&request.body) {
            Ok(v) => v,
            Err(e) => {
                state.violate(line, format!("request body is not JSON: {e}"));
                return Err(error(400, "Problems parsing JSON", DOCS));
            }
        }
    };
    if let Some(ct) = request.header("content-type")
        && !ct.to_ascii_lowercase().contains("json")
    {
        state.violate(line, format!("Content-Type {ct:?} for a JSON body"));
    }
    let mut errors = Vec::new();
    spec.validate(schema, &body, "body", &mut errors);
    if errors.is_empty() {
        return Ok(body);
    }
    for e in &errors {
        state.violate(line, format!("request {e}"));
    }
    let first = &errors[0];
    let message = match first
        .strip_prefix("body: required property \"")
        .and_then(|r| r.split_once('"'))
    {
        Some((name, _)) => format!("Invalid request.\n\n\"{name}\" wasn't supplied."),
        None => format!("Invalid request.\n\n{first}"),
    };
    Err(error(422, &message, DOCS))
}

fn check_response(
    spec: &Spec,
    state: &mut State,
    matched: &Matched<'_>,
    mut reply: Reply,
    line: &str,
) -> Reply {
    if !(200..300).contains(&reply.status) {
        return reply;
    }
    match (
        matched.operation.response_schema(reply.status),
        reply.body.as_mut(),
    ) {
        (None, _) => state.violate(
            line,
            format!(
                "fake bug: status {} is not documented for {}",
                reply.status, matched.operation.id
            ),
        ),
        (Some(Value::Null), None) => {}
        (Some(Value::Null), Some(_)) => {
            state.violate(
                line,
                format!("fake bug: {} documents no body", matched.operation.id),
            );
        }
        (Some(_), None) => state.violate(line, "fake bug: response body missing"),
        (Some(schema), Some(body)) => {
            spec.fill(schema, body);
            let mut errors = Vec::new();
            spec.validate(schema, body, "response", &mut errors);
            for e in errors {
                state.violate(line, format!("fake bug: {e}"));
            }
        }
    }
    reply
}

/// What the endpoints need from the request.
pub(crate) struct Ctx {
    pub(crate) owner: String,
    pub(crate) repo: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Value,
    pub(crate) login: String,
    pub(crate) line: String,
}

impl Ctx {
    pub(crate) fn key(&self) -> String {
        repo_key(&self.owner, &self.repo)
    }

    pub(crate) fn body_str(&self, name: &str) -> Option<&str> {
        self.body.get(name).and_then(Value::as_str)
    }
}

fn route(state: &mut State, matched: &Matched<'_>, ctx: &Ctx) -> Reply {
    if matched.operation.id == "users/get-authenticated" {
        return Reply::json(200, user_json(&state.base, &ctx.login));
    }
    if !state.repos.contains_key(&ctx.key()) {
        return not_found();
    }
    let number = |name: &str| matched.var(name).parse::<u64>().unwrap_or(0);
    match matched.operation.id.as_str() {
        "issues/list-comments" => list_comments(state, ctx, number("issue_number")),
        "issues/create-comment" => create_comment(state, ctx, number("issue_number")),
        "issues/get-comment" => get_comment(state, ctx, number("comment_id")),
        "issues/update-comment" => update_comment(state, ctx, number("comment_id")),
        "issues/delete-comment" => delete_comment(state, ctx, number("comment_id")),
        "repos/create-commit-comment" => {
            create_commit_comment(state, ctx, matched.var("commit_sha"))
        }
        "repos/list-pull-requests-associated-with-commit" => {
            commit_pulls(state, ctx, matched.var("commit_sha"))
        }
        "pulls/get" => get_pull(state, ctx, number("pull_number")),
        "issues/list-labels-on-issue" => list_issue_labels(state, ctx, number("issue_number")),
        "issues/add-labels" => add_labels(state, ctx, number("issue_number")),
        "issues/remove-label" => {
            remove_label(state, ctx, number("issue_number"), matched.var("name"))
        }
        "issues/get-label" => get_label(state, ctx, matched.var("name")),
        "issues/update-label" => update_label(state, ctx, matched.var("name")),
        "issues/create-label" => create_label(state, ctx),
        "checks/create" => checks::create(state, ctx),
        "checks/update" => checks::update(state, ctx, number("check_run_id")),
        "checks/list-for-ref" => checks::list_for_ref(state, ctx, matched.var("ref")),
        other => error(501, &format!("fake: {other} is not implemented"), DOCS),
    }
}

fn repo_of<'a>(state: &'a State, ctx: &Ctx) -> &'a Repo {
    &state.repos[&ctx.key()]
}

fn repo_of_mut<'a>(state: &'a mut State, ctx: &Ctx) -> &'a mut Repo {
    state
        .repos
        .get_mut(&ctx.key())
        .expect("route checked the repository exists")
}

/// Slice `items` by `per_page`/`page` and build GitHub's `Link` header.
fn paginate<T: Clone>(
    state: &State,
    ctx: &Ctx,
    path: &str,
    items: &[T],
) -> (Vec<T>, Option<String>) {
    let get = |name: &str| {
        ctx.query
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.parse::<usize>().ok())
    };
    let per_page = get("per_page").unwrap_or(30).clamp(1, 100);
    let page = get("page").unwrap_or(1).max(1);
    let last = items.len().div_ceil(per_page).max(1);
    let start = (page - 1).saturating_mul(per_page).min(items.len());
    let end = (start + per_page).min(items.len());
    let slice = items[start..end].to_vec();
    if last == 1 {
        return (slice, None);
    }
    let link = |p: usize, rel: &str| {
        let mut params: Vec<(String, String)> = ctx
            .query
            .iter()
            .filter(|(k, _)| k != "page" && k != "per_page")
            .cloned()
            .collect();
        params.push(("per_page".into(), per_page.to_string()));
        params.push(("page".into(), p.to_string()));
        let q = params
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        format!("<{}{path}?{q}>; rel=\"{rel}\"", state.base)
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(link(page - 1, "prev"));
    }
    if page < last {
        links.push(link(page + 1, "next"));
        links.push(link(last, "last"));
    }
    if page > 1 {
        links.push(link(1, "first"));
    }
    (slice, Some(links.join(", ")))
}

fn paged_reply(state: &State, ctx: &Ctx, path: &str, items: &[Value]) -> Reply {
    let (slice, link) = paginate(state, ctx, path, items);
    let mut reply = Reply::json(200, Value::Array(slice));
    if let Some(link) = link {
        reply.headers.push(("Link".into(), link));
    }
    reply
}

/// Percent-encode a path segment or query value.
fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn user_id(login: &str) -> u64 {
    // FNV-1a, so ids are stable across runs.
    login.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    }) % 100_000_000
}

fn user_json(base: &str, login: &str) -> Value {
    let id = user_id(login);
    json!({
        "login": login,
        "id": id,
        "node_id": format!("U_kgDOFake{id}"),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "gravatar_id": "",
        "url": format!("{base}/users/{}", encode(login)),
        "html_url": format!("https://github.com/{login}"),
        "type": if login.ends_with("[bot]") { "Bot" } else { "User" },
        "site_admin": false,
    })
}

fn repo_json(state: &State, repo: &Repo) -> Value {
    json!({
        "id": repo.id,
        "node_id": format!("R_kgDOFake{}", repo.id),
        "name": repo.name,
        "full_name": format!("{}/{}", repo.owner, repo.name),
        "owner": user_json(&state.base, &repo.owner),
        "private": false,
        "html_url": format!("https://github.com/{}/{}", repo.owner, repo.name),
        "url": format!("{}/repos/{}/{}", state.base, repo.owner, repo.name),
        "default_branch": "main",
    })
}

fn comment_json(state: &State, repo: &Repo, c: &Comment) -> Value {
    let base = &state.base;
    json!({
        "id": c.id,
        "node_id": c.node_id,
        "url": format!("{base}/repos/{}/{}/issues/comments/{}", repo.owner, repo.name, c.id),
        "html_url": c.html_url,
        "body": c.body,
        "user": user_json(base, &c.user),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "issue_url": format!("{base}/repos/{}/{}/issues/{}", repo.owner, repo.name, c.issue_number),
        "author_association": if c.user.eq_ignore_ascii_case(&repo.owner) { "OWNER" } else { "NONE" },
        "performed_via_github_app": null,
    })
}

fn label_json(state: &State, repo: &Repo, l: &Label) -> Value {
    json!({
        "id": l.id,
        "node_id": l.node_id,
        "url": format!("{}/repos/{}/{}/labels/{}", state.base, repo.owner, repo.name, encode(&l.name)),
        "name": l.name,
        "color": l.color,
        "description": l.description,
        "default": false,
    })
}

fn pull_json(state: &State, repo: &Repo, p: &Pull) -> Value {
    let labels: Vec<Value> = repo
        .issue_labels
        .get(&p.number)
        .into_iter()
        .flatten()
        .filter_map(|id| repo.labels.iter().find(|l| l.id == *id))
        .map(|l| label_json(state, repo, l))
        .collect();
    let repo_value = repo_json(state, repo);
    let owner = user_json(&state.base, &repo.owner);
    let api = format!("{}/repos/{}/{}", state.base, repo.owner, repo.name);
    let merged_at = p.merged.then(|| super::rfc3339(super::CLOCK_START));
    json!({
        "url": format!("{api}/pulls/{}", p.number),
        "id": p.number + 500_000_000,
        "node_id": format!("PR_kwDOFake{}", p.number),
        "html_url": format!("https://github.com/{}/{}/pull/{}", repo.owner, repo.name, p.number),
        "issue_url": format!("{api}/issues/{}", p.number),
        "comments_url": format!("{api}/issues/{}/comments", p.number),
        "number": p.number,
        "state": p.state,
        "locked": false,
        "title": format!("Pull request #{}", p.number),
        "user": owner,
        "body": null,
        "labels": labels,
        "created_at": super::rfc3339(super::CLOCK_START),
        "updated_at": super::rfc3339(super::CLOCK_START),
        "closed_at": if p.state == "closed" { Value::from(super::rfc3339(super::CLOCK_START)) } else { Value::Null },
        "merged_at": merged_at,
        "merge_commit_sha": null,
        "draft": false,
        "head": {
            "label": format!("{}:pr-{}", repo.owner, p.number),
            "ref": format!("pr-{}", p.number),
            "sha": p.head_sha,
            "user": owner,
            "repo": repo_value,
        },
        "base": {
            "label": format!("{}:main", repo.owner),
            "ref": "main",
            "sha": "0000000000000000000000000000000000000000",
            "user": owner,
            "repo": repo_value,
        },
        "merged": p.merged,
        "comments": repo.comments.iter().filter(|c| c.issue_number == p.number).count(),
    })
}

/// Build a new issue comment (not yet stored) with the next id and time.
pub(crate) fn new_comment(
    state: &mut State,
    owner: &str,
    repo: &str,
    pr: u64,
    user: &str,
    body: &str,
) -> Comment {
    let id = state.id();
    let now = state.tick();
    Comment {
        id,
        node_id: format!("IC_kwDOFake{id}"),
        issue_number: pr,
        body: body.to_owned(),
        user: user.to_owned(),
        created_at: now.clone(),
        updated_at: now,
        html_url: format!("https://github.com/{owner}/{repo}/pull/{pr}#issuecomment-{id}"),
        minimized: None,
    }
}

fn body_too_long(
    state: &mut State,
    ctx: &Ctx,
    body: &str,
    resource: &str,
    docs: &str,
) -> Option<Reply> {
    let chars = body.chars().count();
    if chars <= MAX_COMMENT_CHARS {
        return None;
    }
    state.violate(
        &ctx.line,
        format!("comment body of {chars} characters exceeds {MAX_COMMENT_CHARS}"),
    );
    Some(validation_failed(
        &json!({
            "resource": resource,
            "code": "unprocessable",
            "field": "data",
            "message": format!("Body is too long (maximum is {MAX_COMMENT_CHARS} characters)"),
        }),
        docs,
    ))
}

fn list_comments(state: &mut State, ctx: &Ctx, number: u64) -> Reply {
    let repo = repo_of(state, ctx);
    if !repo.pulls.contains_key(&number) {
        return not_found();
    }
    let since = ctx
        .query
        .iter()
        .find(|(k, _)| k == "since")
        .map(|(_, v)| v.as_str());
    let items: Vec<Value> = repo
        .comments
        .iter()
        .filter(|c| c.issue_number == number && since.is_none_or(|s| c.updated_at.as_str() >= s))
        .map(|c| comment_json(state, repo, c))
        .collect();
    let path = format!("/repos/{}/{}/issues/{number}/comments", ctx.owner, ctx.repo);
    paged_reply(state, ctx, &path, &items)
}

fn create_comment(state: &mut State, ctx: &Ctx, number: u64) -> Reply {
    if !repo_of(state, ctx).pulls.contains_key(&number) {
        return not_found();
    }
    let body = ctx.body_str("body").unwrap_or_default();
    let docs = "https://docs.github.com/rest/issues/comments#create-an-issue-comment";
    if let Some(reply) = body_too_long(state, ctx, body, "IssueComment", docs) {
        return reply;
    }
    let comment = new_comment(
        state,
        &ctx.owner,
        &ctx.repo,
        number,
        &ctx.login.clone(),
        body,
    );
    let repo = repo_of_mut(state, ctx);
    repo.comments.push(comment.clone());
    let repo = repo_of(state, ctx);
    let mut reply = Reply::json(201, comment_json(state, repo, &comment));
    reply.headers.push((
        "Location".into(),
        format!(
            "{}/repos/{}/{}/issues/comments/{}",
            state.base, repo.owner, repo.name, comment.id
        ),
    ));
    reply
}

fn get_comment(state: &mut State, ctx: &Ctx, id: u64) -> Reply {
    let repo = repo_of(state, ctx);
    match repo.comments.iter().find(|c| c.id == id) {
        Some(c) => Reply::json(200, comment_json(state, repo, c)),
        None => not_found(),
    }
}

fn update_comment(state: &mut State, ctx: &Ctx, id: u64) -> Reply {
    if !repo_of(state, ctx).comments.iter().any(|c| c.id == id) {
        return not_found();
    }
    let body = ctx.body_str("body").unwrap_or_default();
    let docs = "https://docs.github.com/rest/issues/comments#update-an-issue-comment";
    if let Some(reply) = body_too_long(state, ctx, body, "IssueComment", docs) {
        return reply;
    }
    flag_others(state, ctx, id, "edits");
    let now = state.tick();
    let repo = repo_of_mut(state, ctx);
    let Some(comment) = repo.comments.iter_mut().find(|c| c.id == id) else {
        return not_found();
    };
    body.clone_into(&mut comment.body);
    comment.updated_at = now;
    let comment = comment.clone();
    Reply::json(200, comment_json(state, repo_of(state, ctx), &comment))
}

/// GitHub lets anyone with write access edit, hide or delete any comment; tfnotify must
/// only ever touch its own, so doing it to someone else's is kept as a violation.
fn flag_others(state: &mut State, ctx: &Ctx, id: u64, what: &str) {
    let author = repo_of(state, ctx)
        .comments
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.user.clone());
    if let Some(author) = author.filter(|a| *a != ctx.login) {
        state.violate(&ctx.line, format!("{what} a comment of `{author}`"));
    }
}

fn delete_comment(state: &mut State, ctx: &Ctx, id: u64) -> Reply {
    flag_others(state, ctx, id, "deletes");
    let repo = repo_of_mut(state, ctx);
    let before = repo.comments.len();
    repo.comments.retain(|c| c.id != id);
    if repo.comments.len() == before {
        not_found()
    } else {
        Reply::empty(204)
    }
}

fn create_commit_comment(state: &mut State, ctx: &Ctx, sha: &str) -> Reply {
    let body = ctx.body_str("body").unwrap_or_default();
    let docs = "https://docs.github.com/rest/commits/comments#create-a-commit-comment";
    if let Some(reply) = body_too_long(state, ctx, body, "CommitComment", docs) {
        return reply;
    }
    let id = state.id();
    let now = state.tick();
    let comment = CommitComment {
        id,
        node_id: format!("CC_kwDOFake{id}"),
        commit_id: sha.to_owned(),
        body: body.to_owned(),
        user: ctx.login.clone(),
        created_at: now.clone(),
        html_url: format!(
            "https://github.com/{}/{}/commit/{sha}#commitcomment-{id}",
            ctx.owner, ctx.repo
        ),
    };
    repo_of_mut(state, ctx)
        .commit_comments
        .push(comment.clone());
    let base = &state.base;
    let value = json!({
        "html_url": comment.html_url,
        "url": format!("{base}/repos/{}/{}/comments/{id}", ctx.owner, ctx.repo),
        "id": id,
        "node_id": comment.node_id,
        "body": comment.body,
        "path": ctx.body.get("path").cloned().unwrap_or(Value::Null),
        "position": ctx.body.get("position").cloned().unwrap_or(Value::Null),
        "line": ctx.body.get("line").cloned().unwrap_or(Value::Null),
        "commit_id": sha,
        "user": user_json(base, &ctx.login),
        "created_at": now,
        "updated_at": now,
        "author_association": "NONE",
    });
    Reply::json(201, value)
}

fn commit_pulls(state: &mut State, ctx: &Ctx, sha: &str) -> Reply {
    let repo = repo_of(state, ctx);
    let extra = repo.commit_pulls.get(sha);
    let items: Vec<Value> = repo
        .pulls
        .values()
        .filter(|p| p.head_sha == sha || extra.is_some_and(|e| e.contains(&p.number)))
        .map(|p| pull_json(state, repo, p))
        .collect();
    let path = format!("/repos/{}/{}/commits/{sha}/pulls", ctx.owner, ctx.repo);
    paged_reply(state, ctx, &path, &items)
}

fn get_pull(state: &mut State, ctx: &Ctx, number: u64) -> Reply {
    let repo = repo_of(state, ctx);
    match repo.pulls.get(&number) {
        Some(p) => Reply::json(200, pull_json(state, repo, p)),
        None => not_found(),
    }
}

fn issue_labels_json(state: &State, repo: &Repo, number: u64) -> Vec<Value> {
    repo.issue_labels
        .get(&number)
        .into_iter()
        .flatten()
        .filter_map(|id| repo.labels.iter().find(|l| l.id == *id))
        .map(|l| label_json(state, repo, l))
        .collect()
}

fn list_issue_labels(state: &mut State, ctx: &Ctx, number: u64) -> Reply {
    let repo = repo_of(state, ctx);
    if !repo.pulls.contains_key(&number) {
        return not_found();
    }
    let items = issue_labels_json(state, repo, number);
    let path = format!("/repos/{}/{}/issues/{number}/labels", ctx.owner, ctx.repo);
    paged_reply(state, ctx, &path, &items)
}

/// Check a label name and colour; on failure record a violation and return GitHub's 422.
fn check_label(
    state: &mut State,
    ctx: &Ctx,
    name: Option<&str>,
    color: Option<&str>,
    description: Option<&str>,
) -> Option<Reply> {
    let docs = "https://docs.github.com/rest/issues/labels";
    if let Some(name) = name {
        let chars = name.chars().count();
        if chars > MAX_LABEL_NAME_CHARS || name.trim().is_empty() {
            state.violate(
                &ctx.line,
                format!(
                    "label name {name:?} is empty or longer than {MAX_LABEL_NAME_CHARS} characters"
                ),
            );
            return Some(validation_failed(
                &json!({"resource": "Label", "code": "invalid", "field": "name", "value": name}),
                docs,
            ));
        }
    }
    if let Some(color) = color
        && !(color.len() == 6 && color.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        state.violate(
            &ctx.line,
            format!("label color {color:?} is not 6 hex digits without '#'"),
        );
        return Some(validation_failed(
            &json!({"resource": "Label", "code": "invalid", "field": "color"}),
            docs,
        ));
    }
    if let Some(description) = description
        && description.chars().count() > MAX_LABEL_DESCRIPTION_CHARS
    {
        state.violate(&ctx.line, "label description longer than 100 characters");
        return Some(validation_failed(
            &json!({
                "resource": "Label",
                "code": "custom",
                "field": "description",
                "message": "description is too long (maximum is 100 characters)",
            }),
            docs,
        ));
    }
    None
}

/// Put `name` on issue `number`, creating the repository label if needed.
pub(crate) fn attach_label(state: &mut State, owner: &str, repo: &str, number: u64, name: &str) {
    let id = state.id();
    let repo = state.repo_mut(owner, repo);
    let index = if let Some(i) = repo.label_index(name) {
        i
    } else {
        repo.labels.push(Label {
            id,
            node_id: format!("LA_kwDOFake{id}"),
            name: name.to_owned(),
            color: DEFAULT_LABEL_COLOR.to_owned(),
            description: None,
        });
        repo.labels.len() - 1
    };
    let label_id = repo.labels[index].id;
    let on = repo.issue_labels.entry(number).or_default();
    if !on.contains(&label_id) {
        on.push(label_id);
    }
}

fn add_labels(state: &mut State, ctx: &Ctx, number: u64) -> Reply {
    if !repo_of(state, ctx).pulls.contains_key(&number) {
        return not_found();
    }
    let names: Vec<String> = ctx.body["labels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l.as_str().or_else(|| l["name"].as_str()))
        .map(str::to_owned)
        .collect();
    for name in &names {
        if let Some(reply) = check_label(state, ctx, Some(name), None, None) {
            return reply;
        }
    }
    for name in &names {
        attach_label(state, &ctx.owner, &ctx.repo, number, name);
    }
    Reply::json(
        200,
        Value::Array(issue_labels_json(state, repo_of(state, ctx), number)),
    )
}

fn remove_label(state: &mut State, ctx: &Ctx, number: u64, name: &str) -> Reply {
    let repo = repo_of_mut(state, ctx);
    if !repo.pulls.contains_key(&number) {
        return not_found();
    }
    let label_id = repo.label_index(name).map(|i| repo.labels[i].id);
    let on = repo.issue_labels.entry(number).or_default();
    match label_id.and_then(|id| on.iter().position(|l| *l == id)) {
        Some(i) => {
            on.remove(i);
            Reply::json(
                200,
                Value::Array(issue_labels_json(state, repo_of(state, ctx), number)),
            )
        }
        None => error(
            404,
            "Label does not exist",
            "https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue",
        ),
    }
}

fn get_label(state: &mut State, ctx: &Ctx, name: &str) -> Reply {
    let repo = repo_of(state, ctx);
    match repo.label_index(name) {
        Some(i) => Reply::json(200, label_json(state, repo, &repo.labels[i])),
        None => not_found(),
    }
}

fn create_label(state: &mut State, ctx: &Ctx) -> Reply {
    let name = ctx.body_str("name").unwrap_or_default();
    let color = ctx.body_str("color");
    let description = ctx.body_str("description");
    if let Some(reply) = check_label(state, ctx, Some(name), color, description) {
        return reply;
    }
    if repo_of(state, ctx).label_index(name).is_some() {
        return validation_failed(
            &json!({"resource": "Label", "code": "already_exists", "field": "name"}),
            "https://docs.github.com/rest/issues/labels#create-a-label",
        );
    }
    let id = state.id();
    let label = Label {
        id,
        node_id: format!("LA_kwDOFake{id}"),
        name: name.to_owned(),
        color: color.unwrap_or(DEFAULT_LABEL_COLOR).to_ascii_lowercase(),
        description: description.map(str::to_owned),
    };
    repo_of_mut(state, ctx).labels.push(label.clone());
    Reply::json(201, label_json(state, repo_of(state, ctx), &label))
}

fn update_label(state: &mut State, ctx: &Ctx, name: &str) -> Reply {
    let Some(index) = repo_of(state, ctx).label_index(name) else {
        return not_found();
    };
    let new_name = ctx.body_str("new_name");
    let color = ctx.body_str("color");
    let description = ctx.body_str("description");
    if let Some(reply) = check_label(state, ctx, new_name, color, description) {
        return reply;
    }
    let repo = repo_of_mut(state, ctx);
    if let Some(new_name) = new_name
        && repo.label_index(new_name).is_some_and(|i| i != index)
    {
        return validation_failed(
            &json!({"resource": "Label", "code": "already_exists", "field": "name"}),
            "https://docs.github.com/rest/issues/labels#update-a-label",
        );
    }
    let label = &mut repo.labels[index];
    if let Some(new_name) = new_name {
        new_name.clone_into(&mut label.name);
    }
    if let Some(color) = color {
        label.color = color.to_ascii_lowercase();
    }
    if let Some(description) = description {
        label.description = Some(description.to_owned());
    }
    let label = label.clone();
    Reply::json(200, label_json(state, repo_of(state, ctx), &label))
}
