//! Jenkins, with the plugins that put PR data in the environment: GitHub/GitLab/Bitbucket
//! Branch Source (multibranch: `CHANGE_ID`, `CHANGE_URL`), the GitLab plugin
//! (`gitlabMergeRequestIid`, …), the GitHub Pull Request Builder (`ghprbPullId`, …) and the
//! plain git plugin (`GIT_COMMIT`, `GIT_URL`).
//!
//! Classic tfnotify fell back to `gitlabBefore` for the sha, which is the commit *before* the
//! push; we use `gitlabAfter` instead.

use super::vars::{RepoUrl, first, get, parse_repo_url, pr_number, trailing_number};
use super::{CiEnv, Detector, Env, Job, Platform};

pub(super) const DETECTOR: Detector = Detector {
    platform: Platform::Jenkins,
    id: "jenkins",
    label: "Jenkins",
    aliases: &["jenkins-ci"],
    is_present: |env| get(env, "JENKINS_URL").is_some() || get(env, "JENKINS_HOME").is_some(),
    read,
};

fn read(env: &dyn Env) -> CiEnv {
    let mut ci = CiEnv::new(Platform::Jenkins);
    ci.pr_number = [
        "CHANGE_ID",
        "ghprbPullId",
        "gitlabMergeRequestIid",
        "PULL_REQUEST_NUMBER",
    ]
    .iter()
    .find_map(|name| pr_number(env, name, &mut ci.warnings))
    .or_else(|| {
        get(env, "PULL_REQUEST_URL")
            .as_deref()
            .and_then(trailing_number)
    });
    // The repository the PR lives in: from the change URL, the MR target, ghprb's slug, then
    // whatever was checked out.
    let repo = get(env, "CHANGE_URL")
        .as_deref()
        .and_then(repo_from_change_url)
        .or_else(|| get(env, "gitlabTargetRepoHttpUrl").and_then(|url| parse_repo_url(&url)))
        .or_else(|| ghprb_repo(env))
        .or_else(|| get(env, "GIT_URL").and_then(|url| parse_repo_url(&url)));
    if let Some(repo) = repo {
        ci.owner = Some(repo.owner);
        ci.repo = Some(repo.repo);
        ci.server_url = Some(repo.server_url);
    }
    if get(env, "gitlabActionType").is_some() {
        ci.api_url = ci
            .server_url
            .as_ref()
            .map(|server| format!("{server}/api/v4"));
    }
    ci.sha = first(
        env,
        &[
            "ghprbActualCommit",
            "gitlabMergeRequestLastCommit",
            "GIT_COMMIT",
            "gitlabAfter",
        ],
    );
    ci.build_url = get(env, "BUILD_URL");
    ci.branch = first(
        env,
        &[
            "CHANGE_BRANCH",
            "gitlabSourceBranch",
            "ghprbSourceBranch",
            "BRANCH_NAME",
            "GIT_BRANCH",
        ],
    )
    .map(|branch| {
        let branch = branch.strip_prefix("origin/").unwrap_or(&branch);
        branch
            .strip_prefix("refs/heads/")
            .unwrap_or(branch)
            .to_owned()
    });
    ci.event = get(env, "gitlabActionType");
    ci.job = Job {
        workflow: get(env, "JOB_NAME"),
        name: get(env, "STAGE_NAME"),
        run_id: get(env, "BUILD_NUMBER"),
        run_attempt: None,
    };
    ci
}

/// Cuts a PR web URL at the forge's PR path: GitHub `/pull/N`, GitLab `/-/merge_requests/N`,
/// Bitbucket Cloud `/pull-requests/N`, Bitbucket Server `/pull-requests/N/overview`.
fn repo_from_change_url(url: &str) -> Option<RepoUrl> {
    ["/-/merge_requests/", "/pull-requests/", "/pulls/", "/pull/"]
        .iter()
        .find_map(|marker| url.find(marker).map(|at| &url[..at]))
        .and_then(parse_repo_url)
}

/// ghprb exports `owner/repo` plus the PR link, which gives the host.
fn ghprb_repo(env: &dyn Env) -> Option<RepoUrl> {
    let (owner, repo) = get(env, "ghprbGhRepository")?
        .split_once('/')
        .map(|(o, r)| (o.to_owned(), r.to_owned()))?;
    let server_url = get(env, "ghprbPullLink")
        .as_deref()
        .and_then(repo_from_change_url)
        .map_or_else(|| "https://github.com".to_owned(), |url| url.server_url);
    Some(RepoUrl {
        server_url,
        owner,
        repo,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::testing::{s, vars};
    use super::super::{CiEnv, Job, Platform, detect};
    use super::DETECTOR;

    fn recorded(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut env = vars(&[
            ("JENKINS_URL", "https://jenkins.example.com/"),
            ("JENKINS_HOME", "/var/jenkins_home"),
            ("BUILD_NUMBER", "57"),
            ("BUILD_ID", "57"),
            ("EXECUTOR_NUMBER", "1"),
        ]);
        env.extend(vars(extra));
        env
    }

    #[track_caller]
    fn case(env: &[(&str, &str)], expected: &CiEnv) {
        assert_eq!(DETECTOR.detect(&recorded(env)).as_ref(), Some(expected));
    }

    fn job(name: &str) -> Job {
        Job {
            workflow: s(name),
            name: s("Plan"),
            run_id: s("57"),
            run_attempt: None,
        }
    }

    #[test]
    fn multibranch_github_pull_request() {
        case(
            &[
                ("JOB_NAME", "infra/PR-21"),
                ("STAGE_NAME", "Plan"),
                (
                    "BUILD_URL",
                    "https://jenkins.example.com/job/infra/job/PR-21/57/",
                ),
                ("BRANCH_NAME", "PR-21"),
                ("CHANGE_ID", "21"),
                (
                    "CHANGE_URL",
                    "https://github.example.com/octo/infra/pull/21",
                ),
                ("CHANGE_BRANCH", "feature"),
                ("CHANGE_TARGET", "main"),
                ("GIT_COMMIT", "jenkinssha"),
                ("GIT_URL", "https://github.example.com/octo/infra.git"),
            ],
            &CiEnv {
                platform: Platform::Jenkins,
                owner: s("octo"),
                repo: s("infra"),
                pr_number: Some(21),
                sha: s("jenkinssha"),
                build_url: s("https://jenkins.example.com/job/infra/job/PR-21/57/"),
                branch: s("feature"),
                job: job("infra/PR-21"),
                server_url: s("https://github.example.com"),
                ..CiEnv::default()
            },
        );
    }

    #[test]
    fn gitlab_plugin_merge_request() {
        case(
            &[
                ("JOB_NAME", "tf-plan"),
                ("STAGE_NAME", "Plan"),
                ("BUILD_URL", "https://jenkins.example.com/job/tf-plan/57/"),
                ("gitlabActionType", "MERGE"),
                ("gitlabMergeRequestIid", "8"),
                ("gitlabMergeRequestId", "31337"),
                ("gitlabMergeRequestLastCommit", "mrsha"),
                ("gitlabSourceBranch", "feature"),
                ("gitlabTargetBranch", "main"),
                (
                    "gitlabTargetRepoHttpUrl",
                    "https://gitlab.example.com/group/sub/infra.git",
                ),
                ("gitlabBefore", "beforesha"),
                ("gitlabAfter", "aftersha"),
            ],
            &CiEnv {
                platform: Platform::Jenkins,
                owner: s("group/sub"),
                repo: s("infra"),
                pr_number: Some(8),
                sha: s("mrsha"),
                build_url: s("https://jenkins.example.com/job/tf-plan/57/"),
                branch: s("feature"),
                event: s("MERGE"),
                job: job("tf-plan"),
                server_url: s("https://gitlab.example.com"),
                api_url: s("https://gitlab.example.com/api/v4"),
                ..CiEnv::default()
            },
        );
    }

    #[test]
    fn branch_build_with_git_plugin() {
        case(
            &[
                ("JOB_NAME", "infra/main"),
                ("STAGE_NAME", "Plan"),
                (
                    "BUILD_URL",
                    "https://jenkins.example.com/job/infra/job/main/57/",
                ),
                ("BRANCH_NAME", "main"),
                ("GIT_BRANCH", "origin/main"),
                ("GIT_COMMIT", "mainsha"),
                ("GIT_URL", "git@github.com:octo/infra.git"),
            ],
            &CiEnv {
                platform: Platform::Jenkins,
                owner: s("octo"),
                repo: s("infra"),
                sha: s("mainsha"),
                build_url: s("https://jenkins.example.com/job/infra/job/main/57/"),
                branch: s("main"),
                job: job("infra/main"),
                server_url: s("https://github.com"),
                ..CiEnv::default()
            },
        );
    }

    #[test]
    fn classic_and_ghprb_variables() {
        let ci = DETECTOR
            .detect(&recorded(&[(
                "PULL_REQUEST_URL",
                "https://github.com/o/r/pull/99",
            )]))
            .expect("present");
        assert_eq!(ci.pr_number, Some(99));
        let ci = DETECTOR
            .detect(&recorded(&[
                ("ghprbPullId", "12"),
                ("ghprbActualCommit", "ghprbsha"),
                ("ghprbGhRepository", "octo/infra"),
                ("ghprbPullLink", "https://github.com/octo/infra/pull/12"),
                ("GIT_COMMIT", "mergesha"),
            ]))
            .expect("present");
        assert_eq!(
            (ci.pr_number, ci.sha, ci.owner, ci.repo, ci.server_url),
            (
                Some(12),
                s("ghprbsha"),
                s("octo"),
                s("infra"),
                s("https://github.com")
            )
        );
    }

    #[test]
    fn loses_to_a_hosted_ci_marker() {
        // a Jenkins-built image run on GitLab keeps JENKINS_HOME; GitLab's marker wins
        let env = recorded(&[("GITLAB_CI", "true"), ("CI_PROJECT_PATH", "g/p")]);
        assert_eq!(detect(&env).platform, Platform::GitLabCi);
        // and Jenkins' BUILD_ID plus a user PROJECT_ID is still Jenkins, not Cloud Build
        let env = recorded(&[("PROJECT_ID", "my-gcp-project")]);
        assert_eq!(detect(&env).platform, Platform::Jenkins);
    }
}
