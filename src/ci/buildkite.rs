//! Buildkite. `BUILDKITE_PULL_REQUEST` is `false` on branch builds; `BUILDKITE_REPO` is the
//! pipeline's repository (the PR's base), while forks show up in
//! `BUILDKITE_PULL_REQUEST_REPO`, which we don't want for commenting.

use super::vars::{get, parse_repo_url, pr_number};
use super::{CiEnv, Detector, Env, Job, Platform};

pub(super) const DETECTOR: Detector = Detector {
    platform: Platform::Buildkite,
    id: "buildkite",
    label: "Buildkite",
    aliases: &[],
    is_present: |env| get(env, "BUILDKITE").is_some(),
    read,
};

fn read(env: &dyn Env) -> CiEnv {
    let mut ci = CiEnv::new(Platform::Buildkite);
    ci.pr_number = pr_number(env, "BUILDKITE_PULL_REQUEST", &mut ci.warnings);
    if let Some(url) = get(env, "BUILDKITE_REPO").and_then(|url| parse_repo_url(&url)) {
        ci.owner = Some(url.owner);
        ci.repo = Some(url.repo);
        ci.server_url = Some(url.server_url);
    }
    // Builds started from the UI without a commit carry the literal `HEAD`.
    ci.sha = get(env, "BUILDKITE_COMMIT").filter(|sha| sha != "HEAD");
    ci.build_url = get(env, "BUILDKITE_BUILD_URL");
    ci.branch = get(env, "BUILDKITE_BRANCH");
    ci.event = get(env, "BUILDKITE_SOURCE");
    ci.job = Job {
        workflow: get(env, "BUILDKITE_PIPELINE_SLUG"),
        name: get(env, "BUILDKITE_LABEL"),
        run_id: get(env, "BUILDKITE_BUILD_NUMBER"),
        run_attempt: get(env, "BUILDKITE_RETRY_COUNT")
            .and_then(|retries| retries.parse::<u32>().ok())
            .map(|retries| retries + 1),
    };
    ci
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::testing::{s, vars};
    use super::super::{CiEnv, Job, Platform, detect};
    use super::DETECTOR;

    fn recorded(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut env = vars(&[
            ("CI", "true"),
            ("BUILDKITE", "true"),
            ("BUILDKITE_REPO", "git@github.com:octo/infra.git"),
            ("BUILDKITE_COMMIT", "bksha"),
            ("BUILDKITE_BUILD_NUMBER", "230"),
            (
                "BUILDKITE_BUILD_URL",
                "https://buildkite.com/octo/infra/builds/230",
            ),
            ("BUILDKITE_PIPELINE_SLUG", "infra"),
            ("BUILDKITE_LABEL", ":terraform: plan"),
            ("BUILDKITE_RETRY_COUNT", "0"),
            ("BUILDKITE_SOURCE", "webhook"),
        ]);
        env.extend(vars(extra));
        env
    }

    fn expected() -> CiEnv {
        CiEnv {
            platform: Platform::Buildkite,
            owner: s("octo"),
            repo: s("infra"),
            sha: s("bksha"),
            build_url: s("https://buildkite.com/octo/infra/builds/230"),
            event: s("webhook"),
            job: Job {
                workflow: s("infra"),
                name: s(":terraform: plan"),
                run_id: s("230"),
                run_attempt: Some(1),
            },
            server_url: s("https://github.com"),
            ..CiEnv::default()
        }
    }

    #[track_caller]
    fn case(env: &[(&str, &str)], expected: &CiEnv) {
        assert_eq!(DETECTOR.detect(&recorded(env)).as_ref(), Some(expected));
    }

    #[test]
    fn pull_request_build_from_a_fork() {
        case(
            &[
                ("BUILDKITE_PULL_REQUEST", "73"),
                ("BUILDKITE_PULL_REQUEST_BASE_BRANCH", "main"),
                (
                    "BUILDKITE_PULL_REQUEST_REPO",
                    "https://github.com/contributor/infra.git",
                ),
                ("BUILDKITE_BRANCH", "contributor:feature"),
            ],
            &CiEnv {
                pr_number: Some(73),
                branch: s("contributor:feature"),
                ..expected()
            },
        );
    }

    #[test]
    fn branch_build_retried() {
        case(
            &[
                ("BUILDKITE_PULL_REQUEST", "false"),
                ("BUILDKITE_BRANCH", "main"),
                ("BUILDKITE_RETRY_COUNT", "2"),
            ],
            &CiEnv {
                branch: s("main"),
                job: Job {
                    run_attempt: Some(3),
                    ..expected().job
                },
                ..expected()
            },
        );
    }

    #[test]
    fn ui_build_without_commit_and_leaked_jenkins_names() {
        let env = recorded(&[("BUILDKITE_COMMIT", "HEAD"), ("JENKINS_URL", "https://j/")]);
        let ci = detect(&env);
        assert_eq!((ci.platform, ci.sha), (Platform::Buildkite, None));
    }
}
