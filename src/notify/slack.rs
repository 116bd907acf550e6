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

use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::{Config, SecretString};
use crate::notify::http::{Http, HttpError, Method, Request as HttpRequest};
use crate::notify::{Delivery, Notifier, NotifyError, Request, Sent};
use crate::render::Flavor;

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

/// Room kept in each section for closing and reopening a code fence cut by a split.
const FENCE_ROOM: usize = 8;

/// Words Slack turns into a broadcast when `link_names` or `parse: full` is in effect.
const BROADCASTS: [&str; 3] = ["channel", "here", "everyone"];

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

/// Text Slack shows as written, whatever template produced it: every `<` that does not
/// open a web or mail link is escaped (so `<!channel>`, `<!here>`, `<@U123>`, `<#C1>` and
/// `<!subteam^…>` stay text), and `@channel`, `@here`, `@everyone` get an invisible word
/// joiner after the `@`. What the template already escaped (`&lt;`) is left alone.
pub fn defuse(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(len) = link_len(after) {
            out.push('<');
            out.push_str(&after[..len]);
            rest = &after[len..];
        } else {
            out.push_str("&lt;");
            rest = after;
        }
    }
    out.push_str(rest);
    let mut defused = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(i) = rest.find('@') {
        defused.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let broadcast = BROADCASTS.iter().any(|word| {
            rest.get(..word.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(word))
        });
        if broadcast {
            defused.push('\u{2060}');
        }
    }
    defused.push_str(rest);
    defused
}

/// The length up to and including the `>` of a `<http…|label>` or `<mailto:…>` link that
/// starts `text` (just after its `<`), when it is one: no `<` or line break inside, and no
/// space in the URL.
fn link_len(text: &str) -> Option<usize> {
    let end = text.find('>')?;
    let inner = &text[..end];
    let url = inner.split('|').next().unwrap_or(inner);
    let scheme = ["https://", "http://", "mailto:"]
        .iter()
        .any(|s| url.len() > s.len() && url[..s.len()].eq_ignore_ascii_case(s));
    let clean = !inner.contains(['<', '\n', '\r']) && !url.contains(char::is_whitespace);
    (scheme && clean).then_some(end + 1)
}

/// Section blocks for the message and the destroy warning, within every limit: each
/// section at most [`SECTION_LIMIT`] characters, at most [`MAX_BLOCKS`] blocks and
/// [`BLOCKS_BUDGET`] characters in all; what does not fit is cut with a note.
fn blocks(text: &str, warning: Option<&str>) -> Vec<Value> {
    let mut parts = sections(text);
    if let Some(warning) = warning {
        parts.push(String::new()); // a divider
        parts.extend(sections(warning));
    }
    let mut blocks = Vec::new();
    let mut used = 0;
    let mut cut = false;
    for part in parts {
        if part.is_empty() {
            blocks.push(json!({"type": "divider"}));
            continue;
        }
        let len = part.chars().count();
        if blocks.len() + 1 >= MAX_BLOCKS || used + len > BLOCKS_BUDGET {
            cut = true;
            break;
        }
        used += len;
        blocks.push(section(&part));
    }
    if cut {
        blocks.push(json!({
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "_The message was shortened to fit Slack's limits._"}],
        }));
    }
    blocks
}

fn section(text: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": text}})
}

/// `text` in pieces of at most [`SECTION_LIMIT`] characters, cut at line ends where it can
/// be, never inside an entity, and with a code fence cut by a split closed at the end of
/// one piece and reopened at the start of the next.
fn sections(text: &str) -> Vec<String> {
    let max = SECTION_LIMIT - FENCE_ROOM;
    let mut raw: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_len = 0;
    for line in text.split_inclusive('\n') {
        for piece in hard_split(line, max) {
            let len = piece.chars().count();
            if current_len + len > max && !current.is_empty() {
                raw.push(std::mem::take(&mut current));
                current_len = 0;
            }
            current.push_str(piece);
            current_len += len;
        }
    }
    if !current.is_empty() {
        raw.push(current);
    }
    let mut out = Vec::new();
    let mut open = false;
    for piece in raw {
        let mut text = if open {
            format!("```{piece}")
        } else {
            piece.clone()
        };
        if piece.matches("```").count() % 2 == 1 {
            open = !open;
        }
        if open {
            text = format!("{}```", text.trim_end_matches('\n'));
        }
        let text = text.trim_end().to_owned();
        if !text.trim().is_empty() && text != "``````" {
            out.push(text);
        }
    }
    out
}

/// `line` in pieces of at most `max` characters, never splitting an entity such as `&lt;`.
fn hard_split(line: &str, max: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = line;
    while rest.chars().count() > max {
        let mut end = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        if let Some(amp) = rest[..end].rfind('&')
            && end - amp < 8
            && !rest[amp..end].contains(';')
            && amp > 0
        {
            end = amp;
        }
        pieces.push(&rest[..end]);
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        pieces.push(rest);
    }
    pieces
}

/// At most `max` characters of `text`, never ending inside an entity, with `…` when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let pieces = hard_split(text, max - 1);
    format!("{}…", pieces.first().copied().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::{BLOCKS_BUDGET, MAX_BLOCKS, SECTION_LIMIT, blocks, defuse, sections, truncate};

    #[test]
    fn mentions_never_survive() {
        assert_eq!(
            defuse("<!channel> <@U123> <#C1> <!subteam^S1> a<b"),
            "&lt;!channel> &lt;@U123> &lt;#C1> &lt;!subteam^S1> a&lt;b"
        );
        assert_eq!(
            defuse("@here @Channel @everyone @bob"),
            "@\u{2060}here @\u{2060}Channel @\u{2060}everyone @bob"
        );
        // Links the template makes stay links; escaped text stays as it was.
        assert_eq!(
            defuse("<https://ci/1|CI link> &lt;x&gt;"),
            "<https://ci/1|CI link> &lt;x&gt;"
        );
        assert_eq!(
            defuse("<https://x|<!channel>>"),
            "&lt;https://x|&lt;!channel>>"
        );
        assert_eq!(defuse("<javascript:x|y>"), "&lt;javascript:x|y>");
    }

    #[test]
    fn long_text_is_cut_within_limits_and_fences_stay_balanced() {
        let body = "line &lt;x&gt; of a long plan\n".repeat(2_000);
        let text = format!("*Plan*\n```{body}```\ndone");
        let parts = sections(&text);
        assert!(parts.len() > 1);
        for part in &parts {
            assert!(part.chars().count() <= SECTION_LIMIT, "{}", part.len());
            assert_eq!(part.matches("```").count() % 2, 0, "{part}");
        }
        let all = blocks(&text, Some("warning"));
        assert!(all.len() <= MAX_BLOCKS);
        let total: usize = all
            .iter()
            .filter_map(|b| b["text"]["text"].as_str())
            .map(|t| t.chars().count())
            .sum();
        assert!(total <= BLOCKS_BUDGET);
        assert_eq!(
            all.last().map(|b| b["type"].clone()),
            Some("context".into())
        );
    }

    #[test]
    fn a_line_longer_than_a_section_is_split_outside_entities() {
        let text = "&lt;".repeat(2_000);
        for part in sections(&text) {
            assert!(part.chars().count() <= SECTION_LIMIT);
            assert!(part.starts_with("&lt;") && part.ends_with("&lt;"), "{part}");
        }
        let short = truncate(&text, 10);
        assert_eq!(short, "&lt;&lt;…");
    }
}
