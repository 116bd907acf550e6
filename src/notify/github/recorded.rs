//! GitHub's real answers, recorded by `@octokit/fixtures` (see
//! `tests/fixtures/octokit/README.md`), replayed against the client, so the fake GitHub is
//! not the only judge of what GitHub sends: its label and error bodies, its `Link` headers,
//! and the `301`/`307` of a renamed repository, followed as the same origin.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::api::Api;
use super::labels::RULES;
use crate::config::SecretString;
use crate::notify::http::{Http, HttpConfig, Method, Request};
use crate::notify::label_name::LabelName;

/// Where the recordings were made; rewritten to the replay server's address.
const RECORDED_ORIGIN: &str = "https://api.github.com";

/// The token the client sends; the recordings' own was a placeholder too.
const TOKEN: &str = "ghp_ReplayToken0000000000000000000000";

/// A scenario's recorded exchanges, by file name.
fn scenario(name: &str) -> Vec<Value> {
    let path = format!(
        "{}/tests/fixtures/octokit/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A server that answers each request with the next recorded exchange, provided the
/// request is the recorded one; anything else is answered 400 and noted.
struct Replay {
    base: String,
    unexpected: Arc<Mutex<Vec<String>>>,
    left: Arc<Mutex<usize>>,
}

impl Replay {
    /// Replays `exchanges`, in order.
    fn start(exchanges: Vec<Value>) -> Replay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let unexpected = Arc::new(Mutex::new(Vec::new()));
        let left = Arc::new(Mutex::new(exchanges.len()));
        let (thread_base, thread_unexpected, thread_left) =
            (base.clone(), Arc::clone(&unexpected), Arc::clone(&left));
        std::thread::spawn(move || {
            let mut exchanges = exchanges.into_iter();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let (method, path, headers, body) = read(&mut stream);
                let why = match exchanges.next() {
                    Some(exchange) => match mismatch(&exchange, &method, &path, &headers, &body) {
                        None => {
                            *thread_left.lock().unwrap() -= 1;
                            let _ = stream.write_all(answer(&exchange, &thread_base).as_bytes());
                            continue;
                        }
                        Some(why) => why,
                    },
                    None => "nothing more was recorded".to_owned(),
                };
                thread_unexpected
                    .lock()
                    .unwrap()
                    .push(format!("{method} {path}: {why}"));
                let refused =
                    "HTTP/1.1 400 Unexpected\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                let _ = stream.write_all(refused.as_bytes());
            }
        });
        Replay {
            base,
            unexpected,
            left,
        }
    }

    /// Every exchange was played and nothing else was asked.
    #[track_caller]
    fn assert_done(&self) {
        assert_eq!(*self.unexpected.lock().unwrap(), Vec::<String>::new());
        assert_eq!(*self.left.lock().unwrap(), 0, "recorded exchanges left");
    }
}

type Head = Vec<(String, String)>;

fn read(stream: &mut TcpStream) -> (String, String, Head, Vec<u8>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
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
        let Some((name, value)) = line.trim_end().split_once(':') else {
            break;
        };
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .map_or(0, |(_, value)| value.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (method, path, headers, body)
}

/// Why the request is not the recorded one, if it is not: the method, the path and query,
/// a token, and every field the client sends equal to the recorded field.
fn mismatch(
    exchange: &Value,
    method: &str,
    path: &str,
    headers: &Head,
    body: &[u8],
) -> Option<String> {
    let recorded_method = exchange["method"].as_str().unwrap().to_ascii_uppercase();
    let recorded_path = exchange["path"].as_str().unwrap();
    if method != recorded_method || path != recorded_path {
        return Some(format!("recorded: {recorded_method} {recorded_path}"));
    }
    if !headers
        .iter()
        .any(|(name, value)| name == "authorization" && value == &format!("Bearer {TOKEN}"))
    {
        return Some("no token".to_owned());
    }
    let recorded = &exchange["body"];
    if body.is_empty() {
        return (recorded != "").then(|| format!("no body; recorded: {recorded}"));
    }
    let sent: Value = serde_json::from_slice(body).ok()?;
    let fits = sent.as_object().is_some_and(|fields| {
        fields
            .iter()
            .all(|(key, value)| recorded.get(key) == Some(value))
    });
    (!fits).then(|| format!("body {sent}; recorded: {recorded}"))
}

/// The recorded answer, with GitHub's address replaced by the replay server's.
fn answer(exchange: &Value, base: &str) -> String {
    let body = match &exchange["response"] {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
    .replace(RECORDED_ORIGIN, base);
    let status = exchange["status"].as_u64().unwrap();
    let mut head = format!("HTTP/1.1 {status} Recorded\r\n");
    for (name, value) in exchange["headers"].as_object().unwrap() {
        if matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            continue;
        }
        let value = value
            .as_str()
            .unwrap_or_default()
            .replace(RECORDED_ORIGIN, base);
        let _ = write!(head, "{name}: {value}\r\n");
    }
    format!(
        "{head}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn http() -> Http {
    Http::new(HttpConfig {
        secrets: vec![TOKEN.to_owned()],
        use_env_proxy: false,
        ..HttpConfig::default()
    })
    .with_sleeper(|_| panic!("a recorded answer was retried"))
}

/// The GitHub client of `octokit-fixture-org/REPO` on the replay server.
fn api<'a>(http: &'a Http, replay: &Replay, repo: &str) -> Api<'a> {
    Api {
        http,
        base: replay.base.clone(),
        graphql: format!("{}/graphql", replay.base),
        token: SecretString::new(TOKEN),
        owner: "octokit-fixture-org".to_owned(),
        repo: repo.to_owned(),
    }
}

/// A request with the headers the GitHub client sends.
fn github(method: Method, url: String) -> Request {
    Request::new(method, url)
        .header("Authorization", format!("Bearer {TOKEN}"))
        .header("Accept", "application/vnd.github+json")
}

fn label(name: &str) -> LabelName {
    LabelName::new(name.to_owned(), RULES).unwrap()
}

#[test]
fn labels_are_added_to_an_issue() {
    let exchanges = scenario("add-labels-to-issue");
    let replay = Replay::start(exchanges[1..].to_vec());
    let http = http();
    let names = [label("Foo"), label("bAr"), label("baZ")];
    let added = api(&http, &replay, "add-labels-to-issue")
        .add_labels(1, &names.iter().collect::<Vec<_>>())
        .unwrap();
    let added: Vec<&str> = added.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(added, ["Foo", "bAr", "baZ"]);
    replay.assert_done();
}

#[test]
fn a_label_is_recoloured() {
    let exchanges = scenario("labels");
    // The update; the scenario also lists, creates, reads and deletes repository labels,
    // which tfnotify never does.
    let replay = Replay::start(vec![exchanges[3].clone()]);
    let http = http();
    api(&http, &replay, "labels")
        .set_label_color(&label("test-label"), "BADA55")
        .unwrap();
    replay.assert_done();
}

#[test]
fn a_validation_failure_reads_as_one_line() {
    let replay = Replay::start(scenario("errors"));
    let request = github(
        Method::Post,
        format!("{}/repos/octokit-fixture-org/errors/labels", replay.base),
    );
    let mut request = request.header("content-type", "application/json");
    request.body = Some(std::sync::Arc::new(
        br#"{"name":"foo","color":"invalid"}"#.to_vec(),
    ));
    let error = http().send(&request).unwrap_err();
    assert!(!error.is_retryable());
    assert_eq!(
        error.to_string(),
        format!(
            "`POST {}/repos/octokit-fixture-org/errors/labels` failed with status 422: \
             Validation Failed (Label color invalid)",
            replay.base
        )
    );
    replay.assert_done();
}

#[test]
fn pages_are_followed_by_their_link_headers() {
    let replay = Replay::start(scenario("paginate-issues"));
    let url = format!(
        "{}/repos/octokit-fixture-org/paginate-issues/issues?per_page=3",
        replay.base
    );
    let auth = format!("Bearer {TOKEN}");
    let issues: Vec<Value> = http()
        .get_all_pages(&url, &[("Authorization", &auth)])
        .unwrap();
    let numbers: Vec<u64> = issues
        .iter()
        .map(|i| i["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, (1..=13).rev().collect::<Vec<_>>());
    replay.assert_done();
}

#[test]
fn a_renamed_repository_is_followed_to_its_new_address() {
    let replay = Replay::start(scenario("rename-repository"));
    let http = http();
    let old = format!(
        "{}/repos/octokit-fixture-org/rename-repository",
        replay.base
    );
    let patch = |fields: &str| {
        let mut request =
            github(Method::Patch, old.clone()).header("content-type", "application/json");
        request.body = Some(std::sync::Arc::new(fields.as_bytes().to_vec()));
        http.send(&request).unwrap()
    };
    // The rename, then the old URL: 301 for a read, 307 for a write, both to
    // `/repositories/1000` on the same origin, with the token and the same body.
    patch(r#"{"name":"rename-repository-newname"}"#);
    let read = http.send(&github(Method::Get, old.clone())).unwrap();
    let repository: Value = serde_json::from_slice(&read.body).unwrap();
    assert_eq!(repository["name"], "rename-repository-newname");
    let written = patch(r#"{"name":"rename-repository-newname","description":"test description"}"#);
    let repository: Value = serde_json::from_slice(&written.body).unwrap();
    assert_eq!(repository["description"], "test description");
    replay.assert_done();
}
