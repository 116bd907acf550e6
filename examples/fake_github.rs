//! Serves the integration tests' fake GitHub as a process, so `bench/run.sh` can time
//! `tfnotify plan` posting a real comment without a network or a real token.
//!
//! Usage: `cargo run --release --example fake_github -- [OWNER REPO PR HEAD_SHA]`
//! (default `acme infra 7` and forty `1`s). It opens that pull request, prints
//! `GITHUB_API_URL=…`, `GITHUB_GRAPHQL_URL=…` and `GITHUB_TOKEN=…` on stdout, one a line,
//! and serves until SIGTERM or SIGINT. It then reports on stderr every request GitHub would
//! have refused (the fake checks each one as the tests do) and exits with 1 if there was
//! any, so a benchmark never times runs that GitHub would have rejected.

#[allow(dead_code, unreachable_pub)] // shared with the tests, which use more of it
#[path = "../tests/common/fake_github/mod.rs"]
mod fake_github;

use std::io::{self, Write};
use std::process::ExitCode;

use fake_github::FakeGitHub;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

fn main() -> io::Result<ExitCode> {
    let mut args = std::env::args().skip(1);
    let owner = args.next().unwrap_or_else(|| "acme".to_owned());
    let repo = args.next().unwrap_or_else(|| "infra".to_owned());
    let pr: u64 = match args.next().map(|a| a.parse()) {
        None => 7,
        Some(Ok(number)) => number,
        Some(Err(_)) => {
            eprintln!("fake_github: PR must be a pull-request number, like `7`");
            return Ok(ExitCode::from(2));
        }
    };
    let head = args.next().unwrap_or_else(|| "1".repeat(40));

    // Listen for the stop signals before announcing the URL: whoever reads it may stop us
    // at once.
    let mut signals = Signals::new([SIGTERM, SIGINT])?;
    let fake = FakeGitHub::with_pull(&owner, &repo, pr, &head);
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "GITHUB_API_URL={}", fake.url())?;
    writeln!(stdout, "GITHUB_GRAPHQL_URL={}", fake.graphql_url())?;
    writeln!(stdout, "GITHUB_TOKEN={}", fake.token())?;
    stdout.flush()?;
    drop(stdout);

    signals.forever().next();

    let violations = fake.violations();
    let requests = fake.requests().len();
    if violations.is_empty() {
        eprintln!("fake_github: {requests} requests, all as GitHub accepts them");
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "fake_github: {} of {requests} requests GitHub would refuse or warn about:",
        violations.len()
    );
    for violation in &violations {
        eprintln!("  {violation}");
    }
    Ok(ExitCode::FAILURE)
}
