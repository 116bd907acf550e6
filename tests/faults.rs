//! The fault matrix: every destination against every way a server fails, from one shared
//! table. Each row runs the real binary with the faulty destination beside a healthy one
//! (a `notifiers:` list) and checks that the pass-through is complete, the exit code is
//! the documented one, the error names the destination and its request without a secret,
//! memory stays bounded, the run ends within its bound, and the healthy destination posts.
//!
//! The client's limits come from `TFNOTIFY_HTTP_*` ([`TUNING`]), so the whole matrix runs
//! in seconds; docs/http-and-masks.md gives the production worst case.

mod common;

use std::time::{Duration, Instant};

use common::front::{Fault, Front, Rule, plain_http_for_tls, refused};
use common::run::fixture;
use common::targets::{Healthy, INPUT, TARGETS, Target};

/// The client's limits in this suite: 4 attempts of at most 400 ms, waits from 10 ms
/// doubling to at most 1 s, within 5 s per destination.
const TUNING: [(&str, &str); 5] = [
    ("TFNOTIFY_HTTP_TIMEOUT", "400ms"),
    ("TFNOTIFY_HTTP_ATTEMPTS", "4"),
    ("TFNOTIFY_HTTP_RETRY_DELAY", "10ms"),
    ("TFNOTIFY_HTTP_MAX_RETRY_DELAY", "1s"),
    ("TFNOTIFY_HTTP_BUDGET", "5s"),
];

/// The longest a run may take: the faulty destination's budget, plus the healthy
/// destination and starting the process on a busy machine.
const BOUND: Duration = Duration::from_secs(9);

/// The most heap a run may have; reading a 100 MB answer whole would need more.
const HEAP: u64 = 64 << 20;

/// Where the faulty destination's requests go.
enum Place {
    /// Nothing listens.
    Refused,
    /// A server that does not speak TLS behind an `https://` URL.
    Tls,
    /// The fake, behind a front that gives every request the row picks this fault.
    Always(Fault),
    /// The fake, behind a front that gives the first picked requests these faults.
    First(Vec<Fault>),
}

/// What the row expects of the faulty destination.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// It fails: exit 3.
    Fails,
    /// It posts after retrying: exit 0, the message delivered.
    Posts,
    /// A 200 it cannot read: fails if it reads the answer, else exit 0.
    FailsIfItReads,
}

struct Row {
    name: &'static str,
    place: fn() -> Place,
    outcome: Outcome,
    /// What the error says, for rows that fail.
    says: &'static str,
    /// Whether the failing request may be sent more than once.
    retried: bool,
    /// `TFNOTIFY_HTTP_*` values over [`TUNING`] for this row.
    tuning: &'static [(&'static str, &'static str)],
}

fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Fault {
    Fault::Answer {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

fn status(code: u16) -> Fault {
    answer(
        code,
        &[("Content-Type", "application/json")],
        r#"{"message":"refused by the fault server"}"#,
    )
}

const ROWS: &[Row] = &[
    Row {
        name: "connection refused",
        place: || Place::Refused,
        outcome: Outcome::Fails,
        says: "(gave up after 4 attempts)",
        retried: true,
        tuning: &[],
    },
    Row {
        name: "accepts and never answers",
        place: || Place::Always(Fault::Hang),
        outcome: Outcome::Fails,
        says: "failed: timed out after 400ms (gave up after 4 attempts)",
        retried: true,
        tuning: &[],
    },
    Row {
        name: "reset in the middle of the body",
        place: || Place::Always(Fault::ResetMidBody),
        outcome: Outcome::Fails,
        says: "(gave up after 4 attempts)",
        retried: true,
        tuning: &[],
    },
    Row {
        name: "200 whose body stops short",
        place: || Place::Always(Fault::Truncated),
        outcome: Outcome::Fails,
        says: "(gave up after 4 attempts)",
        retried: true,
        tuning: &[],
    },
    Row {
        name: "200 with cut JSON",
        place: || {
            Place::Always(answer(
                200,
                &[("Content-Type", "application/json")],
                r#"{"id": 1, "bo"#,
            ))
        },
        outcome: Outcome::FailsIfItReads,
        says: "",
        retried: false,
        tuning: &[],
    },
    Row {
        name: "200 with HTML",
        place: || {
            Place::Always(answer(
                200,
                &[("Content-Type", "text/html")],
                "<html><body>Welcome to the proxy</body></html>",
            ))
        },
        outcome: Outcome::FailsIfItReads,
        says: "",
        retried: false,
        tuning: &[],
    },
    Row {
        name: "200 with a 100 MB body",
        place: || {
            Place::Always(Fault::Huge {
                status: 200,
                bytes: 100_000_000,
            })
        },
        outcome: Outcome::Fails,
        says: "failed: the answer is larger than 16 MiB",
        retried: false,
        // Time enough to read it all: the heap limit, not a timeout, must stop it.
        tuning: &[
            ("TFNOTIFY_HTTP_TIMEOUT", "20s"),
            ("TFNOTIFY_HTTP_BUDGET", "20s"),
        ],
    },
    Row {
        name: "500, 502, 503, then success",
        place: || Place::First(vec![status(500), status(502), status(503)]),
        outcome: Outcome::Posts,
        says: "",
        retried: true,
        tuning: &[],
    },
    Row {
        name: "429 without Retry-After, then success",
        place: || Place::First(vec![status(429)]),
        outcome: Outcome::Posts,
        says: "",
        retried: true,
        tuning: &[],
    },
    Row {
        name: "429 with Retry-After, then success",
        place: || Place::First(vec![answer(429, &[("Retry-After", "1")], "slow down")]),
        outcome: Outcome::Posts,
        says: "",
        retried: true,
        tuning: &[],
    },
    Row {
        name: "429 asking for longer than the longest wait",
        place: || Place::Always(answer(429, &[("Retry-After", "120")], "slow down")),
        outcome: Outcome::Fails,
        says: "failed with status 429: slow down (rate limit hit, resets at ",
        retried: false,
        tuning: &[],
    },
    Row {
        name: "401",
        place: || Place::Always(status(401)),
        outcome: Outcome::Fails,
        says: "failed with status 401: refused by the fault server",
        retried: false,
        tuning: &[],
    },
    Row {
        name: "403",
        place: || Place::Always(status(403)),
        outcome: Outcome::Fails,
        says: "failed with status 403: refused by the fault server",
        retried: false,
        tuning: &[],
    },
    Row {
        name: "404",
        place: || Place::Always(status(404)),
        outcome: Outcome::Fails,
        says: "failed with status 404: refused by the fault server",
        retried: false,
        tuning: &[],
    },
    Row {
        name: "422",
        place: || Place::Always(status(422)),
        outcome: Outcome::Fails,
        says: "failed with status 422: refused by the fault server",
        retried: false,
        tuning: &[],
    },
    Row {
        name: "TLS failure",
        place: || Place::Tls,
        outcome: Outcome::Fails,
        says: "failed: the secure connection failed: ",
        retried: false,
        tuning: &[],
    },
];

/// Runs every row against the destination the table calls `name`.
fn matrix(name: &str) {
    let target = TARGETS
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no target `{name}`"));
    let mut failures = Vec::new();
    for row in ROWS {
        if let Err(problem) = check(target, row) {
            failures.push(format!("{name}, {}: {problem}", row.name));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// One cell of the matrix; every broken expectation is reported, not only the first.
fn check(target: &Target, row: &Row) -> Result<(), String> {
    let backend = (target.start)();
    let healthy = Healthy::beside(target);
    let (origin, front) = match (row.place)() {
        Place::Refused => (refused(), None),
        Place::Tls => (plain_http_for_tls(), None),
        Place::Always(fault) => {
            let front = Front::start(&backend.origin, Rule::always(target.picks, fault));
            (front.origin().to_owned(), Some(front))
        }
        Place::First(faults) => {
            let front = Front::start(&backend.origin, Rule::first(target.picks, faults));
            (front.origin().to_owned(), Some(front))
        }
    };
    let entries = [backend.entry(&origin), healthy.entry.clone()];
    let (_dir, mut test) = backend.test(&entries, INPUT);
    for (key, value) in TUNING.iter().chain(row.tuning) {
        test = test.env(key, *value);
    }
    let started = Instant::now();
    let ran = test.data_limit(HEAP).run();
    let took = started.elapsed();

    let mut problems = Vec::new();
    let fails = match row.outcome {
        Outcome::Fails => true,
        Outcome::Posts => false,
        Outcome::FailsIfItReads => target.reads_reply,
    };
    if ran.stdout != fixture(INPUT) {
        problems.push("the pass-through is not byte-exact".to_owned());
    }
    let code = if fails { 3 } else { 0 };
    if ran.code != Some(code) {
        problems.push(format!("exit {:?}, not {code}", ran.code));
    }
    if took > BOUND {
        problems.push(format!("took {took:?}, more than {BOUND:?}"));
    }
    if healthy.delivered() != 1 {
        problems.push(format!(
            "the healthy destination got {} messages",
            healthy.delivered()
        ));
    }
    for secret in &backend.secrets {
        if ran.stderr.contains(secret.as_str()) {
            problems.push(format!("stderr shows `{secret}`"));
        }
    }
    let error = ran
        .stderr
        .lines()
        .find(|line| line.starts_with(&format!("tfnotify: error: {}", target.kind)));
    match (fails, error) {
        (true, None) => problems.push("no error names the destination".to_owned()),
        (true, Some(line)) => {
            if !names_a_request(line) {
                problems.push("the error names no request".to_owned());
            }
            if !ran.stderr.contains(row.says) {
                problems.push(format!("the output does not say `{}`", row.says));
            }
        }
        (false, Some(_)) => problems.push("an error for a destination that posts".to_owned()),
        (false, None) => {
            if matches!(row.outcome, Outcome::Posts) && backend.delivered() == 0 {
                problems.push("the message was not delivered".to_owned());
            }
        }
    }
    if let Some(front) = &front
        && !row.retried
    {
        let faulted: Vec<String> = front
            .seen()
            .iter()
            .filter(|seen| seen.faulted)
            .map(common::front::Seen::line)
            .collect();
        if faulted.windows(2).any(|pair| pair[0] == pair[1]) {
            problems.push(format!("a request was sent again: {faulted:?}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n--- stderr:\n{}",
            problems.join("; "),
            ran.stderr
        ))
    }
}

/// Whether an error line holds a request: a backticked method and URL, the URL either on
/// loopback or redacted whole (a webhook URL is its own secret).
fn names_a_request(line: &str) -> bool {
    ["GET", "POST", "PUT", "PATCH", "DELETE"]
        .iter()
        .any(|method| {
            [
                format!("`{method} http://127.0.0.1:"),
                format!("`{method} https://127.0.0.1:"),
                format!("`{method} ***"),
            ]
            .iter()
            .any(|start| line.contains(start.as_str()))
        })
}

#[test]
fn github_rest() {
    matrix("GitHub REST");
}

#[test]
fn github_graphql() {
    matrix("GitHub GraphQL");
}

#[test]
fn gitlab() {
    matrix("GitLab");
}

#[test]
fn gitea() {
    matrix("Gitea");
}

#[test]
fn bitbucket_cloud() {
    matrix("Bitbucket Cloud");
}

#[test]
fn bitbucket_server() {
    matrix("Bitbucket Server");
}

#[test]
fn slack_webhook() {
    matrix("Slack webhook");
}

#[test]
fn slack_bot() {
    matrix("Slack bot");
}

#[test]
fn chatwork() {
    matrix("Chatwork");
}

#[test]
fn teams() {
    matrix("Teams");
}

#[test]
fn discord() {
    matrix("Discord");
}

#[test]
fn mattermost() {
    matrix("Mattermost");
}

#[test]
fn webhook() {
    matrix("Webhook");
}

#[test]
fn every_destination_has_its_test() {
    let source = include_str!("faults.rs");
    for target in TARGETS {
        assert!(
            source.contains(&format!("matrix(\"{}\")", target.name)),
            "{} has no fault matrix test",
            target.name
        );
    }
}
