//! Result labels on the pull request: which one a plan earns, and the fewest calls that
//! put it there.
//!
//! The PR's labels are read once; only labels of ours that are wrong are removed, the right
//! one is added only when missing, and a label is never removed and added back. Labels of
//! anyone else are never touched. A name that cannot be a label on the forge (see
//! `notify::label_name`) is never sent: the label is skipped and the run says why.

use std::collections::BTreeMap;

use crate::config::{Config, Label};
use crate::model::{Outcome, Report};
use crate::notify::label_name::{LabelName, Rules, shown};
use crate::template::{FuncSet, Mode, Template};

/// What GitHub allows in a label name: 50 characters (its API refuses more).
pub(crate) const RULES: Rules = Rules {
    forge: "GitHub",
    max_chars: 50,
};

/// The results a plan can be labelled with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    AddOrUpdate,
    Destroy,
    /// A destroy of a resource `guard.protect` names: takes the place of [`Kind::Destroy`].
    ProtectedDestroy,
    NoChanges,
    PlanError,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::AddOrUpdate,
        Kind::Destroy,
        Kind::ProtectedDestroy,
        Kind::NoChanges,
        Kind::PlanError,
    ];

    fn default_name(self) -> &'static str {
        match self {
            Kind::AddOrUpdate => "add-or-update",
            Kind::Destroy => "destroy",
            Kind::ProtectedDestroy => "protected-destroy",
            Kind::NoChanges => "no-changes",
            Kind::PlanError => "plan-error",
        }
    }

    fn default_color(self) -> &'static str {
        match self {
            Kind::AddOrUpdate => "1d76db",
            Kind::Destroy => "d93f0b",
            Kind::ProtectedDestroy => "e11d21",
            Kind::NoChanges => "0e8a16",
            Kind::PlanError => "b60205",
        }
    }

    /// The label a report earns; `None` (remove ours, add none) when the plan could not be
    /// read.
    pub(crate) fn of(report: &Report) -> Option<Kind> {
        match report.outcome {
            Outcome::Changes if !report.protected.is_empty() => Some(Kind::ProtectedDestroy),
            Outcome::Changes if report.has_destroy => Some(Kind::Destroy),
            Outcome::Changes => Some(Kind::AddOrUpdate),
            Outcome::NoChanges => Some(Kind::NoChanges),
            Outcome::Error => Some(Kind::PlanError),
            _ => None,
        }
    }
}

/// One label as we want it: name and colour (six hex digits, no `#`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wanted {
    pub name: LabelName,
    pub color: String,
}

/// All result labels of this target, by kind, resolved from the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Labels {
    by_kind: Vec<(Kind, Option<Wanted>)>,
    /// The kinds whose name cannot be a label, with the message that says why.
    refused: Vec<(Kind, String)>,
}

/// A label currently on the pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Present {
    pub name: String,
    pub color: String,
}

/// What to change, in the order to do it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    pub remove: Vec<LabelName>,
    pub add: Option<Wanted>,
    /// A label already on the PR (or just added) whose repository colour is wrong.
    pub recolor: Option<Wanted>,
}

impl Changes {
    pub(crate) fn is_empty(&self) -> bool {
        self.remove.is_empty() && self.add.is_none() && self.recolor.is_none()
    }
}

impl Labels {
    /// The labels the config asks for. The classic dialect (a `notifier:` block) labels
    /// only what it names; otherwise tfcmt's defaults apply, prefixed with `<target>/`.
    /// The protected-destroy label exists whenever `guard.protect` names something, in
    /// either dialect: the user asked for it by writing the guard.
    /// Names are templates over `.Vars`; one that does not render is an error. A name the
    /// forge's `rules` refuse is no error: that label is skipped, and [`Labels::refusal`]
    /// says why when a result earns it.
    pub(crate) fn resolve_for(
        config: &Config,
        vars: &BTreeMap<String, String>,
        rules: Rules,
    ) -> Result<Labels, String> {
        let plan = &config.terraform.plan;
        let classic = config.notifier.github.is_some() || config.notifier.gitlab.is_some();
        let configured = |kind: Kind| -> (&str, &str, bool) {
            match kind {
                Kind::AddOrUpdate => label_fields(&plan.when_add_or_update_only),
                Kind::Destroy => {
                    let w = &plan.when_destroy;
                    (w.label.as_str(), w.label_color.as_str(), w.disable_label)
                }
                Kind::NoChanges => {
                    let w = &plan.when_no_changes;
                    (w.label.as_str(), w.label_color.as_str(), w.disable_label)
                }
                Kind::PlanError => label_fields(&plan.when_plan_error),
                Kind::ProtectedDestroy => {
                    let g = &config.guard;
                    (g.label.as_str(), g.label_color.as_str(), g.disable_label)
                }
            }
        };
        let guarded = !config.guard.protect.is_empty();
        let target = vars.get("target").filter(|t| !t.is_empty());
        let mut by_kind = Vec::new();
        let mut refused = Vec::new();
        for kind in Kind::ALL {
            let (name, color, disabled) = configured(kind);
            let unasked = if kind == Kind::ProtectedDestroy {
                !guarded
            } else {
                classic && name.is_empty()
            };
            if plan.disable_label || disabled || unasked {
                by_kind.push((kind, None));
                continue;
            }
            let name = if name.is_empty() {
                match target {
                    Some(target) => format!("{target}/{}", kind.default_name()),
                    None => kind.default_name().to_owned(),
                }
            } else {
                render_name(name, vars)?
            };
            let name = match LabelName::new(name.clone(), rules) {
                Ok(name) => name,
                Err(refusal) => {
                    let of =
                        target.map_or_else(String::new, |t| format!(" for target `{}`", shown(t)));
                    let why = format!("the label `{}`{of} was skipped: {refusal}", shown(&name));
                    refused.push((kind, why));
                    by_kind.push((kind, None));
                    continue;
                }
            };
            let color = if color.is_empty() {
                kind.default_color()
            } else {
                color
            };
            let color = color.trim_start_matches('#').to_ascii_lowercase();
            by_kind.push((kind, Some(Wanted { name, color })));
        }
        Ok(Labels { by_kind, refused })
    }

    /// Why the label `kind` earns was skipped, when its name cannot be a label.
    pub(crate) fn refusal(&self, kind: Option<Kind>) -> Option<String> {
        let kind = kind?;
        self.refused
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, why)| why.clone())
    }

    /// The fewest changes that leave exactly the label `kind` earns among ours. A protected
    /// destroy without a label of its own (`guard.disable_label`) gets the destroy label.
    pub(crate) fn changes(&self, kind: Option<Kind>, present: &[Present]) -> Changes {
        let wanted_of = |k: Kind| {
            self.by_kind
                .iter()
                .find(|(x, _)| *x == k)
                .and_then(|(_, w)| w.clone())
        };
        let wanted = kind.and_then(|k| match k {
            Kind::ProtectedDestroy => wanted_of(k).or_else(|| wanted_of(Kind::Destroy)),
            _ => wanted_of(k),
        });
        let ours: Vec<&LabelName> = self
            .by_kind
            .iter()
            .filter_map(|(_, w)| w.as_ref())
            .map(|w| &w.name)
            .collect();
        let mut changes = Changes::default();
        for label in present {
            let is_wanted = wanted.as_ref().is_some_and(|w| w.name == *label.name);
            // What is removed is our own name, never the text the forge sent back.
            if let Some(name) = ours.iter().find(|n| n.as_str() == label.name)
                && !is_wanted
            {
                changes.remove.push((*name).clone());
            }
        }
        if let Some(wanted) = wanted {
            match present.iter().find(|p| wanted.name == *p.name) {
                Some(p) if p.color.eq_ignore_ascii_case(&wanted.color) => {}
                Some(_) => changes.recolor = Some(wanted),
                None => changes.add = Some(wanted),
            }
        }
        changes
    }

    /// Whether any label is wanted at all (so the PR's labels need reading).
    pub(crate) fn any(&self) -> bool {
        self.by_kind.iter().any(|(_, w)| w.is_some())
    }
}

fn label_fields(label: &Label) -> (&str, &str, bool) {
    (
        label.label.as_str(),
        label.label_color.as_str(),
        label.disable_label,
    )
}

/// A label name template, rendered with `.Vars` (and `.Target`) in text mode.
fn render_name(text: &str, vars: &BTreeMap<String, String>) -> Result<String, String> {
    let template = Template::parse("label", text, Mode::Text, &FuncSet::standard())
        .map_err(|e| e.to_string())?;
    let data = serde_json::json!({
        "Vars": vars,
        "Target": vars.get("target").cloned().unwrap_or_default(),
    });
    template
        .execute(&data)
        .map(|s| s.trim().to_owned())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{Changes, Kind, Labels, Present, RULES, Wanted};
    use crate::config::Config;
    use crate::notify::label_name::LabelName;

    fn present(list: &[(&str, &str)]) -> Vec<Present> {
        list.iter()
            .map(|(n, c)| Present {
                name: (*n).into(),
                color: (*c).into(),
            })
            .collect()
    }

    fn name(text: &str) -> LabelName {
        LabelName::new(text.to_owned(), RULES).expect("a valid name")
    }

    fn wanted(text: &str, color: &str) -> Wanted {
        Wanted {
            name: name(text),
            color: color.into(),
        }
    }

    fn tfcmt_defaults(target: Option<&str>) -> Labels {
        let mut vars = BTreeMap::new();
        if let Some(t) = target {
            vars.insert("target".to_owned(), t.to_owned());
        }
        Labels::resolve_for(&Config::default(), &vars, RULES).expect("labels")
    }

    #[test]
    fn defaults_follow_tfcmt_with_the_target_prefix() {
        let labels = tfcmt_defaults(Some("prod"));
        let changes = labels.changes(Some(Kind::Destroy), &[]);
        assert_eq!(changes.add, Some(wanted("prod/destroy", "d93f0b")));
    }

    #[test]
    fn only_wrong_labels_of_ours_are_removed_and_the_right_one_is_kept() {
        let labels = tfcmt_defaults(None);
        let on_pr = present(&[("add-or-update", "1d76db"), ("needs-review", "ffffff")]);
        let changes = labels.changes(Some(Kind::Destroy), &on_pr);
        assert_eq!(
            changes,
            Changes {
                remove: vec![name("add-or-update")],
                add: Some(wanted("destroy", "d93f0b")),
                recolor: None,
            }
        );
        let same = labels.changes(Some(Kind::Destroy), &present(&[("destroy", "D93F0B")]));
        assert!(
            same.is_empty(),
            "nothing to do when the label is right: {same:?}"
        );
        let recolor = labels.changes(Some(Kind::Destroy), &present(&[("destroy", "000000")]));
        assert_eq!(recolor.recolor, Some(wanted("destroy", "d93f0b")));
        assert!(recolor.remove.is_empty() && recolor.add.is_none());
    }

    fn guarded(yaml: &str) -> Labels {
        let (config, _) = crate::config::parse(yaml.as_bytes(), "t.yaml").expect("config");
        let vars = BTreeMap::from([("target".to_owned(), "prod".to_owned())]);
        Labels::resolve_for(&config, &vars, RULES).expect("labels")
    }

    #[test]
    fn a_protected_destroy_takes_the_place_of_the_destroy_label() {
        let labels = guarded("guard:\n  protect: [\"module.db.*\"]\n");
        let changes = labels.changes(
            Some(Kind::ProtectedDestroy),
            &present(&[("prod/destroy", "d93f0b")]),
        );
        assert_eq!(
            changes.add,
            Some(wanted("prod/protected-destroy", "e11d21"))
        );
        assert_eq!(changes.remove, vec![name("prod/destroy")]);
        let later = labels.changes(
            Some(Kind::Destroy),
            &present(&[("prod/protected-destroy", "e11d21")]),
        );
        assert_eq!(later.remove, vec![name("prod/protected-destroy")]);

        let named = guarded(
            "guard:\n  protect: [x]\n  label: \"{{ .Vars.target }}:precious\"\n  label_color: \"#FF0000\"\n",
        );
        let changes = named.changes(Some(Kind::ProtectedDestroy), &[]);
        assert_eq!(changes.add, Some(wanted("prod:precious", "ff0000")));

        let classic = guarded("notifier:\n  github: {}\nguard:\n  protect: [x]\n");
        let changes = classic.changes(Some(Kind::ProtectedDestroy), &[]);
        assert_eq!(
            changes.add,
            Some(wanted("prod/protected-destroy", "e11d21"))
        );

        let disabled = guarded("guard:\n  protect: [x]\n  disable_label: true\n");
        let changes = disabled.changes(Some(Kind::ProtectedDestroy), &[]);
        assert_eq!(changes.add, Some(wanted("prod/destroy", "d93f0b")));
    }

    #[test]
    fn without_a_guard_there_is_no_protected_label() {
        let labels = tfcmt_defaults(Some("prod"));
        let changes = labels.changes(
            Some(Kind::Destroy),
            &present(&[("prod/protected-destroy", "e11d21")]),
        );
        assert!(changes.remove.is_empty(), "{changes:?}");
    }

    #[test]
    fn an_unreadable_plan_removes_ours_and_adds_none() {
        let labels = tfcmt_defaults(None);
        let changes = labels.changes(
            None,
            &present(&[("no-changes", "0e8a16"), ("team", "aaaaaa")]),
        );
        assert_eq!(changes.remove, vec![name("no-changes")]);
        assert!(changes.add.is_none());
    }

    #[test]
    fn configured_names_are_templates_and_long_ones_are_skipped() {
        let yaml = "terraform:\n  plan:\n    when_destroy:\n      label: \"{{ .Vars.env }}:destroy\"\n      label_color: \"#FF0000\"\n";
        let (config, _) = crate::config::parse(yaml.as_bytes(), "t.yaml").expect("config");
        let vars = BTreeMap::from([("env".to_owned(), "prod".to_owned())]);
        let labels = Labels::resolve_for(&config, &vars, RULES).expect("labels");
        assert_eq!(
            labels.changes(Some(Kind::Destroy), &[]).add,
            Some(wanted("prod:destroy", "ff0000"))
        );
        let long =
            "terraform:\n  plan:\n    when_destroy:\n      label: \"{{ repeat 51 \\\"x\\\" }}\"\n";
        let (config, _) = crate::config::parse(long.as_bytes(), "t.yaml").expect("config");
        let labels = Labels::resolve_for(&config, &vars, RULES).expect("labels");
        assert!(labels.changes(Some(Kind::Destroy), &[]).add.is_none());
        assert_eq!(
            labels.refusal(Some(Kind::Destroy)).as_deref(),
            Some(
                "the label `xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx` was skipped: GitHub label names are at most 50 characters"
            )
        );
        assert_eq!(labels.refusal(Some(Kind::NoChanges)), None);
    }

    #[test]
    fn a_target_that_cannot_be_in_a_label_is_reported_and_never_sent() {
        let labels = tfcmt_defaults(Some("envs/,approved,x"));
        assert!(!labels.any(), "no name of this target is a label");
        assert_eq!(
            labels.refusal(Some(Kind::Destroy)).as_deref(),
            Some(
                "the label `envs/,approved,x/destroy` for target `envs/,approved,x` was skipped: GitHub reads a comma in a label name as a separator"
            )
        );
        let changes = labels.changes(Some(Kind::Destroy), &present(&[("approved", "ffffff")]));
        assert!(changes.is_empty(), "{changes:?}");
        let newline = tfcmt_defaults(Some("prod\nx"));
        assert!(
            newline
                .refusal(Some(Kind::NoChanges))
                .is_some_and(|why| why.contains("`prod\\nx/no-changes` for target `prod\\nx`")),
            "{:?}",
            newline.refusal(Some(Kind::NoChanges))
        );
    }

    #[test]
    fn the_classic_dialect_labels_only_what_it_names() {
        let yaml = "notifier:\n  github:\n    token: x\nterraform:\n  plan:\n    when_destroy:\n      label: destroy\n";
        let (config, _) = crate::config::parse(yaml.as_bytes(), "t.yaml").expect("config");
        let labels = Labels::resolve_for(&config, &BTreeMap::new(), RULES).expect("labels");
        assert!(labels.changes(Some(Kind::NoChanges), &[]).is_empty());
        assert_eq!(
            labels.changes(Some(Kind::Destroy), &[]).add,
            Some(wanted("destroy", "d93f0b"))
        );
    }
}
