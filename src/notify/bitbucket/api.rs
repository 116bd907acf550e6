//! The Bitbucket Cloud REST calls (API 2.0) tfnotify makes, and nothing else.
//!
//! Paths are under `{base}/repositories/{workspace}/{repo_slug}`. Lists come in pages of
//! `{"values": […], "next": "…"}`, followed through [`Http::get_all_values`].

use serde::Deserialize;
use serde_json::json;

use crate::notify::http::{Http, HttpError, Method, Request, percent_encode as segment};

/// Bitbucket's largest page of comments.
const PAGELEN: usize = 100;

/// A pull-request comment, as far as we read it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Comment {
    pub id: u64,
    #[serde(default)]
    pub content: Content,
    /// Deleted comments stay in listings, emptied and marked.
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub links: Links,
    /// Who wrote it; `None` when Bitbucket does not say.
    #[serde(default)]
    pub user: Option<Account>,
}

/// An account (a person, or the bot an access token posts as), as far as telling who
/// wrote a comment needs.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Account {
    /// `{…}`: Bitbucket's id for the account, which never changes hands.
    pub uuid: String,
    #[serde(default)]
    pub nickname: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
}

/// A comment's text.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Content {
    /// The Markdown as written.
    #[serde(default)]
    pub raw: String,
}

/// The links of a comment.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Links {
    pub html: Option<Href>,
}

/// One link.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Href {
    pub href: String,
}

/// A pull request, as far as we read it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Pull {
    pub id: u64,
    /// `OPEN`, `MERGED`, `DECLINED` or `SUPERSEDED`.
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub source: Option<Source>,
}

/// The source side of a pull request.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Source {
    pub commit: Option<CommitRef>,
}

/// A commit as Bitbucket names it: a 12-digit abbreviated hash.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CommitRef {
    pub hash: String,
}

/// What Bitbucket knows of the pull requests of a commit.
#[derive(Debug)]
pub(crate) enum CommitPulls {
    Found(Vec<Pull>),
    /// 202: the repository's pull requests are still being indexed.
    Indexing,
    /// 404: never indexed (the pull request links app is not installed), or no such
    /// repository; Bitbucket's message says which.
    Unknown(String),
}

/// A repository's API, with the credentials to call it.
pub(crate) struct Api<'a> {
    pub http: &'a Http,
    /// `https://api.bitbucket.org/2.0`, no trailing slash.
    pub base: String,
    /// The `Authorization` header's value.
    pub authorization: String,
    pub workspace: String,
    pub repo: String,
}

impl Api<'_> {
    fn url(&self, path: &str) -> String {
        format!(
            "{}/repositories/{}/{}{path}",
            self.base,
            segment(&self.workspace),
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

    /// The account of the credentials (`GET /user`: an API token with the
    /// `read:user:bitbucket` scope, or an app password with `account`; Bitbucket answers an
    /// access token 403).
    pub(crate) fn me(&self) -> Result<Account, HttpError> {
        let url = format!("{}/user", self.base);
        self.http.send_json(&self.request(Method::Get, url, None))
    }

    /// Every comment of pull request `pr`, oldest first, deleted ones included.
    pub(crate) fn comments(&self, pr: u64) -> Result<Vec<Comment>, HttpError> {
        let url = self.url(&format!("/pullrequests/{pr}/comments?pagelen={PAGELEN}"));
        let headers = [
            ("Authorization", self.authorization.as_str()),
            ("Accept", "application/json"),
        ];
        self.http.get_all_values(&url, &headers)
    }

    pub(crate) fn create_comment(&self, pr: u64, raw: &str) -> Result<Comment, HttpError> {
        let url = self.url(&format!("/pullrequests/{pr}/comments"));
        let body = json!({ "content": { "raw": raw } });
        self.http
            .send_json(&self.request(Method::Post, url, Some(&body)))
    }

    pub(crate) fn update_comment(&self, pr: u64, id: u64, raw: &str) -> Result<Comment, HttpError> {
        let url = self.url(&format!("/pullrequests/{pr}/comments/{id}"));
        let body = json!({ "content": { "raw": raw } });
        self.http
            .send_json(&self.request(Method::Put, url, Some(&body)))
    }

    pub(crate) fn delete_comment(&self, pr: u64, id: u64) -> Result<(), HttpError> {
        let url = self.url(&format!("/pullrequests/{pr}/comments/{id}"));
        self.http
            .send(&self.request(Method::Delete, url, None))
            .map(|_| ())
    }

    pub(crate) fn pull(&self, pr: u64) -> Result<Pull, HttpError> {
        let url = self.url(&format!("/pullrequests/{pr}"));
        self.http.send_json(&self.request(Method::Get, url, None))
    }

    /// The pull requests that contain `sha` (one page: a commit is in a handful).
    pub(crate) fn pulls_for_commit(&self, sha: &str) -> Result<CommitPulls, HttpError> {
        /// One page of pull requests.
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            values: Vec<Pull>,
        }
        let url = self.url(&format!("/commit/{}/pullrequests?pagelen=50", segment(sha)));
        let request = self.request(Method::Get, url, None);
        match self.http.send(&request) {
            Ok(response) if response.status == 202 => Ok(CommitPulls::Indexing),
            Ok(response) => {
                let page: Page =
                    serde_json::from_slice(&response.body).map_err(|e| HttpError::Decode {
                        method: Method::Get,
                        url: self.http.redact(&request.url).into_owned(),
                        message: e.to_string(),
                    })?;
                Ok(CommitPulls::Found(page.values))
            }
            Err(e) if e.status() == Some(404) => Ok(CommitPulls::Unknown(e.to_string())),
            Err(e) => Err(e),
        }
    }
}
