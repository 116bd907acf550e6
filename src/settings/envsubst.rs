//! The `envsubst` entries of tfcmt's `ci:` block: `drone/envsubst`'s `EvalEnv`, the part of
//! it such blocks use.
//!
//! `$VAR` and `${VAR}` read the variable (nothing when unset); `${VAR:-default}` and
//! `${VAR:=default}` give the default when the variable is unset or empty, `${VAR-default}`
//! and `${VAR=default}` only when it is unset; the default is expanded too. The other bash
//! forms `drone/envsubst` knows (`${#VAR}`, `${VAR/a/b}`, `${VAR:1:2}`, case changes) are
//! refused with a message naming them, so the entry is skipped with a warning instead of
//! giving a wrong value. A `$` not followed by a name or `{` stays as it is.

use crate::ci::Env;

/// Expands `input` with `env`; `Err` names the first form that is not supported.
pub(crate) fn envsubst(input: &str, env: &dyn Env) -> Result<String, String> {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(braced) = after.strip_prefix('{') {
            let Some(end) = closing_brace(braced) else {
                // Unclosed: nothing to expand, keep the text as written.
                out.push_str(&rest[dollar..]);
                return Ok(out);
            };
            out.push_str(&braced_value(&braced[..end], env)?);
            rest = &braced[end + 1..];
        } else {
            let name_len = name_length(after);
            if name_len == 0 {
                out.push('$');
            } else {
                out.push_str(&value(env, &after[..name_len]).unwrap_or_default());
            }
            rest = &after[name_len..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The value of `${inner}`.
fn braced_value(inner: &str, env: &dyn Env) -> Result<String, String> {
    let name_len = name_length(inner);
    let (name, operator) = inner.split_at(name_len);
    let current = value(env, name);
    let (default, when_empty) = if operator.is_empty() && !name.is_empty() {
        return Ok(current.unwrap_or_default());
    } else if let Some(default) = operator
        .strip_prefix(":-")
        .or_else(|| operator.strip_prefix(":="))
    {
        (default, true)
    } else if let Some(default) = operator
        .strip_prefix('-')
        .or_else(|| operator.strip_prefix('='))
    {
        (default, false)
    } else {
        return Err(format!(
            "`${{{inner}}}` is a form of envsubst that tfnotify does not evaluate; it takes \
             `$VAR`, `${{VAR}}`, `${{VAR:-default}}` and `${{VAR-default}}`"
        ));
    };
    if name.is_empty() {
        return Err(format!("`${{{inner}}}` names no variable"));
    }
    match current {
        Some(value) if !(when_empty && value.is_empty()) => Ok(value),
        _ => envsubst(default, env),
    }
}

fn value(env: &dyn Env, name: &str) -> Option<String> {
    env.var(name)
}

/// The length of the variable name at the start of `text`: a letter or `_`, then letters,
/// digits and `_`.
fn name_length(text: &str) -> usize {
    let mut chars = text.char_indices();
    match chars.next() {
        Some((_, c)) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return 0,
    }
    chars
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        .map_or(text.len(), |(at, _)| at)
}

/// Where the `}` that closes a `${` is, counting nested `${…}` in defaults.
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    for (at, byte) in bytes.iter().enumerate() {
        match byte {
            b'{' if at > 0 && bytes[at - 1] == b'$' => depth += 1,
            b'}' if depth == 0 => return Some(at),
            b'}' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::envsubst;

    #[track_caller]
    fn case(input: &str, expected: Result<&str, &str>) {
        let env: BTreeMap<String, String> = [("PR", "12"), ("EMPTY", ""), ("OWNER", "acme")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(
            envsubst(input, &env),
            expected.map(str::to_owned).map_err(str::to_owned),
            "{input}"
        );
    }

    #[test]
    fn names_and_braces_read_the_environment() {
        case("${PR}", Ok("12"));
        case("$PR", Ok("12"));
        case("pr-$PR-${OWNER}/x", Ok("pr-12-acme/x"));
        case("${UNSET}", Ok(""));
        case("$UNSET.", Ok("."));
        case("cost: 5$ or $", Ok("cost: 5$ or $"));
        case("$1", Ok("$1"));
        case("${PR", Ok("${PR"));
    }

    #[test]
    fn defaults_follow_bash() {
        case("${UNSET:-7}", Ok("7"));
        case("${EMPTY:-7}", Ok("7"));
        case("${EMPTY-7}", Ok(""));
        case("${UNSET-7}", Ok("7"));
        case("${UNSET:=x}", Ok("x"));
        case("${UNSET=x}", Ok("x"));
        case("${PR:-7}", Ok("12"));
        case("${UNSET:-${OWNER}}", Ok("acme"));
        case("${UNSET:-}", Ok(""));
    }

    #[test]
    fn other_forms_are_named() {
        case(
            "${PR/1/2}",
            Err(
                "`${PR/1/2}` is a form of envsubst that tfnotify does not evaluate; it takes `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR-default}`",
            ),
        );
        assert!(envsubst("${#PR}", &BTreeMap::new()).is_err());
        assert!(envsubst("${PR,,}", &BTreeMap::new()).is_err());
        assert!(envsubst("${}", &BTreeMap::new()).is_err());
    }
}
