//! What each real config fixture must do. One entry per file in
//! `tests/fixtures/configs/real/`; the README there says where each shape was found.

/// Whether the tool a file was written for loaded it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Original {
    Accepted,
    /// It refused the file, with this message.
    Rejected(&'static str),
}

/// What `tfnotify config check` must do with the file.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Check {
    /// Loads, and every template renders the samples.
    Loads,
    /// Exits 2 with this in its error.
    Fails(&'static str),
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Case {
    pub(crate) file: &'static str,
    /// The tool (and version) the file was written for.
    pub(crate) tool: &'static str,
    pub(crate) original: Original,
    pub(crate) check: Check,
    /// Every warning, in order, as `line:column: message`.
    pub(crate) warnings: &'static [&'static str],
    /// The Terraform output rendered, under `tests/fixtures/terraform`.
    pub(crate) plan: &'static str,
    /// Runs the plan through a program exiting with this code instead of reading stdin.
    pub(crate) exit: Option<i32>,
    /// The only environment variables of the run (besides `PATH`).
    pub(crate) env: &'static [(&'static str, &'static str)],
    /// `--var` arguments.
    pub(crate) vars: &'static [&'static str],
    /// The config sets `.Link` itself, so the run passes no `--build-url`.
    pub(crate) link_from_config: bool,
    /// Text the rendered plan comment must contain.
    pub(crate) renders: &'static [&'static str],
    /// Text it must not contain (masked secrets).
    pub(crate) hidden: &'static [&'static str],
    /// Whether the rendered comment is kept as a snapshot.
    pub(crate) snapshot: bool,
}

const MIXED: &str = "1.11/plan_mixed.txt";
const V0: &str = "tfnotify v0.8";
const TFCMT_V4: &str = "tfcmt v4";

/// The common case; entries override what differs.
const BASE: Case = Case {
    file: "",
    tool: V0,
    original: Original::Accepted,
    check: Check::Loads,
    warnings: &[],
    plan: MIXED,
    exit: None,
    env: &[],
    vars: &[],
    link_from_config: false,
    renders: &[],
    hidden: &[],
    snapshot: false,
};

/// tfnotify's own plan message, which a config without a plan template gets.
const DEFAULT_PLAN: &[&str] = &[
    "**12** to add · **5** to change · **7** to destroy",
    "[CI link](https://ci.example.com/builds/42)",
];

/// The v0 README's plan template: title with a CI link, result, whole output.
const V0_README_PLAN: &[&str] = &[
    "## Plan result <sup>[CI link]( https://ci.example.com/builds/42 )</sup>",
    "<pre><code>Plan: 1 to import, 12 to add, 5 to change, 7 to destroy.\n</pre></code>",
    "<details><summary>Details (Click me)</summary>",
];

pub(crate) const CASES: &[Case] = &[
    // tfnotify v0.x (mercari/tfnotify): `ci:`, `notifier:`, `.Title`/`.Message`/`.Body`.
    Case {
        file: "v0-minimal-github.yaml",
        renders: DEFAULT_PLAN,
        ..BASE
    },
    Case {
        file: "v0-readme-sup-link.yaml",
        renders: V0_README_PLAN,
        snapshot: true,
        ..BASE
    },
    Case {
        file: "v0-codebuild-inline-pre.yaml",
        renders: &[
            "<pre><code> Plan: 1 to import, 12 to add, 5 to change, 7 to destroy. </pre></code>",
        ],
        ..BASE
    },
    Case {
        file: "v0-circleci-link-in-title.yaml",
        renders: &["## Plan result [CircleCI build]( https://ci.example.com/builds/42 )"],
        ..BASE
    },
    Case {
        file: "v0-unknown-ci-name.yaml",
        original: Original::Rejected("droneci: not supported yet"),
        check: Check::Fails("`droneci`"),
        ..BASE
    },
    Case {
        file: "v0-indented-document.yaml",
        renders: V0_README_PLAN,
        ..BASE
    },
    Case {
        file: "v0-no-ci-key.yaml",
        original: Original::Rejected("ci: need to be set"),
        renders: V0_README_PLAN,
        ..BASE
    },
    Case {
        file: "v0-blank-lines-no-final-newline.yaml",
        renders: &[
            "## Plan result <sup>[CI link]( https://ci.example.com/builds/42 )</sup>",
            "<pre><code> Plan: 1 to import, 12 to add, 5 to change, 7 to destroy.",
        ],
        ..BASE
    },
    Case {
        file: "v0-blank-line-between-commands.yaml",
        renders: V0_README_PLAN,
        ..BASE
    },
    Case {
        file: "v0-gitlab.yaml",
        env: &[
            ("GITLAB_TOKEN", "fake-gitlab-token"),
            ("GITLAB_BASE_URL", "https://gitlab.example.com"),
        ],
        renders: &[
            "## Plan result <sup>[CI link]( https://ci.example.com/builds/42 )</sup>",
            "<pre><code> Plan: 1 to import, 12 to add, 5 to change, 7 to destroy.",
        ],
        ..BASE
    },
    Case {
        file: "v0-mattermost-markdown.yaml",
        tool: "tfnotify master after v0.8.0",
        env: &[("MATTERMOST_WEBHOOK", "https://chat.example.com/hooks/fake")],
        renders: &[
            "**`Context`**:  [*(Click me) See the whole run*]( https://ci.example.com/builds/42 )",
            "## Result\n```\nPlan: 1 to import, 12 to add, 5 to change, 7 to destroy.\n```",
            "## :warning: WARNING: Resource Deletion will happen :warning:",
        ],
        snapshot: true,
        ..BASE
    },
    Case {
        file: "v0-slack-code-block.yaml",
        env: &[
            ("SLACK_TOKEN", "fake-slack-token"),
            ("SLACK_CHANNEL_ID", "C0000000"),
        ],
        renders: &["```\nPlan: 1 to import, 12 to add, 5 to change, 7 to destroy.\n```"],
        ..BASE
    },
    Case {
        file: "v0-slack-raw-output.yaml",
        env: &[
            ("SLACK_TOKEN", "fake-slack-token"),
            ("SLACK_CHANNEL_ID", "C0000000"),
        ],
        renders: &[
            "```\nPlan: 1 to import, 12 to add, 5 to change, 7 to destroy.\n```",
            // Raw output: Terraform's quotes stay quotes.
            "module.app.terraform_data.service[\"scheduler\"]",
        ],
        ..BASE
    },
    Case {
        file: "v0-typetalk.yaml",
        env: &[
            ("TYPETALK_TOKEN", "fake-typetalk-token"),
            ("TYPETALK_TOPIC_ID", "1234"),
        ],
        // Not about a key: the service itself is gone.
        warnings: &[
            "the config has a `typetalk` notifier, but Typetalk closed in December 2025; use Slack, Chatwork, Teams or a webhook instead",
        ],
        renders: &["```\nPlan: 1 to import, 12 to add, 5 to change, 7 to destroy.\n```"],
        ..BASE
    },
    Case {
        file: "v0-destroy-warning-no-changes-label.yaml",
        renders: &[
            "## Plan result",
            "## :warning: WARNING: Resource Deletion will happen :warning:",
        ],
        ..BASE
    },
    Case {
        file: "v0-use-raw-output-github.yaml",
        renders: &["module.app.terraform_data.service[\"scheduler\"]"],
        ..BASE
    },
    Case {
        file: "v0-labels-under-apply.yaml",
        warnings: &[
            "44:5: unknown key `terraform.apply.when_add_or_update_only` is ignored",
            "46:5: unknown key `terraform.apply.when_destroy` is ignored; did you mean `when_parse_error`?",
            "48:5: unknown key `terraform.apply.when_no_changes` is ignored",
            "50:5: unknown key `terraform.apply.when_plan_error` is ignored; did you mean `when_parse_error`?",
        ],
        renders: V0_README_PLAN,
        ..BASE
    },
    Case {
        file: "v0-hooks-four-space-indent.yaml",
        renders: &[
            "## Plan result\n<pre><code>Plan: 1 to import, 12 to add, 5 to change, 7 to destroy.</pre></code>",
            "## :warning: WARNING: Resource Deletion will happen :warning:",
        ],
        ..BASE
    },
    Case {
        file: "v0-two-documents.yaml",
        env: &[
            ("SLACK_TOKEN", "fake-slack-token"),
            ("SLACK_CHANNEL_ID", "C0000000"),
        ],
        warnings: &[
            "17:1: YAML document 2 (lines 17-33) is ignored: only the first document of a file is read, as tfnotify and tfcmt did",
        ],
        // The first document's Slack template, not the second's GitHub one.
        renders: &["```Plan: 1 to import, 12 to add, 5 to change, 7 to destroy.```"],
        ..BASE
    },
    Case {
        file: "v0-sprig-regex-split.yaml",
        original: Original::Rejected("template: function \"regexSplit\" not defined"),
        // Written for Terraform 0.12, whose plans have `---` rules: the sample `config check`
        // renders is Terraform 1.x output, which has none, so `index … 1` fails there (as it
        // would in Go), while the 0.12 plan renders.
        check: Check::Fails("error calling index"),
        plan: "0.12/plan_mixed.txt",
        renders: &[
            "<details><summary>Plan without the refresh noise</summary>",
            "Terraform will perform the following actions:",
        ],
        ..BASE
    },
    // tfcmt v0 and v1 (2021): `ci:` strings, `vars:`, `when_destroy.template`.
    Case {
        file: "tfcmt0-ci-owner-repo-strings.yaml",
        tool: "tfcmt v0",
        original: Original::Rejected(
            "tfcmt v1 and later: yaml: unmarshal errors: cannot unmarshal !!str `acme` into []config.Env",
        ),
        // tfcmt v1 made these lists; the strings of v0 are not read.
        warnings: &[
            "2:3: expected a list of mappings for `ci.owner`, found a string; it is ignored",
            "3:3: expected a list of mappings for `ci.repo`, found a string; it is ignored",
        ],
        renders: DEFAULT_PLAN,
        ..BASE
    },
    Case {
        file: "tfcmt1-docs-color-keys.yaml",
        tool: "tfcmt v1",
        warnings: &[
            // Not `vars`: tfcmt v1 to v3 read it (static `.Vars`).
            "48:7: unknown key `terraform.plan.when_add_or_update_only.color` is ignored",
            "51:7: unknown key `terraform.plan.when_destroy.color` is ignored",
            "66:7: unknown key `terraform.plan.when_no_changes.color` is ignored",
            "69:7: unknown key `terraform.plan.when_plan_error.color` is ignored",
            "71:7: unknown key `terraform.plan.when_parse_error.label` is ignored",
            "72:7: unknown key `terraform.plan.when_parse_error.color` is ignored",
        ],
        renders: &[
            "## Plan Result",
            "[CI link](https://ci.example.com/builds/42)",
            "* Create\n  * terraform_data.dns_record[3]",
            "### :warning: Resource Deletion will happen :warning:",
        ],

        ..BASE
    },
    Case {
        file: "tfcmt1-when-destroy-template.yaml",
        tool: "tfcmt v1",
        renders: &[
            "## Plan result <sup>[CI link]( https://ci.example.com/builds/42 )</sup>",
            "This plan contains **resource deletion**.",
        ],
        ..BASE
    },
    // tfcmt v2 and v3: `ci:` mappings of `{type, value}` lists.
    Case {
        file: "tfcmt2-ci-envsubst-all-fields.yaml",
        tool: "tfcmt v2",
        env: &[
            ("PR_NUMBER", "12"),
            ("SHA", "0123456789abcdef0123456789abcdef01234567"),
            ("LINK", "https://ci.example.com/builds/77"),
            ("REPO_OWNER", "acme"),
            ("REPO_NAME", "infra"),
        ],
        link_from_config: true,
        renders: &[
            "[Build](https://ci.example.com/builds/77)",
            // tfnotify's own `result` sub-template.
            "```hcl\nPlan: 1 to import, 12 to add, 5 to change, 7 to destroy.\n```",
        ],
        ..BASE
    },
    Case {
        file: "tfcmt2-ci-vars-template.yaml",
        tool: "tfcmt v2",
        env: &[("STAGE", "staging")],
        renders: &["## Plan for platform (staging)"],
        ..BASE
    },
    Case {
        file: "tfcmt3-ci-envsubst-custom-subtemplate.yaml",
        tool: "tfcmt v3",
        env: &[
            ("PULL_REQUEST_NUMBER", "12"),
            ("REPOSITORY_OWNER", "acme"),
            ("REPOSITORY_NAME", "ecs-service"),
        ],
        renders: &[
            "## Plan Result\n[CI link](https://ci.example.com/builds/42)",
            "### :warning: Resource Deletion will happen :warning:",
            "## :warning: Warnings :warning:",
        ],
        snapshot: true,
        ..BASE
    },
    Case {
        file: "tfcmt3-ci-owner-repo-placeholders.yaml",
        tool: "tfcmt v3",
        renders: &[
            "## Plan Result",
            "[CI link](https://ci.example.com/builds/42)",
            "### :warning: Resource Deletion will happen :warning:",
        ],
        ..BASE
    },
    // tfcmt v4.
    Case {
        file: "tfcmt4-ci-empty-lists.yaml",
        tool: TFCMT_V4,
        vars: &["target:prod"],
        renders: &[
            "## Plan Result (prod)",
            "* Create\n  * terraform_data.dns_record[3]",
            "## :warning: Warnings :warning:",
        ],
        ..BASE
    },
    Case {
        file: "tfcmt4-ci-github-template-body.yaml",
        tool: TFCMT_V4,
        warnings: &["2:3: unknown key `ci.github` is ignored"],
        renders: DEFAULT_PLAN,
        ..BASE
    },
    Case {
        file: "tfcmt4-plan-patch-only.yaml",
        tool: TFCMT_V4,
        renders: DEFAULT_PLAN,
        ..BASE
    },
    Case {
        file: "tfcmt4-patch-skip-no-changes.yaml",
        tool: TFCMT_V4,
        renders: DEFAULT_PLAN,
        ..BASE
    },
    Case {
        file: "tfcmt4-schema-comment.yaml",
        tool: TFCMT_V4,
        renders: DEFAULT_PLAN,
        ..BASE
    },
    Case {
        file: "tfcmt4-japanese-subtemplates.yaml",
        tool: TFCMT_V4,
        renders: &[
            "## Terraform plan（本番）",
            "### ⚠️ 権限の削除を含みます",
            "<details><summary>変更差分</summary>",
            "### ⚠️ 警告",
        ],
        ..BASE
    },
    Case {
        file: "tfcmt4-new-subtemplate-names.yaml",
        tool: TFCMT_V4,
        renders: &[
            "## Plan result\n[Build details](https://ci.example.com/builds/42)",
            "<summary>Command output</summary>",
        ],
        ..BASE
    },
    Case {
        file: "tfcmt4-default-config.yaml",
        tool: TFCMT_V4,
        // tfcmt's masks come from the environment only (`TFCMT_MASKS`), never the file.
        env: &[
            (
                "TFCMT_MASKS",
                r"env:BASTION_HOST,regexp:(node-[0-9]+\.prod|ami-[0-9a-f]+)",
            ),
            ("BASTION_HOST", "bastion.prod.example.com"),
        ],
        hidden: &["bastion.prod.example.com", "node-3.prod.example.com"],
        renders: &[
            "## Plan Result",
            "* Move\n  * terraform_data.log_archive => module.app.terraform_data.log_archive",
        ],
        snapshot: true,
        ..BASE
    },
    Case {
        file: "tfcmt4-ghe-no-final-newline.yaml",
        tool: TFCMT_V4,
        renders: DEFAULT_PLAN,
        ..BASE
    },
    Case {
        file: "tfcmt4-ghes-v0-variables.yaml",
        tool: TFCMT_V4,
        renders: &[
            // tfnotify's own `plan_title`, then the user's link.
            " <sup>[CI link](https://ci.example.com/builds/42)</sup>",
            "<pre><code>Plan: 1 to import, 12 to add, 5 to change, 7 to destroy.",
        ],
        ..BASE
    },
    Case {
        file: "tfcmt4-apply-keys-copied-from-plan.yaml",
        tool: TFCMT_V4,
        warnings: &[
            "12:5: unknown key `terraform.apply.disable_label` is ignored",
            "13:5: unknown key `terraform.apply.when_no_changes` is ignored",
        ],
        renders: DEFAULT_PLAN,
        ..BASE
    },
    Case {
        file: "tfcmt4-plan-error-label.yaml",
        tool: TFCMT_V4,
        renders: DEFAULT_PLAN,
        ..BASE
    },
    Case {
        file: "tfcmt4-drift-title.yaml",
        tool: TFCMT_V4,
        exit: Some(2),
        renders: &["## :x: Drift is detected"],
        ..BASE
    },
    Case {
        file: "tfcmt4-diff-highlight.yaml",
        tool: TFCMT_V4,
        renders: &[
            "## Plan結果",
            "**Plan: 1 to import, 12 to add, 5 to change, 7 to destroy.**",
            "@@ Create @@\n+ terraform_data.dns_record[3]",
            "### :warning: リソースの変更・削除が発生します :warning:",
        ],
        snapshot: true,
        ..BASE
    },
    Case {
        file: "tfcmt4-skip-no-changes-no-label.yaml",
        tool: TFCMT_V4,
        renders: &["## Plan Result\n\n[CI link](https://ci.example.com/builds/42)"],
        ..BASE
    },
    Case {
        file: "tfcmt4-comment-only-mapping.yaml",
        tool: TFCMT_V4,
        renders: DEFAULT_PLAN,
        ..BASE
    },
    Case {
        file: "tfcmt4-classic-keys-in-tfcmt-file.yaml",
        tool: TFCMT_V4,
        vars: &["env:prod"],
        renders: &[
            "## Terraform Plan — `prod`\n> [!WARNING]",
            "[See the step summary](https://ci.example.com/builds/42)",
        ],
        ..BASE
    },
    Case {
        file: "tfcmt4-label-prefix.yaml",
        tool: TFCMT_V4,
        vars: &["target:api"],
        renders: &["## Backend Infra Plan Result (api)"],
        ..BASE
    },
    Case {
        file: "tfcmt4-ci-link-subtemplate.yaml",
        tool: TFCMT_V4,
        renders: &["## Plan Result\n[CI link](https://ci.example.com/builds/42)"],
        ..BASE
    },
    // tfnotify v1 (mercari/tfnotify 2025+, a copy of tfcmt).
    Case {
        file: "v1-has-destroy-labels.yaml",
        tool: "tfnotify v1",
        renders: &["## :warning: WARNING: Resource Deletion will happen"],
        ..BASE
    },
];
