//! Discord: one embed per run through a channel webhook, or one living message edited in
//! place.
//!
//! `POST {DISCORD_WEBHOOK_URL}?wait=true`, so Discord answers with the message it created
//! and its id. With a message id (`DISCORD_MESSAGE_ID`) the run edits that message instead
//! (`PATCH …/messages/{id}`): a pinned "state of this stack" message that each run brings
//! up to date. A webhook can only edit its own messages and cannot search the channel, so
//! the id is given, not found; a message that is gone (404) is posted anew with a warning.
//!
//! The message is the Markdown flavour (Discord renders a Markdown subset, code fences
//! included, but only of three backticks: see `fences`), rendered at
//! [`DESCRIPTION_LIMIT`]'s size and cut to it in any case, in one embed coloured by
//! outcome. `allowed_mentions: {"parse": []}` makes Discord ping nobody
//! whatever the text says (`@everyone`, `<@id>`), and broadcast words get a word joiner
//! as well so they do not even look like mentions.

mod fences;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::SecretString;
use crate::model::{Outcome, Report};
use crate::notify::github::Behaviour;
use crate::notify::http::{Http, HttpError, Method, Request as HttpRequest};
use crate::notify::{Delivery, Notifier, NotifyError, Request, Sent};
use crate::render::Flavor;

/// Longest embed description, in characters.
pub const DESCRIPTION_LIMIT: usize = 4_096;
/// Longest embed title, in characters.
pub const TITLE_LIMIT: usize = 256;
/// Longest `content`, in characters.
pub const CONTENT_LIMIT: usize = 2_000;
/// Most characters in all embeds together.
pub const EMBEDS_LIMIT: usize = 6_000;

/// What the message is rendered at: under [`DESCRIPTION_LIMIT`] with room for a cut note.
const RENDER_LIMIT: usize = 4_000;

/// The shortcodes our Markdown templates use, and what Discord should show for them.
const SHORTCODES: [(&str, &str); 6] = [
    (":warning:", "\u{26a0}\u{fe0f}"),
    (":white_check_mark:", "\u{2705}"),
    (":x:", "\u{274c}"),
    (":grey_question:", "\u{2754}"),
    (":information_source:", "\u{2139}\u{fe0f}"),
    (":memo:", "\u{1f4dd}"),
];

const GREEN: u32 = 0x002E_A043;
const YELLOW: u32 = 0x00D2_9922;
const RED: u32 = 0x00CF_222E;

/// What a `notifiers:` entry of type `discord` may set, and the variables each replaces.
#[rustfmt::skip]
pub const SETTINGS: &[crate::notify::Setting] = &[
    crate::notify::Setting { key: "webhook_url", env: &["DISCORD_WEBHOOK_URL"], one_of: &[], doc: "Channel webhook URL." },
    crate::notify::Setting { key: "message_id", env: &["DISCORD_MESSAGE_ID"], one_of: &[], doc: "Id of a message this webhook posted: each run edits it instead of posting." },
];

/// The Discord notifier, resolved from the environment.
pub struct Discord {
    url: SecretString,
    /// The message to edit, when the run edits one.
    edit: Option<String>,
    /// Whether the run asked to update (`--comment update`), so a new message's id is
    /// worth pointing out.
    update: bool,
}

/// The created message, as `wait=true` returns it.
#[derive(Debug, Deserialize)]
struct Created {
    id: String,
}

impl Discord {
    /// The notifier for this run: `DISCORD_WEBHOOK_URL` must be an http(s) URL, and
    /// `DISCORD_MESSAGE_ID`, if set, a message id. The message is edited when an id is set
    /// and the behaviour is `update` or not given; `--comment new` (and the other
    /// behaviours) post a new one.
    pub fn build(
        env: &dyn Fn(&str) -> Option<String>,
        behaviour: Option<Behaviour>,
    ) -> Result<Discord, NotifyError> {
        let url = crate::notify::non_empty(env("DISCORD_WEBHOOK_URL"));
        let Some(url) = url else {
            return Err(error(
                "no webhook URL".to_owned(),
                Some(
                    "set `DISCORD_WEBHOOK_URL` to a channel webhook (Channel settings > Integrations > Webhooks > Copy Webhook URL)",
                ),
            ));
        };
        if !crate::notify::is_http_url(&url) {
            return Err(error(
                "`DISCORD_WEBHOOK_URL` is not an http(s) URL".to_owned(),
                Some(
                    "copy the URL from Channel settings > Integrations > Webhooks; it starts with `https://discord.com/api/webhooks/`",
                ),
            ));
        }
        let message_id = crate::notify::non_empty(env("DISCORD_MESSAGE_ID"));
        if let Some(id) = &message_id
            && !is_snowflake(id)
        {
            return Err(error(
                format!("`DISCORD_MESSAGE_ID` is `{id}`, not a message id"),
                Some(
                    "use the id of a message this webhook posted: tfnotify prints it (`created (message id …)`), or turn on Developer Mode and use the message's \"Copy Message ID\"",
                ),
            ));
        }
        let update = behaviour == Some(Behaviour::Update);
        let edit = message_id.filter(|_| update || behaviour.is_none());
        Ok(Discord {
            url: SecretString::new(url),
            edit,
            update,
        })
    }

    /// The webhook URL without its query, and the query (`?thread_id=…`) or nothing: the
    /// edit URL goes between them.
    fn split_url(&self) -> (&str, &str) {
        let url = self.url.expose();
        match url.find('?') {
            Some(i) => (&url[..i], &url[i..]),
            None => (url, ""),
        }
    }

    /// Edits message `id`; `None` when Discord no longer has it (404), so a new one is
    /// posted instead.
    fn edit(&self, http: &Http, id: &str, body: &Value) -> Result<Option<Sent>, NotifyError> {
        let (base, query) = self.split_url();
        let mut body = body.clone();
        // A destroy warning of an earlier run must not stay in the message.
        if body.get("content").is_none() {
            body["content"] = Value::String(String::new());
        }
        let request =
            HttpRequest::json(Method::Patch, format!("{base}/messages/{id}{query}"), &body)
                .map_err(|e| error(format!("could not encode the message: {e}"), None))?;
        match http.send(&request) {
            Ok(_) => Ok(Some(Sent {
                action: format!("updated (message {id})"),
                url: None,
                warnings: Vec::new(),
            })),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(http_error(&e)),
        }
    }

    /// Posts a new message and says what Discord answered.
    fn create(&self, http: &Http, body: &Value) -> Result<Sent, NotifyError> {
        let url = self.url.expose();
        let separator = if url.contains('?') { '&' } else { '?' };
        let request = HttpRequest::json(Method::Post, format!("{url}{separator}wait=true"), body)
            .map_err(|e| error(format!("could not encode the message: {e}"), None))?;
        let response = http.send(&request).map_err(|e| http_error(&e))?;
        let created: Option<Created> = serde_json::from_slice(&response.body).ok();
        let action = match created {
            Some(c) if self.update || self.edit.is_some() => format!(
                "created (message id {}; set `DISCORD_MESSAGE_ID` to update it)",
                c.id
            ),
            Some(c) => format!("posted (message {})", c.id),
            None => "posted".to_owned(),
        };
        Ok(Sent {
            action,
            url: None,
            warnings: Vec::new(),
        })
    }
}

/// The Discord notifier when the run asks for it: `--notifier discord` or
/// `DISCORD_WEBHOOK_URL`.
pub(crate) fn from_request(
    request: &Request<'_>,
) -> Option<Result<Box<dyn Notifier>, NotifyError>> {
    let wanted = request.wants("discord", || {
        crate::notify::env_is_set(request.env, "DISCORD_WEBHOOK_URL")
    });
    wanted.then(|| {
        Discord::build(request.env, request.options.behaviour)
            .map(|d| Box::new(d) as Box<dyn Notifier>)
    })
}

impl Notifier for Discord {
    fn kind(&self) -> &'static str {
        "Discord"
    }

    fn flavor(&self) -> Flavor {
        Flavor::Markdown
    }

    fn limit(&self) -> usize {
        RENDER_LIMIT
    }

    fn secrets(&self) -> Vec<String> {
        // The URL with and without its query, and the token alone: edit URLs are built
        // from the parts, and each must be masked wherever it shows up.
        let (base, _) = self.split_url();
        let token = base.rsplit('/').next().filter(|t| t.len() >= 16);
        let mut secrets = vec![self.url.expose().to_owned(), base.to_owned()];
        secrets.extend(token.map(str::to_owned));
        secrets.dedup();
        secrets
    }

    fn send(&self, http: &Http, delivery: &Delivery<'_>) -> Result<Sent, NotifyError> {
        let text = (delivery.render)(&[]).map_err(|message| error(message, None))?;
        let text = fences::three_backtick(&defuse(&emoji(text.trim())));
        if text.trim().is_empty() {
            return Ok(Sent {
                action: "skipped: the message is empty".to_owned(),
                ..Sent::default()
            });
        }
        let warning = delivery
            .destroy_warning
            .filter(|_| delivery.report.has_destroy)
            .map(|w| fences::three_backtick(&defuse(w.trim())))
            .filter(|w| !w.is_empty());
        let body = payload(delivery.report, &text, warning.as_deref());
        let Some(id) = &self.edit else {
            return self.create(http, &body);
        };
        if let Some(sent) = self.edit(http, id, &body)? {
            return Ok(sent);
        }
        let mut sent = self.create(http, &body)?;
        sent.warnings.push(format!(
            "message {id} is gone (Discord answered 404, Unknown Message), so a new message was posted; set `DISCORD_MESSAGE_ID` to the new id to update it from now on"
        ));
        Ok(sent)
    }
}

/// The webhook body: one embed within every limit, nobody pinged.
fn payload(report: &Report, text: &str, warning: Option<&str>) -> Value {
    let (title, rest) = match text.split_once('\n') {
        Some((first, rest)) if is_heading(first) => (clean_title(first), rest.trim_start()),
        _ => (default_title(report), text),
    };
    let title = truncate(&title, TITLE_LIMIT);
    let budget = DESCRIPTION_LIMIT.min(EMBEDS_LIMIT - title.chars().count());
    let description = truncate(rest, budget);
    let mut embed = json!({"title": title, "color": color(report)});
    if !description.trim().is_empty() {
        embed["description"] = Value::String(description);
    }
    let mut body = json!({
        "embeds": [embed],
        "allowed_mentions": {"parse": []},
    });
    if let Some(warning) = warning {
        body["content"] = Value::String(truncate(warning, CONTENT_LIMIT));
    }
    body
}

fn is_heading(line: &str) -> bool {
    let line = line.trim();
    line.starts_with('#') || (line.starts_with("**") && line.ends_with("**") && line.len() > 4)
}

fn clean_title(line: &str) -> String {
    let line = line.trim().trim_start_matches('#').trim();
    line.strip_prefix("**")
        .and_then(|l| l.strip_suffix("**"))
        .unwrap_or(line)
        .trim()
        .to_owned()
}

fn default_title(report: &Report) -> String {
    format!(
        "terraform {}: {}",
        report.command.as_str(),
        report.outcome.as_str()
    )
}

/// Green when nothing or everything went as planned, yellow for changes, red for destroys
/// and failures.
fn color(report: &Report) -> u32 {
    match report.outcome {
        Outcome::Changes if report.has_destroy => RED,
        Outcome::Changes | Outcome::Unformatted => YELLOW,
        Outcome::NoChanges | Outcome::Applied | Outcome::Formatted | Outcome::Valid => GREEN,
        Outcome::Error | Outcome::ApplyFailed | Outcome::Invalid | Outcome::Unparsed => RED,
    }
}

/// At most `max` characters, with `…` when cut, and a code fence cut open closed again.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(5)).collect();
    if out.matches("```").count() % 2 == 1 {
        out.push_str("\n```");
    }
    out.push('…');
    out
}

/// The Markdown templates' GitHub shortcodes as Unicode: Discord converts shortcodes only
/// as they are typed, so a webhook's `:warning:` would stay text.
fn emoji(text: &str) -> String {
    SHORTCODES
        .iter()
        .fold(text.to_owned(), |text, (code, glyph)| {
            text.replace(code, glyph)
        })
}

/// `@everyone` and `@here` get a word joiner after the `@`, so they stay plain words even
/// in clients that highlight them.
fn defuse(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(i) = rest.find('@') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let broadcast = ["everyone", "here"].iter().any(|word| {
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

/// Whether `id` looks like a Discord id (a snowflake: up to 20 digits), so it can go in a
/// URL path as it is.
fn is_snowflake(id: &str) -> bool {
    !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit())
}

fn error(message: String, hint: Option<&str>) -> NotifyError {
    NotifyError::new("Discord", message, hint)
}

/// An HTTP failure with the hint for Discord's usual causes.
fn http_error(source: &HttpError) -> NotifyError {
    let hint = match source.status() {
        Some(401) => {
            Some("the webhook's token is invalid (Discord code 50027); copy the webhook URL again")
        }
        Some(403) => Some("the webhook may not post in this channel (Missing Permissions)"),
        Some(404) => Some(
            "the webhook was deleted (Discord code 10015, Unknown Webhook); create a new one in Channel settings > Integrations",
        ),
        Some(400) => Some(
            "Discord refused the message's shape (code 50035); please report this as a tfnotify bug",
        ),
        Some(429) => Some("Discord's rate limit was hit; try again after `retry_after` seconds"),
        _ => source.hint(),
    };
    error(source.to_string(), hint)
}

#[cfg(test)]
mod tests {
    use super::{DESCRIPTION_LIMIT, defuse, emoji, is_snowflake, truncate};

    #[test]
    fn only_snowflakes_go_in_the_edit_url() {
        assert!(is_snowflake("1101234567890123456"));
        assert!(!is_snowflake(""));
        assert!(!is_snowflake("12/../../x"));
        assert!(!is_snowflake("123456789012345678901"));
    }

    #[test]
    fn shortcodes_become_emoji() {
        assert_eq!(
            emoji(":warning: Plan :x:"),
            "\u{26a0}\u{fe0f} Plan \u{274c}"
        );
    }

    #[test]
    fn broadcasts_are_defused() {
        assert_eq!(
            defuse("@everyone @Here @bob"),
            "@\u{2060}everyone @\u{2060}Here @bob"
        );
    }

    #[test]
    fn cut_text_keeps_fences_balanced() {
        let text = format!("```\n{}", "x\n".repeat(5_000));
        let cut = truncate(&text, DESCRIPTION_LIMIT);
        assert!(cut.chars().count() <= DESCRIPTION_LIMIT);
        assert_eq!(cut.matches("```").count() % 2, 0);
    }
}
