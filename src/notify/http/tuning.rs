//! How long the client may take, from the environment: `TFNOTIFY_HTTP_*`.
//!
//! The defaults suit CI against real services. The variables exist for the cases they do
//! not: a slow self-hosted server that needs a longer timeout, a job that must never wait
//! minutes for a chat message, and tests that exercise every failure in milliseconds.

use std::time::Duration;

use super::HttpConfig;

/// The variables, what each sets, and how it is written.
const VARIABLES: &[(&str, Knob)] = &[
    ("TFNOTIFY_HTTP_TIMEOUT", Knob::Timeout),
    ("TFNOTIFY_HTTP_ATTEMPTS", Knob::Attempts),
    ("TFNOTIFY_HTTP_RETRY_DELAY", Knob::RetryDelay),
    ("TFNOTIFY_HTTP_MAX_RETRY_DELAY", Knob::MaxRetryDelay),
    ("TFNOTIFY_HTTP_BUDGET", Knob::Budget),
];

/// One setting of [`HttpConfig`] a variable may change.
#[derive(Debug, Clone, Copy)]
enum Knob {
    Timeout,
    Attempts,
    RetryDelay,
    MaxRetryDelay,
    Budget,
}

/// A `TFNOTIFY_HTTP_*` variable whose value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{name}` is `{value}`, not {expected}")]
pub struct TuningError {
    /// The variable.
    pub name: &'static str,
    /// Its value.
    pub value: String,
    /// What it takes.
    pub expected: &'static str,
}

impl HttpConfig {
    /// The defaults with the `TFNOTIFY_HTTP_*` variables of `env` applied; a value that is
    /// not a count or a duration is an error, so a typo never leaves a job waiting forever.
    ///
    /// Durations are written `30s`, `250ms`, `2m` or as plain seconds (`0.5`).
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<HttpConfig, TuningError> {
        let mut config = HttpConfig::default();
        for &(name, knob) in VARIABLES {
            let Some(value) = env(name).filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            let bad = |expected| TuningError {
                name,
                value: value.clone(),
                expected,
            };
            if let Knob::Attempts = knob {
                config.max_attempts = value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| bad("a count of 1 or more"))?;
                continue;
            }
            let duration = parse_duration(&value)
                .ok_or_else(|| bad("a duration such as `30s`, `250ms` or `2m`"))?;
            let above_zero = || nonzero(duration).ok_or_else(|| bad("a duration above zero"));
            match knob {
                Knob::Timeout => config.timeout = above_zero()?,
                Knob::Budget => config.budget = above_zero()?,
                Knob::RetryDelay => config.base_delay = duration,
                Knob::MaxRetryDelay => config.max_delay = duration,
                Knob::Attempts => {}
            }
        }
        Ok(config)
    }
}

fn nonzero(duration: Duration) -> Option<Duration> {
    (!duration.is_zero()).then_some(duration)
}

/// `30s`, `250ms`, `2m`, `1.5s` or plain seconds.
fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| c.is_ascii_alphabetic()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let number: f64 = number.trim().parse().ok()?;
    let seconds = match unit.trim() {
        "ms" => number / 1000.0,
        "s" => number,
        "m" => number * 60.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(seconds).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn durations_in_every_spelling() {
        #[track_caller]
        fn case(text: &str, expected: Option<u64>) {
            assert_eq!(
                parse_duration(text),
                expected.map(Duration::from_millis),
                "{text}"
            );
        }
        case("30s", Some(30_000));
        case("250ms", Some(250));
        case("2m", Some(120_000));
        case(" 1.5 s ", Some(1_500));
        case("0.5", Some(500));
        case("0", Some(0));
        case("-1s", None);
        case("5h", None);
        case("soon", None);
        case("", None);
    }

    #[test]
    fn variables_override_the_defaults() {
        let config = HttpConfig::from_env(&env(&[
            ("TFNOTIFY_HTTP_TIMEOUT", "300ms"),
            ("TFNOTIFY_HTTP_ATTEMPTS", "2"),
            ("TFNOTIFY_HTTP_RETRY_DELAY", "0"),
            ("TFNOTIFY_HTTP_MAX_RETRY_DELAY", "1s"),
            ("TFNOTIFY_HTTP_BUDGET", "10s"),
        ]))
        .unwrap();
        assert_eq!(config.timeout, Duration::from_millis(300));
        assert_eq!(config.max_attempts, 2);
        assert_eq!(config.base_delay, Duration::ZERO);
        assert_eq!(config.max_delay, Duration::from_secs(1));
        assert_eq!(config.budget, Duration::from_secs(10));

        let defaults = HttpConfig::from_env(&env(&[("TFNOTIFY_HTTP_TIMEOUT", " ")])).unwrap();
        assert_eq!(defaults.timeout, HttpConfig::default().timeout);
        assert_eq!(defaults.budget, Duration::from_mins(5));
    }

    #[test]
    fn unusable_values_name_the_variable() {
        #[track_caller]
        fn case(name: &str, value: &str, expected: &str) {
            let error = HttpConfig::from_env(&env(&[(name, value)])).unwrap_err();
            assert_eq!(error.to_string(), expected);
        }
        case(
            "TFNOTIFY_HTTP_TIMEOUT",
            "30 seconds",
            "`TFNOTIFY_HTTP_TIMEOUT` is `30 seconds`, not a duration such as `30s`, `250ms` or `2m`",
        );
        case(
            "TFNOTIFY_HTTP_TIMEOUT",
            "0s",
            "`TFNOTIFY_HTTP_TIMEOUT` is `0s`, not a duration above zero",
        );
        case(
            "TFNOTIFY_HTTP_ATTEMPTS",
            "0",
            "`TFNOTIFY_HTTP_ATTEMPTS` is `0`, not a count of 1 or more",
        );
        case(
            "TFNOTIFY_HTTP_BUDGET",
            "forever",
            "`TFNOTIFY_HTTP_BUDGET` is `forever`, not a duration such as `30s`, `250ms` or `2m`",
        );
    }
}
