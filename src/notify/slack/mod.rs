//! Slack: one message per run, through an incoming webhook or a bot token; with a bot token
//! also a summary with the details in its thread, and one living message per stack.
//!
//! Two ways to post, chosen by what is configured. A bot token (`SLACK_TOKEN`,
//! `TFNOTIFY_SLACK_TOKEN`, or the classic `notifier.slack.token`) and a channel post with
//! `chat.postMessage`, which names the bot and reports precise errors; otherwise an incoming
//! webhook (`SLACK_WEBHOOK_URL`) posts to the channel it was made for. Both take the same
//! body: one attachment holding the blocks, so Slack draws a bar coloured by the outcome
//! beside them (see `color`), with the plain text as the attachment's `fallback`.
//!
//! Only the Web API knows where a message went, so only a bot token can thread (`thread`:
//! a one-line summary in the channel, the details as a reply in its thread, see `summary`)
//! and update (`--comment update`: find our earlier message of the same stack by its
//! metadata, see `metadata`, and edit it with `chat.update`). With a webhook, those
//! settings post the whole message as usual and say why in a warning.
//!
//! The message is our Slack `mrkdwn` text, already masked and within
//! [`Flavor::Slack`]'s limit. Here it is defused once more, whatever template made it, so
//! Terraform output can never form a mention (`<!channel>`, `<@U…>`, `@here`), then cut
//! into section blocks within Slack's documented limits (see `blocks`).

mod api;
mod blocks;
pub(crate) mod color;
mod metadata;
mod summary;

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::config::SecretString;
use crate::notify::github::Behaviour;
use crate::notify::http::{Http, HttpError, Method, Request as HttpRequest};
use crate::notify::{Delivery, Notifier, NotifyError, Request, Sent};
use crate::render::Flavor;

use api::{Api, Failure, Posted};
pub use blocks::defuse;
use metadata::Metadata;

/// The Web API's base when `SLACK_API_URL` does not name a proxy.
pub const DEFAULT_API_URL: &str = "https://slack.com/api";

/// Longest text of one section block, in characters; Slack refuses longer with
/// `invalid_blocks`.
pub const SECTION_LIMIT: usize = 3_000;

/// Most blocks put in one message. Slack accepts 50 per message, and its developers
/// believe the same of an attachment, but users have seen `invalid_attachments` above 20
/// blocks in one attachment (slackapi/bolt-python#914), so we stay at 20; the
/// [`BLOCKS_BUDGET`] keeps a message near 10 blocks anyway.
pub const MAX_BLOCKS: usize = 20;

/// Most characters put in all blocks together. Slack documents 50 sections of 3,000
/// characters but refuses payloads of about 13,000 with `msg_blocks_too_long`
/// (slackapi/bolt-js#2509), so we stay well under that.
pub const BLOCKS_BUDGET: usize = 11_000;

/// Longest notification fallback (the attachment's `fallback`), in characters. It is only
/// a preview, so it gets the size of one section.
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
    crate::notify::Setting { key: "webhook_url", env: &["SLACK_WEBHOOK_URL"], one_of: &[], doc: "Incoming webhook URL." },
    crate::notify::Setting { key: "token", env: &["TFNOTIFY_SLACK_TOKEN", "SLACK_TOKEN", "SLACK_BOT_TOKEN"], one_of: &[], doc: "Bot token (`chat:write`); with `channel`, posts through the Web API." },
    crate::notify::Setting { key: "channel", env: &["SLACK_CHANNEL_ID"], one_of: &[], doc: "Channel id for the bot token." },
    crate::notify::Setting { key: "bot", env: &["SLACK_BOT_NAME"], one_of: &[], doc: "Name shown on the message (needs `chat:write.customize`)." },
    crate::notify::Setting { key: "base_url", env: &["SLACK_API_URL"], one_of: &[], doc: "Web API URL." },
    crate::notify::Setting { key: "thread", env: &["SLACK_THREAD"], one_of: &[], doc: "`true`: a one-line summary in the channel, the details in its thread (bot token only)." },
];

/// The Slack notifier, resolved from the config and the environment.
pub struct Slack {
    route: Route,
    /// Every credential found, used or not: all are masked in what leaves the machine.
    secrets: Vec<String>,
    /// `thread`: the channel gets a summary line and the details go in its thread.
    thread: bool,
    /// `--comment update`: edit our earlier message of the same stack.
    update: bool,
    /// What the message is about, posted as its metadata.
    about: Metadata,
    /// The CI job, for the summary's link.
    link: Option<String>,
}

/// One message's body parts: the blocks, the colour of the bar beside them and the
/// notification fallback.
struct Body {
    fallback: String,
    color: &'static str,
    blocks: Vec<Value>,
}

impl Body {
    /// The message's one attachment: the blocks with the coloured bar beside them, and the
    /// text (cut) for notifications and screen readers as its `fallback`.
    ///
    /// No top-level `text` goes with it: Slack shows a top-level `text` above the
    /// attachment (it is only a notification fallback when top-level blocks are present),
    /// so the message would be shown twice.
    fn attachments(&self) -> Value {
        json!([{
            "color": self.color,
            "fallback": self.fallback,
            "blocks": self.blocks,
        }])
    }

    /// The incoming webhook's body.
    fn for_webhook(&self) -> Value {
        json!({
            "attachments": self.attachments(),
            "unfurl_links": false,
            "unfurl_media": false,
        })
    }

    /// The Web API body: `link_names: false` so no name becomes a mention.
    fn for_api(&self, username: Option<&String>) -> Value {
        let mut body = json!({
            "attachments": self.attachments(),
            "link_names": false,
            "unfurl_links": false,
            "unfurl_media": false,
        });
        if let Some(name) = username {
            body["username"] = Value::String(name.clone());
        }
        body
    }
}

/// A Web API body made fit for `chat.update`. The name shown was chosen when the message
/// was posted, so `username` goes; and `chat.update` keeps the `blocks` of a message when
/// it is not given them, so `blocks: []` and an empty `text` clear what a message posted
/// before the colour bar (top-level blocks and text) still carries.
fn as_edit(mut body: Value) -> Value {
    if let Some(map) = body.as_object_mut() {
        map.remove("username");
        map.insert("blocks".to_owned(), json!([]));
        map.insert("text".to_owned(), json!(""));
    }
    body
}

impl Slack {
    /// The notifier for this run: a bot token and a channel mean the Web API, otherwise a
    /// webhook URL is needed. Settings are read through `request.env`.
    pub fn build(request: &Request<'_>) -> Result<Slack, NotifyError> {
        let env = request.env;
        let classic = request.config.notifier.slack.as_ref();
        let nonempty = crate::notify::non_empty;
        let token = nonempty(env("TFNOTIFY_SLACK_TOKEN"))
            .or_else(|| nonempty(classic.map(|s| s.token.expose().to_owned())))
            .or_else(|| nonempty(env("SLACK_TOKEN")))
            .or_else(|| nonempty(env("SLACK_BOT_TOKEN")));
        let channel = nonempty(classic.map(|s| s.channel.clone()))
            .or_else(|| nonempty(env("SLACK_CHANNEL_ID")));
        let username =
            nonempty(classic.map(|s| s.bot.clone())).or_else(|| nonempty(env("SLACK_BOT_NAME")));
        let webhook = nonempty(env("SLACK_WEBHOOK_URL"))
            .or_else(|| nonempty(classic.map(|s| s.webhook_url.expose().to_owned())));
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
        let thread = crate::notify::env_flag(env, "SLACK_THREAD").map_err(|message| {
            error(
                message,
                Some("set `SLACK_THREAD` to `true` (a summary with the details in its thread) or `false`"),
            )
        })?;
        let ci = request.ci;
        let repo = match (nonempty(ci.owner.clone()), nonempty(ci.repo.clone())) {
            (Some(owner), Some(repo)) => Some(format!("{owner}/{repo}")),
            (None, repo) => repo,
            (Some(_), None) => None,
        };
        Ok(Slack {
            route,
            secrets,
            thread,
            update: request.options.behaviour == Some(Behaviour::Update),
            about: Metadata {
                command: request.command.as_str().to_owned(),
                target: nonempty(request.vars.get("target").cloned()),
                repo,
                pr: ci.pr_number,
                sha: nonempty(ci.sha.clone()),
            },
            link: nonempty(ci.build_url.clone()),
        })
    }

    /// Posts through the webhook; it answers a plain `ok`, and errors as 4xx text.
    fn post_webhook(
        &self,
        http: &Http,
        url: &SecretString,
        body: &Body,
    ) -> Result<Sent, NotifyError> {
        let request = HttpRequest::json(Method::Post, url.expose(), &body.for_webhook())
            .map_err(|e| error(format!("could not encode the message: {e}"), None))?;
        http.send(&request).map_err(|e| webhook_error(&e))?;
        let mut warnings = Vec::new();
        if self.thread {
            warnings.push(
                "`thread` needs a bot token: an incoming webhook cannot reply in a thread, so the whole message was posted in the channel; set `SLACK_TOKEN` and `SLACK_CHANNEL_ID` to thread".to_owned(),
            );
        }
        if self.update {
            warnings.push(
                "`--comment update` needs a bot token: an incoming webhook cannot edit a message, so a new one was posted; set `SLACK_TOKEN` and `SLACK_CHANNEL_ID` to update".to_owned(),
            );
        }
        Ok(Sent {
            action: "posted".to_owned(),
            url: None,
            warnings,
        })
    }

    /// Posts with the Web API: finds the earlier message to update when asked, writes the
    /// summary or the whole message with our metadata, then the details in the thread.
    fn post_api(
        &self,
        api: &Api<'_>,
        username: Option<&String>,
        delivery: &Delivery<'_>,
        details: &Body,
    ) -> Result<Sent, Failure> {
        let about = self.about.masked(delivery.masker);
        let earlier = if self.update { api.find(&about)? } else { None };
        let summary;
        let first = if self.thread {
            summary = self.summary(delivery, &about);
            &summary
        } else {
            details
        };
        let mut body = first.for_api(username);
        body["metadata"] = about.to_json();
        let mut warnings = Vec::new();
        let (verb, parent) = match earlier {
            Some(ts) => match api.update(&ts, as_edit(body.clone())) {
                Ok(posted) => ("updated in", posted),
                Err(failure) if failure.code() == Some("message_not_found") => {
                    warnings.push(format!(
                            "the earlier message (ts {ts}) was deleted while tfnotify was updating it; posted a new one"
                        ));
                    ("posted to", api.post(body)?)
                }
                Err(failure) => return Err(failure),
            },
            None => ("posted to", api.post(body)?),
        };
        let Posted { channel, ts } = parent;
        let mut action = format!("{verb} {channel} (ts {ts})");
        if self.thread {
            let mut reply = details.for_api(username);
            reply["thread_ts"] = Value::String(ts);
            let posted = api.post(reply)?;
            let _ = write!(action, ", details in its thread (ts {})", posted.ts);
        }
        Ok(Sent {
            action,
            url: None,
            warnings,
        })
    }

    /// The channel's line for a threaded post, masked and defused like any message, with
    /// the same colour as the details.
    fn summary(&self, delivery: &Delivery<'_>, about: &Metadata) -> Body {
        let line = summary::line(delivery.report, about, self.link.as_deref());
        let line = defuse(&delivery.masker.mask(&line));
        let shown = blocks::truncate(&line, SECTION_LIMIT);
        Body {
            fallback: blocks::truncate(&line, TEXT_LIMIT),
            color: color::for_report(delivery.report),
            blocks: vec![
                blocks::section(&shown),
                json!({
                    "type": "context",
                    "elements": [{"type": "mrkdwn", "text": "Details in the thread."}],
                }),
            ],
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
    wanted.then(|| Slack::build(request).map(|slack| Box::new(slack) as Box<dyn Notifier>))
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
        let details = Body {
            fallback: blocks::truncate(&text, TEXT_LIMIT),
            color: color::for_report(delivery.report),
            blocks: blocks::blocks(&text, warning.as_deref()),
        };
        match &self.route {
            Route::Webhook { url } => self.post_webhook(http, url, &details),
            Route::Api {
                base,
                token,
                channel,
                username,
            } => {
                let api = Api {
                    http,
                    base,
                    token,
                    channel,
                };
                self.post_api(&api, username.as_ref(), delivery, &details)
                    .map_err(Failure::into_error)
            }
        }
    }
}

fn error(message: String, hint: Option<&str>) -> NotifyError {
    NotifyError::new("Slack", message, hint)
}

/// An incoming webhook's failure, with the hint a user needs; webhooks answer errors as
/// plain text with a 4xx status.
fn webhook_error(source: &HttpError) -> NotifyError {
    let hint = match source.status() {
        Some(403 | 404) => Some(
            "the webhook URL is revoked or wrong; create a new one in the Slack app's \"Incoming Webhooks\" page",
        ),
        Some(410) => Some("the webhook's channel is archived"),
        Some(400) => {
            Some("Slack refused the message's shape; please report this as a tfnotify bug")
        }
        _ => source.hint(),
    };
    error(source.to_string(), hint)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Body, as_edit};

    fn body() -> Body {
        Body {
            fallback: "*Plan* 1 to add".to_owned(),
            color: "#1d76db",
            blocks: vec![
                json!({"type": "section", "text": {"type": "mrkdwn", "text": "*Plan* 1 to add"}}),
            ],
        }
    }

    #[test]
    fn the_blocks_go_in_one_coloured_attachment_and_nothing_is_shown_twice() {
        let name = "terraform".to_owned();
        for posted in [body().for_webhook(), body().for_api(Some(&name))] {
            assert_eq!(posted.get("text"), None, "{posted}");
            assert_eq!(posted.get("blocks"), None, "{posted}");
            assert_eq!(
                posted["attachments"],
                json!([{
                    "color": "#1d76db",
                    "fallback": "*Plan* 1 to add",
                    "blocks": body().blocks,
                }])
            );
            assert_eq!(posted["unfurl_links"], false);
        }
        assert_eq!(body().for_api(Some(&name))["link_names"], false);
        assert_eq!(body().for_api(Some(&name))["username"], "terraform");
    }

    #[test]
    fn an_edit_clears_what_an_older_message_had_at_the_top_level() {
        let name = "terraform".to_owned();
        let edit = as_edit(body().for_api(Some(&name)));
        assert_eq!(edit.get("username"), None);
        assert_eq!(edit["blocks"], json!([]));
        assert_eq!(edit["text"], "");
        assert_eq!(edit["attachments"][0]["color"], "#1d76db");
    }
}
