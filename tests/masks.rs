//! A masked value never leaves the machine: the real binary, every destination at once, the
//! real capture of a plan whose precondition prints the secret, and the secret in the
//! target too. Every request every fake recorded (URL, headers, body), stdout, stderr and
//! the `--output` file are searched for the secret in each of its forms.

mod common;

use std::ffi::OsString;
use std::path::Path;

use common::fake_bitbucket::FakeBitbucket;
use common::fake_bitbucket_server::FakeBitbucketServer;
use common::fake_gitea::FakeGitea;
use common::fake_github::FakeGitHub;
use common::fake_gitlab::FakeGitLab;
use common::fake_slack::FakeSlack;
use common::fake_webhooks::{CHATWORK_ROOM, CHATWORK_TOKEN, FakeWebhooks, WEBHOOK_SECRET};
use common::run::{Ran, Test, fixture};

/// The value of `TF_VAR_db_password` in the scenario `plan_precondition_secret`.
const SECRET: &str = r#"Pa"ss\w0rd&<db>${env}"#;
/// A piece of the secret that every one of its spellings keeps as it is.
const FRAGMENT: &str = "w0rd";
const OWNER: &str = "acme";
const REPO: &str = "infra";
const PR: u64 = 7;
const HEAD: &str = "7777777777777777777777777777777777777777";

/// `text` quoted as Terraform shows a string (and as JSON escapes `"` and `\`).
fn quote(text: &str) -> String {
    text.replace('\\', r"\\").replace('"', r#"\""#)
}

/// `text` as Go's JSON encoder writes it inside a string (`terraform show -json`).
fn go_json(text: &str) -> String {
    quote(text)
        .replace('&', r"\u0026")
        .replace('<', r"\u003c")
        .replace('>', r"\u003e")
}

/// The secret as Terraform, JSON encoders and URLs print it, the most escaped first.
fn spellings() -> Vec<String> {
    vec![
        go_json(&quote(SECRET)),
        quote(&quote(SECRET)),
        go_json(SECRET),
        quote(SECRET),
        SECRET.to_owned(),
    ]
}

/// [`spellings`], percent-encoded ones and a piece that all of them keep as it is.
fn forms() -> Vec<String> {
    let percent: String = SECRET
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let mut forms = spellings();
    forms.extend([percent.to_lowercase(), percent, FRAGMENT.to_owned()]);
    forms
}

/// Fails naming `place` if `text` holds the secret in any form.
#[track_caller]
fn assert_clean(place: &str, text: &str) {
    for form in forms() {
        assert!(!text.contains(&form), "{place} holds `{form}`:\n{text}");
    }
}

/// Every destination, each on its fake, in one config.
struct Fakes {
    github: FakeGitHub,
    gitlab: FakeGitLab,
    gitea: FakeGitea,
    bitbucket: FakeBitbucket,
    bitbucket_server: FakeBitbucketServer,
    slack: FakeSlack,
    chat: FakeWebhooks,
}

impl Fakes {
    fn start() -> Fakes {
        let fakes = Fakes {
            github: FakeGitHub::start(),
            gitlab: FakeGitLab::start(),
            gitea: FakeGitea::start(),
            bitbucket: FakeBitbucket::start(),
            bitbucket_server: FakeBitbucketServer::start(),
            slack: FakeSlack::start(),
            chat: FakeWebhooks::start(),
        };
        fakes.github.add_pull(OWNER, REPO, PR, HEAD);
        fakes.gitlab.add_project(&format!("{OWNER}/{REPO}"));
        fakes
            .gitlab
            .add_merge_request(&format!("{OWNER}/{REPO}"), PR, HEAD);
        fakes.gitea.add_pull(OWNER, REPO, PR, HEAD);
        fakes.bitbucket.add_pull(OWNER, REPO, PR, HEAD);
        fakes.bitbucket_server.add_pull("INFRA", REPO, PR, HEAD);
        fakes
    }

    fn config(&self) -> String {
        use common::fake_bitbucket::TOKEN as BITBUCKET_TOKEN;
        use common::fake_bitbucket_server::TOKEN as BITBUCKET_SERVER_TOKEN;
        use common::fake_gitea::TOKEN as GITEA_TOKEN;
        use common::fake_slack::{CHANNEL, TOKEN as SLACK_TOKEN};
        let repository = format!("{{owner: {OWNER}, name: {REPO}}}");
        format!(
            r"notifiers:
  - type: github
    token: {github_token}
    base_url: {github}
    graphql_url: {graphql}
    repository: {repository}
  - type: gitlab
    token: {gitlab_token}
    base_url: {gitlab}
    repository: {repository}
  - type: gitea
    token: {GITEA_TOKEN}
    base_url: {gitea}
    repository: {repository}
  - type: bitbucket
    token: {BITBUCKET_TOKEN}
    base_url: {bitbucket}
    repository: {repository}
  - type: bitbucket-server
    token: {BITBUCKET_SERVER_TOKEN}
    base_url: {bitbucket_server}
    repository: {{owner: INFRA, name: {REPO}}}
  - type: slack
    name: channel
    token: {SLACK_TOKEN}
    channel: {CHANNEL}
    base_url: {slack_api}
    thread: true
  - type: slack
    name: hook
    webhook_url: {slack_hook}
  - type: chatwork
    token: {CHATWORK_TOKEN}
    room_id: {CHATWORK_ROOM}
    base_url: {chatwork}
  - type: teams
    webhook_url: {teams}
  - type: discord
    webhook_url: {discord}
  - type: mattermost
    webhook_url: {mattermost}
  - type: webhook
    webhook_url: {webhook}
    secret: {WEBHOOK_SECRET}
",
            github_token = self.github.token(),
            github = self.github.url(),
            graphql = self.github.graphql_url(),
            gitlab_token = self.gitlab.token(),
            gitlab = self.gitlab.url(),
            gitea = self.gitea.api_url(),
            bitbucket = self.bitbucket.api_url(),
            bitbucket_server = self.bitbucket_server.url(),
            slack_api = self.slack.api_url(),
            slack_hook = self.slack.webhook_url(),
            chatwork = self.chat.chatwork_api(),
            teams = self.chat.teams_url(),
            discord = self.chat.discord_url(),
            mattermost = self.chat.mattermost_url(),
            webhook = self.chat.webhook_url(),
        )
    }

    /// Every request of every fake as `(destination, [url, header values…, body])`.
    fn requests(&self) -> Vec<(&'static str, Vec<String>)> {
        fn parts<'a>(
            target: &str,
            headers: impl IntoIterator<Item = (&'a String, &'a String)>,
            body: &str,
        ) -> Vec<String> {
            let mut parts = vec![target.to_owned(), body.to_owned()];
            parts.extend(
                headers
                    .into_iter()
                    .map(|(name, value)| format!("{name}: {value}")),
            );
            parts
        }
        let mut all = Vec::new();
        for r in self.github.requests() {
            let body = r.body.clone().unwrap_or_default();
            all.push(("GitHub", parts(&r.path, &r.headers, &body)));
        }
        for r in self.gitlab.requests() {
            let body = r.body.clone().unwrap_or_default();
            all.push(("GitLab", parts(&r.path, &r.headers, &body)));
        }
        for r in self.gitea.requests() {
            all.push(("Gitea", parts(&r.path, &r.headers, &r.body)));
        }
        for r in self.bitbucket.requests() {
            all.push(("Bitbucket", parts(&r.path, &r.headers, &r.body)));
        }
        for r in self.bitbucket_server.requests() {
            all.push(("Bitbucket Server", parts(&r.path, &r.headers, &r.body)));
        }
        for r in self.slack.requests() {
            all.push(("Slack", parts(&r.path, &r.headers, &r.body)));
        }
        for r in self.chat.requests() {
            all.push(("chat", parts(&r.target, &r.headers, &r.body)));
        }
        all
    }
}

/// The secret's piece where [`colour_split`] puts colour codes, and the codes put there.
const UNSPLIT: &str = "w0rd&<db>";
const SPLIT: &str = "w0\x1b[0m\x1b[1mrd&<\x1b[4mdb>";

/// The scenario's colour capture with the secret split by colour codes, as coloured output
/// can split any value: the masked span must take the codes inside it and keep the rest.
fn colour_split() -> Vec<u8> {
    let text =
        String::from_utf8(fixture("1.11/plan_precondition_secret.color.txt")).expect("utf-8");
    let split = text.replace(UNSPLIT, SPLIT);
    assert_ne!(split, text, "the capture prints the secret");
    split.into_bytes()
}

/// `input` with each spelling of the secret it holds replaced by `***`.
fn expected_passthrough(input: &[u8]) -> Vec<u8> {
    let mut text = String::from_utf8(input.to_vec()).expect("utf-8");
    for spelling in spellings() {
        text = text
            .replace(&spelling.replace(UNSPLIT, SPLIT), "***")
            .replace(&spelling, "***");
    }
    text.into_bytes()
}

fn run(dir: &Path, input: Vec<u8>) -> Ran {
    let target = format!("target:prod-{SECRET}");
    let plan_json = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/terraform/1.11/plan_precondition_secret.json");
    Test::new()
        .dir(dir)
        .env("DB_PASSWORD", SECRET)
        .env("TFNOTIFY_MASKS", "env:DB_PASSWORD")
        .args(["--var", &target, "--pr", "7", "--sha", HEAD])
        .args(["--color", "always", "plan", "--output", "summary.md"])
        .args([OsString::from("--plan-json"), plan_json.into_os_string()])
        .stdin(input)
        .run()
}

#[test]
fn a_masked_value_reaches_no_destination_in_any_form() {
    let fakes = Fakes::start();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("tfnotify.yaml"), fakes.config()).expect("config");
    let inputs = [
        ("text", fixture("1.11/plan_precondition_secret.txt")),
        ("colour", colour_split()),
        (
            "-json log",
            fixture("1.11/plan_precondition_secret.jsonlog.txt"),
        ),
    ];
    for (name, input) in inputs {
        let ran = run(dir.path(), input.clone());
        assert_eq!(ran.code, Some(1), "{name}: {}", ran.stderr);
        assert_eq!(
            String::from_utf8_lossy(&ran.stdout),
            String::from_utf8_lossy(&expected_passthrough(&input)),
            "{name}: the pass-through is the input, the secret masked"
        );
        assert_clean(&format!("{name}: stdout"), &ran.stdout_text());
        assert_clean(&format!("{name}: stderr"), &ran.stderr);
        assert!(
            !ran.stderr.contains("tfnotify: error"),
            "{name}: {}",
            ran.stderr
        );
    }
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).expect("--output");
    assert!(summary.contains("***"), "{summary}");
    assert_clean("--output", &summary);

    let requests = fakes.requests();
    for destination in [
        "GitHub",
        "GitLab",
        "Gitea",
        "Bitbucket",
        "Bitbucket Server",
        "Slack",
        "chat",
    ] {
        assert!(
            requests.iter().any(|(d, _)| *d == destination),
            "{destination} got nothing"
        );
    }
    for (destination, parts) in &requests {
        for part in parts {
            assert_clean(destination, part);
        }
    }
    // Every chat destination was reached: Chatwork, Teams, Discord, Mattermost, webhook.
    let chat_paths: Vec<String> = fakes
        .chat
        .requests()
        .iter()
        .map(|r| r.path().to_owned())
        .collect();
    assert_eq!(chat_paths.len(), 15, "{chat_paths:#?}");
    assert!(fakes.chat.signatures().iter().all(|valid| *valid));
    fakes.chat.assert_no_violations();

    // The masked target is the same every run, so each run found the comment and the
    // labels of the one before: one comment, updated in place, with the masked label.
    assert_eq!(fakes.github.comments(OWNER, REPO, PR).len(), 1);
    assert_eq!(
        fakes.github.labels_on(OWNER, REPO, PR),
        ["prod-***/plan-error"]
    );
    assert!(
        fakes.github.comments(OWNER, REPO, PR)[0]
            .body
            .contains(r#""Target":"prod-***""#)
    );
    assert_eq!(fakes.gitea.comments(OWNER, REPO, PR).len(), 1);
    fakes.github.assert_no_violations();
    fakes.gitlab.assert_no_violations();
    fakes.gitea.assert_no_violations();
    fakes.bitbucket.assert_no_violations();
    fakes.bitbucket_server.assert_no_violations();
    fakes.slack.assert_no_violations();
}

#[test]
fn a_target_from_the_directory_or_the_environment_is_masked_too() {
    let fake = FakeGitHub::start();
    fake.add_pull(OWNER, REPO, PR, HEAD);
    let repo = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(repo.path().join(".git")).expect(".git");
    let stack = repo.path().join("envs").join(SECRET);
    std::fs::create_dir_all(&stack).expect("stack dir");
    let github = |test: Test| {
        test.env("GITHUB_TOKEN", fake.token())
            .env("GITHUB_API_URL", fake.url())
            .env("GITHUB_GRAPHQL_URL", fake.graphql_url())
            .env("DB_PASSWORD", SECRET)
            .env("TFNOTIFY_MASKS", "env:DB_PASSWORD")
            .args(["--owner", OWNER, "--repo", REPO, "--pr", "7", "--sha", HEAD])
            .args(["plan", "--quiet"])
            .stdin(fixture("1.11/plan_precondition_secret.txt"))
            .run()
    };
    let from_directory = github(Test::new().dir(&stack));
    assert_eq!(from_directory.code, Some(1), "{}", from_directory.stderr);
    let from_env = github(Test::new().env("TFNOTIFY_VAR_target", format!("{SECRET}/eu")));
    assert_eq!(from_env.code, Some(1), "{}", from_env.stderr);
    for ran in [&from_directory, &from_env] {
        assert_clean("stderr", &ran.stderr);
    }
    for request in fake.requests() {
        assert_clean(&request.line(), &request.path);
        assert_clean(&request.line(), request.body.as_deref().unwrap_or_default());
    }
    let mut labels = fake.labels_on(OWNER, REPO, PR);
    labels.sort();
    assert_eq!(labels, ["***/eu/plan-error", "envs/***/plan-error"]);
    let markers: Vec<String> = fake
        .comments(OWNER, REPO, PR)
        .iter()
        .filter_map(|c| c.body.lines().last().map(str::to_owned))
        .collect();
    assert_eq!(markers.len(), 2, "one comment per target");
    assert!(
        markers[0].contains(r#""Target":"envs/***""#),
        "{}",
        markers[0]
    );
    assert!(
        markers[1].contains(r#""Target":"***/eu""#),
        "{}",
        markers[1]
    );
    fake.assert_no_violations();
}
