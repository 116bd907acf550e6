//! The message metadata that marks a Slack message as ours and says which stack it is about.
//!
//! Slack keeps a small JSON object with each message (`metadata: {event_type,
//! event_payload}`) that nobody sees but that `conversations.history` returns with
//! `include_all_metadata=true`. Every message tfnotify posts with a bot token carries one,
//! so a later run with `--comment update` can find the message of the same repository,
//! pull request, command and target, and edit it. The commit is recorded but not compared:
//! the next push is the run that should update the message.

use serde_json::{Map, Value, json};

use crate::mask::Masker;

/// The `event_type` of our messages' metadata.
pub(super) const EVENT_TYPE: &str = "tfnotify";

/// What a message is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Metadata {
    /// `plan`, `apply` …
    pub command: String,
    /// `--var target:…`, which tells apart several stacks of one repository.
    pub target: Option<String>,
    /// `owner/name`, from CI or `--owner`/`--repo`.
    pub repo: Option<String>,
    pub pr: Option<u64>,
    pub sha: Option<String>,
}

impl Metadata {
    /// The same metadata with `mask` applied to every text, so a masked value never
    /// reaches Slack here either; masks are deterministic, so runs still match.
    pub(super) fn masked(&self, masker: &Masker) -> Metadata {
        let mask = |text: &str| masker.mask(text).into_owned();
        Metadata {
            command: mask(&self.command),
            target: self.target.as_deref().map(mask),
            repo: self.repo.as_deref().map(mask),
            pr: self.pr,
            sha: self.sha.as_deref().map(mask),
        }
    }

    /// The `metadata` field of a `chat.postMessage` or `chat.update` body. Unknown values
    /// are left out rather than sent as `null`.
    pub(super) fn to_json(&self) -> Value {
        let mut payload = Map::new();
        payload.insert("command".to_owned(), Value::String(self.command.clone()));
        let texts = [
            ("target", &self.target),
            ("repo", &self.repo),
            ("sha", &self.sha),
        ];
        for (key, value) in texts {
            if let Some(value) = value {
                payload.insert(key.to_owned(), Value::String(value.clone()));
            }
        }
        if let Some(pr) = self.pr {
            payload.insert("pr".to_owned(), Value::from(pr));
        }
        json!({"event_type": EVENT_TYPE, "event_payload": payload})
    }

    /// Whether a message's `metadata` (as `conversations.history` returns it) is ours and
    /// about the same stack: same command, target, repository and pull request.
    pub(super) fn is_same_stack(&self, metadata: &Value) -> bool {
        if metadata["event_type"] != EVENT_TYPE {
            return false;
        }
        let payload = &metadata["event_payload"];
        let text = |key: &str| payload.get(key).and_then(Value::as_str);
        // Slack may hand numbers back as strings; either is the same pull request.
        let pr = payload.get("pr").and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        });
        text("command") == Some(self.command.as_str())
            && text("target") == self.target.as_deref()
            && text("repo") == self.repo.as_deref()
            && pr == self.pr
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Metadata;

    fn prod() -> Metadata {
        Metadata {
            command: "plan".into(),
            target: Some("prod".into()),
            repo: Some("acme/infra".into()),
            pr: Some(12),
            sha: Some("abc".into()),
        }
    }

    #[test]
    fn the_payload_leaves_unknown_values_out() {
        assert_eq!(
            prod().to_json(),
            json!({"event_type": "tfnotify", "event_payload": {"command": "plan", "target": "prod", "repo": "acme/infra", "pr": 12, "sha": "abc"}})
        );
        let bare = Metadata {
            command: "apply".into(),
            ..Metadata::default()
        };
        assert_eq!(
            bare.to_json(),
            json!({"event_type": "tfnotify", "event_payload": {"command": "apply"}})
        );
    }

    #[test]
    fn a_stack_is_its_command_target_repository_and_pull_request() {
        #[track_caller]
        fn case(other: &Metadata, same: bool) {
            assert_eq!(prod().is_same_stack(&other.to_json()), same, "{other:?}");
        }
        case(&prod(), true);
        case(
            &Metadata {
                sha: Some("def".into()),
                ..prod()
            },
            true,
        );
        case(
            &Metadata {
                target: Some("dev".into()),
                ..prod()
            },
            false,
        );
        case(
            &Metadata {
                target: None,
                ..prod()
            },
            false,
        );
        case(
            &Metadata {
                command: "apply".into(),
                ..prod()
            },
            false,
        );
        case(
            &Metadata {
                pr: Some(13),
                ..prod()
            },
            false,
        );
        case(
            &Metadata {
                repo: Some("acme/other".into()),
                ..prod()
            },
            false,
        );
        let foreign = json!({"event_type": "deploy", "event_payload": {"command": "plan", "target": "prod", "repo": "acme/infra", "pr": 12}});
        assert!(!prod().is_same_stack(&foreign));
        let stringly = json!({"event_type": "tfnotify", "event_payload": {"command": "plan", "target": "prod", "repo": "acme/infra", "pr": "12"}});
        assert!(prod().is_same_stack(&stringly));
        assert!(!prod().is_same_stack(&serde_json::Value::Null));
    }
}
