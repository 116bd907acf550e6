//! The Slack Web API calls a run makes with a bot token, and Slack's way of failing.
//!
//! Every method answers HTTP 200 with `{"ok": false, "error": "…"}` when it refuses, so
//! [`Api::call`] turns such an answer into an error carrying Slack's code (and, for
//! `missing_scope`, the scope Slack says is `needed`). HTTP-level failures, such as 429
//! with `Retry-After` or a 5xx, are retried by [`Http`] like everywhere else.

use std::fmt::Write as _;

use serde_json::Value;

use crate::config::SecretString;
use crate::notify::NotifyError;
use crate::notify::http::{Http, HttpError, Method, Request as HttpRequest};
use crate::notify::slack::metadata::Metadata;

/// Messages asked for per `conversations.history` page. Slack allows up to 999 and
/// recommends 200; apps outside the Slack Marketplace may get fewer per page.
pub(super) const HISTORY_PAGE: usize = 200;

/// Pages read at most when looking for our earlier message: the search stops after the
/// newest 1,000 messages (or fewer when Slack gives smaller pages) and posts a new one.
pub(super) const HISTORY_PAGES: usize = 5;

/// The scopes `--comment update` needs on top of `chat:write`, for the hint.
const HISTORY_SCOPES: &str = "`channels:history` (public channels) or `groups:history` \
                              (private channels)";

/// The Web API for one channel.
pub(super) struct Api<'a> {
    pub http: &'a Http,
    pub base: &'a str,
    pub token: &'a SecretString,
    pub channel: &'a str,
}

/// Where a message is: what `chat.postMessage` and `chat.update` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Posted {
    pub channel: String,
    pub ts: String,
}

/// A failed call: transport or status, or Slack's refusal with its code.
pub(super) enum Failure {
    Http(HttpError),
    Refused {
        source: HttpError,
        code: String,
        /// `missing_scope`'s `needed`: the scope to add.
        needed: Option<String>,
    },
}

impl Failure {
    /// Slack's error code, when Slack refused.
    pub(super) fn code(&self) -> Option<&str> {
        match self {
            Failure::Refused { code, .. } => Some(code),
            Failure::Http(_) => None,
        }
    }

    /// The error for the user, with the hint for Slack's code.
    pub(super) fn into_error(self) -> NotifyError {
        match self {
            Failure::Http(source) => {
                let hint = match source.status() {
                    Some(429) => Some(
                        "Slack's rate limit was hit; apps outside the Slack Marketplace may call `conversations.history` only once a minute".to_owned(),
                    ),
                    Some(404) => {
                        Some("check `SLACK_API_URL`; Slack's Web API is `https://slack.com/api`".to_owned())
                    }
                    _ => source.hint().map(str::to_owned),
                };
                NotifyError {
                    kind: "Slack",
                    message: source.to_string(),
                    hint,
                }
            }
            Failure::Refused {
                source,
                code,
                needed,
            } => NotifyError {
                kind: "Slack",
                message: source.to_string(),
                hint: refusal_hint(&code, needed.as_deref()),
            },
        }
    }
}

impl Api<'_> {
    /// Posts a message (`body` without `channel`), as a reply when it has a `thread_ts`.
    pub(super) fn post(&self, mut body: Value) -> Result<Posted, Failure> {
        body["channel"] = Value::String(self.channel.to_owned());
        let reply = self.call(self.json(Method::Post, "chat.postMessage", &body)?)?;
        Ok(posted(&reply, self.channel))
    }

    /// Replaces the text, blocks, attachments and metadata of the message `ts`.
    pub(super) fn update(&self, ts: &str, mut body: Value) -> Result<Posted, Failure> {
        body["channel"] = Value::String(self.channel.to_owned());
        body["ts"] = Value::String(ts.to_owned());
        let reply = self.call(self.json(Method::Post, "chat.update", &body)?)?;
        Ok(posted(&reply, self.channel))
    }

    /// The newest top-level message of the channel that this token's bot posted about the
    /// same stack as `wanted`, among the latest [`HISTORY_PAGES`] pages.
    pub(super) fn find(&self, wanted: &Metadata) -> Result<Option<String>, Failure> {
        let me = self.call(HttpRequest::new(
            Method::Get,
            format!("{}/auth.test", self.base),
        ))?;
        let bot_id = me["bot_id"].as_str().unwrap_or_default();
        let user_id = me["user_id"].as_str().unwrap_or_default();
        let mut cursor: Option<String> = None;
        for _ in 0..HISTORY_PAGES {
            let mut url = format!(
                "{}/conversations.history?channel={}&limit={HISTORY_PAGE}&include_all_metadata=true",
                self.base,
                query_value(self.channel)
            );
            if let Some(cursor) = &cursor {
                url.push_str("&cursor=");
                url.push_str(&query_value(cursor));
            }
            let page = self.call(HttpRequest::new(Method::Get, url))?;
            let messages = page["messages"].as_array().map(Vec::as_slice);
            for message in messages.unwrap_or_default() {
                let by_us = (!bot_id.is_empty() && message["bot_id"] == bot_id)
                    || (!user_id.is_empty() && message["user"] == user_id);
                if by_us
                    && wanted.is_same_stack(&message["metadata"])
                    && let Some(ts) = message["ts"].as_str()
                {
                    return Ok(Some(ts.to_owned()));
                }
            }
            cursor = page["response_metadata"]["next_cursor"]
                .as_str()
                .filter(|c| !c.is_empty())
                .map(str::to_owned);
            if cursor.is_none() {
                break;
            }
        }
        Ok(None)
    }

    fn json(&self, method: Method, name: &str, body: &Value) -> Result<HttpRequest, Failure> {
        HttpRequest::json(method, format!("{}/{name}", self.base), body).map_err(|e| {
            Failure::Http(HttpError::InvalidRequest {
                method,
                url: name.to_owned(),
                message: e.to_string(),
            })
        })
    }

    /// Sends with the token; Slack's `ok: false` becomes [`Failure::Refused`].
    fn call(&self, request: HttpRequest) -> Result<Value, Failure> {
        let request = request.header("authorization", format!("Bearer {}", self.token.expose()));
        let response = self.http.send(&request).map_err(Failure::Http)?;
        let reply: Option<Value> = serde_json::from_slice(&response.body).ok();
        match reply {
            Some(reply) if reply["ok"] == true => Ok(reply),
            Some(reply) => Err(Failure::Refused {
                source: self.http.reject(&request, &response),
                code: reply["error"]
                    .as_str()
                    .unwrap_or("unknown_error")
                    .to_owned(),
                needed: reply["needed"].as_str().map(str::to_owned),
            }),
            None => Err(Failure::Http(self.http.reject(&request, &response))),
        }
    }
}

/// The place a post or update answered with; Slack always sends both on success.
fn posted(reply: &Value, channel: &str) -> Posted {
    Posted {
        channel: reply["channel"].as_str().unwrap_or(channel).to_owned(),
        ts: reply["ts"].as_str().unwrap_or_default().to_owned(),
    }
}

/// What to do about Slack's error `code`.
fn refusal_hint(code: &str, needed: Option<&str>) -> Option<String> {
    let hint = match code {
        "invalid_auth" | "not_authed" | "token_revoked" | "token_expired" | "account_inactive" => {
            "the token is invalid or revoked; use a bot token (`xoxb-…`) with the `chat:write` scope"
        }
        "not_in_channel" => {
            "invite the bot to the channel (`/invite @your-bot` in the channel), or give it the `chat:write.public` scope for public channels"
        }
        "channel_not_found" => {
            "check the channel ID (`notifier.slack.channel` or `SLACK_CHANNEL_ID`; the ID such as `C0123456789`, not the name); a private channel must have the bot as a member"
        }
        "missing_scope" => {
            let needed = needed.map_or_else(String::new, |n| format!("the token lacks `{n}`: "));
            return Some(format!(
                "{needed}add it to the Slack app's bot token scopes and reinstall the app; tfnotify needs `chat:write`, and {HISTORY_SCOPES} to find its earlier message for `--comment update`"
            ));
        }
        "cant_update_message" => {
            "only the app that posted a message can edit it; use the bot token of the app that posted the earlier message"
        }
        "thread_not_found" | "message_not_found" => {
            "the message was deleted while tfnotify was posting; run again to post a new one"
        }
        "is_archived" => "the channel is archived; post to another one",
        "invalid_blocks"
        | "invalid_attachments"
        | "too_many_attachments"
        | "msg_too_long"
        | "msg_blocks_too_long"
        | "invalid_metadata_format"
        | "invalid_metadata_schema"
        | "metadata_too_large" => {
            "Slack refused the message's shape; please report this as a tfnotify bug"
        }
        "ratelimited" => {
            "Slack's rate limit was hit; apps outside the Slack Marketplace may call `conversations.history` only once a minute"
        }
        _ => return None,
    };
    Some(hint.to_owned())
}

/// `text` as a query-string value: unreserved bytes as they are, the rest `%XX`.
fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{query_value, refusal_hint};

    #[test]
    fn cursors_are_encoded_for_the_query() {
        assert_eq!(
            query_value("dXNlcjpVMDYxTkZUVDI="),
            "dXNlcjpVMDYxTkZUVDI%3D"
        );
        assert_eq!(query_value("C0123456789"), "C0123456789");
        assert_eq!(query_value("a b&c"), "a%20b%26c");
    }

    #[test]
    fn missing_scope_names_the_scope_slack_asks_for() {
        let hint = refusal_hint("missing_scope", Some("channels:history")).expect("hint");
        assert!(
            hint.starts_with("the token lacks `channels:history`: add it"),
            "{hint}"
        );
        assert!(
            hint.contains("`groups:history` (private channels)"),
            "{hint}"
        );
        assert!(refusal_hint("missing_scope", None).is_some());
        assert_eq!(refusal_hint("something_new", None), None);
    }
}
