//! `TeamCity`. Only a few values are environment variables (`BUILD_VCS_NUMBER`, project and
//! configuration names); the PR number, server URL, build id and VCS URL live in the build's
//! properties files, which `TEAMCITY_BUILD_PROPERTIES_FILE` points at, so we read those.
//!
//! Classic tfnotify took `BUILD_NUMBER` (the build counter) as the PR number and commented on
//! unrelated PRs; we never read it.

use std::collections::BTreeMap;
use std::path::Path;

use super::vars::{get, parse_repo_url, strip_heads};
use super::{CiEnv, Detector, Env, Job, Platform};

pub(super) const DETECTOR: Detector = Detector {
    platform: Platform::TeamCity,
    id: "teamcity",
    label: "TeamCity",
    aliases: &["team-city"],
    is_present: |env| get(env, "TEAMCITY_VERSION").is_some(),
    read,
};

fn read(env: &dyn Env) -> CiEnv {
    let mut ci = CiEnv::new(Platform::TeamCity);
    let props = build_properties(env, &mut ci.warnings);
    let prop = |key: &str| props.get(key).filter(|v| !v.is_empty()).cloned();
    ci.sha = get(env, "BUILD_VCS_NUMBER").or_else(|| prop("build.vcs.number"));
    ci.pr_number = prop("teamcity.pullRequest.number")
        .and_then(|value| {
            let parsed = value.parse().ok().filter(|n| *n > 0);
            if parsed.is_none() {
                ci.warnings.push(format!(
                    "ignoring `teamcity.pullRequest.number`=`{value}`: not a pull request number"
                ));
            }
            parsed
        })
        .or_else(|| {
            // Without the Pull Requests feature, PRs are built from a branch spec such as
            // `+:refs/pull/*/head`, and the branch is the only place the number shows.
            prop("teamcity.build.branch")
                .as_deref()
                .and_then(pr_from_branch)
        });
    if let Some(url) = prop("vcsroot.url").and_then(|url| parse_repo_url(&url)) {
        ci.owner = Some(url.owner);
        ci.repo = Some(url.repo);
        ci.server_url = Some(url.server_url);
    }
    let build_id = prop("teamcity.build.id");
    ci.build_url = prop("teamcity.serverUrl")
        .zip(build_id.clone())
        .map(|(server, id)| format!("{}/viewLog.html?buildId={id}", server.trim_end_matches('/')));
    ci.branch = prop("teamcity.pullRequest.source.branch")
        .or_else(|| prop("teamcity.build.branch"))
        .map(|branch| strip_heads(&branch));
    ci.job = Job {
        workflow: get(env, "TEAMCITY_PROJECT_NAME"),
        name: get(env, "TEAMCITY_BUILDCONF_NAME"),
        run_id: build_id,
        run_attempt: None,
    };
    ci
}

/// `pull/52` or `refs/pull/52/head` → 52.
fn pr_from_branch(branch: &str) -> Option<u64> {
    let rest = branch
        .strip_prefix("refs/pull/")
        .or_else(|| branch.strip_prefix("pull/"))?;
    rest.split('/').next()?.parse().ok().filter(|n| *n > 0)
}

/// The build's system properties merged with its configuration parameters (the second file
/// is named by `teamcity.configuration.properties.file` in the first). Missing files are
/// normal outside agent-run steps; unreadable ones are warnings.
fn build_properties(env: &dyn Env, warnings: &mut Vec<String>) -> BTreeMap<String, String> {
    let mut props = BTreeMap::new();
    let Some(path) = get(env, "TEAMCITY_BUILD_PROPERTIES_FILE") else {
        return props;
    };
    read_properties(env, &path, &mut props, warnings);
    if let Some(config) = props.get("teamcity.configuration.properties.file").cloned() {
        read_properties(env, &config, &mut props, warnings);
    }
    props
}

fn read_properties(
    env: &dyn Env,
    path: &str,
    props: &mut BTreeMap<String, String>,
    warnings: &mut Vec<String>,
) {
    match env.read_file(Path::new(path)) {
        Ok(text) => props.extend(parse_properties(&text)),
        Err(err) => warnings.push(format!("cannot read TeamCity properties `{path}`: {err}")),
    }
}

/// Java `.properties` as `TeamCity` writes them: `key=value` lines, `#` comments, and `\`
/// escapes (`\:` is how every URL comes out).
fn parse_properties(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim_start)
        .filter(|line| !line.is_empty() && !line.starts_with('#') && !line.starts_with('!'))
        .filter_map(|line| {
            let split = split_unescaped(line)?;
            Some((
                unescape(line[..split].trim_end()),
                unescape(line[split + 1..].trim_start()),
            ))
        })
        .collect()
}

/// Index of the first `=` or `:` not preceded by a backslash.
fn split_unescaped(line: &str) -> Option<usize> {
    let mut escaped = false;
    for (index, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '=' | ':' => return Some(index),
            _ => {}
        }
    }
    None
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                if let Some(decoded) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(decoded);
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{s, vars};
    use super::super::{CiEnv, Job, MapEnv, Platform, detect};
    use super::{DETECTOR, parse_properties};

    const BUILD_PROPS: &str = "/opt/buildagent/temp/buildTmp/teamcity.build123.properties";
    const CONFIG_PROPS: &str = "/opt/buildagent/temp/buildTmp/teamcity.config123.properties";

    fn recorded(extra: &[(&str, &str)], config: &str) -> MapEnv {
        let mut base = vars(&[
            ("TEAMCITY_VERSION", "2025.03 (build 186049)"),
            ("TEAMCITY_PROJECT_NAME", "Infra"),
            ("TEAMCITY_BUILDCONF_NAME", "Terraform Plan"),
            ("BUILD_NUMBER", "4711"),
            ("BUILD_VCS_NUMBER", "tcsha"),
            ("TEAMCITY_BUILD_PROPERTIES_FILE", BUILD_PROPS),
        ]);
        base.extend(vars(extra));
        let build = format!(
            "#TeamCity build properties without 'system.' prefix\n\
             teamcity.build.id=98765\n\
             teamcity.buildType.id=Infra_TerraformPlan\n\
             teamcity.configuration.properties.file={}\n",
            CONFIG_PROPS.replace(':', "\\:")
        );
        MapEnv::new(base)
            .with_file(BUILD_PROPS, build)
            .with_file(CONFIG_PROPS, config)
    }

    fn expected() -> CiEnv {
        CiEnv {
            platform: Platform::TeamCity,
            owner: s("octo"),
            repo: s("infra"),
            sha: s("tcsha"),
            build_url: s("https://teamcity.example.com/viewLog.html?buildId=98765"),
            job: Job {
                workflow: s("Infra"),
                name: s("Terraform Plan"),
                run_id: s("98765"),
                run_attempt: None,
            },
            server_url: s("https://github.com"),
            ..CiEnv::default()
        }
    }

    const COMMON: &str = "teamcity.serverUrl=https\\://teamcity.example.com\n\
                          vcsroot.url=https\\://github.com/octo/infra.git\n";

    #[test]
    fn pull_request_build_never_uses_build_number() {
        let config = format!(
            "{COMMON}teamcity.build.branch=pull/52\n\
             teamcity.pullRequest.number=52\n\
             teamcity.pullRequest.source.branch=refs/heads/feature\n"
        );
        assert_eq!(
            DETECTOR.detect(&recorded(&[], &config)),
            Some(CiEnv {
                pr_number: Some(52),
                branch: s("feature"),
                ..expected()
            })
        );
    }

    #[test]
    fn pull_request_from_a_branch_spec_without_the_pr_feature() {
        let config = format!("{COMMON}teamcity.build.branch=refs/pull/53/head\n");
        let ci = DETECTOR.detect(&recorded(&[], &config)).expect("present");
        assert_eq!(ci.pr_number, Some(53));
        assert_eq!(super::pr_from_branch("pull/54"), Some(54));
        assert_eq!(super::pr_from_branch("feature/pull"), None);
    }

    #[test]
    fn branch_build() {
        let config = format!("{COMMON}teamcity.build.branch=main\n");
        let ci = DETECTOR.detect(&recorded(&[], &config));
        assert_eq!(
            ci,
            Some(CiEnv {
                branch: s("main"),
                ..expected()
            })
        );
    }

    #[test]
    fn without_properties_only_env_values_and_no_pr() {
        let env = vars(&[
            ("TEAMCITY_VERSION", "2025.03"),
            ("BUILD_NUMBER", "4711"),
            ("BUILD_VCS_NUMBER", "tcsha"),
        ]);
        assert_eq!(
            DETECTOR.detect(&env),
            Some(CiEnv {
                platform: Platform::TeamCity,
                sha: s("tcsha"),
                ..CiEnv::default()
            })
        );
        // a listed but missing file is a warning
        let env = MapEnv::new(env).with_var("TEAMCITY_BUILD_PROPERTIES_FILE", "/nope");
        let ci = DETECTOR.detect(&env).expect("present");
        assert_eq!(ci.warnings.len(), 1, "{:?}", ci.warnings);
    }

    #[test]
    fn wins_over_jenkins_and_cloud_build_guesses() {
        let env = recorded(
            &[
                ("JENKINS_HOME", "/var/jenkins"),
                ("BUILD_ID", "1"),
                ("PROJECT_ID", "p"),
            ],
            COMMON,
        );
        assert_eq!(detect(&env).platform, Platform::TeamCity);
    }

    #[test]
    fn properties_format() {
        let props = parse_properties(
            "# comment\n! also comment\nurl=https\\://x.example\\:8111/a\n\
             key : value \nsp\\ ace=\\u00e9\nnoval\n",
        );
        assert_eq!(
            props.get("url").map(String::as_str),
            Some("https://x.example:8111/a")
        );
        assert_eq!(props.get("key").map(String::as_str), Some("value "));
        assert_eq!(props.get("sp ace").map(String::as_str), Some("é"));
        assert_eq!(props.len(), 3);
    }
}
