//! Woodpecker CI (the Drone fork common with Forgejo/Gitea). `CI_FORGE_TYPE` tells which
//! forge API to talk to, so the API base hint follows from it.

use super::vars::{first, get, github_api_url, pr_number, split_slug};
use super::{CiEnv, Detector, Env, Job, Platform};

pub(super) const DETECTOR: Detector = Detector {
    platform: Platform::Woodpecker,
    id: "woodpecker",
    label: "Woodpecker CI",
    aliases: &["woodpecker-ci"],
    is_present: |env| {
        get(env, "CI").is_some_and(|ci| ci == "woodpecker")
            || get(env, "CI_SYSTEM_NAME").is_some_and(|name| name == "woodpecker")
    },
    read,
};

fn read(env: &dyn Env) -> CiEnv {
    let mut ci = CiEnv::new(Platform::Woodpecker);
    ci.pr_number = pr_number(env, "CI_COMMIT_PULL_REQUEST", &mut ci.warnings);
    let slug = get(env, "CI_REPO").as_deref().and_then(split_slug);
    ci.owner = get(env, "CI_REPO_OWNER").or_else(|| slug.as_ref().map(|s| s.0.clone()));
    ci.repo = get(env, "CI_REPO_NAME").or_else(|| slug.map(|s| s.1));
    ci.sha = get(env, "CI_COMMIT_SHA");
    ci.build_url = get(env, "CI_PIPELINE_URL");
    ci.branch = first(env, &["CI_COMMIT_SOURCE_BRANCH", "CI_COMMIT_BRANCH"]);
    ci.event = get(env, "CI_PIPELINE_EVENT");
    ci.job = Job {
        workflow: get(env, "CI_WORKFLOW_NAME"),
        name: get(env, "CI_STEP_NAME"),
        run_id: get(env, "CI_PIPELINE_NUMBER"),
        run_attempt: None,
    };
    ci.server_url = get(env, "CI_FORGE_URL").map(|url| url.trim_end_matches('/').to_owned());
    ci.api_url = ci
        .server_url
        .as_deref()
        .and_then(|server| api_url(get(env, "CI_FORGE_TYPE").as_deref()?, server));
    ci
}

/// REST base for each forge Woodpecker supports.
fn api_url(forge_type: &str, server_url: &str) -> Option<String> {
    match forge_type {
        "github" => Some(github_api_url(server_url)),
        "gitlab" => Some(format!("{server_url}/api/v4")),
        "gitea" | "forgejo" => Some(format!("{server_url}/api/v1")),
        "bitbucket" => Some("https://api.bitbucket.org/2.0".to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::testing::{s, vars};
    use super::super::{CiEnv, Job, Platform, detect};
    use super::DETECTOR;

    fn recorded(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut env = vars(&[
            ("CI", "woodpecker"),
            ("CI_SYSTEM_NAME", "woodpecker"),
            ("CI_REPO", "team/infra"),
            ("CI_REPO_OWNER", "team"),
            ("CI_REPO_NAME", "infra"),
            ("CI_COMMIT_SHA", "woodsha"),
            ("CI_PIPELINE_NUMBER", "61"),
            (
                "CI_PIPELINE_URL",
                "https://ci.codeberg.org/repos/12/pipeline/61",
            ),
            ("CI_WORKFLOW_NAME", "terraform"),
            ("CI_STEP_NAME", "plan"),
            ("CI_FORGE_TYPE", "forgejo"),
            ("CI_FORGE_URL", "https://codeberg.org"),
        ]);
        env.extend(vars(extra));
        env
    }

    fn expected() -> CiEnv {
        CiEnv {
            platform: Platform::Woodpecker,
            owner: s("team"),
            repo: s("infra"),
            sha: s("woodsha"),
            build_url: s("https://ci.codeberg.org/repos/12/pipeline/61"),
            job: Job {
                workflow: s("terraform"),
                name: s("plan"),
                run_id: s("61"),
                run_attempt: None,
            },
            server_url: s("https://codeberg.org"),
            api_url: s("https://codeberg.org/api/v1"),
            ..CiEnv::default()
        }
    }

    #[track_caller]
    fn case(env: &[(&str, &str)], expected: &CiEnv) {
        assert_eq!(DETECTOR.detect(&recorded(env)).as_ref(), Some(expected));
    }

    #[test]
    fn pull_request_pipeline() {
        case(
            &[
                ("CI_PIPELINE_EVENT", "pull_request"),
                ("CI_COMMIT_PULL_REQUEST", "14"),
                ("CI_COMMIT_SOURCE_BRANCH", "feature"),
                ("CI_COMMIT_TARGET_BRANCH", "main"),
                ("CI_COMMIT_BRANCH", "main"),
            ],
            &CiEnv {
                pr_number: Some(14),
                branch: s("feature"),
                event: s("pull_request"),
                ..expected()
            },
        );
    }

    #[test]
    fn push_pipeline_on_github() {
        case(
            &[
                ("CI_PIPELINE_EVENT", "push"),
                ("CI_COMMIT_BRANCH", "main"),
                ("CI_FORGE_TYPE", "github"),
                ("CI_FORGE_URL", "https://github.com"),
            ],
            &CiEnv {
                branch: s("main"),
                event: s("push"),
                server_url: s("https://github.com"),
                api_url: s("https://api.github.com"),
                ..expected()
            },
        );
    }

    #[test]
    fn wins_over_drone_compatibility_names() {
        // older Woodpecker releases also exported Drone's names
        let env = recorded(&[("DRONE", "true"), ("DRONE_COMMIT_SHA", "woodsha")]);
        assert_eq!(detect(&env).platform, Platform::Woodpecker);
        // and a plain `CI=true` is nobody's marker
        assert_eq!(DETECTOR.detect(&vars(&[("CI", "true")])), None);
    }
}
