//! The Gitea (and Forgejo) REST calls tfnotify makes, and nothing else.
//!
//! Paths are under `{base}/repos/{owner}/{repo}`, `base` being `https://HOST/api/v1`.
//! Lists that Gitea pages (labels, pull requests) are read with `page` and `limit` until a
//! short page, not by following `Link`: Gitea writes those links with its configured
//! `ROOT_URL`, which is often another host than the address a CI job reaches it by. The
//! comments of an issue are not paged by Gitea; one request returns them all.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::config::SecretString;
use crate::notify::http::{Http, HttpError, Method, Request, percent_encode as segment};
use crate::notify::label_name::LabelName;

/// Gitea's largest page (`MAX_RESPONSE_ITEMS`, 50 by default).
const PAGE: usize = 50;
/// Most pages read of one list.
const MAX_PAGES: usize = 100;

/// A comment on an issue or pull request.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Comment {
    pub id: u64,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub html_url: String,
    /// Who wrote it; `None` when Gitea does not say.
    #[serde(default)]
    pub user: Option<User>,
}

/// An account, as far as telling who wrote a comment needs.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct User {
    /// Gitea's id for the account; negative for its own accounts (the Actions user is -2).
    pub id: i64,
    #[serde(default)]
    pub login: String,
}

/// A label of the repository (or on a pull request).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Label {
    pub id: u64,
    pub name: String,
    /// Six hex digits; Gitea answers without `#`, older versions with it.
    #[serde(default)]
    pub color: String,
}

/// A pull request, as far as we read it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Pull {
    pub number: u64,
    pub head: Head,
}

/// The head of a pull request.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Head {
    #[serde(default)]
    pub sha: String,
}

/// A repository's API, with the credentials to call it.
pub(crate) struct Api<'a> {
    pub http: &'a Http,
    /// `https://HOST/api/v1`, no trailing slash.
    pub base: String,
    pub token: SecretString,
    pub owner: String,
    pub repo: String,
}

impl Api<'_> {
    fn url(&self, path: &str) -> String {
        format!(
            "{}/repos/{}/{}{path}",
            self.base,
            segment(&self.owner),
            segment(&self.repo)
        )
    }

    fn request(&self, method: Method, url: String, body: Option<&serde_json::Value>) -> Request {
        let request = match body {
            // Serialising a `serde_json::Value` cannot fail.
            Some(body) => Request::json(method, url.clone(), body)
                .unwrap_or_else(|_| Request::new(method, url)),
            None => Request::new(method, url),
        };
        request
            .header("Authorization", format!("token {}", self.token.expose()))
            .header("Accept", "application/json")
    }

    fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, HttpError> {
        self.http
            .send_json(&self.request(Method::Get, self.url(path), None))
    }

    /// Every item of a paged list: `page=1,2,…` until a page is not full.
    fn all<T: DeserializeOwned>(&self, path: &str) -> Result<Vec<T>, HttpError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        for page in 1..=MAX_PAGES {
            let batch: Vec<T> = self.get(&format!("{path}{sep}page={page}&limit={PAGE}"))?;
            let full = batch.len() >= PAGE;
            items.extend(batch);
            if !full {
                break;
            }
        }
        Ok(items)
    }

    /// The token's own account (`GET /user`, which needs the `read:user` scope; an Actions
    /// job token reads it too).
    pub(crate) fn me(&self) -> Result<User, HttpError> {
        let url = format!("{}/user", self.base);
        self.http.send_json(&self.request(Method::Get, url, None))
    }

    /// Every comment of the pull request `pr`, oldest first.
    pub(crate) fn comments(&self, pr: u64) -> Result<Vec<Comment>, HttpError> {
        self.get(&format!("/issues/{pr}/comments"))
    }

    pub(crate) fn create_comment(&self, pr: u64, body: &str) -> Result<Comment, HttpError> {
        let url = self.url(&format!("/issues/{pr}/comments"));
        let body = json!({ "body": body });
        self.http
            .send_json(&self.request(Method::Post, url, Some(&body)))
    }

    pub(crate) fn update_comment(&self, id: u64, body: &str) -> Result<Comment, HttpError> {
        let url = self.url(&format!("/issues/comments/{id}"));
        let body = json!({ "body": body });
        self.http
            .send_json(&self.request(Method::Patch, url, Some(&body)))
    }

    pub(crate) fn delete_comment(&self, id: u64) -> Result<(), HttpError> {
        let url = self.url(&format!("/issues/comments/{id}"));
        self.http
            .send(&self.request(Method::Delete, url, None))
            .map(|_| ())
    }

    pub(crate) fn pull(&self, number: u64) -> Result<Pull, HttpError> {
        self.get(&format!("/pulls/{number}"))
    }

    /// The pull request whose merge brought in `sha` (Gitea 1.22+); `None` on 404, which
    /// is what a direct push, an unmerged commit and an older Gitea all answer.
    pub(crate) fn merged_pull(&self, sha: &str) -> Result<Option<Pull>, HttpError> {
        match self.get(&format!("/commits/{}/pull", segment(sha))) {
            Ok(pull) => Ok(Some(pull)),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub(crate) fn open_pulls(&self) -> Result<Vec<Pull>, HttpError> {
        self.all("/pulls?state=open")
    }

    pub(crate) fn issue_labels(&self, pr: u64) -> Result<Vec<Label>, HttpError> {
        self.get(&format!("/issues/{pr}/labels"))
    }

    pub(crate) fn repo_labels(&self) -> Result<Vec<Label>, HttpError> {
        self.all("/labels")
    }

    /// Creates a repository label; `color` is six hex digits.
    pub(crate) fn create_label(&self, name: &LabelName, color: &str) -> Result<Label, HttpError> {
        let body = json!({ "name": name.as_str(), "color": format!("#{color}") });
        self.http
            .send_json(&self.request(Method::Post, self.url("/labels"), Some(&body)))
    }

    pub(crate) fn set_label_color(&self, id: u64, color: &str) -> Result<(), HttpError> {
        let url = self.url(&format!("/labels/{id}"));
        let body = json!({ "color": format!("#{color}") });
        self.http
            .send(&self.request(Method::Patch, url, Some(&body)))
            .map(|_| ())
    }

    /// Adds labels by id (Gitea's API does not take names everywhere).
    pub(crate) fn add_labels(&self, pr: u64, ids: &[u64]) -> Result<(), HttpError> {
        let url = self.url(&format!("/issues/{pr}/labels"));
        let body = json!({ "labels": ids });
        self.http
            .send(&self.request(Method::Post, url, Some(&body)))
            .map(|_| ())
    }

    pub(crate) fn remove_label(&self, pr: u64, id: u64) -> Result<(), HttpError> {
        let url = self.url(&format!("/issues/{pr}/labels/{id}"));
        self.http
            .send(&self.request(Method::Delete, url, None))
            .map(|_| ())
    }
}
