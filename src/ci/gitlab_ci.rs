//! GitLab CI (gitlab.com and self-managed). `CI_SERVER_URL` and `CI_API_V4_URL` make
//! self-managed instances work without config; nested groups stay in the owner.

use super::vars::{first, get, pr_number, split_slug};
use super::{CiEnv, Detector, Env, Job, Platform};

pub(super) const DETECTOR: Detector = Detector {
    platform: Platform::GitLabCi,
    id: "gitlab_ci",
    label: "GitLab CI",
    aliases: &["gitlabci", "gitlab-ci", "gitlab"],
    is_present: |env| get(env, "GITLAB_CI").is_some(),
    read,
};

fn read(env: &dyn Env) -> CiEnv {
    let mut ci = CiEnv::new(Platform::GitLabCi);
    ci.pr_number = pr_number(env, "CI_MERGE_REQUEST_IID", &mut ci.warnings).or_else(|| {
        // classic tfnotify's fallback, for pipelines that only expose the ref path
        get(env, "CI_MERGE_REQUEST_REF_PATH")
            .as_deref()
            .and_then(mr_from_ref_path)
    });
    // Notes go to the MR's project, which for fork MRs is not the project running the job.
    let project = if ci.pr_number.is_some() {
        first(env, &["CI_MERGE_REQUEST_PROJECT_PATH", "CI_PROJECT_PATH"])
    } else {
        get(env, "CI_PROJECT_PATH")
    };
    if ci.pr_number.is_none() {
        // A branch pipeline of a branch with an open MR names it, saving an API lookup.
        ci.pr_number = get(env, "CI_OPEN_MERGE_REQUESTS")
            .zip(project.as_deref())
            .and_then(|(list, path)| open_mr_of(&list, path));
    }
    if let Some((owner, repo)) = project.as_deref().and_then(split_slug) {
        ci.owner = Some(owner);
        ci.repo = Some(repo);
    } else {
        ci.owner = get(env, "CI_PROJECT_NAMESPACE");
        ci.repo = get(env, "CI_PROJECT_NAME");
    }
    // Merged-results pipelines build a synthetic merge commit; the MR head is the source sha.
    ci.sha = first(
        env,
        &["CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", "CI_COMMIT_SHA"],
    );
    ci.build_url = first(env, &["CI_JOB_URL", "CI_PIPELINE_URL"]);
    ci.branch = first(
        env,
        &[
            "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
            "CI_COMMIT_BRANCH",
            "CI_COMMIT_REF_NAME",
        ],
    );
    ci.event = get(env, "CI_PIPELINE_SOURCE");
    ci.job = Job {
        workflow: get(env, "CI_PIPELINE_NAME"),
        name: get(env, "CI_JOB_NAME"),
        run_id: get(env, "CI_PIPELINE_ID"),
        run_attempt: None,
    };
    ci.server_url = get(env, "CI_SERVER_URL").map(|url| url.trim_end_matches('/').to_owned());
    ci.api_url = get(env, "CI_API_V4_URL")
        .map(|url| url.trim_end_matches('/').to_owned())
        .or_else(|| {
            ci.server_url
                .as_ref()
                .map(|server| format!("{server}/api/v4"))
        });
    ci
}

/// The IID of the first MR of `project` in `CI_OPEN_MERGE_REQUESTS`
/// (`group/app!12,upstream/app!3`); an MR of another project (a fork's upstream) is not
/// one this project's notes can go to.
fn open_mr_of(list: &str, project: &str) -> Option<u64> {
    list.split(',').find_map(|entry| {
        let (path, iid) = entry.trim().rsplit_once('!')?;
        (path == project).then(|| iid.parse().ok()).flatten()
    })
}

/// `refs/merge-requests/12/head` → 12.
fn mr_from_ref_path(path: &str) -> Option<u64> {
    path.strip_prefix("refs/merge-requests/")?
        .split('/')
        .next()?
        .parse()
        .ok()
        .filter(|number| *number > 0)
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
            ("GITLAB_CI", "true"),
            ("CI_SERVER_URL", "https://gitlab.example.com"),
            ("CI_API_V4_URL", "https://gitlab.example.com/api/v4"),
            ("CI_PROJECT_PATH", "platform/infra/terraform"),
            ("CI_PROJECT_NAMESPACE", "platform/infra"),
            ("CI_PROJECT_NAME", "terraform"),
            ("CI_PIPELINE_ID", "5001"),
            ("CI_JOB_NAME", "plan"),
            (
                "CI_JOB_URL",
                "https://gitlab.example.com/platform/infra/terraform/-/jobs/77",
            ),
            ("CI_COMMIT_SHA", "commitsha"),
        ]);
        env.extend(vars(extra));
        env
    }

    fn expected() -> CiEnv {
        CiEnv {
            platform: Platform::GitLabCi,
            owner: s("platform/infra"),
            repo: s("terraform"),
            sha: s("commitsha"),
            build_url: s("https://gitlab.example.com/platform/infra/terraform/-/jobs/77"),
            job: Job {
                workflow: None,
                name: s("plan"),
                run_id: s("5001"),
                run_attempt: None,
            },
            server_url: s("https://gitlab.example.com"),
            api_url: s("https://gitlab.example.com/api/v4"),
            ..CiEnv::default()
        }
    }

    #[track_caller]
    fn case(env: &[(&str, &str)], expected: &CiEnv) {
        assert_eq!(DETECTOR.detect(&recorded(env)).as_ref(), Some(expected));
    }

    #[test]
    fn merge_request_pipeline() {
        case(
            &[
                ("CI_PIPELINE_SOURCE", "merge_request_event"),
                ("CI_MERGE_REQUEST_IID", "42"),
                ("CI_MERGE_REQUEST_ID", "987654"),
                ("CI_MERGE_REQUEST_PROJECT_PATH", "platform/infra/terraform"),
                ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature"),
                ("CI_MERGE_REQUEST_REF_PATH", "refs/merge-requests/42/head"),
                ("CI_COMMIT_REF_NAME", "feature"),
            ],
            &CiEnv {
                pr_number: Some(42),
                branch: s("feature"),
                event: s("merge_request_event"),
                ..expected()
            },
        );
    }

    #[test]
    fn merged_results_pipeline_from_a_fork() {
        case(
            &[
                ("CI_PIPELINE_SOURCE", "merge_request_event"),
                ("CI_PROJECT_PATH", "contributor/terraform"),
                ("CI_MERGE_REQUEST_IID", "43"),
                ("CI_MERGE_REQUEST_PROJECT_PATH", "platform/infra/terraform"),
                ("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", "mrheadsha"),
                ("CI_COMMIT_SHA", "mergedresultsha"),
            ],
            &CiEnv {
                pr_number: Some(43),
                sha: s("mrheadsha"),
                event: s("merge_request_event"),
                ..expected()
            },
        );
    }

    #[test]
    fn branch_pipeline() {
        case(
            &[
                ("CI_PIPELINE_SOURCE", "push"),
                ("CI_COMMIT_BRANCH", "main"),
                ("CI_COMMIT_REF_NAME", "main"),
                ("CI_PIPELINE_NAME", "deploy"),
            ],
            &CiEnv {
                branch: s("main"),
                event: s("push"),
                job: Job {
                    workflow: s("deploy"),
                    ..expected().job
                },
                ..expected()
            },
        );
    }

    #[test]
    fn a_branch_pipeline_takes_its_open_merge_request_of_the_same_project() {
        case(
            &[
                ("CI_PIPELINE_SOURCE", "push"),
                (
                    "CI_OPEN_MERGE_REQUESTS",
                    "upstream/terraform!3,platform/infra/terraform!12",
                ),
            ],
            &CiEnv {
                pr_number: Some(12),
                event: s("push"),
                ..expected()
            },
        );
        case(
            &[("CI_OPEN_MERGE_REQUESTS", "upstream/terraform!3")],
            &expected(),
        );
    }

    #[test]
    fn classic_ref_path_fallback_and_derived_api_url() {
        case(
            &[
                ("CI_MERGE_REQUEST_REF_PATH", "refs/merge-requests/7/head"),
                ("CI_API_V4_URL", ""),
            ],
            &CiEnv {
                pr_number: Some(7),
                ..expected()
            },
        );
    }

    #[test]
    fn garbage_iid_is_a_warning() {
        let ci = DETECTOR
            .detect(&recorded(&[("CI_MERGE_REQUEST_IID", "abc")]))
            .expect("present");
        assert_eq!(ci.pr_number, None);
        assert_eq!(
            ci.warnings,
            ["ignoring `CI_MERGE_REQUEST_IID`=`abc`: not a pull request number"]
        );
    }

    #[test]
    fn gitlab_wins_over_leaked_jenkins_and_woodpecker_names() {
        // CI_COMMIT_SHA is shared with Woodpecker; only the markers decide
        let env = recorded(&[("JENKINS_URL", "https://jenkins/"), ("BUILD_ID", "3")]);
        assert_eq!(detect(&env).platform, Platform::GitLabCi);
        let woodpecker = vars(&[("CI", "woodpecker"), ("CI_COMMIT_SHA", "x")]);
        assert_eq!(DETECTOR.detect(&woodpecker), None);
    }
}
