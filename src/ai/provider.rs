//! The model APIs a summary can come from, and how each is asked and answers.
//!
//! A closed set, so an enum: each provider names its key and base-URL variables, its
//! default address and model, builds its one request and reads its one answer. Nothing
//! here sends anything; the summariser hands the request to the run's HTTP client.

use serde_json::{Value, json};

use crate::notify::http::{Method, Request};

/// What the system message asks of every model: the prompt carries the plan itself.
const SYSTEM: &str = "You review Terraform plans for a pull request. Answer in plain prose or short `-` lists, without headings, links, HTML or code blocks.";

/// A provider of `ai_summary.provider`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// `OpenAI`'s chat completions, or any server that speaks them (`LiteLLM`, Azure
    /// `OpenAI`, vLLM, Ollama, llama.cpp).
    OpenAi,
    /// Anthropic's Messages API.
    Anthropic,
    /// Google's Gemini API (`generateContent`).
    Google,
    /// A `LiteLLM` proxy on tfnotify v1's deployment path.
    LiteLlm,
    /// Devin: tfnotify v1 starts an agent session; tfnotify declines (see [`Provider::refusal`]).
    Devin,
}

impl Provider {
    /// The names `ai_summary.provider` and `--summary-provider` take.
    pub const NAMES: &'static str = "`openai`, `anthropic`, `google` or `litellm`";

    /// The provider called `name` (any case), `None` for an unknown name.
    pub fn from_name(name: &str) -> Option<Provider> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "openai" => Provider::OpenAi,
            "anthropic" | "claude" => Provider::Anthropic,
            "google" | "gemini" => Provider::Google,
            "litellm" => Provider::LiteLlm,
            "devin" => Provider::Devin,
            _ => return None,
        })
    }

    /// The name as configured.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::OpenAi => "openai",
            Provider::Anthropic => "anthropic",
            Provider::Google => "google",
            Provider::LiteLlm => "litellm",
            Provider::Devin => "devin",
        }
    }

    /// Why this provider cannot give a summary, for the warning at startup.
    pub fn refusal(self) -> Option<&'static str> {
        (self == Provider::Devin).then_some(
            "`devin` is not supported: Devin starts an agent session that works on the pull request on its own and sends back no summary to put in the message, and it would be handed the plan to act on; use `openai` (or any OpenAI-compatible server), `anthropic`, `google` or `litellm`",
        )
    }

    /// The variables that may hold the API key, first found wins.
    pub fn key_vars(self) -> &'static [&'static str] {
        match self {
            Provider::OpenAi => &["OPENAI_API_KEY"],
            Provider::Anthropic => &["ANTHROPIC_API_KEY"],
            Provider::Google => &["GEMINI_API_KEY", "GOOGLE_API_KEY"],
            Provider::LiteLlm => &["LITELLM_API_KEY"],
            Provider::Devin => &["DEVIN_API_KEY"],
        }
    }

    /// The variable that overrides the base URL.
    pub fn base_var(self) -> &'static str {
        match self {
            Provider::OpenAi => "OPENAI_BASE_URL",
            Provider::Anthropic => "ANTHROPIC_BASE_URL",
            Provider::Google => "GEMINI_BASE_URL",
            Provider::LiteLlm => "LITELLM_BASE_URL",
            Provider::Devin => "DEVIN_BASE_URL",
        }
    }

    /// The public API's address; `None` where there is none to assume (a `LiteLLM` proxy is
    /// always a team's own).
    pub fn default_base(self) -> Option<&'static str> {
        match self {
            Provider::OpenAi => Some("https://api.openai.com/v1"),
            Provider::Anthropic => Some("https://api.anthropic.com"),
            Provider::Google => Some("https://generativelanguage.googleapis.com"),
            Provider::LiteLlm | Provider::Devin => None,
        }
    }

    /// The model used when none is configured: a small, cheap one of each provider.
    pub fn default_model(self) -> &'static str {
        match self {
            Provider::OpenAi => "gpt-4o-mini",
            Provider::Anthropic => "claude-3-5-haiku-latest",
            Provider::Google => "gemini-2.0-flash",
            Provider::LiteLlm => "gpt-4o",
            Provider::Devin => "",
        }
    }

    /// Whether a call without a key makes sense: a self-hosted OpenAI-compatible server
    /// (Ollama, llama.cpp) often takes none, the public APIs always want one.
    pub fn key_optional(self, custom_base: bool) -> bool {
        self == Provider::OpenAi && custom_base
    }

    /// The request asking `model` to answer `prompt` in at most `max_tokens` tokens.
    pub fn request(self, call: &Call<'_>) -> Result<Request, serde_json::Error> {
        let base = call.base.trim_end_matches('/');
        // OpenAI's own API has replaced `max_tokens` with `max_completion_tokens`, and its
        // reasoning models refuse the old name; servers that copy the API (vLLM, Ollama,
        // llama.cpp, older proxies) know only the old one.
        let limit_key = if self == Provider::OpenAi && is_openai_itself(base) {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        let chat = || {
            json!({
                "model": call.model,
                limit_key: call.max_tokens,
                "messages": [
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": call.prompt},
                ],
            })
        };
        let bearer = |request: Request| match call.key {
            Some(key) => request.header("authorization", format!("Bearer {key}")),
            None => request,
        };
        Ok(match self {
            Provider::OpenAi => bearer(Request::json(
                Method::Post,
                format!("{base}/chat/completions"),
                &chat(),
            )?),
            Provider::LiteLlm => bearer(Request::json(
                Method::Post,
                format!(
                    "{base}/openai/deployments/{}/chat/completions",
                    crate::notify::http::percent_encode(call.model)
                ),
                &chat(),
            )?),
            Provider::Anthropic => {
                let body = json!({
                    "model": call.model,
                    "max_tokens": call.max_tokens,
                    "system": SYSTEM,
                    "messages": [{"role": "user", "content": call.prompt}],
                });
                Request::json(Method::Post, format!("{base}/v1/messages"), &body)?
                    .header("x-api-key", call.key.unwrap_or_default())
                    .header("anthropic-version", "2023-06-01")
            }
            // Devin never gets this far (it is refused when settings are resolved).
            Provider::Google | Provider::Devin => {
                let body = json!({
                    "systemInstruction": {"parts": [{"text": SYSTEM}]},
                    "contents": [{"role": "user", "parts": [{"text": call.prompt}]}],
                    "generationConfig": {"maxOutputTokens": call.max_tokens},
                });
                let model = crate::notify::http::percent_encode(call.model);
                Request::json(
                    Method::Post,
                    format!("{base}/v1beta/models/{model}:generateContent"),
                    &body,
                )?
                .header("x-goog-api-key", call.key.unwrap_or_default())
            }
        })
    }

    /// The text of a successful answer; `None` when it holds none (no choices, a refusal
    /// with no text, a blocked prompt).
    pub fn answer(self, body: &Value) -> Option<String> {
        let text = match self {
            Provider::OpenAi | Provider::LiteLlm => body
                .pointer("/choices/0/message/content")
                .and_then(Value::as_str)
                .map(str::to_owned),
            Provider::Anthropic => joined(body.get("content")?, |block| {
                (block.get("type").and_then(Value::as_str) == Some("text"))
                    .then(|| block.get("text").and_then(Value::as_str))
                    .flatten()
            }),
            Provider::Google | Provider::Devin => {
                joined(body.pointer("/candidates/0/content/parts")?, |part| {
                    part.get("text").and_then(Value::as_str)
                })
            }
        }?;
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    }
}

/// What one call asks for.
#[derive(Debug)]
pub struct Call<'a> {
    /// The provider's address, without the API's own path.
    pub base: &'a str,
    /// The model, in the body or the path as the API wants it.
    pub model: &'a str,
    /// The longest answer, in tokens.
    pub max_tokens: u32,
    /// The masked, bounded prompt.
    pub prompt: &'a str,
    /// The API key; `None` for a server that takes none.
    pub key: Option<&'a str>,
}

/// Whether `base` is OpenAI's public API rather than a server that speaks its protocol.
fn is_openai_itself(base: &str) -> bool {
    let host = base
        .split_once("://")
        .map_or(base, |(_, rest)| rest)
        .split(['/', ':'])
        .next()
        .unwrap_or_default();
    host.eq_ignore_ascii_case("api.openai.com")
}

/// The texts `pick` finds in a list of parts, joined.
fn joined(parts: &Value, pick: impl Fn(&Value) -> Option<&str>) -> Option<String> {
    let texts: Vec<&str> = parts.as_array()?.iter().filter_map(pick).collect();
    (!texts.is_empty()).then(|| texts.concat())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Call, Provider};

    fn call(key: Option<&str>) -> Call<'_> {
        Call {
            base: "http://127.0.0.1:1/v1/",
            model: "m/x",
            max_tokens: 7,
            prompt: "p",
            key,
        }
    }

    #[test]
    fn each_provider_asks_at_its_own_path_with_its_own_key_header() {
        let header = |r: &crate::notify::http::Request, name: &str| {
            r.headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let openai = Provider::OpenAi.request(&call(Some("k"))).expect("json");
        assert_eq!(openai.url, "http://127.0.0.1:1/v1/chat/completions");
        assert_eq!(
            header(&openai, "authorization").as_deref(),
            Some("Bearer k")
        );
        let keyless = Provider::OpenAi.request(&call(None)).expect("json");
        assert_eq!(header(&keyless, "authorization"), None);
        let lite = Provider::LiteLlm.request(&call(Some("k"))).expect("json");
        assert_eq!(
            lite.url,
            "http://127.0.0.1:1/v1/openai/deployments/m%2Fx/chat/completions"
        );
        let claude = Provider::Anthropic.request(&call(Some("k"))).expect("json");
        assert_eq!(claude.url, "http://127.0.0.1:1/v1/v1/messages");
        assert_eq!(header(&claude, "x-api-key").as_deref(), Some("k"));
        assert_eq!(
            header(&claude, "anthropic-version").as_deref(),
            Some("2023-06-01")
        );
        let gemini = Provider::Google.request(&call(Some("k"))).expect("json");
        assert_eq!(
            gemini.url,
            "http://127.0.0.1:1/v1/v1beta/models/m%2Fx:generateContent"
        );
        assert_eq!(header(&gemini, "x-goog-api-key").as_deref(), Some("k"));
    }

    #[test]
    fn openai_itself_gets_the_new_name_of_the_token_limit_and_lookalikes_the_old_one() {
        let body = |provider: Provider, base: &str| -> serde_json::Value {
            let request = provider
                .request(&Call {
                    base,
                    ..call(Some("k"))
                })
                .expect("json");
            serde_json::from_slice(request.body.as_deref().expect("a body")).expect("json body")
        };
        let openai = body(Provider::OpenAi, "https://api.openai.com/v1");
        assert_eq!(openai["max_completion_tokens"], 7);
        assert!(openai.get("max_tokens").is_none(), "{openai}");
        for (provider, base) in [
            (Provider::OpenAi, "http://127.0.0.1:11434/v1"),
            (Provider::OpenAi, "https://api.openai.com.example.net/v1"),
            (Provider::LiteLlm, "https://api.openai.com/v1"),
        ] {
            let sent = body(provider, base);
            assert_eq!(sent["max_tokens"], 7, "{base}");
            assert!(sent.get("max_completion_tokens").is_none(), "{base}");
        }
    }

    #[test]
    fn answers_are_read_where_each_api_puts_them() {
        let openai = json!({"choices": [{"message": {"role": "assistant", "content": " hi "}}]});
        assert_eq!(Provider::OpenAi.answer(&openai).as_deref(), Some("hi"));
        let claude = json!({"content": [{"type": "thinking", "thinking": "x"}, {"type": "text", "text": "a"}, {"type": "text", "text": "b"}]});
        assert_eq!(Provider::Anthropic.answer(&claude).as_deref(), Some("ab"));
        let gemini =
            json!({"candidates": [{"content": {"parts": [{"text": "g"}], "role": "model"}}]});
        assert_eq!(Provider::Google.answer(&gemini).as_deref(), Some("g"));
        let empty = json!({"choices": [{"message": {"content": "  "}}]});
        assert_eq!(Provider::OpenAi.answer(&empty), None);
        assert_eq!(
            Provider::Google.answer(&json!({"promptFeedback": {}})),
            None
        );
    }

    #[test]
    fn names_are_read_in_any_case_and_devin_is_refused() {
        assert_eq!(Provider::from_name(" OpenAI "), Some(Provider::OpenAi));
        assert_eq!(Provider::from_name("gemini"), Some(Provider::Google));
        assert_eq!(Provider::from_name("bard"), None);
        assert!(Provider::Devin.refusal().is_some());
        assert!(Provider::LiteLlm.refusal().is_none());
    }
}
