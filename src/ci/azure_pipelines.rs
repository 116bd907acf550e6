//! Azure Pipelines, for repositories in Azure Repos and on GitHub. The two differ: GitHub PRs
//! have a PR *number* (`…PULLREQUESTNUMBER`, the id is internal), Azure Repos PRs only an id
//! that is also their number; Azure Repos names the repo without owner, so the team project
//! stands in for the owner and the collection URI for the server.

use super::vars::{counter, first, get, parse_repo_url, pr_number, split_slug, strip_heads};
use super::{CiEnv, Detector, Env, Job, Platform};

pub(super) const DETECTOR: Detector = Detector {
    platform: Platform::AzurePipelines,
    id: "azure_pipelines",
    label: "Azure Pipelines",
    aliases: &["azure-pipelines", "azure-devops", "azure"],
    is_present: |env| get(env, "TF_BUILD").is_some(),
    read,
};

fn read(env: &dyn Env) -> CiEnv {
    let mut ci = CiEnv::new(Platform::AzurePipelines);
    let azure_repos = get(env, "BUILD_REPOSITORY_PROVIDER").is_some_and(|p| p == "TfsGit");
    let collection =
        get(env, "SYSTEM_COLLECTIONURI").map(|uri| uri.trim_end_matches('/').to_owned());
    let project = get(env, "SYSTEM_TEAMPROJECT");
    ci.pr_number = pr_number(
        env,
        "SYSTEM_PULLREQUEST_PULLREQUESTNUMBER",
        &mut ci.warnings,
    );
    if azure_repos {
        ci.pr_number = ci
            .pr_number
            .or_else(|| pr_number(env, "SYSTEM_PULLREQUEST_PULLREQUESTID", &mut ci.warnings));
        ci.owner.clone_from(&project);
        ci.repo = get(env, "BUILD_REPOSITORY_NAME");
        ci.server_url.clone_from(&collection);
    } else {
        if let Some((owner, repo)) = get(env, "BUILD_REPOSITORY_NAME")
            .as_deref()
            .and_then(split_slug)
        {
            ci.owner = Some(owner);
            ci.repo = Some(repo);
        }
        ci.server_url = get(env, "BUILD_REPOSITORY_URI")
            .and_then(|url| parse_repo_url(&url))
            .map(|url| url.server_url);
    }
    // PR builds check out a merge commit; the source commit is the PR head.
    ci.sha = first(
        env,
        &["SYSTEM_PULLREQUEST_SOURCECOMMITID", "BUILD_SOURCEVERSION"],
    );
    let build_id = get(env, "BUILD_BUILDID");
    ci.build_url = match (&collection, &project, &build_id) {
        (Some(collection), Some(project), Some(id)) => Some(format!(
            "{collection}/{}/_build/results?buildId={id}",
            encode_path_segment(project)
        )),
        _ => None,
    };
    ci.branch = first(
        env,
        &["SYSTEM_PULLREQUEST_SOURCEBRANCH", "BUILD_SOURCEBRANCH"],
    )
    .map(|branch| strip_heads(&branch));
    ci.event = get(env, "BUILD_REASON");
    ci.job = Job {
        workflow: get(env, "BUILD_DEFINITIONNAME"),
        name: first(env, &["SYSTEM_JOBDISPLAYNAME", "AGENT_JOBNAME"]),
        run_id: build_id,
        run_attempt: counter(env, "SYSTEM_JOBATTEMPT"),
    };
    ci
}

/// Team project names may contain spaces; the URL needs them escaped.
fn encode_path_segment(segment: &str) -> String {
    segment
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::testing::{s, vars};
    use super::super::{CiEnv, Job, Platform, detect};
    use super::DETECTOR;

    fn recorded(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut env = vars(&[
            ("TF_BUILD", "True"),
            ("SYSTEM_COLLECTIONURI", "https://dev.azure.com/contoso/"),
            ("SYSTEM_TEAMPROJECT", "Platform Team"),
            ("BUILD_BUILDID", "1207"),
            ("BUILD_DEFINITIONNAME", "terraform"),
            ("SYSTEM_JOBDISPLAYNAME", "Plan"),
            ("SYSTEM_JOBATTEMPT", "1"),
            ("BUILD_SOURCEVERSION", "mergesha"),
        ]);
        env.extend(vars(extra));
        env
    }

    const BUILD_URL: &str =
        "https://dev.azure.com/contoso/Platform%20Team/_build/results?buildId=1207";

    fn job() -> Job {
        Job {
            workflow: s("terraform"),
            name: s("Plan"),
            run_id: s("1207"),
            run_attempt: Some(1),
        }
    }

    #[track_caller]
    fn case(env: &[(&str, &str)], expected: &CiEnv) {
        assert_eq!(DETECTOR.detect(&recorded(env)).as_ref(), Some(expected));
    }

    #[test]
    fn github_pull_request() {
        case(
            &[
                ("BUILD_REPOSITORY_PROVIDER", "GitHub"),
                ("BUILD_REPOSITORY_NAME", "octo/infra"),
                ("BUILD_REPOSITORY_URI", "https://github.com/octo/infra"),
                ("BUILD_REASON", "PullRequest"),
                ("BUILD_SOURCEBRANCH", "refs/pull/88/merge"),
                ("SYSTEM_PULLREQUEST_PULLREQUESTID", "1733099882"),
                ("SYSTEM_PULLREQUEST_PULLREQUESTNUMBER", "88"),
                ("SYSTEM_PULLREQUEST_SOURCEBRANCH", "feature"),
                ("SYSTEM_PULLREQUEST_SOURCECOMMITID", "prheadsha"),
                ("SYSTEM_PULLREQUEST_TARGETBRANCH", "main"),
            ],
            &CiEnv {
                platform: Platform::AzurePipelines,
                owner: s("octo"),
                repo: s("infra"),
                pr_number: Some(88),
                sha: s("prheadsha"),
                build_url: s(BUILD_URL),
                branch: s("feature"),
                event: s("PullRequest"),
                job: job(),
                server_url: s("https://github.com"),
                ..CiEnv::default()
            },
        );
    }

    #[test]
    fn azure_repos_pull_request() {
        case(
            &[
                ("BUILD_REPOSITORY_PROVIDER", "TfsGit"),
                ("BUILD_REPOSITORY_NAME", "infra"),
                ("BUILD_REASON", "PullRequest"),
                ("SYSTEM_PULLREQUEST_PULLREQUESTID", "412"),
                ("SYSTEM_PULLREQUEST_SOURCEBRANCH", "refs/heads/feature"),
            ],
            &CiEnv {
                platform: Platform::AzurePipelines,
                owner: s("Platform Team"),
                repo: s("infra"),
                pr_number: Some(412),
                sha: s("mergesha"),
                build_url: s(BUILD_URL),
                branch: s("feature"),
                event: s("PullRequest"),
                job: job(),
                server_url: s("https://dev.azure.com/contoso"),
                ..CiEnv::default()
            },
        );
    }

    #[test]
    fn ci_build_on_main() {
        case(
            &[
                ("BUILD_REPOSITORY_PROVIDER", "GitHub"),
                ("BUILD_REPOSITORY_NAME", "octo/infra"),
                ("BUILD_REASON", "IndividualCI"),
                ("BUILD_SOURCEBRANCH", "refs/heads/main"),
                ("BUILD_SOURCEVERSION", "mainsha"),
            ],
            &CiEnv {
                platform: Platform::AzurePipelines,
                owner: s("octo"),
                repo: s("infra"),
                sha: s("mainsha"),
                build_url: s(BUILD_URL),
                branch: s("main"),
                event: s("IndividualCI"),
                job: job(),
                ..CiEnv::default()
            },
        );
    }

    #[test]
    fn wins_over_leaked_teamcity_names() {
        let env = recorded(&[
            ("TEAMCITY_VERSION", "2024.1"),
            ("BUILD_NUMBER", "20260101.1"),
        ]);
        assert_eq!(detect(&env).platform, Platform::AzurePipelines);
    }
}
