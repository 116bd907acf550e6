//! Fake Chatwork, Teams, Discord, Mattermost and generic-webhook endpoints on 127.0.0.1.
//!
//! One server, one path prefix per platform. Each route checks what its platform checks
//! (path, credential, content type, body shape and limits), answers in that platform's own
//! success and error shapes, and records every request. Anything the real service would
//! refuse is also kept as a violation, so tests can assert there were none.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::fake_github::http::{Handler, Request, Response, Server};

/// Chatwork: the token the fake accepts, the room it knows.
pub const CHATWORK_TOKEN: &str = "0123456789abcdefFakeChatworkToken";
pub const CHATWORK_ROOM: &str = "424242";
/// Teams: the workflow path and its signature (the URL is the credential).
pub const TEAMS_PATH: &str =
    "/powerautomate/automations/direct/workflows/0f1e2d/triggers/manual/paths/invoke";
pub const TEAMS_SIG: &str = "FakeTeamsSignature0123456789";
/// Teams refuses payloads above this many bytes with 413.
pub const TEAMS_PAYLOAD_LIMIT: usize = 28_000;
/// Discord: the webhook path, whose last segment is the token.
pub const DISCORD_PATH: &str = "/api/webhooks/1234567890/FakeDiscordWebhookToken";
/// Mattermost: the incoming webhook's path.
pub const MATTERMOST_PATH: &str = "/hooks/fakemattermosthookid0123";
/// Mattermost: the most characters of a post's message, and what tfnotify keeps an
/// attachment's text within so the message is never longer than a post.
pub const MATTERMOST_POST_LIMIT: usize = 16_383;
/// Mattermost: the most characters of a post's props (attachments included) a webhook may
/// send (`PostPropsMaxUserRunes`).
pub const MATTERMOST_PROPS_LIMIT: usize = 760_000;
/// Generic webhook: path and shared secret.
pub const WEBHOOK_PATH: &str = "/tfnotify/receive";
pub const WEBHOOK_SECRET: &str = "FakeWebhookSharedSecret";

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Header names lower-cased.
    pub headers: BTreeMap<String, String>,
    pub body: String,
    pub status: u16,
}

impl Recorded {
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
}

#[derive(Default)]
struct State {
    log: Vec<Recorded>,
    violations: Vec<String>,
    /// Accepted messages: JSON bodies, or Chatwork's decoded `body` as a string.
    messages: Vec<Value>,
    /// Generic webhook: whether each accepted request's signature was checked and valid.
    signatures: Vec<bool>,
    /// Discord: the channel's messages as they are now, by id.
    discord: BTreeMap<String, Value>,
    next_id: u64,
}

struct Fake {
    state: Mutex<State>,
}

/// The running fake; stops when dropped.
pub struct FakeWebhooks {
    server: Server,
    fake: Arc<Fake>,
}

type Answer = (u16, Vec<(String, String)>, String);

impl FakeWebhooks {
    pub fn start() -> FakeWebhooks {
        let fake = Arc::new(Fake {
            state: Mutex::new(State::default()),
        });
        let server =
            Server::start(Arc::clone(&fake) as Arc<dyn Handler>).expect("start fake webhooks");
        FakeWebhooks { server, fake }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    /// What `CHATWORK_API_URL` is set to.
    pub fn chatwork_api(&self) -> String {
        format!("{}/chatwork/v2", self.url())
    }

    pub fn teams_url(&self) -> String {
        format!(
            "{}{TEAMS_PATH}?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={TEAMS_SIG}",
            self.url()
        )
    }

    pub fn discord_url(&self) -> String {
        format!("{}{DISCORD_PATH}", self.url())
    }

    pub fn mattermost_url(&self) -> String {
        format!("{}{MATTERMOST_PATH}", self.url())
    }

    pub fn webhook_url(&self) -> String {
        format!("{}{WEBHOOK_PATH}", self.url())
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.fake.lock().log.clone()
    }

    pub fn messages(&self) -> Vec<Value> {
        self.fake.lock().messages.clone()
    }

    /// Discord: the messages the webhook posted, as they are now (edits applied), by id.
    pub fn discord_messages(&self) -> BTreeMap<String, Value> {
        self.fake.lock().discord.clone()
    }

    /// Discord: someone deleted message `id`.
    pub fn delete_discord_message(&self, id: &str) {
        self.fake.lock().discord.remove(id);
    }

    /// For each accepted generic-webhook request: whether it carried a valid signature.
    pub fn signatures(&self) -> Vec<bool> {
        self.fake.lock().signatures.clone()
    }

    /// What a real service would have refused.
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
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn violation(&self, what: String) {
        self.lock().violations.push(what);
    }

    fn accept(&self, message: Value) -> u64 {
        let mut state = self.lock();
        state.messages.push(message);
        state.next_id += 1;
        state.next_id
    }

    fn answer(&self, request: &Request) -> Answer {
        let (path, query) = request
            .target
            .split_once('?')
            .unwrap_or((request.target.as_str(), ""));
        if path.starts_with("/api/webhooks/") && request.method == "PATCH" {
            return self.discord_edit(request, path);
        }
        if request.method != "POST" {
            return json_answer(405, &json!({"message": "405: Method Not Allowed"}));
        }
        if let Some(rest) = path.strip_prefix("/chatwork/v2/rooms/") {
            self.chatwork(request, rest)
        } else if path == TEAMS_PATH {
            self.teams(request, query)
        } else if path.starts_with("/api/webhooks/") {
            self.discord(request, path, query)
        } else if path.starts_with("/hooks/") {
            self.mattermost(request, path)
        } else if path == WEBHOOK_PATH {
            self.webhook(request)
        } else {
            (404, Vec::new(), "not found".to_owned())
        }
    }

    fn chatwork(&self, request: &Request, rest: &str) -> Answer {
        if request.header("x-chatworktoken") != Some(CHATWORK_TOKEN) {
            return json_answer(401, &json!({"errors": ["Invalid API token"]}));
        }
        if rest != format!("{CHATWORK_ROOM}/messages") {
            return json_answer(404, &json!({"errors": ["Resource not found"]}));
        }
        if !request
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"))
        {
            self.violation("chatwork: the body is not form-encoded".to_owned());
            return json_answer(400, &json!({"errors": ["Parameter body is required"]}));
        }
        let raw = String::from_utf8_lossy(&request.body).into_owned();
        let fields = form_decode(&raw);
        let Some(body) = fields.get("body").filter(|b| !b.is_empty()) else {
            return json_answer(400, &json!({"errors": ["Parameter body is required"]}));
        };
        if raw.contains(' ') || raw.chars().any(|c| !c.is_ascii() || c == '\n') {
            self.violation(
                "chatwork: a raw space, line break or non-ASCII byte in the form".to_owned(),
            );
        }
        let id = self.accept(Value::String(body.clone()));
        json_answer(200, &json!({"message_id": format!("{id}")}))
    }

    fn teams(&self, request: &Request, query: &str) -> Answer {
        if !query.split('&').any(|kv| kv == format!("sig={TEAMS_SIG}")) {
            return json_answer(
                401,
                &json!({"error": {"code": "DirectApiAuthorizationRequired", "message": "The request must be authenticated only by Shared Access scheme."}}),
            );
        }
        if request.body.len() > TEAMS_PAYLOAD_LIMIT {
            self.violation(format!("teams: payload of {} bytes", request.body.len()));
            return (413, Vec::new(), "Request Entity too large".to_owned());
        }
        let Some(body) = self.json_body("teams", request) else {
            return json_answer(400, &json!({"error": {"code": "InvalidRequestContent"}}));
        };
        let card = &body["attachments"][0];
        let ok = body["type"] == "message"
            && card["contentType"] == "application/vnd.microsoft.card.adaptive"
            && card["content"]["type"] == "AdaptiveCard"
            && card["content"]["version"] == "1.4"
            && card["content"]["body"].as_array().is_some_and(|b| {
                !b.is_empty()
                    && b.iter()
                        .all(|e| e["type"] == "TextBlock" && e["text"].is_string())
            });
        if !ok {
            self.violation(format!("teams: not an adaptive card message: {body}"));
            return json_answer(400, &json!({"error": {"code": "InvalidRequestContent"}}));
        }
        self.accept(body);
        (202, Vec::new(), String::new())
    }

    fn discord(&self, request: &Request, path: &str, query: &str) -> Answer {
        if path != DISCORD_PATH {
            return json_answer(
                401,
                &json!({"message": "Invalid Webhook Token", "code": 50027}),
            );
        }
        let wait = query.split('&').any(|kv| kv == "wait=true");
        if !wait {
            self.violation("discord: no `wait=true`".to_owned());
        }
        let Some(body) = self.json_body("discord", request) else {
            return json_answer(
                400,
                &json!({"message": "Cannot send an empty message", "code": 50006}),
            );
        };
        if let Err(problem) = check_discord(&body) {
            self.violation(format!("discord: {problem}"));
            return json_answer(
                400,
                &json!({"message": "Invalid Form Body", "code": 50035, "errors": {"embeds": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": problem}]}}}),
            );
        }
        let id = format!("11000000000000{}", self.accept(body.clone()));
        let message = discord_message(&id, &body);
        self.lock().discord.insert(id, message.clone());
        if wait {
            json_answer(200, &message)
        } else {
            (204, Vec::new(), String::new())
        }
    }

    /// `PATCH /webhooks/{id}/{token}/messages/{message_id}`: edits a message the webhook
    /// posted; fields left out stay as they were.
    fn discord_edit(&self, request: &Request, path: &str) -> Answer {
        let Some(message_id) = path
            .strip_prefix(DISCORD_PATH)
            .and_then(|rest| rest.strip_prefix("/messages/"))
        else {
            return json_answer(
                401,
                &json!({"message": "Invalid Webhook Token", "code": 50027}),
            );
        };
        let Some(body) = self.json_body("discord", request) else {
            return json_answer(
                400,
                &json!({"message": "Cannot send an empty message", "code": 50006}),
            );
        };
        if let Err(problem) = check_discord(&body) {
            self.violation(format!("discord edit: {problem}"));
            return json_answer(400, &json!({"message": "Invalid Form Body", "code": 50035}));
        }
        let mut state = self.lock();
        let Some(stored) = state.discord.get_mut(message_id) else {
            return json_answer(404, &json!({"message": "Unknown Message", "code": 10008}));
        };
        for key in ["content", "embeds", "allowed_mentions"] {
            if let Some(value) = body.get(key) {
                stored[key] = value.clone();
            }
        }
        stored["edited_timestamp"] = Value::String("2026-01-01T00:00:00+00:00".to_owned());
        json_answer(200, &stored.clone())
    }

    fn mattermost(&self, request: &Request, path: &str) -> Answer {
        if path != MATTERMOST_PATH {
            return json_answer(
                400,
                &json!({"id": "web.incoming_webhook.invalid.app_error", "message": "Invalid webhook.", "status_code": 400}),
            );
        }
        let Some(body) = self.json_body("mattermost", request) else {
            return json_answer(
                400,
                &json!({"id": "web.incoming_webhook.parse.app_error", "status_code": 400}),
            );
        };
        let text = body["text"].as_str().unwrap_or("");
        let attachments = body.get("attachments");
        if (text.trim().is_empty() && attachments.is_none())
            || text.chars().count() > MATTERMOST_POST_LIMIT
        {
            self.violation(
                "mattermost: no `text` or `attachments`, or `text` longer than 16,383".to_owned(),
            );
            return json_answer(
                400,
                &json!({"id": "web.incoming_webhook.text.app_error", "status_code": 400}),
            );
        }
        if let Some(attachments) = attachments {
            if let Err(problem) = check_mattermost_attachments(attachments) {
                self.violation(format!("mattermost: {problem}"));
                return json_answer(
                    400,
                    &json!({"id": "web.incoming_webhook.parse.app_error", "status_code": 400}),
                );
            }
            if attachments.to_string().chars().count() > MATTERMOST_PROPS_LIMIT {
                self.violation("mattermost: attachments larger than a post's props".to_owned());
                return json_answer(
                    400,
                    &json!({"id": "web.incoming_webhook.split_props_length.app_error", "status_code": 400}),
                );
            }
        }
        self.accept(body);
        (
            200,
            vec![("Content-Type".to_owned(), "text/plain".to_owned())],
            "ok".to_owned(),
        )
    }

    fn webhook(&self, request: &Request) -> Answer {
        let signature = request.header("x-tfnotify-signature").map(str::to_owned);
        let valid = signature
            .as_deref()
            .map(|s| s == format!("sha256={}", sign(&request.body)));
        if valid == Some(false) {
            return json_answer(401, &json!({"error": "bad signature"}));
        }
        let Some(body) = self.json_body("webhook", request) else {
            return json_answer(400, &json!({"error": "not JSON"}));
        };
        if body["schema"] != 1 || body["tool"] != "tfnotify" || !body["report"].is_object() {
            self.violation(format!("webhook: not an envelope: {body}"));
        }
        self.lock().signatures.push(valid == Some(true));
        self.accept(body);
        (204, Vec::new(), String::new())
    }

    fn json_body(&self, who: &str, request: &Request) -> Option<Value> {
        if !request
            .header("content-type")
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/json"))
        {
            self.violation(format!("{who}: the body is not sent as JSON"));
            return None;
        }
        let value = serde_json::from_slice(&request.body).ok();
        if value.is_none() {
            self.violation(format!("{who}: the body is not JSON"));
        }
        value
    }
}

impl Handler for Fake {
    fn handle(&self, request: &Request) -> Response {
        let (status, headers, body) = self.answer(request);
        self.lock().log.push(Recorded {
            method: request.method.clone(),
            target: request.target.clone(),
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

/// The message object Discord answers with.
fn discord_message(id: &str, body: &Value) -> Value {
    json!({
        "id": id,
        "type": 0,
        "channel_id": "99",
        "webhook_id": "1234567890",
        "content": body.get("content").cloned().unwrap_or_else(|| Value::String(String::new())),
        "embeds": body.get("embeds").cloned().unwrap_or_else(|| json!([])),
        "allowed_mentions": body.get("allowed_mentions").cloned().unwrap_or(Value::Null),
        "edited_timestamp": null,
    })
}

/// Discord's rules: content ≤ 2,000, ≤ 10 embeds, title ≤ 256, description ≤ 4,096, all
/// embeds ≤ 6,000 characters, and something to show.
fn check_discord(body: &Value) -> Result<(), String> {
    let count = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    if count(&body["content"]) > 2_000 {
        return Err("content longer than 2000".to_owned());
    }
    let embeds = body["embeds"].as_array().cloned().unwrap_or_default();
    if embeds.len() > 10 {
        return Err("more than 10 embeds".to_owned());
    }
    if embeds.is_empty() && count(&body["content"]) == 0 {
        return Err("nothing to show".to_owned());
    }
    let mut total = 0;
    for embed in &embeds {
        let title = count(&embed["title"]);
        let description = count(&embed["description"]);
        if title > 256 || description > 4_096 {
            return Err(format!("title {title}, description {description}"));
        }
        total += title + description + count(&embed["footer"]["text"]);
    }
    if total > 6_000 {
        return Err(format!("{total} characters in embeds"));
    }
    Ok(())
}

/// The signature the generic webhook should carry for `body`.
pub fn sign(body: &[u8]) -> String {
    let mut key = [0u8; 64];
    key[..WEBHOOK_SECRET.len()].copy_from_slice(WEBHOOK_SECRET.as_bytes());
    let mut inner = Sha256::new();
    inner.update(key.map(|b| b ^ 0x36));
    inner.update(body);
    let mut outer = Sha256::new();
    outer.update(key.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// A form body's fields, `+` and `%XX` decoded.
pub fn form_decode(raw: &str) -> BTreeMap<String, String> {
    raw.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Mattermost's attachments as its documentation describes them: an array of objects, each
/// with the required plain-text `fallback`, a hex `color` (`#RRGGBB` or `#RGB`) when there
/// is one, and string `text`, kept within a post's length (tfnotify's promise).
fn check_mattermost_attachments(attachments: &Value) -> Result<(), String> {
    let Some(attachments) = attachments.as_array() else {
        return Err("`attachments` is not an array".to_owned());
    };
    if attachments.is_empty() {
        return Err("`attachments` is empty".to_owned());
    }
    for (i, attachment) in attachments.iter().enumerate() {
        if !attachment.is_object() {
            return Err(format!("attachment {i} is not an object"));
        }
        if attachment["fallback"]
            .as_str()
            .is_none_or(|f| f.trim().is_empty())
        {
            return Err(format!("attachment {i} has no `fallback`"));
        }
        if let Some(color) = attachment.get("color") {
            let hex = color.as_str().and_then(|c| c.strip_prefix('#'));
            let valid = hex.is_some_and(|h| {
                matches!(h.len(), 3 | 6) && h.chars().all(|c| c.is_ascii_hexdigit())
            });
            if !valid {
                return Err(format!(
                    "attachment {i}: `color` {color} is not a hex colour"
                ));
            }
        }
        if let Some(text) = attachment.get("text") {
            let Some(text) = text.as_str() else {
                return Err(format!("attachment {i}: `text` is not a string"));
            };
            if text.chars().count() > MATTERMOST_POST_LIMIT {
                return Err(format!("attachment {i}: `text` longer than a post"));
            }
        }
    }
    Ok(())
}

fn json_answer(status: u16, body: &Value) -> Answer {
    (
        status,
        vec![("Content-Type".to_owned(), "application/json".to_owned())],
        body.to_string(),
    )
}
