//! Google Cloud Build. It exports nothing by itself: steps see substitutions only when the
//! build config passes them with `env:` (`COMMIT_SHA=$COMMIT_SHA`, `_PR_NUMBER=$_PR_NUMBER`,
//! …), as classic tfnotify's docs told users to. So the marker is tfcmt's
//! `GOOGLE_CLOUD_BUILD`, or `BUILD_ID` together with `PROJECT_ID`.

use super::vars::{first, get, parse_repo_url, pr_number, split_slug};
use super::{CiEnv, Detector, Env, Job, Platform};

pub(super) const DETECTOR: Detector = Detector {
    platform: Platform::CloudBuild,
    id: "cloud_build",
    label: "Google Cloud Build",
    aliases: &["cloud-build", "cloudbuild", "google-cloud-build"],
    is_present: |env| {
        get(env, "GOOGLE_CLOUD_BUILD").is_some()
            || (get(env, "BUILD_ID").is_some() && get(env, "PROJECT_ID").is_some())
    },
    read,
};

const CONSOLE: &str = "https://console.cloud.google.com";

fn read(env: &dyn Env) -> CiEnv {
    let mut ci = CiEnv::new(Platform::CloudBuild);
    ci.pr_number = pr_number(env, "_PR_NUMBER", &mut ci.warnings);
    if let Some((owner, repo)) = get(env, "REPO_FULL_NAME").as_deref().and_then(split_slug) {
        ci.owner = Some(owner);
        ci.repo = Some(repo);
    } else if let Some(url) = get(env, "_HEAD_REPO_URL").and_then(|url| parse_repo_url(&url)) {
        ci.owner = Some(url.owner);
        ci.repo = Some(url.repo);
        ci.server_url = Some(url.server_url);
    } else {
        ci.repo = get(env, "REPO_NAME");
    }
    ci.sha = get(env, "COMMIT_SHA");
    ci.build_url = build_url(env);
    ci.branch = first(env, &["_HEAD_BRANCH", "BRANCH_NAME"]);
    ci.job = Job {
        workflow: get(env, "TRIGGER_NAME"),
        name: None,
        run_id: get(env, "BUILD_ID"),
        run_attempt: None,
    };
    ci
}

/// The console link, regional when the build ran in a region. `_REGION` is the classic
/// tfnotify substitution; `LOCATION` is Cloud Build's own; `global` is the default pool.
fn build_url(env: &dyn Env) -> Option<String> {
    let build_id = get(env, "BUILD_ID")?;
    let project = get(env, "PROJECT_ID")?;
    let region =
        first(env, &["_REGION", "LOCATION", "REGION"]).unwrap_or_else(|| "global".to_owned());
    Some(format!(
        "{CONSOLE}/cloud-build/builds;region={region}/{build_id}?project={project}"
    ))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::testing::{s, vars};
    use super::super::{CiEnv, Job, Platform, detect};
    use super::DETECTOR;

    fn recorded(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut env = vars(&[
            ("BUILD_ID", "0f3c-uuid"),
            ("PROJECT_ID", "infra-prod"),
            ("COMMIT_SHA", "gcbsha"),
            ("REPO_FULL_NAME", "octo/infra"),
            ("REPO_NAME", "infra"),
            ("TRIGGER_NAME", "tf-plan"),
        ]);
        env.extend(vars(extra));
        env
    }

    fn expected(region: &str) -> CiEnv {
        CiEnv {
            platform: Platform::CloudBuild,
            owner: s("octo"),
            repo: s("infra"),
            sha: s("gcbsha"),
            build_url: Some(format!(
                "https://console.cloud.google.com/cloud-build/builds;region={region}/0f3c-uuid\
                 ?project=infra-prod"
            )),
            job: Job {
                workflow: s("tf-plan"),
                run_id: s("0f3c-uuid"),
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
    fn pull_request_build_in_a_region() {
        case(
            &[
                ("_PR_NUMBER", "64"),
                ("_HEAD_BRANCH", "feature"),
                ("_BASE_BRANCH", "main"),
                ("LOCATION", "asia-northeast1"),
            ],
            &CiEnv {
                pr_number: Some(64),
                branch: s("feature"),
                ..expected("asia-northeast1")
            },
        );
    }

    #[test]
    fn push_build_global_and_classic_region_substitution() {
        case(
            &[("BRANCH_NAME", "main")],
            &CiEnv {
                branch: s("main"),
                ..expected("global")
            },
        );
        case(
            &[("_REGION", "us-central1"), ("LOCATION", "europe-west1")],
            &expected("us-central1"),
        );
    }

    #[test]
    fn tfcmt_marker_alone_is_enough() {
        let env = vars(&[
            ("GOOGLE_CLOUD_BUILD", "true"),
            ("COMMIT_SHA", "x"),
            ("_PR_NUMBER", "3"),
        ]);
        let ci = DETECTOR.detect(&env).expect("present");
        assert_eq!((ci.pr_number, ci.build_url), (Some(3), None));
        assert_eq!(DETECTOR.detect(&vars(&[("BUILD_ID", "1")])), None);
    }

    #[test]
    fn loses_to_jenkins_which_also_sets_build_id() {
        let env = recorded(&[("JENKINS_URL", "https://j/")]);
        assert_eq!(detect(&env).platform, Platform::Jenkins);
        assert_eq!(detect(&recorded(&[])).platform, Platform::CloudBuild);
    }
}
