//! The only place that talks to the YAML crate (`serde-saphyr`).
//!
//! Everything above this file sees [`Node`] (a position-carrying tree used for warnings and
//! type checks) and [`YamlError`] (a message plus line and column). Swapping the YAML crate
//! means rewriting [`from_str`] and the small `Deserialize` impl below, nothing else.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{DuplicateKeyPolicy, Spanned};

/// A 1-based line and column (in characters), as editors count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub(crate) line: u32,
    pub(crate) column: u32,
}

/// A parsed YAML value with positions: enough to name a key path and point at it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool,
    /// A non-negative integer (what `Shape::Int` accepts).
    Count,
    /// Any other number: negative or fractional.
    Number,
    /// A string, kept for the few values the checker reads (the `type` of a `ci:` entry).
    Str(String),
    Seq(Vec<(Pos, Node)>),
    Map(Vec<Entry>),
}

/// One `key: value` pair of a mapping, in file order (duplicates kept).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub(crate) key: String,
    pub(crate) key_pos: Pos,
    pub(crate) value: Node,
}

/// What to do with a key that appears twice in one mapping.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Duplicates {
    /// Keep both entries, so the checker can warn about them.
    Keep,
    /// The later entry wins, as `gopkg.in/yaml.v2` (tfnotify v0) decided.
    LastWins,
}

/// A syntax or type error reported by the YAML crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    /// `None` when the crate could not tell where the problem is.
    pub(crate) pos: Option<Pos>,
    pub(crate) message: String,
    /// The file holds a second YAML document where this one ended (see `documents.rs`).
    pub(crate) second_document: bool,
}

/// Deserializes one YAML document. This is the only call into the YAML crate.
pub(crate) fn from_str<T: DeserializeOwned>(text: &str, dup: Duplicates) -> Result<T, YamlError> {
    let options = serde_saphyr::options! {
        duplicate_keys: match dup {
            Duplicates::Keep => DuplicateKeyPolicy::PassThrough,
            Duplicates::LastWins => DuplicateKeyPolicy::LastWins,
        },
        with_snippet: false,
    };
    serde_saphyr::from_str_with_options(text, options).map_err(|err| {
        let err = err.without_snippet();
        let pos = err.location().filter(|loc| loc.line() > 0).map(|loc| Pos {
            line: narrow(loc.line()),
            column: narrow(loc.column()).max(1),
        });
        let second_document = matches!(err, serde_saphyr::Error::MultipleDocuments { .. });
        let message = if second_document {
            "expected one YAML document, found a second one".to_owned()
        } else {
            clean_message(&err.to_string())
        };
        YamlError {
            pos,
            message,
            second_document,
        }
    })
}

/// Parses text into a [`Node`] tree, keeping duplicate keys.
pub(crate) fn parse_tree(text: &str) -> Result<Node, YamlError> {
    from_str::<Raw>(text, Duplicates::Keep).map(|raw| raw.0)
}

/// Drops the crate's " at line L, column C" tail (we print positions ourselves) and its
/// alias notes, so messages read the same whichever crate produced them.
fn clean_message(message: &str) -> String {
    let message = message
        .split(" (defined at line ")
        .next()
        .unwrap_or(message);
    let message = match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    };
    message.trim().to_owned()
}

fn narrow(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `Node` plus the serde plumbing; kept private so `Spanned` does not leak out of this file.
struct Raw(Node);

fn pos<T>(spanned: &Spanned<T>) -> Pos {
    Pos {
        line: narrow(spanned.referenced.line()),
        column: narrow(spanned.referenced.column()),
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Raw, E> {
        Ok(Raw(Node::Bool))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Raw, E> {
        Ok(Raw(if n >= 0 { Node::Count } else { Node::Number }))
    }
    fn visit_i128<E>(self, n: i128) -> Result<Raw, E> {
        Ok(Raw(if n >= 0 { Node::Count } else { Node::Number }))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Raw, E> {
        Ok(Raw(Node::Count))
    }
    fn visit_u128<E>(self, _: u128) -> Result<Raw, E> {
        Ok(Raw(Node::Count))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Raw, E> {
        Ok(Raw(Node::Number))
    }
    fn visit_str<E>(self, s: &str) -> Result<Raw, E> {
        Ok(Raw(Node::Str(s.to_owned())))
    }
    fn visit_bytes<E>(self, b: &[u8]) -> Result<Raw, E> {
        Ok(Raw(Node::Str(String::from_utf8_lossy(b).into_owned())))
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw(Node::Null))
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw(Node::Null))
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Raw>>()? {
            items.push((pos(&item), item.value.0));
        }
        Ok(Raw(Node::Seq(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value::<Raw>()?;
            entries.push(Entry {
                key_pos: pos(&key),
                key: key.value,
                value: value.0,
            });
        }
        Ok(Raw(Node::Map(entries)))
    }
}

#[cfg(test)]
mod tests {
    use super::{Duplicates, Node, Pos, YamlError, from_str, parse_tree};

    #[track_caller]
    fn error(text: &str, line: u32, column: u32, message: &str) {
        let err = parse_tree(text).expect_err("the text is broken on purpose");
        assert_eq!(
            err,
            YamlError {
                pos: Some(Pos { line, column }),
                message: message.to_owned(),
                second_document: message.contains("second one"),
            }
        );
    }

    #[test]
    fn syntax_errors_carry_positions_without_the_crate_suffix() {
        error("a: [1\n", 1, 4, "unclosed bracket '['");
        error(
            "a:\n\tb: x\n",
            2,
            2,
            "tabs disallowed within this context (block indentation)",
        );
        error(
            "a: x\n b: y\n",
            2,
            3,
            "mapping values are not allowed in this context",
        );
        error("a: *nope\n", 1, 4, "alias references unknown anchor");
        error(
            "---\na: 1\n---\na: 2\n",
            4,
            1,
            "expected one YAML document, found a second one",
        );
    }

    #[test]
    fn tree_keeps_duplicates_and_positions() {
        let Node::Map(entries) = parse_tree("a: 1\nb:\n  - x\na: ~\n").expect("valid YAML") else {
            panic!("a mapping at the top");
        };
        let keys: Vec<_> = entries
            .iter()
            .map(|e| (e.key.as_str(), e.key_pos.line, e.key_pos.column))
            .collect();
        assert_eq!(keys, [("a", 1, 1), ("b", 2, 1), ("a", 4, 1)]);
        assert_eq!(entries[2].value, Node::Null);
        assert_eq!(
            entries[1].value,
            Node::Seq(vec![(
                Pos { line: 3, column: 5 },
                Node::Str("x".to_owned())
            )])
        );
    }

    #[test]
    fn last_duplicate_wins_when_deserializing() {
        let map: std::collections::BTreeMap<String, String> =
            from_str("a: x\na: y\n", Duplicates::LastWins).expect("valid YAML");
        assert_eq!(map["a"], "y");
    }
}
