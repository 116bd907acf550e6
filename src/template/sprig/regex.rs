//! Sprig's regular-expression functions, on Rust's `regex` crate. Its syntax is
//! RE2's, like Go's `regexp`; where the two read a pattern differently (`\d`, `\w`,
//! `\s` and `\b` are ASCII-only in Go), patterns are rewritten to Go's meaning before
//! they are compiled (see `perl_classes.rs`).
//!
//! Compiling and searching are charged by what the pattern costs (see `patterns.rs`);
//! what the functions build is bounded as it is built: lists by the item limit,
//! replacements (where `$1` can stand for the whole text) by the output limit.

use std::rc::Rc;

use regex::Regex;

use crate::template::funcs::{Func, FuncSet};
use crate::template::meter::Meter;
use crate::template::sprig::patterns::{Compiled, Patterns};
use crate::template::sprig::{Int, Str, add, n, s};
use crate::template::value::{Elem, Value};

/// The pattern in argument 0 compiled, and the search of the text in argument 1
/// charged.
fn prepare<'a>(
    patterns: &Patterns,
    a: &'a [Value],
    m: &Meter,
) -> Result<(Rc<Compiled>, &'a str), String> {
    let compiled = patterns.get(s(a, 0), m)?;
    compiled.search(s(a, 1), m)?;
    Ok((compiled, s(a, 1)))
}

fn strings(v: Vec<String>) -> Value {
    Value::typed_list(v.into_iter().map(Value::str).collect(), Elem::Str)
}

/// Adds `s` to a list being built, unless the list would outgrow the item limit.
fn push(out: &mut Vec<String>, s: &str, m: &Meter) -> Result<(), String> {
    m.items(out.len() + 1)?;
    out.push(s.to_string());
    Ok(())
}

fn find_all(re: &Regex, text: &str, limit: i64, m: &Meter) -> Result<Vec<String>, String> {
    let take = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut out = Vec::new();
    for found in re.find_iter(text).take(take) {
        m.step()?;
        push(&mut out, found.as_str(), m)?;
    }
    Ok(out)
}

/// Go's `Regexp.Split`.
fn split(re: &Regex, text: &str, limit: i64, m: &Meter) -> Result<Vec<String>, String> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    if !re.as_str().is_empty() && text.is_empty() {
        return Ok(vec![String::new()]);
    }
    let mut out = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for found in re.find_iter(text) {
        m.step()?;
        if limit > 0 && i64::try_from(out.len()).unwrap_or(i64::MAX) == limit - 1 {
            break;
        }
        end = found.start();
        if found.end() != 0 {
            push(&mut out, &text[beg..end], m)?;
        }
        beg = found.end();
    }
    if end != text.len() {
        push(&mut out, &text[beg..], m)?;
    }
    Ok(out)
}

/// Go's `ReplaceAllString` (or `ReplaceAllLiteralString` with `literal`), which stops
/// once the result would pass the output limit.
fn replace_all(
    re: &Regex,
    text: &str,
    repl: &str,
    literal: bool,
    m: &Meter,
) -> Result<String, String> {
    let cap = m.limits().output;
    let mut added = 0usize;
    let mut matches = 0usize;
    let replaced = re.replace_all(text, |caps: &regex::Captures| {
        matches += 1;
        let mut r = String::new();
        if added <= cap {
            if literal {
                r.push_str(repl);
            } else {
                caps.expand(repl, &mut r);
            }
        }
        added = added.saturating_add(r.len());
        r
    });
    if added > cap {
        return Err(m.too_long());
    }
    m.work(matches.saturating_mul(256))?;
    m.text(replaced.len())?;
    Ok(replaced.into_owned())
}

/// Go's `regexp.QuoteMeta`.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) fn register(set: &mut FuncSet) {
    let patterns = Rc::new(Patterns::default());
    let with = |f: fn(&Patterns, &[Value], &Meter) -> Result<Value, String>| {
        let patterns = Rc::clone(&patterns);
        move |a: &[Value], m: &Meter| f(&patterns, a, m)
    };
    add(
        set,
        "regexMatch",
        Func::metered(
            &[Str, Str],
            with(|p, a, m| {
                // Sprig's non-`must` form reports a bad pattern as no match; a limit
                // reached while compiling still stops the execution.
                Ok(Value::Bool(
                    prepare(p, a, m).is_ok_and(|(c, text)| c.re.is_match(text)),
                ))
            }),
        ),
    );
    add(
        set,
        "mustRegexMatch",
        Func::metered(
            &[Str, Str],
            with(|p, a, m| {
                let (c, text) = prepare(p, a, m)?;
                Ok(Value::Bool(c.re.is_match(text)))
            }),
        ),
    );
    for name in ["regexFind", "mustRegexFind"] {
        add(
            set,
            name,
            Func::metered(
                &[Str, Str],
                with(|p, a, m| {
                    let (c, text) = prepare(p, a, m)?;
                    Ok(Value::str(c.re.find(text).map_or("", |f| f.as_str())))
                }),
            ),
        );
    }
    for name in ["regexFindAll", "mustRegexFindAll"] {
        add(
            set,
            name,
            Func::metered(
                &[Str, Str, Int],
                with(|p, a, m| {
                    let (c, text) = prepare(p, a, m)?;
                    Ok(strings(find_all(&c.re, text, n(a, 2), m)?))
                }),
            ),
        );
    }
    for (name, literal) in [
        ("regexReplaceAll", false),
        ("mustRegexReplaceAll", false),
        ("regexReplaceAllLiteral", true),
        ("mustRegexReplaceAllLiteral", true),
    ] {
        let patterns = Rc::clone(&patterns);
        add(
            set,
            name,
            Func::metered(&[Str, Str, Str], move |a, m| {
                let (c, text) = prepare(&patterns, a, m)?;
                Ok(Value::str(replace_all(&c.re, text, s(a, 2), literal, m)?))
            }),
        );
    }
    for name in ["regexSplit", "mustRegexSplit"] {
        add(
            set,
            name,
            Func::metered(
                &[Str, Str, Int],
                with(|p, a, m| {
                    let (c, text) = prepare(p, a, m)?;
                    Ok(strings(split(&c.re, text, n(a, 2), m)?))
                }),
            ),
        );
    }
    add(
        set,
        "regexQuoteMeta",
        Func::new(&[Str], |a| Ok(Value::str(quote_meta(s(a, 0))))),
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use regex::Regex;

    use super::{quote_meta, replace_all, split};
    use crate::template::limits::Limits;
    use crate::template::meter::Meter;

    fn compile(pattern: &str) -> Result<Regex, regex::Error> {
        Regex::new(pattern)
    }

    #[test]
    fn split_like_go() {
        let m = Meter::new(Limits::default());
        let re = compile("a*").unwrap();
        assert_eq!(
            split(&re, "abaabaccadaaae", 5, &m).unwrap(),
            vec!["", "b", "b", "c", "cadaaae"]
        );
        assert_eq!(quote_meta("1.5-2*x"), "1\\.5-2\\*x");
    }

    #[test]
    fn replacements_stop_at_the_output_limit() {
        let m = Meter::new(Limits {
            output: 100,
            ..Limits::default()
        });
        let re = compile("(.)").unwrap();
        assert_eq!(replace_all(&re, "ab", "<$1>", false, &m).unwrap(), "<a><b>");
        assert!(replace_all(&re, &"x".repeat(50), "$1$1$1", false, &m).is_err());
        assert!(split(&compile("").unwrap(), &"x".repeat(50), -1, &m).is_ok());
    }
}
