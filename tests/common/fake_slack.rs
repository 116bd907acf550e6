//! A fake Slack on 127.0.0.1: one incoming webhook and `chat.postMessage`.
//!
//! It checks what Slack checks (the webhook's path, the bearer token, the channel, the
//! body's shape and block limits), answers in Slack's own shapes (`ok` as text for the
//! webhook; `{"ok": true, "channel", "ts"}` or `{"ok": false, "error"}` for the API), and
//! records every request. Anything a real Slack would refuse is also kept as a violation,
//! so tests can assert there were none.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};

// The fake GitHub's HTTP/1.1 server is general: every fake shares it.
use super::fake_github::http::{Handler, Request, Response, Server};

/// The token the fake accepts for `chat.postMessage`.
pub const TOKEN: &str = "xoxb-0000000000-FakeSlackTokenForTfnotify";
/// The path of the fake's one incoming webhook.
pub const WEBHOOK_PATH: &str = "/services/T00000000/B00000000/FakeWebhookSecret0123456789";
/// A channel the bot is a member of.
pub const CHANNEL: &str = "C0123456789";
/// A channel that exists but the bot was never invited to.
pub const CHANNEL_NOT_IN: &str = "C0NOTMEMBER";
/// Slack's limit on a section's text, in characters.
pub const SECTION_LIMIT: usize = 3_000;
/// Slack's limit on blocks per message.
pub const MAX_BLOCKS: usize = 50;
/// Where Slack starts refusing with `msg_blocks_too_long`, in characters of blocks.
pub const BLOCKS_TOO_LONG: usize = 12_000;

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: BTreeMap<String, String>,
    pub body: String,
    /// The status answered.
    pub status: u16,
}

impl Recorded {
    /// The body as JSON, if it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// `METHOD path`, for assertions on the sequence of calls.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// A failure to answer instead of the normal response.
struct Failure {
    path: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    times: usize,
}

#[derive(Default)]
struct State {
    log: Vec<Recorded>,
    failures: VecDeque<Failure>,
    violations: Vec<String>,
    /// Message bodies accepted, in order.
    messages: Vec<Value>,
    next_ts: u64,
}

struct Fake {
    state: Mutex<State>,
}

/// The running fake; stops when dropped.
pub struct FakeSlack {
    server: Server,
    fake: Arc<Fake>,
}

impl FakeSlack {
    /// Starts on a random port.
    pub fn start() -> FakeSlack {
        let fake = Arc::new(Fake {
            state: Mutex::new(State::default()),
        });
        let server =
            Server::start(Arc::clone(&fake) as Arc<dyn Handler>).expect("start fake Slack");
        FakeSlack { server, fake }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    /// What `SLACK_API_URL` is set to.
    pub fn api_url(&self) -> String {
        format!("{}/api", self.url())
    }

    /// The full webhook URL, which is a secret.
    pub fn webhook_url(&self) -> String {
        format!("{}{WEBHOOK_PATH}", self.url())
    }

    /// The next `times` requests to `path` get this answer instead.
    pub fn fail_next(
        &self,
        path: &str,
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
        times: usize,
    ) {
        self.fake.lock().failures.push_back(Failure {
            path: path.to_owned(),
            status,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.to_owned(),
            times,
        });
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.fake.lock().log.clone()
    }

    /// The bodies of messages Slack would have shown.
    pub fn messages(&self) -> Vec<Value> {
        self.fake.lock().messages.clone()
    }

    /// What a real Slack would have refused.
    pub fn violations(&self) -> Vec<String> {
        self.fake.lock().violations.clone()
    }

    /// Fails the test when any request broke one of Slack's rules.
    #[track_caller]
    pub fn assert_no_violations(&self) {
        let violations = self.violations();
        assert!(violations.is_empty(), "{violations:#?}");
    }
}

impl Fake {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn answer(&self, request: &Request) -> (u16, Vec<(String, String)>, String) {
        let path = request.target.split('?').next().unwrap_or("");
        {
            let mut state = self.lock();
            if let Some(i) = state.failures.iter().position(|f| f.path == path) {
                let failure = &mut state.failures[i];
                let answer = (
                    failure.status,
                    failure.headers.clone(),
                    failure.body.clone(),
                );
                failure.times = failure.times.saturating_sub(1);
                if failure.times == 0 {
                    state.failures.remove(i);
                }
                return answer;
            }
        }
        if request.method != "POST" {
            return text(405, "invalid_method");
        }
        let body = String::from_utf8_lossy(&request.body).into_owned();
        if path == WEBHOOK_PATH {
            self.webhook(request, &body)
        } else if path == "/api/chat.postMessage" {
            self.post_message(request, &body)
        } else if path.starts_with("/services/") {
            text(404, "no_service")
        } else {
            text(404, "not found")
        }
    }

    fn webhook(&self, request: &Request, body: &str) -> (u16, Vec<(String, String)>, String) {
        if !is_json(request) {
            self.violation("webhook: the body is not sent as JSON");
            return text(400, "invalid_payload");
        }
        let Ok(message) = serde_json::from_str::<Value>(body) else {
            self.violation("webhook: the body is not JSON");
            return text(400, "invalid_payload");
        };
        if let Err(problem) = check_message(&message) {
            self.violation(&format!("webhook: {problem}"));
            return text(400, problem.code());
        }
        self.lock().messages.push(message);
        text(200, "ok")
    }

    fn post_message(&self, request: &Request, body: &str) -> (u16, Vec<(String, String)>, String) {
        match request.header("authorization") {
            None => return api_error("not_authed"),
            Some(auth) if auth != format!("Bearer {TOKEN}") => return api_error("invalid_auth"),
            Some(_) => {}
        }
        if !is_json(request) {
            self.violation("chat.postMessage: the body is not sent as JSON");
            return api_error("invalid_arguments");
        }
        let Ok(message) = serde_json::from_str::<Value>(body) else {
            self.violation("chat.postMessage: the body is not JSON");
            return api_error("invalid_json");
        };
        let channel = message["channel"].as_str().unwrap_or("").to_owned();
        if channel == CHANNEL_NOT_IN {
            return api_error("not_in_channel");
        }
        if channel != CHANNEL {
            return api_error("channel_not_found");
        }
        if let Some(username) = message.get("username")
            && !username.is_string()
        {
            self.violation("chat.postMessage: `username` is not a string");
            return api_error("invalid_arguments");
        }
        if let Err(problem) = check_message(&message) {
            self.violation(&format!("chat.postMessage: {problem}"));
            return api_error(problem.code());
        }
        let ts = {
            let mut state = self.lock();
            state.next_ts += 1;
            state.messages.push(message.clone());
            format!("1767225600.{:06}", state.next_ts)
        };
        let reply = json!({
            "ok": true,
            "channel": channel,
            "ts": ts,
            "message": {"type": "message", "text": message["text"], "ts": ts},
        });
        (200, json_headers(), reply.to_string())
    }

    fn violation(&self, what: &str) {
        self.lock().violations.push(what.to_owned());
    }
}

impl Handler for Fake {
    fn handle(&self, request: &Request) -> Response {
        let (status, headers, body) = self.answer(request);
        let path = request.target.clone();
        self.lock().log.push(Recorded {
            method: request.method.clone(),
            path,
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

/// Why Slack would refuse a message, with the error code it answers.
#[derive(Debug)]
enum Problem {
    NoText(String),
    Blocks(String),
    TooLong(String),
}

impl Problem {
    fn code(&self) -> &'static str {
        match self {
            Problem::NoText(_) => "no_text",
            Problem::Blocks(_) => "invalid_blocks",
            Problem::TooLong(_) => "msg_blocks_too_long",
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::NoText(m) | Problem::Blocks(m) | Problem::TooLong(m) => f.write_str(m),
        }
    }
}

/// Slack's rules for a message body: `text` a string (required without blocks), `blocks`
/// an array of at most 50 objects with a `type`, a section's text at most 3,000 characters,
/// and the blocks together under the size where Slack gives up.
fn check_message(message: &Value) -> Result<(), Problem> {
    let Some(object) = message.as_object() else {
        return Err(Problem::NoText("the body is not an object".to_owned()));
    };
    let text = object.get("text");
    if text.is_some_and(|t| !t.is_string()) {
        return Err(Problem::NoText("`text` is not a string".to_owned()));
    }
    let Some(blocks) = object.get("blocks") else {
        return match text.and_then(Value::as_str) {
            Some(t) if !t.trim().is_empty() => Ok(()),
            _ => Err(Problem::NoText("no `text` and no `blocks`".to_owned())),
        };
    };
    let Some(blocks) = blocks.as_array() else {
        return Err(Problem::Blocks("`blocks` is not an array".to_owned()));
    };
    if blocks.is_empty() || blocks.len() > MAX_BLOCKS {
        return Err(Problem::Blocks(format!("{} blocks", blocks.len())));
    }
    let mut total = 0;
    for (i, block) in blocks.iter().enumerate() {
        let Some(kind) = block.get("type").and_then(Value::as_str) else {
            return Err(Problem::Blocks(format!("block {i} has no `type`")));
        };
        match kind {
            "section" => {
                let text = &block["text"];
                let kind = text["type"].as_str().unwrap_or("");
                let Some(content) = text["text"].as_str() else {
                    return Err(Problem::Blocks(format!("section {i} has no text")));
                };
                let len = content.chars().count();
                if !matches!(kind, "mrkdwn" | "plain_text")
                    || content.is_empty()
                    || len > SECTION_LIMIT
                {
                    return Err(Problem::Blocks(format!(
                        "section {i}: type `{kind}`, {len} characters"
                    )));
                }
                total += len;
            }
            "context" => {
                let Some(elements) = block["elements"].as_array() else {
                    return Err(Problem::Blocks(format!("context {i} has no elements")));
                };
                if elements.is_empty() || elements.len() > 10 {
                    return Err(Problem::Blocks(format!(
                        "context {i}: {} elements",
                        elements.len()
                    )));
                }
            }
            "divider" | "header" | "markdown" | "rich_text" | "actions" | "image" => {}
            other => {
                return Err(Problem::Blocks(format!(
                    "block {i} has unknown type `{other}`"
                )));
            }
        }
    }
    if total > BLOCKS_TOO_LONG {
        return Err(Problem::TooLong(format!("{total} characters in blocks")));
    }
    Ok(())
}

fn is_json(request: &Request) -> bool {
    request
        .header("content-type")
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/json"))
}

fn json_headers() -> Vec<(String, String)> {
    vec![(
        "Content-Type".to_owned(),
        "application/json; charset=utf-8".to_owned(),
    )]
}

fn text(status: u16, body: &str) -> (u16, Vec<(String, String)>, String) {
    (
        status,
        vec![("Content-Type".to_owned(), "text/html".to_owned())],
        body.to_owned(),
    )
}

/// The Web API's failure: HTTP 200 with `ok: false`.
fn api_error(code: &str) -> (u16, Vec<(String, String)>, String) {
    (
        200,
        json_headers(),
        json!({"ok": false, "error": code}).to_string(),
    )
}
