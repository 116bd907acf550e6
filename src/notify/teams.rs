//! Microsoft Teams: one Adaptive Card per run, through a Workflows webhook.
//!
//! Office 365 connector webhooks are retired; Workflows ("Post to a channel when a webhook
//! request is received") take `{"type":"message","attachments":[…adaptive card…]}` and
//! answer `202 Accepted` with an empty body. Their URLs have moved hosts more than once, so
//! any http(s) URL is accepted: a host allow-list is what breaks such clients.
//!
//! The card holds the Teams-flavoured text (its Markdown subset, already masked) as a
//! wrapping `TextBlock`, and the result line as a monospace one (cards have no code
//! fences). A monospace block is still Markdown, so the result line, Terraform's words, is
//! written with [`teams_escape`]: a link or an image in it links nowhere. Teams refuses
//! messages over about 28 KB with 413, so the whole JSON payload is kept under
//! [`PAYLOAD_LIMIT`] bytes: the text is trimmed and a note says so.

use serde_json::{Value, json};

use crate::config::SecretString;
use crate::notify::http::{Http, HttpError, Method, Request as HttpRequest};
use crate::notify::{Delivery, Notifier, NotifyError, Request, Sent};
use crate::render::{Flavor, teams_escape};

/// Most bytes of the JSON payload; Teams answers 413 from about 28 KB.
pub const PAYLOAD_LIMIT: usize = 28_000;

/// Bytes kept free under [`PAYLOAD_LIMIT`] for escaping differences and the trim note.
const MARGIN: usize = 1_000;

/// What the card says when the text had to be trimmed.
const TRIMMED: &str = "_The message was shortened to fit Teams' size limit._";

/// What a `notifiers:` entry of type `teams` may set, and the variables each replaces.
#[rustfmt::skip]
pub const SETTINGS: &[crate::notify::Setting] = &[
    crate::notify::Setting { key: "webhook_url", env: &["TEAMS_WEBHOOK_URL"], one_of: &[], doc: "Workflows webhook URL." },
];

/// The Teams notifier, resolved from the environment.
pub struct Teams {
    url: SecretString,
}

impl Teams {
    /// The notifier for this run: `TEAMS_WEBHOOK_URL` must be an http(s) URL.
    pub fn build(env: &dyn Fn(&str) -> Option<String>) -> Result<Teams, NotifyError> {
        let url = crate::notify::non_empty(env("TEAMS_WEBHOOK_URL"));
        let Some(url) = url else {
            return Err(error(
                "no webhook URL".to_owned(),
                Some(
                    "set `TEAMS_WEBHOOK_URL` to the URL of a Workflows flow \"Post to a channel when a webhook request is received\"",
                ),
            ));
        };
        if !crate::notify::is_http_url(&url) {
            return Err(error(
                "`TEAMS_WEBHOOK_URL` is not an http(s) URL".to_owned(),
                Some("copy the HTTP POST URL from the Workflows flow's trigger"),
            ));
        }
        Ok(Teams {
            url: SecretString::new(url),
        })
    }
}

/// The Teams notifier when the run asks for it: `--notifier teams` or `TEAMS_WEBHOOK_URL`.
pub(crate) fn from_request(
    request: &Request<'_>,
) -> Option<Result<Box<dyn Notifier>, NotifyError>> {
    let wanted = request.wants("teams", || {
        crate::notify::env_is_set(request.env, "TEAMS_WEBHOOK_URL")
    });
    wanted.then(|| Teams::build(request.env).map(|t| Box::new(t) as Box<dyn Notifier>))
}

impl Notifier for Teams {
    fn kind(&self) -> &'static str {
        "Teams"
    }

    fn flavor(&self) -> Flavor {
        Flavor::Teams
    }

    fn limit(&self) -> usize {
        Flavor::Teams.limit()
    }

    fn secrets(&self) -> Vec<String> {
        vec![self.url.expose().to_owned()]
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
        let warning = delivery
            .destroy_warning
            .filter(|_| delivery.report.has_destroy)
            .map(str::trim)
            .filter(|w| !w.is_empty());
        // The result line is the report's own text, not the masked message: mask it here,
        // before it may be cut to fit, and break any link in it.
        let result = delivery
            .report
            .result
            .as_deref()
            .map(|result| teams_escape(&delivery.masker.mask(result)));
        let body = payload(text, result.as_deref(), warning);
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

/// The whole message, under [`PAYLOAD_LIMIT`] bytes once serialized: the text is cut
/// until it fits, and a note says it was.
fn payload(text: &str, result: Option<&str>, warning: Option<&str>) -> Value {
    let full = card(text, result, warning, false);
    let size = serialized_len(&full);
    if size <= PAYLOAD_LIMIT - MARGIN {
        return full;
    }
    // Escaping makes bytes of JSON differ from bytes of text; shrink until it fits.
    let mut keep = text.len().saturating_sub(size - (PAYLOAD_LIMIT - MARGIN));
    loop {
        let cut = cut_at_line(text, keep);
        let trimmed = card(
            cut,
            result.map(|r| cut_at_line(r, 2_000)),
            warning.map(|w| cut_at_line(w, 2_000)),
            true,
        );
        if serialized_len(&trimmed) <= PAYLOAD_LIMIT - MARGIN || keep == 0 {
            return trimmed;
        }
        keep = keep * 9 / 10;
    }
}

fn card(text: &str, result: Option<&str>, warning: Option<&str>, trimmed: bool) -> Value {
    let mut body = vec![json!({"type": "TextBlock", "text": text, "wrap": true})];
    if trimmed {
        body.push(json!({"type": "TextBlock", "text": TRIMMED, "wrap": true, "isSubtle": true}));
    }
    if let Some(result) = result.filter(|r| !r.trim().is_empty()) {
        body.push(json!({
            "type": "TextBlock",
            "text": result,
            "wrap": true,
            "fontType": "Monospace",
        }));
    }
    if let Some(warning) = warning {
        body.push(
            json!({"type": "TextBlock", "text": warning, "wrap": true, "color": "Attention"}),
        );
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": {"width": "Full"},
                "body": body,
            },
        }],
    })
}

fn serialized_len(value: &Value) -> usize {
    serde_json::to_vec(value).map_or(usize::MAX, |v| v.len())
}

/// At most `max` bytes of `text`, on a character boundary, at a line end when there is
/// one in the second half.
fn cut_at_line(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match text[..end].rfind('\n') {
        Some(nl) if nl > end / 2 => &text[..nl],
        _ => &text[..end],
    }
}

fn error(message: String, hint: Option<&str>) -> NotifyError {
    NotifyError::new("Teams", message, hint)
}

/// An HTTP failure with the hint for the usual Workflows causes.
fn http_error(source: &HttpError) -> NotifyError {
    let hint = match source.status() {
        Some(401 | 403) => Some(
            "the webhook URL's signature (`sig=`) is wrong or the flow was turned off; copy the URL again from the Workflows trigger",
        ),
        Some(404) => Some(
            "the flow was deleted or the URL is from a retired Office 365 connector; create a Workflows flow \"Post to a channel when a webhook request is received\"",
        ),
        Some(413) => Some("Teams refused the message's size; please report this as a tfnotify bug"),
        Some(400) => {
            Some("the flow refused the card; check that its trigger accepts Adaptive Cards")
        }
        _ => source.hint(),
    };
    error(source.to_string(), hint)
}

#[cfg(test)]
mod tests {
    use super::{PAYLOAD_LIMIT, TRIMMED, payload, serialized_len};

    #[test]
    fn a_huge_text_is_trimmed_under_the_payload_limit_with_a_note() {
        let text = "- `module.a[\"<b>\"]` \"quoted\" (destroy)\n".repeat(5_000);
        let body = payload(&text, Some("Plan: 1 to add"), Some("careful"));
        assert!(serialized_len(&body) <= PAYLOAD_LIMIT);
        let blocks = body["attachments"][0]["content"]["body"]
            .as_array()
            .expect("body");
        assert_eq!(blocks[1]["text"], TRIMMED);
        assert_eq!(blocks[2]["fontType"], "Monospace");
    }

    #[test]
    fn a_small_text_is_sent_whole() {
        let body = payload("hello", None, None);
        let blocks = body["attachments"][0]["content"]["body"]
            .as_array()
            .expect("body");
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0]["text"], "hello");
    }
}
