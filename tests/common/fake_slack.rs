//! A fake Slack on 127.0.0.1: one incoming webhook and the Web API methods tfnotify calls
//! (`auth.test`, `chat.postMessage`, `chat.update`, `conversations.history`).
//!
//! It checks what Slack checks (the webhook's path, the bearer token, the channel, the
//! body's shape, the attachments' shape and colour, block limits wherever the blocks are
//! (top level or `attachments[].blocks`), the metadata's shape, that a reply's
//! `thread_ts` names a message of the channel, that only the bot that posted a message
//! edits it, the token's scopes), answers in Slack's own shapes (`ok` as text for the
//! webhook; `{"ok": true, …}` or `{"ok": false, "error"}` for the API), keeps the
//! channel's messages with their metadata, attachments and threads (`chat.update` keeps the
//! `blocks` and `attachments` it is not given, as Slack documents), pages history with
//! cursors, and records every request. Anything a real Slack would refuse is also kept as
//! a violation, so tests can assert there were none.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};

// The fake GitHub's HTTP/1.1 server is general: every fake shares it.
use super::fake_github::http::{Handler, Request, Response, Server};
use super::fake_webhooks::form_decode;

/// How the fake's history cursors start; they end in `=` like Slack's base64 cursors, so a
/// client that does not encode them is caught.
const CURSOR_PREFIX: &str = "bmV4dF90czo";

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
/// Where Slack starts refusing with `msg_blocks_too_long`, in characters of blocks (those
/// at the top level and in attachments together).
pub const BLOCKS_TOO_LONG: usize = 12_000;
/// Most attachments Slack accepts in one message (`too_many_attachments` above).
pub const MAX_ATTACHMENTS: usize = 100;
/// The bot the fake's token belongs to, as `auth.test` and history name it.
pub const BOT_ID: &str = "B0TFNOTIFY1";
pub const BOT_USER: &str = "U0TFNOTIFY1";
/// Another app's bot in the same channel.
pub const OTHER_BOT_ID: &str = "B0OTHERAPP9";
/// The most messages one history page holds, whatever `limit` asks.
pub const HISTORY_MAX_LIMIT: usize = 999;

/// A message in the fake channel, as Slack keeps it.
#[derive(Debug, Clone)]
pub struct Stored {
    pub ts: String,
    pub channel: String,
    pub bot_id: String,
    pub user: String,
    pub text: String,
    /// Top-level blocks as posted (`null` when none).
    pub blocks: Value,
    /// Attachments as posted, colours with their `#` (`null` when none).
    pub attachments: Value,
    pub metadata: Option<Value>,
    /// The parent's `ts` for a reply.
    pub thread_ts: Option<String>,
    /// How many times `chat.update` changed it.
    pub edits: usize,
}

impl Stored {
    /// The blocks of the message's first attachment, where tfnotify puts them.
    pub fn attachment_blocks(&self) -> &Value {
        &self.attachments[0]["blocks"]
    }

    /// The colour of the message's first attachment's bar, as posted (`#RRGGBB`).
    pub fn color(&self) -> Option<&str> {
        self.attachments[0]["color"].as_str()
    }

    /// The notification fallback of the message's first attachment.
    pub fn fallback(&self) -> Option<&str> {
        self.attachments[0]["fallback"].as_str()
    }
}

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

/// Status, headers and body of an answer.
type Answer = (u16, Vec<(String, String)>, String);

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
    /// Message bodies accepted by the webhook and `chat.postMessage`, in order.
    messages: Vec<Value>,
    /// The channels' messages and replies as they are now, oldest first.
    stored: Vec<Stored>,
    /// Scopes the token lacks: methods needing one answer `missing_scope`.
    missing_scopes: Vec<String>,
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

    /// The next `times` requests to `path` get Slack's rate-limit answer: 429 with
    /// `Retry-After: 1` and `{"ok": false, "error": "ratelimited"}`.
    pub fn rate_limit_next(&self, path: &str, times: usize) {
        self.fail_next(
            path,
            429,
            &[("Retry-After", "1")],
            r#"{"ok":false,"error":"ratelimited"}"#,
            times,
        );
    }

    /// The token loses `scope` (for example `channels:history`).
    pub fn without_scope(&self, scope: &str) {
        self.fake.lock().missing_scopes.push(scope.to_owned());
    }

    /// The top-level messages of `channel` as they are now, oldest first.
    pub fn channel(&self, channel: &str) -> Vec<Stored> {
        self.fake
            .lock()
            .stored
            .iter()
            .filter(|m| m.channel == channel && m.thread_ts.is_none())
            .cloned()
            .collect()
    }

    /// The replies in the thread of message `ts`, oldest first.
    pub fn replies(&self, ts: &str) -> Vec<Stored> {
        self.fake
            .lock()
            .stored
            .iter()
            .filter(|m| m.thread_ts.as_deref() == Some(ts))
            .cloned()
            .collect()
    }

    /// Puts a message in `channel` as if the bot `bot_id` had posted it, and returns its
    /// `ts`: earlier runs, other apps, chatter.
    pub fn seed(&self, channel: &str, bot_id: &str, text: &str, metadata: Option<Value>) -> String {
        let mut state = self.fake.lock();
        let ts = state.new_ts();
        let user = if bot_id == BOT_ID {
            BOT_USER
        } else {
            "U0SOMEONE00"
        };
        state.stored.push(Stored {
            ts: ts.clone(),
            channel: channel.to_owned(),
            bot_id: bot_id.to_owned(),
            user: user.to_owned(),
            text: text.to_owned(),
            blocks: json!([{"type": "section", "text": {"type": "mrkdwn", "text": text}}]),
            attachments: Value::Null,
            metadata,
            thread_ts: None,
            edits: 0,
        });
        ts
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

impl State {
    fn new_ts(&mut self) -> String {
        self.next_ts += 1;
        format!("1767225600.{:06}", self.next_ts)
    }
}

impl Fake {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn answer(&self, request: &Request) -> Answer {
        let (path, query) = request
            .target
            .split_once('?')
            .unwrap_or((request.target.as_str(), ""));
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
        let body = String::from_utf8_lossy(&request.body).into_owned();
        if let Some(method) = path.strip_prefix("/api/") {
            // The Web API takes GET and POST alike.
            if !matches!(request.method.as_str(), "GET" | "POST") {
                return text(405, "invalid_method");
            }
            match request.header("authorization") {
                None => return api_error("not_authed"),
                Some(auth) if auth != format!("Bearer {TOKEN}") => {
                    return api_error("invalid_auth");
                }
                Some(_) => {}
            }
            return match method {
                "auth.test" => ok(json!({
                    "url": "https://fake.slack.com/",
                    "team": "Fake",
                    "user": "tfnotify",
                    "team_id": "T00000000",
                    "user_id": BOT_USER,
                    "bot_id": BOT_ID,
                })),
                "chat.postMessage" => self.post_message(request, &body),
                "chat.update" => self.update(request, &body),
                "conversations.history" => self.history(request, query, &body),
                _ => api_error("unknown_method"),
            };
        }
        if request.method != "POST" {
            return text(405, "invalid_method");
        }
        if path == WEBHOOK_PATH {
            self.webhook(request, &body)
        } else if path.starts_with("/services/") {
            text(404, "no_service")
        } else {
            text(404, "not found")
        }
    }

    fn webhook(&self, request: &Request, body: &str) -> Answer {
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

    /// The JSON body of a write method, with its channel checked.
    fn write_body(
        &self,
        method: &str,
        request: &Request,
        body: &str,
    ) -> Result<(Value, String), Answer> {
        if !is_json(request) {
            self.violation(&format!("{method}: the body is not sent as JSON"));
            return Err(api_error("invalid_arguments"));
        }
        let Ok(message) = serde_json::from_str::<Value>(body) else {
            self.violation(&format!("{method}: the body is not JSON"));
            return Err(api_error("invalid_json"));
        };
        let channel = message["channel"].as_str().unwrap_or("").to_owned();
        if channel == CHANNEL_NOT_IN {
            return Err(api_error("not_in_channel"));
        }
        if channel != CHANNEL {
            return Err(api_error("channel_not_found"));
        }
        if let Some(username) = message.get("username")
            && !username.is_string()
        {
            self.violation(&format!("{method}: `username` is not a string"));
            return Err(api_error("invalid_arguments"));
        }
        if let Some(metadata) = message.get("metadata")
            && !(metadata["event_type"].is_string() && metadata["event_payload"].is_object())
        {
            self.violation(&format!("{method}: bad metadata {metadata}"));
            return Err(api_error("invalid_metadata_format"));
        }
        if let Err(problem) = check_message(&message) {
            self.violation(&format!("{method}: {problem}"));
            return Err(api_error(problem.code()));
        }
        Ok((message, channel))
    }

    fn post_message(&self, request: &Request, body: &str) -> Answer {
        let (message, channel) = match self.write_body("chat.postMessage", request, body) {
            Ok(parts) => parts,
            Err(answer) => return answer,
        };
        let mut state = self.lock();
        let thread_ts = message["thread_ts"].as_str().map(str::to_owned);
        if let Some(parent) = &thread_ts
            && !state
                .stored
                .iter()
                .any(|m| &m.ts == parent && m.channel == channel && m.thread_ts.is_none())
        {
            return api_error("thread_not_found");
        }
        let ts = state.new_ts();
        state.messages.push(message.clone());
        state.stored.push(Stored {
            ts: ts.clone(),
            channel: channel.clone(),
            bot_id: BOT_ID.to_owned(),
            user: BOT_USER.to_owned(),
            text: message["text"].as_str().unwrap_or_default().to_owned(),
            blocks: message["blocks"].clone(),
            attachments: message["attachments"].clone(),
            metadata: message.get("metadata").cloned(),
            thread_ts,
            edits: 0,
        });
        ok(json!({
            "channel": channel,
            "ts": ts,
            "message": {"type": "message", "text": message["text"], "ts": ts},
        }))
    }

    fn update(&self, request: &Request, body: &str) -> Answer {
        let (message, channel) = match self.write_body("chat.update", request, body) {
            Ok(parts) => parts,
            Err(answer) => return answer,
        };
        let Some(ts) = message["ts"].as_str() else {
            self.violation("chat.update: no `ts`");
            return api_error("invalid_arguments");
        };
        let mut state = self.lock();
        let Some(stored) = state
            .stored
            .iter_mut()
            .find(|m| m.ts == ts && m.channel == channel)
        else {
            return api_error("message_not_found");
        };
        if stored.bot_id != BOT_ID {
            return api_error("cant_update_message");
        }
        message["text"]
            .as_str()
            .unwrap_or_default()
            .clone_into(&mut stored.text);
        // Slack keeps what an update leaves out; an empty array removes it.
        if let Some(blocks) = message.get("blocks") {
            stored.blocks = blocks.clone();
        }
        if let Some(attachments) = message.get("attachments") {
            stored.attachments = attachments.clone();
        }
        if let Some(metadata) = message.get("metadata") {
            stored.metadata = Some(metadata.clone());
        }
        stored.edits += 1;
        ok(json!({
            "channel": channel,
            "ts": ts,
            "text": message["text"],
            "message": {"type": "message", "text": message["text"], "ts": ts},
        }))
    }

    /// `conversations.history`: the channel's top-level messages, newest first, `limit` at a
    /// time, with a cursor to the next page; metadata only with `include_all_metadata`.
    fn history(&self, request: &Request, query: &str, body: &str) -> Answer {
        if self
            .lock()
            .missing_scopes
            .iter()
            .any(|s| s == "channels:history")
        {
            return (
                200,
                json_headers(),
                json!({"ok": false, "error": "missing_scope", "needed": "channels:history", "provided": "chat:write"})
                    .to_string(),
            );
        }
        let params = if request.method == "GET" {
            form_decode(query)
        } else {
            form_decode(body)
        };
        let channel = params.get("channel").map_or("", String::as_str);
        if channel == CHANNEL_NOT_IN {
            return api_error("not_in_channel");
        }
        if channel != CHANNEL {
            return api_error("channel_not_found");
        }
        let limit = params
            .get("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(100)
            .clamp(1, HISTORY_MAX_LIMIT);
        let start = match params.get("cursor").filter(|c| !c.is_empty()) {
            None => 0,
            Some(cursor) => match cursor
                .strip_prefix(CURSOR_PREFIX)
                .and_then(|rest| rest.strip_suffix('='))
                .and_then(|n| n.parse::<usize>().ok())
            {
                Some(offset) => offset,
                None => return api_error("invalid_cursor"),
            },
        };
        let with_metadata = params.get("include_all_metadata").map(String::as_str) == Some("true");
        let state = self.lock();
        let mut top: Vec<&Stored> = state
            .stored
            .iter()
            .filter(|m| m.channel == channel && m.thread_ts.is_none())
            .collect();
        top.reverse();
        let page: Vec<Value> = top
            .iter()
            .skip(start)
            .take(limit)
            .map(|m| {
                let mut shown = json!({
                    "type": "message",
                    "ts": m.ts,
                    "text": m.text,
                    "user": m.user,
                    "bot_id": m.bot_id,
                    "app_id": format!("A{}", &m.bot_id[1..]),
                });
                if m.blocks.as_array().is_some_and(|b| !b.is_empty()) {
                    shown["blocks"] = m.blocks.clone();
                }
                if let Some(attachments) = m.attachments.as_array().filter(|a| !a.is_empty()) {
                    shown["attachments"] = as_returned(attachments);
                }
                if with_metadata && let Some(metadata) = &m.metadata {
                    shown["metadata"] = metadata.clone();
                }
                let replies = state
                    .stored
                    .iter()
                    .filter(|r| r.thread_ts.as_deref() == Some(m.ts.as_str()))
                    .count();
                if replies > 0 {
                    shown["thread_ts"] = Value::String(m.ts.clone());
                    shown["reply_count"] = Value::from(replies);
                }
                shown
            })
            .collect();
        let next = start + limit;
        let has_more = next < top.len();
        let cursor = if has_more {
            format!("{CURSOR_PREFIX}{next}=")
        } else {
            String::new()
        };
        ok(json!({
            "messages": page,
            "has_more": has_more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": cursor},
        }))
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
    Attachments(String),
    TooManyAttachments(String),
}

impl Problem {
    fn code(&self) -> &'static str {
        match self {
            Problem::NoText(_) => "no_text",
            Problem::Blocks(_) => "invalid_blocks",
            Problem::TooLong(_) => "msg_blocks_too_long",
            Problem::Attachments(_) => "invalid_attachments",
            Problem::TooManyAttachments(_) => "too_many_attachments",
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::NoText(m)
            | Problem::Blocks(m)
            | Problem::TooLong(m)
            | Problem::Attachments(m)
            | Problem::TooManyAttachments(m) => f.write_str(m),
        }
    }
}

/// Slack's rules for a message body: `text` a string; something to show (`text`, blocks or
/// attachments); top-level `blocks` an array of at most 50 valid blocks (empty only to
/// clear them in `chat.update`); `attachments` at most 100 valid attachments; and all
/// blocks together, wherever they are, under the size where Slack gives up.
fn check_message(message: &Value) -> Result<(), Problem> {
    let Some(object) = message.as_object() else {
        return Err(Problem::NoText("the body is not an object".to_owned()));
    };
    let text = object.get("text");
    if text.is_some_and(|t| !t.is_string()) {
        return Err(Problem::NoText("`text` is not a string".to_owned()));
    }
    let mut shown = text
        .and_then(Value::as_str)
        .is_some_and(|t| !t.trim().is_empty());
    let mut total = 0;
    if let Some(blocks) = object.get("blocks") {
        let Some(blocks) = blocks.as_array() else {
            return Err(Problem::Blocks("`blocks` is not an array".to_owned()));
        };
        if blocks.len() > MAX_BLOCKS {
            return Err(Problem::Blocks(format!("{} blocks", blocks.len())));
        }
        total += check_blocks(blocks, "/blocks").map_err(Problem::Blocks)?;
        shown |= !blocks.is_empty();
    }
    if let Some(attachments) = object.get("attachments") {
        let Some(attachments) = attachments.as_array() else {
            return Err(Problem::Attachments(
                "`attachments` is not an array".to_owned(),
            ));
        };
        if attachments.len() > MAX_ATTACHMENTS {
            return Err(Problem::TooManyAttachments(format!(
                "{} attachments",
                attachments.len()
            )));
        }
        for (i, attachment) in attachments.iter().enumerate() {
            total += check_attachment(i, attachment)?;
        }
        shown |= !attachments.is_empty();
    }
    if !shown {
        return Err(Problem::NoText(
            "no `text`, `blocks` or `attachments` to show".to_owned(),
        ));
    }
    if total > BLOCKS_TOO_LONG {
        return Err(Problem::TooLong(format!("{total} characters in blocks")));
    }
    Ok(())
}

/// One attachment: an object with a hex `color` (or `good`, `warning`, `danger`), string
/// `fallback` and `text`, something to show, and valid blocks. Slack answers
/// `invalid_attachments` for a bad block inside an attachment (its message names
/// `/attachments/0/blocks/…`), and `invalid_blocks` for more than 50 of them. Returns the
/// characters of its blocks' text.
fn check_attachment(i: usize, attachment: &Value) -> Result<usize, Problem> {
    let at = format!("/attachments/{i}");
    let Some(object) = attachment.as_object() else {
        return Err(Problem::Attachments(format!("{at} is not an object")));
    };
    if let Some(color) = object.get("color") {
        let valid = color.as_str().is_some_and(|c| {
            matches!(c, "good" | "warning" | "danger")
                || c.strip_prefix('#')
                    .is_some_and(|hex| hex.len() == 6 && hex.chars().all(|h| h.is_ascii_hexdigit()))
        });
        if !valid {
            return Err(Problem::Attachments(format!("{at}/color is {color}")));
        }
    }
    for key in ["fallback", "text"] {
        if object.get(key).is_some_and(|v| !v.is_string()) {
            return Err(Problem::Attachments(format!("{at}/{key} is not a string")));
        }
    }
    let Some(blocks) = object.get("blocks") else {
        let text = |key: &str| object.get(key).and_then(Value::as_str).unwrap_or("");
        if text("text").trim().is_empty() && text("fallback").trim().is_empty() {
            return Err(Problem::Attachments(format!("{at} has nothing to show")));
        }
        return Ok(0);
    };
    let Some(blocks) = blocks.as_array() else {
        return Err(Problem::Attachments(format!("{at}/blocks is not an array")));
    };
    if blocks.len() > MAX_BLOCKS {
        return Err(Problem::Blocks(format!("{} blocks in {at}", blocks.len())));
    }
    if blocks.is_empty() {
        return Err(Problem::Attachments(format!("{at}/blocks is empty")));
    }
    check_blocks(blocks, &format!("{at}/blocks")).map_err(Problem::Attachments)
}

/// Each block has a known `type`; a section's text is `mrkdwn` or `plain_text`, not empty,
/// at most 3,000 characters; a context has 1 to 10 elements. Returns the characters of the
/// sections' text, or what is wrong, with its place as Slack's JSON pointer.
fn check_blocks(blocks: &[Value], at: &str) -> Result<usize, String> {
    let mut total = 0;
    for (i, block) in blocks.iter().enumerate() {
        let Some(kind) = block.get("type").and_then(Value::as_str) else {
            return Err(format!("{at}/{i} has no `type`"));
        };
        match kind {
            "section" => {
                let text = &block["text"];
                let kind = text["type"].as_str().unwrap_or("");
                let Some(content) = text["text"].as_str() else {
                    return Err(format!("section {at}/{i} has no text"));
                };
                let len = content.chars().count();
                if !matches!(kind, "mrkdwn" | "plain_text")
                    || content.is_empty()
                    || len > SECTION_LIMIT
                {
                    return Err(format!("section {at}/{i}: type `{kind}`, {len} characters"));
                }
                total += len;
            }
            "context" => {
                let Some(elements) = block["elements"].as_array() else {
                    return Err(format!("context {at}/{i} has no elements"));
                };
                if elements.is_empty() || elements.len() > 10 {
                    return Err(format!("context {at}/{i}: {} elements", elements.len()));
                }
            }
            "divider" | "header" | "markdown" | "rich_text" | "actions" | "image" => {}
            other => {
                return Err(format!("{at}/{i} has unknown type `{other}`"));
            }
        }
    }
    Ok(total)
}

/// Attachments as `conversations.history` returns them: numbered from 1 and with the
/// colour's `#` dropped.
fn as_returned(attachments: &[Value]) -> Value {
    let shown: Vec<Value> = attachments
        .iter()
        .enumerate()
        .map(|(i, attachment)| {
            let mut shown = attachment.clone();
            shown["id"] = Value::from(i + 1);
            if let Some(color) = attachment["color"].as_str() {
                shown["color"] = Value::String(color.trim_start_matches('#').to_owned());
            }
            shown
        })
        .collect();
    Value::Array(shown)
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

fn text(status: u16, body: &str) -> Answer {
    (
        status,
        vec![("Content-Type".to_owned(), "text/html".to_owned())],
        body.to_owned(),
    )
}

/// The Web API's success: HTTP 200 with `ok: true` and the method's fields.
fn ok(mut fields: Value) -> Answer {
    fields["ok"] = Value::Bool(true);
    (200, json_headers(), fields.to_string())
}

/// The Web API's failure: HTTP 200 with `ok: false`.
fn api_error(code: &str) -> Answer {
    (
        200,
        json_headers(),
        json!({"ok": false, "error": code}).to_string(),
    )
}
