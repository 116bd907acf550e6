//! The parsed result of one Terraform run: plain data that every later stage reads.
//!
//! The model is the contract between parsing and everything downstream. `tfnotify parse`
//! prints it as JSON (schema 1, documented in `docs/parse-json.md`), templates read it, and
//! notifiers only ever see it through a rendered message. Nothing here knows where the text
//! came from or where it goes, so it carries no per-destination fields.

mod capped_text;
pub mod overview;

use std::sync::Arc;

use serde::Serialize;

pub use capped_text::CappedText;
pub(crate) use capped_text::DEFAULT_TAIL;

/// The version of the public JSON shape. Bumped only on a breaking change, so scripts can
/// refuse what they do not understand.
pub const SCHEMA_VERSION: u32 = 1;

/// How many resource changes one report keeps. Counts stay exact beyond this; only the
/// list stops growing, which keeps memory bounded on any input.
pub const MAX_RESOURCES: usize = 100_000;

/// How many diagnostics of each severity one report keeps.
pub const MAX_DIAGNOSTICS: usize = 1_000;

/// Which Terraform command produced the text; it decides how the text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    Plan,
    Apply,
    Destroy,
    Fmt,
    Validate,
    /// `tfnotify summary`: one view of every target's latest result on a pull request,
    /// read from the comments (or report files) of the runs before it, never from output.
    Summary,
}

impl Command {
    /// The word a user types and that Terraform uses for the command.
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Plan => "plan",
            Command::Apply => "apply",
            Command::Destroy => "destroy",
            Command::Fmt => "fmt",
            Command::Validate => "validate",
            Command::Summary => "summary",
        }
    }

    /// The command a name stands for, as [`Command::as_str`] writes it.
    pub fn from_name(name: &str) -> Option<Command> {
        [
            Command::Plan,
            Command::Apply,
            Command::Destroy,
            Command::Fmt,
            Command::Validate,
            Command::Summary,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }

    /// Whether the command changes infrastructure, so its success is "applied".
    pub fn is_apply_like(self) -> bool {
        matches!(self, Command::Apply | Command::Destroy)
    }
}

/// The program that wrote the output: messages name it and some lines differ between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tool {
    Terraform,
    #[serde(rename = "opentofu")]
    OpenTofu,
}

impl Tool {
    /// The product name as the tool prints it.
    pub fn display_name(self) -> &'static str {
        match self {
            Tool::Terraform => "Terraform",
            Tool::OpenTofu => "OpenTofu",
        }
    }
}

/// What the run amounted to. One value per report, chosen from the text's own markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Changes,
    NoChanges,
    Error,
    Applied,
    ApplyFailed,
    Formatted,
    Unformatted,
    Valid,
    Invalid,
    /// The text ended before any result line: a truncated log or something not Terraform's.
    Unparsed,
}

impl Outcome {
    /// The stable name used in JSON and templates.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Changes => "changes",
            Outcome::NoChanges => "no_changes",
            Outcome::Error => "error",
            Outcome::Applied => "applied",
            Outcome::ApplyFailed => "apply_failed",
            Outcome::Formatted => "formatted",
            Outcome::Unformatted => "unformatted",
            Outcome::Valid => "valid",
            Outcome::Invalid => "invalid",
            Outcome::Unparsed => "unparsed",
        }
    }

    /// The outcome a name stands for, as [`Outcome::as_str`] writes it.
    pub fn from_name(name: &str) -> Option<Outcome> {
        [
            Outcome::Changes,
            Outcome::NoChanges,
            Outcome::Error,
            Outcome::Applied,
            Outcome::ApplyFailed,
            Outcome::Formatted,
            Outcome::Unformatted,
            Outcome::Valid,
            Outcome::Invalid,
            Outcome::Unparsed,
        ]
        .into_iter()
        .find(|o| o.as_str() == name)
    }

    /// Whether the run went as Terraform intended. Stdin mode turns this into exit code 0.
    pub fn is_success(self) -> bool {
        matches!(
            self,
            Outcome::Changes
                | Outcome::NoChanges
                | Outcome::Applied
                | Outcome::Formatted
                | Outcome::Valid
        )
    }
}

/// What happens to one resource, in the JSON plan's own vocabulary so both parsers agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Create,
    Update,
    Delete,
    Replace,
    Read,
    NoOp,
    Forget,
}

impl Action {
    /// The JSON name of the action.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Replace => "replace",
            Action::Read => "read",
            Action::NoOp => "no-op",
            Action::Forget => "forget",
        }
    }

    /// Every action, for whoever needs to name them all.
    pub const ALL: [Action; 7] = [
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::Replace,
        Action::Read,
        Action::NoOp,
        Action::Forget,
    ];

    /// The action a JSON name stands for.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// The counts Terraform prints in its summary line (or that its actions add up to).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub add: u64,
    pub change: u64,
    pub destroy: u64,
    pub import: u64,
    pub forget: u64,
}

impl Counts {
    /// Whether the summary announces any work at all.
    pub fn is_zero(&self) -> bool {
        *self == Counts::default()
    }

    /// Counts one resource change the way Terraform's summary line does.
    pub fn tally(&mut self, action: Action, imported: bool) {
        match action {
            Action::Create => self.add += 1,
            Action::Update => self.change += 1,
            Action::Delete => self.destroy += 1,
            Action::Replace => {
                self.add += 1;
                self.destroy += 1;
            }
            Action::Forget => self.forget += 1,
            Action::Read | Action::NoOp => {}
        }
        if imported {
            self.import += 1;
        }
    }

    /// The counts as Terraform's plan line words them (`1 to import, 2 to add, 0 to change,
    /// 1 to destroy`): imports and forgets only when there are any, as Terraform does.
    pub fn plan_phrase(&self) -> String {
        let mut parts = vec![
            format!("{} to add", self.add),
            format!("{} to change", self.change),
            format!("{} to destroy", self.destroy),
        ];
        if self.import > 0 {
            parts.insert(0, format!("{} to import", self.import));
        }
        if self.forget > 0 {
            parts.push(format!("{} to forget", self.forget));
        }
        parts.join(", ")
    }

    /// Adds another tally to this one.
    pub fn merge(&mut self, other: Counts) {
        self.add += other.add;
        self.change += other.change;
        self.destroy += other.destroy;
        self.import += other.import;
        self.forget += other.forget;
    }
}

/// One resource instance the run touches.
///
/// A report can hold a hundred thousand of these, so the rare texts sit behind one
/// pointer and the address is shared (templates read them without a copy): 32 bytes plus
/// the address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceChange {
    /// The instance address, e.g. `module.db.terraform_data.primary["eu"]`.
    pub address: Arc<str>,
    pub action: Action,
    /// Whether the instance is being imported into state by this plan.
    pub imported: bool,
    /// What few changes have besides (see [`ChangeDetails`]), shared by copies.
    details: Option<Arc<ChangeDetails>>,
}

/// The texts only some resource changes have.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ChangeDetails {
    moved_from: Option<Box<str>>,
    reason: Option<Box<str>>,
    deposed: Option<Box<str>>,
    module_dir: Option<Arc<str>>,
}

impl ResourceChange {
    /// A change with no move, import, reason or deposed key: the common case.
    pub fn new(address: impl Into<Arc<str>>, action: Action) -> Self {
        ResourceChange {
            address: address.into(),
            action,
            imported: false,
            details: None,
        }
    }

    /// Whether this change removes an existing object (outright or by replacement).
    pub fn is_destructive(&self) -> bool {
        matches!(self.action, Action::Delete | Action::Replace)
    }

    /// The old address when a `moved` block (or a refactor) renamed the instance.
    pub fn moved_from(&self) -> Option<&str> {
        self.details.as_ref()?.moved_from.as_deref()
    }

    /// Terraform's own words for why, such as `is tainted, so must be replaced`.
    pub fn reason(&self) -> Option<&str> {
        self.details.as_ref()?.reason.as_deref()
    }

    /// The deposed-object key when the change concerns a deposed instance.
    pub fn deposed(&self) -> Option<&str> {
        self.details.as_ref()?.deposed.as_deref()
    }

    /// The Terragrunt module directory the change belongs to, when one output held several.
    pub fn module_dir(&self) -> Option<&Arc<str>> {
        self.details.as_ref()?.module_dir.as_ref()
    }

    /// Sets (or with `None` clears) where the instance moved from.
    pub fn set_moved_from(&mut self, from: Option<&str>) {
        self.edit(|d| d.moved_from = from.map(Box::from), from.is_some());
    }

    /// Sets (or clears) Terraform's reason for the action.
    pub fn set_reason(&mut self, reason: Option<&str>) {
        self.edit(|d| d.reason = reason.map(Box::from), reason.is_some());
    }

    /// Sets (or clears) the deposed-object key.
    pub fn set_deposed(&mut self, key: Option<&str>) {
        self.edit(|d| d.deposed = key.map(Box::from), key.is_some());
    }

    /// Sets (or clears) the Terragrunt module directory; one directory is shared by all
    /// of its module's changes.
    pub fn set_module_dir(&mut self, dir: Option<Arc<str>>) {
        let some = dir.is_some();
        self.edit(|d| d.module_dir = dir, some);
    }

    /// Changes the details, making room for them only when a value is set.
    fn edit(&mut self, change: impl FnOnce(&mut ChangeDetails), setting: bool) {
        if setting {
            change(Arc::make_mut(self.details.get_or_insert_with(Arc::default)));
        } else if let Some(details) = &mut self.details {
            change(Arc::make_mut(details));
        }
    }
}

impl Serialize for ResourceChange {
    /// The JSON shape of schema 1: `deposed` and `module_dir` only when present.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("ResourceChange", 7)?;
        out.serialize_field("address", &*self.address)?;
        out.serialize_field("action", &self.action)?;
        out.serialize_field("moved_from", &self.moved_from())?;
        out.serialize_field("imported", &self.imported)?;
        out.serialize_field("reason", &self.reason())?;
        match self.deposed() {
            Some(key) => out.serialize_field("deposed", key)?,
            None => out.skip_field("deposed")?,
        }
        match self.module_dir() {
            Some(dir) => out.serialize_field("module_dir", &**dir)?,
            None => out.skip_field("module_dir")?,
        }
        out.end()
    }
}

/// A protected resource that the run destroys, outright or by replacement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProtectedChange {
    pub address: String,
    /// [`Action::Delete`] or [`Action::Replace`].
    pub action: Action,
}

impl ProtectedChange {
    /// A protected change as stored by name (a comment's marker, a report file): `None`
    /// unless the action is a destroy or a replacement, the only ones the guard marks.
    pub fn from_names(address: String, action: &str) -> Option<ProtectedChange> {
        let action =
            Action::from_name(action).filter(|a| matches!(a, Action::Delete | Action::Replace))?;
        Some(ProtectedChange { address, action })
    }
}

/// A root module output whose value changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutputChange {
    pub name: String,
    pub action: Action,
    /// The Terragrunt module directory whose output this is, when one output held several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module_dir: Option<String>,
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// An `Error:` or `Warning:` block as Terraform prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The headline after `Error: ` or `Warning: `.
    pub summary: String,
    /// Everything Terraform printed under the headline, source excerpt included.
    pub detail: String,
    /// The resource named by a `with ADDRESS,` line, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The Terragrunt module directory that printed it, when one output held several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module_dir: Option<String>,
}

/// Everything tfnotify understood of one Terraform run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema: u32,
    pub command: Command,
    pub tool: Tool,
    pub outcome: Outcome,
    /// The line that states the result (`Plan: …`, `Apply complete! …`, `Error: …`).
    pub result: Option<String>,
    pub counts: Counts,
    /// Shared, so a message's context reads them where they are (up to 100,000).
    pub resources: Arc<Vec<ResourceChange>>,
    /// How many resource changes were seen beyond [`MAX_RESOURCES`] and not listed.
    #[serde(skip_serializing_if = "is_zero")]
    pub resources_omitted: u64,
    pub outputs: Vec<OutputChange>,
    /// Objects that changed outside of Terraform since the last apply.
    pub drift: Vec<ResourceChange>,
    pub warnings: Vec<Diagnostic>,
    pub errors: Vec<Diagnostic>,
    /// Resources an apply started but did not finish, or that an error names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<String>,
    /// Files `terraform fmt` would rewrite.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    pub has_destroy: bool,
    /// Destroys and replacements of resources the config protects (`guard.protect`), in
    /// the order Terraform listed them. Filled after parsing, from the addresses the parser
    /// placed in `resources`, never from free text; empty when nothing is protected.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub protected: Vec<ProtectedChange>,
    /// Where the output contradicted itself and how tfnotify decided (a summary line that
    /// disagrees with the resources listed, a wrapped program's exit code that disagrees
    /// with the text): facts come from structure, and these say so.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
    /// The text itself, bounded, for templates; never part of the JSON shape.
    #[serde(skip)]
    pub transcript: Transcript,
    /// Each module's own report when Terragrunt ran two or more, in the order their
    /// directories first appeared, so each can be delivered as if it were its own run.
    /// Empty for any other input. Not part of the JSON shape: the `module_dir` of every
    /// entry above already says which module it came from.
    #[serde(skip)]
    pub modules: Vec<ModuleReport>,
}

/// One module of a Terragrunt run of several, read as the Terraform run it was.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleReport {
    /// The directory Terragrunt named in the module's prefix (`live/vpc`); empty for
    /// Terraform lines it printed without one.
    pub dir: String,
    pub report: Report,
}

/// The bounded copies of the output that templates may quote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transcript {
    /// stdout and stderr interleaved as they arrived, colours stripped.
    pub combined: CappedText,
    /// The planned changes section ("will perform the following actions" to the next rule).
    pub changes: CappedText,
    /// The "Objects have changed outside of Terraform" section.
    pub drift: CappedText,
    /// What arrived on stdout alone, colours stripped. Empty, with `stderr`, when the input
    /// was one stream: then it is `combined` (see [`Transcript::stdout_text`]).
    pub stdout: CappedText,
    /// What arrived on stderr alone, colours stripped (empty when reading a pipe).
    pub stderr: CappedText,
    /// From the first `Error:` line to the end, diagnostic frames removed: what classic
    /// templates quote as the result of a failed run.
    pub errors: CappedText,
}

impl Transcript {
    /// Gives back the room the texts kept for growing (see [`CappedText::compact`]).
    pub fn compact(&mut self) {
        for text in [
            &mut self.combined,
            &mut self.changes,
            &mut self.drift,
            &mut self.stdout,
            &mut self.stderr,
            &mut self.errors,
        ] {
            text.compact();
        }
    }

    /// The stdout text: the stdout copy when the streams were kept apart, else everything.
    pub fn stdout_text(&self) -> String {
        if self.stdout.is_empty() && self.stderr.is_empty() {
            self.combined.text()
        } else {
            self.stdout.text()
        }
    }
}

impl Report {
    /// An empty report for `command`, before any line has been read.
    pub fn new(command: Command) -> Self {
        Report {
            schema: SCHEMA_VERSION,
            command,
            tool: Tool::Terraform,
            outcome: Outcome::Unparsed,
            result: None,
            counts: Counts::default(),
            resources: Arc::default(),
            resources_omitted: 0,
            outputs: Vec::new(),
            drift: Vec::new(),
            warnings: Vec::new(),
            errors: Vec::new(),
            failed: Vec::new(),
            files: Vec::new(),
            has_destroy: false,
            protected: Vec::new(),
            notices: Vec::new(),
            transcript: Transcript::default(),
            modules: Vec::new(),
        }
    }

    /// Resources with `action`, in the order Terraform listed them.
    pub fn resources_with(&self, action: Action) -> impl Iterator<Item = &ResourceChange> {
        self.resources.iter().filter(move |r| r.action == action)
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &u64) -> bool {
    *n == 0
}
