//! The one type that holds a credential read from the config file.
//!
//! Tokens (`notifier.github.token`, `notifier.slack.token`, …) must never reach a log line, a
//! `--dump-context` file or a panic message. `SecretString` has no `Serialize` impl and its
//! `Debug` says only whether a value is present, so deriving `Debug` on a config struct is safe.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// A string whose content is hidden from `Debug` and which cannot be serialised.
///
/// Why not the `secrecy` crate: we need three methods and no zeroising; this keeps the
/// dependency list short.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a value read from the file or the environment.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Gives the raw value to the one place that sends it (an HTTP header); the name makes
    /// every such call easy to find.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Lets callers report "token is missing" without looking at the token.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("SecretString(<empty>)")
        } else {
            f.write_str("SecretString(<redacted>)")
        }
    }
}

/// Any scalar is taken as written (`room_id: 123`, `thread: true`), as Go's decoders did for
/// string fields; nothing is empty; a list or a mapping is an error.
impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Scalar;
        impl serde::de::Visitor<'_> for Scalar {
            type Value = SecretString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, v: &str) -> Result<SecretString, E> {
                Ok(SecretString::new(v))
            }
            fn visit_bool<E>(self, v: bool) -> Result<SecretString, E> {
                Ok(SecretString::new(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<SecretString, E> {
                Ok(SecretString::new(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<SecretString, E> {
                Ok(SecretString::new(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<SecretString, E> {
                Ok(SecretString::new(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<SecretString, E> {
                Ok(SecretString::default())
            }
        }
        deserializer.deserialize_any(Scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::SecretString;

    #[track_caller]
    fn case(value: &str, debug: &str) {
        let secret = SecretString::new(value);
        assert_eq!(format!("{secret:?}"), debug);
        assert_eq!(format!("{:?}", Some(&secret)), format!("Some({debug})"));
        assert_eq!(secret.expose(), value);
        assert_eq!(secret.is_empty(), value.is_empty());
    }

    #[test]
    fn debug_never_shows_the_value() {
        case("", "SecretString(<empty>)");
        case("ghp_abc123", "SecretString(<redacted>)");
        case("$GITHUB_TOKEN", "SecretString(<redacted>)");
    }
}
