//! The one HTTP client every notifier uses.
//!
//! It owns the decisions no backend may make differently: which failures are worth retrying
//! (classified once, in `classify`, with a `retryable` bit on every error), how long to wait
//! (exponential backoff, `Retry-After`, `x-ratelimit-reset`, all bounded, and a time budget
//! per destination), which redirects are followed (only within the request's origin, see
//! `redirect`), how much of an answer is read (capped, so a huge body cannot exhaust
//! memory), and what an error says (method, redacted URL, status and the server's own
//! message on one line). Notifiers never retry nor follow redirects on their own.
//!
//! Blocking `ureq` and no async runtime: a run sends a handful of requests, one after the
//! other, which is also what GitHub asks of clients that create content. Sleeping and the
//! clock are injected so tests check every wait without waiting.
//!
//! It is also the one place where what leaves the machine is masked: every request's URL,
//! headers and body go through the run's masks ([`HttpConfig::masks`]) just before they
//! are sent, sparing only the destination's own credentials where the request needs them
//! (see `outgoing`). Those credentials ([`HttpConfig::secrets`]) and the masks are
//! replaced by `***` in every error, `Debug` output and anything passed through
//! [`Http::redact`].
//!
//! This module depends only on std, external crates and [`crate::mask`].

mod outgoing;
mod redirect;
#[cfg(test)]
mod test_server;
mod tuning;

use std::borrow::Cow;
use std::fmt;
use std::io::Read as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::mask::Masker;

use outgoing::{Outgoing, Signer};
use redirect::{Hop, Origin};

pub use tuning::TuningError;

/// `tfnotify/<version>`: GitHub rejects requests without a `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = concat!("tfnotify/", env!("CARGO_PKG_VERSION"));

/// Largest successful response body read: a page of 100 GitHub comments of 65,536
/// characters each (6.5 MB of text) fits with room for JSON escapes. More fails the request
/// instead of growing without bound.
const MAX_BODY_BYTES: u64 = 16 << 20;

/// Most of a failed response's body read: its message is cut to [`MAX_MESSAGE_CHARS`]
/// anyway, and an error page may be of any size. The rest is left unread.
const MAX_ERROR_BODY_BYTES: u64 = 64 << 10;

/// Longest server message kept in an error, in characters: enough for GitHub's validation
/// messages, short enough that an HTML error page does not flood the log.
const MAX_MESSAGE_CHARS: usize = 300;

/// How the client behaves: timeouts, retry bounds, identity and what to redact.
///
/// `Default` gives values suited to GitHub's guidance: 4 attempts, 1 s doubling to at most
/// 60 s per wait and 3 minutes in all, within 5 minutes per destination.
/// [`HttpConfig::from_env`] reads the `TFNOTIFY_HTTP_*` variables over them.
#[derive(Clone)]
pub struct HttpConfig {
    /// Sent as `User-Agent` on every request.
    pub user_agent: String,
    /// Limit for connecting, and for one whole attempt from connect to last body byte.
    pub timeout: Duration,
    /// Attempts per request, the first one included; 1 disables retries.
    pub max_attempts: u32,
    /// First backoff wait; it doubles on each retry.
    pub base_delay: Duration,
    /// Longest single wait. A server asking for longer (a rate limit resetting in 40
    /// minutes) makes the client give up at once with the reset time in the error,
    /// instead of blocking CI.
    pub max_delay: Duration,
    /// Longest time spent waiting across all retries of one request.
    pub max_total_wait: Duration,
    /// Longest time one client (one destination of a run) spends on all its requests,
    /// waits included: no attempt starts and no wait begins past it, and an attempt's
    /// timeout is cut to what is left. This is what bounds a run, whatever the server does.
    pub budget: Duration,
    /// Most pages [`Http::get_all_pages`] follows before failing.
    pub max_pages: usize,
    /// This destination's credentials (tokens, webhook URLs): sent where the request needs
    /// them, never shown in errors or logs.
    pub secrets: Vec<String>,
    /// The run's masks, every destination's secrets among them: applied to each request's
    /// URL, headers and body before it is sent, and to every error.
    pub masks: Masker,
    /// Honour `HTTPS_PROXY`/`NO_PROXY` and friends; tests turn it off to stay hermetic.
    pub use_env_proxy: bool,
}

/// A request method; a closed set because notifiers need no others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Reads: listing comments, looking up a PR.
    Get,
    /// Creates: a comment, a label, a chat message.
    Post,
    /// Replaces: GitLab note edits.
    Put,
    /// Edits: GitHub comment edits.
    Patch,
    /// Removes: old comments, labels.
    Delete,
}

/// One request, plain data so it can be sent again on retry and inspected in tests.
#[derive(Clone)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The full URL, query included.
    pub url: String,
    /// Extra headers; `User-Agent` is added by the client unless set here.
    pub headers: Vec<(String, String)>,
    /// The body, if any: shared by the tries of a request and by its masked form when
    /// masking changed nothing (a webhook's body can be megabytes).
    pub body: Option<Arc<Vec<u8>>>,
    /// Signs the body as sent (masked), for a header such as a webhook's HMAC.
    sign: Option<Signer>,
}

/// A response with a status below 300: redirects are followed (within their origin) before
/// a response is returned, and anything else of 300 or above is an [`HttpError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers with lowercase names, in the order received.
    pub headers: Vec<(String, String)>,
    /// The whole body, at most 16 MiB.
    pub body: Vec<u8>,
}

/// Why a rate limit stopped the request, so the final error can say when to try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    /// When the limit resets, from `Retry-After` or `x-ratelimit-reset`, if the server said.
    pub reset_at: Option<SystemTime>,
}

/// A failed request. Every variant has already been redacted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The server answered with status 400 or above.
    #[error("`{method} {url}` failed with status {status}: {message}{}", notes(*attempts, rate_limit.as_ref()))]
    Status {
        /// The method.
        method: Method,
        /// The URL, redacted.
        url: String,
        /// The status code.
        status: u16,
        /// The server's own message (or the status reason), one line, capped.
        message: String,
        /// The failure is temporary: a later run may succeed. Retries were already spent.
        retryable: bool,
        /// Set when a rate limit caused the failure.
        rate_limit: Option<RateLimit>,
        /// Requests sent, the first one included.
        attempts: u32,
    },
    /// A redirect that was not followed: to another scheme, host or port, without a usable
    /// `Location`, or one too many. Only the target's origin is named.
    #[error("`{method} {url}` {message}")]
    Redirect {
        /// The method.
        method: Method,
        /// The URL, redacted.
        url: String,
        /// The redirect's status.
        status: u16,
        /// What the redirect was and why it was not followed.
        message: String,
    },
    /// No usable response: connection refused, DNS, TLS, timeout, broken or oversized body.
    #[error("`{method} {url}` failed: {message}{}", notes(*attempts, None))]
    Transport {
        /// The method.
        method: Method,
        /// The URL, redacted.
        url: String,
        /// What went wrong, redacted.
        message: String,
        /// The attempt timed out.
        timeout: bool,
        /// The failure is temporary (a timeout, a reset connection), not a TLS or config
        /// problem.
        retryable: bool,
        /// Requests sent, the first one included.
        attempts: u32,
    },
    /// The request could not be built: a bad URL or header.
    #[error("`{method} {url}` is not a valid request: {message}")]
    InvalidRequest {
        /// The method.
        method: Method,
        /// The URL, redacted.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// The response was a success but not the JSON the caller expected.
    #[error("`{method} {url}` returned unexpected JSON: {message}")]
    Decode {
        /// The method.
        method: Method,
        /// The URL, redacted.
        url: String,
        /// The decoder's message.
        message: String,
    },
    /// Following `Link: rel="next"` went wrong: too many pages, or a link to another host.
    #[error("listing `{url}` stopped: {message}")]
    Pagination {
        /// The first page's URL, redacted.
        url: String,
        /// What went wrong.
        message: String,
    },
}

/// The client: one `ureq` agent plus the retry policy, clock, sleeper and secrets.
///
/// Cheap to share by reference; it is `Send + Sync`.
pub struct Http {
    agent: ureq::Agent,
    config: HttpConfig,
    /// The masks and the credentials: what errors and logs never show.
    redactor: Masker,
    /// How each request is masked before it is sent.
    outgoing: Outgoing,
    sleeper: Arc<dyn Fn(Duration) + Send + Sync>,
    clock: Arc<dyn Fn() -> SystemTime + Send + Sync>,
    /// Time spent so far on attempts and waits, against [`HttpConfig::budget`]. Counted
    /// from attempts and waits, not from a clock, so an injected sleeper counts too.
    spent: Mutex<Duration>,
}

/// What [`classify`] decided about one failed attempt.
#[derive(Debug, PartialEq, Eq)]
struct Verdict {
    retry: bool,
    /// The server named a wait (`Retry-After`, `x-ratelimit-reset`).
    server_wait: Option<Duration>,
    rate_limit: Option<RateLimit>,
    /// A rate limit that gave no wait: GitHub asks for at least a minute.
    unhinted_limit: bool,
}

impl Default for HttpConfig {
    fn default() -> HttpConfig {
        HttpConfig {
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            timeout: Duration::from_secs(30),
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_mins(1),
            max_total_wait: Duration::from_mins(3),
            budget: Duration::from_mins(5),
            max_pages: 100,
            secrets: Vec::new(),
            masks: Masker::empty(),
            use_env_proxy: true,
        }
    }
}

impl fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpConfig")
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("max_attempts", &self.max_attempts)
            .field("base_delay", &self.base_delay)
            .field("max_delay", &self.max_delay)
            .field("max_total_wait", &self.max_total_wait)
            .field("budget", &self.budget)
            .field("max_pages", &self.max_pages)
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .field("masks", &self.masks)
            .field("use_env_proxy", &self.use_env_proxy)
            .finish()
    }
}

impl Method {
    /// The method as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Request {
    /// A request without headers or body.
    pub fn new(method: Method, url: impl Into<String>) -> Request {
        Request {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: None,
            sign: None,
        }
    }

    /// Adds the header `sign` computes from the body as it is sent: masking may change the
    /// body, and a signature of anything else would not verify.
    #[must_use]
    pub fn signed(
        mut self,
        sign: impl Fn(&[u8]) -> (String, String) + Send + Sync + 'static,
    ) -> Request {
        self.sign = Some(Arc::new(sign));
        self
    }

    /// A request whose body is `body` as JSON, with `Content-Type: application/json`.
    pub fn json<T: Serialize + ?Sized>(
        method: Method,
        url: impl Into<String>,
        body: &T,
    ) -> serde_json::Result<Request> {
        let mut request = Request::new(method, url).header("content-type", "application/json");
        let mut bytes = serde_json::to_vec(body)?;
        bytes.shrink_to_fit();
        request.body = Some(Arc::new(bytes));
        Ok(request)
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds borrowed headers, the shape [`Http::get_json`] takes.
    #[must_use]
    pub fn headers(mut self, headers: &[(&str, &str)]) -> Request {
        self.headers.extend(
            headers
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
        );
        self
    }
}

/// Shows only the URL's origin, header names and body size: header values carry tokens and
/// URLs can be webhook secrets, and a `Request` does not know the secret list.
impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("origin", &origin(&self.url))
            .field("header_names", &names)
            .field("body_len", &self.body.as_ref().map(|body| body.len()))
            .field("signed", &self.sign.is_some())
            .finish()
    }
}

impl Response {
    /// The first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The body as text; invalid UTF-8 is replaced.
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reset_at {
            Some(at) => write!(
                f,
                "rate limit hit, resets at {}",
                httpdate::fmt_http_date(at)
            ),
            None => f.write_str("rate limit hit"),
        }
    }
}

impl HttpError {
    /// True when the failure is temporary, so the run may succeed later.
    pub fn is_retryable(&self) -> bool {
        match self {
            HttpError::Status { retryable, .. } | HttpError::Transport { retryable, .. } => {
                *retryable
            }
            HttpError::Redirect { .. }
            | HttpError::InvalidRequest { .. }
            | HttpError::Decode { .. }
            | HttpError::Pagination { .. } => false,
        }
    }

    /// The response status, for errors that have one.
    pub fn status(&self) -> Option<u16> {
        match self {
            HttpError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How to fix what any destination can meet, for a notifier whose own hints (by status)
    /// say nothing.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            HttpError::Redirect { message, .. } if message.contains("another origin") => Some(
                "if the server moved, or a proxy in front of it rewrites URLs, set the destination's URL (`base_url`, `webhook_url` or its variable) to the new address",
            ),
            _ => None,
        }
    }
}

impl Http {
    /// Builds the client; nothing is sent yet.
    pub fn new(config: HttpConfig) -> Http {
        // Redirects are followed by `send`, within their origin only (see `redirect`).
        let mut builder = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(config.user_agent.as_str())
            .timeout_connect(Some(config.timeout))
            .timeout_global(Some(config.timeout));
        if !config.use_env_proxy {
            builder = builder.proxy(None);
        }
        let agent = builder.build().new_agent();
        let credentials = config
            .secrets
            .iter()
            .fold(Masker::empty(), |masker, secret| {
                masker.with_literal("credential", secret)
            });
        let mut redactor = config.masks.clone();
        redactor.extend(credentials.clone());
        let outgoing = Outgoing::new(config.masks.clone(), credentials);
        Http {
            agent,
            config,
            redactor,
            outgoing,
            sleeper: Arc::new(std::thread::sleep),
            clock: Arc::new(SystemTime::now),
            spent: Mutex::new(Duration::ZERO),
        }
    }

    /// Replaces how the client waits; tests record the waits instead of sleeping.
    #[must_use]
    pub fn with_sleeper(mut self, sleeper: impl Fn(Duration) + Send + Sync + 'static) -> Http {
        self.sleeper = Arc::new(sleeper);
        self
    }

    /// Replaces the clock used to turn `x-ratelimit-reset` and dated `Retry-After` into
    /// waits.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Http {
        self.clock = Arc::new(clock);
        self
    }

    /// Replaces every credential and masked value in `text` with `***`, in any of their
    /// forms; use it before logging.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.redactor.mask(text)
    }

    /// Sends `request`, retrying temporary failures within the configured bounds.
    ///
    /// The URL, headers and body are masked first (see the module doc), so nothing a mask
    /// hides is ever sent. Statuses below 400 are responses; everything else is an
    /// [`HttpError`] whose `retryable` bit says whether the failure was temporary.
    pub fn send(&self, request: &Request) -> Result<Response, HttpError> {
        let mut waited = Duration::ZERO;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (error, verdict) = match self.exchange(request) {
                Ok((_, response)) if response.status < 300 => return Ok(response),
                Ok((sent, response)) => {
                    let verdict = classify(
                        response.status,
                        &response.headers,
                        &response.body,
                        (self.clock)(),
                    );
                    let error = self.status_error(&sent, &response, &verdict, attempt);
                    (error, verdict)
                }
                Err(error) => {
                    let verdict = Verdict {
                        retry: error.is_retryable(),
                        server_wait: None,
                        rate_limit: None,
                        unhinted_limit: false,
                    };
                    (with_attempts(error, attempt), verdict)
                }
            };
            if !verdict.retry || attempt >= self.config.max_attempts {
                return Err(error);
            }
            let wait = match verdict.server_wait {
                Some(wait) => wait,
                None if verdict.unhinted_limit => self.config.max_delay,
                None => self.backoff(attempt),
            };
            if wait > self.config.max_delay
                || waited + wait > self.config.max_total_wait
                || wait >= self.remaining()
            {
                return Err(error);
            }
            (self.sleeper)(wait);
            self.spend(wait);
            waited += wait;
        }
    }

    /// Sends `request` and decodes the JSON response body.
    pub fn send_json<T: DeserializeOwned>(&self, request: &Request) -> Result<T, HttpError> {
        let response = self.send(request)?;
        self.decode(request, &response)
    }

    /// GETs `url` and decodes the JSON response body.
    pub fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<T, HttpError> {
        self.send_json(&Request::new(Method::Get, url).headers(headers))
    }

    /// GETs `url` and every page after it, following `Link: <…>; rel="next"` (GitHub and
    /// GitLab both paginate this way) or, without one, GitLab's `x-next-page`, and
    /// concatenates the JSON arrays.
    ///
    /// Stops with an error after [`HttpConfig::max_pages`] pages, and refuses a next link to
    /// another scheme, host or port, because the headers (the token) would go with it. A
    /// self-managed GitLab whose external URL is misconfigured links to the wrong host but
    /// still says `x-next-page`, so that number is used then.
    pub fn get_all_pages<T: DeserializeOwned>(
        &self,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<Vec<T>, HttpError> {
        let first_origin = origin(url);
        let mut items = Vec::new();
        let mut request = Request::new(Method::Get, url).headers(headers);
        for _ in 0..self.config.max_pages {
            let response = self.send(&request)?;
            let page: Vec<T> = self.decode(&request, &response)?;
            items.extend(page);
            let linked = next_link(&response.headers).map(|next| {
                if next.starts_with('/') {
                    format!("{first_origin}{next}")
                } else {
                    next.to_owned()
                }
            });
            let numbered = next_page_number(&response.headers).map(|n| with_page(&request.url, n));
            let next = match (linked, numbered) {
                (Some(next), _) if origin(&next) == first_origin => next,
                (_, Some(next)) => next,
                (Some(next), None) => {
                    return Err(HttpError::Pagination {
                        url: self.redact(url).into_owned(),
                        message: format!(
                            "the next page `{}` is on another host, and the request's headers \
                             must not go there",
                            self.redact(&next)
                        ),
                    });
                }
                (None, None) => return Ok(items),
            };
            request.url = next;
        }
        Err(HttpError::Pagination {
            url: self.redact(url).into_owned(),
            message: format!("more than {} pages", self.config.max_pages),
        })
    }

    /// GETs `url` and every page after it, following the `next` URL inside each JSON page
    /// (Bitbucket Cloud's `{"values": […], "next": "…"}`), and concatenates the `values`.
    ///
    /// The same bounds as [`Http::get_all_pages`]: at most [`HttpConfig::max_pages`] pages,
    /// and never a next page on another scheme, host or port.
    pub fn get_all_values<T: DeserializeOwned>(
        &self,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<Vec<T>, HttpError> {
        /// One page as Bitbucket sends it.
        #[derive(serde::Deserialize)]
        struct Page<T> {
            values: Vec<T>,
            next: Option<String>,
        }
        let first_origin = origin(url);
        let mut items = Vec::new();
        let mut request = Request::new(Method::Get, url).headers(headers);
        for _ in 0..self.config.max_pages {
            let response = self.send(&request)?;
            let page: Page<T> = self.decode(&request, &response)?;
            items.extend(page.values);
            let Some(next) = page.next.filter(|n| !n.is_empty()) else {
                return Ok(items);
            };
            if origin(&next) != first_origin {
                return Err(HttpError::Pagination {
                    url: self.redact(url).into_owned(),
                    message: format!(
                        "the next page `{}` is on another host, and the request's headers \
                         must not go there",
                        self.redact(&next)
                    ),
                });
            }
            request.url = next;
        }
        Err(HttpError::Pagination {
            url: self.redact(url).into_owned(),
            message: format!("more than {} pages", self.config.max_pages),
        })
    }

    /// An error for a response that succeeded at the HTTP level but failed at the API level,
    /// such as Slack's `200 {"ok":false,"error":"invalid_auth"}`: same shape, same
    /// redaction as any other status error, and not retryable.
    pub fn reject(&self, request: &Request, response: &Response) -> HttpError {
        HttpError::Status {
            method: request.method,
            url: self.redact(&request.url).into_owned(),
            status: response.status,
            message: self.status_message(response),
            retryable: false,
            rate_limit: None,
            attempts: 1,
        }
    }

    /// One attempt: `request` masked and sent, then every redirect within its origin
    /// followed, each hop masked again (see `redirect`). Returns the request as last sent,
    /// for errors, with its answer.
    fn exchange(&self, request: &Request) -> Result<(Request, Response), HttpError> {
        let origin = Origin::of(&request.url);
        let mut current = Cow::Borrowed(request);
        let mut hops = 0;
        loop {
            let sent = self.outgoing.prepare(&current);
            let response = self.attempt(&sent)?;
            let hop = match &origin {
                Some(origin) => redirect::next(
                    &current,
                    origin,
                    response.status,
                    response.header("location"),
                ),
                None => Hop::Stay,
            };
            let message = match hop {
                Hop::Stay => return Ok((sent, response)),
                Hop::Follow(next) if hops < redirect::MAX_HOPS => {
                    hops += 1;
                    current = Cow::Owned(next);
                    continue;
                }
                Hop::Follow(_) => format!(
                    "was redirected ({}) more than {} times",
                    response.status,
                    redirect::MAX_HOPS
                ),
                Hop::Refuse(message) => message,
            };
            return Err(HttpError::Redirect {
                method: sent.method,
                url: self.redact(&sent.url).into_owned(),
                status: response.status,
                message,
            });
        }
    }

    /// One request on the wire, no retry, no redirect; its time counts against the budget.
    fn attempt(&self, request: &Request) -> Result<Response, HttpError> {
        let timeout = self.config.timeout.min(self.remaining());
        if timeout.is_zero() {
            return Err(HttpError::Transport {
                method: request.method,
                url: self.redact(&request.url).into_owned(),
                message: format!(
                    "not sent: this destination's time budget ({:?}) is spent",
                    self.config.budget
                ),
                timeout: true,
                retryable: true,
                attempts: 1,
            });
        }
        let started = Instant::now();
        let result = self.call(request, timeout);
        self.spend(started.elapsed());
        result
    }

    /// Sends `request` with `timeout` for the whole exchange, connecting included, and reads
    /// the answer: a success's body up to [`MAX_BODY_BYTES`] (more fails), a failure's up to
    /// [`MAX_ERROR_BODY_BYTES`] (the rest is dropped).
    fn call(&self, request: &Request, timeout: Duration) -> Result<Response, HttpError> {
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let built = match &request.body {
            Some(body) => builder
                .body(body.as_slice())
                .map(|built| self.agent.run(self.limited(built, timeout))),
            None => builder
                .body(())
                .map(|built| self.agent.run(self.limited(built, timeout))),
        };
        let result = built.map_err(|error| HttpError::InvalidRequest {
            method: request.method,
            url: self.redact(&request.url).into_owned(),
            message: self.redact(&error.to_string()).into_owned(),
        })?;
        let mut response =
            result.map_err(|error| self.transport_error(request, &error, timeout))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect();
        let body = if status < 300 {
            response
                .body_mut()
                .with_config()
                .limit(MAX_BODY_BYTES)
                .read_to_vec()
                .map_err(|error| self.transport_error(request, &error, timeout))?
        } else {
            // A failure's message needs only the start of its body; a body that breaks off
            // keeps what arrived.
            let mut body = Vec::new();
            let _ = response
                .body_mut()
                .with_config()
                .reader()
                .take(MAX_ERROR_BODY_BYTES)
                .read_to_end(&mut body);
            body
        };
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    /// `request` with `timeout` for connecting and for the whole exchange.
    fn limited<S: ureq::AsSendBody>(
        &self,
        request: ureq::http::Request<S>,
        timeout: Duration,
    ) -> ureq::http::Request<S> {
        self.agent
            .configure_request(request)
            .timeout_connect(Some(timeout))
            .timeout_global(Some(timeout))
            .build()
    }

    /// What is left of the budget.
    fn remaining(&self) -> Duration {
        let spent = *self.spent.lock().unwrap_or_else(PoisonError::into_inner);
        self.config.budget.saturating_sub(spent)
    }

    fn spend(&self, time: Duration) {
        let mut spent = self.spent.lock().unwrap_or_else(PoisonError::into_inner);
        *spent = spent.saturating_add(time);
    }

    /// What went wrong below HTTP, and whether trying again may help: a timeout, a refused
    /// or reset connection, an unreadable answer may pass; a TLS failure (rustls reports
    /// those as invalid data), an oversized body or a bad URL will not.
    fn transport_error(
        &self,
        request: &Request,
        error: &ureq::Error,
        timeout: Duration,
    ) -> HttpError {
        let (message, timeout, retryable) = match error {
            ureq::Error::Timeout(_) => (format!("timed out after {timeout:?}"), true, true),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => (
                format!(
                    "the secure connection failed: {}",
                    io.get_ref()
                        .map_or_else(|| io.to_string(), ToString::to_string)
                ),
                false,
                false,
            ),
            ureq::Error::BodyExceedsLimit(limit) => (
                format!(
                    "the answer is larger than {} MiB, more than any answer it expects; it was not read to the end",
                    limit >> 20
                ),
                false,
                false,
            ),
            ureq::Error::Io(_)
            | ureq::Error::HostNotFound
            | ureq::Error::ConnectionFailed
            | ureq::Error::Protocol(_) => (error.to_string(), false, true),
            other => (other.to_string(), false, false),
        };
        HttpError::Transport {
            method: request.method,
            url: self.redact(&request.url).into_owned(),
            message: self.redact(&one_line(&message)).into_owned(),
            timeout,
            retryable,
            attempts: 1,
        }
    }

    fn status_error(
        &self,
        request: &Request,
        response: &Response,
        verdict: &Verdict,
        attempts: u32,
    ) -> HttpError {
        HttpError::Status {
            method: request.method,
            url: self.redact(&request.url).into_owned(),
            status: response.status,
            message: self.status_message(response),
            retryable: verdict.retry,
            rate_limit: verdict.rate_limit.clone(),
            attempts,
        }
    }

    fn decode<T: DeserializeOwned>(
        &self,
        request: &Request,
        response: &Response,
    ) -> Result<T, HttpError> {
        serde_json::from_slice(&response.body).map_err(|error| HttpError::Decode {
            method: request.method,
            url: self.redact(&request.url).into_owned(),
            message: self.redact(&error.to_string()).into_owned(),
        })
    }

    /// The server's own message, masked before it is cut to length so that no part of a
    /// secret survives the cut. The body is masked as JSON first, so a secret quoted in an
    /// answer (a 422 quoting the comment) is found in whatever spelling the server used.
    fn status_message(&self, response: &Response) -> String {
        let body = self.redactor.mask_json(&response.body);
        let body = body.as_deref().unwrap_or(&response.body);
        cap(&self.redact(&status_message(response.status, body)))
    }

    /// `base_delay` doubled per retry already made, capped at `max_delay`.
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2_u32.saturating_pow(attempt.saturating_sub(1));
        self.config
            .base_delay
            .saturating_mul(factor)
            .min(self.config.max_delay)
    }
}

impl fmt::Debug for Http {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Http")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The retry decision for one failed response, made here and nowhere else.
///
/// Retried: 500, 502, 503, 504 and 423 (GitLab's locked resource, temporary), 429, and a
/// 403 that is really a rate limit (GitHub's secondary limit says so in the body or sends
/// `retry-after`; its primary limit sends `x-ratelimit-remaining: 0`). Never retried:
/// every other status, notably 400, 401, 403 for permissions, 404, 409, 410 and 422.
fn classify(status: u16, headers: &[(String, String)], body: &[u8], now: SystemTime) -> Verdict {
    let retry_after =
        header(headers, "retry-after").and_then(|value| parse_retry_after(value, now));
    let reset_at = rate_limit_reset(headers);
    let body_text = String::from_utf8_lossy(body).to_lowercase();
    let secondary = body_text.contains("secondary rate limit")
        || body_text.contains("abuse detection mechanism");
    let rate_limited = match status {
        429 => true,
        403 => secondary || retry_after.is_some() || reset_at.is_some(),
        _ => false,
    };
    let retry = rate_limited || matches!(status, 423 | 500 | 502 | 503 | 504);
    let server_wait = retry_after.or_else(|| {
        reset_at
            .filter(|_| rate_limited)
            .map(|at| at.duration_since(now).unwrap_or(Duration::ZERO))
    });
    let rate_limit = rate_limited.then(|| RateLimit {
        reset_at: retry_after
            .map(|wait| now + wait)
            .or(reset_at)
            .map(whole_seconds),
    });
    Verdict {
        retry,
        server_wait,
        unhinted_limit: rate_limited && server_wait.is_none(),
        rate_limit,
    }
}

/// `Retry-After` as seconds or as an HTTP date (a past date means now).
fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The reset time of an exhausted primary limit: GitHub's `x-ratelimit-*` or GitLab's
/// `ratelimit-*` headers, when `remaining` is 0.
fn rate_limit_reset(headers: &[(String, String)]) -> Option<SystemTime> {
    ["x-ratelimit-", "ratelimit-"].iter().find_map(|prefix| {
        let remaining = header(headers, &format!("{prefix}remaining"))?;
        if remaining.trim() != "0" {
            return None;
        }
        let reset: u64 = header(headers, &format!("{prefix}reset"))?
            .trim()
            .parse()
            .ok()?;
        Some(UNIX_EPOCH + Duration::from_secs(reset))
    })
}

/// Drops sub-second precision so error messages and tests see whole seconds.
fn whole_seconds(at: SystemTime) -> SystemTime {
    let seconds = at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    UNIX_EPOCH + Duration::from_secs(seconds)
}

/// The server's own message, or the status reason when the body says nothing.
fn status_message(status: u16, body: &[u8]) -> String {
    server_message(body).unwrap_or_else(|| {
        ureq::http::StatusCode::from_u16(status)
            .ok()
            .and_then(|code| code.canonical_reason())
            .unwrap_or("no message")
            .to_owned()
    })
}

/// Extracts a one-line message from an error body.
///
/// Understands GitHub `{"message", "errors": [...]}`, GitLab `{"message": "…" | {field:
/// [...]}}` and `{"error", "error_description"}`, Slack `{"ok": false, "error"}`, Bitbucket
/// `{"type": "error", "error": {"message", "fields", "detail"}}`, and plain text
/// (whitespace collapsed).
fn server_message(body: &[u8]) -> Option<String> {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) => json_message(&value)?,
        Err(_) => one_line(&String::from_utf8_lossy(body)),
    };
    (!text.is_empty()).then_some(text)
}

fn json_message(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    let Value::Object(object) = value else {
        return describe(value);
    };
    let error = match object.get("error") {
        Some(Value::Object(inner)) if inner.contains_key("message") => nested_error(inner),
        other => other.and_then(describe).map(|error| {
            match object.get("error_description").and_then(describe) {
                Some(description) => format!("{error}: {description}"),
                None => error,
            }
        }),
    };
    let primary = object.get("message").and_then(describe).or(error);
    let details: Vec<String> = match object.get("errors") {
        Some(Value::Array(errors)) => errors.iter().filter_map(error_detail).collect(),
        Some(other) => describe(other).into_iter().collect(),
        None => Vec::new(),
    };
    match (primary, details.is_empty()) {
        (Some(primary), true) => Some(primary),
        (Some(primary), false) => Some(format!("{primary} ({})", details.join("; "))),
        (None, false) => Some(details.join("; ")),
        (None, true) => None,
    }
}

/// Bitbucket's `{"error": {"message", "fields", "detail"}}`: the message, then what the
/// fields and details add.
fn nested_error(inner: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    let message = inner.get("message").and_then(describe)?;
    let details: Vec<String> = ["fields", "detail"]
        .iter()
        .filter_map(|key| inner.get(*key).and_then(describe))
        .collect();
    Some(if details.is_empty() {
        message
    } else {
        format!("{message} ({})", details.join("; "))
    })
}

/// One entry of GitHub's `errors` array: a string, or an object with a `message`, or
/// `resource`/`field`/`code`.
fn error_detail(value: &serde_json::Value) -> Option<String> {
    if let Some(message) = value.get("message").and_then(describe) {
        return Some(message);
    }
    if value.is_object() {
        let parts: Vec<&str> = ["resource", "field", "code"]
            .iter()
            .filter_map(|key| value.get(*key).and_then(serde_json::Value::as_str))
            .collect();
        return (!parts.is_empty()).then(|| parts.join(" "));
    }
    describe(value)
}

/// Any JSON value as short prose; GitLab's `{"title": ["can't be blank"]}` becomes
/// `title can't be blank`.
fn describe(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    let text = match value {
        Value::String(text) => one_line(text),
        Value::Array(items) => items
            .iter()
            .filter_map(describe)
            .collect::<Vec<_>>()
            .join("; "),
        Value::Object(fields) => fields
            .iter()
            .filter_map(|(key, value)| describe(value).map(|text| format!("{key} {text}")))
            .collect::<Vec<_>>()
            .join("; "),
        Value::Null => String::new(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
    };
    (!text.is_empty()).then_some(text)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cap(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The tail of an error line: the rate limit and how many attempts were made.
fn notes(attempts: u32, rate_limit: Option<&RateLimit>) -> String {
    let mut notes = Vec::new();
    if let Some(rate_limit) = rate_limit {
        notes.push(rate_limit.to_string());
    }
    if attempts > 1 {
        notes.push(format!("gave up after {attempts} attempts"));
    }
    if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join("; "))
    }
}

fn with_attempts(mut error: HttpError, count: u32) -> HttpError {
    if let HttpError::Status { attempts, .. } | HttpError::Transport { attempts, .. } = &mut error {
        *attempts = count;
    }
    error
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// The `rel="next"` target among all `Link` headers (RFC 8288).
fn next_link(headers: &[(String, String)]) -> Option<&str> {
    headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("link"))
        .find_map(|(_, value)| next_in_link(value))
}

fn next_in_link(value: &str) -> Option<&str> {
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>')?;
        let target = &after[..end];
        let params = &after[end + 1..];
        let params_end = params.find('<').unwrap_or(params.len());
        let is_next = params[..params_end].split(';').any(|param| {
            let Some((key, value)) = param.split_once('=') else {
                return false;
            };
            key.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_end_matches(',')
                    .trim()
                    .trim_matches('"')
                    .split_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
        });
        if is_next {
            return Some(target);
        }
        rest = &params[params_end..];
    }
    None
}

/// GitLab's `x-next-page`: the number of the next page, empty on the last one.
fn next_page_number(headers: &[(String, String)]) -> Option<u64> {
    header(headers, "x-next-page")?
        .trim()
        .parse()
        .ok()
        .filter(|page| *page > 0)
}

/// `url` with its `page` query parameter set to `page` (added when missing).
fn with_page(url: &str, page: u64) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let (path, query) = base.split_once('?').unwrap_or((base, ""));
    let mut params: Vec<String> = query
        .split('&')
        .filter(|param| !param.is_empty() && param.split('=').next() != Some("page"))
        .map(str::to_owned)
        .collect();
    params.push(format!("page={page}"));
    let mut out = format!("{path}?{}", params.join("&"));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// `scheme://authority` of a URL, lowercased: what decides where headers may be sent.
fn origin(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return String::new();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    format!("{scheme}://{authority}").to_ascii_lowercase()
}

/// How a secret looks inside a URL, so a token in a query string is redacted too; also how
/// notifiers put a name (an owner, a label) into one path segment.
pub(crate) fn percent_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push('%');
            encoded.push(char::from(HEX[usize::from(byte >> 4)]));
            encoded.push(char::from(HEX[usize::from(byte & 0xF)]));
        }
    }
    encoded
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::test_server::{Server, hang, reply};
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    fn config() -> HttpConfig {
        HttpConfig {
            user_agent: "tfnotify-test/1".to_owned(),
            timeout: Duration::from_secs(5),
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_mins(1),
            max_total_wait: Duration::from_mins(3),
            budget: Duration::from_mins(5),
            max_pages: 10,
            secrets: Vec::new(),
            masks: Masker::empty(),
            use_env_proxy: false,
        }
    }

    /// The fixed "now" of every test: 2026-11-30T12:00:00Z.
    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_hours(498_900)
    }

    /// A client with a fixed clock whose waits are recorded, not slept.
    fn client(config: HttpConfig) -> (Http, Arc<Mutex<Vec<Duration>>>) {
        let waits = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&waits);
        let http = Http::new(config)
            .with_sleeper(move |wait| recorded.lock().unwrap().push(wait))
            .with_clock(now);
        (http, waits)
    }

    fn secs(values: &[u64]) -> Vec<Duration> {
        values.iter().copied().map(Duration::from_secs).collect()
    }

    #[track_caller]
    fn fail_once(reply: test_server::Reply) -> (HttpError, usize) {
        let retryable = matches!(reply.status, 423 | 429 | 500..=504);
        let server = Server::start(vec![reply]);
        // Retryable statuses get one attempt: the server has only one reply scripted.
        let attempts = if retryable { 1 } else { 4 };
        let (http, waits) = client(HttpConfig {
            max_attempts: attempts,
            ..config()
        });
        let error = http
            .send(&Request::new(Method::Post, server.url("/x")))
            .unwrap_err();
        assert!(waits.lock().unwrap().is_empty());
        (error, server.seen().len())
    }

    #[test]
    fn retries_502_then_succeeds() {
        let server = Server::start(vec![
            reply(502, "<html>bad gateway</html>"),
            reply(200, r#"{"id": 7}"#),
        ]);
        let (http, waits) = client(config());
        let value: serde_json::Value = http.get_json(&server.url("/a"), &[]).unwrap();
        assert_eq!(value["id"], 7);
        assert_eq!(server.seen().len(), 2);
        assert_eq!(*waits.lock().unwrap(), secs(&[1]));
    }

    #[test]
    fn every_request_has_a_user_agent_and_json_body() {
        let server = Server::start(vec![reply(201, "{}")]);
        let (http, _) = client(config());
        let request = Request::json(Method::Post, server.url("/c"), &serde_json::json!({"b": 1}))
            .unwrap()
            .header("Authorization", "Bearer t");
        let response = http.send(&request).unwrap();
        assert_eq!(response.status, 201);
        let seen = &server.seen()[0];
        assert_eq!((seen.method.as_str(), seen.path.as_str()), ("POST", "/c"));
        assert_eq!(header(&seen.headers, "user-agent"), Some("tfnotify-test/1"));
        assert_eq!(
            header(&seen.headers, "content-type"),
            Some("application/json")
        );
        assert_eq!(header(&seen.headers, "authorization"), Some("Bearer t"));
        assert_eq!(seen.body, br#"{"b":1}"#);
    }

    #[test]
    fn retry_after_seconds_is_honoured() {
        let server = Server::start(vec![
            reply(429, "slow down").header("Retry-After", "1"),
            reply(200, "[]"),
        ]);
        let (http, waits) = client(config());
        http.send(&Request::new(Method::Get, server.url("/")))
            .unwrap();
        assert_eq!(*waits.lock().unwrap(), secs(&[1]));
    }

    #[test]
    fn retry_after_http_date_is_honoured() {
        let date = httpdate::fmt_http_date(now() + Duration::from_secs(5));
        let server = Server::start(vec![
            reply(503, "").header("Retry-After", &date),
            reply(200, "[]"),
        ]);
        let (http, waits) = client(config());
        http.send(&Request::new(Method::Get, server.url("/")))
            .unwrap();
        assert_eq!(*waits.lock().unwrap(), secs(&[5]));
    }

    #[test]
    fn exhausted_primary_limit_waits_until_reset() {
        let reset = (now() + Duration::from_secs(7))
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .to_string();
        let server = Server::start(vec![
            reply(
                403,
                r#"{"message":"API rate limit exceeded for installation ID 1."}"#,
            )
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", &reset),
            reply(200, "{}"),
        ]);
        let (http, waits) = client(config());
        http.send(&Request::new(Method::Get, server.url("/")))
            .unwrap();
        assert_eq!(*waits.lock().unwrap(), secs(&[7]));
    }

    #[test]
    fn a_reset_beyond_the_longest_wait_fails_at_once_and_says_when() {
        let reset = (now() + Duration::from_hours(1))
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .to_string();
        let (error, requests) = fail_once(
            reply(403, r#"{"message":"API rate limit exceeded"}"#)
                .header("x-ratelimit-remaining", "0")
                .header("x-ratelimit-reset", &reset),
        );
        assert_eq!(requests, 1);
        assert!(error.is_retryable());
        assert_eq!(
            error.to_string(),
            format!(
                "`POST {}` failed with status 403: API rate limit exceeded \
                 (rate limit hit, resets at Mon, 30 Nov 2026 13:00:00 GMT)",
                match &error {
                    HttpError::Status { url, .. } => url.clone(),
                    _ => unreachable!(),
                }
            )
        );
    }

    #[test]
    fn secondary_rate_limit_403_waits_the_longest_wait() {
        let body = r#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}"#;
        let server = Server::start(vec![reply(403, body), reply(201, "{}")]);
        let (http, waits) = client(HttpConfig {
            max_delay: Duration::from_secs(45),
            ..config()
        });
        http.send(&Request::new(Method::Post, server.url("/")))
            .unwrap();
        assert_eq!(*waits.lock().unwrap(), secs(&[45]));
    }

    #[test]
    fn secondary_rate_limit_with_retry_after() {
        let server = Server::start(vec![
            reply(403, "forbidden").header("retry-after", "3"),
            reply(201, "{}"),
        ]);
        let (http, waits) = client(config());
        http.send(&Request::new(Method::Post, server.url("/")))
            .unwrap();
        assert_eq!(*waits.lock().unwrap(), secs(&[3]));
    }

    #[test]
    fn client_errors_are_never_retried() {
        for status in [400, 401, 403, 404, 409, 410, 422] {
            let (error, requests) = fail_once(reply(status, r#"{"message":"nope"}"#));
            assert_eq!(requests, 1, "status {status}");
            assert!(!error.is_retryable(), "status {status}");
            assert_eq!(error.status(), Some(status));
        }
    }

    #[test]
    fn gives_up_after_max_attempts_with_backoff() {
        let server = Server::start((0..3).map(|_| reply(503, "")).collect());
        let (http, waits) = client(HttpConfig {
            max_attempts: 3,
            ..config()
        });
        let error = http
            .send(&Request::new(Method::Get, server.url("/x")))
            .unwrap_err();
        assert_eq!(server.seen().len(), 3);
        assert_eq!(*waits.lock().unwrap(), secs(&[1, 2]));
        assert!(error.is_retryable());
        assert_eq!(
            error.to_string(),
            format!(
                "`GET {}` failed with status 503: Service Unavailable (gave up after 3 attempts)",
                server.url("/x")
            )
        );
    }

    #[test]
    fn backoff_is_capped_and_total_wait_is_bounded() {
        let server = Server::start((0..5).map(|_| reply(500, "")).collect());
        let (http, waits) = client(HttpConfig {
            max_attempts: 5,
            max_delay: Duration::from_secs(3),
            ..config()
        });
        http.send(&Request::new(Method::Get, server.url("/")))
            .unwrap_err();
        assert_eq!(*waits.lock().unwrap(), secs(&[1, 2, 3, 3]));

        let server = Server::start((0..5).map(|_| reply(500, "")).collect());
        let (http, waits) = client(HttpConfig {
            max_attempts: 5,
            max_total_wait: Duration::from_secs(4),
            ..config()
        });
        let error = http
            .send(&Request::new(Method::Get, server.url("/")))
            .unwrap_err();
        assert_eq!(*waits.lock().unwrap(), secs(&[1, 2]));
        assert_eq!(server.seen().len(), 3);
        assert!(error.to_string().ends_with("(gave up after 3 attempts)"));
    }

    #[test]
    fn follows_link_headers_over_three_pages() {
        let server = Server::start(vec![
            reply(200, "[1, 2]").header(
                "Link",
                r#"<{base}/items?page=2>; rel="next", <{base}/items?page=3>; rel="last""#,
            ),
            reply(200, "[3]").header(
                "Link",
                r#"<{base}/items?page=1>; rel="prev", <{base}/items?page=3>; rel="next""#,
            ),
            reply(200, "[4, 5]").header("Link", r#"<{base}/items?page=2>; rel="prev""#),
        ]);
        let (http, _) = client(config());
        let items: Vec<u32> = http
            .get_all_pages(
                &server.url("/items?per_page=2"),
                &[("authorization", "token t")],
            )
            .unwrap();
        assert_eq!(items, [1, 2, 3, 4, 5]);
        let seen = server.seen();
        let paths: Vec<&str> = seen.iter().map(|seen| seen.path.as_str()).collect();
        assert_eq!(
            paths,
            ["/items?per_page=2", "/items?page=2", "/items?page=3"]
        );
        assert!(
            seen.iter()
                .all(|seen| header(&seen.headers, "authorization") == Some("token t"))
        );
    }

    #[test]
    fn follows_gitlab_s_next_page_number_without_a_link_or_with_one_to_another_host() {
        let server = Server::start(vec![
            reply(200, "[1]").header("x-next-page", "2").header(
                "link",
                "<https://gitlab.internal/api/v4/n?page=2>; rel=\"next\"",
            ),
            reply(200, "[2]").header("x-next-page", "3"),
            reply(200, "[3]").header("x-next-page", ""),
        ]);
        let (http, _) = client(config());
        let items: Vec<u32> = http
            .get_all_pages(&server.url("/n?per_page=1&page=1&sort=asc"), &[])
            .unwrap();
        assert_eq!(items, [1, 2, 3]);
        let paths: Vec<String> = server.seen().into_iter().map(|seen| seen.path).collect();
        assert_eq!(
            paths,
            [
                "/n?per_page=1&page=1&sort=asc",
                "/n?per_page=1&sort=asc&page=2",
                "/n?per_page=1&sort=asc&page=3"
            ]
        );
        assert_eq!(with_page("https://h/x#f", 4), "https://h/x?page=4#f");
    }

    #[test]
    fn follows_next_urls_inside_json_pages() {
        let server = Server::start(vec![
            reply(
                200,
                r#"{"pagelen":2,"values":[1,2],"next":"{base}/v?page=2"}"#,
            ),
            reply(
                200,
                r#"{"pagelen":2,"values":[3],"next":"{base}/v?page=3"}"#,
            ),
            reply(200, r#"{"pagelen":2,"values":[]}"#),
        ]);
        let (http, _) = client(config());
        let items: Vec<u32> = http
            .get_all_values(
                &server.url("/v?pagelen=2"),
                &[("authorization", "Bearer t")],
            )
            .unwrap();
        assert_eq!(items, [1, 2, 3]);
        let seen = server.seen();
        let paths: Vec<&str> = seen.iter().map(|seen| seen.path.as_str()).collect();
        assert_eq!(paths, ["/v?pagelen=2", "/v?page=2", "/v?page=3"]);
        assert!(
            seen.iter()
                .all(|seen| header(&seen.headers, "authorization") == Some("Bearer t"))
        );

        let server = Server::start(vec![reply(
            200,
            r#"{"values":[1],"next":"https://evil.example/v?page=2"}"#,
        )]);
        let (http, _) = client(config());
        let error = http
            .get_all_values::<u32>(&server.url("/v"), &[])
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("`https://evil.example/v?page=2` is on another host")
        );
    }

    #[test]
    fn pagination_is_bounded_and_stays_on_one_host() {
        let next = |page: u32| {
            reply(200, "[1]").header("link", &format!("<{{base}}/p?page={page}>; rel=\"next\""))
        };
        let server = Server::start(vec![next(2), next(3), next(4)]);
        let (http, _) = client(HttpConfig {
            max_pages: 2,
            ..config()
        });
        let error = http
            .get_all_pages::<u32>(&server.url("/p"), &[])
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("listing `{}` stopped: more than 2 pages", server.url("/p"))
        );

        let server = Server::start(vec![
            reply(200, "[1]").header("link", "<https://evil.example/p?page=2>; rel=\"next\""),
        ]);
        let (http, _) = client(config());
        let error = http
            .get_all_pages::<u32>(&server.url("/p"), &[])
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("`https://evil.example/p?page=2` is on another host")
        );
    }

    #[test]
    fn error_text_for_each_platform() {
        #[track_caller]
        fn case(status: u16, body: &str, expected: &str) {
            let (error, _) = fail_once(reply(status, body));
            let text = error.to_string();
            let message = text.split_once(&format!("status {status}: ")).unwrap().1;
            assert_eq!(message, expected);
        }
        // GitHub: message plus validation errors.
        case(
            422,
            r#"{"message":"Validation Failed","errors":[{"resource":"IssueComment","code":"unprocessable","field":"data","message":"Body is too long (maximum is 65536 characters)"}],"documentation_url":"https://docs.github.com/rest"}"#,
            "Validation Failed (Body is too long (maximum is 65536 characters))",
        );
        case(
            422,
            r#"{"message":"Validation Failed","errors":[{"resource":"Label","code":"already_exists","field":"name"}]}"#,
            "Validation Failed (Label name already_exists)",
        );
        case(
            401,
            r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}"#,
            "Bad credentials",
        );
        // GitLab: message as a string, as a field map, and OAuth-style errors.
        case(
            400,
            r#"{"message":"Note {:note=>[\"is too long (maximum is 1000000 characters)\"]}"}"#,
            r#"Note {:note=>["is too long (maximum is 1000000 characters)"]}"#,
        );
        case(
            400,
            r#"{"message":{"note":["is too long"],"base":["is locked"]}}"#,
            "base is locked; note is too long",
        );
        case(
            401,
            r#"{"error":"invalid_token","error_description":"Token was revoked."}"#,
            "invalid_token: Token was revoked.",
        );
        case(
            404,
            r#"{"message":"404 Project Not Found"}"#,
            "404 Project Not Found",
        );
        // Bitbucket Cloud: the message nested under `error`, with fields and details.
        case(
            400,
            r#"{"type":"error","error":{"message":"Bad request","fields":{"content.raw":["Please enter a non-empty value less than 32768 characters"]}}}"#,
            "Bad request (content.raw Please enter a non-empty value less than 32768 characters)",
        );
        case(
            403,
            r#"{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.","detail":{"granted":["repository"],"required":["pullrequest:write"]}}}"#,
            "Your credentials lack one or more required privilege scopes. (granted repository; required pullrequest:write)",
        );
        // Slack: JSON from the Web API, plain text from incoming webhooks.
        case(
            400,
            r#"{"ok":false,"error":"channel_not_found"}"#,
            "channel_not_found",
        );
        case(404, "no_service", "no_service");
        // Plain text and HTML are put on one line and capped.
        case(500, "line one\n  line two\r\n", "line one line two");
        case(502, "", "Bad Gateway");
        let long = format!("<html><body>{}</body></html>", "x".repeat(1000));
        let (error, _) = fail_once(reply(404, &long));
        let message = error.to_string();
        assert!(message.ends_with('…'));
        assert!(message.len() < 450, "{message}");
    }

    #[test]
    fn reject_turns_an_api_level_failure_into_an_error() {
        let (http, _) = client(HttpConfig {
            secrets: vec!["https://hooks.slack.com/services/T/B/X".to_owned()],
            ..config()
        });
        let request = Request::new(Method::Post, "https://hooks.slack.com/services/T/B/X");
        let response = Response {
            status: 200,
            headers: Vec::new(),
            body: br#"{"ok":false,"error":"invalid_auth"}"#.to_vec(),
        };
        let error = http.reject(&request, &response);
        assert!(!error.is_retryable());
        assert_eq!(
            error.to_string(),
            "`POST ***` failed with status 200: invalid_auth"
        );
    }

    #[test]
    fn secrets_never_appear_in_errors_or_debug() {
        let token = "ghp_S3cr3t/Token";
        let server = Server::start(vec![reply(
            401,
            &format!(r#"{{"message":"token {token} is invalid"}}"#),
        )]);
        let (http, _) = client(HttpConfig {
            secrets: vec![token.to_owned(), String::new()],
            ..config()
        });
        let request = Request::new(
            Method::Get,
            server.url(&format!("/hook/{}?t={}", token, percent_encode(token))),
        )
        .header("Authorization", format!("Bearer {token}"));
        let error = http.send(&request).unwrap_err();
        let texts = [
            error.to_string(),
            format!("{error:?}"),
            format!("{http:?}"),
            format!("{request:?}"),
        ];
        for text in &texts {
            assert!(!text.contains("S3cr3t"), "{text}");
        }
        assert!(texts[0].contains("/hook/***?t=***"), "{}", texts[0]);
        assert!(
            texts[0].ends_with("status 401: token *** is invalid"),
            "{}",
            texts[0]
        );

        // A transport error too: nothing listens on this port any more.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let (http, _) = client(HttpConfig {
            secrets: vec![token.to_owned()],
            max_attempts: 1,
            ..config()
        });
        let error = http
            .send(&Request::new(
                Method::Post,
                format!("http://127.0.0.1:{port}/{token}"),
            ))
            .unwrap_err();
        assert!(error.is_retryable());
        assert!(matches!(error, HttpError::Transport { timeout: false, .. }));
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains("S3cr3t"), "{text}");
        }
        assert_eq!(http.redact(&format!("a {token} b")), "a *** b");
    }

    #[test]
    fn masked_values_never_go_on_the_wire_nor_into_errors() {
        let secret = r#"Pa"ss\w0rd&<db>"#;
        let token = "ghp_S3cr3tToken0123";
        // A 422 that quotes the comment back, its secret JSON-escaped by the server, and
        // long enough that the message is cut near the secret.
        let quoted = serde_json::to_string(&format!("{}{secret} and more", "x".repeat(270)))
            .unwrap()
            .replace('&', "\\u0026")
            .replace('<', "\\u003c");
        let server = Server::start(vec![reply(
            422,
            &format!(r#"{{"message":"Validation Failed","errors":[{{"message":{quoted}}}]}}"#),
        )]);
        let (http, _) = client(HttpConfig {
            secrets: vec![token.to_owned()],
            masks: Masker::empty()
                .with_literal("env:DB_PASS", secret)
                .with_literal("GitHub", token),
            ..config()
        });
        let body = serde_json::json!({"body": format!("password: {secret}")});
        let request = Request::json(
            Method::Post,
            server.url(&format!("/labels/{}", percent_encode(secret))),
            &body,
        )
        .unwrap()
        .header("Authorization", format!("Bearer {token}"))
        .header("X-Note", secret);
        let error = http.send(&request).unwrap_err().to_string();
        let seen = &server.seen()[0];
        assert_eq!(seen.path, "/labels/***");
        assert_eq!(seen.body, br#"{"body":"password: ***"}"#);
        assert_eq!(header(&seen.headers, "x-note"), Some("***"));
        assert_eq!(
            header(&seen.headers, "authorization"),
            Some(format!("Bearer {token}").as_str()),
            "the credential goes to its own server"
        );
        assert!(error.contains("/labels/***"), "{error}");
        for part in ["Pa\"ss", "w0rd", "&<db>"] {
            assert!(!error.contains(part), "{error}");
        }
        assert!(error.ends_with('…'), "{error}");
    }

    #[test]
    fn a_server_that_never_answers_times_out() {
        let server = Server::start(vec![hang(), hang()]);
        let (http, waits) = client(HttpConfig {
            timeout: Duration::from_millis(300),
            max_attempts: 2,
            ..config()
        });
        let error = http
            .send(&Request::new(Method::Get, server.url("/slow")))
            .unwrap_err();
        assert!(
            matches!(
                error,
                HttpError::Transport {
                    timeout: true,
                    retryable: true,
                    attempts: 2,
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!(
                "`GET {}` failed: timed out after 300ms (gave up after 2 attempts)",
                server.url("/slow")
            )
        );
        assert_eq!(server.seen().len(), 2);
        assert_eq!(*waits.lock().unwrap(), secs(&[1]));
    }

    #[test]
    fn a_huge_answer_is_not_read_whole() {
        let hundred_mib = 100 << 20;
        let huge = |status| test_server::Reply {
            streamed: Some(hundred_mib),
            ..reply(status, "")
        };
        let server = Server::start(vec![huge(200)]);
        let (http, waits) = client(config());
        let error = http
            .send(&Request::new(Method::Get, server.url("/big")))
            .unwrap_err();
        assert!(!error.is_retryable());
        assert!(waits.lock().unwrap().is_empty());
        assert_eq!(
            error.to_string(),
            format!(
                "`GET {}` failed: the answer is larger than 16 MiB, more than any answer it \
                 expects; it was not read to the end",
                server.url("/big")
            )
        );

        // A failure's body is only looked into: its first 64 KiB.
        let server = Server::start(vec![huge(404)]);
        let (http, _) = client(config());
        let error = http
            .send(&Request::new(Method::Get, server.url("/big")))
            .unwrap_err();
        assert_eq!(error.status(), Some(404));
        assert!(
            error
                .to_string()
                .ends_with(&format!("{}…", "x".repeat(300)))
        );
    }

    #[test]
    fn a_tls_failure_is_not_retried() {
        // Plain HTTP where TLS is expected: rustls refuses the first bytes, as it refuses
        // a certificate it cannot verify, and ureq reports both the same way.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            while let Ok((mut stream, _)) = listener.accept() {
                let _ = stream.read(&mut [0; 1024]);
                let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
            }
        });
        let (http, waits) = client(config());
        let error = http
            .send(&Request::new(
                Method::Post,
                format!("https://127.0.0.1:{port}/x"),
            ))
            .unwrap_err();
        assert!(!error.is_retryable(), "{error}");
        assert!(waits.lock().unwrap().is_empty());
        assert!(
            error.to_string().starts_with(&format!(
                "`POST https://127.0.0.1:{port}/x` failed: the secure connection failed: "
            )),
            "{error}"
        );
    }

    #[test]
    fn the_budget_bounds_attempts_and_waits() {
        let server = Server::start(vec![hang(), hang(), hang()]);
        let (http, waits) = client(HttpConfig {
            timeout: Duration::from_millis(300),
            base_delay: Duration::from_millis(100),
            budget: Duration::from_millis(500),
            ..config()
        });
        let started = Instant::now();
        let error = http
            .send(&Request::new(Method::Get, server.url("/slow")))
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_millis(900));
        assert!(
            matches!(
                error,
                HttpError::Transport {
                    timeout: true,
                    attempts: 2,
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(*waits.lock().unwrap(), [Duration::from_millis(100)]);

        // Once it is spent, nothing more is sent.
        let error = http
            .send(&Request::new(Method::Get, server.url("/next")))
            .unwrap_err();
        assert_eq!(server.seen().len(), 2);
        assert!(
            error
                .to_string()
                .ends_with("not sent: this destination's time budget (500ms) is spent"),
            "{error}"
        );
    }

    #[test]
    fn the_client_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Http>();
        assert_send_sync::<HttpError>();
    }

    #[test]
    fn invalid_urls_are_not_sent() {
        let (http, _) = client(config());
        let error = http
            .send(&Request::new(Method::Get, "not a url"))
            .unwrap_err();
        assert!(!error.is_retryable());
        assert!(error.to_string().starts_with("`GET not a url` "), "{error}");
    }

    #[test]
    fn decode_errors_name_the_request() {
        let server = Server::start(vec![reply(200, "not json")]);
        let (http, _) = client(config());
        let error = http
            .get_json::<Vec<u32>>(&server.url("/j"), &[])
            .unwrap_err();
        assert!(error.to_string().starts_with(&format!(
            "`GET {}` returned unexpected JSON: ",
            server.url("/j")
        )));
    }

    #[test]
    fn classify_table() {
        #[track_caller]
        fn case(status: u16, headers: &[(&str, &str)], body: &str, retry: bool, wait: Option<u64>) {
            let headers: Vec<(String, String)> = headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            let verdict = classify(status, &headers, body.as_bytes(), now());
            assert_eq!(verdict.retry, retry, "status {status}");
            assert_eq!(verdict.server_wait, wait.map(Duration::from_secs));
        }
        for status in [500, 502, 503, 504, 423, 429] {
            case(status, &[], "", true, None);
        }
        for status in [400, 401, 403, 404, 409, 410, 422, 501] {
            case(status, &[], "", false, None);
        }
        case(503, &[("Retry-After", " 12 ")], "", true, Some(12));
        case(
            429,
            &[("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT")],
            "",
            true,
            Some(0),
        );
        // GitLab's headers count too.
        let reset = (now() + Duration::from_secs(30))
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            .to_string();
        case(
            429,
            &[("RateLimit-Remaining", "0"), ("RateLimit-Reset", &reset)],
            "",
            true,
            Some(30),
        );
        // Remaining calls left: a 403 is a permission problem.
        case(
            403,
            &[
                ("x-ratelimit-remaining", "12"),
                ("x-ratelimit-reset", &reset),
            ],
            "Resource not accessible by integration",
            false,
            None,
        );
    }

    #[test]
    fn link_header_parsing() {
        assert_eq!(
            next_in_link(
                r#"<https://a/x?page=2&b=1>; rel="next", <https://a/x?page=9>; rel="last""#
            ),
            Some("https://a/x?page=2&b=1")
        );
        assert_eq!(
            next_in_link(r#"<https://a/1>; rel="prev first", <https://a/3>; rel=next"#),
            Some("https://a/3")
        );
        assert_eq!(next_in_link(r#"<https://a/1>; rel="prev""#), None);
        assert_eq!(next_in_link(""), None);
    }

    #[test]
    fn origin_and_percent_encoding() {
        assert_eq!(
            origin("HTTPS://Api.GitHub.com:443/x?y"),
            "https://api.github.com:443"
        );
        assert_eq!(origin("http://h?x"), "http://h");
        assert_eq!(percent_encode("a b/c~"), "a%20b%2Fc~");
    }
}
