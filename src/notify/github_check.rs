//! GitHub check runs: the result of a plan or apply as a status check on the commit.
//!
//! One check run per target and command on the head commit, named `tfnotify / TARGET plan`,
//! so branch protection can require it. Its title is the plan line, built from the report's
//! counts (never from a line of the output, which may imitate one); its summary is the
//! Markdown message; its conclusion says what the run amounted to, per outcome and
//! configurable. A run on a commit that already has our check run of that name updates it
//! instead of adding another: our runs carry [`EXTERNAL_ID`], so a check of another app
//! that happens to share the name is never touched.
//!
//! GitHub lets only GitHub Apps write check runs: the `GITHUB_TOKEN` of an Actions job
//! (with `permissions: checks: write`) works, a personal access token gets 403.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::ci::CiEnv;
use crate::model::{Command, Outcome, Report};
use crate::notify::github::api::{Api, segment};
use crate::notify::github::{Endpoint, GitHubError};
use crate::notify::http::{Http, HttpError, Method};
use crate::notify::{Delivery, Notifier, NotifyError, Request, Sent, non_empty};
use crate::render::{Flavor, cut};

/// What a `notifiers:` entry of type `github-check` may set, and the variables each replaces.
#[rustfmt::skip]
pub const SETTINGS: &[crate::notify::Setting] = &[
    crate::notify::Setting { key: "token", env: &["TFNOTIFY_GITHUB_TOKEN", "TFCMT_GITHUB_TOKEN", "GITHUB_TOKEN"], one_of: &[], doc: "A GitHub App token (in Actions: `GITHUB_TOKEN`) with `checks: write`." },
    crate::notify::Setting { key: "base_url", env: &["GITHUB_API_URL"], one_of: &[], doc: "REST API URL (GitHub Enterprise: `https://HOST/api/v3`)." },
    crate::notify::Setting { key: "conclusion_clean", env: &["TFNOTIFY_CHECK_CONCLUSION_CLEAN"], one_of: CONCLUSIONS, doc: "Conclusion of a plan or apply that destroys nothing (default `success`)." },
    crate::notify::Setting { key: "conclusion_destroy", env: &["TFNOTIFY_CHECK_CONCLUSION_DESTROY"], one_of: CONCLUSIONS, doc: "Conclusion of a plan or apply that destroys (default `neutral`)." },
    crate::notify::Setting { key: "conclusion_failure", env: &["TFNOTIFY_CHECK_CONCLUSION_FAILURE"], one_of: CONCLUSIONS, doc: "Conclusion of errors and failed applies (default `failure`)." },
    crate::notify::Setting { key: "conclusion_protected_destroy", env: &["TFNOTIFY_CHECK_CONCLUSION_PROTECTED_DESTROY"], one_of: CONCLUSIONS, doc: "Conclusion of a plan that destroys a protected resource under `guard.fail` (default `failure`)." },
];

/// GitHub's limit on a check run's summary: 65,535, which it counts in bytes (a longer
/// summary gets 422 "summary exceeds a maximum bytesize of 65535").
pub const SUMMARY_LIMIT: usize = 65_535;

/// Marks the check runs tfnotify wrote, so a re-run updates only its own.
pub const EXTERNAL_ID: &str = "tfnotify";

/// The conclusions GitHub takes that mean something for a Terraform run.
const CONCLUSIONS: &[&str] = &[
    "success",
    "neutral",
    "failure",
    "skipped",
    "action_required",
];

/// The check-run notifier, resolved from config, environment and CI.
pub struct GitHubCheck {
    endpoint: Endpoint,
    owner: String,
    repo: String,
    sha: Option<String>,
    /// The pull request, whose head is the commit when the event names no commit of it.
    pr: Option<u64>,
    /// Whether the CI's commit is not the pull request's head (an `issue_comment` job runs
    /// on the default branch).
    sha_is_elsewhere: bool,
    name: String,
    details_url: Option<String>,
    conclusions: Conclusions,
    /// Whether a protected destroy fails the run (`guard.fail` or `--fail-on-protected`).
    guard_fails: bool,
}

/// The conclusion for each kind of result.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Conclusions {
    clean: String,
    destroy: String,
    failure: String,
    protected_destroy: String,
}

/// A check run, as far as tfnotify reads it.
#[derive(Debug, Deserialize)]
struct CheckRun {
    id: u64,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    external_id: Option<String>,
}

/// `GET …/commits/{ref}/check-runs`.
#[derive(Debug, Deserialize)]
struct CheckRuns {
    check_runs: Vec<CheckRun>,
}

impl GitHubCheck {
    /// The notifier for this run: a token, a repository and valid conclusions.
    pub(crate) fn build(request: &Request<'_>) -> Result<GitHubCheck, NotifyError> {
        let endpoint = Endpoint::resolve(request).map_err(NotifyError::from)?;
        let ci = request.ci;
        let (Some(owner), Some(repo)) = (non_empty(ci.owner.clone()), non_empty(ci.repo.clone()))
        else {
            return Err(GitHubError::NoRepository.into());
        };
        let target = request.vars.get("target").map(|t| t.trim().to_owned());
        Ok(GitHubCheck {
            endpoint,
            owner,
            repo,
            sha: non_empty(ci.sha.clone()),
            pr: ci.pr_number,
            sha_is_elsewhere: ci.event.as_deref() == Some("issue_comment"),
            name: check_name(target.as_deref(), request.command),
            details_url: details_url(ci),
            conclusions: Conclusions::from_env(request.env)?,
            guard_fails: request.config.guard.fail,
        })
    }

    /// The commit to put the check on: the pull request's head when the CI's commit is
    /// not on it, else the CI's (or `--sha`).
    fn head_sha(&self, api: &Api<'_>) -> Result<String, NotifyError> {
        if let (Some(pr), true) = (self.pr, self.sha_is_elsewhere || self.sha.is_none()) {
            let pull = api.pull(pr).map_err(|e| self.http_error(&e))?;
            return Ok(pull.head.sha);
        }
        self.sha.clone().ok_or_else(|| {
            error(
                "no commit to put the check run on".to_owned(),
                Some("run in CI, or give `--sha` (or `--pr`)"),
            )
        })
    }

    /// Our check run of this name on `sha`, if an earlier run wrote one.
    fn existing(&self, api: &Api<'_>, sha: &str) -> Result<Option<CheckRun>, NotifyError> {
        let url = format!(
            "{}?check_name={}&filter=latest&per_page=100",
            api.url(&format!("/commits/{}/check-runs", segment(sha))),
            crate::notify::http::percent_encode(&self.name),
        );
        let listed: CheckRuns = api
            .http
            .send_json(&api.get(url))
            .map_err(|e| self.http_error(&e))?;
        Ok(listed
            .check_runs
            .into_iter()
            .find(|run| run.external_id.as_deref() == Some(EXTERNAL_ID)))
    }

    fn conclusion(&self, report: &Report) -> &str {
        let c = &self.conclusions;
        if !report.outcome.is_success() {
            &c.failure
        } else if self.guard_fails
            && report.command == Command::Plan
            && !report.protected.is_empty()
        {
            &c.protected_destroy
        } else if report.has_destroy {
            &c.destroy
        } else {
            &c.clean
        }
    }

    fn http_error(&self, source: &HttpError) -> NotifyError {
        let hint = match source.status() {
            Some(401) => Some("the token is invalid or expired".to_owned()),
            Some(403) => Some(format!(
                "the token needs `checks: write` (permissions: checks: write in the workflow); {APPS_ONLY}"
            )),
            Some(404) => Some(format!(
                "check that `{}/{}` and the commit exist and that the token can see them; {APPS_ONLY}",
                self.owner, self.repo
            )),
            _ => source.hint().map(str::to_owned),
        };
        NotifyError {
            kind: "GitHub",
            message: source.to_string(),
            hint,
        }
    }
}

/// Why a personal access token fails, for the 403 and 404 hints.
const APPS_ONLY: &str = "GitHub lets only GitHub Apps (an Actions job's `GITHUB_TOKEN` included) write check runs, not personal access tokens";

impl Conclusions {
    /// The defaults, each replaced by its setting when one is given.
    fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Conclusions, NotifyError> {
        let read = |key: &str, default: &str| -> Result<String, NotifyError> {
            let setting = SETTINGS.iter().find(|s| s.key == key);
            let var = setting.map_or("", |s| s.env[0]);
            let Some(value) = non_empty(env(var)) else {
                return Ok(default.to_owned());
            };
            let word = value.to_ascii_lowercase();
            if setting.is_some_and(|s| s.one_of.contains(&word.as_str())) {
                return Ok(word);
            }
            Err(error(
                format!("`{key}` (`{var}`) is `{value}`, which is no check-run conclusion"),
                Some(&format!("use one of {}", CONCLUSIONS.join(", "))),
            ))
        };
        Ok(Conclusions {
            clean: read("conclusion_clean", "success")?,
            destroy: read("conclusion_destroy", "neutral")?,
            failure: read("conclusion_failure", "failure")?,
            protected_destroy: read("conclusion_protected_destroy", "failure")?,
        })
    }
}

/// `tfnotify / TARGET plan`, or `tfnotify / plan` without a target.
fn check_name(target: Option<&str>, command: Command) -> String {
    match target.filter(|t| !t.is_empty()) {
        Some(target) => format!("tfnotify / {target} {}", command.as_str()),
        None => format!("tfnotify / {}", command.as_str()),
    }
}

/// The CI job's page, which GitHub links as the check's details; only an http(s) URL.
fn details_url(ci: &CiEnv) -> Option<String> {
    ci.build_url
        .clone()
        .filter(|url| crate::notify::is_http_url(url))
}

/// The check's title: what the report's structure says, in Terraform's words.
fn title(report: &Report) -> String {
    let command = report.command.as_str();
    let mut title = match report.outcome {
        Outcome::NoChanges => "No changes".to_owned(),
        Outcome::Changes => format!("Plan: {}", report.counts.plan_phrase()),
        Outcome::Applied if report.command == Command::Destroy => {
            format!("Destroy complete: {} destroyed", report.counts.destroy)
        }
        Outcome::Applied => {
            let c = &report.counts;
            format!(
                "Apply complete: {} added, {} changed, {} destroyed",
                c.add, c.change, c.destroy
            )
        }
        Outcome::Error | Outcome::ApplyFailed => match report.errors.len() {
            0 => format!("{} failed", capitalised(command)),
            1 => format!("{} failed: 1 error", capitalised(command)),
            n => format!("{} failed: {n} errors", capitalised(command)),
        },
        Outcome::Unparsed => format!("{} ended without a result", capitalised(command)),
        other => format!(
            "{}: {}",
            capitalised(command),
            other.as_str().replace('_', " ")
        ),
    };
    if !report.protected.is_empty() {
        title.push_str(" (destroys protected resources)");
    }
    title
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// `text` within [`SUMMARY_LIMIT`] bytes: the message was fitted to as many characters,
/// which is too long only where it is not ASCII; it is then cut again, with the cut note.
fn within_bytes(text: String) -> String {
    if text.len() <= SUMMARY_LIMIT {
        return text;
    }
    let (mut limit, mut over) = (SUMMARY_LIMIT, text.len() - SUMMARY_LIMIT);
    loop {
        limit = limit.saturating_sub(over.max(64));
        let fitted = cut(&text, limit);
        if fitted.len() <= SUMMARY_LIMIT || limit == 0 {
            return fitted;
        }
        over = fitted.len() - SUMMARY_LIMIT;
    }
}

fn error(message: String, hint: Option<&str>) -> NotifyError {
    NotifyError::new("GitHub", message, hint)
}

/// The check-run notifier when the run asks for it: `--notifier github-check`, or an
/// entry of that type. A token in the environment alone never adds checks to a commit.
pub(crate) fn from_request(
    request: &Request<'_>,
) -> Option<Result<Box<dyn Notifier>, NotifyError>> {
    request
        .wants("github-check", || false)
        .then(|| GitHubCheck::build(request).map(|check| Box::new(check) as Box<dyn Notifier>))
}

impl Notifier for GitHubCheck {
    fn kind(&self) -> &'static str {
        "GitHub"
    }

    fn noun(&self) -> &'static str {
        "check run"
    }

    fn flavor(&self) -> Flavor {
        Flavor::Markdown
    }

    fn limit(&self) -> usize {
        SUMMARY_LIMIT
    }

    fn secrets(&self) -> Vec<String> {
        vec![self.endpoint.token.expose().to_owned()]
    }

    fn send(&self, http: &Http, delivery: &Delivery<'_>) -> Result<Sent, NotifyError> {
        let report = delivery.report;
        let summary = (delivery.render)(&[]).map_err(|message| error(message, None))?;
        let summary = within_bytes(summary);
        let api = self.endpoint.api(http, &self.owner, &self.repo);
        let sha = self.head_sha(&api)?;
        let mut body = json!({
            "name": self.name,
            "status": "completed",
            "conclusion": self.conclusion(report),
            "external_id": EXTERNAL_ID,
            "output": {"title": title(report), "summary": summary},
        });
        if let Some(url) = &self.details_url {
            body["details_url"] = Value::from(url.clone());
        }
        let (request, action) = if let Some(run) = self.existing(&api, &sha)? {
            let url = api.url(&format!("/check-runs/{}", run.id));
            (api.with_body(Method::Patch, url, &body), "updated")
        } else {
            body["head_sha"] = Value::from(sha);
            let url = api.url("/check-runs");
            (api.with_body(Method::Post, url, &body), "created")
        };
        let written: CheckRun = http.send_json(&request).map_err(|e| self.http_error(&e))?;
        Ok(Sent {
            action: format!("{action} ({})", self.conclusion(report)),
            url: written.html_url.filter(|u| !u.is_empty()),
            warnings: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Conclusions, SUMMARY_LIMIT, check_name, title, within_bytes};
    use crate::model::Command;

    fn report(fixture: &str, command: Command) -> crate::model::Report {
        let path = format!(
            "{}/tests/fixtures/terraform/1.11/{fixture}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read(&path).expect("fixture");
        crate::parse::parse(&text, command).expect("parses")
    }

    #[test]
    fn the_name_says_target_and_command() {
        assert_eq!(
            check_name(Some("prod"), Command::Plan),
            "tfnotify / prod plan"
        );
        assert_eq!(check_name(None, Command::Apply), "tfnotify / apply");
        assert_eq!(check_name(Some(""), Command::Plan), "tfnotify / plan");
    }

    #[test]
    fn the_title_comes_from_the_counts() {
        #[track_caller]
        fn case(fixture: &str, command: Command, expected: &str) {
            assert_eq!(title(&report(fixture, command)), expected, "{fixture}");
        }
        case(
            "plan_mixed.txt",
            Command::Plan,
            "Plan: 1 to import, 12 to add, 5 to change, 7 to destroy, 1 to forget",
        );
        case("plan_no_changes.txt", Command::Plan, "No changes");
        case(
            "plan_syntax_error.txt",
            Command::Plan,
            "Plan failed: 1 error",
        );
        case(
            "apply_create_only.txt",
            Command::Apply,
            "Apply complete: 13 added, 0 changed, 0 destroyed",
        );
        case(
            "destroy_basic.txt",
            Command::Destroy,
            "Destroy complete: 6 destroyed",
        );
    }

    #[test]
    fn conclusions_default_and_refuse_unknown_words() {
        let none = |_: &str| None;
        let defaults = Conclusions::from_env(&none).expect("defaults");
        assert_eq!(
            (defaults.clean.as_str(), defaults.destroy.as_str()),
            ("success", "neutral")
        );
        let typo =
            |var: &str| (var == "TFNOTIFY_CHECK_CONCLUSION_DESTROY").then(|| "sucess".to_owned());
        let refused = Conclusions::from_env(&typo).expect_err("a typo");
        assert_eq!(
            refused.to_string(),
            "GitHub: `conclusion_destroy` (`TFNOTIFY_CHECK_CONCLUSION_DESTROY`) is `sucess`, which is no check-run conclusion"
        );
    }

    #[test]
    fn a_summary_of_wide_characters_is_cut_to_the_byte_limit() {
        let text = "- `aws_s3_bucket.ü€` 🪣\n".repeat(5_000);
        let fitted = within_bytes(text);
        assert!(fitted.len() <= SUMMARY_LIMIT, "{}", fitted.len());
        assert_eq!(fitted.matches("cut to fit").count(), 1, "one note");
        assert_eq!(within_bytes("short".to_owned()), "short");
    }
}
