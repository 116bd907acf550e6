//! Fake model APIs on 127.0.0.1: OpenAI chat completions (and LiteLLM's deployment path),
//! Anthropic's Messages API and Google's Gemini `generateContent`.
//!
//! Each route checks what the real API checks (path, key header, version header, JSON body
//! shape, model, token limit) and refuses what it would refuse with that API's own error
//! body; a request it accepts gets the answer the test chose, in the API's own success
//! shape, or the failure the test chose. Every request is recorded.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};

use super::fake_github::http::{Handler, Request, Response, Server};

/// The key every fake accepts.
pub const KEY: &str = "sk-fake-model-key-0123456789";

/// What a fake does with a request it accepts.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Answers with this text.
    Text(String),
    /// Answers successfully, with no text at all.
    Empty,
    /// Fails with this status, in the API's own error shape (`Retry-After` for 429).
    Status(u16),
    /// Answers only after this long.
    Slow(Duration, String),
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct State {
    reply: Reply,
    seen: Vec<Seen>,
    refused: Vec<String>,
}

struct Fake {
    state: Mutex<State>,
}

/// The running fake; stops when dropped.
pub struct FakeModels {
    fake: Arc<Fake>,
    server: Server,
}

impl FakeModels {
    pub fn start(reply: Reply) -> Self {
        let fake = Arc::new(Fake {
            state: Mutex::new(State {
                reply,
                seen: Vec::new(),
                refused: Vec::new(),
            }),
        });
        let server = Server::start(Arc::clone(&fake) as Arc<dyn Handler>).expect("bind");
        FakeModels { fake, server }
    }

    /// The root URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    /// Every request received.
    pub fn seen(&self) -> Vec<Seen> {
        self.state().seen.clone()
    }

    /// Why requests were refused as the real API would refuse them.
    pub fn refused(&self) -> Vec<String> {
        self.state().refused.clone()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.fake.state.lock().expect("state")
    }
}

/// The APIs, told apart by path.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Api {
    OpenAi,
    Anthropic,
    Gemini,
}

impl Handler for Fake {
    fn handle(&self, request: &Request) -> Response {
        let seen = Seen {
            method: request.method.clone(),
            target: request.target.clone(),
            headers: request.headers.clone(),
            body: String::from_utf8_lossy(&request.body).into_owned(),
        };
        let reply = {
            let mut state = self.state.lock().expect("state");
            state.seen.push(seen);
            state.reply.clone()
        };
        let path = request.target.split('?').next().unwrap_or_default();
        let (api, model_in_path) = if path == "/v1/chat/completions" {
            (Api::OpenAi, None)
        } else if let Some(rest) = path.strip_prefix("/openai/deployments/") {
            let Some(model) = rest.strip_suffix("/chat/completions") else {
                return self.refuse(Api::OpenAi, 404, "not found");
            };
            (Api::OpenAi, Some(model.to_owned()))
        } else if path == "/v1/messages" {
            (Api::Anthropic, None)
        } else if let Some(rest) = path.strip_prefix("/v1beta/models/") {
            let Some(model) = rest.strip_suffix(":generateContent") else {
                return self.refuse(Api::Gemini, 404, "not found");
            };
            (Api::Gemini, Some(model.to_owned()))
        } else {
            return self.refuse(Api::OpenAi, 404, &format!("no route for {path}"));
        };
        if request.method != "POST" {
            return self.refuse(api, 405, "method not allowed");
        }
        if let Err(message) = check_key(api, request) {
            return self.refuse(api, if api == Api::Gemini { 400 } else { 401 }, &message);
        }
        if !request
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json"))
        {
            return self.refuse(api, 400, "content-type must be application/json");
        }
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            return self.refuse(api, 400, "the body is not JSON");
        };
        let checked = match api {
            Api::OpenAi => check_chat(&body, model_in_path.as_deref()),
            Api::Anthropic => check_messages(request, &body),
            Api::Gemini => check_gemini(&body),
        };
        let model = match checked {
            Ok(model) => model,
            Err(message) => return self.refuse(api, 400, &message),
        };
        let model = model_in_path.unwrap_or(model);
        match reply {
            Reply::Text(text) => success(api, &model, Some(&text)),
            Reply::Empty => success(api, &model, None),
            Reply::Status(status) => failure(api, status, "the fake was told to fail"),
            Reply::Slow(wait, text) => {
                std::thread::sleep(wait);
                success(api, &model, Some(&text))
            }
        }
    }
}

impl Fake {
    fn refuse(&self, api: Api, status: u16, message: &str) -> Response {
        self.state
            .lock()
            .expect("state")
            .refused
            .push(message.to_owned());
        failure(api, status, message)
    }
}

fn check_key(api: Api, request: &Request) -> Result<(), String> {
    let given = match api {
        Api::OpenAi => request
            .header("authorization")
            .and_then(|v| v.strip_prefix("Bearer ")),
        Api::Anthropic => request.header("x-api-key"),
        Api::Gemini => request.header("x-goog-api-key").or_else(|| {
            request
                .target
                .split_once("key=")
                .map(|(_, k)| k.split('&').next().unwrap_or_default())
        }),
    };
    match given {
        Some(KEY) => Ok(()),
        Some(_) => Err("Incorrect API key provided.".to_owned()),
        None => Err("You didn't provide an API key.".to_owned()),
    }
}

/// OpenAI's chat completions: `model`, a non-empty `messages` of `{role, content}`, an
/// integer `max_tokens` if any.
fn check_chat(body: &Value, deployment: Option<&str>) -> Result<String, String> {
    let model = body["model"]
        .as_str()
        .filter(|m| !m.is_empty())
        .ok_or("you must provide a model parameter")?;
    if deployment.is_some_and(|d| d != model) {
        return Err(format!("deployment {deployment:?} is not model {model}"));
    }
    check_turns(&body["messages"], &["system", "user", "assistant"])?;
    if !body["max_tokens"].is_null() && !body["max_tokens"].is_u64() {
        return Err("max_tokens must be an integer".to_owned());
    }
    Ok(model.to_owned())
}

/// Anthropic's Messages API: `anthropic-version`, `model`, integer `max_tokens` (required),
/// `messages` of `user`/`assistant` turns, `system` as a top-level string.
fn check_messages(request: &Request, body: &Value) -> Result<String, String> {
    if request.header("anthropic-version") != Some("2023-06-01") {
        return Err("anthropic-version: header is required".to_owned());
    }
    let model = body["model"].as_str().ok_or("model: Field required")?;
    if !body["max_tokens"].is_u64() {
        return Err("max_tokens: Field required".to_owned());
    }
    check_turns(&body["messages"], &["user", "assistant"])?;
    if !body["system"].is_null() && !body["system"].is_string() {
        return Err("system: Input should be a valid string".to_owned());
    }
    Ok(model.to_owned())
}

/// Gemini's `generateContent`: `contents` of `{role, parts: [{text}]}`, an integer
/// `generationConfig.maxOutputTokens` if any.
fn check_gemini(body: &Value) -> Result<String, String> {
    let contents = body["contents"]
        .as_array()
        .filter(|c| !c.is_empty())
        .ok_or("* GenerateContentRequest.contents: contents is not specified")?;
    for content in contents {
        let parts = content["parts"]
            .as_array()
            .ok_or("contents.parts must be a list")?;
        if parts.iter().any(|p| !p["text"].is_string()) {
            return Err("contents.parts.text must be a string".to_owned());
        }
    }
    let max = &body["generationConfig"]["maxOutputTokens"];
    if !max.is_null() && !max.is_u64() {
        return Err("generationConfig.maxOutputTokens must be an integer".to_owned());
    }
    Ok(String::new())
}

fn check_turns(messages: &Value, roles: &[&str]) -> Result<(), String> {
    let messages = messages
        .as_array()
        .filter(|m| !m.is_empty())
        .ok_or("messages: at least one message is required")?;
    for message in messages {
        let role = message["role"].as_str().unwrap_or_default();
        if !roles.contains(&role) {
            return Err(format!("messages: unexpected role {role:?}"));
        }
        if !message["content"].is_string() {
            return Err("messages.content must be a string".to_owned());
        }
    }
    Ok(())
}

fn success(api: Api, model: &str, text: Option<&str>) -> Response {
    let body = match (api, text) {
        (Api::OpenAi, text) => json!({
            "id": "chatcmpl-fake", "object": "chat.completion", "created": 1_700_000_000,
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }),
        (Api::Anthropic, text) => json!({
            "id": "msg_fake", "type": "message", "role": "assistant", "model": model,
            "content": text.map(|t| vec![json!({"type": "text", "text": t})]).unwrap_or_default(),
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": 10, "output_tokens": 5},
        }),
        (Api::Gemini, Some(text)) => json!({
            "candidates": [{"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15},
        }),
        (Api::Gemini, None) => json!({
            "promptFeedback": {"blockReason": "SAFETY"},
            "usageMetadata": {"promptTokenCount": 10, "totalTokenCount": 10},
        }),
    };
    respond(200, &body, Vec::new())
}

fn failure(api: Api, status: u16, message: &str) -> Response {
    let body = match api {
        Api::OpenAi => {
            json!({"error": {"message": message, "type": kind(status), "param": null, "code": null}})
        }
        Api::Anthropic => {
            json!({"type": "error", "error": {"type": kind(status), "message": message}})
        }
        Api::Gemini => {
            json!({"error": {"code": status, "message": message, "status": grpc(status)}})
        }
    };
    let headers = if status == 429 {
        vec![("retry-after".to_owned(), "120".to_owned())]
    } else {
        Vec::new()
    };
    respond(status, &body, headers)
}

fn kind(status: u16) -> &'static str {
    match status {
        401 => "authentication_error",
        429 => "rate_limit_error",
        500.. => "api_error",
        _ => "invalid_request_error",
    }
}

fn grpc(status: u16) -> &'static str {
    match status {
        429 => "RESOURCE_EXHAUSTED",
        500.. => "INTERNAL",
        _ => "INVALID_ARGUMENT",
    }
}

fn respond(status: u16, body: &Value, mut headers: Vec<(String, String)>) -> Response {
    headers.push(("content-type".to_owned(), "application/json".to_owned()));
    Response {
        status,
        headers,
        body: serde_json::to_vec(body).expect("json"),
    }
}
