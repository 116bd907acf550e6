//! `$VAR` expansion in config values and template variables from flags and env.
//!
//! Both read the environment only through what the caller passes in, never `std::env`.

use std::collections::BTreeMap;

use super::{Env, Error};

/// Replaces `$NAME` and `${NAME}` with the variable's value, or with nothing when it is
/// unset (Go's `os.ExpandEnv`). `NAME` is ASCII letters, digits and `_`. A `$` not followed
/// by a name or by a closed `${…}` stays as it is, so `a$` and `${` survive unchanged.
///
/// Why the superset: tfnotify v0 read the environment only for exact strings like
/// `$GITLAB_TOKEN`; expanding everywhere is backwards compatible for every config that
/// worked and lets `https://${GHE_HOST}/api/v3/` work too.
pub fn expand(input: &str, env: Env<'_>) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        let (name, consumed) = if let Some(braced) = after.strip_prefix('{') {
            match braced.find('}') {
                Some(end) if is_name(&braced[..end]) => (&braced[..end], end + 2),
                _ => ("", 0),
            }
        } else {
            let end = after
                .find(|c: char| !is_name_char(c))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        if name.is_empty() {
            out.push('$');
            rest = after;
        } else {
            out.push_str(&env(name).unwrap_or_default());
            rest = &after[consumed..];
        }
    }
    out.push_str(rest);
    out
}

/// tfnotify v0 (typetalk) and tfcmt (`ghe_base_url`) also read the environment when the
/// value is the bare variable name; keep that so such files still work.
pub(crate) fn bare_name(value: String, name: &str, env: Env<'_>) -> String {
    if value == name {
        env(name).unwrap_or_default()
    } else {
        value
    }
}

/// Collects template variables (`.Vars`): `--var name:value` flags beat `TFNOTIFY_VAR_name`,
/// which beats `TFCMT_VAR_name` (kept for tfcmt users). Values may contain colons; only the
/// first one splits. `env` is every variable of the process, e.g. `std::env::vars()`.
pub fn resolve_vars<I>(flags: &[String], env: I) -> Result<BTreeMap<String, String>, Error>
where
    I: IntoIterator<Item = (String, String)>,
{
    let mut tfcmt = BTreeMap::new();
    let mut tfnotify = BTreeMap::new();
    for (key, value) in env {
        if let Some(name) = key.strip_prefix("TFNOTIFY_VAR_").filter(|n| !n.is_empty()) {
            tfnotify.insert(name.to_owned(), value);
        } else if let Some(name) = key.strip_prefix("TFCMT_VAR_").filter(|n| !n.is_empty()) {
            tfcmt.insert(name.to_owned(), value);
        }
    }
    let mut vars = tfcmt;
    vars.extend(tfnotify);
    for flag in flags {
        match flag.split_once(':') {
            Some((name, value)) if !name.is_empty() => {
                vars.insert(name.to_owned(), value.to_owned());
            }
            _ => {
                return Err(Error::Var {
                    value: flag.clone(),
                });
            }
        }
    }
    Ok(vars)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_name_char)
}

#[cfg(test)]
mod tests {
    use super::{expand, resolve_vars};
    use std::collections::BTreeMap;

    fn env(name: &str) -> Option<String> {
        match name {
            "GITHUB_TOKEN" => Some("ghp_1".into()),
            "HOST" => Some("ghe.example.com".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[track_caller]
    fn case(input: &str, expected: &str) {
        assert_eq!(expand(input, &env), expected, "{input}");
    }

    #[test]
    fn expansion() {
        case("$GITHUB_TOKEN", "ghp_1");
        case("${GITHUB_TOKEN}", "ghp_1");
        case("https://${HOST}/api/v3/", "https://ghe.example.com/api/v3/");
        case("https://$HOST/api", "https://ghe.example.com/api");
        case("$UNSET", "");
        case("x${EMPTY}y", "xy");
        case("plain-token", "plain-token");
        case("GITHUB_TOKEN", "GITHUB_TOKEN");
        case("a$", "a$");
        case("$$HOST", "$ghe.example.com");
        case("${HOST", "${HOST");
        case("${}", "${}");
        case("${bad-name}", "${bad-name}");
        case("€$HOST€", "€ghe.example.com€");
    }

    #[track_caller]
    fn vars(flags: &[&str], env: &[(&str, &str)], expected: &[(&str, &str)]) {
        let flags: Vec<String> = flags.iter().map(|s| (*s).to_owned()).collect();
        let env = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
        let got = resolve_vars(&flags, env).expect("valid vars");
        let expected: BTreeMap<String, String> = expected
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn precedence_is_flag_then_tfnotify_then_tfcmt() {
        vars(&[], &[], &[]);
        vars(&["target:prod"], &[], &[("target", "prod")]);
        vars(&["url:https://x:8080"], &[], &[("url", "https://x:8080")]);
        vars(&["empty:"], &[], &[("empty", "")]);
        vars(
            &["a:flag"],
            &[
                ("TFNOTIFY_VAR_a", "tfn"),
                ("TFCMT_VAR_a", "cmt"),
                ("TFCMT_VAR_b", "cmt"),
            ],
            &[("a", "flag"), ("b", "cmt")],
        );
        vars(
            &[],
            &[("TFCMT_VAR_a", "cmt"), ("TFNOTIFY_VAR_a", "tfn")],
            &[("a", "tfn")],
        );
        vars(&["a:1", "a:2"], &[], &[("a", "2")]);
        vars(&[], &[("TFNOTIFY_VAR_", "x"), ("PATH", "/bin")], &[]);
    }

    #[test]
    fn bad_flags_are_errors() {
        for bad in ["target", ":value", ""] {
            let err = resolve_vars(&[bad.to_owned()], []).expect_err("no name");
            assert_eq!(
                err.to_string(),
                format!("invalid `--var` value `{bad}`: expected `name:value`")
            );
        }
    }
}
