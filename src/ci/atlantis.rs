//! Atlantis custom workflow steps (`run: terraform plan … | tfnotify plan`). Atlantis sets the
//! PR's coordinates for every step; the PR lives in the base repository, which differs from
//! the head repository for forks. There is no build page, so no build URL.

use super::vars::{first, get, parse_repo_url, pr_number};
use super::{CiEnv, Detector, Env, Job, Platform};

pub(super) const DETECTOR: Detector = Detector {
    platform: Platform::Atlantis,
    id: "atlantis",
    label: "Atlantis",
    aliases: &[],
    is_present: |env| get(env, "ATLANTIS_TERRAFORM_VERSION").is_some(),
    read,
};

fn read(env: &dyn Env) -> CiEnv {
    let mut ci = CiEnv::new(Platform::Atlantis);
    ci.pr_number = pr_number(env, "PULL_NUM", &mut ci.warnings);
    ci.owner = first(env, &["BASE_REPO_OWNER", "HEAD_REPO_OWNER"]);
    ci.repo = first(env, &["BASE_REPO_NAME", "HEAD_REPO_NAME"]);
    ci.sha = get(env, "HEAD_COMMIT");
    ci.branch = get(env, "HEAD_BRANCH_NAME");
    ci.server_url = get(env, "PULL_URL")
        .and_then(|url| parse_repo_url(&url))
        .map(|url| url.server_url);
    ci.job = Job {
        workflow: get(env, "PROJECT_NAME"),
        name: get(env, "COMMAND_NAME"),
        run_id: None,
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
            ("ATLANTIS_TERRAFORM_VERSION", "1.9.8"),
            ("WORKSPACE", "default"),
            (
                "DIR",
                "/atlantis-data/repos/octo/infra/17/default/envs/prod",
            ),
            ("REPO_REL_DIR", "envs/prod"),
            ("PROJECT_NAME", "prod"),
            ("COMMAND_NAME", "plan"),
            ("BASE_REPO_OWNER", "octo"),
            ("BASE_REPO_NAME", "infra"),
            ("BASE_BRANCH_NAME", "main"),
            ("PULL_NUM", "17"),
            ("PULL_URL", "https://github.com/octo/infra/pull/17"),
            ("PULL_AUTHOR", "dev"),
            ("USER_NAME", "dev"),
        ]);
        env.extend(vars(extra));
        env
    }

    fn expected() -> CiEnv {
        CiEnv {
            platform: Platform::Atlantis,
            owner: s("octo"),
            repo: s("infra"),
            pr_number: Some(17),
            sha: s("headsha"),
            branch: s("feature"),
            job: Job {
                workflow: s("prod"),
                name: s("plan"),
                ..Job::default()
            },
            server_url: s("https://github.com"),
            ..CiEnv::default()
        }
    }

    #[test]
    fn pull_request_from_the_same_repository() {
        let env = recorded(&[
            ("HEAD_REPO_OWNER", "octo"),
            ("HEAD_REPO_NAME", "infra"),
            ("HEAD_BRANCH_NAME", "feature"),
            ("HEAD_COMMIT", "headsha"),
        ]);
        assert_eq!(DETECTOR.detect(&env), Some(expected()));
    }

    #[test]
    fn pull_request_from_a_fork_comments_on_the_base() {
        let env = recorded(&[
            ("HEAD_REPO_OWNER", "contributor"),
            ("HEAD_REPO_NAME", "infra-fork"),
            ("HEAD_BRANCH_NAME", "feature"),
            ("HEAD_COMMIT", "headsha"),
        ]);
        assert_eq!(DETECTOR.detect(&env), Some(expected()));
    }

    #[test]
    fn older_atlantis_without_base_names_and_no_pr() {
        // Atlantis always runs for a PR, but a step run by hand may lack PULL_NUM
        let env = vars(&[
            ("ATLANTIS_TERRAFORM_VERSION", "1.5.7"),
            ("HEAD_REPO_OWNER", "octo"),
            ("HEAD_REPO_NAME", "infra"),
            ("HEAD_COMMIT", "headsha"),
        ]);
        assert_eq!(
            DETECTOR.detect(&env),
            Some(CiEnv {
                platform: Platform::Atlantis,
                owner: s("octo"),
                repo: s("infra"),
                sha: s("headsha"),
                ..CiEnv::default()
            })
        );
    }

    #[test]
    fn wins_over_the_host_ci() {
        // Atlantis deployed on a runner that exports GitHub Actions variables
        let env = recorded(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REPOSITORY", "ops/atlantis"),
        ]);
        assert_eq!(detect(&env).platform, Platform::Atlantis);
    }
}
