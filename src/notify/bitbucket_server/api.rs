//! The Bitbucket Server and Data Center REST calls (API 1.0) tfnotify makes, and nothing
//! else.
//!
//! Paths are under `{base}/projects/{key}/repos/{slug}`. Lists come in pages of
//! `{"values": […], "isLastPage", "nextPageStart"}`, asked for with `start` and `limit`.
//! Comments carry a `version` that every edit and delete must name.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::notify::http::{Http, HttpError, Method, Request, percent_encode as segment};

/// The largest page Bitbucket Server gives by default.
const LIMIT: usize = 100;

/// The most pages of activity read; a pull request with more has 100,000 events.
const MAX_PAGES: usize = 1_000;

/// A pull-request comment, as far as we read it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Comment {
    pub id: u64,
    /// The Markdown as written.
    #[serde(default)]
    pub text: String,
    /// Bumped by every edit; an edit or delete naming an older one gets 409.
    #[serde(default)]
    pub version: u64,
    /// The replies: a comment that has any cannot be deleted.
    #[serde(default)]
    pub comments: Vec<serde::de::IgnoredAny>,
    /// Who wrote it; `None` when Server does not say.
    #[serde(default)]
    pub author: Option<User>,
}

/// An account, as far as telling who wrote a comment needs.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct User {
    /// The username, which no other account holds.
    pub name: String,
}

/// One event of a pull request's activity feed.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Activity {
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment_action: Option<String>,
    #[serde(default)]
    comment: Option<Comment>,
}

/// A pull request, as far as we read it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Pull {
    pub id: u64,
    /// `OPEN`, `MERGED` or `DECLINED`.
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub from_ref: Option<Ref>,
}

/// The source branch of a pull request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Ref {
    /// The full hash of the branch's head.
    #[serde(default)]
    pub latest_commit: Option<String>,
}

/// One page of a list.
#[derive(Deserialize)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    values: Vec<T>,
    /// `isLastPage`.
    #[serde(default = "last", rename = "isLastPage")]
    last: bool,
    /// `nextPageStart`: the `start` of the next page.
    #[serde(default, rename = "nextPageStart")]
    next_start: Option<u64>,
}

/// The comments the feed says were added (not replies, edits or other events), oldest
/// first; the feed runs newest first.
fn added_comments(activities: Vec<Activity>) -> Vec<Comment> {
    let mut comments: Vec<Comment> = activities
        .into_iter()
        .filter(|a| a.action == "COMMENTED" && a.comment_action.as_deref() == Some("ADDED"))
        .filter_map(|a| a.comment)
        .collect();
    comments.reverse();
    comments
}

/// A page that does not say otherwise is the last one.
fn last() -> bool {
    true
}

/// A repository's API, with the token to call it.
pub(crate) struct Api<'a> {
    pub http: &'a Http,
    /// The server's URL, `https://host`, no trailing slash.
    pub server: String,
    /// `https://host/rest/api/1.0`, no trailing slash.
    pub base: String,
    /// The `Authorization` header's value.
    pub authorization: String,
    pub project: String,
    pub repo: String,
}

impl Api<'_> {
    fn url(&self, path: &str) -> String {
        format!(
            "{}/projects/{}/repos/{}{path}",
            self.base,
            segment(&self.project),
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
            .header("Authorization", self.authorization.as_str())
            .header("Accept", "application/json")
    }

    /// Every page of the list at `path` (which has no query yet).
    fn all_pages<T: DeserializeOwned>(&self, path: &str) -> Result<Vec<T>, HttpError> {
        let mut items = Vec::new();
        let mut start = 0;
        for _ in 0..MAX_PAGES {
            let url = self.url(&format!("{path}?start={start}&limit={LIMIT}"));
            let page: Page<T> = self.http.send_json(&self.request(Method::Get, url, None))?;
            items.extend(page.values);
            match page.next_start {
                Some(next) if !page.last && next > start => start = next,
                _ => return Ok(items),
            }
        }
        Err(HttpError::Pagination {
            url: self.http.redact(&self.url(path)).into_owned(),
            message: format!("more than {MAX_PAGES} pages"),
        })
    }

    /// The username of the token's account. The REST API has no such resource; the
    /// application-links servlet answers it, as plain text, for whoever is authenticated
    /// (empty for nobody).
    pub(crate) fn whoami(&self) -> Result<String, HttpError> {
        let url = format!("{}/plugins/servlet/applinks/whoami", self.server);
        let request =
            Request::new(Method::Get, url).header("Authorization", self.authorization.as_str());
        let response = self.http.send(&request)?;
        Ok(String::from_utf8_lossy(&response.body).trim().to_owned())
    }

    /// The top-level comments of pull request `pr`, oldest first. The activity feed is the
    /// one list of them the API has; it runs newest first.
    pub(crate) fn comments(&self, pr: u64) -> Result<Vec<Comment>, HttpError> {
        let activities: Vec<Activity> =
            self.all_pages(&format!("/pull-requests/{pr}/activities"))?;
        Ok(added_comments(activities))
    }

    pub(crate) fn comment(&self, pr: u64, id: u64) -> Result<Comment, HttpError> {
        let url = self.url(&format!("/pull-requests/{pr}/comments/{id}"));
        self.http.send_json(&self.request(Method::Get, url, None))
    }

    pub(crate) fn create_comment(&self, pr: u64, text: &str) -> Result<Comment, HttpError> {
        let url = self.url(&format!("/pull-requests/{pr}/comments"));
        let body = json!({ "text": text });
        self.http
            .send_json(&self.request(Method::Post, url, Some(&body)))
    }

    pub(crate) fn update_comment(
        &self,
        pr: u64,
        id: u64,
        version: u64,
        text: &str,
    ) -> Result<Comment, HttpError> {
        let url = self.url(&format!("/pull-requests/{pr}/comments/{id}"));
        let body = json!({ "text": text, "version": version });
        self.http
            .send_json(&self.request(Method::Put, url, Some(&body)))
    }

    pub(crate) fn delete_comment(&self, pr: u64, id: u64, version: u64) -> Result<(), HttpError> {
        let url = self.url(&format!(
            "/pull-requests/{pr}/comments/{id}?version={version}"
        ));
        self.http
            .send(&self.request(Method::Delete, url, None))
            .map(|_| ())
    }

    pub(crate) fn pull(&self, pr: u64) -> Result<Pull, HttpError> {
        let url = self.url(&format!("/pull-requests/{pr}"));
        self.http.send_json(&self.request(Method::Get, url, None))
    }

    /// The pull requests that contain `sha` (one page: a commit is in a handful).
    pub(crate) fn pulls_for_commit(&self, sha: &str) -> Result<Vec<Pull>, HttpError> {
        let url = self.url(&format!(
            "/commits/{}/pull-requests?start=0&limit=50",
            segment(sha)
        ));
        let page: Page<Pull> = self.http.send_json(&self.request(Method::Get, url, None))?;
        Ok(page.values)
    }
}

#[cfg(test)]
mod tests {
    use super::{Activity, Page, added_comments};

    #[test]
    fn only_added_comments_count_oldest_first() {
        let page = r#"{"size": 5, "limit": 25, "isLastPage": true, "start": 0, "values": [
            {"id": 9, "action": "COMMENTED", "commentAction": "REPLIED", "comment": {"id": 30, "version": 0, "text": "reply"}},
            {"id": 8, "action": "APPROVED", "user": {"name": "alice"}},
            {"id": 7, "action": "COMMENTED", "commentAction": "ADDED", "comment": {"id": 20, "version": 3, "text": "newer", "comments": [{"id": 30}]}},
            {"id": 6, "action": "RESCOPED", "fromHash": "abc"},
            {"id": 5, "action": "COMMENTED", "commentAction": "ADDED", "comment": {"id": 10, "version": 0, "text": "older"}}
        ]}"#;
        let page: Page<Activity> = serde_json::from_str(page).expect("a page");
        assert!(page.last && page.next_start.is_none());
        let comments = added_comments(page.values);
        let seen: Vec<(u64, u64, &str, usize)> = comments
            .iter()
            .map(|c| (c.id, c.version, c.text.as_str(), c.comments.len()))
            .collect();
        assert_eq!(seen, [(10, 0, "older", 0), (20, 3, "newer", 1)]);
    }
}
