//! A scripted HTTP/1.1 server on loopback for the client's own tests.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::header;

/// A scripted answer of the test server.
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: String,
    /// Accept, read the request, never answer.
    pub(super) hang: bool,
    /// Announce and stream this many bytes as the body instead of `body`, without holding
    /// them in memory; the client may stop reading at any point.
    pub(super) streamed: Option<u64>,
}

/// A request as the test server saw it.
#[derive(Debug, Clone)]
pub(super) struct Seen {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
}

/// A real HTTP/1.1 server on a loopback address that answers one connection per scripted
/// reply (always with `Connection: close`) and records each request before answering.
pub(super) struct Server {
    pub(super) base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

pub(super) fn reply(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: body.to_owned(),
        hang: false,
        streamed: None,
    }
}

pub(super) fn hang() -> Reply {
    Reply {
        hang: true,
        ..reply(200, "")
    }
}

impl Reply {
    pub(super) fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

impl Server {
    /// A server on 127.0.0.1.
    pub(super) fn start(replies: Vec<Reply>) -> Server {
        Server::start_on("127.0.0.1", replies)
    }

    /// A server on `ip`, another loopback address standing for another host.
    pub(super) fn start_on(ip: &str, replies: Vec<Reply>) -> Server {
        let listener = TcpListener::bind((ip, 0)).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (thread_base, thread_seen) = (base.clone(), Arc::clone(&seen));
        std::thread::spawn(move || {
            for reply in replies {
                let Ok((mut stream, _)) = listener.accept() else {
                    return;
                };
                stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                let request = read_request(&mut stream);
                thread_seen.lock().unwrap().push(request);
                if reply.hang {
                    // Blocks until the client gives up and closes the connection.
                    let _ = stream.read(&mut [0; 1]);
                    continue;
                }
                let body = reply.body.replace("{base}", &thread_base);
                let length = reply.streamed.unwrap_or(body.len() as u64);
                let mut head = format!(
                    "HTTP/1.1 {} Scripted\r\nContent-Length: {length}\r\nConnection: close\r\n",
                    reply.status,
                );
                for (name, value) in &reply.headers {
                    let value = value.replace("{base}", &thread_base);
                    head = format!("{head}{name}: {value}\r\n");
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes());
                match reply.streamed {
                    Some(total) => stream_body(&mut stream, total),
                    None => {
                        let _ = stream.write_all(body.as_bytes());
                    }
                }
            }
        });
        Server { base, seen }
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(super) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Writes `total` bytes of `x` a chunk at a time, until done or the client hangs up.
fn stream_body(stream: &mut TcpStream, total: u64) {
    let chunk = vec![b'x'; 64 << 10];
    let mut left = total;
    while left > 0 {
        let n = usize::try_from(left.min(chunk.len() as u64)).unwrap();
        if stream.write_all(&chunk[..n]).is_err() {
            return;
        }
        left -= n as u64;
    }
}

fn read_request(stream: &mut TcpStream) -> Seen {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length = header(&headers, "content-length").map_or(0, |len| len.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    Seen {
        method,
        path,
        headers,
        body,
    }
}

/// A listener on 127.0.0.2, standing for another host, that accepts nothing: whether any
/// client connected to it is checked with [`Elsewhere::was_reached`].
pub(super) struct Elsewhere {
    listener: TcpListener,
}

impl Elsewhere {
    pub(super) fn start() -> Elsewhere {
        let listener = TcpListener::bind("127.0.0.2:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        Elsewhere { listener }
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.listener.local_addr().unwrap())
    }

    /// Whether a connection arrived: the kernel completes the handshake for a listener
    /// before it accepts, so not even a connection attempt goes unnoticed.
    pub(super) fn was_reached(&self) -> bool {
        self.listener.accept().is_ok()
    }
}
