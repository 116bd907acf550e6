//! Travis CI. `TRAVIS_PULL_REQUEST` is `false` on branch builds; on PR builds the PR head is
//! `TRAVIS_PULL_REQUEST_SHA` while `TRAVIS_COMMIT` is Travis' merge commit.

use super::vars::{first, get, pr_number, split_slug};
use super::{CiEnv, Detector, Env, Job, Platform};

pub(super) const DETECTOR: Detector = Detector {
    platform: Platform::Travis,
    id: "travis",
    label: "Travis CI",
    aliases: &["travisci", "travis-ci"],
    is_present: |env| get(env, "TRAVIS").is_some(),
    read,
};

fn read(env: &dyn Env) -> CiEnv {
    let mut ci = CiEnv::new(Platform::Travis);
    ci.pr_number = pr_number(env, "TRAVIS_PULL_REQUEST", &mut ci.warnings);
    if let Some((owner, repo)) = get(env, "TRAVIS_REPO_SLUG").as_deref().and_then(split_slug) {
        ci.owner = Some(owner);
        ci.repo = Some(repo);
    }
    if ci.pr_number.is_some() {
        ci.sha = first(env, &["TRAVIS_PULL_REQUEST_SHA", "TRAVIS_COMMIT"]);
        ci.branch = first(env, &["TRAVIS_PULL_REQUEST_BRANCH", "TRAVIS_BRANCH"]);
    } else {
        ci.sha = get(env, "TRAVIS_COMMIT");
        ci.branch = get(env, "TRAVIS_BRANCH");
    }
    ci.build_url = first(env, &["TRAVIS_BUILD_WEB_URL", "TRAVIS_JOB_WEB_URL"]);
    ci.event = get(env, "TRAVIS_EVENT_TYPE");
    ci.job = Job {
        workflow: None,
        name: get(env, "TRAVIS_JOB_NAME"),
        run_id: get(env, "TRAVIS_BUILD_ID"),
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
            ("TRAVIS", "true"),
            ("TRAVIS_REPO_SLUG", "octo/infra"),
            ("TRAVIS_BUILD_ID", "1234567"),
            (
                "TRAVIS_BUILD_WEB_URL",
                "https://app.travis-ci.com/octo/infra/builds/1234567",
            ),
            ("TRAVIS_JOB_NAME", "plan"),
            ("TRAVIS_COMMIT", "travissha"),
        ]);
        env.extend(vars(extra));
        env
    }

    fn expected() -> CiEnv {
        CiEnv {
            platform: Platform::Travis,
            owner: s("octo"),
            repo: s("infra"),
            sha: s("travissha"),
            build_url: s("https://app.travis-ci.com/octo/infra/builds/1234567"),
            job: Job {
                name: s("plan"),
                run_id: s("1234567"),
                ..Job::default()
            },
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
                ("TRAVIS_EVENT_TYPE", "pull_request"),
                ("TRAVIS_PULL_REQUEST", "15"),
                ("TRAVIS_PULL_REQUEST_SHA", "prheadsha"),
                ("TRAVIS_PULL_REQUEST_BRANCH", "feature"),
                ("TRAVIS_BRANCH", "main"),
            ],
            &CiEnv {
                pr_number: Some(15),
                sha: s("prheadsha"),
                branch: s("feature"),
                event: s("pull_request"),
                ..expected()
            },
        );
    }

    #[test]
    fn push_build() {
        case(
            &[
                ("TRAVIS_EVENT_TYPE", "push"),
                ("TRAVIS_PULL_REQUEST", "false"),
                ("TRAVIS_PULL_REQUEST_SHA", ""),
                ("TRAVIS_BRANCH", "main"),
            ],
            &CiEnv {
                branch: s("main"),
                event: s("push"),
                ..expected()
            },
        );
    }

    #[test]
    fn wins_over_leaked_jenkins_names() {
        let env = recorded(&[("JENKINS_URL", "https://j/"), ("BUILD_URL", "https://j/1")]);
        assert_eq!(detect(&env).platform, Platform::Travis);
    }
}
