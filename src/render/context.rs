//! What message templates see: one context that serves the classic tfnotify variables, the
//! tfcmt ones, and our own richer model.
//!
//! Existing templates must keep working unchanged, so the old names keep their old meanings
//! (`.Result` of a failed plan is the error text to the end, `.Body` is the whole output).
//! New templates should prefer `.Report`, the documented parse result, and `.CI`.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde::Serialize;

use crate::ci::CiEnv;
use crate::model::{Action, Command, ModuleReport, Outcome, Report, ResourceChange};
use crate::render::template_data::template_data;

/// Everything a template can read. Field names are the template names (`.Title`, …).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Context<'a> {
    /// `--title`, or the classic default for the command (`## Plan result`).
    pub title: String,
    /// `--message`.
    pub message: String,
    /// The result line, or for a failed run the error text from the first error to the end.
    pub result: String,
    /// The whole output, colours stripped (its start and end when it is very long). The
    /// long texts are shared: `.Body` and `.CombinedOutput` (and often `.Stdout`) are one.
    pub body: Rc<str>,
    /// The CI build URL.
    pub link: String,
    /// The planned changes section of a plan.
    pub changed_result: Rc<str>,
    /// The "Objects have changed outside of Terraform" section.
    pub change_outside_terraform: Rc<str>,
    /// The first warning, headline and detail.
    pub warning: String,
    /// `--var name:value`, `TFNOTIFY_VAR_name`, `TFCMT_VAR_name`.
    pub vars: &'a BTreeMap<String, String>,
    pub stdout: Rc<str>,
    pub stderr: Rc<str>,
    pub combined_output: Rc<str>,
    /// The wrapped program's exit code; in pipe mode 1 for a failed run, else 0.
    pub exit_code: i32,
    pub has_error: bool,
    pub has_destroy: bool,
    /// Whether the run destroys or replaces a resource that `guard.protect` names.
    pub has_protected_destroy: bool,
    /// Those resources, in the order Terraform listed them.
    pub protected_resources: Vec<Protected<'a>>,
    /// tfnotify's own problems worth showing in the message (label failures and the like).
    pub error_messages: &'a [String],
    /// Where Terraform's output contradicted itself and which side tfnotify believed: a
    /// reviewer should know that some text imitates Terraform's own lines.
    pub notices: &'a [String],
    /// The code owners to mention (`@org/team`, `@user`): filled only for a review
    /// comment when `mention_owners` says so, and empty everywhere else.
    pub owners: &'a [String],
    /// `.CreatedResources`, `.DeletedResources`, …
    #[serde(flatten)]
    pub resources: ResourceLists<'a>,
    /// `plan`, `apply`, `destroy`, `fmt` or `validate`.
    pub command: &'static str,
    /// `--var target:…`, the name of the state this run is about.
    pub target: String,
    /// The parse result, as `tfnotify parse` prints it.
    pub report: &'a Report,
    /// Each module of a Terragrunt run of several delivered as one message (`--consolidated`),
    /// in the order they appeared, for a section per module; empty otherwise.
    pub modules: Vec<ModuleSection<'a>>,
    /// The CI system and pull request.
    #[serde(rename = "CI")]
    pub ci: Option<&'a CiEnv>,
    /// The model's summary of the run (tfnotify v1's `ai_summary:`), already cut and made
    /// inert; empty when there is none.
    #[serde(rename = "AISummary")]
    pub ai_summary: &'a str,
    /// Whether the run asked for a summary, as in tfnotify v1 (one may still be missing).
    pub summary_enabled: bool,
}

/// Whether a resource change belongs in a list.
type Keep = fn(&ResourceChange) -> bool;

/// The classic resource lists by their template names, and which changes each holds.
pub(crate) const RESOURCE_LISTS: [(&str, Keep); 7] = [
    ("CreatedResources", |r| r.action == Action::Create),
    ("UpdatedResources", |r| r.action == Action::Update),
    ("DeletedResources", |r| r.action == Action::Delete),
    ("ReplacedResources", |r| r.action == Action::Replace),
    ("ImportedResources", |r| r.imported),
    ("ForgottenResources", |r| r.action == Action::Forget),
    ("ReadResources", |r| r.action == Action::Read),
];

/// The addresses of a run's resources by what happens to them, in the order Terraform
/// listed them (`.CreatedResources`, … `.MovedResources`), how many each list holds
/// (`.ResourceCounts`), and Terraform's reason for a resource's action by its address
/// (`.ResourceReasons`): the classic names, which a whole message and each module section
/// share. Held as positions in the report, so a message
/// copies only the addresses it shows.
#[derive(Debug)]
pub struct ResourceLists<'a> {
    resources: &'a [ResourceChange],
    /// The positions of each list of [`RESOURCE_LISTS`].
    picks: Vec<Vec<u32>>,
    /// The positions of the resources that moved.
    moved: Vec<u32>,
}

impl<'a> ResourceLists<'a> {
    fn of(report: &'a Report) -> Self {
        let positions = |keep: &dyn Fn(&ResourceChange) -> bool| -> Vec<u32> {
            (0..report.resources.len())
                .filter(|i| keep(&report.resources[*i]))
                .filter_map(|i| u32::try_from(i).ok())
                .collect()
        };
        ResourceLists {
            resources: &report.resources,
            picks: RESOURCE_LISTS
                .iter()
                .map(|(_, keep)| positions(keep))
                .collect(),
            moved: positions(&|r| r.moved_from().is_some()),
        }
    }

    /// Each list's template name and positions.
    pub(crate) fn picks(&self) -> impl Iterator<Item = (&'static str, &[u32])> {
        RESOURCE_LISTS
            .iter()
            .zip(&self.picks)
            .map(|((name, _), picks)| (*name, picks.as_slice()))
    }

    /// The positions of the resources that moved.
    pub(crate) fn moved_picks(&self) -> &[u32] {
        &self.moved
    }

    /// How long each list is (`.ResourceCounts.DeletedResources`, …): messages say how many
    /// from these, which stay exact when a list is cut to fit a message.
    pub(crate) fn counts(&self) -> BTreeMap<&'static str, usize> {
        self.picks()
            .map(|(name, picks)| (name, picks.len()))
            .chain([("MovedResources", self.moved.len())])
            .collect()
    }

    fn at(&self, position: u32) -> &'a ResourceChange {
        &self.resources[position as usize]
    }
}

impl Serialize for ResourceLists<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        for (name, picks) in self.picks() {
            let addresses: Vec<&str> = picks.iter().map(|p| &*self.at(*p).address).collect();
            map.serialize_entry(name, &addresses)?;
        }
        let moved: Vec<Moved<'_>> = self
            .moved
            .iter()
            .map(|p| {
                let r = self.at(*p);
                Moved {
                    before: r.moved_from().unwrap_or_default(),
                    after: &r.address,
                }
            })
            .collect();
        map.serialize_entry("MovedResources", &moved)?;
        let reasons: BTreeMap<&str, &str> = with_reasons(self.resources)
            .into_iter()
            .filter_map(|p| Some((&*self.at(p).address, self.at(p).reason()?)))
            .collect();
        map.serialize_entry("ResourceReasons", &reasons)?;
        map.serialize_entry("ResourceCounts", &self.counts())?;
        map.end()
    }
}

/// The positions of the changes `.ResourceReasons` holds, sorted by address: those with a
/// reason, and of several with one address the last, as when a map is filled in order.
pub(crate) fn with_reasons(resources: &[ResourceChange]) -> Vec<u32> {
    let mut sorted: Vec<u32> = (0..resources.len())
        .filter(|i| resources[*i].reason().is_some_and(|r| !r.is_empty()))
        .filter_map(|i| u32::try_from(i).ok())
        .collect();
    let address = |at: &u32| &resources[*at as usize].address;
    sorted.reverse();
    sorted.sort_by(|a, b| address(a).cmp(address(b)));
    sorted.dedup_by(|a, b| address(a) == address(b));
    sorted
}

/// One module of a consolidated Terragrunt run: the names of [`Context`] that describe a
/// run, for this module alone, so a section can reuse the sub-templates of a whole message.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModuleSection<'a> {
    /// The directory Terragrunt named (`live/vpc`); empty for lines it printed without one.
    pub dir: &'a str,
    /// The module's result line (`Plan: …`, `Error: …`).
    pub result: &'a str,
    pub has_error: bool,
    pub has_destroy: bool,
    /// `.CreatedResources`, `.DeletedResources`, …
    #[serde(flatten)]
    pub resources: ResourceLists<'a>,
    /// The module's own parse result.
    pub report: &'a Report,
}

/// A moved resource, as tfcmt templates read it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Moved<'a> {
    pub before: &'a str,
    pub after: &'a str,
}

/// A protected resource the run destroys, as banners read it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Protected<'a> {
    pub address: &'a str,
    /// `destroy` or `replace`: the words the default messages print.
    pub action: &'static str,
}

/// What the caller knows beyond the report.
#[derive(Debug, Default, Clone)]
pub struct Extras<'a> {
    pub title: Option<String>,
    pub message: Option<String>,
    pub vars: BTreeMap<String, String>,
    pub exit_code: Option<i32>,
    pub ci: Option<&'a CiEnv>,
    pub error_messages: Vec<String>,
    /// tfcmt's `ignore_warning`: `.Warning` stays empty, so templates leave warnings out.
    pub ignore_warning: bool,
    /// `.Owners`: validated names from CODEOWNERS, for review comments only.
    pub owners: Vec<String>,
    /// `.AISummary`: the model's answer, made inert (see `ai::answer`).
    pub ai_summary: Option<String>,
    /// `.SummaryEnabled`.
    pub summary_enabled: bool,
}

impl Extras<'_> {
    /// `.Title`: `--title`, or the classic default for the command.
    pub(crate) fn title_for(&self, command: Command) -> String {
        self.title
            .clone()
            .unwrap_or_else(|| default_title(command).to_owned())
    }
}

/// The classic default title for a command.
pub fn default_title(command: Command) -> &'static str {
    match command {
        Command::Plan => "## Plan result",
        Command::Apply => "## Apply result",
        Command::Destroy => "## Destroy result",
        Command::Fmt => "## Fmt result",
        Command::Validate => "## Validate result",
        Command::Summary => "## Terraform summary",
    }
}

impl<'a> Context<'a> {
    /// The context for `report`.
    pub fn new(report: &'a Report, extras: &'a Extras<'a>) -> Self {
        let failed = is_failure(report.outcome);
        let result = if failed && !report.transcript.errors.is_empty() {
            report.transcript.errors.text().trim().to_owned()
        } else {
            report.result.clone().unwrap_or_default()
        };
        let combined: Rc<str> = report.transcript.combined.text().into();
        let transcript = &report.transcript;
        let stdout = if transcript.stdout.is_empty() && transcript.stderr.is_empty() {
            Rc::clone(&combined)
        } else {
            transcript.stdout.text().into()
        };
        Context {
            title: extras.title_for(report.command),
            message: extras.message.clone().unwrap_or_default(),
            result,
            body: Rc::clone(&combined),
            link: extras
                .ci
                .and_then(|ci| ci.build_url.clone())
                .unwrap_or_default(),
            changed_result: report.transcript.changes.text().trim_end().into(),
            change_outside_terraform: report.transcript.drift.text().trim_end().into(),
            warning: report
                .warnings
                .first()
                .filter(|_| !extras.ignore_warning)
                .map(|w| {
                    format!("Warning: {}\n\n{}", w.summary, w.detail)
                        .trim_end()
                        .to_owned()
                })
                .unwrap_or_default(),
            vars: &extras.vars,
            stdout,
            stderr: report.transcript.stderr.text().into(),
            combined_output: combined,
            exit_code: extras
                .exit_code
                .unwrap_or(i32::from(!report.outcome.is_success())),
            has_error: failed,
            has_destroy: report.has_destroy,
            has_protected_destroy: !report.protected.is_empty(),
            protected_resources: report
                .protected
                .iter()
                .map(|p| Protected {
                    address: &p.address,
                    action: if p.action == Action::Replace {
                        "replace"
                    } else {
                        "destroy"
                    },
                })
                .collect(),
            error_messages: &extras.error_messages,
            notices: &report.notices,
            owners: &extras.owners,
            resources: ResourceLists::of(report),
            command: report.command.as_str(),
            target: extras.vars.get("target").cloned().unwrap_or_default(),
            report,
            modules: report.modules.iter().map(ModuleSection::new).collect(),
            ci: extras.ci,
            ai_summary: extras.ai_summary.as_deref().unwrap_or_default(),
            summary_enabled: extras.summary_enabled,
        }
    }

    /// The context as JSON, the form `--dump-context` prints and a saved context is read in.
    pub fn to_value(&self) -> serde_json::Value {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// The context as the template engine reads it, nothing masked (see [`template_data`]).
    pub fn data(&self) -> crate::template::Value {
        template_data(self, &crate::mask::Masker::empty())
    }
}

impl<'a> ModuleSection<'a> {
    fn new(module: &'a ModuleReport) -> Self {
        let report = &module.report;
        ModuleSection {
            dir: &module.dir,
            result: report.result.as_deref().unwrap_or_default(),
            has_error: is_failure(report.outcome),
            has_destroy: report.has_destroy,
            resources: ResourceLists::of(report),
            report,
        }
    }
}

/// Whether the run failed, which `.HasError` says.
fn is_failure(outcome: Outcome) -> bool {
    matches!(
        outcome,
        Outcome::Error | Outcome::ApplyFailed | Outcome::Invalid
    )
}

#[cfg(test)]
mod tests {
    use super::{Context, Extras};
    use crate::model::Command;

    fn report(path: &str, command: Command) -> crate::model::Report {
        let text = std::fs::read(format!(
            "{}/tests/fixtures/terraform/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture");
        crate::parse::parse(&text, command).expect("parse")
    }

    #[test]
    fn classic_and_tfcmt_names_keep_their_meanings() {
        let report = report("1.11/plan_mixed.txt", Command::Plan);
        let extras = Extras::default();
        let value = Context::new(&report, &extras).to_value();
        assert_eq!(value["Title"], "## Plan result");
        assert_eq!(
            value["Result"],
            "Plan: 1 to import, 12 to add, 5 to change, 7 to destroy."
        );
        assert_eq!(value["ExitCode"], 0);
        assert_eq!(value["HasDestroy"], true);
        assert_eq!(value["HasError"], false);
        assert_eq!(value["DeletedResources"][0], "terraform_data.bastion");
        assert_eq!(
            value["MovedResources"][0]["Before"],
            "terraform_data.log_archive"
        );
        assert_eq!(
            value["MovedResources"][0]["After"],
            "module.app.terraform_data.log_archive"
        );
        assert_eq!(value["Report"]["counts"]["destroy"], 7);
        assert!(
            value["ChangedResult"]
                .as_str()
                .is_some_and(|s| s.contains("will be created"))
        );
        assert!(
            value["Warning"]
                .as_str()
                .is_some_and(|s| s.starts_with("Warning: "))
        );
        assert!(
            value["Body"]
                .as_str()
                .is_some_and(|s| s.ends_with("\"terraform apply\" now."))
        );
    }

    #[test]
    fn every_default_message_opens_with_the_protected_banner() {
        use crate::render::{Flavor, Message, Spec};
        let mut plan = report("1.11/plan_mixed.txt", Command::Plan);
        let pattern = crate::guard::Pattern::new("terraform_data.bastion").expect("valid");
        crate::guard::Guard::new(vec![pattern], false).mark(&mut plan);
        let extras = Extras::default();
        let value = Context::new(&plan, &extras).to_value();
        assert_eq!(value["HasProtectedDestroy"], true);
        assert_eq!(
            value["ProtectedResources"][0]["Address"],
            "terraform_data.bastion"
        );
        assert_eq!(value["ProtectedResources"][0]["Action"], "destroy");
        let overrides = std::collections::BTreeMap::new();
        for flavor in Flavor::ALL {
            let spec = Spec {
                flavor,
                command: Command::Plan,
                template: None,
                overrides: &overrides,
                raw: false,
            };
            let text = Message::build(&spec)
                .expect("default template")
                .render_value(&value)
                .expect("renders");
            let head: String = text.lines().take(3).collect::<Vec<_>>().join("\n");
            assert!(
                head.to_lowercase()
                    .contains("this plan destroys protected resources")
                    && head.contains("terraform_data.bastion")
                    && head.contains("will be destroyed"),
                "{}: {head}",
                flavor.as_str()
            );
        }
    }

    #[test]
    fn a_failed_plan_quotes_the_error_text_as_result() {
        let report = report("1.11/plan_multiple_errors.txt", Command::Plan);
        let extras = Extras::default();
        let value = Context::new(&report, &extras).to_value();
        let result = value["Result"].as_str().unwrap_or_default();
        assert!(result.starts_with("Error: Invalid index"), "{result}");
        assert!(result.contains("Error: Too many function arguments"));
        assert_eq!(value["ExitCode"], 1);
        assert_eq!(value["HasError"], true);
    }
}
