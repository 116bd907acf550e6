//! AWS `CodeBuild`. PR builds carry `pr/N` in `CODEBUILD_SOURCE_VERSION` (when started by a
//! webhook) or `CODEBUILD_WEBHOOK_TRIGGER`; the repository comes from the source URL, which
//! may be GitHub, GitHub Enterprise, GitLab or Bitbucket.

use super::vars::{get, parse_repo_url, strip_heads};
use super::{CiEnv, Detector, Env, Job, Platform};

pub(super) const DETECTOR: Detector = Detector {
    platform: Platform::CodeBuild,
    id: "codebuild",
    label: "AWS CodeBuild",
    aliases: &["aws-codebuild"],
    is_present: |env| {
        get(env, "CODEBUILD_BUILD_ID").is_some() || get(env, "CODEBUILD_CI").is_some()
    },
    read,
};

fn read(env: &dyn Env) -> CiEnv {
    let mut ci = CiEnv::new(Platform::CodeBuild);
    ci.pr_number = ["CODEBUILD_SOURCE_VERSION", "CODEBUILD_WEBHOOK_TRIGGER"]
        .iter()
        .filter_map(|name| get(env, name))
        .find_map(|value| value.strip_prefix("pr/").and_then(|n| n.parse().ok()))
        .filter(|number| *number > 0);
    if let Some(url) = get(env, "CODEBUILD_SOURCE_REPO_URL") {
        if let Some(parsed) = parse_repo_url(&url).filter(|u| !u.server_url.contains("codecommit"))
        {
            ci.owner = Some(parsed.owner);
            ci.repo = Some(parsed.repo);
            ci.server_url = Some(parsed.server_url);
        } else if url.contains("codecommit") {
            // CodeCommit URLs are `…/v1/repos/<name>`: there is no owner.
            ci.repo = url
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .map(str::to_owned);
        }
    }
    ci.sha = get(env, "CODEBUILD_RESOLVED_SOURCE_VERSION");
    ci.build_url = get(env, "CODEBUILD_BUILD_URL");
    ci.branch = get(env, "CODEBUILD_WEBHOOK_HEAD_REF")
        .map(|head| strip_heads(&head))
        .or_else(|| {
            get(env, "CODEBUILD_WEBHOOK_TRIGGER")
                .and_then(|trigger| trigger.strip_prefix("branch/").map(str::to_owned))
        });
    ci.event = get(env, "CODEBUILD_WEBHOOK_EVENT");
    let build_id = get(env, "CODEBUILD_BUILD_ID");
    ci.job = Job {
        // the build id is `<project>:<uuid>`
        workflow: build_id
            .as_deref()
            .and_then(|id| id.split_once(':'))
            .map(|(project, _)| project.to_owned()),
        name: get(env, "CODEBUILD_BATCH_BUILD_IDENTIFIER"),
        run_id: build_id,
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

    const BUILD_URL: &str = concat!(
        "https://ap-northeast-1.console.aws.amazon.com/codesuite/codebuild",
        "/projects/tf-plan/build/tf-plan%3Aa1b2/log"
    );

    fn recorded(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut env = vars(&[
            ("CODEBUILD_CI", "true"),
            ("CODEBUILD_BUILD_ID", "tf-plan:a1b2"),
            ("CODEBUILD_BUILD_URL", BUILD_URL),
            (
                "CODEBUILD_SOURCE_REPO_URL",
                "https://github.com/octo/infra.git",
            ),
            ("CODEBUILD_RESOLVED_SOURCE_VERSION", "resolvedsha"),
        ]);
        env.extend(vars(extra));
        env
    }

    fn expected() -> CiEnv {
        CiEnv {
            platform: Platform::CodeBuild,
            owner: s("octo"),
            repo: s("infra"),
            sha: s("resolvedsha"),
            build_url: s(BUILD_URL),
            job: Job {
                workflow: s("tf-plan"),
                run_id: s("tf-plan:a1b2"),
                ..Job::default()
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
    fn webhook_pull_request_build() {
        case(
            &[
                ("CODEBUILD_SOURCE_VERSION", "pr/27"),
                ("CODEBUILD_WEBHOOK_TRIGGER", "pr/27"),
                ("CODEBUILD_WEBHOOK_EVENT", "PULL_REQUEST_UPDATED"),
                ("CODEBUILD_WEBHOOK_HEAD_REF", "refs/heads/feature"),
                ("CODEBUILD_WEBHOOK_BASE_REF", "refs/heads/main"),
            ],
            &CiEnv {
                pr_number: Some(27),
                branch: s("feature"),
                event: s("PULL_REQUEST_UPDATED"),
                ..expected()
            },
        );
    }

    #[test]
    fn pr_from_webhook_trigger_only() {
        // a build retried from the console keeps the trigger but has a sha source version
        case(
            &[
                ("CODEBUILD_SOURCE_VERSION", "resolvedsha"),
                ("CODEBUILD_WEBHOOK_TRIGGER", "pr/28"),
            ],
            &CiEnv {
                pr_number: Some(28),
                ..expected()
            },
        );
    }

    #[test]
    fn push_build() {
        case(
            &[
                ("CODEBUILD_SOURCE_VERSION", "refs/heads/main"),
                ("CODEBUILD_WEBHOOK_TRIGGER", "branch/main"),
                ("CODEBUILD_WEBHOOK_EVENT", "PUSH"),
            ],
            &CiEnv {
                branch: s("main"),
                event: s("PUSH"),
                ..expected()
            },
        );
    }

    #[test]
    fn codecommit_source_has_no_owner() {
        let ci = DETECTOR
            .detect(&recorded(&[(
                "CODEBUILD_SOURCE_REPO_URL",
                "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/infra",
            )]))
            .expect("present");
        assert_eq!((ci.owner, ci.repo, ci.server_url), (None, s("infra"), None));
    }

    #[test]
    fn wins_over_leaked_jenkins_names() {
        // a CodeBuild image built by Jenkins may keep JENKINS_* in its environment
        let env = recorded(&[("JENKINS_HOME", "/var/jenkins_home"), ("BUILD_NUMBER", "4")]);
        assert_eq!(detect(&env).platform, Platform::CodeBuild);
    }
}
