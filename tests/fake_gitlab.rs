//! Tests of the fake GitLab (`tests/common/fake_gitlab/`) through a plain HTTP client, so
//! the notifier's suite can trust what it answers.

mod common;

use common::fake_gitlab::{DEFAULT_USER, FakeGitLab, MAX_NOTE_CHARS};
use serde_json::{Value, json};

const PROJECT: &str = "acme/platform/infra";
const BASE: &str = "/projects/acme%2Fplatform%2Finfra";
const HEAD: &str = "1111111111111111111111111111111111111111";

/// A response: status, headers (lower-case names) and body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn fake() -> FakeGitLab {
    let fake = FakeGitLab::start();
    fake.add_merge_request(PROJECT, 7, HEAD);
    fake
}

/// Sends `method path` (after `/api/v4`) with `token` and a JSON body.
fn call(
    fake: &FakeGitLab,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Answer {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .new_agent();
    let mut builder = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", fake.url()));
    if let Some(token) = token {
        builder = builder.header("PRIVATE-TOKEN", token);
    }
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    if body.is_some() {
        builder = builder.header("Content-Type", "application/json");
    }
    let request = builder.body(bytes).expect("request");
    let mut response = agent.run(request).expect("answer");
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    Answer {
        status: response.status().as_u16(),
        headers,
        body: response.body_mut().read_to_string().unwrap_or_default(),
    }
}

fn as_bot(fake: &FakeGitLab, method: &str, path: &str, body: Option<&Value>) -> Answer {
    call(fake, method, path, Some(fake.token()), body)
}

#[test]
fn a_wrong_or_missing_token_gets_gitlab_s_401() {
    let fake = fake();
    for token in [None, Some("glpat-wrong")] {
        let answer = call(
            &fake,
            "GET",
            &format!("{BASE}/merge_requests/7"),
            token,
            None,
        );
        assert_eq!(answer.status, 401);
        assert_eq!(answer.json(), json!({"message": "401 Unauthorized"}));
    }
}

#[test]
fn projects_are_found_by_id_and_by_encoded_path_only() {
    let fake = fake();
    let id = fake.add_project(PROJECT);
    let by_id = as_bot(
        &fake,
        "GET",
        &format!("/projects/{id}/merge_requests/7"),
        None,
    );
    assert_eq!(by_id.status, 200);
    assert_eq!(by_id.json()["sha"], HEAD);
    let raw = as_bot(
        &fake,
        "GET",
        "/projects/acme/platform/infra/merge_requests/7",
        None,
    );
    assert_eq!(raw.status, 404, "a path must be one encoded segment");
    let other = as_bot(&fake, "GET", "/projects/acme%2Fnope/merge_requests/7", None);
    assert_eq!(other.json(), json!({"message": "404 Project Not Found"}));
}

#[test]
fn notes_keep_gitlab_s_limit_its_storage_and_its_error_texts() {
    let fake = fake();
    let path = format!("{BASE}/merge_requests/7/notes");
    let missing = as_bot(&fake, "POST", &path, Some(&json!({"note": "x"})));
    assert_eq!(
        (missing.status, missing.json()),
        (400, json!({"error": "body is missing"}))
    );
    let long = "x".repeat(MAX_NOTE_CHARS + 1);
    let refused = as_bot(&fake, "POST", &path, Some(&json!({ "body": long })));
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.json(),
        json!({"message": "400 Bad request - Note {:note=>[\"is too long (maximum is 1000000 characters)\"]}"})
    );
    let fits = "é".repeat(MAX_NOTE_CHARS);
    assert_eq!(
        as_bot(&fake, "POST", &path, Some(&json!({ "body": fits }))).status,
        201,
        "characters, not bytes"
    );
    let created = as_bot(&fake, "POST", &path, Some(&json!({"body": "a\r\nb  \n"})));
    assert_eq!(created.status, 201);
    assert_eq!(
        created.json()["body"],
        "a\nb",
        "carriage returns deleted, end trimmed"
    );
    assert_eq!(created.json()["author"]["username"], "project_42_bot");
    let violations: Vec<String> = fake.violations().iter().map(ToString::to_string).collect();
    assert_eq!(
        violations,
        [format!(
            "POST {path}: unknown parameter `note` (GitLab ignores it)"
        )]
    );
}

#[test]
fn note_lists_are_newest_first_unless_asked_and_paged_like_gitlab() {
    let fake = fake();
    fake.add_system_note(PROJECT, 7, "added 1 commit");
    for i in 0..24 {
        fake.add_note(PROJECT, 7, "alice", &format!("note {i}"));
    }
    let first = as_bot(
        &fake,
        "GET",
        &format!("{BASE}/merge_requests/7/notes"),
        None,
    );
    assert_eq!(
        first.json().as_array().map(Vec::len),
        Some(20),
        "20 per page by default"
    );
    assert_eq!(
        first.json()[0]["body"],
        "note 23",
        "newest first by default"
    );
    assert_eq!(first.header("x-next-page"), Some("2"));
    assert_eq!(first.header("x-total"), Some("25"));
    let link = first.header("link").unwrap_or_default();
    assert!(
        link.contains(&format!(
            "{}/api/v4{BASE}/merge_requests/7/notes?page=2>; rel=\"next\"",
            fake.server_url()
        )),
        "{link}"
    );
    let asc = as_bot(
        &fake,
        "GET",
        &format!("{BASE}/merge_requests/7/notes?sort=asc&order_by=created_at&per_page=100"),
        None,
    );
    let notes = asc.json();
    assert_eq!(notes[0]["system"], true, "system notes are listed too");
    assert_eq!(notes[1]["body"], "note 0");
    assert_eq!(asc.header("x-next-page"), Some(""));
    let bad = as_bot(
        &fake,
        "GET",
        &format!("{BASE}/merge_requests/7/notes?sort=up"),
        None,
    );
    assert_eq!(
        bad.json(),
        json!({"error": "sort does not have a valid value"})
    );
}

#[test]
fn editing_or_deleting_someone_else_s_note_works_as_for_a_maintainer_and_is_flagged() {
    let fake = fake();
    let theirs = fake.add_note(PROJECT, 7, "alice", "mine");
    let path = format!("{BASE}/merge_requests/7/notes/{}", theirs.id);
    let edit = as_bot(&fake, "PUT", &path, Some(&json!({"body": "x"})));
    assert_eq!(edit.status, 200);
    assert_eq!(
        edit.json()["author"]["username"],
        "alice",
        "still alice's note"
    );
    assert_eq!(as_bot(&fake, "DELETE", &path, None).status, 204);
    assert_eq!(fake.violations().len(), 2);
}

#[test]
fn the_token_s_user_is_the_author_of_what_it_writes() {
    let fake = fake();
    let me = as_bot(&fake, "GET", "/user", None);
    assert_eq!(me.status, 200);
    let me = me.json();
    assert_eq!(me["username"], DEFAULT_USER);
    let path = format!("{BASE}/merge_requests/7/notes");
    let note = as_bot(&fake, "POST", &path, Some(&json!({"body": "x"}))).json();
    assert_eq!(note["author"]["id"], me["id"]);
    let theirs = fake.add_note(PROJECT, 7, "alice", "mine");
    let listed = as_bot(&fake, "GET", &path, None).json();
    let alice = listed
        .as_array()
        .and_then(|notes| notes.iter().find(|n| n["id"] == theirs.id))
        .map(|n| n["author"]["id"].clone());
    assert_ne!(alice, Some(me["id"].clone()));
    fake.assert_no_violations();
}

#[test]
fn commit_comments_take_note_and_need_a_known_commit() {
    let fake = fake();
    let path = format!("{BASE}/repository/commits/{HEAD}/comments");
    let wrong = as_bot(&fake, "POST", &path, Some(&json!({"body": "x"})));
    assert_eq!(
        (wrong.status, wrong.json()),
        (400, json!({"error": "note is missing"}))
    );
    let right = as_bot(&fake, "POST", &path, Some(&json!({"note": "applied"})));
    assert_eq!(right.status, 201);
    assert_eq!(right.json()["note"], "applied");
    let unknown = as_bot(
        &fake,
        "POST",
        &format!("{BASE}/repository/commits/beef/comments"),
        Some(&json!({"note": "x"})),
    );
    assert_eq!(unknown.json(), json!({"message": "404 Commit Not Found"}));
    let mrs = as_bot(
        &fake,
        "GET",
        &format!("{BASE}/repository/commits/{HEAD}/merge_requests"),
        None,
    );
    assert_eq!(mrs.json()[0]["iid"], 7);
    assert_eq!(mrs.json()[0]["state"], "opened");
}

#[test]
fn labels_need_a_hex_colour_and_merge_requests_take_add_and_remove_lists() {
    let fake = fake();
    let labels = format!("{BASE}/labels");
    let red = as_bot(
        &fake,
        "POST",
        &labels,
        Some(&json!({"name": "prod/destroy", "color": "red"})),
    );
    assert_eq!(
        red.json(),
        json!({"message": {"color": ["must be a valid color code"]}})
    );
    let made = as_bot(
        &fake,
        "POST",
        &labels,
        Some(&json!({"name": "prod/destroy", "color": "#d93f0b"})),
    );
    assert_eq!(made.status, 201);
    let again = as_bot(
        &fake,
        "POST",
        &labels,
        Some(&json!({"name": "prod/destroy", "color": "#d93f0b"})),
    );
    assert_eq!(
        (again.status, again.json()),
        (409, json!({"message": "Label already exists"}))
    );
    let by_title = as_bot(&fake, "GET", &format!("{labels}/prod%2Fdestroy"), None);
    assert_eq!(by_title.json()["color"], "#d93f0b");
    let id = by_title.json()["id"].as_u64().expect("id");
    let recolour = as_bot(
        &fake,
        "PUT",
        &format!("{labels}/{id}"),
        Some(&json!({"color": "#000000"})),
    );
    assert_eq!(recolour.json()["color"], "#000000");
    assert_eq!(
        as_bot(&fake, "GET", &format!("{labels}/nope"), None).json(),
        json!({"message": "404 Label Not Found"})
    );

    let mr = format!("{BASE}/merge_requests/7");
    let nothing = as_bot(&fake, "PUT", &mr, Some(&json!({})));
    assert_eq!(nothing.status, 400);
    assert!(
        nothing
            .body
            .contains("at least one parameter must be provided"),
        "{}",
        nothing.body
    );
    as_bot(
        &fake,
        "PUT",
        &mr,
        Some(&json!({"add_labels": "prod/destroy,team"})),
    );
    as_bot(&fake, "PUT", &mr, Some(&json!({"remove_labels": ["team"]})));
    assert_eq!(fake.labels_on(PROJECT, 7), ["prod/destroy"]);
    let team = fake
        .project_labels(PROJECT)
        .into_iter()
        .find(|l| l.name == "team");
    assert_eq!(
        team.map(|l| l.color).as_deref(),
        Some("#6699cc"),
        "GitLab's own colour for a label it creates"
    );
    fake.assert_no_violations();
}

#[test]
fn label_lists_split_at_commas_as_gitlab_s_do_and_titles_refuse_them() {
    let fake = fake();
    let made = as_bot(
        &fake,
        "POST",
        &format!("{BASE}/labels"),
        Some(&json!({"name": "envs/,approved,x/destroy", "color": "#d93f0b"})),
    );
    assert_eq!(
        (made.status, made.json()),
        (400, json!({"message": {"title": ["is invalid"]}}))
    );
    as_bot(
        &fake,
        "PUT",
        &format!("{BASE}/merge_requests/7"),
        Some(&json!({"add_labels": ["envs/,approved,x/destroy"]})),
    );
    assert_eq!(
        fake.labels_on(PROJECT, 7),
        ["approved", "envs/", "x/destroy"],
        "each element is split, as GitLab does"
    );
    let violations = fake.violations();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(
        violations[0].message.contains("splits it into 3 labels"),
        "{}",
        violations[0]
    );
}

#[test]
fn a_line_that_would_run_a_quick_action_is_a_violation() {
    let fake = fake();
    let path = format!("{BASE}/merge_requests/7/notes");
    as_bot(
        &fake,
        "POST",
        &path,
        Some(&json!({"body": "plan\n\u{2060}/merge\n  /close\nsee /approve"})),
    );
    fake.assert_no_violations();
    as_bot(
        &fake,
        "POST",
        &path,
        Some(&json!({"body": "plan\n/label ~ok\n"})),
    );
    let violations = fake.violations();
    assert_eq!(violations.len(), 1);
    assert!(
        violations[0].message.contains("`/label`"),
        "{}",
        violations[0]
    );
}

#[test]
fn faults_answer_before_anything_else() {
    let fake = fake();
    fake.fail_next(
        "GET",
        &format!("{BASE}/merge_requests/7"),
        500,
        &[],
        r#"{"message":"500 Internal Server Error"}"#,
        1,
    );
    fake.fail_next(
        "*",
        BASE,
        429,
        &[("retry-after", "1")],
        r#"{"message":"429 Too Many Requests"}"#,
        1,
    );
    let first = call(
        &fake,
        "GET",
        &format!("{BASE}/merge_requests/7"),
        None,
        None,
    );
    assert_eq!(first.status, 500, "even before authentication");
    let second = as_bot(&fake, "GET", &format!("{BASE}/merge_requests/7"), None);
    assert_eq!(
        (second.status, second.header("retry-after")),
        (429, Some("1"))
    );
    assert_eq!(
        as_bot(&fake, "GET", &format!("{BASE}/merge_requests/7"), None).status,
        200
    );
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [500, 429, 200]);
    assert_eq!(fake.requests()[2].headers["private-token"], "[REDACTED]");
}
