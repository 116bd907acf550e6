//! Bitbucket Pipelines (Bitbucket Cloud only, so the hosts are fixed). The build link is
//! assembled from the repository and build number because Bitbucket exports no URL for it.

use super::vars::{get, pr_number, split_slug};
use super::{CiEnv, Detector, Env, Job, Platform};

pub(super) const DETECTOR: Detector = Detector {
    platform: Platform::BitbucketPipelines,
    id: "bitbucket_pipelines",
    label: "Bitbucket Pipelines",
    aliases: &["bitbucket-pipelines", "bitbucket"],
    is_present: |env| get(env, "BITBUCKET_BUILD_NUMBER").is_some(),
    read,
};

fn read(env: &dyn Env) -> CiEnv {
    let mut ci = CiEnv::new(Platform::BitbucketPipelines);
    ci.pr_number = pr_number(env, "BITBUCKET_PR_ID", &mut ci.warnings);
    if let Some((owner, repo)) = get(env, "BITBUCKET_REPO_FULL_NAME")
        .as_deref()
        .and_then(split_slug)
    {
        ci.owner = Some(owner);
        ci.repo = Some(repo);
    } else {
        ci.owner = get(env, "BITBUCKET_WORKSPACE").or_else(|| get(env, "BITBUCKET_REPO_OWNER"));
        ci.repo = get(env, "BITBUCKET_REPO_SLUG");
    }
    ci.sha = get(env, "BITBUCKET_COMMIT");
    let build_number = get(env, "BITBUCKET_BUILD_NUMBER");
    ci.build_url = match (&ci.owner, &ci.repo, &build_number) {
        (Some(owner), Some(repo), Some(number)) => Some(format!(
            "https://bitbucket.org/{owner}/{repo}/pipelines/results/{number}"
        )),
        _ => None,
    };
    ci.branch = get(env, "BITBUCKET_BRANCH");
    ci.job = Job {
        workflow: None,
        name: get(env, "BITBUCKET_STEP_UUID"),
        run_id: build_number,
        run_attempt: None,
    };
    ci.server_url = Some("https://bitbucket.org".to_owned());
    ci.api_url = Some("https://api.bitbucket.org/2.0".to_owned());
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
            ("BITBUCKET_BUILD_NUMBER", "145"),
            ("BITBUCKET_WORKSPACE", "acme"),
            ("BITBUCKET_REPO_SLUG", "infra"),
            ("BITBUCKET_REPO_FULL_NAME", "acme/infra"),
            ("BITBUCKET_COMMIT", "bbsha"),
            ("BITBUCKET_STEP_UUID", "{3c1e-uuid}"),
            ("BITBUCKET_PIPELINE_UUID", "{77aa-uuid}"),
            (
                "BITBUCKET_GIT_HTTP_ORIGIN",
                "http://bitbucket.org/acme/infra",
            ),
        ]);
        env.extend(vars(extra));
        env
    }

    fn expected(branch: &str) -> CiEnv {
        CiEnv {
            platform: Platform::BitbucketPipelines,
            owner: s("acme"),
            repo: s("infra"),
            sha: s("bbsha"),
            build_url: s("https://bitbucket.org/acme/infra/pipelines/results/145"),
            branch: s(branch),
            job: Job {
                name: s("{3c1e-uuid}"),
                run_id: s("145"),
                ..Job::default()
            },
            server_url: s("https://bitbucket.org"),
            api_url: s("https://api.bitbucket.org/2.0"),
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
                ("BITBUCKET_PR_ID", "26"),
                ("BITBUCKET_BRANCH", "feature"),
                ("BITBUCKET_PR_DESTINATION_BRANCH", "main"),
            ],
            &CiEnv {
                pr_number: Some(26),
                ..expected("feature")
            },
        );
    }

    #[test]
    fn branch_pipeline() {
        case(&[("BITBUCKET_BRANCH", "main")], &expected("main"));
    }

    #[test]
    fn wins_over_leaked_jenkins_names() {
        let env = recorded(&[
            ("JENKINS_HOME", "/var/jenkins"),
            ("BITBUCKET_BRANCH", "main"),
        ]);
        assert_eq!(detect(&env).platform, Platform::BitbucketPipelines);
    }
}
