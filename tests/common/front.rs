//! A server that stands in front of any fake and misbehaves on purpose: it forwards each
//! request to the fake behind it, except the ones a [`Rule`] picks, which get a [`Fault`]
//! instead (a redirect, a hang, a reset, a broken or huge body, a status). One front serves
//! every destination, so each failure is written once, not once per fake.
//!
//! Each connection carries one request and is closed after its answer. Absolute URLs the
//! fake writes with its own address (a `Link` header, a `next` page) are rewritten to the
//! front's, so pagination stays on the front.
//!
//! [`Elsewhere`] is the other host a redirect points at: a listener on 127.0.0.2 that
//! accepts nothing and tells whether anything connected to it at all.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

/// Where a same-origin redirect points: the front strips this prefix and forwards.
const MOVED: &str = "/__moved";

/// A request as the front received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query as sent.
    pub target: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether it got a fault instead of the fake's answer.
    pub faulted: bool,
}

impl Seen {
    /// `METHOD /path?query`.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.target)
    }
}

/// What a picked request gets instead of the fake's answer.
#[derive(Debug, Clone)]
pub enum Fault {
    /// `status` with `Location` on 127.0.0.2 (same path and query), another host.
    RedirectElsewhere { status: u16, elsewhere: String },
    /// `status` with `Location` on the front itself, which forwards it to the fake.
    RedirectHere { status: u16 },
    /// Reads the request and never answers.
    Hang,
    /// A 200 whose body stops halfway with a TCP reset.
    ResetMidBody,
    /// A 200 whose body stops halfway, the connection closed normally.
    Truncated,
    /// A complete answer.
    Answer {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// `status` with a body of `bytes` bytes, streamed and never held in memory.
    Huge { status: u16, bytes: u64 },
}

/// Which requests a rule is about, by method and target.
type Picks = Box<dyn Fn(&str, &str) -> bool + Send + Sync>;

/// Which requests get which faults.
pub struct Rule {
    picks: Picks,
    faults: VecDeque<Fault>,
    /// Keep giving the last fault once the list is used up, instead of forwarding.
    forever: bool,
}

impl Rule {
    /// Forwards everything.
    pub fn none() -> Rule {
        Rule {
            picks: Box::new(|_, _| false),
            faults: VecDeque::new(),
            forever: false,
        }
    }

    /// Every request that `picks` (method, target) gets `fault`.
    pub fn always(
        picks: impl Fn(&str, &str) -> bool + Send + Sync + 'static,
        fault: Fault,
    ) -> Rule {
        Rule {
            picks: Box::new(picks),
            faults: VecDeque::from([fault]),
            forever: true,
        }
    }

    /// The first picked requests get `faults`, one each in order; later ones are forwarded.
    pub fn first(
        picks: impl Fn(&str, &str) -> bool + Send + Sync + 'static,
        faults: Vec<Fault>,
    ) -> Rule {
        Rule {
            picks: Box::new(picks),
            faults: faults.into(),
            forever: false,
        }
    }
}

struct State {
    rule: Rule,
    seen: Vec<Seen>,
}

/// The front; stops accepting when dropped.
pub struct Front {
    base: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl Front {
    /// A front on 127.0.0.1 for the fake at `backend` (`http://127.0.0.1:PORT`).
    pub fn start(backend: &str, rule: Rule) -> Front {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the front");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let state = Arc::new(Mutex::new(State {
            rule,
            seen: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let backend = backend
            .strip_prefix("http://")
            .expect("a fake on plain HTTP")
            .trim_end_matches('/')
            .to_owned();
        let (thread_base, thread_state, thread_stop) =
            (base.clone(), Arc::clone(&state), Arc::clone(&stop));
        thread::spawn(move || {
            for stream in listener.incoming() {
                if thread_stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let (base, state, backend) = (
                    thread_base.clone(),
                    Arc::clone(&thread_state),
                    backend.clone(),
                );
                thread::spawn(move || serve(stream, &base, &backend, &state));
            }
        });
        Front { base, state, stop }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> &str {
        &self.base
    }

    /// Every request received so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.state).seen.clone()
    }
}

impl Drop for Front {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.base.trim_start_matches("http://"));
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Answers the one request of a connection.
fn serve(stream: TcpStream, base: &str, backend: &str, state: &Mutex<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream);
    let Some(mut request) = read_request(&mut reader) else {
        return;
    };
    let mut stream = reader.into_inner();
    let moved = request.target.strip_prefix(MOVED).map(str::to_owned);
    let fault = match &moved {
        Some(target) => {
            // The followed half of a same-origin redirect: forward it as the fake's own.
            request.target.clone_from(target);
            None
        }
        None => pick(state, &request),
    };
    request.faulted = fault.is_some();
    lock(state).seen.push(request.clone());
    match fault {
        None => forward(&mut stream, base, backend, &request),
        Some(fault) => inflict(&mut stream, base, &request, fault),
    }
}

/// The fault for `request`, if the rule picks it.
fn pick(state: &Mutex<State>, request: &Seen) -> Option<Fault> {
    let mut state = lock(state);
    let rule = &mut state.rule;
    if !(rule.picks)(&request.method, &request.target) {
        return None;
    }
    if rule.forever && rule.faults.len() == 1 {
        return rule.faults.front().cloned();
    }
    rule.faults.pop_front()
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Seen> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen {
        method,
        target,
        headers,
        body,
        faulted: false,
    })
}

/// Sends `request` to the fake and its answer back, with the fake's address replaced by
/// the front's.
fn forward(stream: &mut TcpStream, base: &str, backend: &str, request: &Seen) {
    let Ok(mut upstream) = TcpStream::connect(backend) else {
        let _ = stream.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {backend}\r\n",
        request.method, request.target
    );
    for (name, value) in &request.headers {
        if !matches!(name.as_str(), "host" | "connection") {
            let _ = write!(head, "{name}: {value}\r\n");
        }
    }
    head.push_str("Connection: close\r\n\r\n");
    let mut sent = head.into_bytes();
    sent.extend_from_slice(&request.body);
    if upstream.write_all(&sent).is_err() {
        return;
    }
    let mut answer = Vec::new();
    let _ = upstream.read_to_end(&mut answer);
    let Some(split) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
        return;
    };
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let fake = format!("http://{backend}");
    let body = String::from_utf8_lossy(&answer[split + 4..]).replace(&fake, base);
    let mut lines = head.split("\r\n");
    let mut out = format!("{}\r\n", lines.next().unwrap_or("HTTP/1.1 502 Bad Gateway"));
    for line in lines {
        let name = line.split(':').next().unwrap_or("").to_ascii_lowercase();
        if !matches!(
            name.as_str(),
            "content-length" | "connection" | "transfer-encoding"
        ) {
            out.push_str(&line.replace(&fake, base));
            out.push_str("\r\n");
        }
    }
    let _ = write!(
        out,
        "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(out.as_bytes());
}

/// Gives `request` its fault.
fn inflict(stream: &mut TcpStream, base: &str, request: &Seen, fault: Fault) {
    match fault {
        Fault::RedirectElsewhere { status, elsewhere } => {
            let location = format!("{elsewhere}{}", request.target);
            write_answer(stream, status, &[("Location".to_owned(), location)], b"");
        }
        Fault::RedirectHere { status } => {
            let location = format!("{base}{MOVED}{}", request.target);
            write_answer(stream, status, &[("Location".to_owned(), location)], b"");
        }
        Fault::Hang => {
            // Until the client gives up and closes.
            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
            let _ = stream.read(&mut [0; 1]);
        }
        Fault::ResetMidBody | Fault::Truncated => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\nConnection: close\r\n\r\n{\"id\": 1, \"body\": \"";
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.flush();
            if matches!(fault, Fault::ResetMidBody) {
                let _ = rustix::net::sockopt::set_socket_linger(&*stream, Some(Duration::ZERO));
            } else {
                let _ = stream.shutdown(Shutdown::Write);
                // Let the client read what came, then see the end.
                let _ = stream.read(&mut [0; 1]);
            }
        }
        Fault::Answer {
            status,
            headers,
            body,
        } => write_answer(stream, status, &headers, &body),
        Fault::Huge { status, bytes } => {
            let head = format!(
                "HTTP/1.1 {status} Huge\r\nContent-Type: application/json\r\nContent-Length: {bytes}\r\nConnection: close\r\n\r\n"
            );
            if stream.write_all(head.as_bytes()).is_err() {
                return;
            }
            let chunk = vec![b' '; 64 << 10];
            let mut left = bytes;
            while left > 0 {
                let n = usize::try_from(left.min(chunk.len() as u64)).expect("a chunk");
                if stream.write_all(&chunk[..n]).is_err() {
                    return;
                }
                left -= n as u64;
            }
        }
    }
}

fn write_answer(stream: &mut TcpStream, status: u16, headers: &[(String, String)], body: &[u8]) {
    let mut head = format!("HTTP/1.1 {status} Fault\r\n");
    for (name, value) in headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    let _ = write!(
        head,
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    let _ = stream.write_all(&bytes);
}

/// Another host: a listener on 127.0.0.2 that never accepts, so anything that reaches it
/// stays queued and is seen by [`Elsewhere::was_reached`].
pub struct Elsewhere {
    listener: TcpListener,
}

impl Elsewhere {
    pub fn start() -> Elsewhere {
        let listener = TcpListener::bind("127.0.0.2:0").expect("bind 127.0.0.2");
        listener.set_nonblocking(true).expect("non-blocking");
        Elsewhere { listener }
    }

    /// `http://127.0.0.2:PORT`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.listener.local_addr().expect("address"))
    }

    /// Whether anything connected: the kernel completes a handshake before the listener
    /// accepts, so even a connection that sent nothing is seen.
    pub fn was_reached(&self) -> bool {
        self.listener.accept().is_ok()
    }
}

/// An `https://` origin whose server answers in plain HTTP: the TLS handshake fails as it
/// fails on a certificate no authority signed (ureq reports both as rustls' error inside
/// an I/O error), without generating a certificate.
pub fn plain_http_for_tls() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = stream.read(&mut [0; 1024]);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    format!("https://127.0.0.1:{port}")
}

/// An origin where nothing listens: the port was bound, then released.
pub fn refused() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}
