//! The shape of the config file, written down once.
//!
//! The known-key check (`check.rs`), the JSON Schema (`tfnotify config schema`) and
//! docs/config.md all come from [`ROOT`]. A unit test walks the serde structs in `mod.rs` and
//! fails when a field exists there but not here (or the other way round), so the three cannot
//! drift from what the loader really accepts.

use serde_json::{Map, Value, json};

/// What a key may hold. Closed set: the file format has no other kinds of values.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape {
    /// A mapping with these keys; `null` or an empty value counts as an empty mapping.
    Map(&'static [Field]),
    /// A string. Plain numbers and booleans are accepted and kept as written (`000000`),
    /// as Go's YAML decoders did.
    Str,
    /// A string that is usually written as a number (`topic_id: 123`, `label_color: 000000`);
    /// only differs from [`Shape::Str`] in the JSON Schema, so editors do not flag numbers.
    Scalar,
    /// A boolean; YAML 1.1 spellings (`yes`, `on`) are accepted as `gopkg.in/yaml.v2` did.
    Bool,
    /// A non-negative integer.
    Int,
    /// A mapping from any name to a string (`templates:`).
    StrMap,
    /// A list of strings (`embedded_var_names:`).
    StrList,
    /// A list of Terraform address patterns (`guard.protect`); a pattern that can never
    /// match (empty, or padded with spaces) is an error at its position.
    Patterns,
    /// A list of mappings with these keys; any other key of an entry is a setting of the
    /// destination it names (a scalar), checked when the run is set up (`notifiers:`).
    Entries(&'static [Field]),
    /// A name (a string, or a number or boolean kept as written) or a mapping with these
    /// keys: tfnotify v0's `ci: circleci` and tfcmt v1–v3's `ci:` block. Nothing inside
    /// the mapping is an error: tfcmt v4 ignored the block, so what cannot be used is a
    /// warning and is left out.
    NameOr(&'static [Field]),
    /// A list of mappings that each have all of these keys (`ci.pr`).
    Records(&'static [Field]),
    /// A mapping from any name to a [`Shape::Records`] list (`ci.vars`).
    NamedRecords(&'static [Field]),
    /// One of these words (`ci.pr[].type`).
    Word(&'static [&'static str]),
    /// A string and nothing else (tfcmt refused a number as a `ci:` entry's `value`).
    Text,
    /// A mapping with these keys (the first list), where any other key is a block shaped
    /// like a `notifiers:` entry (the second list) whose name the notify stage checks:
    /// `notifier:`, whose v0 blocks have their own keys and whose other destinations'
    /// blocks mean what their entries mean.
    Blocks(&'static [Field], &'static [Field]),
}

/// One key of a mapping: its name, what it holds, and which tool introduced it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) shape: Shape,
    /// The dialect(s) that read this key, shown in the schema so users know why it exists.
    pub(crate) from: &'static str,
    pub(crate) doc: &'static str,
}

const fn f(name: &'static str, shape: Shape, from: &'static str, doc: &'static str) -> Field {
    Field {
        name,
        shape,
        from,
        doc,
    }
}

const V0: &str = "tfnotify v0";
const TFCMT: &str = "tfcmt, tfnotify v1";
const V1: &str = "tfnotify v1";
const ALL: &str = "tfnotify v0, tfcmt, tfnotify v1";
const OURS: &str = "tfnotify 2";

#[rustfmt::skip]
const REPOSITORY: &[Field] = &[
    f("owner", Shape::Str, V0, "Repository owner (GitLab: group path, `group/sub`)."),
    f("name", Shape::Str, V0, "Repository (project) name."),
];

#[rustfmt::skip]
const GITHUB: &[Field] = &[
    f("token", Shape::Str, V0, "API token; `$VAR`/`${VAR}` read the environment."),
    f("base_url", Shape::Str, V0, "GitHub Enterprise API URL; `$VAR`/`${VAR}` expanded."),
    f("repository", Shape::Map(REPOSITORY), V0, "Repository that receives comments."),
];

#[rustfmt::skip]
const GITLAB: &[Field] = &[
    f("token", Shape::Str, V0, "API token; `$VAR`/`${VAR}` read the environment."),
    f("base_url", Shape::Str, V0, "Self-hosted GitLab URL; `$VAR`/`${VAR}` expanded."),
    f("repository", Shape::Map(REPOSITORY), V0, "Project that receives notes."),
];

#[rustfmt::skip]
const SLACK_V0: &[Field] = &[
    f("token", Shape::Str, V0, "Bot token; `$VAR`/`${VAR}` read the environment."),
    f("channel", Shape::Str, V0, "Channel id; `$VAR`/`${VAR}` expanded."),
    f("bot", Shape::Str, V0, "Bot user name; `$VAR`/`${VAR}` expanded."),
    f("webhook_url", Shape::Str, OURS, "Incoming webhook URL, when there is no bot token."),
];

#[rustfmt::skip]
const TYPETALK: &[Field] = &[
    f("token", Shape::Str, V0, "API token; `$VAR`/`${VAR}` read the environment."),
    f("topic_id", Shape::Scalar, V0, "Topic id (a number); `$VAR`/`${VAR}` expanded."),
];

#[rustfmt::skip]
const MATTERMOST: &[Field] = &[
    f("webhook", Shape::Str, V0, "Incoming webhook URL; `$VAR`/`${VAR}` expanded."),
    f("channel", Shape::Str, V0, "Channel name; `$VAR`/`${VAR}` expanded."),
    f("bot", Shape::Str, V0, "Bot user name; `$VAR`/`${VAR}` expanded."),
];

/// The v0 blocks of `notifier:`, each with its own keys.
#[rustfmt::skip]
pub(crate) const NOTIFIER: &[Field] = &[
    f("github", Shape::Map(GITHUB), V0, "Post to a GitHub pull request or commit."),
    f("gitlab", Shape::Map(GITLAB), V0, "Post to a GitLab merge request or commit."),
    f("slack", Shape::Map(SLACK_V0), V0, "Post to a Slack channel."),
    f("typetalk", Shape::Map(TYPETALK), V0, "Post to a Typetalk topic."),
    f("mattermost", Shape::Map(MATTERMOST), V0, "Post to a Mattermost webhook."),
];

#[rustfmt::skip]
const TEMPLATE_ONLY: &[Field] = &[
    f("template", Shape::Str, ALL, "Go template of the comment."),
];

#[rustfmt::skip]
const PARSE_ERROR: &[Field] = &[
    f("template", Shape::Str, TFCMT, "Comment used when the output cannot be parsed."),
];

#[rustfmt::skip]
const LABEL: &[Field] = &[
    f("label", Shape::Str, ALL, "Label put on the pull request for this result."),
    f("label_color", Shape::Scalar, TFCMT, "Label colour, six hex digits without `#`."),
    f("disable_label", Shape::Bool, TFCMT, "Do not label this result."),
];

#[rustfmt::skip]
const WHEN_DESTROY: &[Field] = &[
    LABEL[0],
    LABEL[1],
    LABEL[2],
    f("template", Shape::Str, V0, "If set, an extra destroy-warning comment (GitHub)."),
];

#[rustfmt::skip]
const WHEN_NO_CHANGES: &[Field] = &[
    LABEL[0],
    LABEL[1],
    LABEL[2],
    f("disable_comment", Shape::Bool, TFCMT, "Post no comment when nothing changes."),
];

#[rustfmt::skip]
const PLAN: &[Field] = &[
    f("template", Shape::Str, ALL, "Go template of the plan comment."),
    f("when_add_or_update_only", Shape::Map(LABEL), ALL, "Plan only adds or updates."),
    f("when_destroy", Shape::Map(WHEN_DESTROY), ALL, "Plan destroys something."),
    f("when_no_changes", Shape::Map(WHEN_NO_CHANGES), ALL, "Plan changes nothing."),
    f("when_plan_error", Shape::Map(LABEL), ALL, "Plan failed."),
    f("when_parse_error", Shape::Map(PARSE_ERROR), TFCMT, "Plan output unparsable."),
    f("disable_label", Shape::Bool, TFCMT, "Put no result labels on the pull request."),
    f("ignore_warning", Shape::Bool, TFCMT, "Leave Terraform warnings out of the comment."),
];

#[rustfmt::skip]
const APPLY: &[Field] = &[
    f("template", Shape::Str, ALL, "Go template of the apply comment."),
    f("when_parse_error", Shape::Map(PARSE_ERROR), TFCMT, "Apply output unparsable."),
];

#[rustfmt::skip]
const TERRAFORM: &[Field] = &[
    f("use_raw_output", Shape::Bool, ALL, "Render without HTML escaping (text/template)."),
    f("consolidated", Shape::Bool, V1, "Deliver a Terragrunt run of several modules as one message, not one per module."),
    f("default", Shape::Map(TEMPLATE_ONLY), V0, "Read but unused by tfnotify v0."),
    f("fmt", Shape::Map(TEMPLATE_ONLY), V0, "Template for `tfnotify fmt`."),
    f("validate", Shape::Map(TEMPLATE_ONLY), V0, "Template for `tfnotify validate`."),
    f("plan", Shape::Map(PLAN), ALL, "Settings for `tfnotify plan`."),
    f("apply", Shape::Map(APPLY), ALL, "Settings for `tfnotify apply`."),
];

#[rustfmt::skip]
const LOG: &[Field] = &[
    f("level", Shape::Str, TFCMT, "`debug`, `info`, `warn` or `error`."),
];

#[rustfmt::skip]
const SLACK_V1: &[Field] = &[
    f("enabled", Shape::Bool, V1, "Send failures to Slack."),
    f("title", Shape::Str, V1, "Message title for both commands."),
    f("message", Shape::Str, V1, "Message text for both commands."),
    f("plan_title", Shape::Str, V1, "Title for plan failures."),
    f("plan_message", Shape::Str, V1, "Text for plan failures."),
    f("apply_title", Shape::Str, V1, "Title for apply failures."),
    f("apply_message", Shape::Str, V1, "Text for apply failures."),
    f("notify_on_plan_error", Shape::Bool, V1, "Post when plan fails."),
    f("notify_on_apply_error", Shape::Bool, V1, "Post when apply fails."),
    f("use_threads", Shape::Bool, V1, "Put the output in a thread reply."),
];

#[rustfmt::skip]
const AI_SUMMARY: &[Field] = &[
    f("enabled", Shape::Bool, V1, "Add an AI-written summary to the comment."),
    f("provider", Shape::Str, V1, "`openai` (any OpenAI-compatible server), `anthropic`, `google` or `litellm` (the default); `devin` is not supported."),
    f("model", Shape::Str, V1, "Model name passed to the provider."),
    f("template", Shape::Str, V1, "Prompt template."),
    f("template_file", Shape::Str, V1, "File holding the prompt template."),
    f("max_tokens", Shape::Int, V1, "Upper bound on the summary length, in tokens (500 when absent)."),
    f("base_url", Shape::Str, OURS, "The provider's address (a LiteLLM proxy, Azure OpenAI, vLLM, Ollama); overrides `OPENAI_BASE_URL` and the like."),
    f("timeout", Shape::Int, OURS, "Seconds the model call may take, retries included (30 when absent)."),
];

#[rustfmt::skip]
const GUARD: &[Field] = &[
    f("protect", Shape::Patterns, OURS, "Terraform address patterns of protected resources; `*` matches any run of characters, everything else is literal."),
    f("fail", Shape::Bool, OURS, "Exit 4 when a plan destroys or replaces a protected resource."),
    f("label", Shape::Str, OURS, "Label put on the pull request when a plan destroys a protected resource (default `<target>/protected-destroy`)."),
    f("label_color", Shape::Scalar, OURS, "Its colour, six hex digits without `#` (default `e11d21`)."),
    f("disable_label", Shape::Bool, OURS, "Use the `destroy` label instead of a label of its own."),
];

const TFCMT_V3: &str = "tfcmt v1-v3";

#[rustfmt::skip]
const CI_ENTRY: &[Field] = &[
    f("type", Shape::Word(super::ci_block::ENTRY_TYPES), TFCMT_V3, "`envsubst` (`$VAR`, `${VAR}`, `${VAR:-default}`) or `template` (Go template, `{{ env \"VAR\" }}`)."),
    f("value", Shape::Text, TFCMT_V3, "The text to expand or render."),
];

#[rustfmt::skip]
const CI_BLOCK: &[Field] = &[
    f("pr", Shape::Records(CI_ENTRY), TFCMT_V3, "Pull request number: the first entry that gives a value wins."),
    f("owner", Shape::Records(CI_ENTRY), TFCMT_V3, "Repository owner: the first entry that gives a value wins."),
    f("repo", Shape::Records(CI_ENTRY), TFCMT_V3, "Repository name: the first entry that gives a value wins."),
    f("sha", Shape::Records(CI_ENTRY), TFCMT_V3, "Commit SHA: the first entry that gives a value wins."),
    f("link", Shape::Records(CI_ENTRY), TFCMT_V3, "Build link (`.Link`): the first entry that gives a value wins."),
    f("vars", Shape::NamedRecords(CI_ENTRY), TFCMT_V3, "Template variables (`.Vars.NAME`), each from its own entries."),
];

#[rustfmt::skip]
const TOP: &[Field] = &[
    f("ci", Shape::NameOr(CI_BLOCK), ALL, "CI service name (`circleci`, `github-actions`, …), or tfcmt v1-v3's block that computes the CI facts from the environment."),
    f("notifier", Shape::Blocks(NOTIFIER, DESTINATION), V0, "Where to post: the v0 blocks, or a block per destination shaped like its `notifiers:` entry."),
    f("terraform", Shape::Map(TERRAFORM), ALL, "Templates and labels per command."),
    f("templates", Shape::StrMap, TFCMT, "Named sub-templates; override built-ins by name."),
    f("repo_owner", Shape::Str, TFCMT, "Repository owner; overrides CI detection."),
    f("repo_name", Shape::Str, TFCMT, "Repository name; overrides CI detection."),
    f("ghe_base_url", Shape::Str, TFCMT, "GitHub Enterprise API URL; `$VAR` expanded."),
    f("ghe_graphql_endpoint", Shape::Str, TFCMT, "GitHub Enterprise GraphQL URL; `$VAR` expanded."),
    f("plan_patch", Shape::Bool, TFCMT, "Edit the previous plan comment instead of adding one."),
    f("embedded_var_names", Shape::StrList, TFCMT, "`--var` names copied into comment metadata."),
    f("vars", Shape::StrMap, TFCMT_V3, "Static template variables (`.Vars.name`); `--var` and the environment win."),
    f("log", Shape::Map(LOG), TFCMT, "Logging."),
    f("slack", Shape::Map(SLACK_V1), V1, "Slack failure notices (tfnotify v1)."),
    f("ai_summary", Shape::Map(AI_SUMMARY), V1, "AI summary (tfnotify v1)."),
    f("notifiers", Shape::Entries(DESTINATION), OURS, "Destinations, each with its own conditions, template and behaviour."),
    f("mention_owners", Shape::Word(crate::owners::MentionOwners::WORDS), OURS, "When review comments mention the code owners of the working directory (from CODEOWNERS): `never` (default), `destroy` (the plan destroys or replaces something), `changes` or `always`."),
    f("guard", Shape::Map(GUARD), OURS, "Protected resources: a banner, a label and optionally exit 4 when a plan destroys one."),
    f("step_summary", Shape::Bool, OURS, "On GitHub Actions, append the message to the job's step summary (`GITHUB_STEP_SUMMARY`); `true` when absent."),
];

#[rustfmt::skip]
const DESTINATION: &[Field] = &[
    f("type", Shape::Str, OURS, "Destination: `github`, `gitlab`, `slack`, … (the names `--notifier` takes)."),
    f("name", Shape::Str, OURS, "Shown in messages; `--notifier NAME` picks it."),
    f("commands", Shape::StrList, OURS, "Commands this entry is for (`plan`, `apply`, `destroy`, `fmt`, `validate`); all when absent."),
    f("when", Shape::StrList, OURS, "Post only for these results (`always`, `changes`, `no_changes`, `destroy`, `replace`, `failure`, `success`, `warning`, `protected_destroy`); any one is enough."),
    f("template", Shape::Str, OURS, "Go template of this entry's message; the destination's default when absent."),
    f("behavior", Shape::Str, OURS, "`update`, `new`, `hide-and-new` or `delete-and-new`."),
    f("repository", Shape::Map(REPOSITORY), OURS, "Review platforms: repository to post to instead of the CI's."),
];

/// The whole file: a mapping with the top-level keys of every dialect.
pub(crate) const ROOT: Shape = Shape::Map(TOP);

/// Builds the JSON Schema (draft 2020-12) from [`ROOT`].
pub(crate) fn json_schema() -> Value {
    let mut schema = shape_schema(ROOT);
    let object = schema
        .as_object_mut()
        .expect("ROOT is a mapping, so its schema is an object");
    let mut head = Map::new();
    head.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    head.insert("title".into(), json!("tfnotify configuration"));
    head.insert(
        "description".into(),
        json!("tfnotify.yaml / tfcmt.yaml; tfnotify v0 and tfcmt (tfnotify v1) keys both load."),
    );
    head.append(object);
    Value::Object(head)
}

fn shape_schema(shape: Shape) -> Value {
    match shape {
        Shape::Map(fields) => {
            let properties: Map<String, Value> = fields
                .iter()
                .map(|field| {
                    let mut value = shape_schema(field.shape);
                    if let Some(object) = value.as_object_mut() {
                        let doc = format!("{} ({})", field.doc, field.from);
                        object.insert("description".into(), Value::String(doc));
                    }
                    (field.name.to_owned(), value)
                })
                .collect();
            json!({
                "type": ["object", "null"],
                "additionalProperties": false,
                "properties": properties,
            })
        }
        Shape::Str | Shape::Text => json!({ "type": ["string", "null"] }),
        Shape::Scalar => json!({ "type": ["string", "integer", "null"] }),
        Shape::Bool => json!({ "type": ["boolean", "null"] }),
        Shape::Int => json!({ "type": ["integer", "null"], "minimum": 0 }),
        Shape::StrMap => json!({
            "type": ["object", "null"],
            "additionalProperties": { "type": "string" },
        }),
        Shape::StrList => json!({ "type": ["array", "null"], "items": { "type": "string" } }),
        Shape::Patterns => json!({
            "type": ["array", "null"],
            "items": { "type": "string", "minLength": 1, "pattern": "^\\S(.*\\S)?$" },
        }),
        Shape::Blocks(known, rest) => {
            let mut schema = shape_schema(Shape::Map(known));
            let mut block = shape_schema(Shape::Map(rest));
            block["additionalProperties"] = json!({
                "type": ["string", "integer", "number", "boolean", "null"],
                "description": "A setting of the destination (see docs/notifiers/).",
            });
            schema["additionalProperties"] = block;
            schema
        }
        Shape::NameOr(fields) => json!({
            "anyOf": [
                { "type": ["string", "integer", "boolean", "null"] },
                shape_schema(Shape::Map(fields)),
            ],
        }),
        Shape::Records(fields) => {
            let mut item = shape_schema(Shape::Map(fields));
            item["type"] = json!("object");
            item["required"] = json!(fields.iter().map(|f| f.name).collect::<Vec<_>>());
            json!({ "type": ["array", "null"], "items": item })
        }
        Shape::NamedRecords(fields) => json!({
            "type": ["object", "null"],
            "additionalProperties": shape_schema(Shape::Records(fields)),
        }),
        Shape::Word(words) => {
            let mut allowed: Vec<Value> = words.iter().map(|w| json!(w)).collect();
            allowed.push(Value::Null);
            json!({ "enum": allowed })
        }
        Shape::Entries(fields) => {
            let mut item = shape_schema(Shape::Map(fields));
            item["type"] = json!("object");
            item["required"] = json!(["type"]);
            item["additionalProperties"] = json!({
                "type": ["string", "integer", "number", "boolean", "null"],
                "description": "A setting of the destination (see docs/notifiers/).",
            });
            json!({ "type": ["array", "null"], "items": item })
        }
    }
}

/// Every key path of [`ROOT`] (`terraform.plan.when_destroy.label`), for the drift test.
#[cfg(test)]
pub(crate) fn key_paths() -> Vec<String> {
    fn walk(fields: &[Field], prefix: &str, out: &mut Vec<String>) {
        for field in fields {
            let path = if prefix.is_empty() {
                field.name.to_owned()
            } else {
                format!("{prefix}.{}", field.name)
            };
            out.push(path.clone());
            match field.shape {
                Shape::Map(children) | Shape::NameOr(children) | Shape::Blocks(children, _) => {
                    walk(children, &path, out);
                }
                Shape::Entries(children) | Shape::Records(children) => {
                    walk(children, &format!("{path}[]"), out);
                }
                Shape::NamedRecords(children) => walk(children, &format!("{path}.NAME[]"), out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    if let Shape::Map(fields) = ROOT {
        walk(fields, "", &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{ROOT, Shape, json_schema, key_paths};
    use crate::config::{Config, parse};
    use serde::Deserialize;
    use serde::de::value::{Error, MapDeserializer, SeqDeserializer, StrDeserializer};
    use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
    use std::cell::RefCell;
    use std::fmt::Write as _;

    /// A deserializer that answers every struct with all of its fields, recording their
    /// paths: the set of keys serde will accept, read from the structs themselves.
    struct Recorder<'a> {
        path: String,
        out: &'a RefCell<Vec<String>>,
    }

    impl<'de> de::Deserializer<'de> for Recorder<'_> {
        type Error = Error;

        fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
            v.visit_unit()
        }
        fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
            v.visit_bool(false)
        }
        fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
            v.visit_u32(0)
        }
        fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
            v.visit_str("")
        }
        fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
            v.visit_str("")
        }
        fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
            v.visit_some(self)
        }
        fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
            v.visit_seq(SeqDeserializer::<_, Error>::new(
                std::iter::empty::<String>(),
            ))
        }
        fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
            v.visit_map(MapDeserializer::<_, Error>::new(std::iter::empty::<(
                String,
                String,
            )>()))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            v: V,
        ) -> Result<V::Value, Error> {
            v.visit_map(Fields {
                names: fields,
                next: 0,
                path: self.path,
                out: self.out,
            })
        }
        serde::forward_to_deserialize_any! {
            i8 i16 i32 i64 i128 u8 u16 u64 u128 f32 f64 char bytes byte_buf unit
            unit_struct newtype_struct tuple tuple_struct enum identifier ignored_any
        }
    }

    struct Fields<'a> {
        names: &'static [&'static str],
        next: usize,
        path: String,
        out: &'a RefCell<Vec<String>>,
    }

    impl<'de> MapAccess<'de> for Fields<'_> {
        type Error = Error;

        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            k: K,
        ) -> Result<Option<K::Value>, Error> {
            let Some(name) = self.names.get(self.next) else {
                return Ok(None);
            };
            let key: StrDeserializer<'_, Error> = name.into_deserializer();
            k.deserialize(key).map(Some)
        }
        fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, v: V) -> Result<V::Value, Error> {
            let name = self.names[self.next];
            self.next += 1;
            let path = if self.path.is_empty() {
                name.to_owned()
            } else {
                format!("{}.{name}", self.path)
            };
            self.out.borrow_mut().push(path.clone());
            v.deserialize(Recorder {
                path,
                out: self.out,
            })
        }
    }

    #[test]
    fn schema_and_structs_know_the_same_keys() {
        let out = RefCell::new(Vec::new());
        Config::deserialize(Recorder {
            path: String::new(),
            out: &out,
        })
        .expect("recorder");
        let mut from_structs = out.into_inner();
        from_structs.sort();
        // List entries are checked by `list_entries_know_their_keys`: the recorder sees
        // no elements in a list. The keys of tfcmt's `ci:` block are read from the tree,
        // not by serde, and `ci_block.rs` tests that every one of them is read.
        let mut from_schema: Vec<String> = key_paths()
            .into_iter()
            .filter(|p| !p.contains("[]") && !p.starts_with("ci."))
            .collect();
        from_schema.sort();
        assert_eq!(from_structs, from_schema);
    }

    #[test]
    fn list_entries_know_their_keys() {
        // Every schema key of an entry fills a field; only unknown keys become settings.
        let paths = key_paths();
        let keys: Vec<&str> = paths
            .iter()
            .filter_map(|p| p.strip_prefix("notifiers[]."))
            .filter(|k| !k.contains('.'))
            .collect();
        let mut text = String::from("notifiers:\n  - own_setting: 1\n");
        for key in &keys {
            let value = match *key {
                "commands" | "when" => "[plan]",
                "repository" => "{owner: o, name: r}",
                _ => "x",
            };
            let _ = writeln!(text, "    {key}: {value}");
        }
        let (config, warnings) = parse(text.as_bytes(), "entries.yaml").expect("loads");
        assert_eq!(warnings, vec![]);
        let entry = &config.notifiers[0];
        assert_eq!(entry.settings.keys().collect::<Vec<_>>(), ["own_setting"]);
        assert_eq!(entry.settings["own_setting"].expose(), "1");
        assert_eq!((entry.kind.as_str(), entry.name.as_str()), ("x", "x"));
        assert_eq!(
            (entry.commands.clone(), entry.when.clone()),
            (vec!["plan".to_owned()], vec!["plan".to_owned()])
        );
        assert_eq!(
            (entry.template.as_str(), entry.behavior.as_str()),
            ("x", "x")
        );
        assert_eq!(entry.repository.owner, "o");
    }

    /// One YAML document that sets every key of the schema to a value of its shape.
    fn full_document(fields: &[super::Field], indent: usize, out: &mut String) {
        for field in fields {
            let sample = match field.shape {
                Shape::Map(_)
                | Shape::Blocks(..)
                | Shape::Entries(_)
                | Shape::NameOr(_)
                | Shape::Records(_)
                | Shape::NamedRecords(_) => String::new(),
                Shape::Str | Shape::Text => " text".to_owned(),
                Shape::Word(words) => format!(" {}", words[0]),
                Shape::Scalar => " 000123".to_owned(),
                Shape::Bool => " yes".to_owned(),
                Shape::Int => " 42".to_owned(),
                Shape::StrMap => " {a: b}".to_owned(),
                Shape::StrList => " [a, b]".to_owned(),
                Shape::Patterns => " [\"module.db.*\"]".to_owned(),
            };
            let _ = writeln!(out, "{:indent$}{}:{sample}", "", field.name);
            match field.shape {
                Shape::Map(children) | Shape::NameOr(children) | Shape::Blocks(children, _) => {
                    full_document(children, indent + 2, out);
                }
                Shape::Entries(children) => {
                    let _ = writeln!(out, "{:indent$}  - setting: value", "");
                    full_document(children, indent + 4, out);
                }
                Shape::Records(children) => {
                    let _ = writeln!(out, "{:indent$}  -", "");
                    full_document(children, indent + 4, out);
                }
                Shape::NamedRecords(children) => {
                    let _ = writeln!(out, "{:indent$}  name:", "");
                    let _ = writeln!(out, "{:indent$}    -", "");
                    full_document(children, indent + 6, out);
                }
                _ => {}
            }
        }
    }

    #[test]
    fn every_schema_key_loads_with_its_shape() {
        let Shape::Map(fields) = ROOT else {
            unreachable!("ROOT is a mapping")
        };
        let mut text = String::new();
        full_document(fields, 0, &mut text);
        let (config, warnings) = parse(text.as_bytes(), "full.yaml").expect("loads");
        assert_eq!(warnings, vec![]);
        assert_eq!(
            config.notifier.typetalk.expect("present").topic_id,
            "000123"
        );
        assert_eq!(config.terraform.plan.when_destroy.label_color, "000123");
        assert!(config.terraform.plan.when_no_changes.disable_comment);
        assert_eq!(config.ai_summary.max_tokens, Some(42));
        assert_eq!(config.embedded_var_names, ["a", "b"]);
        assert_eq!(config.guard.protect, ["module.db.*"]);
        assert_eq!(config.templates["a"], "b");
        let block = config.ci_block.expect("`ci` written as a block");
        assert_eq!(block.pr[0].value, "text");
        assert_eq!(block.vars["name"][0].value, "text");
    }

    #[test]
    fn json_schema_shape() {
        let schema = json_schema();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(schema["additionalProperties"], false);
        let plan = &schema["properties"]["terraform"]["properties"]["plan"];
        assert_eq!(
            plan["properties"]["when_destroy"]["properties"]["label_color"]["type"],
            serde_json::json!(["string", "integer", "null"])
        );
        assert_eq!(
            plan["properties"]["ignore_warning"]["description"],
            "Leave Terraform warnings out of the comment. (tfcmt, tfnotify v1)"
        );
        assert_eq!(
            schema["properties"]["templates"]["additionalProperties"]["type"],
            "string"
        );
        let top: Vec<&String> = schema["properties"]
            .as_object()
            .expect("properties is an object")
            .keys()
            .collect();
        assert_eq!(top.len(), 18);
        let entry = &schema["properties"]["notifiers"]["items"];
        assert_eq!(entry["required"], serde_json::json!(["type"]));
        assert_eq!(
            entry["properties"]["when"]["type"],
            serde_json::json!(["array", "null"])
        );
        assert_eq!(entry["additionalProperties"]["type"][0], "string");
    }

    #[test]
    fn docs_list_every_key() {
        let docs = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/config.md"));
        let missing: Vec<String> = key_paths()
            .into_iter()
            .filter(|path| !docs.contains(&format!("| `{path}` |")))
            .collect();
        assert_eq!(
            missing,
            Vec::<String>::new(),
            "add these keys to docs/config.md"
        );
    }
}
