//! Evaluates tfcmt v1–v3's `ci:` block into CI overrides and template variables.
//!
//! tfcmt tried each fact's entries in order and took the first non-empty value; an entry
//! that failed was passed over. It filled only what detection and flags had left empty,
//! and a PR value that was not a number stopped the run. Here the block sits where the
//! rest of the config sits: below flags and `TFNOTIFY_*`/`TFCMT_*` variables, above
//! detection (the user wrote it for this CI on purpose), and its `vars` below `--var` and
//! `TFNOTIFY_VAR_*`. Nothing in it stops a run: a failing entry, or a PR that is not a
//! number, is a warning that names the entry.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::ci::{self, Env, Overrides};
use crate::config::{CiBlock, CiEntry, CiEntryKind};
use crate::template::{Func, FuncSet, Mode, Param, Template, Value};

use super::envsubst::envsubst;

/// What the block gives, and what went wrong while evaluating it.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Evaluated {
    /// `ci` is never set: the block fills values, it does not name the platform.
    pub(crate) overrides: Overrides,
    pub(crate) vars: BTreeMap<String, String>,
    /// `file:line:column: …` lines, one per entry that could not be used.
    pub(crate) warnings: Vec<String>,
}

/// Evaluates every fact of `block` with `env`; `file` names the config in warnings.
pub(crate) fn evaluate(block: &CiBlock, env: &dyn Env, file: &str) -> Evaluated {
    let mut run = Run {
        env,
        file,
        snapshot: None,
        warnings: Vec::new(),
    };
    let pr = run.first(&block.pr).and_then(|(value, entry)| {
        let parsed = ci::parse_pr(&entry.path, &value).ok();
        if parsed.is_none() {
            run.warn(
                entry,
                &format!("gave `{value}`, which is not a pull request number; no pull request is taken from `ci.pr`"),
            );
        }
        parsed
    });
    let overrides = Overrides {
        ci: None,
        owner: run.first(&block.owner).map(|(value, _)| value),
        repo: run.first(&block.repo).map(|(value, _)| value),
        pr,
        sha: run.first(&block.sha).map(|(value, _)| value),
        build_url: run.first(&block.link).map(|(value, _)| value),
    };
    let vars = block
        .vars
        .iter()
        .map(|(name, entries)| {
            // tfcmt set the variable even when no entry gave a value.
            let value = run.first(entries).map(|(value, _)| value);
            (name.clone(), value.unwrap_or_default())
        })
        .collect();
    Evaluated {
        overrides,
        vars,
        warnings: run.warnings,
    }
}

/// One evaluation: the environment, and the warnings so far.
struct Run<'a> {
    env: &'a dyn Env,
    file: &'a str,
    /// Every variable, taken once for template entries (their `env` function must own it).
    snapshot: Option<Rc<BTreeMap<String, String>>>,
    warnings: Vec<String>,
}

impl Run<'_> {
    /// The first non-empty value of `entries` and the entry that gave it.
    fn first<'e>(&mut self, entries: &'e [CiEntry]) -> Option<(String, &'e CiEntry)> {
        for entry in entries {
            let value = match entry.kind {
                CiEntryKind::Envsubst => envsubst(&entry.value, self.env),
                CiEntryKind::Template => self.template(&entry.value),
            };
            match value {
                Ok(value) if !value.is_empty() => return Some((value, entry)),
                Ok(_) => {}
                Err(problem) => self.warn(entry, &format!("{problem}; the entry is skipped")),
            }
        }
        None
    }

    /// Renders a template entry as tfcmt v3 did: text/template with sprig, no data, and
    /// sprig's `env` and `expandenv`, which read the environment.
    fn template(&mut self, text: &str) -> Result<String, String> {
        let vars = Rc::clone(
            self.snapshot
                .get_or_insert_with(|| Rc::new(self.env.snapshot())),
        );
        let mut funcs = FuncSet::standard();
        let lookup = Rc::clone(&vars);
        funcs.insert(
            "env",
            Func::new(&[Param::Str], move |args| {
                let name = args[0].as_str().unwrap_or_default();
                Ok(Value::str(lookup.get(name).cloned().unwrap_or_default()))
            }),
        );
        funcs.insert(
            "expandenv",
            Func::new(&[Param::Str], move |args| {
                let text = args[0].as_str().unwrap_or_default();
                Ok(Value::str(crate::config::expand(text, &|name| {
                    vars.get(name).cloned()
                })))
            }),
        );
        let template = Template::parse("_", text, Mode::Text, &funcs).map_err(|e| e.to_string())?;
        template
            .execute(&serde_json::Value::Null)
            .map_err(|e| e.to_string())
    }

    fn warn(&mut self, entry: &CiEntry, problem: &str) {
        self.warnings.push(format!(
            "`{}`:{}:{}: `{}` {problem}",
            self.file, entry.line, entry.column, entry.path
        ));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::evaluate;
    use crate::ci::Overrides;
    use crate::config::{CiBlock, parse};

    fn block(text: &str) -> CiBlock {
        let (config, _) = parse(text.as_bytes(), "tfcmt.yaml").expect("loads");
        config.ci_block.expect("a block")
    }

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_first_entry_with_a_value_wins_for_every_fact() {
        let block = block(
            "ci:\n  pr:\n    - type: envsubst\n      value: ${PULL}\n    - type: envsubst\n      value: ${CHANGE_ID}\n  \
             owner:\n    - {type: envsubst, value: acme}\n  repo:\n    - {type: template, value: '{{ env \"REPO\" | lower }}'}\n  \
             sha:\n    - {type: envsubst, value: '${GIT_COMMIT:-unknown}'}\n  \
             link:\n    - {type: template, value: '{{ expandenv \"$BUILD_URL\" }}console'}\n  \
             vars:\n    yoo:\n      - {type: template, value: '{{ env \"YOO\" }}'}\n    none:\n      - {type: envsubst, value: $UNSET}\n",
        );
        let got = evaluate(
            &block,
            &env(&[
                ("CHANGE_ID", "42"),
                ("REPO", "Infra"),
                ("BUILD_URL", "https://ci/7/"),
                ("YOO", "yes"),
            ]),
            "tfcmt.yaml",
        );
        assert_eq!(got.warnings, Vec::<String>::new());
        assert_eq!(
            got.overrides,
            Overrides {
                ci: None,
                owner: Some("acme".to_owned()),
                repo: Some("infra".to_owned()),
                pr: Some(42),
                sha: Some("unknown".to_owned()),
                build_url: Some("https://ci/7/console".to_owned()),
            }
        );
        assert_eq!(got.vars["yoo"], "yes");
        assert_eq!(got.vars["none"], "");
    }

    #[test]
    fn failing_entries_are_skipped_with_a_warning_naming_them() {
        let block = block(
            "ci:\n  pr:\n    - {type: template, value: '{{ .Nope.Deeper }}{{ bad'}\n    - {type: envsubst, value: '${PR/x/y}'}\n    \
             - {type: envsubst, value: '${TRAVIS_PULL_REQUEST}'}\n  sha:\n    - {type: template, value: '{{ fail \"no sha\" }}'}\n    \
             - {type: envsubst, value: $SHA}\n",
        );
        let got = evaluate(
            &block,
            &env(&[("TRAVIS_PULL_REQUEST", "false"), ("SHA", "abc")]),
            "tfcmt.yaml",
        );
        assert_eq!(got.overrides.pr, None);
        assert_eq!(got.overrides.sha.as_deref(), Some("abc"));
        assert_eq!(got.warnings.len(), 4, "{:#?}", got.warnings);
        assert!(
            got.warnings[0].starts_with("`tfcmt.yaml`:3:7: `ci.pr[0]` template: _:1: "),
            "{}",
            got.warnings[0]
        );
        assert_eq!(
            got.warnings[1],
            "`tfcmt.yaml`:4:7: `ci.pr[1]` `${PR/x/y}` is a form of envsubst that tfnotify does not evaluate; it takes `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR-default}`; the entry is skipped"
        );
        assert_eq!(
            got.warnings[2],
            "`tfcmt.yaml`:5:7: `ci.pr[2]` gave `false`, which is not a pull request number; no pull request is taken from `ci.pr`"
        );
        assert!(
            got.warnings[3].starts_with("`tfcmt.yaml`:7:7: `ci.sha[0]` template: _:1:"),
            "{}",
            got.warnings[3]
        );
        assert!(
            got.warnings[3].ends_with("no sha; the entry is skipped"),
            "{}",
            got.warnings[3]
        );
    }
}
