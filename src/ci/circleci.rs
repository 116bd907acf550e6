//! `CircleCI`. The PR number is the tail of the PR URL, as classic tfnotify read it; the
//! forge host comes from the repository URL so GitHub Enterprise and GitLab projects work.

use super::vars::{get, parse_repo_url, pr_number, trailing_number};
use super::{CiEnv, Detector, Env, Job, Platform};

pub(super) const DETECTOR: Detector = Detector {
    platform: Platform::CircleCi,
    id: "circleci",
    label: "CircleCI",
    aliases: &["circle-ci", "circle"],
    is_present: |env| get(env, "CIRCLECI").is_some(),
    read,
};

fn read(env: &dyn Env) -> CiEnv {
    let mut ci = CiEnv::new(Platform::CircleCi);
    // Classic order: the PR URL, the deprecated CI_PULL_REQUEST, then CIRCLE_PR_NUMBER (set
    // only for PRs from forks).
    ci.pr_number = ["CIRCLE_PULL_REQUEST", "CI_PULL_REQUEST"]
        .iter()
        .find_map(|name| get(env, name))
        .as_deref()
        .and_then(trailing_number)
        .or_else(|| pr_number(env, "CIRCLE_PR_NUMBER", &mut ci.warnings));
    let url = get(env, "CIRCLE_REPOSITORY_URL").and_then(|url| parse_repo_url(&url));
    ci.owner =
        get(env, "CIRCLE_PROJECT_USERNAME").or_else(|| url.as_ref().map(|u| u.owner.clone()));
    ci.repo = get(env, "CIRCLE_PROJECT_REPONAME").or_else(|| url.as_ref().map(|u| u.repo.clone()));
    ci.server_url = url.map(|u| u.server_url);
    ci.sha = get(env, "CIRCLE_SHA1");
    ci.build_url = get(env, "CIRCLE_BUILD_URL");
    ci.branch = get(env, "CIRCLE_BRANCH");
    ci.job = Job {
        workflow: get(env, "CIRCLE_WORKFLOW_ID"),
        name: get(env, "CIRCLE_JOB"),
        run_id: get(env, "CIRCLE_BUILD_NUM"),
        run_attempt: None,
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
            ("CIRCLECI", "true"),
            ("CIRCLE_PROJECT_USERNAME", "octo"),
            ("CIRCLE_PROJECT_REPONAME", "infra"),
            ("CIRCLE_REPOSITORY_URL", "git@github.com:octo/infra.git"),
            ("CIRCLE_SHA1", "circlesha"),
            ("CIRCLE_BUILD_NUM", "812"),
            ("CIRCLE_BUILD_URL", "https://circleci.com/gh/octo/infra/812"),
            ("CIRCLE_JOB", "plan"),
            ("CIRCLE_WORKFLOW_ID", "6f1c-uuid"),
        ]);
        env.extend(vars(extra));
        env
    }

    fn expected(pr_number: Option<u64>, branch: &str) -> CiEnv {
        CiEnv {
            platform: Platform::CircleCi,
            owner: s("octo"),
            repo: s("infra"),
            pr_number,
            sha: s("circlesha"),
            build_url: s("https://circleci.com/gh/octo/infra/812"),
            branch: s(branch),
            job: Job {
                workflow: s("6f1c-uuid"),
                name: s("plan"),
                run_id: s("812"),
                run_attempt: None,
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
    fn pull_request_build() {
        case(
            &[
                ("CIRCLE_BRANCH", "feature"),
                (
                    "CIRCLE_PULL_REQUEST",
                    "https://github.com/octo/infra/pull/31",
                ),
                (
                    "CIRCLE_PULL_REQUESTS",
                    "https://github.com/octo/infra/pull/31",
                ),
            ],
            &expected(Some(31), "feature"),
        );
    }

    #[test]
    fn forked_pull_request_build() {
        case(
            &[("CIRCLE_BRANCH", "pull/32"), ("CIRCLE_PR_NUMBER", "32")],
            &expected(Some(32), "pull/32"),
        );
    }

    #[test]
    fn branch_build() {
        case(
            &[("CIRCLE_BRANCH", "main"), ("CIRCLE_PULL_REQUEST", "")],
            &expected(None, "main"),
        );
    }

    #[test]
    fn wins_over_leaked_teamcity_and_jenkins_names() {
        let env = recorded(&[
            ("TEAMCITY_VERSION", "2024.1"),
            ("JENKINS_URL", "https://j/"),
        ]);
        assert_eq!(detect(&env).platform, Platform::CircleCi);
    }
}
