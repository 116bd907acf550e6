//! CI detection: which CI system we run in, and what a notifier needs from it.
//!
//! This stage owns turning environment variables (and, for GitHub-style runners, the event
//! JSON file they point at) into one plain-data [`CiEnv`]: platform, repository, PR number,
//! commit, build link, job identity and API base hints. It works with no config: tfnotify
//! classic required `ci:` in the file, tfcmt detected a handful of systems; we detect every
//! system we know and let config, `TFNOTIFY_*`/`TFCMT_*` env vars and flags override.
//!
//! It must not do network I/O, print, or read the process environment directly: everything
//! goes through the [`Env`] trait so tests are hermetic (our own CI runs with `CI=true` and
//! whatever else its runner sets). Problems that should not stop a run (an unreadable event
//! file, a garbage PR variable set by the CI itself) become [`CiEnv::warnings`]; only
//! values the *user* supplied and got wrong become an [`Error`].
//!
//! Adding a CI system is one new file holding a `DETECTOR`, one variant in [`Platform`] and
//! one line in `DETECTORS`; names, serde id, `ci:` aliases and `detect_as` all come from
//! that one `Detector` value.

mod atlantis;
mod azure_pipelines;
mod bitbucket_pipelines;
mod buildkite;
mod circleci;
mod cloud_build;
mod codebuild;
mod drone;
mod env;
mod error;
mod forgejo_actions;
mod gitea_actions;
mod github_actions;
mod gitlab_ci;
mod jenkins;
mod overrides;
mod teamcity;
mod travis;
mod vars;
mod woodpecker;

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use env::{Env, MapEnv, ProcessEnv};
pub use error::Error;
pub use overrides::{Overrides, overrides_from_env, parse_ci, parse_pr, resolve};

/// The CI system a run happens in. A closed set, so an enum: notifiers and templates match
/// on it, and `ci:` in a config file names one of these.
///
/// The serialized form (also used in templates as `.ci.platform`) is the `snake_case` id from
/// the platform's detector, e.g. `github_actions`; [`Platform::Local`] is `local`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Platform {
    /// No CI recognised: a developer's terminal, or a CI we don't know. Everything a notifier
    /// needs must then come from overrides.
    #[default]
    Local,
    /// Marker `GITHUB_ACTIONS`; github.com and GHES.
    GitHubActions,
    /// Marker `FORGEJO_ACTIONS`; a GitHub-compatible runner talking to a Forgejo API.
    ForgejoActions,
    /// Marker `GITEA_ACTIONS`; a GitHub-compatible runner talking to a Gitea API.
    GiteaActions,
    /// Marker `GITLAB_CI`; gitlab.com and self-managed.
    GitLabCi,
    /// Marker `CIRCLECI`.
    CircleCi,
    /// Marker `TRAVIS`.
    Travis,
    /// Marker `CODEBUILD_BUILD_ID` or `CODEBUILD_CI`.
    CodeBuild,
    /// Marker `TEAMCITY_VERSION`; PR data comes from the build properties files.
    TeamCity,
    /// Marker `DRONE`.
    Drone,
    /// Marker `CI=woodpecker`.
    Woodpecker,
    /// Marker `JENKINS_URL` or `JENKINS_HOME`; PR data depends on the plugins in use.
    Jenkins,
    /// Marker `GOOGLE_CLOUD_BUILD`, or `BUILD_ID` with `PROJECT_ID`: Cloud Build exports
    /// nothing unless the build config passes substitutions as env.
    CloudBuild,
    /// Marker `ATLANTIS_TERRAFORM_VERSION`, set for Atlantis custom workflow steps.
    Atlantis,
    /// Marker `BUILDKITE`.
    Buildkite,
    /// Marker `TF_BUILD`; Azure Repos and GitHub repositories.
    AzurePipelines,
    /// Marker `BITBUCKET_BUILD_NUMBER`; Bitbucket Cloud.
    BitbucketPipelines,
}

/// Everything we learned about the run. Plain data: the render stage shows it to templates
/// (`.ci`), notifiers read owner/repo/PR/sha from it. Every field is optional because every
/// CI leaves some out (a push build has no PR, Atlantis has no build page).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CiEnv {
    /// Which reader produced the values; notifiers use it to pick defaults (API base,
    /// comment style) and templates to word links.
    pub platform: Platform,
    /// Repository owner; for GitLab this is the full namespace (`group/subgroup`), for Azure
    /// Repos the team project.
    pub owner: Option<String>,
    /// Repository (project) name without the owner, as the forge's API paths want it.
    pub repo: Option<String>,
    /// PR / MR number (GitLab: the IID, not the global id). `None` on push builds, which
    /// notifiers then treat as commit comments or skip.
    pub pr_number: Option<u64>,
    /// The commit the change is about: for PR builds the PR head where the CI tells us, not
    /// the synthetic merge commit some CIs build.
    pub sha: Option<String>,
    /// Link to this build, for `.Link` in templates.
    pub build_url: Option<String>,
    /// Source branch (PR head branch on PR builds), without `refs/heads/`.
    pub branch: Option<String>,
    /// The CI's own word for what triggered the run (`pull_request`, `merge_request_event`,
    /// `push` …), passed through untranslated so templates can test for it.
    pub event: Option<String>,
    /// Which job this is, to tell apart comments of several jobs on one PR.
    pub job: Job,
    /// Web base URL of the forge (`https://github.example.com`, `https://gitlab.example.com`),
    /// so self-hosted instances work without config.
    pub server_url: Option<String>,
    /// REST API base of the forge when the CI tells us or it follows from `server_url`
    /// (`…/api/v3` GHES, `…/api/v4` GitLab, `…/api/v1` Gitea/Forgejo).
    pub api_url: Option<String>,
    /// Non-fatal problems met while reading the environment. The caller prints them; they
    /// are not part of the template context.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// Which job produced the output. Used to tell apart comments of several jobs on one PR
/// and to build links; the CIs disagree on granularity, so these are best effort.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Job {
    /// Workflow / pipeline / project name.
    pub workflow: Option<String>,
    /// Job / step name within the workflow.
    pub name: Option<String>,
    /// The CI's id of this run (a number on most systems, a UUID on some).
    pub run_id: Option<String>,
    /// Re-run counter, starting at 1, where the CI has one.
    pub run_attempt: Option<u32>,
}

/// One CI system's detection and reading rules. Each platform file exports one of these as
/// `DETECTOR`; keeping names and behaviour in one value is what makes a new CI a one-line
/// registration.
pub(crate) struct Detector {
    pub(crate) platform: Platform,
    /// `snake_case` id: serde name and the canonical `ci:` value.
    pub(crate) id: &'static str,
    /// Human name for messages and docs.
    pub(crate) label: &'static str,
    /// Other accepted `ci:` names, including the exact tfnotify classic ones.
    pub(crate) aliases: &'static [&'static str],
    /// True when the environment clearly belongs to this CI (its marker variable is set).
    pub(crate) is_present: fn(&dyn Env) -> bool,
    /// Reads the values, whether or not the marker is set: `ci:` may force a platform whose
    /// marker is missing (classic tfnotify never auto-detected).
    pub(crate) read: fn(&dyn Env) -> CiEnv,
}

/// Detectors in the order [`detect`] tries them; the first whose marker is present wins.
///
/// Order matters because CI systems copy each other's variables and runners nest:
/// - Atlantis first: it runs Terraform itself on whatever host it is deployed on (which may
///   carry another CI's variables), and its `PULL_NUM`/`HEAD_COMMIT` describe the PR being
///   planned right now.
/// - Forgejo, then Gitea, before GitHub Actions: their runners set `GITHUB_ACTIONS=true` and
///   the other `GITHUB_*` variables for compatibility, and Forgejo runners may also set
///   `GITEA_ACTIONS`.
/// - Woodpecker before Drone: Woodpecker is a Drone fork, and older releases exported
///   Drone's `DRONE_*` names (and `CI=drone`) next to their own.
/// - Hosted systems with one unambiguous marker next (GitLab, `CircleCI`, Travis, Buildkite,
///   Azure Pipelines, Bitbucket, `CodeBuild`).
/// - `TeamCity` and Jenkins late: their values have generic names (`BUILD_NUMBER`,
///   `BUILD_URL`, `GIT_COMMIT`) that leak into containers and scripts started elsewhere.
/// - Google Cloud Build last: it exports nothing by itself, so we guess from user-passed
///   `BUILD_ID`/`PROJECT_ID`, and Jenkins also sets `BUILD_ID`.
pub(crate) const DETECTORS: &[Detector] = &[
    atlantis::DETECTOR,
    forgejo_actions::DETECTOR,
    gitea_actions::DETECTOR,
    github_actions::DETECTOR,
    gitlab_ci::DETECTOR,
    woodpecker::DETECTOR,
    drone::DETECTOR,
    circleci::DETECTOR,
    travis::DETECTOR,
    buildkite::DETECTOR,
    azure_pipelines::DETECTOR,
    bitbucket_pipelines::DETECTOR,
    codebuild::DETECTOR,
    teamcity::DETECTOR,
    jenkins::DETECTOR,
    cloud_build::DETECTOR,
];

/// Detects the CI from the environment. Never fails: an unknown environment is
/// [`Platform::Local`] with every field empty, which is the right answer on a laptop.
pub fn detect(env: &dyn Env) -> CiEnv {
    DETECTORS
        .iter()
        .find_map(|detector| detector.detect(env))
        .unwrap_or_default()
}

/// Reads the environment as `platform`, without checking its marker variable. This is what a
/// config's `ci:` or `--ci` does: the user said which CI this is, and classic tfnotify
/// configs rely on that (they were written for a tool that never auto-detected).
pub fn detect_as(platform: Platform, env: &dyn Env) -> CiEnv {
    platform
        .detector()
        .map_or_else(CiEnv::default, |detector| (detector.read)(env))
}

impl Detector {
    /// The marker check plus the read: `Some` only when this CI is clearly present.
    pub(crate) fn detect(&self, env: &dyn Env) -> Option<CiEnv> {
        (self.is_present)(env).then(|| (self.read)(env))
    }
}

impl Platform {
    /// Maps a `ci:` value (config file, `--ci`, `TFNOTIFY_CI`) to a platform. Accepts every
    /// name classic tfnotify accepted (`circleci`, `circle-ci`, `travis`, `travisci`,
    /// `travis-ci`, `codebuild`, `teamcity`, `drone`, `jenkins`, `gitlabci`, `gitlab-ci`,
    /// `github-actions`, `cloud-build`, `cloudbuild`), our `snake_case` ids, and `local`.
    /// Case-insensitive, and `_` equals `-`, as classic lower-cased the value too.
    pub fn from_classic_name(name: &str) -> Option<Platform> {
        let wanted = normalize_name(name);
        if wanted == "local" {
            return Some(Platform::Local);
        }
        DETECTORS
            .iter()
            .find(|detector| {
                normalize_name(detector.id) == wanted
                    || detector
                        .aliases
                        .iter()
                        .any(|alias| normalize_name(alias) == wanted)
            })
            .map(|detector| detector.platform)
    }

    /// The `snake_case` id (`github_actions`, `gitlab_ci`, …): the serialized form and the
    /// name we print in `ci:` suggestions.
    pub fn as_str(self) -> &'static str {
        self.detector().map_or("local", |detector| detector.id)
    }

    /// Human name ("GitHub Actions") for messages.
    pub fn label(self) -> &'static str {
        self.detector().map_or("Local", |detector| detector.label)
    }

    /// The canonical `ci:` names, sorted, for "expected one of" messages, spelled as
    /// people write them in files (`github-actions`, the tfnotify v0 spelling, rather than
    /// the serde id `github_actions`; both are accepted). Aliases are accepted too but left
    /// out: the full list is three times longer and docs/ci.md has it.
    pub fn canonical_names() -> Vec<String> {
        let mut names: Vec<String> = DETECTORS.iter().map(|d| normalize_name(d.id)).collect();
        names.push("local".to_owned());
        names.sort_unstable();
        names
    }

    /// The canonical name of the platform whose id or alias is spelled most like `name`
    /// (at most two edits apart, ignoring case, `-` and `_`), for "did you mean" hints.
    pub fn closest_name(name: &str) -> Option<String> {
        let squash = |s: &str| normalize_name(s).replace('-', "");
        let wanted = squash(name);
        DETECTORS
            .iter()
            .flat_map(|d| {
                std::iter::once(d.id)
                    .chain(d.aliases.iter().copied())
                    .map(move |n| (d, n))
            })
            .map(|(d, n)| (strsim::levenshtein(&squash(n), &wanted), d.id))
            .filter(|(distance, _)| *distance <= 2)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, id)| normalize_name(id))
    }

    fn detector(self) -> Option<&'static Detector> {
        DETECTORS.iter().find(|detector| detector.platform == self)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Serialize for Platform {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Accepts exactly what [`Platform::from_classic_name`] accepts, so a config's `ci:` can be
/// a typed field and old configs with `ci: circle-ci` still load.
impl<'de> Deserialize<'de> for Platform {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Platform::from_classic_name(&name)
            .ok_or_else(|| serde::de::Error::custom(Error::unknown_ci("ci", &name).to_string()))
    }
}

impl CiEnv {
    /// An empty environment for `platform`; readers fill in what their CI provides.
    pub fn new(platform: Platform) -> CiEnv {
        CiEnv {
            platform,
            ..CiEnv::default()
        }
    }
}

fn normalize_name(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace('_', "-")
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the per-platform tests: recorded environments as `BTreeMap`s.

    use std::collections::BTreeMap;

    /// A recorded environment from `(name, value)` pairs.
    pub(crate) fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    /// `Some(s.to_owned())`, to keep expected values short.
    #[allow(
        clippy::unnecessary_wraps,
        reason = "expected CiEnv fields are Options; wrapping here keeps the tables short"
    )]
    pub(crate) fn s(value: &str) -> Option<String> {
        Some(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::testing::vars;
    use super::{CiEnv, DETECTORS, Platform, detect, detect_as};

    #[test]
    fn empty_environment_is_local() {
        assert_eq!(detect(&vars(&[])), CiEnv::default());
        assert_eq!(detect(&vars(&[("CI", "true")])).platform, Platform::Local);
    }

    #[test]
    fn detector_ids_and_aliases_are_unique() {
        // Aliases may repeat their own id in another spelling (classic `gitlab-ci` for
        // `gitlab_ci`), but no name may point at two platforms.
        let mut platforms = BTreeSet::new();
        let mut names = BTreeMap::new();
        names.insert("local".to_owned(), Platform::Local);
        for detector in DETECTORS {
            assert!(
                platforms.insert(detector.platform),
                "{:?} listed twice",
                detector.platform
            );
            for name in std::iter::once(&detector.id).chain(detector.aliases) {
                let owner = names
                    .entry(super::normalize_name(name))
                    .or_insert(detector.platform);
                assert_eq!(*owner, detector.platform, "`{name}` is claimed twice");
            }
        }
    }

    #[track_caller]
    fn name_case(name: &str, expected: Option<Platform>) {
        assert_eq!(Platform::from_classic_name(name), expected, "{name}");
    }

    #[test]
    fn classic_names_map_to_platforms() {
        name_case("circleci", Some(Platform::CircleCi));
        name_case("circle-ci", Some(Platform::CircleCi));
        name_case("travis", Some(Platform::Travis));
        name_case("travisci", Some(Platform::Travis));
        name_case("travis-ci", Some(Platform::Travis));
        name_case("codebuild", Some(Platform::CodeBuild));
        name_case("teamcity", Some(Platform::TeamCity));
        name_case("drone", Some(Platform::Drone));
        name_case("jenkins", Some(Platform::Jenkins));
        name_case("gitlabci", Some(Platform::GitLabCi));
        name_case("gitlab-ci", Some(Platform::GitLabCi));
        name_case("github-actions", Some(Platform::GitHubActions));
        name_case("cloud-build", Some(Platform::CloudBuild));
        name_case("cloudbuild", Some(Platform::CloudBuild));
        // classic lower-cased the value before matching
        name_case("CircleCI", Some(Platform::CircleCi));
        name_case(" GitHub-Actions ", Some(Platform::GitHubActions));
        // our own ids, in either spelling
        name_case("github_actions", Some(Platform::GitHubActions));
        name_case("gitlab_ci", Some(Platform::GitLabCi));
        name_case("google-cloud-build", Some(Platform::CloudBuild));
        name_case("forgejo", Some(Platform::ForgejoActions));
        name_case("local", Some(Platform::Local));
        name_case("bamboo", None);
        name_case("", None);
    }

    #[test]
    fn every_platform_round_trips_through_its_id() {
        for detector in DETECTORS {
            assert_eq!(detector.platform.as_str(), detector.id);
            assert_eq!(
                Platform::from_classic_name(detector.id),
                Some(detector.platform)
            );
        }
        assert_eq!(Platform::Local.as_str(), "local");
        assert_eq!(Platform::GitHubActions.to_string(), "GitHub Actions");
    }

    #[test]
    fn every_variant_has_a_detector() {
        // The match makes a new variant a compile error here until it is listed, and the
        // loop then fails until it has a line in DETECTORS.
        let all = [
            Platform::GitHubActions,
            Platform::ForgejoActions,
            Platform::GiteaActions,
            Platform::GitLabCi,
            Platform::CircleCi,
            Platform::Travis,
            Platform::CodeBuild,
            Platform::TeamCity,
            Platform::Drone,
            Platform::Woodpecker,
            Platform::Jenkins,
            Platform::CloudBuild,
            Platform::Atlantis,
            Platform::Buildkite,
            Platform::AzurePipelines,
            Platform::BitbucketPipelines,
        ];
        for platform in all {
            match platform {
                Platform::Local
                | Platform::GitHubActions
                | Platform::ForgejoActions
                | Platform::GiteaActions
                | Platform::GitLabCi
                | Platform::CircleCi
                | Platform::Travis
                | Platform::CodeBuild
                | Platform::TeamCity
                | Platform::Drone
                | Platform::Woodpecker
                | Platform::Jenkins
                | Platform::CloudBuild
                | Platform::Atlantis
                | Platform::Buildkite
                | Platform::AzurePipelines
                | Platform::BitbucketPipelines => {}
            }
            assert!(
                platform.detector().is_some(),
                "{platform:?} has no detector"
            );
        }
        assert_eq!(DETECTORS.len(), all.len());
    }

    #[test]
    fn platform_deserializes_from_any_accepted_name() {
        let parsed: Vec<Platform> =
            serde_json::from_str(r#"["circle-ci", "GitLab_CI", "local"]"#).expect("known names");
        assert_eq!(
            parsed,
            [Platform::CircleCi, Platform::GitLabCi, Platform::Local]
        );
        let err = serde_json::from_str::<Platform>(r#""bamboo""#).expect_err("unknown");
        assert!(
            err.to_string()
                .starts_with("`ci` names an unknown CI `bamboo`: expected one of"),
            "{err}"
        );
    }

    #[test]
    fn platform_serializes_as_id() {
        let json = serde_json::to_string(&CiEnv::new(Platform::GitLabCi)).expect("serializable");
        assert!(json.starts_with(r#"{"platform":"gitlab_ci","#), "{json}");
        assert!(!json.contains("warnings"), "{json}");
    }

    #[test]
    fn detect_as_ignores_the_marker() {
        // Classic configs say `ci: circleci` and tfnotify read the values without checking
        // `CIRCLECI`; some wrappers don't pass it through.
        let env = vars(&[("CIRCLE_SHA1", "abc"), ("CIRCLE_PULL_REQUEST", "x/pull/3")]);
        assert_eq!(detect(&env).platform, Platform::Local);
        let forced = detect_as(Platform::CircleCi, &env);
        assert_eq!(forced.platform, Platform::CircleCi);
        assert_eq!(forced.pr_number, Some(3));
        assert_eq!(detect_as(Platform::Local, &env), CiEnv::default());
    }
}
