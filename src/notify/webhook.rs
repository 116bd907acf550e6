//! Generic webhook: one JSON envelope per run, for endpoints of your own.
//!
//! `POST {TFNOTIFY_WEBHOOK_URL}` with a versioned envelope:
//! `{"schema":1,"tool":"tfnotify","command","outcome","report","text","ci"}`, where
//! `report` is the parse result exactly as `tfnotify parse` prints it, `text` the rendered
//! Markdown message and `ci` what was learned about the CI run. With
//! `TFNOTIFY_WEBHOOK_SECRET`, the exact body bytes are signed with HMAC-SHA256 and the
//! signature sent as `X-Tfnotify-Signature: sha256=<hex>`, GitHub's webhook convention.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::config::SecretString;
use crate::model::Report;
use crate::model::overview::Overview;
use crate::notify::http::{Http, HttpError, Method, Request as HttpRequest};
use crate::notify::{Delivery, Notifier, NotifyError, Request, Sent};
use crate::render::Flavor;

/// The envelope's version; bumped only when a field changes meaning or goes away.
pub const SCHEMA: u32 = 1;

/// The header carrying the body's signature.
pub const SIGNATURE_HEADER: &str = "x-tfnotify-signature";

/// What a `notifiers:` entry of type `webhook` may set, and the variables each replaces.
#[rustfmt::skip]
pub const SETTINGS: &[crate::notify::Setting] = &[
    crate::notify::Setting { key: "webhook_url", env: &["TFNOTIFY_WEBHOOK_URL"], one_of: &[], doc: "Endpoint that receives the JSON envelope." },
    crate::notify::Setting { key: "secret", env: &["TFNOTIFY_WEBHOOK_SECRET"], one_of: &[], doc: "Key of the HMAC-SHA256 signature header." },
];

/// The generic webhook notifier, resolved from the environment.
pub struct Webhook {
    url: SecretString,
    secret: Option<SecretString>,
    /// The CI run's details as JSON, taken when the notifier was built.
    ci: Option<Value>,
}

impl Webhook {
    /// The notifier for this run: `TFNOTIFY_WEBHOOK_URL` must be an http(s) URL.
    pub fn build(
        env: &dyn Fn(&str) -> Option<String>,
        ci: Option<Value>,
    ) -> Result<Webhook, NotifyError> {
        let read = |name: &str| crate::notify::non_empty(env(name));
        let Some(url) = read("TFNOTIFY_WEBHOOK_URL") else {
            return Err(error(
                "no webhook URL".to_owned(),
                Some("set `TFNOTIFY_WEBHOOK_URL` to the endpoint that receives the JSON envelope"),
            ));
        };
        if !crate::notify::is_http_url(&url) {
            return Err(error(
                "`TFNOTIFY_WEBHOOK_URL` is not an http(s) URL".to_owned(),
                None,
            ));
        }
        Ok(Webhook {
            url: SecretString::new(url),
            secret: read("TFNOTIFY_WEBHOOK_SECRET").map(SecretString::new),
            ci,
        })
    }
}

/// The webhook notifier when the run asks for it: `--notifier webhook` or
/// `TFNOTIFY_WEBHOOK_URL`.
pub(crate) fn from_request(
    request: &Request<'_>,
) -> Option<Result<Box<dyn Notifier>, NotifyError>> {
    let wanted = request.wants("webhook", || {
        crate::notify::env_is_set(request.env, "TFNOTIFY_WEBHOOK_URL")
    });
    wanted.then(|| {
        let ci = serde_json::to_value(request.ci).ok();
        Webhook::build(request.env, ci).map(|w| Box::new(w) as Box<dyn Notifier>)
    })
}

impl Notifier for Webhook {
    fn kind(&self) -> &'static str {
        "webhook"
    }

    fn flavor(&self) -> Flavor {
        Flavor::Markdown
    }

    fn limit(&self) -> usize {
        Flavor::Markdown.limit()
    }

    fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![self.url.expose().to_owned()];
        secrets.extend(self.secret.iter().map(|s| s.expose().to_owned()));
        secrets
    }

    fn send(&self, http: &Http, delivery: &Delivery<'_>) -> Result<Sent, NotifyError> {
        let text = (delivery.render)(&[]).map_err(|message| error(message, None))?;
        let envelope = Envelope {
            ci: self.ci.as_ref(),
            command: delivery.report.command.as_str(),
            outcome: delivery.report.outcome.as_str(),
            report: delivery.report,
            schema: SCHEMA,
            summary: delivery.overview,
            text: &text,
            tool: "tfnotify",
        };
        // Encoded straight from the report (a 100,000-resource report is a 15 MB body);
        // the client masks every string and number of it, the report and the CI details
        // included, before it leaves, as it masks every request.
        let mut request = HttpRequest::json(Method::Post, self.url.expose(), &envelope)
            .map_err(|e| error(format!("could not encode the message: {e}"), None))?;
        if let Some(secret) = &self.secret {
            // Signed by the client, after masking: the receiver checks the bytes it gets.
            let key = secret.expose().to_owned();
            request = request.signed(move |body: &[u8]| {
                let signature = hex(&hmac_sha256(key.as_bytes(), body));
                (SIGNATURE_HEADER.to_owned(), format!("sha256={signature}"))
            });
        }
        http.send(&request).map_err(|e| http_error(&e))?;
        Ok(Sent {
            action: "posted".to_owned(),
            url: None,
            warnings: Vec::new(),
        })
    }
}

/// The envelope, its fields in the order of their names.
#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    ci: Option<&'a Value>,
    command: &'a str,
    outcome: &'a str,
    report: &'a Report,
    schema: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a Overview>,
    text: &'a str,
    tool: &'a str,
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

fn error(message: String, hint: Option<&str>) -> NotifyError {
    NotifyError::new("webhook", message, hint)
}

/// An HTTP failure with the hint for the usual causes.
fn http_error(source: &HttpError) -> NotifyError {
    let hint = match source.status() {
        Some(401 | 403) => Some(
            "the endpoint refused the request; check that it and `TFNOTIFY_WEBHOOK_SECRET` share the same secret",
        ),
        Some(404) => Some("nothing answers at that URL; check `TFNOTIFY_WEBHOOK_URL`"),
        Some(400 | 422) => Some(
            "the endpoint refused the envelope; check it accepts `schema` 1 (see docs/notifiers/webhook.md)",
        ),
        _ => source.hint(),
    };
    error(source.to_string(), hint)
}

#[cfg(test)]
mod tests {
    use super::{hex, hmac_sha256};

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2.
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block.
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }
}
