//! The GitLab REST v4 calls tfnotify makes, and nothing else.
//!
//! Every call goes through the one HTTP client, which retries and classifies failures;
//! this file only knows paths, payloads and the fields we read back. Bodies are JSON, which
//! GitLab's API takes for every endpoint here.

use serde::Deserialize;
use serde_json::json;

use crate::config::SecretString;
use crate::notify::github::api::segment;
use crate::notify::http::{Http, HttpError, Method, Request};
use crate::notify::label_name::LabelName;

/// A note on a merge request, as far as we read it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Note {
    pub id: u64,
    #[serde(default)]
    pub body: String,
    /// GitLab's own notes ("added 1 commit", "changed the description"): never ours.
    #[serde(default)]
    pub system: bool,
    /// Who wrote it; `None` when GitLab does not say.
    #[serde(default)]
    pub author: Option<User>,
}

/// An account, as far as telling who wrote a note needs.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct User {
    pub id: u64,
    #[serde(default)]
    pub username: String,
}

/// A merge request, as far as we read it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct MergeRequest {
    pub iid: u64,
    /// `opened`, `closed`, `locked` or `merged`.
    #[serde(default)]
    pub state: String,
    /// The head commit of the source branch; absent in some list answers.
    #[serde(default)]
    pub sha: Option<String>,
    /// Label names (the single-MR answer gives names only, not colours).
    #[serde(default)]
    pub labels: Vec<String>,
}

/// A project label (or a group label the project inherits).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Label {
    pub id: u64,
    /// `#RRGGBB` (or a CSS colour name, which GitLab also accepts).
    #[serde(default)]
    pub color: String,
    /// False for a group label: only the group can change it.
    #[serde(default = "yes", rename = "is_project_label")]
    pub of_project: bool,
}

fn yes() -> bool {
    true
}

/// A project's API, with the credentials to call it.
pub(crate) struct Api<'a> {
    pub http: &'a Http,
    /// REST base, e.g. `https://gitlab.com/api/v4`.
    pub base: String,
    pub token: SecretString,
    /// The project path, `group/sub/project` (encoded as one segment in URLs).
    pub project: String,
}

impl Api<'_> {
    fn url(&self, path: &str) -> String {
        format!("{}/projects/{}{path}", self.base, segment(&self.project))
    }

    fn request(&self, method: Method, path: &str) -> Request {
        Request::new(method, self.url(path)).header("PRIVATE-TOKEN", self.token.expose())
    }

    fn with_body(&self, method: Method, path: &str, body: &serde_json::Value) -> Request {
        let url = self.url(path);
        // Serialising a `serde_json::Value` cannot fail.
        let request =
            Request::json(method, url.clone(), body).unwrap_or_else(|_| Request::new(method, url));
        request.header("PRIVATE-TOKEN", self.token.expose())
    }

    /// The token's own account (`GET /user`: a project or group token answers as its bot
    /// user).
    pub(crate) fn me(&self) -> Result<User, HttpError> {
        let request = Request::new(Method::Get, format!("{}/user", self.base))
            .header("PRIVATE-TOKEN", self.token.expose());
        self.http.send_json(&request)
    }

    /// Every note of a merge request, oldest first (GitLab's default order is newest
    /// first, so it is asked for explicitly).
    pub(crate) fn notes(&self, iid: u64) -> Result<Vec<Note>, HttpError> {
        let url = self.url(&format!(
            "/merge_requests/{iid}/notes?sort=asc&order_by=created_at&per_page=100"
        ));
        self.http
            .get_all_pages(&url, &[("PRIVATE-TOKEN", self.token.expose())])
    }

    pub(crate) fn create_note(&self, iid: u64, body: &str) -> Result<Note, HttpError> {
        let path = format!("/merge_requests/{iid}/notes");
        self.http
            .send_json(&self.with_body(Method::Post, &path, &json!({ "body": body })))
    }

    pub(crate) fn update_note(&self, iid: u64, id: u64, body: &str) -> Result<Note, HttpError> {
        let path = format!("/merge_requests/{iid}/notes/{id}");
        self.http
            .send_json(&self.with_body(Method::Put, &path, &json!({ "body": body })))
    }

    pub(crate) fn delete_note(&self, iid: u64, id: u64) -> Result<(), HttpError> {
        let path = format!("/merge_requests/{iid}/notes/{id}");
        self.http
            .send(&self.request(Method::Delete, &path))
            .map(|_| ())
    }

    /// A comment on the commit; GitLab calls its text `note`, not `body`.
    pub(crate) fn create_commit_comment(&self, sha: &str, note: &str) -> Result<(), HttpError> {
        let path = format!("/repository/commits/{}/comments", segment(sha));
        let request = self.with_body(Method::Post, &path, &json!({ "note": note }));
        self.http.send(&request).map(|_| ())
    }

    /// The merge requests a commit belongs to (also after a squash merge).
    pub(crate) fn merge_requests_for_commit(
        &self,
        sha: &str,
    ) -> Result<Vec<MergeRequest>, HttpError> {
        let path = format!(
            "/repository/commits/{}/merge_requests?per_page=100",
            segment(sha)
        );
        self.http.send_json(&self.request(Method::Get, &path))
    }

    pub(crate) fn merge_request(&self, iid: u64) -> Result<MergeRequest, HttpError> {
        let path = format!("/merge_requests/{iid}");
        self.http.send_json(&self.request(Method::Get, &path))
    }

    /// Adds and removes labels in one call; GitLab leaves the other labels alone. The names
    /// go as JSON arrays, never joined; GitLab still splits each at commas, which a
    /// [`LabelName`] does not hold.
    pub(crate) fn change_labels(
        &self,
        iid: u64,
        add: &[LabelName],
        remove: &[LabelName],
    ) -> Result<(), HttpError> {
        let list = |names: &[LabelName]| -> serde_json::Value {
            names.iter().map(LabelName::as_str).collect()
        };
        let mut body = serde_json::Map::new();
        if !add.is_empty() {
            body.insert("add_labels".to_owned(), list(add));
        }
        if !remove.is_empty() {
            body.insert("remove_labels".to_owned(), list(remove));
        }
        let path = format!("/merge_requests/{iid}");
        let request = self.with_body(Method::Put, &path, &serde_json::Value::Object(body));
        self.http.send(&request).map(|_| ())
    }

    /// The label called `name` that the project can use; `None` when there is none.
    pub(crate) fn label(&self, name: &LabelName) -> Result<Option<Label>, HttpError> {
        let path = format!("/labels/{}", segment(name.as_str()));
        match self.http.send_json(&self.request(Method::Get, &path)) {
            Ok(label) => Ok(Some(label)),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates a project label; `color` is `#RRGGBB`.
    pub(crate) fn create_label(&self, name: &LabelName, color: &str) -> Result<Label, HttpError> {
        let body = json!({ "name": name.as_str(), "color": color });
        self.http
            .send_json(&self.with_body(Method::Post, "/labels", &body))
    }

    pub(crate) fn set_label_color(&self, id: u64, color: &str) -> Result<(), HttpError> {
        let path = format!("/labels/{id}");
        let request = self.with_body(Method::Put, &path, &json!({ "color": color }));
        self.http.send(&request).map(|_| ())
    }
}
