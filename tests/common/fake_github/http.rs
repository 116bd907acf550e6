//! A minimal HTTP/1.1 server: one accepting thread, one thread per connection, keep-alive,
//! `Content-Length` or chunked request bodies, `Expect: 100-continue`.

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Largest request head (request line and headers) accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// How often idle connections look at the stop flag.
const POLL: Duration = Duration::from_millis(100);
/// How long a started request may stall before the connection is dropped.
const STALL: Duration = Duration::from_secs(10);

/// A parsed request.
pub(crate) struct Request {
    pub(crate) method: String,
    /// The request target: path and query, as sent.
    pub(crate) target: String,
    /// Header names lower-cased, in order.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Request {
    /// The first header called `name` (lower-case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A response to write.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

/// Something that answers requests.
pub(crate) trait Handler: Send + Sync + 'static {
    /// Answer one request.
    fn handle(&self, request: &Request) -> Response;
}

/// The listening server; stops on drop.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Bind 127.0.0.1 on a random port and start accepting.
    pub(crate) fn start(handler: Arc<dyn Handler>) -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let accept = thread::Builder::new()
            .name("fake-github-accept".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if flag.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let handler = Arc::clone(&handler);
                    let flag = Arc::clone(&flag);
                    let _ = thread::Builder::new()
                        .name("fake-github-conn".into())
                        .spawn(move || serve_connection(stream, &*handler, &flag));
                }
            })?;
        Ok(Self {
            addr,
            stop,
            accept: Some(accept),
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accepting thread.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

enum ReadError {
    /// The peer closed the connection or the server is stopping.
    Closed,
    /// Malformed request: answer 400 (or the given status) and close.
    Bad(u16, &'static str),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        Self::Closed
    }
}

fn serve_connection(stream: TcpStream, handler: &dyn Handler, stop: &AtomicBool) {
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut writer = write_half;
    let mut reader = BufReader::new(stream);
    loop {
        if !wait_for_data(&mut reader, stop) {
            return;
        }
        let _ = reader.get_ref().set_read_timeout(Some(STALL));
        match read_request(&mut reader, &mut writer) {
            Ok((request, keep_alive)) => {
                let mut response = handler.handle(&request);
                if !keep_alive {
                    response.headers.push(("Connection".into(), "close".into()));
                }
                if write_response(&mut writer, &request.method, &response).is_err() || !keep_alive {
                    return;
                }
            }
            Err(ReadError::Closed) => return,
            Err(ReadError::Bad(status, message)) => {
                let body = format!("{{\"message\":\"{message}\"}}").into_bytes();
                let response = Response {
                    status,
                    headers: vec![
                        (
                            "Content-Type".into(),
                            "application/json; charset=utf-8".into(),
                        ),
                        ("Connection".into(), "close".into()),
                    ],
                    body,
                };
                let _ = write_response(&mut writer, "", &response);
                return;
            }
        }
    }
}

/// Wait until a request starts arriving; false when the peer closed or the server stops.
fn wait_for_data(reader: &mut BufReader<TcpStream>, stop: &AtomicBool) -> bool {
    if !reader.buffer().is_empty() {
        return true;
    }
    let _ = reader.get_ref().set_read_timeout(Some(POLL));
    let mut probe = [0u8; 1];
    loop {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        match reader.get_ref().peek(&mut probe) {
            Ok(0) => return false,
            Ok(_) => return true,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

fn read_line(reader: &mut BufReader<TcpStream>, budget: &mut usize) -> Result<String, ReadError> {
    let mut line = Vec::new();
    let limit = u64::try_from(*budget).unwrap_or(u64::MAX) + 1;
    let n = reader.by_ref().take(limit).read_until(b'\n', &mut line)?;
    if n == 0 {
        return Err(ReadError::Closed);
    }
    if n > *budget {
        return Err(ReadError::Bad(431, "Request Header Fields Too Large"));
    }
    *budget -= n;
    if line.last() != Some(&b'\n') {
        return Err(ReadError::Closed);
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    String::from_utf8(line).map_err(|_| ReadError::Bad(400, "Bad Request"))
}

fn read_request(
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
) -> Result<(Request, bool), ReadError> {
    let mut budget = MAX_HEAD;
    let mut start = read_line(reader, &mut budget)?;
    while start.is_empty() {
        // Tolerate stray CRLF between requests, as RFC 9112 allows.
        start = read_line(reader, &mut budget)?;
    }
    let mut parts = start.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Bad(400, "Bad Request"));
    };
    if !version.starts_with("HTTP/1.")
        || method.is_empty()
        || !method.bytes().all(|b| b.is_ascii_uppercase())
        || !target.starts_with('/')
    {
        return Err(ReadError::Bad(400, "Bad Request"));
    }
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader, &mut budget)?;
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(ReadError::Bad(400, "Bad Request"));
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(ReadError::Bad(400, "Bad Request"));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let mut request = Request {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
        body: Vec::new(),
    };
    let connection = request
        .header("connection")
        .unwrap_or("")
        .to_ascii_lowercase();
    let keep_alive = if version == "HTTP/1.0" {
        connection.contains("keep-alive")
    } else {
        !connection.contains("close")
    };
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    let length = match request.header("content-length") {
        Some(text) => Some(
            text.parse::<usize>()
                .map_err(|_| ReadError::Bad(400, "Bad Request"))?,
        ),
        None => None,
    };
    if length.is_some_and(|n| n > MAX_BODY) {
        return Err(ReadError::Bad(413, "Payload Too Large"));
    }
    let has_body = chunked || length.is_some_and(|n| n > 0);
    if has_body
        && request
            .header("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    if chunked {
        request.body = read_chunked(reader)?;
    } else if let Some(n) = length {
        let mut body = vec![0; n];
        reader.read_exact(&mut body)?;
        request.body = body;
    }
    Ok((request, keep_alive))
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        let mut budget = 1024;
        let line = read_line(reader, &mut budget)?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size =
            usize::from_str_radix(size_text, 16).map_err(|_| ReadError::Bad(400, "Bad Request"))?;
        if size == 0 {
            // Trailers, up to the empty line.
            let mut budget = MAX_HEAD;
            while !read_line(reader, &mut budget)?.is_empty() {}
            return Ok(body);
        }
        if body
            .len()
            .checked_add(size)
            .is_none_or(|total| total > MAX_BODY)
        {
            return Err(ReadError::Bad(413, "Payload Too Large"));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        let mut budget = 2;
        if !read_line(reader, &mut budget)?.is_empty() {
            return Err(ReadError::Bad(400, "Bad Request"));
        }
    }
}

fn write_response(writer: &mut TcpStream, method: &str, response: &Response) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    let no_body = response.status == 204 || response.status == 304;
    if !no_body {
        let _ = write!(head, "Content-Length: {}\r\n", response.body.len());
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    if !no_body && method != "HEAD" {
        bytes.extend_from_slice(&response.body);
    }
    writer.write_all(&bytes)?;
    writer.flush()
}

/// The reason phrase GitHub sends for `status`.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        410 => "Gone",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}
