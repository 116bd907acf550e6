//! Slack: one message per run, through an incoming webhook or a bot token.
//!
//! Two ways to post, chosen by what is configured. A bot token (`SLACK_TOKEN`,
//! `TFNOTIFY_SLACK_TOKEN`, or the classic `notifier.slack.token`) and a channel post with
//! `chat.postMessage`, which names the bot and reports precise errors; otherwise an incoming
//! webhook (`SLACK_WEBHOOK_URL`) posts to the channel it was made for. Both take the same
//! `{"text", "blocks"}` body.
//!
//! The message is our Slack `mrkdwn` text, already masked and within
//! [`Flavor::Slack`]'s limit. Here it is defused once more, whatever template made it, so
//! Terraform output can never form a mention (`<!channel>`, `<@U…>`, `@here`), then cut
//! into section blocks within Slack's documented limits.

mod blocks;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::{Config, SecretString};
use crate::notify::http::{Http, HttpError, Method, Request as HttpRequest};
use crate::notify::{Delivery, Notifier, NotifyError, Request, Sent};
use crate::render::Flavor;

pub use blocks::defuse;
use blocks::{blocks, truncate};

/// The Web API's base when `SLACK_API_URL` does not name a proxy.
pub const DEFAULT_API_URL: &str = "https://slack.com/api";

/// Longest text of one section block, in characters; Slack refuses longer with
/// `invalid_blocks`.
pub const SECTION_LIMIT: usize = 3_000;

/// Most blocks Slack accepts in one message.
pub const MAX_BLOCKS: usize = 50;

/// Most characters put in all blocks together. Slack documents 50 sections of 3,000
/// characters but refuses payloads of about 13,000 with `msg_blocks_too_long`
/// (slackapi/bolt-js#2509), so we stay well under that.
pub const BLOCKS_BUDGET: usize = 11_000;

/// Longest notification fallback (`text`), in characters. Slack truncates at 40,000; the
/// fallback is only a preview, so it gets the size of one section.
pub const TEXT_LIMIT: usize = 3_000;

/// Where a message goes.
enum Route {
    /// An incoming webhook: the URL is the endpoint and the credential.
    Webhook { url: SecretString },
    /// `chat.postMessage` with a bot token.
    Api {
        base: String,
        token: SecretString,
        channel: String,
        username: Option<String>,
    },
}

/// What a `notifiers:` entry of type `slack` may set, and the variables each replaces.
#[rustfmt::skip]
pub const SETTINGS: &[crate::notify::Setting] = &[
    crate::notify::Setting { key: "webhook_url", env: &["SLACK_WEBHOOK_URL"], doc: "Incoming webhook URL." },
    crate::notify::Setting { key: "token", env: &["TFNOTIFY_SLACK_TOKEN", "SLACK_TOKEN", "SLACK_BOT_TOKEN"], doc: "Bot token (`chat:write`); with `channel`, posts through the Web API." },
    crate::notify::Setting { key: "channel", env: &["SLACK_CHANNEL_ID"], doc: "Channel id for the bot token." },
    crate::notify::Setting { key: "bot", env: &["SLACK_BOT_NAME"], doc: "Name shown on the message (needs `chat:write.customize`)." },
    crate::notify::Setting { key: "base_url", env: &["SLACK_API_URL"], doc: "Web API URL." },
];

/// The Slack notifier, resolved from the config and the environment.
pub struct Slack {
    route: Route,
    /// Every credential found, used or not: all are masked in what leaves the machine.
    secrets: Vec<String>,
}

/// `chat.postMessage`'s answer; HTTP 200 whether it worked or not.
#[derive(Debug, Deserialize)]
struct ApiReply {
    ok: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    ts: Option<String>,
}

impl Slack {
    /// The notifier for this run: a bot token and a channel mean `chat.postMessage`,
    /// otherwise a webhook URL is needed. `env` reads tokens and URLs.
    pub fn build(
        config: &Config,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Slack, NotifyError> {
        let classic = config.notifier.slack.as_ref();
        let nonempty = crate::notify::non_empty;
        let token = nonempty(env("TFNOTIFY_SLACK_TOKEN"))
            .or_else(|| nonempty(classic.map(|s| s.token.expose().to_owned())))
            .or_else(|| nonempty(env("SLACK_TOKEN")))
            .or_else(|| nonempty(env("SLACK_BOT_TOKEN")));
        let channel = nonempty(classic.map(|s| s.channel.clone()))
            .or_else(|| nonempty(env("SLACK_CHANNEL_ID")));
        let username =
            nonempty(classic.map(|s| s.bot.clone())).or_else(|| nonempty(env("SLACK_BOT_NAME")));
        let webhook = nonempty(env("SLACK_WEBHOOK_URL"));
        let secrets: Vec<String> = token.iter().chain(webhook.iter()).cloned().collect();
        let route = match (token, channel, webhook) {
            (Some(token), Some(channel), _) => Route::Api {
                base: nonempty(env("SLACK_API_URL"))
                    .unwrap_or_else(|| DEFAULT_API_URL.to_owned())
                    .trim_end_matches('/')
                    .to_owned(),
                token: SecretString::new(token),
                channel,
                username,
            },
            (_, _, Some(url)) => {
                if !crate::notify::is_http_url(&url) {
                    return Err(error(
                        "`SLACK_WEBHOOK_URL` is not an http(s) URL".to_owned(),
                        Some(
                            "copy the webhook URL from the Slack app's \"Incoming Webhooks\" page; it starts with `https://hooks.slack.com/services/`",
                        ),
                    ));
                }
                Route::Webhook {
                    url: SecretString::new(url),
                }
            }
            (Some(_), None, None) => {
                return Err(error(
                    "no channel to post to".to_owned(),
                    Some(
                        "set `notifier.slack.channel` in the config or `SLACK_CHANNEL_ID` (the channel's ID, such as `C0123456789`)",
                    ),
                ));
            }
            (None, _, None) => {
                return Err(error(
                    "no webhook URL or token".to_owned(),
                    Some(
                        "set `SLACK_WEBHOOK_URL`, or `SLACK_TOKEN` (a bot token with the `chat:write` scope) and `SLACK_CHANNEL_ID`",
                    ),
                ));
            }
        };
        Ok(Slack { route, secrets })
    }

    /// Posts through the webhook; it answers a plain `ok`, and errors as 4xx text.
    fn post_webhook(http: &Http, url: &SecretString, body: &Value) -> Result<Sent, NotifyError> {
        let request = HttpRequest::json(Method::Post, url.expose(), body)
            .map_err(|e| error(format!("could not encode the message: {e}"), None))?;
        http.send(&request).map_err(|e| http_error(&e, None))?;
        Ok(Sent {
            action: "posted".to_owned(),
            url: None,
            warnings: Vec::new(),
        })
    }

    /// Posts with `chat.postMessage`, which answers 200 `{"ok": false, "error"}` on failure.
    fn post_api(
        http: &Http,
        base: &str,
        token: &SecretString,
        body: &Value,
    ) -> Result<Sent, NotifyError> {
        let request = HttpRequest::json(Method::Post, format!("{base}/chat.postMessage"), body)
            .map_err(|e| error(format!("could not encode the message: {e}"), None))?
            .header("authorization", format!("Bearer {}", token.expose()));
        let response = http.send(&request).map_err(|e| http_error(&e, None))?;
        let reply: Option<ApiReply> = serde_json::from_slice(&response.body).ok();
        match reply {
            Some(reply) if reply.ok => {
                let place = reply.channel.unwrap_or_default();
                let ts = reply.ts.map(|ts| format!(" (ts {ts})")).unwrap_or_default();
                Ok(Sent {
                    action: format!("posted to {place}{ts}").trim_end().to_owned(),
                    url: None,
                    warnings: Vec::new(),
                })
            }
            Some(reply) => Err(http_error(
                &http.reject(&request, &response),
                reply.error.as_deref(),
            )),
            None => Err(http_error(&http.reject(&request, &response), None)),
        }
    }
}

/// The Slack notifier when the run asks for it: `--notifier slack`, a `notifier.slack`
/// block in the config, `SLACK_WEBHOOK_URL`, or a Slack token with a channel in the
/// environment.
pub(crate) fn from_request(
    request: &Request<'_>,
) -> Option<Result<Box<dyn Notifier>, NotifyError>> {
    let set = |name: &str| crate::notify::env_is_set(request.env, name);
    let wanted = request.wants("slack", || {
        request.config.notifier.slack.is_some()
            || set("SLACK_WEBHOOK_URL")
            || ((set("SLACK_TOKEN") || set("TFNOTIFY_SLACK_TOKEN")) && set("SLACK_CHANNEL_ID"))
    });
    wanted.then(|| {
        Slack::build(request.config, request.env).map(|slack| Box::new(slack) as Box<dyn Notifier>)
    })
}

impl Notifier for Slack {
    fn kind(&self) -> &'static str {
        "Slack"
    }

    fn flavor(&self) -> Flavor {
        Flavor::Slack
    }

    fn limit(&self) -> usize {
        Flavor::Slack.limit()
    }

    fn secrets(&self) -> Vec<String> {
        self.secrets.clone()
    }

    fn send(&self, http: &Http, delivery: &Delivery<'_>) -> Result<Sent, NotifyError> {
        let text = (delivery.render)(&[]).map_err(|message| error(message, None))?;
        let text = defuse(text.trim_end());
        if text.trim().is_empty() {
            return Ok(Sent {
                action: "skipped: the message is empty".to_owned(),
                ..Sent::default()
            });
        }
        let warning = delivery
            .destroy_warning
            .filter(|_| delivery.report.has_destroy)
            .map(|w| defuse(w.trim()))
            .filter(|w| !w.is_empty());
        let blocks = blocks(&text, warning.as_deref());
        let fallback = truncate(&text, TEXT_LIMIT);
        match &self.route {
            Route::Webhook { url } => {
                let body = json!({
                    "text": fallback,
                    "blocks": blocks,
                    "unfurl_links": false,
                    "unfurl_media": false,
                });
                Slack::post_webhook(http, url, &body)
            }
            Route::Api {
                base,
                token,
                channel,
                username,
            } => {
                let mut body = json!({
                    "channel": channel,
                    "text": fallback,
                    "blocks": blocks,
                    "link_names": false,
                    "unfurl_links": false,
                    "unfurl_media": false,
                });
                if let (Some(name), Some(map)) = (username, body.as_object_mut()) {
                    map.insert("username".to_owned(), Value::String(name.clone()));
                }
                Slack::post_api(http, base, token, &body)
            }
        }
    }
}

fn error(message: String, hint: Option<&str>) -> NotifyError {
    NotifyError::new("Slack", message, hint)
}

/// An HTTP failure, or an API refusal with Slack's error `code`, with the hint a user needs.
fn http_error(source: &HttpError, code: Option<&str>) -> NotifyError {
    let hint = match code {
        Some(
            "invalid_auth" | "not_authed" | "token_revoked" | "token_expired" | "account_inactive",
        ) => Some(
            "the token is invalid or revoked; use a bot token (`xoxb-…`) with the `chat:write` scope",
        ),
        Some("not_in_channel") => Some(
            "invite the bot to the channel (`/invite @your-bot` in the channel), or give it the `chat:write.public` scope for public channels",
        ),
        Some("channel_not_found") => Some(
            "check the channel ID (`notifier.slack.channel` or `SLACK_CHANNEL_ID`; the ID such as `C0123456789`, not the name); a private channel must have the bot as a member",
        ),
        Some("missing_scope") => {
            Some("add the `chat:write` scope to the Slack app and reinstall it")
        }
        Some("is_archived") => Some("the channel is archived; post to another one"),
        Some("invalid_blocks" | "msg_too_long" | "msg_blocks_too_long") => {
            Some("Slack refused the message's shape; please report this as a tfnotify bug")
        }
        Some(_) => None,
        None => match source.status() {
            Some(403 | 404) => Some(
                "the webhook URL is revoked or wrong; create a new one in the Slack app's \"Incoming Webhooks\" page",
            ),
            Some(410) => Some("the webhook's channel is archived"),
            Some(400) => {
                Some("Slack refused the message's shape; please report this as a tfnotify bug")
            }
            _ => None,
        },
    };
    error(source.to_string(), hint)
}
