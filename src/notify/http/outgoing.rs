//! What leaves the machine: each request masked just before it is sent.
//!
//! Every notifier sends through [`super::Http::send`], so masking here is the one place no
//! destination can bypass, whatever it built: a label name in a URL, a title in a header,
//! a report field in a JSON envelope. The URL's path and query, each header value and the
//! body are masked with the run's masks (the user's, plus every destination's tokens and
//! webhook URLs). What the request itself must carry to its own server is left alone: the
//! host, and this destination's credentials (a token header, a webhook URL whose path is
//! the secret, a signature).

use std::borrow::Cow;
use std::sync::Arc;

use crate::mask::{MASK, Masker};

use super::{Request, percent_encode};

/// Headers that carry credentials whatever their value looks like (Basic authentication
/// is the credentials base64-encoded, which no mask spells).
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "proxy-authorization"];

/// Signs the final body; returns the header that carries the signature.
pub(super) type Signer = Arc<dyn Fn(&[u8]) -> (String, String) + Send + Sync>;

/// The masks of a run and the credentials of one destination.
#[derive(Clone, Default)]
pub(super) struct Outgoing {
    /// Everything that must not leave: the user's masks and every secret of the run.
    masks: Masker,
    /// This destination's credentials, in all their forms: sent where they belong.
    credentials: Masker,
}

impl Outgoing {
    /// Masks with `masks`, sparing `credentials` where the request needs them.
    pub(super) fn new(masks: Masker, credentials: Masker) -> Outgoing {
        Outgoing { masks, credentials }
    }

    /// `request` as it may be sent: URL, headers and body masked, then signed.
    pub(super) fn prepare(&self, request: &Request) -> Request {
        let body = request
            .body
            .as_ref()
            .map(|body| self.body(&request.headers, body));
        let mut headers: Vec<(String, String)> = request
            .headers
            .iter()
            .map(|(name, value)| (name.clone(), self.header(name, value)))
            .collect();
        if let (Some(sign), Some(body)) = (&request.sign, &body) {
            headers.push(sign(body));
        }
        Request {
            method: request.method,
            url: self.url(&request.url),
            headers,
            body,
            sign: None,
        }
    }

    /// The path and query masked, in any spelling; the origin and this destination's
    /// credentials (a webhook URL, a token in the path) are kept.
    fn url(&self, url: &str) -> String {
        if self.masks.is_empty() {
            return url.to_owned();
        }
        let origin_end = url.find("://").map_or(0, |at| {
            url[at + 3..]
                .find('/')
                .map_or(url.len(), |end| at + 3 + end)
        });
        let kept = self.credentials.spans(url.as_bytes());
        let spans: Vec<(usize, usize)> = self
            .masks
            .spans(url.as_bytes())
            .into_iter()
            .filter(|&(start, end)| {
                start >= origin_end && !kept.iter().any(|&(k0, k1)| start < k1 && k0 < end)
            })
            .collect();
        replace(url, &spans)
    }

    /// A header value masked, unless it carries this destination's credentials.
    fn header(&self, name: &str, value: &str) -> String {
        let credential = CREDENTIAL_HEADERS
            .iter()
            .any(|known| name.eq_ignore_ascii_case(known))
            || !self.credentials.spans(value.as_bytes()).is_empty();
        if credential {
            value.to_owned()
        } else {
            self.masks.mask(value).into_owned()
        }
    }

    /// The body masked as what its content type says it is: JSON string by string, a form
    /// field by field, anything else as bytes.
    fn body(&self, headers: &[(String, String)], body: &Arc<Vec<u8>>) -> Arc<Vec<u8>> {
        let content_type = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
            .map(|(_, value)| value.to_ascii_lowercase())
            .unwrap_or_default();
        if content_type.contains("json") {
            self.masks
                .mask_json(body)
                .map_or_else(|| Arc::clone(body), Arc::new)
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            Arc::new(self.form(body))
        } else {
            match self.masks.mask_bytes(body) {
                Cow::Owned(masked) => Arc::new(masked),
                Cow::Borrowed(_) => Arc::clone(body),
            }
        }
    }

    /// A form body, each name and value masked as the text it decodes to and as it is
    /// spelled; a masked one is encoded again.
    fn form(&self, body: &[u8]) -> Vec<u8> {
        let Ok(text) = std::str::from_utf8(body) else {
            return self.masks.mask_bytes(body).into_owned();
        };
        text.split('&')
            .map(|field| {
                field
                    .split('=')
                    .map(|part| self.form_part(part))
                    .collect::<Vec<_>>()
                    .join("=")
            })
            .collect::<Vec<_>>()
            .join("&")
            .into_bytes()
    }

    fn form_part(&self, part: &str) -> String {
        if let Some(decoded) = form_decode(part)
            && let Cow::Owned(masked) = self.masks.mask(&decoded)
        {
            return percent_encode(&masked);
        }
        self.masks.mask(part).into_owned()
    }
}

/// `text` with each span replaced by `***`.
fn replace(text: &str, spans: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for &(start, end) in spans {
        out.push_str(&text[at..start]);
        out.push_str(MASK);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// A form field's text: `+` is a space and `%XX` a byte; `None` when it is not valid.
fn form_decode(part: &str) -> Option<String> {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::Outgoing;
    use crate::mask::Masker;
    use crate::notify::http::{Method, Request};

    const SECRET: &str = r#"Pa"ss\w0rd&<db>"#;
    const TOKEN: &str = "tok-0123456789abcdef";
    const HOOK: &str = "https://hooks.example/services/T0/B0/XyZ";

    fn outgoing() -> Outgoing {
        let credentials = Masker::empty()
            .with_literal("token", TOKEN)
            .with_literal("webhook", HOOK);
        let mut masks = Masker::empty().with_literal("env:DB_PASS", SECRET);
        // The run's masker holds every destination's secrets too, this one's included.
        masks.extend(credentials.clone());
        Outgoing::new(masks, credentials)
    }

    #[test]
    fn the_url_is_masked_in_its_path_and_query_but_keeps_its_credentials() {
        let url = format!(
            "https://api.example/repos/o/r/labels/prod%2F{}?q={}&t={TOKEN}",
            crate::notify::http::percent_encode(SECRET),
            SECRET.replace('&', "%26")
        );
        let request = Request::new(Method::Delete, url);
        assert_eq!(
            outgoing().prepare(&request).url,
            format!("https://api.example/repos/o/r/labels/prod%2F***?q=***&t={TOKEN}")
        );
        // A webhook URL is the credential: sent as it is.
        let hook = Request::new(Method::Post, format!("{HOOK}?thread=1"));
        assert_eq!(outgoing().prepare(&hook).url, format!("{HOOK}?thread=1"));
    }

    #[test]
    fn headers_are_masked_except_credentials() {
        let request = Request::new(Method::Get, "https://api.example/")
            .header("Authorization", format!("Bearer {TOKEN}"))
            .header("PRIVATE-TOKEN", TOKEN)
            .header("Authorization", "Basic dXNlcjpQYSJzcw==")
            .header("X-Title", format!("plan for {SECRET}"));
        let sent = outgoing().prepare(&request);
        let values: Vec<&str> = sent.headers.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(
            values,
            [
                format!("Bearer {TOKEN}").as_str(),
                TOKEN,
                "Basic dXNlcjpQYSJzcw==",
                "plan for ***"
            ]
        );
    }

    #[test]
    fn json_bodies_are_masked_string_by_string_and_never_carry_credentials() {
        let body = serde_json::json!({
            "report": {"errors": [{"summary": format!("password {SECRET} is too long")}]},
            "result": format!("quoted: \"{}\"", SECRET.replace('\\', "\\\\").replace('"', "\\\"")),
            "hook": HOOK,
        });
        let request = Request::json(Method::Post, HOOK, &body).unwrap();
        let sent = outgoing().prepare(&request);
        let text = String::from_utf8(sent.body.unwrap().to_vec()).unwrap();
        assert_eq!(
            text,
            r#"{"hook":"***","report":{"errors":[{"summary":"password *** is too long"}]},"result":"quoted: \"***\""}"#
        );
    }

    #[test]
    fn form_bodies_are_masked_field_by_field() {
        let mut request = Request::new(Method::Post, "https://api.example/rooms/1/messages")
            .header("content-type", "application/x-www-form-urlencoded");
        request.body = Some(std::sync::Arc::new(
            format!(
                "body={}&self_unread=0&t={TOKEN}",
                crate::notify::chatwork::form_encode(&format!("pw {SECRET}\n"))
            )
            .into_bytes(),
        ));
        let sent = outgoing().prepare(&request);
        assert_eq!(
            String::from_utf8(sent.body.unwrap().to_vec()).unwrap(),
            "body=pw%20%2A%2A%2A%0A&self_unread=0&t=%2A%2A%2A"
        );
    }

    #[test]
    fn the_signature_is_of_the_masked_body() {
        let request = Request::json(Method::Post, HOOK, &serde_json::json!({"text": SECRET}))
            .unwrap()
            .signed(|body: &[u8]| {
                let text = String::from_utf8_lossy(body).into_owned();
                ("x-signature".to_owned(), text)
            });
        let sent = outgoing().prepare(&request);
        let signature = &sent.headers.last().unwrap().1;
        assert_eq!(signature, r#"{"text":"***"}"#);
    }
}
