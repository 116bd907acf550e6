//! Drone. Owner and repository come from Drone itself; the forge host from the repository
//! link, so Gitea and GitHub Enterprise remotes get the right server.

use super::vars::{first, get, parse_repo_url, pr_number, split_slug};
use super::{CiEnv, Detector, Env, Job, Platform};

pub(super) const DETECTOR: Detector = Detector {
    platform: Platform::Drone,
    id: "drone",
    label: "Drone",
    aliases: &["drone-ci"],
    is_present: |env| get(env, "DRONE").is_some(),
    read,
};

fn read(env: &dyn Env) -> CiEnv {
    let mut ci = CiEnv::new(Platform::Drone);
    ci.pr_number = pr_number(env, "DRONE_PULL_REQUEST", &mut ci.warnings);
    let slug = get(env, "DRONE_REPO").as_deref().and_then(split_slug);
    ci.owner = get(env, "DRONE_REPO_OWNER").or_else(|| slug.as_ref().map(|s| s.0.clone()));
    ci.repo = get(env, "DRONE_REPO_NAME").or_else(|| slug.map(|s| s.1));
    ci.server_url = first(env, &["DRONE_REPO_LINK", "DRONE_GIT_HTTP_URL"])
        .and_then(|url| parse_repo_url(&url))
        .map(|url| url.server_url);
    ci.sha = first(env, &["DRONE_COMMIT_SHA", "DRONE_COMMIT"]);
    ci.build_url = get(env, "DRONE_BUILD_LINK");
    ci.branch = first(env, &["DRONE_SOURCE_BRANCH", "DRONE_BRANCH"]);
    ci.event = get(env, "DRONE_BUILD_EVENT");
    ci.job = Job {
        workflow: get(env, "DRONE_STAGE_NAME"),
        name: get(env, "DRONE_STEP_NAME"),
        run_id: get(env, "DRONE_BUILD_NUMBER"),
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
            ("DRONE", "true"),
            ("DRONE_REPO", "octo/infra"),
            ("DRONE_REPO_OWNER", "octo"),
            ("DRONE_REPO_NAME", "infra"),
            ("DRONE_REPO_LINK", "https://git.example.com/octo/infra"),
            ("DRONE_COMMIT_SHA", "dronesha"),
            ("DRONE_BUILD_NUMBER", "88"),
            (
                "DRONE_BUILD_LINK",
                "https://drone.example.com/octo/infra/88",
            ),
            ("DRONE_STAGE_NAME", "default"),
            ("DRONE_STEP_NAME", "plan"),
        ]);
        env.extend(vars(extra));
        env
    }

    fn expected() -> CiEnv {
        CiEnv {
            platform: Platform::Drone,
            owner: s("octo"),
            repo: s("infra"),
            sha: s("dronesha"),
            build_url: s("https://drone.example.com/octo/infra/88"),
            job: Job {
                workflow: s("default"),
                name: s("plan"),
                run_id: s("88"),
                run_attempt: None,
            },
            server_url: s("https://git.example.com"),
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
                ("DRONE_BUILD_EVENT", "pull_request"),
                ("DRONE_PULL_REQUEST", "19"),
                ("DRONE_SOURCE_BRANCH", "feature"),
                ("DRONE_TARGET_BRANCH", "main"),
                ("DRONE_BRANCH", "main"),
            ],
            &CiEnv {
                pr_number: Some(19),
                branch: s("feature"),
                event: s("pull_request"),
                ..expected()
            },
        );
    }

    #[test]
    fn push_build() {
        case(
            &[("DRONE_BUILD_EVENT", "push"), ("DRONE_BRANCH", "main")],
            &CiEnv {
                branch: s("main"),
                event: s("push"),
                ..expected()
            },
        );
    }

    #[test]
    fn wins_over_leaked_jenkins_names() {
        let env = recorded(&[("JENKINS_URL", "https://j/")]);
        assert_eq!(detect(&env).platform, Platform::Drone);
    }
}
