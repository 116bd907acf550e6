//! Credentials stay on their origin, for every destination: a front on 127.0.0.1 that
//! answers one of the destination's requests with a redirect to another host
//! (127.0.0.2) proves that host receives nothing, for every method the destination sends
//! and every redirect status; a redirect to the front itself is followed.

mod common;

use std::collections::BTreeSet;

use common::front::{Elsewhere, Fault, Front, Rule};
use common::run::Ran;
use common::targets::{Backend, CHANGED, TARGETS, Target};

const STATUSES: [u16; 5] = [301, 302, 303, 307, 308];

/// The methods `target` sends in the run under test (after a seed, so edits and deletes
/// are among them), from a run through a front that changes nothing.
fn methods(target: &Target) -> BTreeSet<String> {
    let backend = (target.start)();
    backend.seed();
    let front = Front::start(&backend.origin, Rule::none());
    let ran = backend.run(&[backend.entry(front.origin())], &[], CHANGED);
    assert_eq!(ran.code, Some(0), "{}: {}", target.name, ran.stderr);
    front
        .seen()
        .iter()
        .filter(|seen| (target.picks)(&seen.method, &seen.target))
        .map(|seen| seen.method.clone())
        .collect()
}

/// The tested run, through a front whose first request of `method` gets `fault`.
fn through(target: &Target, method: &str, fault: Fault) -> (Backend, Front, Ran) {
    let backend = (target.start)();
    backend.seed();
    let picks = target.picks;
    let wanted = method.to_owned();
    let rule = Rule::first(move |m, t| m == wanted && picks(m, t), vec![fault]);
    let front = Front::start(&backend.origin, rule);
    let ran = backend.run(&[backend.entry(front.origin())], &[], CHANGED);
    (backend, front, ran)
}

#[track_caller]
fn assert_no_secret(target: &Target, backend: &Backend, text: &str) {
    for secret in &backend.secrets {
        assert!(!text.contains(secret.as_str()), "{}: {text}", target.name);
    }
}

#[test]
fn no_destination_sends_anything_to_the_host_a_redirect_names() {
    let mut covered = BTreeSet::new();
    for target in TARGETS {
        for method in methods(target) {
            for status in STATUSES {
                let elsewhere = Elsewhere::start();
                let fault = Fault::RedirectElsewhere {
                    status,
                    elsewhere: elsewhere.origin(),
                };
                let (backend, front, ran) = through(target, &method, fault);
                let case = format!("{} {method} {status}", target.name);
                assert!(!elsewhere.was_reached(), "{case}: 127.0.0.2 was contacted");
                assert!(
                    front.seen().iter().any(|seen| seen.faulted),
                    "{case}: no request was redirected"
                );
                let said = format!(
                    "was redirected ({status}) to another origin, `{}`, and was not sent there",
                    elsewhere.origin()
                );
                assert!(ran.stderr.contains(&said), "{case}: {}", ran.stderr);
                assert!(ran.stderr.contains(target.kind), "{case}: {}", ran.stderr);
                assert_no_secret(target, &backend, &ran.stderr);
                covered.insert(method.clone());
            }
        }
    }
    assert_eq!(
        covered,
        ["DELETE", "GET", "PATCH", "POST", "PUT"]
            .map(str::to_owned)
            .into(),
        "the destinations together send every method"
    );
}

#[test]
fn a_failed_redirect_names_its_hint() {
    let target = TARGETS.iter().find(|t| t.name == "Teams").expect("Teams");
    let elsewhere = Elsewhere::start();
    let fault = Fault::RedirectElsewhere {
        status: 301,
        elsewhere: elsewhere.origin(),
    };
    let (_, _, ran) = through(target, "POST", fault);
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr.contains(
            "  hint: if the server moved, or a proxy in front of it rewrites URLs, set the destination's URL"
        ),
        "{}",
        ran.stderr
    );
}

#[test]
fn every_destination_follows_redirects_within_its_origin() {
    for target in TARGETS {
        for method in methods(target) {
            for status in STATUSES {
                if status == 303 && method != "GET" {
                    // A 303 answers a write with where its result is: not the same write.
                    continue;
                }
                let case = format!("{} {method} {status}", target.name);
                let (backend, front, ran) =
                    through(target, &method, Fault::RedirectHere { status });
                assert_eq!(ran.code, Some(0), "{case}: {}", ran.stderr);
                assert!(!ran.stderr.contains("warning"), "{case}: {}", ran.stderr);
                let seen = front.seen();
                let at = seen
                    .iter()
                    .position(|seen| seen.faulted)
                    .unwrap_or_else(|| panic!("{case}: nothing was redirected"));
                let (redirected, followed) = (&seen[at], &seen[at + 1]);
                assert_eq!(followed.line(), redirected.line(), "{case}");
                assert_eq!(followed.body, redirected.body, "{case}");
                assert!(backend.delivered() >= 1, "{case}");
            }
        }
    }
}
