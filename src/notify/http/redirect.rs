//! Redirects: followed only within the origin a request was built for.
//!
//! Every request a destination sends may carry a credential: a token header, basic
//! authentication, a webhook URL whose path is the secret, a signed body. ureq drops only
//! `Authorization` when a redirect leaves the host, so a `PRIVATE-TOKEN` or
//! `X-ChatWorkToken` would follow a redirect anywhere. The client therefore turns ureq's
//! own following off and decides here, for every destination at once: a redirect to the
//! same scheme, host and port is followed (GitHub answers a renamed repository's URLs with
//! `301` to `/repositories/ID/…`), up to [`MAX_HOPS`] times; any other is refused, and the
//! error names only the target's origin, never its full URL, which could hold a secret.
//!
//! What a followed redirect keeps:
//!
//! | status | method and body |
//! | --- | --- |
//! | 307, 308 | kept, as HTTP requires |
//! | 303 | becomes `GET` without a body: the server acted and points at the result |
//! | 301, 302 | kept for every method; `GET` stays `GET` |
//!
//! Browsers turn a `POST` answered with 301 or 302 into a `GET`, which HTTP allows but does
//! not require. For an API client that would turn a write into a read: the comment would
//! not be posted, yet the run would report it posted. GitHub asks clients to repeat such a
//! request verbatim, so every method is kept.

use ureq::http::Uri;

use super::{Method, Request};

/// Most redirects followed for one request: GitHub's renamed repository takes one.
pub(super) const MAX_HOPS: usize = 5;

/// A request's origin: what decides where its credentials may go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

/// What a 3xx answer leads to.
#[derive(Debug)]
pub(super) enum Hop {
    /// Not a redirect: the answer is the response.
    Stay,
    /// The same request (or a `GET`, after 303) to the same origin.
    Follow(Request),
    /// Why the redirect is not followed; the request fails with it.
    Refuse(String),
}

impl Origin {
    /// The origin of an absolute `http` or `https` URL; the port is the scheme's default
    /// when none is written, so `https://h` and `https://h:443` are one origin.
    pub(super) fn of(url: &str) -> Option<Origin> {
        let uri: Uri = url.parse().ok()?;
        Origin::of_uri(&uri)
    }

    fn of_uri(uri: &Uri) -> Option<Origin> {
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let default = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let authority = uri.authority()?;
        Some(Origin {
            host: authority.host().to_ascii_lowercase(),
            port: authority.port_u16().unwrap_or(default),
            scheme,
        })
    }
}

impl std::fmt::Display for Origin {
    /// `scheme://host:port`, the port always written: all an error may say of a target.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

/// What to do with an answer of `status` to `request` (as the destination built it, before
/// masking), given its `Location` header; `origin` is the origin the request was built for.
pub(super) fn next(request: &Request, origin: &Origin, status: u16, location: Option<&str>) -> Hop {
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return Hop::Stay;
    }
    let Some(location) = location.map(str::trim).filter(|l| !l.is_empty()) else {
        return Hop::Refuse(format!("was redirected ({status}) without a `Location`"));
    };
    let Some(target) = resolve(&request.url, location) else {
        return Hop::Refuse(format!(
            "was redirected ({status}) to a `Location` that is not an HTTP URL"
        ));
    };
    let uri: Option<Uri> = target.parse().ok();
    let has_userinfo = uri
        .as_ref()
        .and_then(Uri::authority)
        .is_some_and(|authority| authority.as_str().contains('@'));
    match uri.as_ref().and_then(Origin::of_uri) {
        Some(to) if to == *origin && !has_userinfo => {}
        Some(to) => {
            return Hop::Refuse(format!(
                "was redirected ({status}) to another origin, `{to}`, and was not sent there: \
                 its credentials stay with `{origin}`"
            ));
        }
        None => {
            return Hop::Refuse(format!(
                "was redirected ({status}) to a `Location` that is not an HTTP URL"
            ));
        }
    }
    let mut followed = request.clone();
    followed.url = target;
    if status == 303 && request.method != Method::Get {
        followed.method = Method::Get;
        followed.body = None;
        followed.sign = None;
        followed
            .headers
            .retain(|(name, _)| !name.eq_ignore_ascii_case("content-type"));
    }
    Hop::Follow(followed)
}

/// `location` resolved against `base` (RFC 3986 §5.2 for the forms servers send: an
/// absolute URL, `//authority/…`, `/path`, `?query` or a relative path), without its
/// fragment; `None` when `base` is not an absolute URL.
fn resolve(base: &str, location: &str) -> Option<String> {
    let location = location.split('#').next().unwrap_or_default();
    if has_scheme(location) {
        return Some(location.to_owned());
    }
    let (scheme, rest) = base.split_once("://")?;
    if let Some(network) = location.strip_prefix("//") {
        return Some(format!("{scheme}://{network}"));
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let root = format!("{scheme}://{}", &rest[..authority_end]);
    let path_and_query = rest[authority_end..].split('#').next().unwrap_or_default();
    let path = path_and_query.split('?').next().unwrap_or_default();
    Some(if location.starts_with('/') {
        format!("{root}{location}")
    } else if location.starts_with('?') {
        format!("{root}{path}{location}")
    } else {
        let directory = path.rfind('/').map_or("/", |at| &path[..=at]);
        format!("{root}{directory}{location}")
    })
}

/// Whether `reference` starts with a scheme (`https:`, `mailto:`): RFC 3986's
/// `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"`.
fn has_scheme(reference: &str) -> bool {
    let Some((scheme, _)) = reference.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const BASE: &str = "https://api.example.com/repos/o/r/issues/1?per_page=100";

    fn origin() -> Origin {
        Origin::of(BASE).unwrap()
    }

    #[track_caller]
    fn follow(method: Method, status: u16, location: &str) -> Request {
        let request = Request::json(method, BASE, &serde_json::json!({"body": "b"}))
            .unwrap()
            .header("PRIVATE-TOKEN", "t");
        match next(&request, &origin(), status, Some(location)) {
            Hop::Follow(next) => next,
            other => panic!("{status} to {location}: {other:?}"),
        }
    }

    #[track_caller]
    fn refuse(status: u16, location: Option<&str>) -> String {
        let request = Request::new(Method::Post, BASE);
        match next(&request, &origin(), status, location) {
            Hop::Refuse(why) => why,
            other => panic!("{status} to {location:?}: {other:?}"),
        }
    }

    #[test]
    fn origins_compare_scheme_host_and_port_with_default_ports() {
        assert_eq!(
            Origin::of("https://API.example.com/x"),
            Origin::of("https://api.example.com:443/y?z")
        );
        assert_eq!(
            Origin::of("http://h:8080").unwrap().to_string(),
            "http://h:8080"
        );
        assert_eq!(
            Origin::of("https://u:p@h/x").unwrap().to_string(),
            "https://h:443"
        );
        assert_ne!(Origin::of("http://h/"), Origin::of("https://h/"));
        assert_ne!(Origin::of("http://h/"), Origin::of("http://h:81/"));
        assert_eq!(Origin::of("ftp://h/"), None);
        assert_eq!(Origin::of("/relative"), None);
    }

    #[test]
    fn locations_resolve_in_every_form_servers_send() {
        #[track_caller]
        fn case(location: &str, expected: &str) {
            assert_eq!(
                resolve(BASE, location).as_deref(),
                Some(expected),
                "{location}"
            );
        }
        case("https://other.example/x", "https://other.example/x");
        case("//other.example/x", "https://other.example/x");
        case(
            "/repositories/1000/issues/1",
            "https://api.example.com/repositories/1000/issues/1",
        );
        case(
            "?page=2",
            "https://api.example.com/repos/o/r/issues/1?page=2",
        );
        case(
            "2/comments#top",
            "https://api.example.com/repos/o/r/issues/2/comments",
        );
        assert_eq!(resolve("https://h", "x").as_deref(), Some("https://h/x"));
    }

    #[test]
    fn every_method_keeps_its_body_except_after_303() {
        for method in [
            Method::Get,
            Method::Post,
            Method::Put,
            Method::Patch,
            Method::Delete,
        ] {
            for status in [301, 302, 307, 308] {
                let next = follow(method, status, "/repositories/1000/issues/1");
                assert_eq!(next.method, method, "{status}");
                assert_eq!(
                    next.body.as_deref().map(Vec::as_slice),
                    Some(&br#"{"body":"b"}"#[..])
                );
                assert_eq!(
                    next.url,
                    "https://api.example.com/repositories/1000/issues/1"
                );
                assert_eq!(next.headers.len(), 2, "{status}: headers kept");
            }
            let next = follow(method, 303, "/result");
            assert_eq!(next.method, Method::Get, "303 after {method}");
            if method != Method::Get {
                assert_eq!(next.body, None);
                assert_eq!(next.headers, [("PRIVATE-TOKEN".to_owned(), "t".to_owned())]);
            }
        }
    }

    #[test]
    fn another_scheme_host_or_port_is_refused_naming_only_its_origin() {
        for status in [301, 302, 303, 307, 308] {
            for (location, shown) in [
                (
                    "https://evil.example/x?token=s3cret",
                    "https://evil.example:443",
                ),
                ("//evil.example/hook/s3cret", "https://evil.example:443"),
                ("http://api.example.com/x", "http://api.example.com:80"),
                (
                    "https://api.example.com:8443/x",
                    "https://api.example.com:8443",
                ),
                (
                    "https://u:s3cret@api.example.com/x",
                    "https://api.example.com:443",
                ),
            ] {
                let why = refuse(status, Some(location));
                assert_eq!(
                    why,
                    format!(
                        "was redirected ({status}) to another origin, `{shown}`, and was not \
                         sent there: its credentials stay with `https://api.example.com:443`"
                    )
                );
                assert!(!why.contains("s3cret"), "{why}");
            }
        }
    }

    #[test]
    fn redirects_without_a_usable_location_are_refused() {
        assert_eq!(
            refuse(302, None),
            "was redirected (302) without a `Location`"
        );
        assert_eq!(
            refuse(307, Some("  ")),
            "was redirected (307) without a `Location`"
        );
        assert_eq!(
            refuse(301, Some("mailto:x@example.com")),
            "was redirected (301) to a `Location` that is not an HTTP URL"
        );
        assert_eq!(
            refuse(308, Some("https://bad host/")),
            "was redirected (308) to a `Location` that is not an HTTP URL"
        );
    }

    #[test]
    fn other_statuses_are_answers() {
        let request = Request::new(Method::Get, BASE);
        for status in [200, 204, 300, 304, 305, 400, 404] {
            assert!(matches!(
                next(&request, &origin(), status, Some("/x")),
                Hop::Stay
            ));
        }
    }

    /// The client itself, against real servers: the decision above is what goes on the
    /// wire.
    mod wire {
        use std::time::Duration;

        use crate::mask::Masker;
        use crate::notify::http::test_server::{Elsewhere, Server, reply};
        use crate::notify::http::{Http, HttpConfig, HttpError, Method, Request, header};

        const METHODS: [Method; 5] = [
            Method::Get,
            Method::Post,
            Method::Put,
            Method::Patch,
            Method::Delete,
        ];
        const TOKEN: &str = "glpat-S3cretToken";

        fn client() -> Http {
            Http::new(HttpConfig {
                secrets: vec![TOKEN.to_owned()],
                masks: Masker::empty().with_literal("GitLab", TOKEN),
                use_env_proxy: false,
                timeout: Duration::from_secs(5),
                ..HttpConfig::default()
            })
            .with_sleeper(|_| panic!("nothing here is retried"))
        }

        /// A request carrying a credential in every place one can be.
        fn request(method: Method, url: String) -> Request {
            Request::json(method, url, &serde_json::json!({"body": "plan"}))
                .unwrap()
                .header("PRIVATE-TOKEN", TOKEN)
                .header("Authorization", format!("Bearer {TOKEN}"))
                .signed(|_| ("x-signature".to_owned(), "sha256=s1gned".to_owned()))
        }

        #[test]
        fn no_method_follows_any_redirect_to_another_host() {
            for method in METHODS {
                for status in [301, 302, 303, 307, 308] {
                    let elsewhere = Elsewhere::start();
                    let target = elsewhere.url(&format!("/hook/{TOKEN}?token={TOKEN}"));
                    let server = Server::start(vec![reply(status, "").header("Location", &target)]);
                    let error = client()
                        .send(&request(method, server.url("/api/v4/notes")))
                        .unwrap_err();
                    assert!(!elsewhere.was_reached(), "{method} {status}");
                    assert_eq!(server.seen().len(), 1, "{method} {status}: not retried");
                    let origin = elsewhere.url("").replace("http://", "");
                    assert!(
                        matches!(&error, HttpError::Redirect { status: s, .. } if *s == status),
                        "{error:?}"
                    );
                    assert_eq!(
                        error.to_string(),
                        format!(
                            "`{method} {}` was redirected ({status}) to another origin, \
                             `http://{origin}`, and was not sent there: its credentials stay \
                             with `{}`",
                            server.url("/api/v4/notes"),
                            server.base,
                        )
                    );
                    assert!(!error.to_string().contains("S3cret"));
                    assert!(error.hint().is_some());
                }
            }
        }

        #[test]
        fn another_port_on_the_same_host_is_another_origin() {
            let other = Server::start(vec![reply(200, "{}")]);
            let server = Server::start(vec![
                reply(307, "").header("Location", &other.url("/api/v4/notes")),
            ]);
            let error = client()
                .send(&request(Method::Post, server.url("/api/v4/notes")))
                .unwrap_err();
            assert!(matches!(error, HttpError::Redirect { .. }), "{error:?}");
            assert!(other.seen().is_empty());
        }

        #[test]
        fn every_method_follows_redirects_within_its_origin() {
            for method in METHODS {
                for status in [301, 302, 303, 307, 308] {
                    let server = Server::start(vec![
                        reply(status, "").header("Location", "/repositories/1000/notes"),
                        reply(302, "").header("Location", "{base}/moved/again?x=1"),
                        reply(200, r#"{"id":1}"#),
                    ]);
                    let response = client()
                        .send(&request(method, server.url("/repos/o/r/notes")))
                        .unwrap();
                    assert_eq!(response.body, br#"{"id":1}"#);
                    let seen = server.seen();
                    let paths: Vec<&str> = seen.iter().map(|s| s.path.as_str()).collect();
                    assert_eq!(
                        paths,
                        [
                            "/repos/o/r/notes",
                            "/repositories/1000/notes",
                            "/moved/again?x=1"
                        ]
                    );
                    let kept = status != 303 || method == Method::Get;
                    for hop in &seen[1..] {
                        let expected = if kept { method } else { Method::Get };
                        assert_eq!(hop.method, expected.as_str(), "{method} {status}");
                        let token = header(&hop.headers, "private-token");
                        assert_eq!(token, Some(TOKEN), "its own origin gets the token");
                        if kept {
                            assert_eq!(hop.body, br#"{"body":"plan"}"#);
                            let signature = header(&hop.headers, "x-signature");
                            assert_eq!(signature, Some("sha256=s1gned"));
                        } else {
                            assert!(hop.body.is_empty());
                        }
                    }
                }
            }
        }

        #[test]
        fn redirects_are_bounded() {
            let server = Server::start(
                (0..7)
                    .map(|n| reply(302, "").header("Location", &format!("/hop/{n}")))
                    .collect(),
            );
            let error = client()
                .send(&request(Method::Get, server.url("/start")))
                .unwrap_err();
            assert_eq!(server.seen().len(), 6);
            assert_eq!(
                error.to_string(),
                format!(
                    "`GET {}` was redirected (302) more than 5 times",
                    server.url("/hop/4")
                )
            );
        }
    }
}
