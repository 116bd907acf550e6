//! Every destination as one row of a table: its fake, the `notifiers:` entry that points it
//! at any origin (the fake's own, or a [`super::front::Front`] before it), and what it
//! holds that must never leak. Suites that run the same check against every destination
//! walk [`TARGETS`] instead of repeating themselves per fake.

use std::any::Any;
use std::rc::Rc;

use super::fake_bitbucket::{self, FakeBitbucket};
use super::fake_bitbucket_server::{self, FakeBitbucketServer};
use super::fake_gitea::{self, FakeGitea};
use super::fake_github::FakeGitHub;
use super::fake_gitlab::FakeGitLab;
use super::fake_slack::{self, FakeSlack};
use super::fake_webhooks::{
    CHATWORK_ROOM, CHATWORK_TOKEN, FakeWebhooks, TEAMS_SIG, WEBHOOK_SECRET,
};
use super::run::{Ran, Test, fixture};

/// The pull request every forge fake has: number 7 with this head.
pub const PR: &str = "7";
pub const HEAD: &str = "1111111111111111111111111111111111111111";

/// What each run reads on stdin: a plan with changes, so every destination posts.
pub const INPUT: &str = "1.11/plan_create_only.txt";

/// A plan that differs from [`INPUT`], so a run after a seeded one edits, relabels and
/// deletes instead of only creating.
pub const CHANGED: &str = "1.11/plan_destroy.txt";

/// One destination in the table.
pub struct Target {
    /// How the table names it.
    pub name: &'static str,
    /// How tfnotify's messages name it.
    pub kind: &'static str,
    /// Whether it reads the answer of a successful post, so that a 200 whose body is not
    /// JSON fails it; the others post and do not look.
    pub reads_reply: bool,
    /// Which of its requests the row is about (GitHub's REST and GraphQL are two rows).
    pub picks: fn(&str, &str) -> bool,
    /// A fresh fake, ready for a run.
    pub start: fn() -> Backend,
}

/// A started fake and how a run reaches it.
pub struct Backend {
    /// The fake's own origin, `http://127.0.0.1:PORT`.
    pub origin: String,
    /// What no output may show: tokens, the secret parts of webhook URLs.
    pub secrets: Vec<String>,
    /// The `notifiers:` entry for an origin (the fake's, or a front's).
    entry: Box<dyn Fn(&str) -> String>,
    /// Flags before the command.
    args: Vec<String>,
    /// How many messages the fake holds now.
    delivered: Box<dyn Fn() -> usize>,
    /// Whether a run before the tested one (one that creates what the tested run edits)
    /// makes sense for it.
    pub seedable: bool,
    _fake: Box<dyn Any>,
}

impl Backend {
    /// The `notifiers:` entry pointing at `origin`.
    pub fn entry(&self, origin: &str) -> String {
        (self.entry)(origin)
    }

    /// Messages (comments, chat messages) the fake holds.
    pub fn delivered(&self) -> usize {
        (self.delivered)()
    }

    /// Runs `tfnotify plan` with `entries` as the `notifiers:` list, reading `input`.
    pub fn run(&self, entries: &[String], env: &[(&str, &str)], input: &str) -> Ran {
        let (_dir, mut test) = self.test(entries, input);
        for (key, value) in env {
            test = test.env(key, *value);
        }
        test.run()
    }

    /// The run of [`Backend::run`] to complete before running it, with the directory that
    /// holds its config (keep it until the run is over).
    pub fn test(&self, entries: &[String], input: &str) -> (tempfile::TempDir, Test) {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = format!("notifiers:\n{}", entries.concat());
        std::fs::write(dir.path().join("tfnotify.yaml"), config).expect("write config");
        let test = Test::new()
            .dir(dir.path())
            .args(&self.args)
            .args(["--var", "target:prod", "plan", "--quiet"])
            .stdin(fixture(input));
        (dir, test)
    }

    /// A run straight against the fake, so the tested run finds a comment to edit.
    pub fn seed(&self) {
        if self.seedable {
            let ran = self.run(&[self.entry(&self.origin)], &[], INPUT);
            assert_eq!(ran.code, Some(0), "seeding: {}", ran.stderr);
        }
    }
}

/// `--owner OWNER --repo REPO --pr 7 --sha HEAD`.
fn forge_args(owner: &str, repo: &str) -> Vec<String> {
    ["--owner", owner, "--repo", repo, "--pr", PR, "--sha", HEAD]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

/// `url` (on `fake`'s origin) moved to `origin`.
fn moved(url: &str, fake: &str, origin: &str) -> String {
    url.replacen(fake, origin, 1)
}

fn any(_: &str, _: &str) -> bool {
    true
}

fn graphql(_: &str, target: &str) -> bool {
    target.starts_with("/graphql")
}

fn rest(method: &str, target: &str) -> bool {
    !graphql(method, target)
}

/// Every destination: GitHub twice (REST and GraphQL) and Slack twice (webhook and bot).
pub const TARGETS: &[Target] = &[
    Target {
        name: "GitHub REST",
        kind: "GitHub",
        reads_reply: true,
        picks: rest,
        start: github,
    },
    Target {
        name: "GitHub GraphQL",
        kind: "GitHub",
        reads_reply: true,
        picks: graphql,
        start: github,
    },
    Target {
        name: "GitLab",
        kind: "GitLab",
        reads_reply: true,
        picks: any,
        start: gitlab,
    },
    Target {
        name: "Gitea",
        kind: "Gitea",
        reads_reply: true,
        picks: any,
        start: gitea,
    },
    Target {
        name: "Bitbucket Cloud",
        kind: "Bitbucket",
        reads_reply: true,
        picks: any,
        start: bitbucket,
    },
    Target {
        name: "Bitbucket Server",
        kind: "Bitbucket Server",
        reads_reply: true,
        picks: any,
        start: bitbucket_server,
    },
    Target {
        name: "Slack webhook",
        kind: "Slack",
        reads_reply: false,
        picks: any,
        start: slack_webhook,
    },
    Target {
        name: "Slack bot",
        kind: "Slack",
        reads_reply: true,
        picks: any,
        start: slack_bot,
    },
    Target {
        name: "Chatwork",
        kind: "Chatwork",
        reads_reply: false,
        picks: any,
        start: chatwork,
    },
    Target {
        name: "Teams",
        kind: "Teams",
        reads_reply: false,
        picks: any,
        start: teams,
    },
    Target {
        name: "Discord",
        kind: "Discord",
        reads_reply: false,
        picks: any,
        start: discord,
    },
    Target {
        name: "Mattermost",
        kind: "Mattermost",
        reads_reply: false,
        picks: any,
        start: mattermost,
    },
    Target {
        name: "Webhook",
        kind: "webhook",
        reads_reply: false,
        picks: any,
        start: webhook,
    },
];

fn github() -> Backend {
    let fake = Rc::new(FakeGitHub::start());
    fake.add_pull("acme", "infra", 7, HEAD);
    fake.associate_commit("acme", "infra", HEAD, 7);
    let token = fake.token().to_owned();
    let entry_token = token.clone();
    let counted = Rc::clone(&fake);
    Backend {
        origin: fake.url(),
        secrets: vec![token],
        entry: Box::new(move |origin| {
            format!(
                "  - type: github\n    token: {entry_token}\n    base_url: {origin}\n    graphql_url: {origin}/graphql\n"
            )
        }),
        args: forge_args("acme", "infra"),
        delivered: Box::new(move || counted.comments("acme", "infra", 7).len()),
        seedable: true,
        _fake: Box::new(fake),
    }
}

fn gitlab() -> Backend {
    let fake = Rc::new(FakeGitLab::start());
    fake.add_merge_request("acme/infra", 7, HEAD);
    let token = fake.token().to_owned();
    let entry_token = token.clone();
    let origin = fake.server_url();
    let counted = Rc::clone(&fake);
    Backend {
        origin,
        secrets: vec![token],
        entry: Box::new(move |origin| {
            format!("  - type: gitlab\n    token: {entry_token}\n    base_url: {origin}/api/v4\n")
        }),
        args: forge_args("acme", "infra"),
        delivered: Box::new(move || counted.user_notes("acme/infra", 7).len()),
        seedable: true,
        _fake: Box::new(fake),
    }
}

fn gitea() -> Backend {
    let fake = Rc::new(FakeGitea::start());
    fake.add_pull("acme", "infra", 7, HEAD);
    let counted = Rc::clone(&fake);
    Backend {
        origin: fake.server_url(),
        secrets: vec![fake_gitea::TOKEN.to_owned()],
        entry: Box::new(|origin| {
            format!(
                "  - type: gitea\n    token: {}\n    base_url: {origin}/api/v1\n",
                fake_gitea::TOKEN
            )
        }),
        args: forge_args("acme", "infra"),
        delivered: Box::new(move || counted.comments("acme", "infra", 7).len()),
        seedable: true,
        _fake: Box::new(fake),
    }
}

fn bitbucket() -> Backend {
    let fake = Rc::new(FakeBitbucket::start());
    fake.add_pull("acme", "infra", 7, HEAD);
    let origin = fake.api_url().trim_end_matches("/2.0").to_owned();
    let counted = Rc::clone(&fake);
    Backend {
        origin,
        secrets: vec![fake_bitbucket::APP_PASSWORD.to_owned()],
        // Basic credentials: Bitbucket names their account, so earlier comments are found
        // as this account's (an access token could not say whose it is).
        entry: Box::new(|origin| {
            format!(
                "  - type: bitbucket\n    username: {}\n    app_password: {}\n    base_url: {origin}/2.0\n",
                fake_bitbucket::USERNAME,
                fake_bitbucket::APP_PASSWORD
            )
        }),
        args: forge_args("acme", "infra"),
        delivered: Box::new(move || counted.comments("acme", "infra", 7).len()),
        seedable: true,
        _fake: Box::new(fake),
    }
}

fn bitbucket_server() -> Backend {
    let fake = Rc::new(FakeBitbucketServer::start());
    fake.add_pull("INFRA", "terraform", 7, HEAD);
    let counted = Rc::clone(&fake);
    Backend {
        origin: fake.url(),
        secrets: vec![fake_bitbucket_server::TOKEN.to_owned()],
        entry: Box::new(|origin| {
            format!(
                "  - type: bitbucket-server\n    token: {}\n    base_url: {origin}\n",
                fake_bitbucket_server::TOKEN
            )
        }),
        args: forge_args("INFRA", "terraform"),
        delivered: Box::new(move || counted.comments("INFRA", "terraform", 7).len()),
        seedable: true,
        _fake: Box::new(fake),
    }
}

fn slack_webhook() -> Backend {
    let fake = Rc::new(FakeSlack::start());
    let (url, base) = (fake.webhook_url(), fake.url());
    let counted = Rc::clone(&fake);
    Backend {
        origin: base.clone(),
        secrets: vec!["FakeWebhookSecret0123456789".to_owned()],
        entry: Box::new(move |origin| {
            format!(
                "  - type: slack\n    webhook_url: {}\n",
                moved(&url, &base, origin)
            )
        }),
        args: Vec::new(),
        delivered: Box::new(move || counted.messages().len()),
        seedable: false,
        _fake: Box::new(fake),
    }
}

fn slack_bot() -> Backend {
    let fake = Rc::new(FakeSlack::start());
    let counted = Rc::clone(&fake);
    Backend {
        origin: fake.url(),
        secrets: vec![fake_slack::TOKEN.to_owned()],
        entry: Box::new(|origin| {
            format!(
                "  - type: slack\n    token: {}\n    channel: {}\n    base_url: {origin}/api\n",
                fake_slack::TOKEN,
                fake_slack::CHANNEL
            )
        }),
        args: Vec::new(),
        delivered: Box::new(move || counted.channel(fake_slack::CHANNEL).len()),
        seedable: false,
        _fake: Box::new(fake),
    }
}

/// A destination served by [`FakeWebhooks`]: `entry` writes the entry for an origin.
fn webhooks(secrets: &[&str], entry: fn(&FakeWebhooks, &str) -> String) -> Backend {
    let fake = Rc::new(FakeWebhooks::start());
    let counted = Rc::clone(&fake);
    let writer = Rc::clone(&fake);
    Backend {
        origin: fake.url(),
        secrets: secrets.iter().map(|s| (*s).to_owned()).collect(),
        entry: Box::new(move |origin| entry(&writer, origin)),
        args: Vec::new(),
        delivered: Box::new(move || counted.messages().len()),
        seedable: false,
        _fake: Box::new(fake),
    }
}

fn chatwork() -> Backend {
    webhooks(&[CHATWORK_TOKEN], |fake, origin| {
        format!(
            "  - type: chatwork\n    token: {CHATWORK_TOKEN}\n    room_id: \"{CHATWORK_ROOM}\"\n    base_url: {}\n",
            moved(&fake.chatwork_api(), &fake.url(), origin)
        )
    })
}

fn teams() -> Backend {
    webhooks(&[TEAMS_SIG], |fake, origin| {
        format!(
            "  - type: teams\n    webhook_url: \"{}\"\n",
            moved(&fake.teams_url(), &fake.url(), origin)
        )
    })
}

fn discord() -> Backend {
    webhooks(&["FakeDiscordWebhookToken"], |fake, origin| {
        format!(
            "  - type: discord\n    webhook_url: {}\n",
            moved(&fake.discord_url(), &fake.url(), origin)
        )
    })
}

fn mattermost() -> Backend {
    webhooks(&["fakemattermosthookid0123"], |fake, origin| {
        format!(
            "  - type: mattermost\n    webhook_url: {}\n",
            moved(&fake.mattermost_url(), &fake.url(), origin)
        )
    })
}

fn webhook() -> Backend {
    webhooks(&[WEBHOOK_SECRET], |fake, origin| {
        format!(
            "  - type: webhook\n    webhook_url: {}\n    secret: {WEBHOOK_SECRET}\n",
            moved(&fake.webhook_url(), &fake.url(), origin)
        )
    })
}

/// A destination that works, to run beside a failing one: a generic webhook, or Discord
/// beside the generic webhook, so the two are told apart.
pub struct Healthy {
    fake: FakeWebhooks,
    pub entry: String,
}

impl Healthy {
    pub fn beside(target: &Target) -> Healthy {
        let fake = FakeWebhooks::start();
        let entry = if target.name == "Webhook" {
            format!(
                "  - type: discord\n    webhook_url: {}\n",
                fake.discord_url()
            )
        } else {
            format!(
                "  - type: webhook\n    webhook_url: {}\n",
                fake.webhook_url()
            )
        };
        Healthy { fake, entry }
    }

    /// How many messages it received.
    pub fn delivered(&self) -> usize {
        self.fake.messages().len()
    }
}
