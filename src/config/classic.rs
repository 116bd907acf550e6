//! `notifier:` blocks of the destinations tfnotify v0 did not have (`chatwork:`, `teams:`,
//! `discord:`, …).
//!
//! People extend the classic form by analogy: next to `notifier: slack:` they write
//! `notifier: chatwork:`. Such a block means what a `notifiers:` entry of that type means,
//! with the same keys, so it is read into the same [`Destination`]; which names and
//! settings a destination takes is the notify stage's business, as for entries. The v0
//! blocks (`github`, `gitlab`, `slack`, `typetalk`, `mattermost`) keep their own structs.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};

use super::Destination;
use super::schema::NOTIFIER;
use super::yaml::{self, Duplicates, YamlError};

/// The blocks under `notifier:` that are not v0's, by name, with `kind` set to the name.
pub(crate) fn read(text: &str) -> Result<BTreeMap<String, Destination>, YamlError> {
    let file: File = yaml::from_str(text, Duplicates::LastWins)?;
    let mut blocks = file.notifier.map(|b| b.0).unwrap_or_default();
    for (name, block) in &mut blocks {
        block.kind.clone_from(name);
    }
    Ok(blocks)
}

/// The one key of the file this reads; serde skips the others.
#[derive(Deserialize)]
struct File {
    #[serde(default)]
    notifier: Option<Blocks>,
}

/// The non-v0 blocks; the v0 ones are skipped here (the `Notifiers` struct reads them).
struct Blocks(BTreeMap<String, Destination>);

impl<'de> Deserialize<'de> for Blocks {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(BlocksVisitor)
    }
}

struct BlocksVisitor;

impl<'de> Visitor<'de> for BlocksVisitor {
    type Value = Blocks;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of destinations")
    }

    fn visit_unit<E>(self) -> Result<Blocks, E> {
        Ok(Blocks(BTreeMap::new()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Blocks, A::Error> {
        let mut blocks = BTreeMap::new();
        while let Some(name) = map.next_key::<String>()? {
            if NOTIFIER.iter().any(|field| field.name == name) {
                map.next_value::<IgnoredAny>()?;
            } else {
                let block = map.next_value::<Option<Destination>>()?;
                blocks.insert(name, block.unwrap_or_default());
            }
        }
        Ok(Blocks(blocks))
    }
}

#[cfg(test)]
mod tests {
    use super::read;

    #[test]
    fn other_destinations_are_read_as_entries_and_v0_blocks_are_left_alone() {
        let blocks = read(
            "ci: circleci\nnotifier:\n  github:\n    repository: {owner: a, name: b}\n  \
             chatwork:\n    token: $CW\n    room_id: 123\n  teams:\n  discord:\n    when: [failure]\n",
        )
        .expect("valid");
        assert_eq!(
            blocks.keys().collect::<Vec<_>>(),
            ["chatwork", "discord", "teams"]
        );
        let chatwork = &blocks["chatwork"];
        assert_eq!(chatwork.kind, "chatwork");
        assert_eq!(chatwork.settings["room_id"].expose(), "123");
        assert_eq!(chatwork.settings["token"].expose(), "$CW");
        assert_eq!(blocks["discord"].when, ["failure"]);
        assert!(blocks["teams"].settings.is_empty());
        assert!(read("notifier:\n").expect("valid").is_empty());
        assert!(read("ci: x\n").expect("valid").is_empty());
    }
}
