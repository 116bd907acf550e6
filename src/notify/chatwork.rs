//! Chatwork: one message per run in a room, through API v2.
//!
//! `POST {base}/rooms/{room_id}/messages` with the `X-ChatWorkToken` header and a form body
//! `body=…`. The text is our Chatwork template's `[info]` notation, already masked and cut
//! to [`Flavor::Chatwork`]'s limit; the template escapes `[` in Terraform's words, so
//! resource names can never form `[toall]` or `[To:…]`. Mentions are only what the user
//! asked for: `CHATWORK_MENTION_ON_DESTROY` names account ids to address with `[To:id]` when
//! the plan destroys something.

use std::fmt::Write as _;

use serde::Deserialize;

use crate::config::SecretString;
use crate::notify::http::{Http, HttpError, Method, Request as HttpRequest};
use crate::notify::{Delivery, Notifier, NotifyError, Request, Sent};
use crate::render::Flavor;

/// The API's base when `CHATWORK_API_URL` does not name another.
pub const DEFAULT_API_URL: &str = "https://api.chatwork.com/v2";

/// What a `notifiers:` entry of type `chatwork` may set, and the variables each replaces.
#[rustfmt::skip]
pub const SETTINGS: &[crate::notify::Setting] = &[
    crate::notify::Setting { key: "token", env: &["TFNOTIFY_CHATWORK_TOKEN", "CHATWORK_API_TOKEN"], one_of: &[], doc: "API token." },
    crate::notify::Setting { key: "room_id", env: &["CHATWORK_ROOM_ID"], one_of: &[], doc: "Room id (the number after `#!rid`)." },
    crate::notify::Setting { key: "mention_on_destroy", env: &["CHATWORK_MENTION_ON_DESTROY"], one_of: &[], doc: "Account ids, comma-separated, addressed when a plan destroys." },
    crate::notify::Setting { key: "base_url", env: &["CHATWORK_API_URL"], one_of: &[], doc: "API URL." },
];

/// The Chatwork notifier, resolved from the environment.
pub struct Chatwork {
    base: String,
    token: SecretString,
    room: String,
    /// Account ids addressed when the plan destroys something.
    mention_on_destroy: Vec<String>,
}

/// Chatwork's answer to a posted message.
#[derive(Debug, Deserialize)]
struct Posted {
    message_id: String,
}

impl Chatwork {
    /// The notifier for this run; a token and a room id are both needed.
    pub fn build(env: &dyn Fn(&str) -> Option<String>) -> Result<Chatwork, NotifyError> {
        let read = |name: &str| crate::notify::non_empty(env(name));
        let token = read("TFNOTIFY_CHATWORK_TOKEN").or_else(|| read("CHATWORK_API_TOKEN"));
        let Some(token) = token else {
            return Err(error(
                "no API token".to_owned(),
                Some(
                    "set `CHATWORK_API_TOKEN` to a token from Chatwork's \"Service integration\" > \"API token\" page",
                ),
            ));
        };
        let Some(room) = read("CHATWORK_ROOM_ID") else {
            return Err(error(
                "no room to post to".to_owned(),
                Some("set `CHATWORK_ROOM_ID` to the number after `#!rid` in the room's URL"),
            ));
        };
        if !room.chars().all(|c| c.is_ascii_digit()) {
            return Err(error(
                format!("the room id `{room}` is not a number"),
                Some("use the number after `#!rid` in the room's URL"),
            ));
        }
        let mention_on_destroy = read("CHATWORK_MENTION_ON_DESTROY")
            .map(|ids| {
                ids.split(',')
                    .map(str::trim)
                    .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let base = read("CHATWORK_API_URL")
            .unwrap_or_else(|| DEFAULT_API_URL.to_owned())
            .trim_end_matches('/')
            .to_owned();
        Ok(Chatwork {
            base,
            token: SecretString::new(token),
            room,
            mention_on_destroy,
        })
    }
}

/// The Chatwork notifier when the run asks for it: `--notifier chatwork`, or a Chatwork
/// token in the environment.
pub(crate) fn from_request(
    request: &Request<'_>,
) -> Option<Result<Box<dyn Notifier>, NotifyError>> {
    let set = |name: &str| crate::notify::env_is_set(request.env, name);
    let wanted = request.wants("chatwork", || {
        set("CHATWORK_API_TOKEN") || set("TFNOTIFY_CHATWORK_TOKEN")
    });
    wanted.then(|| Chatwork::build(request.env).map(|c| Box::new(c) as Box<dyn Notifier>))
}

impl Notifier for Chatwork {
    fn kind(&self) -> &'static str {
        "Chatwork"
    }

    fn flavor(&self) -> Flavor {
        Flavor::Chatwork
    }

    fn limit(&self) -> usize {
        Flavor::Chatwork.limit()
    }

    fn secrets(&self) -> Vec<String> {
        vec![self.token.expose().to_owned()]
    }

    fn send(&self, http: &Http, delivery: &Delivery<'_>) -> Result<Sent, NotifyError> {
        let text = (delivery.render)(&[]).map_err(|message| error(message, None))?;
        let text = text.trim();
        if text.is_empty() {
            return Ok(Sent {
                action: "skipped: the message is empty".to_owned(),
                ..Sent::default()
            });
        }
        let mut body = String::new();
        if delivery.report.has_destroy {
            for id in &self.mention_on_destroy {
                let _ = write!(body, "[To:{id}]");
            }
            if !body.is_empty() {
                body.push('\n');
            }
        }
        body.push_str(text);
        if let Some(warning) = delivery
            .destroy_warning
            .filter(|_| delivery.report.has_destroy)
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            body.push_str("\n[hr]");
            body.push_str(warning);
        }
        let url = format!("{}/rooms/{}/messages", self.base, self.room);
        let mut request = HttpRequest::new(Method::Post, url)
            .header("x-chatworktoken", self.token.expose())
            .header("content-type", "application/x-www-form-urlencoded");
        request.body = Some(std::sync::Arc::new(
            format!("body={}&self_unread=0", form_encode(&body)).into_bytes(),
        ));
        let response = http.send(&request).map_err(|e| http_error(&e))?;
        let posted: Option<Posted> = serde_json::from_slice(&response.body).ok();
        Ok(Sent {
            action: match posted {
                Some(p) => format!("posted (message {})", p.message_id),
                None => "posted".to_owned(),
            },
            url: None,
            warnings: Vec::new(),
        })
    }
}

fn error(message: String, hint: Option<&str>) -> NotifyError {
    NotifyError::new("Chatwork", message, hint)
}

/// An HTTP failure with the hint for Chatwork's usual causes; the message already carries
/// Chatwork's own `{"errors": […]}` text.
fn http_error(source: &HttpError) -> NotifyError {
    let hint = match source.status() {
        Some(401) => Some(
            "the API token is invalid; check `CHATWORK_API_TOKEN` (Chatwork's \"Service integration\" > \"API token\")",
        ),
        Some(403) => {
            Some("the token's account cannot post in this room; add it as a member who may write")
        }
        Some(404) => Some(
            "the room does not exist or the token's account is not a member; check `CHATWORK_ROOM_ID`",
        ),
        Some(429) => Some(
            "Chatwork's rate limit (about 300 requests per 5 minutes) was hit; try again later",
        ),
        Some(400) => Some("Chatwork refused the message; please report this as a tfnotify bug"),
        _ => source.hint(),
    };
    error(source.to_string(), hint)
}

/// `text` as an `application/x-www-form-urlencoded` value: unreserved bytes as they are,
/// everything else (UTF-8 bytes included) as `%XX`.
pub fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3 / 2);
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
    use super::form_encode;

    #[test]
    fn form_values_are_percent_encoded() {
        assert_eq!(form_encode("a b&c=d+é\n"), "a%20b%26c%3Dd%2B%C3%A9%0A");
        assert_eq!(form_encode("A-z_0.~"), "A-z_0.~");
    }
}
