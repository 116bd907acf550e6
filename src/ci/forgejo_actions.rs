//! Forgejo Actions (Codeberg and self-hosted Forgejo). The runner sets `FORGEJO_ACTIONS=true`
//! plus GitHub's `GITHUB_*` names, so values come from the shared GitHub reader; only the
//! platform, the run link and the API base differ.

use super::github_actions::read_common;
use super::vars::get;
use super::{CiEnv, Detector, Env, Platform};

pub(super) const DETECTOR: Detector = Detector {
    platform: Platform::ForgejoActions,
    id: "forgejo_actions",
    label: "Forgejo Actions",
    aliases: &["forgejo-actions", "forgejo"],
    is_present: |env| get(env, "FORGEJO_ACTIONS").is_some(),
    read,
};

fn read(env: &dyn Env) -> CiEnv {
    let mut ci = read_common(env, Platform::ForgejoActions);
    // Forgejo's web UI addresses runs by the per-repository run number, not the run id.
    ci.build_url = run_link(&ci, get(env, "GITHUB_RUN_NUMBER"));
    ci.api_url = forge_api_url(env, &ci);
    ci
}

/// `{server}/{owner}/{repo}/actions/runs/{n}`; shared with Gitea, which differs only in `n`.
pub(super) fn run_link(ci: &CiEnv, run: Option<String>) -> Option<String> {
    let server_url = ci.server_url.as_deref()?;
    let (owner, repo) = (ci.owner.as_deref()?, ci.repo.as_deref()?);
    Some(format!("{server_url}/{owner}/{repo}/actions/runs/{}", run?))
}

/// The Gitea-compatible REST base. The runner's `GITHUB_API_URL` already points there; when
/// it is missing, `{server}/api/v1` is the only layout these forges have.
pub(super) fn forge_api_url(env: &dyn Env, ci: &CiEnv) -> Option<String> {
    get(env, "GITHUB_API_URL")
        .map(|url| url.trim_end_matches('/').to_owned())
        .or_else(|| {
            ci.server_url
                .as_ref()
                .map(|server| format!("{server}/api/v1"))
        })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{s, vars};
    use super::super::{CiEnv, Job, MapEnv, Platform, detect};
    use super::DETECTOR;

    const EVENT_PATH: &str = "/var/run/act/workflow/event.json";

    fn recorded(extra: &[(&str, &str)]) -> MapEnv {
        let mut base = vars(&[
            ("CI", "true"),
            ("FORGEJO_ACTIONS", "true"),
            ("GITEA_ACTIONS", "true"),
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REPOSITORY", "team/infra"),
            ("GITHUB_REPOSITORY_OWNER", "team"),
            ("GITHUB_SERVER_URL", "https://codeberg.org"),
            ("GITHUB_API_URL", "https://codeberg.org/api/v1"),
            ("GITHUB_RUN_ID", "4410"),
            ("GITHUB_RUN_NUMBER", "17"),
            ("GITHUB_WORKFLOW", "plan.yml"),
            ("GITHUB_JOB", "plan"),
            ("GITHUB_EVENT_PATH", EVENT_PATH),
        ]);
        base.extend(vars(extra));
        MapEnv::new(base)
    }

    fn expected(pr_number: Option<u64>, sha: &str, branch: &str, event: &str) -> CiEnv {
        CiEnv {
            platform: Platform::ForgejoActions,
            owner: s("team"),
            repo: s("infra"),
            pr_number,
            sha: s(sha),
            build_url: s("https://codeberg.org/team/infra/actions/runs/17"),
            branch: s(branch),
            event: s(event),
            job: Job {
                workflow: s("plan.yml"),
                name: s("plan"),
                run_id: s("4410"),
                run_attempt: None,
            },
            server_url: s("https://codeberg.org"),
            api_url: s("https://codeberg.org/api/v1"),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn pull_request() {
        let env = recorded(&[
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_REF", "refs/pull/5/head"),
            ("GITHUB_SHA", "headsha"),
            ("GITHUB_HEAD_REF", "fix"),
        ])
        .with_file(
            EVENT_PATH,
            r#"{"pull_request":{"number":5,"head":{"ref":"fix","sha":"headsha"}}}"#,
        );
        assert_eq!(
            DETECTOR.detect(&env),
            Some(expected(Some(5), "headsha", "fix", "pull_request"))
        );
    }

    #[test]
    fn push_without_api_url_derives_it() {
        let env = recorded(&[
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_SHA", "pushsha"),
            ("GITHUB_API_URL", ""),
        ])
        .with_file(EVENT_PATH, r#"{"ref":"refs/heads/main"}"#);
        assert_eq!(
            DETECTOR.detect(&env),
            Some(expected(None, "pushsha", "main", "push"))
        );
    }

    #[test]
    fn wins_over_gitea_and_github_markers() {
        let env = recorded(&[("GITHUB_EVENT_NAME", "push")]);
        assert_eq!(detect(&env).platform, Platform::ForgejoActions);
        assert_eq!(DETECTOR.detect(&vars(&[("GITHUB_ACTIONS", "true")])), None);
    }
}
