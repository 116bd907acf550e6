//! The GitHub REST and GraphQL calls tfnotify makes, and nothing else.
//!
//! Every call goes through the one HTTP client, which retries and classifies failures;
//! this file only knows paths, payloads and the fields we read back.

use std::fmt::Write as _;

use serde::Deserialize;
use serde_json::json;

use crate::config::SecretString;
use crate::notify::http::{Http, HttpError, Method, Request};
use crate::notify::label_name::LabelName;

/// A comment on an issue or pull request, as far as we read it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Comment {
    pub id: u64,
    #[serde(default)]
    pub node_id: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub html_url: String,
    /// Hidden ("minimized") on the pull request; only GraphQL tells.
    #[serde(default)]
    pub minimized: bool,
    /// Written by the token's account (`viewerDidAuthor`); only the listing tells.
    #[serde(default)]
    pub by_viewer: bool,
    /// The author's login, for a warning; only the listing tells.
    #[serde(default)]
    pub author: Option<String>,
}

/// A pull-request comment as GraphQL lists it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphComment {
    id: String,
    database_id: u64,
    #[serde(default)]
    body: String,
    #[serde(default)]
    is_minimized: bool,
    #[serde(default)]
    url: String,
    /// Whether the token's account wrote it; GraphQL answers for any token, an Actions
    /// token too, which cannot ask `GET /user` who it is.
    #[serde(default)]
    viewer_did_author: bool,
    /// `null` for a deleted account.
    #[serde(default)]
    author: Option<GraphActor>,
}

/// The author of a comment.
#[derive(Debug, Deserialize)]
struct GraphActor {
    login: String,
}

/// Most pages of comments read (100 each).
const MAX_COMMENT_PAGES: usize = 50;

/// A label on a pull request.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Label {
    pub name: String,
    #[serde(default)]
    pub color: String,
}

/// A pull request, as far as we read it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Pull {
    pub number: u64,
    #[serde(default)]
    pub state: String,
    pub head: Head,
}

/// The head commit of a pull request.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Head {
    pub sha: String,
}

/// A repository's API, with the credentials to call it.
pub(crate) struct Api<'a> {
    pub http: &'a Http,
    /// REST base, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`.
    pub base: String,
    pub graphql: String,
    pub token: SecretString,
    pub owner: String,
    pub repo: String,
}

impl Api<'_> {
    /// The URL of `path` under this repository (`/check-runs` → `…/repos/OWNER/REPO/check-runs`).
    pub(crate) fn url(&self, path: &str) -> String {
        format!(
            "{}/repos/{}/{}{path}",
            self.base.trim_end_matches('/'),
            segment(&self.owner),
            segment(&self.repo)
        )
    }

    /// The headers GitHub asks every client to send.
    fn with_headers(&self, request: Request) -> Request {
        request
            .header("Authorization", format!("Bearer {}", self.token.expose()))
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
    }

    /// A GET of `url` with GitHub's headers.
    pub(crate) fn get(&self, url: String) -> Request {
        self.with_headers(Request::new(Method::Get, url))
    }

    /// A request with a JSON body and GitHub's headers.
    pub(crate) fn with_body(
        &self,
        method: Method,
        url: String,
        body: &serde_json::Value,
    ) -> Request {
        // Serialising a `serde_json::Value` cannot fail.
        let request =
            Request::json(method, url.clone(), body).unwrap_or_else(|_| Request::new(method, url));
        self.with_headers(request)
    }

    fn bare(&self, method: Method, url: String) -> Request {
        self.with_headers(Request::new(method, url))
    }

    fn pages<T: for<'de> Deserialize<'de>>(&self, url: &str) -> Result<Vec<T>, HttpError> {
        let auth = format!("Bearer {}", self.token.expose());
        let headers = [
            ("Authorization", auth.as_str()),
            ("Accept", "application/vnd.github+json"),
            ("X-GitHub-Api-Version", "2022-11-28"),
        ];
        self.http.get_all_pages(url, &headers)
    }

    /// Every comment of a pull request, oldest first, with whether it is hidden and whether
    /// the token wrote it: GraphQL is the only API that says either, and a hidden comment
    /// must not be the one updated, nor anyone else's comment touched.
    pub(crate) fn comments(&self, pr: u64) -> Result<Vec<Comment>, HttpError> {
        let query = "query($owner: String!, $repo: String!, $pr: Int!, $after: String) { repository(owner: $owner, name: $repo) { pullRequest(number: $pr) { comments(first: 100, after: $after) { nodes { id databaseId body isMinimized url viewerDidAuthor author { login } } pageInfo { hasNextPage endCursor } } } } }";
        let mut comments = Vec::new();
        let mut after = serde_json::Value::Null;
        for _ in 0..MAX_COMMENT_PAGES {
            let variables =
                json!({ "owner": self.owner, "repo": self.repo, "pr": pr, "after": after });
            let body = json!({ "query": query, "variables": variables });
            let request = self.with_body(Method::Post, self.graphql.clone(), &body);
            let response: serde_json::Value = self.http.send_json(&request)?;
            let page = graphql_data(&self.graphql, &response)?
                .pointer("/repository/pullRequest/comments")
                .cloned()
                .unwrap_or_default();
            let nodes: Vec<GraphComment> =
                serde_json::from_value(page.get("nodes").cloned().unwrap_or_default())
                    .map_err(|e| decode_error(&self.graphql, &e.to_string()))?;
            comments.extend(nodes.into_iter().map(|c| Comment {
                id: c.database_id,
                node_id: c.id,
                body: c.body,
                html_url: c.url,
                minimized: c.is_minimized,
                by_viewer: c.viewer_did_author,
                author: c.author.map(|a| a.login),
            }));
            let info = page.get("pageInfo");
            let more = info
                .and_then(|i| i.get("hasNextPage"))
                .and_then(serde_json::Value::as_bool);
            if more != Some(true) {
                return Ok(comments);
            }
            after = info
                .and_then(|i| i.get("endCursor"))
                .cloned()
                .unwrap_or_default();
        }
        Ok(comments)
    }

    pub(crate) fn create_comment(&self, pr: u64, body: &str) -> Result<Comment, HttpError> {
        let url = self.url(&format!("/issues/{pr}/comments"));
        self.http
            .send_json(&self.with_body(Method::Post, url, &json!({ "body": body })))
    }

    pub(crate) fn update_comment(&self, id: u64, body: &str) -> Result<Comment, HttpError> {
        let url = self.url(&format!("/issues/comments/{id}"));
        self.http
            .send_json(&self.with_body(Method::Patch, url, &json!({ "body": body })))
    }

    pub(crate) fn delete_comment(&self, id: u64) -> Result<(), HttpError> {
        let url = self.url(&format!("/issues/comments/{id}"));
        self.http.send(&self.bare(Method::Delete, url)).map(|_| ())
    }

    pub(crate) fn create_commit_comment(
        &self,
        sha: &str,
        body: &str,
    ) -> Result<Comment, HttpError> {
        let url = self.url(&format!("/commits/{}/comments", segment(sha)));
        self.http
            .send_json(&self.with_body(Method::Post, url, &json!({ "body": body })))
    }

    /// The pull requests a commit belongs to (also after a squash merge).
    pub(crate) fn pulls_for_commit(&self, sha: &str) -> Result<Vec<Pull>, HttpError> {
        let url = self.url(&format!("/commits/{}/pulls?per_page=100", segment(sha)));
        self.http.send_json(&self.get(url))
    }

    pub(crate) fn pull(&self, number: u64) -> Result<Pull, HttpError> {
        self.http
            .send_json(&self.get(self.url(&format!("/pulls/{number}"))))
    }

    pub(crate) fn labels(&self, pr: u64) -> Result<Vec<Label>, HttpError> {
        self.pages(&self.url(&format!("/issues/{pr}/labels?per_page=100")))
    }

    /// Adds labels, creating them in the repository when they do not exist yet.
    pub(crate) fn add_labels(
        &self,
        pr: u64,
        names: &[&LabelName],
    ) -> Result<Vec<Label>, HttpError> {
        let url = self.url(&format!("/issues/{pr}/labels"));
        let names: Vec<&str> = names.iter().map(|n| n.as_str()).collect();
        self.http
            .send_json(&self.with_body(Method::Post, url, &json!({ "labels": names })))
    }

    pub(crate) fn remove_label(&self, pr: u64, name: &LabelName) -> Result<(), HttpError> {
        let url = self.url(&format!("/issues/{pr}/labels/{}", segment(name.as_str())));
        self.http.send(&self.bare(Method::Delete, url)).map(|_| ())
    }

    pub(crate) fn set_label_color(&self, name: &LabelName, color: &str) -> Result<(), HttpError> {
        let url = self.url(&format!("/labels/{}", segment(name.as_str())));
        let request = self.with_body(Method::Patch, url, &json!({ "color": color }));
        self.http.send(&request).map(|_| ())
    }

    /// Hides a comment as outdated, as GitHub's "Hide" menu does.
    pub(crate) fn minimize(&self, node_id: &str) -> Result<(), HttpError> {
        let query = "mutation($id: ID!) { minimizeComment(input: {subjectId: $id, classifier: OUTDATED}) { minimizedComment { isMinimized } } }";
        let body = json!({ "query": query, "variables": { "id": node_id } });
        let request = self.with_body(Method::Post, self.graphql.clone(), &body);
        let response: serde_json::Value = self.http.send_json(&request)?;
        graphql_data(&self.graphql, &response).map(|_| ())
    }
}

/// The `data` of a GraphQL response; GraphQL reports failures inside a 200 response.
fn graphql_data<'a>(
    url: &str,
    response: &'a serde_json::Value,
) -> Result<&'a serde_json::Value, HttpError> {
    if let Some(message) = response
        .pointer("/errors/0/message")
        .and_then(|m| m.as_str())
    {
        return Err(decode_error(url, &format!("GraphQL error: {message}")));
    }
    response
        .get("data")
        .ok_or_else(|| decode_error(url, "GraphQL response without data"))
}

fn decode_error(url: &str, message: &str) -> HttpError {
    HttpError::Decode {
        method: Method::Post,
        url: url.to_owned(),
        message: message.to_owned(),
    }
}

/// A path segment, percent-encoded (label names hold `/` and spaces; GitLab's project
/// paths hold `/` too).
pub(crate) fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte));
            }
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::segment;

    #[test]
    fn label_names_are_encoded_as_one_segment() {
        assert_eq!(segment("prod/destroy"), "prod%2Fdestroy");
        assert_eq!(segment("needs review"), "needs%20review");
        assert_eq!(segment("ok-1.2_x~"), "ok-1.2_x~");
    }
}
