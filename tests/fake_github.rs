//! Tests of the fake GitHub server (`tests/common/fake_github/`) through a raw HTTP client.

mod common;

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::net::TcpStream;

use common::fake_github::{FakeGitHub, MAX_COMMENT_CHARS};
use serde_json::{Value, json};

const O: &str = "octo";
const R: &str = "infra";

/// A parsed response.
#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A request with the headers GitHub recommends, which tests then take away or change.
struct Req {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

fn req(gh: &FakeGitHub, method: &str, path: &str) -> Req {
    Req {
        method: method.to_owned(),
        path: path.to_owned(),
        headers: vec![
            ("Authorization".into(), format!("Bearer {}", gh.token())),
            ("User-Agent".into(), "tfnotify-test/0".into()),
            ("Accept".into(), "application/vnd.github+json".into()),
            ("X-GitHub-Api-Version".into(), "2022-11-28".into()),
        ],
        body: None,
    }
}

impl Req {
    fn json(mut self, body: &Value) -> Self {
        self.headers
            .push(("Content-Type".into(), "application/json".into()));
        self.body = Some(body.to_string());
        self
    }

    fn raw_body(mut self, body: &str) -> Self {
        self.headers
            .push(("Content-Type".into(), "application/json".into()));
        self.body = Some(body.to_owned());
        self
    }

    fn without(mut self, name: &str) -> Self {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self
    }

    fn header(self, name: &str, value: &str) -> Self {
        let mut this = self.without(name);
        this.headers.push((name.to_owned(), value.to_owned()));
        this
    }

    fn bytes(&self, close: bool) -> Vec<u8> {
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\n",
            self.method, self.path
        );
        for (k, v) in &self.headers {
            let _ = write!(head, "{k}: {v}\r\n");
        }
        if close {
            head.push_str("Connection: close\r\n");
        }
        let body = self.body.clone().unwrap_or_default();
        if self.body.is_some() {
            let _ = write!(head, "Content-Length: {}\r\n", body.len());
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body.as_bytes());
        bytes
    }

    fn send(&self, gh: &FakeGitHub) -> Resp {
        let mut stream = connect(gh);
        stream.write_all(&self.bytes(true)).expect("write request");
        read_response(&mut BufReader::new(stream), &self.method)
    }
}

fn connect(gh: &FakeGitHub) -> TcpStream {
    TcpStream::connect(gh.url().trim_start_matches("http://")).expect("connect to the fake")
}

fn read_response(reader: &mut impl BufRead, method: &str) -> Resp {
    let mut line = String::new();
    reader.read_line(&mut line).expect("status line");
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {line:?}"));
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("header line");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').expect("header colon");
        headers.push((k.to_owned(), v.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse::<usize>().expect("content-length"));
    let mut body = vec![0; if method == "HEAD" { 0 } else { length }];
    reader.read_exact(&mut body).expect("body");
    Resp {
        status,
        headers,
        body: String::from_utf8(body).expect("UTF-8 body"),
    }
}

fn get(gh: &FakeGitHub, path: &str) -> Resp {
    req(gh, "GET", path).send(gh)
}

fn post(gh: &FakeGitHub, path: &str, body: &Value) -> Resp {
    req(gh, "POST", path).json(body).send(gh)
}

fn patch(gh: &FakeGitHub, path: &str, body: &Value) -> Resp {
    req(gh, "PATCH", path).json(body).send(gh)
}

fn delete(gh: &FakeGitHub, path: &str) -> Resp {
    req(gh, "DELETE", path).send(gh)
}

fn graphql(gh: &FakeGitHub, query: &str, variables: &Value) -> Resp {
    post(
        gh,
        "/graphql",
        &json!({"query": query, "variables": variables}),
    )
}

fn with_pull() -> FakeGitHub {
    let gh = FakeGitHub::start();
    gh.add_pull(O, R, 7, "1111111111111111111111111111111111111111");
    gh
}

fn messages(gh: &FakeGitHub) -> Vec<String> {
    gh.violations().iter().map(|v| v.message.clone()).collect()
}

#[test]
fn issue_comment_lifecycle() {
    let gh = with_pull();
    let created = post(
        &gh,
        "/repos/octo/infra/issues/7/comments",
        &json!({"body": "plan: 1 to add"}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let c = created.json();
    let id = c["id"].as_u64().expect("id");
    assert_eq!(c["body"], "plan: 1 to add");
    assert_eq!(c["user"]["login"], "tfnotify-bot");
    assert_eq!(c["created_at"], "2026-01-01T00:00:01Z");
    assert_eq!(
        c["html_url"],
        format!("https://github.com/octo/infra/pull/7#issuecomment-{id}")
    );
    assert!(c["node_id"].as_str().expect("node_id").starts_with("IC_"));
    assert_eq!(
        created.header("Location"),
        Some(format!("{}/repos/octo/infra/issues/comments/{id}", gh.url()).as_str())
    );

    let edited = patch(
        &gh,
        &format!("/repos/octo/infra/issues/comments/{id}"),
        &json!({"body": "plan: no changes"}),
    );
    assert_eq!(edited.status, 200);
    assert_eq!(edited.json()["updated_at"], "2026-01-01T00:00:02Z");
    assert_eq!(edited.json()["created_at"], "2026-01-01T00:00:01Z");

    let fetched = get(&gh, &format!("/repos/octo/infra/issues/comments/{id}"));
    assert_eq!(fetched.json()["body"], "plan: no changes");
    let listed = get(&gh, "/repos/octo/infra/issues/7/comments?per_page=100");
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json().as_array().map(Vec::len), Some(1));
    assert_eq!(listed.header("Link"), None);
    assert_eq!(gh.comments(O, R, 7)[0].body, "plan: no changes");

    let deleted = delete(&gh, &format!("/repos/octo/infra/issues/comments/{id}"));
    assert_eq!((deleted.status, deleted.body.as_str()), (204, ""));
    assert!(gh.comments(O, R, 7).is_empty());
    assert_eq!(
        delete(&gh, &format!("/repos/octo/infra/issues/comments/{id}")).status,
        404
    );
    gh.assert_no_violations();
}

#[test]
fn comments_paginate_with_link_headers() {
    let gh = with_pull();
    for i in 0..5 {
        gh.add_comment(O, R, 7, "someone", &format!("comment {i}"));
    }
    let first = get(&gh, "/repos/octo/infra/issues/7/comments?per_page=2");
    let bodies = |r: &Resp| {
        r.json()
            .as_array()
            .expect("array")
            .iter()
            .map(|c| c["body"].as_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(bodies(&first), ["comment 0", "comment 1"]);
    let base = gh.url();
    assert_eq!(
        first.header("Link"),
        Some(
            format!(
                "<{base}/repos/octo/infra/issues/7/comments?per_page=2&page=2>; rel=\"next\", \
                 <{base}/repos/octo/infra/issues/7/comments?per_page=2&page=3>; rel=\"last\""
            )
            .as_str()
        )
    );
    let middle = get(&gh, "/repos/octo/infra/issues/7/comments?per_page=2&page=2");
    assert_eq!(bodies(&middle), ["comment 2", "comment 3"]);
    let link = middle.header("Link").expect("link");
    for rel in ["prev", "next", "last", "first"] {
        assert!(link.contains(&format!("rel=\"{rel}\"")), "{link}");
    }
    let last = get(&gh, "/repos/octo/infra/issues/7/comments?page=3&per_page=2");
    assert_eq!(bodies(&last), ["comment 4"]);
    let link = last.header("Link").expect("link");
    assert!(
        !link.contains("rel=\"next\"") && link.contains("rel=\"prev\""),
        "{link}"
    );
    // Past the end: empty page. Default page size is 30, so no Link header.
    assert_eq!(
        get(&gh, "/repos/octo/infra/issues/7/comments?per_page=2&page=9").json(),
        json!([])
    );
    assert_eq!(
        get(&gh, "/repos/octo/infra/issues/7/comments").header("Link"),
        None
    );
    gh.assert_no_violations();
}

#[test]
fn commit_comments_and_commit_pulls() {
    let gh = with_pull();
    gh.add_pull(O, R, 8, "2222222222222222222222222222222222222222");
    gh.associate_commit(O, R, "abcdef0123456789abcdef0123456789abcdef01", 7);
    let created = post(
        &gh,
        "/repos/octo/infra/commits/abcdef0123456789abcdef0123456789abcdef01/comments",
        &json!({"body": "applied"}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.json()["commit_id"],
        "abcdef0123456789abcdef0123456789abcdef01"
    );
    assert_eq!(created.json()["path"], Value::Null);
    assert_eq!(
        gh.commit_comments(O, R, "abcdef0123456789abcdef0123456789abcdef01")[0].body,
        "applied"
    );

    let pulls = get(
        &gh,
        "/repos/octo/infra/commits/abcdef0123456789abcdef0123456789abcdef01/pulls",
    );
    assert_eq!(pulls.status, 200);
    assert_eq!(pulls.json()[0]["number"], 7);
    let by_head = get(
        &gh,
        "/repos/octo/infra/commits/2222222222222222222222222222222222222222/pulls",
    )
    .json();
    assert_eq!(by_head.as_array().map(Vec::len), Some(1));
    assert_eq!(
        by_head[0]["head"]["sha"],
        "2222222222222222222222222222222222222222"
    );
    assert_eq!(
        get(&gh, "/repos/octo/infra/commits/3333/pulls").json(),
        json!([])
    );
    gh.assert_no_violations();
}

#[test]
fn get_pull_request() {
    let gh = with_pull();
    gh.set_pull_state(O, R, 7, "merged");
    let pull = get(&gh, "/repos/octo/infra/pulls/7");
    assert_eq!(pull.status, 200);
    let p = pull.json();
    assert_eq!(
        (p["number"].clone(), p["state"].clone(), p["merged"].clone()),
        (json!(7), json!("closed"), json!(true))
    );
    assert_eq!(p["head"]["sha"], "1111111111111111111111111111111111111111");
    assert_eq!(p["base"]["repo"]["full_name"], "octo/infra");
    gh.assert_no_violations();
}

#[test]
fn labels_lifecycle() {
    let gh = with_pull();
    let created = post(
        &gh,
        "/repos/octo/infra/labels",
        &json!({"name": "tfnotify/add-or-update", "color": "1D76DB", "description": "plan adds"}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["color"], "1d76db");
    assert_eq!(
        created.json()["url"],
        format!(
            "{}/repos/octo/infra/labels/tfnotify%2Fadd-or-update",
            gh.url()
        )
    );
    let again = post(
        &gh,
        "/repos/octo/infra/labels",
        &json!({"name": "TFNOTIFY/add-or-update"}),
    );
    assert_eq!(again.status, 422);
    assert_eq!(
        again.json()["errors"],
        json!([{"resource": "Label", "code": "already_exists", "field": "name"}])
    );

    let added = post(
        &gh,
        "/repos/octo/infra/issues/7/labels",
        &json!({"labels": ["tfnotify/add-or-update", "tfnotify/destroy"]}),
    );
    assert_eq!(added.status, 200, "{}", added.body);
    let names = |v: &Value| {
        v.as_array()
            .expect("array")
            .iter()
            .map(|l| l["name"].as_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&added.json()),
        ["tfnotify/add-or-update", "tfnotify/destroy"]
    );
    assert_eq!(gh.repo_labels(O, R)[1].color, "ededed");
    assert_eq!(
        names(&get(&gh, "/repos/octo/infra/issues/7/labels?per_page=100").json()),
        ["tfnotify/add-or-update", "tfnotify/destroy"]
    );

    let removed = delete(&gh, "/repos/octo/infra/issues/7/labels/tfnotify%2Fdestroy");
    assert_eq!(removed.status, 200);
    assert_eq!(names(&removed.json()), ["tfnotify/add-or-update"]);
    assert_eq!(gh.labels_on(O, R, 7), ["tfnotify/add-or-update"]);
    let gone = delete(&gh, "/repos/octo/infra/issues/7/labels/tfnotify%2Fdestroy");
    assert_eq!(gone.status, 404);
    assert_eq!(gone.json()["message"], "Label does not exist");

    let label = get(&gh, "/repos/octo/infra/labels/tfnotify%2Fadd-or-update");
    assert_eq!(label.json()["description"], "plan adds");
    let patched = patch(
        &gh,
        "/repos/octo/infra/labels/tfnotify%2Fadd-or-update",
        &json!({"color": "0e8a16"}),
    );
    assert_eq!(patched.status, 200);
    assert_eq!(gh.repo_labels(O, R)[0].color, "0e8a16");
    assert_eq!(
        get(&gh, "/repos/octo/infra/labels/nope").json()["message"],
        "Not Found"
    );
    gh.assert_no_violations();
}

#[test]
fn labels_paginate_and_seed() {
    let gh = with_pull();
    for i in 0..3 {
        gh.add_label_to_pull(O, R, 7, &format!("l{i}"));
    }
    gh.add_label(O, R, "l0", "ff0000", Some("red"));
    let page = get(&gh, "/repos/octo/infra/issues/7/labels?per_page=2&page=2");
    assert_eq!(page.json()[0]["name"], "l2");
    assert!(page.header("Link").expect("link").contains("rel=\"prev\""));
    assert_eq!(
        get(&gh, "/repos/octo/infra/labels/L0").json()["color"],
        "ff0000"
    );
    gh.assert_no_violations();
}

#[test]
fn bad_credentials_are_401() {
    let gh = with_pull();
    let bad = req(&gh, "GET", "/repos/octo/infra/issues/7/comments")
        .header("Authorization", "Bearer nope")
        .send(&gh);
    assert_eq!(bad.status, 401);
    assert_eq!(
        bad.json(),
        json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"})
    );
    let none = req(&gh, "GET", "/repos/octo/infra/issues/7/comments")
        .without("Authorization")
        .send(&gh);
    assert_eq!(none.status, 401);
    assert_eq!(none.json()["message"], "Requires authentication");
    let old_scheme = req(&gh, "GET", "/repos/octo/infra/issues/7/comments")
        .header("Authorization", &format!("token {}", gh.token()))
        .send(&gh);
    assert_eq!(old_scheme.status, 200);
    gh.add_token("ghs_other", "github-actions[bot]");
    let other = req(&gh, "POST", "/repos/octo/infra/issues/7/comments")
        .header("Authorization", "Bearer ghs_other")
        .json(&json!({"body": "x"}))
        .send(&gh);
    assert_eq!(other.json()["user"]["login"], "github-actions[bot]");
    assert_eq!(other.json()["user"]["type"], "Bot");
    assert_eq!(
        messages(&gh),
        ["401 Bad credentials", "401 Requires authentication"]
    );
}

#[test]
fn missing_user_agent_is_403() {
    let gh = with_pull();
    let resp = req(&gh, "GET", "/repos/octo/infra/pulls/7")
        .without("User-Agent")
        .send(&gh);
    assert_eq!(resp.status, 403);
    assert!(resp.body.starts_with("Request forbidden by administrative rules. Please make sure your request has a User-Agent header"));
    assert_eq!(
        resp.header("Content-Type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        messages(&gh),
        ["missing User-Agent header (GitHub answers 403)"]
    );
}

#[test]
fn missing_recommended_headers_are_violations_only() {
    let gh = with_pull();
    let resp = req(&gh, "GET", "/repos/octo/infra/pulls/7")
        .without("Accept")
        .without("X-GitHub-Api-Version")
        .send(&gh);
    assert_eq!(resp.status, 200);
    assert_eq!(
        messages(&gh),
        [
            "missing X-GitHub-Api-Version header (recommended: 2022-11-28)",
            "missing Accept header (recommended: application/vnd.github+json)"
        ]
    );
    let bad_version = req(&gh, "GET", "/repos/octo/infra/pulls/7")
        .header("X-GitHub-Api-Version", "2020-01-01")
        .send(&gh);
    assert_eq!(bad_version.status, 400);
}

#[test]
fn too_long_comment_body_is_422_with_githubs_shape() {
    let gh = with_pull();
    let exact = "é".repeat(MAX_COMMENT_CHARS);
    assert_eq!(
        post(
            &gh,
            "/repos/octo/infra/issues/7/comments",
            &json!({"body": exact})
        )
        .status,
        201
    );
    gh.assert_no_violations();
    let resp = post(
        &gh,
        "/repos/octo/infra/issues/7/comments",
        &json!({"body": "x".repeat(MAX_COMMENT_CHARS + 1)}),
    );
    assert_eq!(resp.status, 422);
    assert_eq!(
        resp.json(),
        json!({
            "message": "Validation Failed",
            "errors": [{
                "resource": "IssueComment",
                "code": "unprocessable",
                "field": "data",
                "message": "Body is too long (maximum is 65536 characters)"
            }],
            "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
            "status": "422"
        })
    );
    let id = gh.comments(O, R, 7)[0].id;
    let edit = patch(
        &gh,
        &format!("/repos/octo/infra/issues/comments/{id}"),
        &json!({"body": "x".repeat(70_000)}),
    );
    assert_eq!(edit.status, 422);
    assert_eq!(gh.comments(O, R, 7).len(), 1);
    assert_eq!(
        messages(&gh),
        [
            "comment body of 65537 characters exceeds 65536",
            "comment body of 70000 characters exceeds 65536"
        ]
    );
}

#[test]
fn invalid_labels_are_422() {
    let gh = with_pull();
    let hash = post(
        &gh,
        "/repos/octo/infra/labels",
        &json!({"name": "ok", "color": "#ff0000"}),
    );
    assert_eq!(hash.status, 422);
    assert_eq!(
        hash.json()["errors"],
        json!([{"resource": "Label", "code": "invalid", "field": "color"}])
    );
    let long = "n".repeat(51);
    assert_eq!(
        post(
            &gh,
            "/repos/octo/infra/issues/7/labels",
            &json!({"labels": [long]})
        )
        .status,
        422
    );
    assert_eq!(
        post(
            &gh,
            "/repos/octo/infra/labels",
            &json!({"name": "n".repeat(50)})
        )
        .status,
        201
    );
    assert!(gh.labels_on(O, R, 7).is_empty());
    assert_eq!(gh.violations().len(), 2, "{:?}", gh.violations());
}

#[test]
fn request_bodies_are_checked_against_the_openapi_schema() {
    let gh = with_pull();
    let missing = post(
        &gh,
        "/repos/octo/infra/issues/7/comments",
        &json!({"text": "x"}),
    );
    assert_eq!(missing.status, 422);
    assert_eq!(
        missing.json()["message"],
        "Invalid request.\n\n\"body\" wasn't supplied."
    );
    let wrong_type = post(
        &gh,
        "/repos/octo/infra/issues/7/comments",
        &json!({"body": 5}),
    );
    assert_eq!(wrong_type.status, 422);
    let empty_labels = post(
        &gh,
        "/repos/octo/infra/issues/7/labels",
        &json!({"labels": []}),
    );
    assert_eq!(empty_labels.status, 422);
    let not_json = req(&gh, "POST", "/repos/octo/infra/issues/7/comments")
        .raw_body("{\"body\":")
        .send(&gh);
    assert_eq!(not_json.status, 400);
    assert_eq!(not_json.json()["message"], "Problems parsing JSON");
    let v = messages(&gh);
    assert_eq!(v.len(), 4, "{v:?}");
    assert!(
        v[0].contains("required property \"body\" is missing"),
        "{v:?}"
    );
    assert!(v[1].contains("5 is not of type string"), "{v:?}");
    assert!(v[2].contains("fewer than 1 items"), "{v:?}");
}

#[test]
fn unknown_things_are_404() {
    let gh = with_pull();
    for path in [
        "/repos/octo/infra/pulls/8",
        "/repos/octo/infra/issues/8/comments",
        "/repos/octo/infra/issues/comments/1",
        "/repos/octo/infra/labels/missing",
        "/repos/octo/other/pulls/7",
    ] {
        let resp = get(&gh, path);
        assert_eq!(resp.status, 404, "{path}");
        assert_eq!(resp.json()["message"], "Not Found", "{path}");
    }
    gh.assert_no_violations();
    // Undocumented endpoints and parameters are violations.
    assert_eq!(get(&gh, "/repos/octo/infra/issues/7/timeline").status, 404);
    assert_eq!(
        get(&gh, "/repos/octo/infra/issues/seven/comments").status,
        404
    );
    assert_eq!(
        get(&gh, "/repos/octo/infra/issues/7/comments?perpage=100").status,
        200
    );
    assert_eq!(gh.violations().len(), 3, "{:?}", gh.violations());
}

#[test]
fn get_authenticated_user() {
    let gh = FakeGitHub::start();
    let me = get(&gh, "/user");
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["login"], "tfnotify-bot");
    gh.assert_no_violations();
}

const LIST: &str = r"
query($owner: String!, $repo: String!, $pr: Int!, $after: String) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $pr) {
      comments(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { id databaseId body isMinimized minimizedReason viewerDidAuthor author { login } }
      }
    }
  }
}";

#[test]
fn graphql_lists_comments_with_is_minimized() {
    let gh = with_pull();
    let a = gh.add_comment(O, R, 7, "tfnotify-bot", "a");
    gh.add_comment(O, R, 7, "github-actions[bot]", "b");
    gh.add_comment(O, R, 7, "someone", "c");
    gh.minimize(O, R, a.id, "OUTDATED");
    let vars = json!({"owner": O, "repo": R, "pr": 7});
    let page1 = graphql(&gh, LIST, &vars);
    assert_eq!(page1.status, 200);
    let comments = &page1.json()["data"]["repository"]["pullRequest"]["comments"];
    assert_eq!(comments["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        comments["nodes"][0],
        json!({"id": a.node_id, "databaseId": a.id, "body": "a", "isMinimized": true, "minimizedReason": "outdated", "viewerDidAuthor": true, "author": {"login": "tfnotify-bot"}})
    );
    assert_eq!(comments["nodes"][1]["author"]["login"], "github-actions");
    let after = comments["pageInfo"]["endCursor"].clone();
    let page2 = graphql(
        &gh,
        LIST,
        &json!({"owner": O, "repo": R, "pr": 7, "after": after}),
    );
    let comments = &page2.json()["data"]["repository"]["pullRequest"]["comments"];
    assert_eq!(comments["nodes"].as_array().map(Vec::len), Some(1));
    assert_eq!(comments["nodes"][0]["body"], "c");
    assert_eq!(comments["pageInfo"]["hasNextPage"], false);

    let viewer = graphql(&gh, "{ viewer { login } }", &json!({}));
    assert_eq!(
        viewer.json(),
        json!({"data": {"viewer": {"login": "tfnotify-bot"}}})
    );
    gh.assert_no_violations();
}

#[test]
fn graphql_minimize_comment() {
    let gh = with_pull();
    let c = gh.add_comment(O, R, 7, "tfnotify-bot", "old plan");
    let literal = format!(
        "mutation {{ minimizeComment(input: {{subjectId: \"{}\", classifier: OUTDATED}}) {{ minimizedComment {{ isMinimized minimizedReason }} }} }}",
        c.node_id
    );
    let resp = graphql(&gh, &literal, &json!({}));
    assert_eq!(
        resp.json(),
        json!({"data": {"minimizeComment": {"minimizedComment": {"isMinimized": true, "minimizedReason": "outdated"}}}})
    );
    assert_eq!(
        gh.comments(O, R, 7)[0].minimized.as_deref(),
        Some("OUTDATED")
    );

    let d = gh.add_comment(O, R, 7, "tfnotify-bot", "older plan");
    let with_vars = graphql(
        &gh,
        "mutation Hide($input: MinimizeCommentInput!) { hide: minimizeComment(input: $input) { clientMutationId } }",
        &json!({"input": {"subjectId": d.node_id, "classifier": "DUPLICATE", "clientMutationId": "m1"}}),
    );
    assert_eq!(
        with_vars.json(),
        json!({"data": {"hide": {"clientMutationId": "m1"}}})
    );
    assert_eq!(
        gh.comments(O, R, 7)[1].minimized.as_deref(),
        Some("DUPLICATE")
    );

    let missing = graphql(
        &gh,
        "mutation { minimizeComment(input: {subjectId: \"IC_nope\", classifier: SPAM}) { clientMutationId } }",
        &json!({}),
    );
    let body = missing.json();
    assert_eq!(body["data"], json!({"minimizeComment": null}));
    assert_eq!(body["errors"][0]["type"], "NOT_FOUND");
    assert_eq!(
        body["errors"][0]["message"],
        "Could not resolve to a node with the global id of 'IC_nope'"
    );
    gh.assert_no_violations();
}

#[test]
fn graphql_rejects_what_it_does_not_know() {
    let gh = with_pull();
    let unknown = graphql(
        &gh,
        "query { repository(owner: \"octo\", name: \"infra\") { issues { totalCount } } }",
        &json!({}),
    );
    assert_eq!(unknown.status, 200);
    assert_eq!(
        unknown.json(),
        json!({"errors": [{
            "path": ["query", "repository", "issues"],
            "extensions": {"code": "undefinedField", "typeName": "Repository", "fieldName": "issues"},
            "locations": [{"line": 1, "column": 52}],
            "message": "Field 'issues' doesn't exist on type 'Repository'"
        }]})
    );
    let string_enum = graphql(
        &gh,
        "mutation { minimizeComment(input: {subjectId: \"x\", classifier: \"OUTDATED\"}) { clientMutationId } }",
        &json!({}),
    );
    assert!(
        string_enum.json()["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Expected type 'ReportedContentClassifiers!'")
    );
    let bad_enum = graphql(
        &gh,
        "mutation($i: MinimizeCommentInput!) { minimizeComment(input: $i) { clientMutationId } }",
        &json!({"i": {"subjectId": "x", "classifier": "BORING"}}),
    );
    assert!(
        bad_enum.json()["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("invalid value (BORING)")
    );
    let fragment = graphql(
        &gh,
        "{ viewer { ...F } } fragment F on User { login }",
        &json!({}),
    );
    assert!(fragment.json()["errors"].is_array());
    let syntax = graphql(&gh, "{ viewer { login }", &json!({}));
    assert!(syntax.json()["errors"].is_array());
    let no_page = graphql(
        &gh,
        "{ repository(owner: \"octo\", name: \"infra\") { pullRequest(number: 7) { comments { totalCount } } } }",
        &json!({}),
    );
    assert_eq!(
        no_page.json()["errors"][0]["message"],
        "You must provide a `first` or `last` value to properly paginate the `comments` connection."
    );
    let no_query = post(&gh, "/graphql", &json!({"variables": {}}));
    assert_eq!(
        no_query.json()["errors"][0]["message"],
        "A query attribute must be specified and must be a string."
    );
    assert_eq!(gh.violations().len(), 7, "{:?}", gh.violations());
    let bad_token = req(&gh, "POST", "/graphql")
        .header("Authorization", "bearer x")
        .json(&json!({"query": "{ viewer { login } }"}))
        .send(&gh);
    assert_eq!(bad_token.status, 401);
    assert_eq!(
        bad_token.json()["documentation_url"],
        "https://docs.github.com/graphql"
    );
}

#[test]
fn fault_injection() {
    let gh = with_pull();
    gh.fail_next(
        "POST",
        "/repos/octo/infra/issues/7/comments",
        429,
        &[("Retry-After", "1")],
        r#"{"message":"slow down"}"#,
        2,
    );
    gh.fail_next(
        "*",
        "/repos/octo/infra/pulls/",
        502,
        &[("Content-Type", "text/html")],
        "<html>bad gateway</html>",
        1,
    );
    gh.fail_secondary_rate_limit("PATCH", "/repos/", 60, 1);
    for _ in 0..2 {
        let r = post(
            &gh,
            "/repos/octo/infra/issues/7/comments",
            &json!({"body": "x"}),
        );
        assert_eq!((r.status, r.header("Retry-After")), (429, Some("1")));
        assert_eq!(r.json()["message"], "slow down");
    }
    let ok = post(
        &gh,
        "/repos/octo/infra/issues/7/comments",
        &json!({"body": "x"}),
    );
    assert_eq!(ok.status, 201);
    let bad_gateway = get(&gh, "/repos/octo/infra/pulls/7");
    assert_eq!(
        (bad_gateway.status, bad_gateway.header("Content-Type")),
        (502, Some("text/html"))
    );
    assert_eq!(get(&gh, "/repos/octo/infra/pulls/7").status, 200);
    let id = ok.json()["id"].as_u64().expect("id");
    let limited = patch(
        &gh,
        &format!("/repos/octo/infra/issues/comments/{id}"),
        &json!({"body": "y"}),
    );
    assert_eq!(
        (limited.status, limited.header("retry-after")),
        (403, Some("60"))
    );
    assert!(
        limited.json()["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("You have exceeded a secondary rate limit")
    );
    assert_eq!(
        patch(
            &gh,
            &format!("/repos/octo/infra/issues/comments/{id}"),
            &json!({"body": "y"})
        )
        .status,
        200
    );

    gh.set_rate_limit(1, 1_900_000_000);
    let r = get(&gh, "/repos/octo/infra/pulls/7");
    assert_eq!(
        (
            r.header("x-ratelimit-remaining"),
            r.header("x-ratelimit-reset")
        ),
        (Some("0"), Some("1900000000"))
    );
    assert_eq!(r.header("x-ratelimit-limit"), Some("5000"));
    let statuses: Vec<u16> = gh.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 429, 201, 502, 200, 403, 200, 200]);
    gh.assert_no_violations();
}

#[test]
fn primary_rate_limit_blocks_until_reset() {
    let gh = with_pull();
    gh.set_rate_limit(0, 1_900_000_000);
    let blocked = get(&gh, "/repos/octo/infra/pulls/7");
    assert_eq!(blocked.status, 403);
    assert_eq!(blocked.header("x-ratelimit-remaining"), Some("0"));
    assert!(
        blocked.json()["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("API rate limit exceeded for user ID")
    );
    assert_eq!(
        messages(&gh),
        ["primary rate limit exhausted (x-ratelimit-remaining was 0)"]
    );
    // A reset time in the past restores the limit.
    gh.set_rate_limit(0, 1);
    let ok = get(&gh, "/repos/octo/infra/pulls/7");
    assert_eq!(
        (ok.status, ok.header("x-ratelimit-remaining")),
        (200, Some("4999"))
    );
    assert_eq!(
        gh.redact(&format!("see {}/repos", gh.url())),
        "see [GITHUB]/repos"
    );
}

#[test]
fn request_log_redacts_the_token() {
    let gh = with_pull();
    post(
        &gh,
        "/repos/octo/infra/issues/7/comments",
        &json!({"body": "hi"}),
    );
    get(&gh, "/repos/octo/infra/issues/7/comments?per_page=100");
    assert_eq!(
        gh.request_lines(),
        [
            "POST /repos/octo/infra/issues/7/comments",
            "GET /repos/octo/infra/issues/7/comments?per_page=100"
        ]
    );
    assert_eq!(
        gh.requests_json()[0],
        json!({
            "method": "POST",
            "path": "/repos/octo/infra/issues/7/comments",
            "headers": {
                "accept": "application/vnd.github+json",
                "authorization": "Bearer [REDACTED]",
                "content-type": "application/json",
                "user-agent": "tfnotify-test/0",
                "x-github-api-version": "2022-11-28"
            },
            "body": {"body": "hi"},
            "status": 201
        })
    );
    assert!(!gh.requests_json().to_string().contains(gh.token()));
    gh.clear_log();
    assert!(gh.requests().is_empty());
}

#[test]
fn keep_alive_and_chunked_bodies() {
    let gh = with_pull();
    let mut stream = connect(&gh);
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    for _ in 0..2 {
        stream
            .write_all(&req(&gh, "GET", "/repos/octo/infra/pulls/7").bytes(false))
            .expect("write");
        assert_eq!(read_response(&mut reader, "GET").status, 200);
    }
    let r = req(&gh, "POST", "/repos/octo/infra/issues/7/comments")
        .header("Transfer-Encoding", "chunked")
        .header("Expect", "100-continue");
    let mut bytes = r.bytes(false);
    bytes.extend_from_slice(b"5\r\n{\"bod\r\n9\r\ny\":\"hi\"}\r\n0\r\n\r\n");
    stream.write_all(&bytes).expect("write");
    let continued = read_response(&mut reader, "POST");
    assert_eq!(continued.status, 100);
    assert_eq!(read_response(&mut reader, "POST").status, 201);
    assert_eq!(gh.comments(O, R, 7)[0].body, "hi");
    gh.assert_no_violations();
}

#[test]
fn malformed_http_gets_400_and_the_server_survives() {
    let gh = with_pull();
    for garbage in [
        &b"NOT HTTP\r\n\r\n"[..],
        b"GET /x HTTP/1.1\r\nbad header\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        b"\xff\xfe\r\n\r\n",
    ] {
        let mut stream = connect(&gh);
        stream.write_all(garbage).expect("write");
        let resp = read_response(&mut BufReader::new(stream), "GET");
        assert_eq!(resp.status, 400);
    }
    // A client that hangs up mid-request.
    drop(connect(&gh).write_all(b"POST /graphql HTTP/1.1\r\nContent-Length: 10\r\n\r\n{"));
    let junk = [
        &b""[..],
        b"[]",
        b"{\"query\": 5}",
        b"{\"query\": \"\\u0000{\"}",
    ];
    for body in junk {
        let r = req(&gh, "POST", "/graphql")
            .raw_body(std::str::from_utf8(body).expect("utf8"))
            .send(&gh);
        assert!(matches!(r.status, 200 | 400), "{}", r.status);
    }
    assert_eq!(get(&gh, "/repos/octo/infra/pulls/7").status, 200);
}

#[test]
fn stops_when_dropped() {
    let gh = FakeGitHub::start();
    let addr = gh.url().trim_start_matches("http://").to_owned();
    drop(gh);
    assert!(TcpStream::connect(&addr).is_err());
}

#[test]
fn graphql_parser_survives_mutated_queries() {
    let gh = with_pull();
    gh.add_comment(O, R, 7, "someone", "x");
    let source = LIST.as_bytes();
    let noise = b"{}()[]:$!@.\"\\#,=\n0-9aZ_\x00\xff";
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = |bound: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % u64::try_from(bound).expect("bound")).expect("index")
    };
    for _ in 0..150 {
        let mut query = source.to_vec();
        for _ in 0..=next(4) {
            if query.is_empty() {
                break;
            }
            let at = next(query.len());
            match next(3) {
                0 => {
                    query.remove(at);
                }
                1 => query.insert(at, noise[next(noise.len())]),
                _ => query.truncate(at),
            }
        }
        let query = String::from_utf8_lossy(&query).into_owned();
        let resp = graphql(&gh, &query, &json!({"owner": O, "repo": R, "pr": 7}));
        assert_eq!(resp.status, 200, "{query}");
        let body = resp.json();
        assert!(
            body.get("data").is_some() || body["errors"].is_array(),
            "{query}: {body}"
        );
    }
    assert_eq!(get(&gh, "/repos/octo/infra/pulls/7").status, 200);
}

#[test]
fn check_runs_are_created_listed_and_updated() {
    let gh = with_pull();
    let sha = "1111111111111111111111111111111111111111";
    let created = post(
        &gh,
        "/repos/octo/infra/check-runs",
        &json!({"name": "tfnotify / plan", "head_sha": sha, "conclusion": "neutral",
                "external_id": "tfnotify", "output": {"title": "Plan", "summary": "body"}}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let run = created.json();
    assert_eq!(run["status"], "completed", "a conclusion completes it");
    assert_eq!(run["app"]["slug"], "github-actions");
    let id = run["id"].as_u64().expect("id");

    let other = gh.add_check_run(O, R, sha, "lint", "other-ci", None);
    let listed = get(
        &gh,
        &format!("/repos/octo/infra/commits/{sha}/check-runs?check_name=tfnotify%20%2F%20plan"),
    );
    assert_eq!(listed.status, 200);
    let listed = listed.json();
    assert_eq!(listed["total_count"], 1);
    assert_eq!(listed["check_runs"][0]["id"], id);
    assert_eq!(listed["check_runs"][0]["output"]["summary"], "body");

    let updated = patch(
        &gh,
        &format!("/repos/octo/infra/check-runs/{id}"),
        &json!({"conclusion": "success", "output": {"title": "No changes", "summary": "none"}}),
    );
    assert_eq!(updated.status, 200, "{}", updated.body);
    let runs = gh.check_runs(O, R);
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].conclusion.as_deref(), Some("success"));
    assert_eq!(runs[0].title.as_deref(), Some("No changes"));
    assert_eq!(runs[1], other);
    gh.assert_no_violations();
}

#[test]
fn check_runs_are_refused_as_github_refuses_them() {
    let gh = with_pull();
    let sha = "1111111111111111111111111111111111111111";
    let create = |body: &Value| post(&gh, "/repos/octo/infra/check-runs", body);

    let no_sha = create(&json!({"name": "x"}));
    assert_eq!(
        (no_sha.status, no_sha.json()["message"].clone()),
        (
            422,
            json!("Invalid request.\n\n\"head_sha\" wasn't supplied.")
        )
    );
    let unknown = create(&json!({"name": "x", "head_sha": "main"}));
    assert_eq!(
        (unknown.status, unknown.json()["message"].clone()),
        (422, json!("No commit found for SHA: main"))
    );
    let unfinished = create(&json!({"name": "x", "head_sha": sha, "status": "completed"}));
    assert_eq!(unfinished.status, 422);
    let stale = create(&json!({"name": "x", "head_sha": sha, "conclusion": "stale"}));
    assert_eq!(stale.status, 422);
    let wide = create(
        &json!({"name": "x", "head_sha": sha, "conclusion": "success",
        "output": {"title": "t", "summary": "é".repeat(40_000)}}),
    );
    assert_eq!(wide.status, 422, "GitHub counts the summary in bytes");
    assert_eq!(
        wide.json()["errors"][0],
        json!({"resource": "CheckRun", "code": "custom", "field": "summary",
               "message": "summary exceeds a maximum bytesize of 65535"})
    );
    assert!(gh.check_runs(O, R).is_empty());

    gh.add_personal_token("ghp_personal", "someone");
    let personal = req(&gh, "POST", "/repos/octo/infra/check-runs")
        .header("Authorization", "Bearer ghp_personal")
        .json(&json!({"name": "x", "head_sha": sha}))
        .send(&gh);
    assert_eq!(
        (personal.status, personal.json()["message"].clone()),
        (403, json!("You must authenticate via a GitHub App."))
    );
    let theirs = gh.add_check_run(O, R, sha, "x", "other-ci", None);
    let taken = patch(
        &gh,
        &format!("/repos/octo/infra/check-runs/{}", theirs.id),
        &json!({"conclusion": "failure"}),
    );
    assert_eq!(taken.status, 403);
    assert_eq!(gh.check_runs(O, R), vec![theirs]);
    assert_eq!(
        messages(&gh),
        [
            "request body: required property \"head_sha\" is missing",
            "head_sha \"main\" is no commit",
            "status completed without a conclusion",
            "conclusion \"stale\" cannot be set",
            "output.summary is 80000 bytes",
            "a personal access token cannot write check runs",
            format!(
                "updated the check run {} of the app `other-ci`",
                gh.check_runs(O, R)[0].id
            )
            .as_str(),
        ]
    );
}
