//! Walks the parsed YAML tree against [`schema::ROOT`](super::schema::ROOT).
//!
//! Unknown and duplicate keys become warnings (the run goes on: old configs carry keys we
//! never knew); a value of the wrong kind becomes an error naming the key path, which reads
//! better than the YAML crate's "expected mapping start". Runs before serde sees the file.

use std::collections::HashMap;

use super::error::WarningKind;
use super::schema::{Field, Shape};
use super::yaml::{Entry, Node, Pos};

/// A wrong value: where, and the message without position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mismatch {
    pub(crate) pos: Pos,
    pub(crate) message: String,
}

/// Checks a whole document whose root node starts at `pos`.
pub(crate) fn check(
    root: &Node,
    pos: Pos,
    shape: Shape,
) -> Result<Vec<(Pos, WarningKind)>, Mismatch> {
    let mut warnings = Vec::new();
    match (shape, root) {
        (_, Node::Null) => {}
        (Shape::Map(fields), Node::Map(entries)) => {
            walk(entries, fields, "", false, &mut warnings)?;
        }
        (_, other) => {
            return Err(Mismatch {
                pos,
                message: format!(
                    "expected a mapping at the top level, found {}",
                    describe(other)
                ),
            });
        }
    }
    Ok(warnings)
}

/// Where mismatches go: out as errors, or, inside a block the Go tools would have
/// ignored (`lenient`), into the warnings, after which the check goes on.
fn settle(
    result: Result<(), Mismatch>,
    lenient: bool,
    warnings: &mut Vec<(Pos, WarningKind)>,
) -> Result<(), Mismatch> {
    match result {
        Err(mismatch) if lenient => {
            let kind = WarningKind::Unusable {
                message: mismatch.message,
            };
            warnings.push((mismatch.pos, kind));
            Ok(())
        }
        other => other,
    }
}

fn walk(
    entries: &[Entry],
    fields: &'static [Field],
    prefix: &str,
    lenient: bool,
    warnings: &mut Vec<(Pos, WarningKind)>,
) -> Result<(), Mismatch> {
    let mut seen: HashMap<&str, Pos> = HashMap::new();
    for entry in entries {
        let path = join(prefix, &entry.key);
        if let Some(first) = seen.insert(&entry.key, entry.key_pos) {
            let kind = WarningKind::DuplicateKey {
                path: path.clone(),
                first_line: first.line,
            };
            warnings.push((entry.key_pos, kind));
        }
        if let Some(field) = fields.iter().find(|field| field.name == entry.key) {
            let checked = value(
                field.shape,
                &entry.value,
                entry.key_pos,
                &path,
                lenient,
                warnings,
            );
            settle(checked, lenient, warnings)?;
        } else {
            let suggestion = suggest(&entry.key, fields);
            warnings.push((entry.key_pos, WarningKind::UnknownKey { path, suggestion }));
        }
    }
    Ok(())
}

fn value(
    shape: Shape,
    node: &Node,
    pos: Pos,
    path: &str,
    lenient: bool,
    warnings: &mut Vec<(Pos, WarningKind)>,
) -> Result<(), Mismatch> {
    let expected = match (shape, node) {
        // A key with nothing after it is the zero value in Go's decoders; keep that.
        (_, Node::Null)
        | (
            Shape::Str | Shape::Scalar | Shape::NameOr(_),
            Node::Bool | Node::Count | Node::Number | Node::Str(_),
        )
        | (Shape::Text, Node::Str(_))
        | (Shape::Bool, Node::Bool)
        | (Shape::Int, Node::Count) => return Ok(()),
        (Shape::Map(fields), Node::Map(entries)) => {
            return walk(entries, fields, path, lenient, warnings);
        }
        (Shape::Blocks(known, rest), Node::Map(entries)) => {
            return blocks(entries, known, rest, path, warnings);
        }
        (Shape::NameOr(fields), Node::Map(entries)) => {
            return walk(entries, fields, path, true, warnings);
        }
        (Shape::Word(words), Node::Str(word)) if words.contains(&word.as_str()) => return Ok(()),
        (Shape::Word(words), Node::Str(word)) => {
            let known: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
            return Err(Mismatch {
                pos,
                message: format!(
                    "`{path}` is `{word}`, which tfnotify cannot evaluate: expected {}",
                    known.join(" or ")
                ),
            });
        }
        (Shape::StrMap | Shape::NamedRecords(_), Node::Map(entries)) => {
            // Each value has the same shape, whatever its key.
            let each = match shape {
                Shape::NamedRecords(fields) => Shape::Records(fields),
                _ => Shape::Str,
            };
            let mut seen: HashMap<&str, Pos> = HashMap::new();
            for entry in entries {
                let item = join(path, &entry.key);
                if let Some(first) = seen.insert(&entry.key, entry.key_pos) {
                    let kind = WarningKind::DuplicateKey {
                        path: item.clone(),
                        first_line: first.line,
                    };
                    warnings.push((entry.key_pos, kind));
                }
                let checked = value(each, &entry.value, entry.key_pos, &item, lenient, warnings);
                settle(checked, lenient, warnings)?;
            }
            return Ok(());
        }
        (Shape::StrList, Node::Seq(items)) => {
            for (index, (item_pos, item)) in items.iter().enumerate() {
                let checked = value(
                    Shape::Str,
                    item,
                    *item_pos,
                    &format!("{path}[{index}]"),
                    lenient,
                    warnings,
                );
                settle(checked, lenient, warnings)?;
            }
            return Ok(());
        }
        (Shape::Patterns, Node::Seq(items)) => {
            for (index, (item_pos, item)) in items.iter().enumerate() {
                let item_path = format!("{path}[{index}]");
                let checked = match item {
                    // A dash with nothing after it is an empty pattern, not a missing one.
                    Node::Null => pattern("", *item_pos, &item_path),
                    Node::Str(text) => pattern(text, *item_pos, &item_path),
                    other => value(Shape::Str, other, *item_pos, &item_path, lenient, warnings),
                };
                settle(checked, lenient, warnings)?;
            }
            return Ok(());
        }
        (Shape::Records(fields), Node::Seq(items)) => {
            for (index, (item_pos, item)) in items.iter().enumerate() {
                let item_path = format!("{path}[{index}]");
                let checked = record(item, *item_pos, fields, &item_path, lenient, warnings);
                settle(checked, lenient, warnings)?;
            }
            return Ok(());
        }
        (Shape::Entries(fields), Node::Seq(items)) => {
            for (index, (item_pos, item)) in items.iter().enumerate() {
                let item_path = format!("{path}[{index}]");
                match item {
                    Node::Map(entries) => entry(entries, fields, &item_path, warnings)?,
                    other => {
                        return Err(Mismatch {
                            pos: *item_pos,
                            message: format!(
                                "expected a mapping for `{item_path}`, found {}",
                                describe(other)
                            ),
                        });
                    }
                }
            }
            return Ok(());
        }
        (Shape::Map(_) | Shape::StrMap | Shape::NamedRecords(_) | Shape::Blocks(..), _) => {
            "a mapping"
        }
        (Shape::NameOr(_), _) => "a name or a mapping",
        (Shape::Entries(_) | Shape::Records(_), _) => "a list of mappings",
        (Shape::Str | Shape::Scalar | Shape::Text | Shape::Word(_), _) => "a string",
        (Shape::Bool, _) => "a boolean",
        (Shape::Int, _) => "a whole number",
        (Shape::StrList, _) => "a list of strings",
        (Shape::Patterns, _) => "a list of address patterns",
    };
    Err(Mismatch {
        pos,
        message: format!("expected {expected} for `{path}`, found {}", describe(node)),
    })
}

/// One item of a [`Shape::Patterns`] list, read as the guard will read it.
fn pattern(text: &str, pos: Pos, path: &str) -> Result<(), Mismatch> {
    crate::guard::Pattern::new(text)
        .map(|_| ())
        .map_err(|why| Mismatch {
            pos,
            message: format!("`{path}` is not a usable pattern: {why}"),
        })
}

/// A [`Shape::Blocks`] mapping: known keys as in [`walk`], any other key a block shaped like
/// a list entry (its name is checked by the notify stage, which knows the destinations).
fn blocks(
    entries: &[Entry],
    known: &'static [Field],
    rest: &'static [Field],
    path: &str,
    warnings: &mut Vec<(Pos, WarningKind)>,
) -> Result<(), Mismatch> {
    let (ours, others): (Vec<Entry>, Vec<Entry>) = entries
        .iter()
        .cloned()
        .partition(|e| known.iter().any(|field| field.name == e.key));
    walk(&ours, known, path, false, warnings)?;
    let mut seen: HashMap<&str, Pos> = HashMap::new();
    for block in &others {
        let block_path = join(path, &block.key);
        if let Some(first) = seen.insert(&block.key, block.key_pos) {
            let kind = WarningKind::DuplicateKey {
                path: block_path.clone(),
                first_line: first.line,
            };
            warnings.push((block.key_pos, kind));
        }
        match &block.value {
            Node::Null => {}
            Node::Map(settings) => entry(settings, rest, &block_path, warnings)?,
            other => {
                return Err(Mismatch {
                    pos: block.key_pos,
                    message: format!(
                        "expected a mapping for `{block_path}`, found {}",
                        describe(other)
                    ),
                });
            }
        }
    }
    Ok(())
}

/// One item of a [`Shape::Records`] list: a mapping that has every key of `fields`.
fn record(
    item: &Node,
    pos: Pos,
    fields: &'static [Field],
    path: &str,
    lenient: bool,
    warnings: &mut Vec<(Pos, WarningKind)>,
) -> Result<(), Mismatch> {
    let Node::Map(entries) = item else {
        return Err(Mismatch {
            pos,
            message: format!("expected a mapping for `{path}`, found {}", describe(item)),
        });
    };
    walk(entries, fields, path, lenient, warnings)?;
    let missing: Vec<String> = fields
        .iter()
        .filter(|field| !entries.iter().any(|e| e.key == field.name))
        .map(|field| format!("`{}`", field.name))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Mismatch {
        pos,
        message: format!("`{path}` has no {}", missing.join(" and ")),
    })
}

/// One list entry: its known keys are checked like a mapping's; any other key is a setting
/// of the destination and must be a scalar (which settings exist is checked later, when the
/// entry's `type` is known).
fn entry(
    entries: &[Entry],
    fields: &'static [Field],
    path: &str,
    warnings: &mut Vec<(Pos, WarningKind)>,
) -> Result<(), Mismatch> {
    let mut seen: HashMap<&str, Pos> = HashMap::new();
    for item in entries {
        let key_path = join(path, &item.key);
        if let Some(first) = seen.insert(&item.key, item.key_pos) {
            let kind = WarningKind::DuplicateKey {
                path: key_path.clone(),
                first_line: first.line,
            };
            warnings.push((item.key_pos, kind));
        }
        let shape = fields
            .iter()
            .find(|field| field.name == item.key)
            .map_or(Shape::Str, |field| field.shape);
        value(shape, &item.value, item.key_pos, &key_path, false, warnings)?;
    }
    Ok(())
}

fn describe(node: &Node) -> &'static str {
    match node {
        Node::Null => "nothing",
        Node::Bool => "a boolean",
        Node::Count => "a number",
        Node::Number => "a negative or fractional number",
        Node::Str(_) => "a string",
        Node::Seq(_) => "a list",
        Node::Map(_) => "a mapping",
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// The sibling key spelled most like `key`, if it is close enough to be a typo.
/// Jaro-Winkler (as clap uses for flags) with clap's 0.8 cut-off: catches `tmplate`,
/// `label_colour`, `use-raw-output`; stays quiet for unrelated names. A key that is a
/// known one with a `_suffix` (`ci.pr_number` for `ci.pr`) is pointed at it too.
fn suggest(key: &str, fields: &[Field]) -> Option<&'static str> {
    let key = key.to_lowercase();
    fields
        .iter()
        .map(|field| (strsim::jaro_winkler(&key, field.name), field.name))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name)
        .or_else(|| {
            fields
                .iter()
                .filter(|field| key.starts_with(&format!("{}_", field.name)))
                .max_by_key(|field| field.name.len())
                .map(|field| field.name)
        })
}

#[cfg(test)]
mod tests {
    use super::{check, suggest};
    use crate::config::schema::{ROOT, Shape};
    use crate::config::yaml::{Pos, parse_tree};

    fn run(text: &str) -> Result<Vec<String>, String> {
        let node = parse_tree(text).expect("test YAML is valid");
        match check(&node, Pos { line: 1, column: 1 }, ROOT) {
            Ok(warnings) => Ok(warnings
                .into_iter()
                .map(|(pos, kind)| format!("{}:{} {kind:?}", pos.line, pos.column))
                .collect()),
            Err(m) => Err(format!("{}:{} {}", m.pos.line, m.pos.column, m.message)),
        }
    }

    #[track_caller]
    fn error(text: &str, expected: &str) {
        assert_eq!(run(text), Err(expected.to_owned()));
    }

    #[test]
    fn protected_patterns_that_cannot_match_are_errors_at_their_place() {
        error(
            "guard:\n  protect:\n    - module.db.*\n    - \"\"\n",
            "4:7 `guard.protect[1]` is not a usable pattern: a pattern cannot be empty: write an address such as `module.db.*`, or `*` for every resource",
        );
        error(
            "guard:\n  protect:\n    -\n",
            "3:6 `guard.protect[0]` is not a usable pattern: a pattern cannot be empty: write an address such as `module.db.*`, or `*` for every resource",
        );
        error(
            "guard:\n  protect:\n    - \" aws_db_instance.*\"\n",
            "3:7 `guard.protect[0]` is not a usable pattern: the pattern ` aws_db_instance.*` starts or ends with a space, so no address can match it",
        );
        error(
            "guard:\n  protect: module.db.*\n",
            "2:3 expected a list of address patterns for `guard.protect`, found a string",
        );
        assert_eq!(
            run("guard:\n  protect:\n    - 'aws_instance.web[\"a\"]'\n    - 42\n  fail: true\n"),
            Ok(vec![])
        );
    }

    #[test]
    fn wrong_kinds_name_the_path() {
        error(
            "terraform:\n  plan: hello\n",
            "2:3 expected a mapping for `terraform.plan`, found a string",
        );
        error(
            "- a\n",
            "1:1 expected a mapping at the top level, found a list",
        );
        error(
            "just text\n",
            "1:1 expected a mapping at the top level, found a string",
        );
        error(
            "terraform:\n  use_raw_output: maybe\n",
            "2:3 expected a boolean for `terraform.use_raw_output`, found a string",
        );
        error(
            "notifier:\n  github:\n    token: [a]\n",
            "3:5 expected a string for `notifier.github.token`, found a list",
        );
        error(
            "embedded_var_names:\n  - a\n  - {b: c}\n",
            "3:5 expected a string for `embedded_var_names[1]`, found a mapping",
        );
        error(
            "templates:\n  x: [1]\n",
            "2:3 expected a string for `templates.x`, found a list",
        );
        error(
            "embedded_var_names: target\n",
            "1:1 expected a list of strings for `embedded_var_names`, found a string",
        );
        error(
            "ai_summary:\n  max_tokens: lots\n",
            "2:3 expected a whole number for `ai_summary.max_tokens`, found a string",
        );
    }

    #[test]
    fn empty_values_and_scalars_in_string_fields_are_fine() {
        assert_eq!(run(""), Ok(vec![]));
        assert_eq!(run("# only a comment\n"), Ok(vec![]));
        assert_eq!(
            run("ci:\nterraform:\n  plan:\n    when_destroy:\n      label_color: 000000\n"),
            Ok(vec![])
        );
        assert_eq!(
            run("notifier:\n  typetalk:\n    topic_id: 123\n"),
            Ok(vec![])
        );
    }

    #[test]
    fn duplicates_and_unknown_keys_are_warnings() {
        assert_eq!(
            run("ci: a\nterraform:\n  plan:\n    tmplate: x\n  extra: 1\nci: b\n"),
            Ok(vec![
                "4:5 UnknownKey { path: \"terraform.plan.tmplate\", suggestion: Some(\"template\") }"
                    .to_owned(),
                "5:3 UnknownKey { path: \"terraform.extra\", suggestion: None }".to_owned(),
                "6:1 DuplicateKey { path: \"ci\", first_line: 1 }".to_owned(),
            ])
        );
        assert_eq!(
            run("templates:\n  a: x\n  a: y\n"),
            Ok(vec![
                "3:3 DuplicateKey { path: \"templates.a\", first_line: 2 }".to_owned()
            ])
        );
    }

    #[track_caller]
    fn near(key: &str, expected: Option<&str>) {
        let Shape::Map(fields) = ROOT else {
            unreachable!("ROOT is a mapping")
        };
        let plan = fields
            .iter()
            .find(|f| f.name == "terraform")
            .and_then(|f| match f.shape {
                Shape::Map(tf) => tf.iter().find(|f| f.name == "plan"),
                _ => None,
            })
            .and_then(|f| match f.shape {
                Shape::Map(plan) => Some(plan),
                _ => None,
            })
            .expect("terraform.plan is a mapping");
        assert_eq!(suggest(key, plan), expected, "{key}");
    }

    #[test]
    fn suggestions_only_when_close() {
        near("tmplate", Some("template"));
        near("Template", Some("template"));
        near("when_destory", Some("when_destroy"));
        near("when_no_change", Some("when_no_changes"));
        near("disable_labels", Some("disable_label"));
        near("ignore-warning", Some("ignore_warning"));
        near("when_destroy_label", Some("when_destroy"));
        near("foo", None);
        near("patch", None);
    }
}
