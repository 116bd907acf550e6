//! Overrides of detected values, from flags, `TFNOTIFY_*`/`TFCMT_*` env vars and config.
//!
//! Precedence, highest first: flags, env, config, detection. Each source is the same
//! plain-data [`Overrides`], so the settings stage merges them with [`Overrides::or`] instead
//! of copying field by field.

use super::vars::get;
use super::{CiEnv, Env, Error, Platform, detect, detect_as};

/// Values a user sets by hand, for CIs we don't detect or detect wrongly. `None` means "not
/// set here"; a set field replaces the detected one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Forces the platform (skips detection), like classic `ci:`.
    pub ci: Option<Platform>,
    /// Owner or namespace, for CIs that don't say (`TeamCity` without a VCS URL, Cloud Build).
    pub owner: Option<String>,
    /// A repository name, or `owner/name` (GitLab: `group/sub/name`) which also sets the
    /// owner unless `owner` is given.
    pub repo: Option<String>,
    /// PR number, for CIs that don't export it (`TeamCity` without the PR feature, a
    /// `workflow_dispatch` run that should still comment on a PR).
    pub pr: Option<u64>,
    /// Commit to report on when the CI's own value is a merge commit the forge doesn't know.
    pub sha: Option<String>,
    /// Link shown as `.Link`, for CIs without a build page or with a wrong one.
    pub build_url: Option<String>,
}

/// Env names per field, highest priority first: our own, then tfnotify v1's, then tfcmt's, so
/// existing pipelines keep working and `TFNOTIFY_*` always wins.
const OWNER_VARS: &[&str] = &["TFNOTIFY_OWNER", "TFNOTIFY_REPO_OWNER", "TFCMT_REPO_OWNER"];
const REPO_VARS: &[&str] = &["TFNOTIFY_REPO", "TFNOTIFY_REPO_NAME", "TFCMT_REPO_NAME"];
const PR_VARS: &[&str] = &["TFNOTIFY_PR", "TFNOTIFY_PR_NUMBER", "TFCMT_PR_NUMBER"];
const SHA_VARS: &[&str] = &["TFNOTIFY_SHA", "TFCMT_SHA"];
const BUILD_URL_VARS: &[&str] = &["TFNOTIFY_BUILD_URL"];
const CI_VARS: &[&str] = &["TFNOTIFY_CI"];

/// Reads the override variables. Only the winning variable of each field is parsed, and a
/// bad PR number or CI name is an error naming that variable: the user set it on purpose,
/// so silently ignoring it would post to the wrong place.
pub fn overrides_from_env(env: &dyn Env) -> Result<Overrides, Error> {
    let pr = match first_named(env, PR_VARS) {
        Some((name, value)) => Some(parse_pr(name, &value)?),
        None => None,
    };
    let ci = match first_named(env, CI_VARS) {
        Some((name, value)) => parse_ci(name, &value)?,
        None => None,
    };
    Ok(Overrides {
        ci,
        owner: first_named(env, OWNER_VARS).map(|(_, value)| value),
        repo: first_named(env, REPO_VARS).map(|(_, value)| value),
        pr,
        sha: first_named(env, SHA_VARS).map(|(_, value)| value),
        build_url: first_named(env, BUILD_URL_VARS).map(|(_, value)| value),
    })
}

/// Detection with every override applied: flags beat env, env beats config, and any of them
/// beats detection. A forced `ci` reads that platform's variables even without its marker.
pub fn resolve(env: &dyn Env, flags: Overrides, config: Overrides) -> Result<CiEnv, Error> {
    let merged = flags.or(overrides_from_env(env)?).or(config);
    let detected = match merged.ci {
        Some(platform) => detect_as(platform, env),
        None => detect(env),
    };
    Ok(merged.apply(detected))
}

/// Parses a PR number given by the user; `source_name` (`TFNOTIFY_PR`, `--pr`) goes into the
/// error. A leading `#` is accepted because people copy it from the web UI.
pub fn parse_pr(source_name: &str, value: &str) -> Result<u64, Error> {
    let trimmed = value.trim();
    let digits = trimmed.strip_prefix('#').unwrap_or(trimmed);
    digits
        .parse::<u64>()
        .ok()
        .filter(|number| *number > 0)
        .ok_or_else(|| Error::InvalidPr {
            source_name: source_name.to_owned(),
            value: value.to_owned(),
        })
}

/// Parses a CI name given by the user. `auto` (and empty) means "detect", so a pipeline can
/// undo a config's `ci:` from the environment.
pub fn parse_ci(source_name: &str, value: &str) -> Result<Option<Platform>, Error> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("auto") {
        return Ok(None);
    }
    Platform::from_classic_name(trimmed)
        .map(Some)
        .ok_or_else(|| Error::unknown_ci(source_name, value))
}

impl Overrides {
    /// Field-wise "self, else `lower`", for stacking sources by precedence.
    #[must_use]
    pub fn or(self, lower: Overrides) -> Overrides {
        Overrides {
            ci: self.ci.or(lower.ci),
            owner: self.owner.or(lower.owner),
            repo: self.repo.or(lower.repo),
            pr: self.pr.or(lower.pr),
            sha: self.sha.or(lower.sha),
            build_url: self.build_url.or(lower.build_url),
        }
    }

    /// Replaces detected values with the set fields. `ci` is not applied here: a different
    /// platform needs a different reader, which [`resolve`] picks before calling this.
    #[must_use]
    pub fn apply(&self, mut ci: CiEnv) -> CiEnv {
        if let Some(repo) = &self.repo {
            match repo.trim_matches('/').rsplit_once('/') {
                Some((owner, name)) if !owner.is_empty() && !name.is_empty() => {
                    ci.owner = Some(owner.to_owned());
                    ci.repo = Some(name.to_owned());
                }
                _ => ci.repo = Some(repo.clone()),
            }
        }
        if let Some(owner) = &self.owner {
            ci.owner = Some(owner.clone());
        }
        if let Some(pr) = self.pr {
            ci.pr_number = Some(pr);
        }
        if let Some(sha) = &self.sha {
            ci.sha = Some(sha.clone());
        }
        if let Some(build_url) = &self.build_url {
            ci.build_url = Some(build_url.clone());
        }
        ci
    }
}

fn first_named(env: &dyn Env, names: &[&'static str]) -> Option<(&'static str, String)> {
    names
        .iter()
        .find_map(|name| get(env, name).map(|value| (*name, value)))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{s, vars};
    use super::super::{CiEnv, Error, Platform};
    use super::{Overrides, overrides_from_env, parse_pr, resolve};

    #[track_caller]
    fn env_case(env: &[(&str, &str)], expected: &Result<Overrides, Error>) {
        assert_eq!(&overrides_from_env(&vars(env)), expected);
    }

    #[test]
    fn reads_tfnotify_and_tfcmt_names() {
        env_case(&[("CI", "true")], &Ok(Overrides::default()));
        env_case(
            &[
                ("TFCMT_REPO_OWNER", "cmt-owner"),
                ("TFCMT_REPO_NAME", "cmt-repo"),
                ("TFCMT_PR_NUMBER", "3"),
                ("TFCMT_SHA", "cmtsha"),
            ],
            &Ok(Overrides {
                owner: s("cmt-owner"),
                repo: s("cmt-repo"),
                pr: Some(3),
                sha: s("cmtsha"),
                ..Overrides::default()
            }),
        );
        // TFNOTIFY_* wins over tfnotify v1's names, which win over tfcmt's
        env_case(
            &[
                ("TFNOTIFY_OWNER", "o"),
                ("TFNOTIFY_REPO_OWNER", "v1-owner"),
                ("TFCMT_REPO_OWNER", "cmt-owner"),
                ("TFNOTIFY_REPO_NAME", "v1-repo"),
                ("TFCMT_REPO_NAME", "cmt-repo"),
                ("TFNOTIFY_PR", "#12"),
                ("TFCMT_PR_NUMBER", "not-looked-at"),
                ("TFNOTIFY_SHA", "sha"),
                ("TFCMT_SHA", "cmtsha"),
                ("TFNOTIFY_BUILD_URL", "https://ci.example.com/1"),
                ("TFNOTIFY_CI", "circle-ci"),
            ],
            &Ok(Overrides {
                ci: Some(Platform::CircleCi),
                owner: s("o"),
                repo: s("v1-repo"),
                pr: Some(12),
                sha: s("sha"),
                build_url: s("https://ci.example.com/1"),
            }),
        );
        env_case(&[("TFNOTIFY_CI", "auto")], &Ok(Overrides::default()));
        env_case(
            &[("TFNOTIFY_PR", ""), ("TFCMT_PR_NUMBER", "8")],
            &Ok(Overrides {
                pr: Some(8),
                ..Overrides::default()
            }),
        );
    }

    #[test]
    fn bad_values_name_their_variable() {
        env_case(
            &[("TFCMT_PR_NUMBER", "abc")],
            &Err(Error::InvalidPr {
                source_name: "TFCMT_PR_NUMBER".to_owned(),
                value: "abc".to_owned(),
            }),
        );
        env_case(
            &[("TFNOTIFY_PR", "0")],
            &Err(Error::InvalidPr {
                source_name: "TFNOTIFY_PR".to_owned(),
                value: "0".to_owned(),
            }),
        );
        let err = overrides_from_env(&vars(&[("TFNOTIFY_CI", "bamboo")]))
            .expect_err("unknown CI")
            .to_string();
        assert!(
            err.starts_with("`TFNOTIFY_CI` names an unknown CI `bamboo`: expected one of "),
            "{err}"
        );
        assert_eq!(
            parse_pr("--pr", "12a").expect_err("bad").to_string(),
            "`--pr` is `12a`, which is not a pull request number"
        );
    }

    #[test]
    fn apply_replaces_only_set_fields() {
        let detected = CiEnv {
            platform: Platform::GitLabCi,
            owner: s("group"),
            repo: s("proj"),
            pr_number: Some(1),
            sha: s("detected"),
            build_url: s("https://gitlab.example.com/job/1"),
            ..CiEnv::default()
        };
        let applied = Overrides {
            repo: s("other/group/name"),
            sha: s("forced"),
            ..Overrides::default()
        }
        .apply(detected.clone());
        assert_eq!(
            applied,
            CiEnv {
                owner: s("other/group"),
                repo: s("name"),
                sha: s("forced"),
                ..detected.clone()
            }
        );
        let applied = Overrides {
            owner: s("explicit"),
            repo: s("a/b"),
            pr: Some(9),
            build_url: s("https://x"),
            ..Overrides::default()
        }
        .apply(detected.clone());
        assert_eq!(applied.owner.as_deref(), Some("explicit"));
        assert_eq!(applied.repo.as_deref(), Some("b"));
        assert_eq!(applied.pr_number, Some(9));
        assert_eq!(applied.build_url.as_deref(), Some("https://x"));
        assert_eq!(Overrides::default().apply(detected.clone()), detected);
    }

    #[test]
    fn resolve_precedence_is_flags_env_config_detection() {
        let env = vars(&[
            ("CIRCLECI", "true"),
            ("CIRCLE_PROJECT_USERNAME", "detected-owner"),
            ("CIRCLE_PROJECT_REPONAME", "detected-repo"),
            ("CIRCLE_SHA1", "detectedsha"),
            ("CIRCLE_PULL_REQUEST", "https://github.com/o/r/pull/4"),
            ("TFNOTIFY_PR", "5"),
            ("TFNOTIFY_SHA", "envsha"),
            ("TFCMT_REPO_OWNER", "env-owner"),
        ]);
        let flags = Overrides {
            pr: Some(6),
            ..Overrides::default()
        };
        let config = Overrides {
            owner: s("config-owner"),
            sha: s("configsha"),
            build_url: s("https://config"),
            ..Overrides::default()
        };
        let ci = resolve(&env, flags, config).expect("valid");
        assert_eq!(ci.platform, Platform::CircleCi);
        assert_eq!(ci.pr_number, Some(6));
        assert_eq!(ci.sha.as_deref(), Some("envsha"));
        assert_eq!(ci.owner.as_deref(), Some("env-owner"));
        assert_eq!(ci.repo.as_deref(), Some("detected-repo"));
        assert_eq!(ci.build_url.as_deref(), Some("https://config"));
    }

    #[test]
    fn resolve_forces_the_platform_from_config_or_env() {
        // classic config `ci: travis` on a machine that also looks like Jenkins
        let env = vars(&[
            ("JENKINS_URL", "https://jenkins/"),
            ("TRAVIS_PULL_REQUEST", "11"),
            ("TRAVIS_PULL_REQUEST_SHA", "prsha"),
        ]);
        let config = Overrides {
            ci: Some(Platform::Travis),
            ..Overrides::default()
        };
        let ci = resolve(&env, Overrides::default(), config.clone()).expect("valid");
        assert_eq!((ci.platform, ci.pr_number), (Platform::Travis, Some(11)));
        // TFNOTIFY_CI beats the config, `--ci` beats both
        let env = {
            let mut env = env;
            env.insert("TFNOTIFY_CI".to_owned(), "jenkins".to_owned());
            env
        };
        let ci = resolve(&env, Overrides::default(), config.clone()).expect("valid");
        assert_eq!(ci.platform, Platform::Jenkins);
        let flags = Overrides {
            ci: Some(Platform::Local),
            ..Overrides::default()
        };
        assert_eq!(
            resolve(&env, flags, config).expect("valid"),
            CiEnv::default()
        );
        // a broken env override fails the whole resolution
        let env = vars(&[("TFNOTIFY_PR", "x")]);
        assert!(resolve(&env, Overrides::default(), Overrides::default()).is_err());
    }
}
