//! Routing and what every endpoint shares: authentication, parameters, faults, the
//! request log and GitLab's offset pagination.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::http::{Request, Response};
use super::labels::{create_label, get_label, list_labels, update_label};
use super::merge_requests::{
    comment_commit, commit_mrs, create_note, get_mr, list_notes, one_note, update_mr, user_json,
};
use super::{RecordedRequest, State};

/// What an endpoint answers before it is written out.
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) body: Option<Value>,
    pub(super) headers: Vec<(String, String)>,
}

impl Reply {
    pub(super) fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    pub(super) fn message(status: u16, message: &str) -> Self {
        Self::json(status, json!({ "message": message }))
    }

    /// Grape's answer to a missing or invalid parameter.
    pub(super) fn error(status: u16, error: &str) -> Self {
        Self::json(status, json!({ "error": error }))
    }
}

/// The parameters of a request: query and body together, as GitLab merges them.
pub(super) struct Params(pub(super) BTreeMap<String, Value>);

impl Params {
    pub(super) fn text(&self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    /// A list parameter as GitLab's `CommaSeparatedToArray` reads it: a comma-separated
    /// string, or a JSON array whose every element is split at commas too.
    pub(super) fn list(&self, name: &str) -> Option<Vec<String>> {
        let parts: Vec<&str> = match self.0.get(name)? {
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .flat_map(|item| item.split(','))
                .collect(),
            Value::String(s) => s.split(',').collect(),
            _ => return None,
        };
        Some(
            parts
                .into_iter()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    /// The elements of a JSON array parameter that hold a comma: GitLab reads each as more
    /// than one name, which the sender of an array did not mean.
    pub(super) fn split_elements(&self, name: &str) -> Vec<String> {
        match self.0.get(name) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .filter(|item| item.contains(','))
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        }
    }

    pub(super) fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

pub(super) fn handle(state: &mut State, request: &Request) -> Response {
    let reply = route(state, request);
    record(state, request, reply.status);
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    headers.extend(reply.headers);
    Response {
        status: reply.status,
        headers,
        body: reply
            .body
            .map(|b| b.to_string().into_bytes())
            .unwrap_or_default(),
    }
}

fn record(state: &mut State, request: &Request, status: u16) {
    let mut headers = BTreeMap::new();
    for name in ["content-type", "user-agent"] {
        if let Some(value) = request.header(name) {
            headers.insert(name.to_owned(), value.to_owned());
        }
    }
    if request.header("private-token").is_some() {
        headers.insert("private-token".to_owned(), "[REDACTED]".to_owned());
    }
    if request.header("authorization").is_some() {
        headers.insert("authorization".to_owned(), "[REDACTED]".to_owned());
    }
    let body = (!request.body.is_empty()).then(|| String::from_utf8_lossy(&request.body).into());
    state.requests.push(RecordedRequest {
        method: request.method.clone(),
        path: request.target.clone(),
        headers,
        body,
        status,
    });
}

fn route(state: &mut State, request: &Request) -> Reply {
    let Some(relative) = request.target.strip_prefix("/api/v4") else {
        return Reply::error(404, "404 Not Found");
    };
    let line = format!("{} {relative}", request.method);
    if let Some(reply) = fault(state, &request.method, relative) {
        return reply;
    }
    let Some(user) = user(state, request) else {
        return Reply::message(401, "401 Unauthorized");
    };
    let (path, query) = relative.split_once('?').unwrap_or((relative, ""));
    let params = match params(query, request) {
        Ok(params) => params,
        Err(reply) => return reply,
    };
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    if segs.as_slice() == ["user"] && request.method == "GET" {
        if !params.0.is_empty() || !request.body.is_empty() {
            state.violate(&line, "`GET /user` takes no parameters");
        }
        let mut answer = user_json(&user);
        answer["bot"] = Value::Bool(user.ends_with("_bot"));
        return Reply::json(200, answer);
    }
    let ["projects", project, rest @ ..] = segs.as_slice() else {
        return Reply::error(404, "404 Not Found");
    };
    let Some(pi) = find_project(state, project) else {
        return Reply::message(404, "404 Project Not Found");
    };
    let call = Call {
        line: &line,
        user: &user,
        params: &params,
        path,
        pi,
    };
    match (request.method.as_str(), rest) {
        ("GET", ["merge_requests", iid]) => with_iid(iid, |iid| get_mr(state, &call, iid)),
        ("PUT", ["merge_requests", iid]) => with_iid(iid, |iid| update_mr(state, &call, iid)),
        ("GET", ["merge_requests", iid, "notes"]) => {
            with_iid(iid, |iid| list_notes(state, &call, iid))
        }
        ("POST", ["merge_requests", iid, "notes"]) => {
            with_iid(iid, |iid| create_note(state, &call, iid))
        }
        (method, ["merge_requests", iid, "notes", id]) => with_iid(iid, |iid| {
            with_iid(id, |id| one_note(state, &call, method, iid, id))
        }),
        ("GET", ["repository", "commits", sha, "merge_requests"]) => commit_mrs(state, &call, sha),
        ("POST", ["repository", "commits", sha, "comments"]) => comment_commit(state, &call, sha),
        ("GET", ["labels"]) => list_labels(state, &call),
        ("POST", ["labels"]) => create_label(state, &call),
        ("GET", ["labels", key]) => get_label(state, &call, key),
        ("PUT", ["labels", key]) => update_label(state, &call, key),
        _ => Reply::error(404, "404 Not Found"),
    }
}

/// What every endpoint needs to know about the request.
pub(super) struct Call<'a> {
    pub(super) line: &'a str,
    pub(super) user: &'a str,
    pub(super) params: &'a Params,
    /// The path after `/api/v4`, without the query.
    pub(super) path: &'a str,
    /// The project's index.
    pub(super) pi: usize,
}

fn fault(state: &mut State, method: &str, relative: &str) -> Option<Reply> {
    let fault = state.faults.iter_mut().find(|f| {
        f.times > 0
            && (f.method == "*" || f.method == method)
            && relative.starts_with(&f.path_prefix)
    })?;
    fault.times -= 1;
    let body =
        serde_json::from_str(&fault.body).unwrap_or_else(|_| Value::from(fault.body.clone()));
    Some(Reply {
        status: fault.status,
        body: Some(body),
        headers: fault.headers.clone(),
    })
}

/// The username of the token, from `PRIVATE-TOKEN` or `Authorization: Bearer`.
fn user(state: &State, request: &Request) -> Option<String> {
    let token = request.header("private-token").or_else(|| {
        request
            .header("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
    })?;
    state
        .tokens
        .iter()
        .find(|(t, _)| t == token)
        .map(|(_, user)| user.clone())
}

fn params(query: &str, request: &Request) -> Result<Params, Reply> {
    let mut map = BTreeMap::new();
    for (key, value) in form_pairs(query) {
        map.insert(key, Value::String(value));
    }
    if request.body.is_empty() {
        return Ok(Params(map));
    }
    let content_type = request.header("content-type").unwrap_or_default();
    if content_type.starts_with("application/json") {
        match serde_json::from_slice::<Value>(&request.body) {
            Ok(Value::Object(body)) => map.extend(body),
            _ => return Err(Reply::error(400, "400 Bad Request")),
        }
    } else {
        let text = String::from_utf8_lossy(&request.body);
        for (key, value) in form_pairs(&text) {
            map.insert(key, Value::String(value));
        }
    }
    Ok(Params(map))
}

fn form_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
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

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Records every parameter the endpoint does not declare (GitLab ignores them silently).
pub(super) fn allow(state: &mut State, call: &Call<'_>, known: &[&str]) {
    for name in call.params.0.keys() {
        if !known.contains(&name.as_str()) {
            state.violate(
                call.line,
                format!("unknown parameter `{name}` (GitLab ignores it)"),
            );
        }
    }
}

fn find_project(state: &State, key: &str) -> Option<usize> {
    match key.parse::<u64>() {
        Ok(id) => state.projects.iter().position(|p| p.id == id),
        Err(_) => state
            .projects
            .iter()
            .position(|p| p.path.eq_ignore_ascii_case(key)),
    }
}

pub(super) fn with_iid(text: &str, f: impl FnOnce(u64) -> Reply) -> Reply {
    match text.parse() {
        Ok(n) => f(n),
        Err(_) => Reply::error(400, "merge_request_iid is invalid"),
    }
}

/// One page of `items` with GitLab's offset-pagination headers.
pub(super) fn paginate(state: &State, call: &Call<'_>, items: Vec<Value>) -> Reply {
    let number = |name: &str, default: usize| {
        call.params
            .text(name)
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(default)
    };
    let per_page = number("per_page", 20).min(100);
    let page = number("page", 1);
    let total = items.len();
    let pages = total.div_ceil(per_page).max(1);
    let page_items: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let link = |n: usize| {
        let mut query: Vec<String> = call
            .params
            .0
            .iter()
            .filter(|(k, _)| k.as_str() != "page")
            .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
            .collect();
        query.push(format!("page={n}"));
        format!(
            "{}/api/v4{}?{}",
            state.link_origin,
            call.path,
            query.join("&")
        )
    };
    let mut links = Vec::new();
    if page < pages {
        links.push(format!("<{}>; rel=\"next\"", link(page + 1)));
    }
    if page > 1 {
        links.push(format!("<{}>; rel=\"prev\"", link(page - 1)));
    }
    links.push(format!("<{}>; rel=\"first\"", link(1)));
    links.push(format!("<{}>; rel=\"last\"", link(pages)));
    let next = if page < pages {
        (page + 1).to_string()
    } else {
        String::new()
    };
    let prev = if page > 1 {
        (page - 1).to_string()
    } else {
        String::new()
    };
    Reply {
        status: 200,
        body: Some(Value::Array(page_items)),
        headers: vec![
            ("x-page".into(), page.to_string()),
            ("x-per-page".into(), per_page.to_string()),
            ("x-next-page".into(), next),
            ("x-prev-page".into(), prev),
            ("x-total".into(), total.to_string()),
            ("x-total-pages".into(), pages.to_string()),
            ("Link".into(), links.join(", ")),
        ],
    }
}
