//! Mattermost: one message per run, through a Slack-compatible incoming webhook.
//!
//! The webhook is `MATTERMOST_WEBHOOK_URL` or the classic config's
//! `notifier.mattermost.webhook`; its `channel` and `bot` become the body's `channel` and
//! `username` (the webhook must allow overriding them). The body is one Slack-style
//! attachment whose `text` is our Slack-flavoured text, which Mattermost's Markdown shows
//! well enough, beside a bar coloured by the outcome (the same colours as Slack's), with a
//! `fallback` for notifications. There is no top-level `text`: Mattermost would show it
//! above the attachment, so the message would appear twice. Attachments live in the post's
//! props, which hold 760,000 characters (`PostPropsMaxUserRunes`), so the message keeps
//! its post-sized limit. Mattermost notifies on `@channel`, `@all` and `@here` whatever the
//! template did, so those get an invisible word joiner after the `@`, and Slack-style
//! `<!channel>` is escaped too.

use serde_json::{Value, json};

use crate::config::{Config, SecretString};
use crate::notify::http::{Http, HttpError, Method, Request as HttpRequest};
use crate::notify::slack;
use crate::notify::{Delivery, Notifier, NotifyError, Request, Sent};
use crate::render::Flavor;

/// Mattermost's default post size limit, in characters (`MaxPostSize`, 16,383). The
/// attachment's text is kept within it too, so the message is as long as a post may be.
pub const POST_LIMIT: usize = 16_383;

/// Longest notification `fallback`, in characters: it is only a preview.
pub const FALLBACK_LIMIT: usize = 3_000;

/// Words Mattermost turns into a broadcast.
const BROADCASTS: [&str; 4] = ["channel", "all", "here", "everyone"];

/// What a `notifiers:` entry of type `mattermost` may set, and the variables each replaces.
#[rustfmt::skip]
pub const SETTINGS: &[crate::notify::Setting] = &[
    crate::notify::Setting { key: "webhook_url", env: &["MATTERMOST_WEBHOOK_URL"], one_of: &[], doc: "Incoming webhook URL." },
    crate::notify::Setting { key: "channel", env: &["MATTERMOST_CHANNEL"], one_of: &[], doc: "Channel name, if the webhook may post elsewhere." },
    crate::notify::Setting { key: "bot", env: &["MATTERMOST_USERNAME"], one_of: &[], doc: "Name shown on the message." },
];

/// The Mattermost notifier, resolved from the config and the environment.
pub struct Mattermost {
    url: SecretString,
    channel: Option<String>,
    username: Option<String>,
}

impl Mattermost {
    /// The notifier for this run: a webhook URL from the environment or the config.
    pub fn build(
        config: &Config,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Mattermost, NotifyError> {
        let classic = config.notifier.mattermost.as_ref();
        let nonempty = crate::notify::non_empty;
        let url = nonempty(env("MATTERMOST_WEBHOOK_URL"))
            .or_else(|| nonempty(classic.map(|m| m.webhook.expose().to_owned())));
        let Some(url) = url else {
            return Err(error(
                "no webhook URL".to_owned(),
                Some(
                    "set `MATTERMOST_WEBHOOK_URL` or `notifier.mattermost.webhook` to an incoming webhook (Integrations > Incoming Webhooks)",
                ),
            ));
        };
        if !crate::notify::is_http_url(&url) {
            return Err(error(
                "the Mattermost webhook is not an http(s) URL".to_owned(),
                Some(
                    "copy the URL from Integrations > Incoming Webhooks; it ends with `/hooks/<id>`",
                ),
            ));
        }
        Ok(Mattermost {
            url: SecretString::new(url),
            channel: nonempty(classic.map(|m| m.channel.clone()))
                .or_else(|| nonempty(env("MATTERMOST_CHANNEL"))),
            username: nonempty(classic.map(|m| m.bot.clone()))
                .or_else(|| nonempty(env("MATTERMOST_USERNAME"))),
        })
    }
}

/// The Mattermost notifier when the run asks for it: `--notifier mattermost`, a
/// `notifier.mattermost` block in the config, or `MATTERMOST_WEBHOOK_URL`.
pub(crate) fn from_request(
    request: &Request<'_>,
) -> Option<Result<Box<dyn Notifier>, NotifyError>> {
    let wanted = request.wants("mattermost", || {
        request.config.notifier.mattermost.is_some()
            || crate::notify::env_is_set(request.env, "MATTERMOST_WEBHOOK_URL")
    });
    wanted.then(|| {
        Mattermost::build(request.config, request.env).map(|m| Box::new(m) as Box<dyn Notifier>)
    })
}

impl Notifier for Mattermost {
    fn kind(&self) -> &'static str {
        "Mattermost"
    }

    fn flavor(&self) -> Flavor {
        Flavor::Slack
    }

    fn limit(&self) -> usize {
        Flavor::Slack.limit().min(POST_LIMIT)
    }

    fn secrets(&self) -> Vec<String> {
        vec![self.url.expose().to_owned()]
    }

    fn send(&self, http: &Http, delivery: &Delivery<'_>) -> Result<Sent, NotifyError> {
        let text = (delivery.render)(&[]).map_err(|message| error(message, None))?;
        let mut text = defuse(text.trim());
        if text.trim().is_empty() {
            return Ok(Sent {
                action: "skipped: the message is empty".to_owned(),
                ..Sent::default()
            });
        }
        if let Some(warning) = delivery
            .destroy_warning
            .filter(|_| delivery.report.has_destroy)
            .map(|w| defuse(w.trim()))
            .filter(|w| !w.is_empty())
        {
            text.push_str("\n\n---\n");
            text.push_str(&warning);
        }
        let text = cut(&text, POST_LIMIT);
        let mut body = json!({
            "attachments": [{
                "color": slack::color::for_report(delivery.report),
                "fallback": cut(&text, FALLBACK_LIMIT),
                "text": text,
            }],
        });
        if let Some(channel) = &self.channel {
            body["channel"] = Value::String(channel.clone());
        }
        if let Some(username) = &self.username {
            body["username"] = Value::String(username.clone());
        }
        let request = HttpRequest::json(Method::Post, self.url.expose(), &body)
            .map_err(|e| error(format!("could not encode the message: {e}"), None))?;
        http.send(&request).map_err(|e| http_error(&e))?;
        Ok(Sent {
            action: "posted".to_owned(),
            url: None,
            warnings: Vec::new(),
        })
    }
}

/// Slack's defusing (`<!channel>` escaped, `@channel`/`@here`/`@everyone` joined) plus
/// Mattermost's own `@all`.
fn defuse(text: &str) -> String {
    let text = slack::defuse(text);
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text.as_str();
    while let Some(i) = rest.find('@') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let broadcast = BROADCASTS.iter().any(|word| {
            rest.get(..word.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(word))
        });
        if broadcast {
            out.push('\u{2060}');
        }
    }
    out.push_str(rest);
    out
}

/// At most `max` characters of `text`, with `…` when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

fn error(message: String, hint: Option<&str>) -> NotifyError {
    NotifyError::new("Mattermost", message, hint)
}

/// An HTTP failure with the hint for the usual webhook causes.
fn http_error(source: &HttpError) -> NotifyError {
    let hint = match source.status() {
        Some(401 | 403) => Some(
            "the webhook may not post here: it is disabled, or locked to another channel, or may not override `channel`/`username`",
        ),
        Some(400 | 404) => Some(
            "the webhook does not exist or was disabled (Mattermost says `Invalid webhook.`), or `notifier.mattermost.channel` names a channel its team does not have; create a webhook in Integrations > Incoming Webhooks",
        ),
        _ => source.hint(),
    };
    error(source.to_string(), hint)
}

#[cfg(test)]
mod tests {
    use super::{cut, defuse};

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        assert_eq!(cut("abcdef", 6), "abcdef");
        assert_eq!(cut("abcdefg", 6), "abcde…");
        assert_eq!(cut("ééééééé", 3).chars().count(), 3);
    }

    #[test]
    fn broadcasts_never_survive() {
        let out = defuse("@all @channel @Here <!channel> @bob");
        assert_eq!(
            out,
            "@\u{2060}all @\u{2060}channel @\u{2060}Here &lt;!channel> @bob"
        );
    }
}
