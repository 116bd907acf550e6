//! Gitea Actions. `act_runner` sets `GITEA_ACTIONS=true` plus GitHub's `GITHUB_*` names, so
//! values come from the shared GitHub reader; the API base is the Gitea one.

use super::forgejo_actions::{forge_api_url, run_link};
use super::github_actions::read_common;
use super::vars::get;
use super::{CiEnv, Detector, Env, Platform};

pub(super) const DETECTOR: Detector = Detector {
    platform: Platform::GiteaActions,
    id: "gitea_actions",
    label: "Gitea Actions",
    aliases: &["gitea-actions", "gitea"],
    is_present: |env| get(env, "GITEA_ACTIONS").is_some(),
    read,
};

fn read(env: &dyn Env) -> CiEnv {
    let mut ci = read_common(env, Platform::GiteaActions);
    // Gitea 1.26 addresses runs by run id like GitHub (1.25 and older used the run number,
    // go-gitea/gitea#28621); TFNOTIFY_BUILD_URL overrides for older servers.
    ci.build_url = run_link(&ci, get(env, "GITHUB_RUN_ID"));
    ci.api_url = forge_api_url(env, &ci);
    ci
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
            ("GITEA_ACTIONS", "true"),
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REPOSITORY", "ops/live"),
            ("GITHUB_SERVER_URL", "https://gitea.example.com/"),
            ("GITHUB_API_URL", "https://gitea.example.com/api/v1"),
            ("GITHUB_RUN_ID", "321"),
            ("GITHUB_RUN_NUMBER", "12"),
            ("GITHUB_WORKFLOW", "tf.yaml"),
            ("GITHUB_JOB", "plan"),
            ("GITHUB_EVENT_PATH", EVENT_PATH),
        ]);
        base.extend(vars(extra));
        MapEnv::new(base)
    }

    fn expected(pr_number: Option<u64>, sha: &str, branch: &str, event: &str) -> CiEnv {
        CiEnv {
            platform: Platform::GiteaActions,
            owner: s("ops"),
            repo: s("live"),
            pr_number,
            sha: s(sha),
            build_url: s("https://gitea.example.com/ops/live/actions/runs/321"),
            branch: s(branch),
            event: s(event),
            job: Job {
                workflow: s("tf.yaml"),
                name: s("plan"),
                run_id: s("321"),
                run_attempt: None,
            },
            server_url: s("https://gitea.example.com"),
            api_url: s("https://gitea.example.com/api/v1"),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn pull_request() {
        let env = recorded(&[
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_REF", "refs/pull/9/head"),
            ("GITHUB_SHA", "headsha"),
            ("GITHUB_HEAD_REF", "topic"),
        ])
        .with_file(
            EVENT_PATH,
            r#"{"pull_request":{"number":9,"head":{"ref":"topic","sha":"headsha"}}}"#,
        );
        assert_eq!(
            DETECTOR.detect(&env),
            Some(expected(Some(9), "headsha", "topic", "pull_request"))
        );
    }

    #[test]
    fn push() {
        let env = recorded(&[
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_SHA", "pushsha"),
        ])
        .with_file(EVENT_PATH, "{}");
        assert_eq!(
            DETECTOR.detect(&env),
            Some(expected(None, "pushsha", "main", "push"))
        );
    }

    #[test]
    fn wins_over_github_actions_marker() {
        let env = recorded(&[("GITHUB_EVENT_NAME", "push")]);
        assert_eq!(detect(&env).platform, Platform::GiteaActions);
        assert_eq!(DETECTOR.detect(&vars(&[("GITHUB_ACTIONS", "true")])), None);
    }
}
