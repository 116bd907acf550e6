//! GitHub Actions' step summary, written without a flag.
//!
//! The runner names a file in `GITHUB_STEP_SUMMARY` whose Markdown it shows on the run's
//! page. Every run on GitHub Actions appends its message there: on pull requests, and on
//! push or schedule runs that have none (drift detection), with or without a token or any
//! other destination. `--no-step-summary`, `TFNOTIFY_STEP_SUMMARY=false` and
//! `step_summary: false` turn it off, in that order of precedence.
//!
//! Nobody asked for this file by name, so unlike `--output` a failure to write it is a
//! warning that leaves the exit code alone; and when `--output` already names it, the
//! explicit flag writes it, once.

use std::path::{Path, PathBuf};

use crate::ci::{Env, Platform};
use crate::error::Error;

/// The variable GitHub's runner sets to the step summary file of the current step.
const GITHUB_STEP_SUMMARY: &str = "GITHUB_STEP_SUMMARY";

/// The variable that turns the step summary on or off, between the flag and the config.
const TFNOTIFY_STEP_SUMMARY: &str = "TFNOTIFY_STEP_SUMMARY";

/// What decides whether and where the step summary is written.
pub(super) struct Wanted<'a> {
    /// `--no-step-summary`.
    pub(super) flag_off: bool,
    /// `step_summary:` of the config (`None`: absent).
    pub(super) config: Option<bool>,
    /// The CI platform the run resolved to.
    pub(super) platform: Platform,
    /// `--output`, which writes the file itself when it names the same one.
    pub(super) output: Option<&'a Path>,
    /// Where relative paths start: the working directory.
    pub(super) cwd: &'a Path,
}

/// Where the step summary goes, if anywhere, and what was set wrong on the way.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Resolved {
    pub(super) path: Option<PathBuf>,
    pub(super) warnings: Vec<String>,
}

/// Decides where this run writes the step summary. `env` holds tfnotify's own variables,
/// `ci` the CI's, read the way detection reads them.
pub(super) fn resolve(
    wanted: &Wanted<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    ci: &dyn Env,
) -> Resolved {
    let mut resolved = Resolved::default();
    let from_env = match switch(env(TFNOTIFY_STEP_SUMMARY).as_deref()) {
        Ok(value) => value,
        Err(value) => {
            resolved.warnings.push(format!(
                "`{TFNOTIFY_STEP_SUMMARY}` is `{value}`, not `true` or `false`, so it is ignored; set it to `false` to turn the step summary off"
            ));
            None
        }
    };
    let on = !wanted.flag_off && from_env.or(wanted.config).unwrap_or(true);
    if !on || wanted.platform != Platform::GitHubActions {
        return resolved;
    }
    let Some(path) = ci
        .var(GITHUB_STEP_SUMMARY)
        .filter(|p| !p.trim().is_empty())
        .map(PathBuf::from)
    else {
        return resolved;
    };
    let written_by_output = wanted
        .output
        .is_some_and(|output| same_file(output, &path, wanted.cwd));
    if !written_by_output {
        resolved.path = Some(path);
    }
    resolved
}

/// The one warning line for a step summary that could not be rendered or written.
pub(super) fn failure_warning(path: &Path, error: &Error) -> String {
    let why = match error {
        Error::Output { source, .. } => source.to_string(),
        other => other.to_string(),
    };
    format!(
        "tfnotify: warning: the step summary was not written to `{}` ({GITHUB_STEP_SUMMARY}): {why}; check that the file can be written, or turn it off with `--no-step-summary` or `step_summary: false`\n",
        path.display()
    )
}

/// `TFNOTIFY_STEP_SUMMARY`: `Ok(None)` when unset or blank, the value when it is a
/// boolean, the value as written when it is not.
fn switch(value: Option<&str>) -> Result<Option<bool>, String> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(Some(true)),
        "false" | "0" | "no" | "off" => Ok(Some(false)),
        _ => Err(value.to_owned()),
    }
}

/// Whether two paths name one file: each is made absolute from `cwd` and canonicalised as
/// far as it exists (the file itself, else its directory), so `./s.md`, a symlink and the
/// runner's absolute path all compare equal.
fn same_file(a: &Path, b: &Path, cwd: &Path) -> bool {
    real(a, cwd) == real(b, cwd)
}

fn real(path: &Path, cwd: &Path) -> PathBuf {
    let absolute = cwd.join(path);
    if let Ok(real) = absolute.canonicalize() {
        return real;
    }
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .map_or_else(|_| absolute.clone(), |dir| dir.join(name)),
        _ => absolute,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    use super::{Resolved, Wanted, resolve, same_file};
    use crate::ci::Platform;

    fn wanted(cwd: &Path) -> Wanted<'_> {
        Wanted {
            flag_off: false,
            config: None,
            platform: Platform::GitHubActions,
            output: None,
            cwd,
        }
    }

    #[track_caller]
    fn case(wanted: &Wanted<'_>, env: &[(&str, &str)], summary: Option<&str>) -> Resolved {
        let env: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut ci = BTreeMap::new();
        if let Some(path) = summary {
            ci.insert("GITHUB_STEP_SUMMARY".to_owned(), path.to_owned());
        }
        resolve(wanted, &|name| env.get(name).cloned(), &ci)
    }

    #[test]
    fn on_github_actions_by_default_and_off_by_flag_env_or_config() {
        let cwd = Path::new("/work");
        let on = Some(PathBuf::from("/runner/step.md"));
        let base = wanted(cwd);
        assert_eq!(case(&base, &[], Some("/runner/step.md")).path, on);
        assert_eq!(case(&base, &[], None).path, None, "no file named");
        assert_eq!(case(&base, &[], Some("  ")).path, None, "blank");
        let flag = Wanted {
            flag_off: true,
            ..wanted(cwd)
        };
        assert_eq!(case(&flag, &[], Some("/runner/step.md")).path, None);
        let env_off = [("TFNOTIFY_STEP_SUMMARY", "false")];
        assert_eq!(case(&base, &env_off, Some("/runner/step.md")).path, None);
        let config_off = Wanted {
            config: Some(false),
            ..wanted(cwd)
        };
        assert_eq!(case(&config_off, &[], Some("/runner/step.md")).path, None);
        let env_on = [("TFNOTIFY_STEP_SUMMARY", "true")];
        assert_eq!(
            case(&config_off, &env_on, Some("/runner/step.md")).path,
            on,
            "the environment wins over the config"
        );
        assert_eq!(
            case(&flag, &env_on, Some("/runner/step.md")).path,
            None,
            "the flag wins over the environment"
        );
    }

    #[test]
    fn another_ci_never_writes_it() {
        for platform in [Platform::GitLabCi, Platform::GiteaActions, Platform::Local] {
            let other = Wanted {
                platform,
                ..wanted(Path::new("/work"))
            };
            assert_eq!(case(&other, &[], Some("/runner/step.md")).path, None);
        }
    }

    #[test]
    fn a_garbled_switch_is_a_warning_and_leaves_it_on() {
        let resolved = case(
            &wanted(Path::new("/work")),
            &[("TFNOTIFY_STEP_SUMMARY", "nope")],
            Some("/runner/step.md"),
        );
        assert_eq!(resolved.path, Some(PathBuf::from("/runner/step.md")));
        assert_eq!(
            resolved.warnings,
            [
                "`TFNOTIFY_STEP_SUMMARY` is `nope`, not `true` or `false`, so it is ignored; set it to `false` to turn the step summary off"
            ]
        );
    }

    #[test]
    fn output_naming_the_same_file_writes_it_instead() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path().canonicalize().unwrap();
        std::fs::create_dir(cwd.join("sub")).unwrap();
        let summary = cwd.join("step.md");
        let summary_text = summary.to_str().unwrap();
        let same = Path::new("sub/../step.md");
        let with_output = Wanted {
            output: Some(same),
            ..wanted(&cwd)
        };
        assert_eq!(
            case(&with_output, &[], Some(summary_text)).path,
            None,
            "not there yet"
        );
        std::fs::write(&summary, "").unwrap();
        assert_eq!(
            case(&with_output, &[], Some(summary_text)).path,
            None,
            "there"
        );
        let other = Wanted {
            output: Some(Path::new("other.md")),
            ..wanted(&cwd)
        };
        assert_eq!(
            case(&other, &[], Some(summary_text)).path,
            Some(summary.clone())
        );
        assert!(same_file(Path::new("step.md"), &summary, &cwd));
        assert!(!same_file(Path::new("missing/step.md"), &summary, &cwd));
    }
}
