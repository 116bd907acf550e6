//! The Checks API of the fake: create, update and list check runs, as GitHub checks them.
//!
//! Only GitHub Apps may write check runs: the default token stands for an Actions job's
//! `GITHUB_TOKEN` (the `github-actions` app); a token added with
//! [`FakeGitHub::add_personal_token`](super::FakeGitHub::add_personal_token) is a personal
//! access token and gets GitHub's 403. An app may update only the check runs it created;
//! the fake refuses others with 403 and keeps it as a violation. A summary over 65,535
//! bytes gets the 422 GitHub answers (it counts bytes, not characters), and a `completed`
//! status without a conclusion gets 422 as well.

use serde_json::{Value, json};

use super::rest::{Ctx, Reply, error, not_found};
use super::{CheckRun, State};

/// GitHub's limit on `output.summary` and `output.text`, which it counts in bytes.
pub const MAX_SUMMARY_BYTES: usize = 65_535;
/// The app every token but a personal one belongs to, as in an Actions job.
pub const ACTIONS_APP: (u64, &str) = (15_368, "github-actions");

const DOCS_CREATE: &str = "https://docs.github.com/rest/checks/runs#create-a-check-run";
const DOCS_UPDATE: &str = "https://docs.github.com/rest/checks/runs#update-a-check-run";
const CONCLUSIONS: &[&str] = &[
    "action_required",
    "cancelled",
    "failure",
    "neutral",
    "success",
    "skipped",
    "timed_out",
];

/// `POST /repos/{owner}/{repo}/check-runs`.
pub(crate) fn create(state: &mut State, ctx: &Ctx) -> Reply {
    if let Some(reply) = refuse_personal_token(state, ctx, DOCS_CREATE) {
        return reply;
    }
    let sha = ctx.body_str("head_sha").unwrap_or_default().to_owned();
    if sha.len() != 40 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        state.violate(&ctx.line, format!("head_sha {sha:?} is no commit"));
        return error(422, &format!("No commit found for SHA: {sha}"), DOCS_CREATE);
    }
    let mut run = CheckRun {
        id: state.id(),
        name: ctx.body_str("name").unwrap_or_default().to_owned(),
        head_sha: sha,
        status: "queued".to_owned(),
        conclusion: None,
        external_id: None,
        details_url: None,
        title: None,
        summary: None,
        app: ACTIONS_APP.1.to_owned(),
        completed_at: None,
    };
    if let Some(reply) = apply(state, ctx, &mut run, DOCS_CREATE) {
        return reply;
    }
    let key = ctx.key();
    let value = run_json(state, &ctx.owner, &ctx.repo, &run);
    if let Some(repo) = state.repos.get_mut(&key) {
        repo.check_runs.push(run);
    }
    Reply::json(201, value)
}

/// `PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}`.
pub(crate) fn update(state: &mut State, ctx: &Ctx, id: u64) -> Reply {
    if let Some(reply) = refuse_personal_token(state, ctx, DOCS_UPDATE) {
        return reply;
    }
    let key = ctx.key();
    let Some(mut run) = state
        .repos
        .get(&key)
        .and_then(|r| r.check_runs.iter().find(|c| c.id == id))
        .cloned()
    else {
        return not_found();
    };
    if run.app != ACTIONS_APP.1 {
        state.violate(
            &ctx.line,
            format!("updated the check run {id} of the app `{}`", run.app),
        );
        return error(403, "Invalid app_id", DOCS_UPDATE);
    }
    if let Some(reply) = apply(state, ctx, &mut run, DOCS_UPDATE) {
        return reply;
    }
    let value = run_json(state, &ctx.owner, &ctx.repo, &run);
    if let Some(stored) = state
        .repos
        .get_mut(&key)
        .and_then(|r| r.check_runs.iter_mut().find(|c| c.id == id))
    {
        *stored = run;
    }
    Reply::json(200, value)
}

/// `GET /repos/{owner}/{repo}/commits/{ref}/check-runs`: newest first, by `check_name`,
/// and with `filter=latest` (the default) only the newest run of each name and app.
pub(crate) fn list_for_ref(state: &State, ctx: &Ctx, reference: &str) -> Reply {
    let query = |name: &str| {
        ctx.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let latest = query("filter").is_none_or(|f| f == "latest");
    let Some(repo) = state.repos.get(&ctx.key()) else {
        return not_found();
    };
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut runs = Vec::new();
    for run in repo.check_runs.iter().rev() {
        if run.head_sha != reference || query("check_name").is_some_and(|n| n != run.name) {
            continue;
        }
        let key = (run.name.clone(), run.app.clone());
        if latest && seen.contains(&key) {
            continue;
        }
        seen.push(key);
        runs.push(run_json(state, &ctx.owner, &ctx.repo, run));
    }
    Reply::json(200, json!({"total_count": runs.len(), "check_runs": runs}))
}

/// GitHub's 403 for a personal access token, which may read check runs but not write them.
fn refuse_personal_token(state: &mut State, ctx: &Ctx, docs: &str) -> Option<Reply> {
    if !state.personal_tokens.contains(&ctx.login) {
        return None;
    }
    state.violate(&ctx.line, "a personal access token cannot write check runs");
    Some(error(403, "You must authenticate via a GitHub App.", docs))
}

/// Writes the request's fields into `run`; a reply when GitHub would refuse them.
fn apply(state: &mut State, ctx: &Ctx, run: &mut CheckRun, docs: &str) -> Option<Reply> {
    let body = &ctx.body;
    if let Some(name) = ctx.body_str("name") {
        if name.trim().is_empty() {
            state.violate(&ctx.line, "the check run's name is empty");
            return Some(error(422, "Invalid request.\n\nName can't be blank", docs));
        }
        name.clone_into(&mut run.name);
    }
    if let Some(summary) = body.pointer("/output/summary").and_then(Value::as_str)
        && summary.len() > MAX_SUMMARY_BYTES
    {
        state.violate(
            &ctx.line,
            format!("output.summary is {} bytes", summary.len()),
        );
        return Some(too_long("summary", docs));
    }
    if let Some(conclusion) = ctx.body_str("conclusion") {
        if !CONCLUSIONS.contains(&conclusion) {
            state.violate(
                &ctx.line,
                format!("conclusion {conclusion:?} cannot be set"),
            );
            return Some(error(
                422,
                &format!(
                    "Invalid request.\n\n{conclusion:?} is not a member of the conclusions a check run may be given."
                ),
                docs,
            ));
        }
        run.conclusion = Some(conclusion.to_owned());
        "completed".clone_into(&mut run.status);
        run.completed_at = Some(state.tick());
    } else if let Some(status) = ctx.body_str("status") {
        if status == "completed" && run.conclusion.is_none() {
            state.violate(&ctx.line, "status completed without a conclusion");
            return Some(error(
                422,
                "Invalid request.\n\n\"conclusion\" wasn't supplied.",
                docs,
            ));
        }
        status.clone_into(&mut run.status);
    }
    if let Some(id) = ctx.body_str("external_id") {
        run.external_id = Some(id.to_owned());
    }
    if let Some(url) = ctx.body_str("details_url") {
        run.details_url = Some(url.to_owned());
    }
    if let Some(output) = body.get("output") {
        run.title = output
            .get("title")
            .and_then(Value::as_str)
            .map(str::to_owned);
        run.summary = output
            .get("summary")
            .and_then(Value::as_str)
            .map(str::to_owned);
    }
    None
}

/// GitHub's 422 for a summary or text over the byte limit.
fn too_long(field: &str, docs: &str) -> Reply {
    Reply::json(
        422,
        json!({
            "message": "Validation Failed",
            "errors": [{
                "resource": "CheckRun",
                "code": "custom",
                "field": field,
                "message": format!("{field} exceeds a maximum bytesize of {MAX_SUMMARY_BYTES}"),
            }],
            "documentation_url": docs,
            "status": "422",
        }),
    )
}

fn run_json(state: &State, owner: &str, repo: &str, run: &CheckRun) -> Value {
    let base = &state.base;
    let id = run.id;
    let app_id = if run.app == ACTIONS_APP.1 {
        ACTIONS_APP.0
    } else {
        id
    };
    json!({
        "id": id,
        "node_id": format!("CR_kwDOFake{id}"),
        "head_sha": run.head_sha,
        "name": run.name,
        "external_id": run.external_id,
        "url": format!("{base}/repos/{owner}/{repo}/check-runs/{id}"),
        "html_url": format!("https://github.com/{owner}/{repo}/runs/{id}"),
        "details_url": run.details_url,
        "status": run.status,
        "conclusion": run.conclusion,
        "started_at": super::rfc3339(super::CLOCK_START),
        "completed_at": run.completed_at,
        "output": {
            "title": run.title,
            "summary": run.summary,
            "text": null,
            "annotations_count": 0,
            "annotations_url": format!("{base}/repos/{owner}/{repo}/check-runs/{id}/annotations"),
        },
        "check_suite": {"id": 1},
        "app": {"id": app_id, "slug": run.app, "name": run.app},
        "pull_requests": [],
    })
}
