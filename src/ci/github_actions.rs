//! GitHub Actions, and the `GITHUB_*` reading that Forgejo and Gitea Actions share.
//!
//! The PR number comes from the event payload at `GITHUB_EVENT_PATH` (`pull_request`,
//! `pull_request_target`, review events, `issue_comment` on a PR, `workflow_run`,
//! `merge_group`), falling back to `GITHUB_REF` (`refs/pull/N/merge`,
//! `refs/heads/gh-readonly-queue/<base>/pr-N-<sha>`).
//! Classic tfnotify read only `GITHUB_REF` and so missed `pull_request_target` and comment
//! events; it also hard-coded github.com in the run link, which broke GHES.

use std::path::Path;

use serde_json::Value;

use super::vars::{counter, get, github_api_url, split_slug, strip_heads};
use super::{CiEnv, Detector, Env, Job, Platform};

pub(super) const DETECTOR: Detector = Detector {
    platform: Platform::GitHubActions,
    id: "github_actions",
    label: "GitHub Actions",
    aliases: &["github-actions", "github", "gha"],
    is_present: |env| get(env, "GITHUB_ACTIONS").is_some(),
    read,
};

fn read(env: &dyn Env) -> CiEnv {
    let mut ci = read_common(env, Platform::GitHubActions);
    let server_url = ci
        .server_url
        .clone()
        .unwrap_or_else(|| "https://github.com".to_owned());
    ci.build_url = run_url(env, &server_url);
    ci.api_url = get(env, "GITHUB_API_URL").or_else(|| Some(github_api_url(&server_url)));
    ci
}

/// `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID/attempts/N`. The attempt
/// is kept so a link from a re-run's comment does not open another attempt's log.
fn run_url(env: &dyn Env, server_url: &str) -> Option<String> {
    let slug = get(env, "GITHUB_REPOSITORY")?;
    let run_id = get(env, "GITHUB_RUN_ID")?;
    let server_url = server_url.trim_end_matches('/');
    let mut url = format!("{server_url}/{slug}/actions/runs/{run_id}");
    if let Some(attempt) = get(env, "GITHUB_RUN_ATTEMPT") {
        url.push_str("/attempts/");
        url.push_str(&attempt);
    }
    Some(url)
}

/// Everything but the links, from the `GITHUB_*` variables and the event payload. Forgejo
/// and Gitea runners set the same names, so they call this with their own platform.
pub(super) fn read_common(env: &dyn Env, platform: Platform) -> CiEnv {
    let mut ci = CiEnv::new(platform);
    if let Some((owner, repo)) = get(env, "GITHUB_REPOSITORY")
        .as_deref()
        .and_then(split_slug)
    {
        ci.owner = Some(owner);
        ci.repo = Some(repo);
    } else {
        ci.owner = get(env, "GITHUB_REPOSITORY_OWNER");
    }
    ci.event = get(env, "GITHUB_EVENT_NAME");
    ci.sha = get(env, "GITHUB_SHA");
    ci.server_url = get(env, "GITHUB_SERVER_URL").map(|url| url.trim_end_matches('/').to_owned());
    ci.branch = get(env, "GITHUB_HEAD_REF").or_else(|| branch_from_ref(env));
    ci.job = Job {
        workflow: get(env, "GITHUB_WORKFLOW"),
        name: get(env, "GITHUB_JOB"),
        run_id: get(env, "GITHUB_RUN_ID"),
        run_attempt: counter(env, "GITHUB_RUN_ATTEMPT"),
    };
    if let Some(payload) = read_event(env, &mut ci.warnings) {
        apply_payload(&mut ci, &payload);
    }
    if ci.pr_number.is_none() {
        ci.pr_number = get(env, "GITHUB_REF").as_deref().and_then(pr_from_ref);
    }
    ci
}

/// The branch of a push build; tag and PR refs are not branches.
fn branch_from_ref(env: &dyn Env) -> Option<String> {
    let reference = get(env, "GITHUB_REF")?;
    if reference.starts_with("refs/heads/") {
        return Some(strip_heads(&reference));
    }
    if get(env, "GITHUB_REF_TYPE").as_deref() == Some("branch") {
        return get(env, "GITHUB_REF_NAME");
    }
    None
}

/// The event JSON, or a warning saying why it could not be used. A missing
/// `GITHUB_EVENT_PATH` is not worth a warning: `detect_as` may run outside Actions.
fn read_event(env: &dyn Env, warnings: &mut Vec<String>) -> Option<Value> {
    let path = get(env, "GITHUB_EVENT_PATH")?;
    let text = match env.read_file(Path::new(&path)) {
        Ok(text) => text,
        Err(err) => {
            warnings.push(format!(
                "cannot read the event file `{path}` from `GITHUB_EVENT_PATH`: {err}"
            ));
            return None;
        }
    };
    match serde_json::from_str(&text) {
        Ok(payload) => Some(payload),
        Err(err) => {
            warnings.push(format!(
                "cannot parse the event file `{path}` from `GITHUB_EVENT_PATH`: {err}"
            ));
            None
        }
    }
}

/// Fills PR number, head sha and branch from the payload's shape rather than the event name,
/// so every PR-carrying event works, including ones added after this was written.
fn apply_payload(ci: &mut CiEnv, payload: &Value) {
    if let Some(pull_request) = payload.get("pull_request").filter(|v| v.is_object()) {
        ci.pr_number = pull_request
            .get("number")
            .and_then(Value::as_u64)
            .or(ci.pr_number);
        let head = pull_request.get("head");
        if let Some(sha) = head.and_then(|h| h.get("sha")).and_then(Value::as_str) {
            ci.sha = Some(sha.to_owned());
        }
        if let Some(branch) = head.and_then(|h| h.get("ref")).and_then(Value::as_str) {
            ci.branch = Some(branch.to_owned());
        }
    } else if let Some(issue) = payload
        .get("issue")
        .filter(|issue| issue.get("pull_request").is_some_and(Value::is_object))
    {
        // issue_comment on a PR: the payload has no head sha, so `sha` stays `GITHUB_SHA`
        // (the default branch head); notifiers should target the PR number.
        ci.pr_number = issue.get("number").and_then(Value::as_u64).or(ci.pr_number);
    } else if let Some(run) = payload.get("workflow_run").filter(|v| v.is_object()) {
        // A privileged `workflow_run` follow-up to an unprivileged PR build (the usual way to
        // comment on fork PRs). GitHub leaves `pull_requests` empty for forks, so the number
        // may still have to come from an artifact via `TFNOTIFY_PR`.
        if let Some(number) = run
            .get("pull_requests")
            .and_then(Value::as_array)
            .and_then(|prs| prs.first())
            .and_then(|pr| pr.get("number"))
            .and_then(Value::as_u64)
        {
            ci.pr_number = Some(number);
        }
        if let Some(sha) = run.get("head_sha").and_then(Value::as_str) {
            ci.sha = Some(sha.to_owned());
        }
        if let Some(branch) = run.get("head_branch").and_then(Value::as_str) {
            ci.branch = Some(branch.to_owned());
        }
    } else if let Some(group) = payload.get("merge_group").filter(|v| v.is_object()) {
        if let Some(number) = group
            .get("head_ref")
            .and_then(Value::as_str)
            .and_then(pr_from_ref)
        {
            ci.pr_number = Some(number);
        }
        if let Some(sha) = group.get("head_sha").and_then(Value::as_str) {
            ci.sha = Some(sha.to_owned());
        }
    }
}

/// PR number from `refs/pull/N/merge|head` or a merge-queue branch
/// `refs/heads/gh-readonly-queue/<base>/pr-N-<sha>` (the base may contain `/`).
pub(super) fn pr_from_ref(reference: &str) -> Option<u64> {
    if let Some(rest) = reference.strip_prefix("refs/pull/") {
        return rest.split('/').next()?.parse().ok().filter(|n| *n > 0);
    }
    let queue = reference
        .strip_prefix("refs/heads/gh-readonly-queue/")
        .or_else(|| reference.strip_prefix("gh-readonly-queue/"))?;
    let last = queue.rsplit('/').next()?;
    let digits = last.strip_prefix("pr-")?.split('-').next()?;
    digits.parse().ok().filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{s, vars};
    use super::super::{CiEnv, Job, MapEnv, Platform, detect};
    use super::{DETECTOR, pr_from_ref};

    const PR_EVENT: &str = r#"{"action":"synchronize","number":42,
        "pull_request":{"number":42,"head":{"ref":"feature/x","sha":"headsha"},
        "base":{"ref":"main","sha":"basesha"}}}"#;

    fn recorded(extra: &[(&str, &str)]) -> MapEnv {
        let mut base = vars(&[
            ("CI", "true"),
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REPOSITORY", "octo/infra"),
            ("GITHUB_REPOSITORY_OWNER", "octo"),
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_API_URL", "https://api.github.com"),
            ("GITHUB_RUN_ID", "9001"),
            ("GITHUB_RUN_ATTEMPT", "1"),
            ("GITHUB_WORKFLOW", "terraform"),
            ("GITHUB_JOB", "plan"),
            (
                "GITHUB_EVENT_PATH",
                "/home/runner/work/_temp/_github_workflow/event.json",
            ),
        ]);
        base.extend(vars(extra));
        MapEnv::new(base)
    }

    fn expected(pr_number: Option<u64>, sha: &str, branch: Option<&str>, event: &str) -> CiEnv {
        CiEnv {
            platform: Platform::GitHubActions,
            owner: s("octo"),
            repo: s("infra"),
            pr_number,
            sha: s(sha),
            build_url: s("https://github.com/octo/infra/actions/runs/9001/attempts/1"),
            branch: branch.map(str::to_owned),
            event: s(event),
            job: Job {
                workflow: s("terraform"),
                name: s("plan"),
                run_id: s("9001"),
                run_attempt: Some(1),
            },
            server_url: s("https://github.com"),
            api_url: s("https://api.github.com"),
            warnings: Vec::new(),
        }
    }

    const EVENT_PATH: &str = "/home/runner/work/_temp/_github_workflow/event.json";

    #[track_caller]
    fn case(env: &MapEnv, expected: &CiEnv) {
        assert_eq!(DETECTOR.detect(env).as_ref(), Some(expected));
    }

    #[test]
    fn pull_request() {
        let env = recorded(&[
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_REF", "refs/pull/42/merge"),
            ("GITHUB_SHA", "mergesha"),
            ("GITHUB_HEAD_REF", "feature/x"),
            ("GITHUB_BASE_REF", "main"),
        ])
        .with_file(EVENT_PATH, PR_EVENT);
        case(
            &env,
            &expected(Some(42), "headsha", Some("feature/x"), "pull_request"),
        );
    }

    #[test]
    fn pull_request_target_reads_the_payload_not_the_ref() {
        // GITHUB_REF is the base branch here, which classic tfnotify took as "no PR".
        let env = recorded(&[
            ("GITHUB_EVENT_NAME", "pull_request_target"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_SHA", "basesha"),
            ("GITHUB_HEAD_REF", "feature/x"),
        ])
        .with_file(EVENT_PATH, PR_EVENT);
        case(
            &env,
            &expected(
                Some(42),
                "headsha",
                Some("feature/x"),
                "pull_request_target",
            ),
        );
    }

    #[test]
    fn issue_comment_on_a_pull_request() {
        let event = r#"{"action":"created","issue":{"number":7,
            "pull_request":{"url":"https://api.github.com/repos/octo/infra/pulls/7"}},
            "comment":{"body":"plan please"}}"#;
        let env = recorded(&[
            ("GITHUB_EVENT_NAME", "issue_comment"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_SHA", "defaultsha"),
        ])
        .with_file(EVENT_PATH, event);
        case(
            &env,
            &expected(Some(7), "defaultsha", Some("main"), "issue_comment"),
        );
    }

    #[test]
    fn issue_comment_on_a_plain_issue_is_not_a_pr() {
        let event = r#"{"action":"created","issue":{"number":8},"comment":{"body":"hi"}}"#;
        let env = recorded(&[
            ("GITHUB_EVENT_NAME", "issue_comment"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_SHA", "defaultsha"),
        ])
        .with_file(EVENT_PATH, event);
        case(
            &env,
            &expected(None, "defaultsha", Some("main"), "issue_comment"),
        );
    }

    #[test]
    fn merge_group() {
        let queue_ref = "refs/heads/gh-readonly-queue/main/pr-123-0123456789abcdef";
        let event = format!(
            r#"{{"action":"checks_requested","merge_group":{{"head_sha":"queuesha",
            "head_ref":"{queue_ref}","base_ref":"refs/heads/main"}}}}"#
        );
        let env = recorded(&[
            ("GITHUB_EVENT_NAME", "merge_group"),
            ("GITHUB_REF", queue_ref),
            ("GITHUB_SHA", "queuesha"),
        ])
        .with_file(EVENT_PATH, event);
        let branch = "gh-readonly-queue/main/pr-123-0123456789abcdef";
        case(
            &env,
            &expected(Some(123), "queuesha", Some(branch), "merge_group"),
        );
    }

    #[test]
    fn workflow_run_after_a_pull_request_build() {
        let event = r#"{"action":"completed","workflow_run":{"event":"pull_request",
            "head_sha":"prheadsha","head_branch":"feature/x",
            "pull_requests":[{"number":42,"head":{"sha":"prheadsha"}}]}}"#;
        let env = recorded(&[
            ("GITHUB_EVENT_NAME", "workflow_run"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_SHA", "defaultsha"),
        ])
        .with_file(EVENT_PATH, event);
        case(
            &env,
            &expected(Some(42), "prheadsha", Some("feature/x"), "workflow_run"),
        );
    }

    #[test]
    fn push_to_main() {
        let env = recorded(&[
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_REF_NAME", "main"),
            ("GITHUB_REF_TYPE", "branch"),
            ("GITHUB_SHA", "pushsha"),
        ])
        .with_file(EVENT_PATH, r#"{"ref":"refs/heads/main","after":"pushsha"}"#);
        case(&env, &expected(None, "pushsha", Some("main"), "push"));
    }

    #[test]
    fn missing_event_file_falls_back_to_ref_with_a_warning() {
        let env = recorded(&[
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_REF", "refs/pull/42/merge"),
            ("GITHUB_SHA", "mergesha"),
            ("GITHUB_HEAD_REF", "feature/x"),
        ]);
        let ci = DETECTOR.detect(&env).expect("present");
        assert_eq!(ci.pr_number, Some(42));
        assert_eq!(ci.sha.as_deref(), Some("mergesha"));
        assert_eq!(ci.warnings.len(), 1);
        assert!(
            ci.warnings[0].starts_with("cannot read the event file `"),
            "{:?}",
            ci.warnings
        );
    }

    #[test]
    fn malformed_event_file_is_a_warning_not_a_panic() {
        let env = recorded(&[
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_REF", "refs/pull/5/merge"),
            ("GITHUB_SHA", "mergesha"),
        ])
        .with_file(EVENT_PATH, "{not json");
        let ci = DETECTOR.detect(&env).expect("present");
        assert_eq!(ci.pr_number, Some(5));
        assert_eq!(ci.warnings.len(), 1);
        assert!(
            ci.warnings[0].starts_with("cannot parse the event file `"),
            "{:?}",
            ci.warnings
        );
        // a payload of the wrong shape is simply not a PR
        let env = env.with_file(EVENT_PATH, r#"{"pull_request":"nope"}"#);
        assert_eq!(
            DETECTOR.detect(&env).expect("present").warnings,
            Vec::<String>::new()
        );
    }

    #[test]
    fn ghes_links_use_the_server_url() {
        let env = recorded(&[
            ("GITHUB_SERVER_URL", "https://github.example.com"),
            ("GITHUB_API_URL", "https://github.example.com/api/v3"),
            ("GITHUB_RUN_ATTEMPT", "3"),
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_SHA", "pushsha"),
        ]);
        let ci = DETECTOR.detect(&env).expect("present");
        assert_eq!(
            ci.build_url.as_deref(),
            Some("https://github.example.com/octo/infra/actions/runs/9001/attempts/3")
        );
        assert_eq!(
            ci.api_url.as_deref(),
            Some("https://github.example.com/api/v3")
        );
        assert_eq!(ci.job.run_attempt, Some(3));
        // without GITHUB_API_URL the GHES API base follows from the server
        let env = env.with_var("GITHUB_API_URL", "");
        let ci = DETECTOR.detect(&env).expect("present");
        assert_eq!(
            ci.api_url.as_deref(),
            Some("https://github.example.com/api/v3")
        );
    }

    #[test]
    fn wins_over_leaked_jenkins_and_circleci_variables() {
        let env = recorded(&[
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_SHA", "pushsha"),
            ("CIRCLECI", "true"),
            ("JENKINS_URL", "https://jenkins.example.com/"),
        ]);
        assert_eq!(detect(&env).platform, Platform::GitHubActions);
    }

    #[test]
    fn refs() {
        assert_eq!(pr_from_ref("refs/pull/12/merge"), Some(12));
        assert_eq!(pr_from_ref("refs/pull/12/head"), Some(12));
        assert_eq!(pr_from_ref("refs/heads/main"), None);
        assert_eq!(pr_from_ref("refs/tags/v1"), None);
        assert_eq!(
            pr_from_ref("refs/heads/gh-readonly-queue/release/v1/pr-77-abc123"),
            Some(77)
        );
        assert_eq!(
            pr_from_ref("refs/heads/gh-readonly-queue/main/pr-x-abc"),
            None
        );
    }
}
