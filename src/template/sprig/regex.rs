//! Sprig's regular-expression functions, on Rust's `regex` crate. Its syntax is
//! RE2's, like Go's `regexp`, with one difference: `\d`, `\w`, `\s` and `\b` are
//! Unicode-aware here and ASCII-only in Go.

use regex::Regex;

use crate::template::funcs::{Func, FuncSet};
use crate::template::printf::quote_go;
use crate::template::sprig::{Int, Str, add, n, s};
use crate::template::value::{Elem, Value};

fn compile(re: &str) -> Result<Regex, String> {
    Regex::new(re).map_err(|e| {
        let detail = e.to_string();
        let last = detail.lines().last().unwrap_or("").trim();
        format!(
            "regexp: Compile({}): error parsing regexp: {last}",
            quote_go(re).replace('"', "`")
        )
    })
}

fn strings(v: Vec<String>) -> Value {
    Value::typed_list(v.into_iter().map(Value::str).collect(), Elem::Str)
}

fn find_all(re: &Regex, text: &str, limit: i64) -> Vec<String> {
    let it = re.find_iter(text).map(|m| m.as_str().to_string());
    match usize::try_from(limit) {
        Ok(l) => it.take(l).collect(),
        Err(_) => it.collect(),
    }
}

/// Go's `Regexp.Split`.
fn split(re: &Regex, text: &str, limit: i64) -> Vec<String> {
    if limit == 0 {
        return Vec::new();
    }
    if !re.as_str().is_empty() && text.is_empty() {
        return vec![String::new()];
    }
    let mut out = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for m in re.find_iter(text) {
        if limit > 0 && i64::try_from(out.len()).unwrap_or(i64::MAX) == limit - 1 {
            break;
        }
        end = m.start();
        if m.end() != 0 {
            out.push(text[beg..end].to_string());
        }
        beg = m.end();
    }
    if end != text.len() {
        out.push(text[beg..].to_string());
    }
    out
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
    add(
        set,
        "regexMatch",
        Func::new(&[Str, Str], |a| {
            Ok(Value::Bool(
                compile(s(a, 0)).is_ok_and(|r| r.is_match(s(a, 1))),
            ))
        }),
    );
    add(
        set,
        "mustRegexMatch",
        Func::new(&[Str, Str], |a| {
            Ok(Value::Bool(compile(s(a, 0))?.is_match(s(a, 1))))
        }),
    );
    for name in ["regexFind", "mustRegexFind"] {
        add(
            set,
            name,
            Func::new(&[Str, Str], |a| {
                let re = compile(s(a, 0))?;
                Ok(Value::str(re.find(s(a, 1)).map_or("", |m| m.as_str())))
            }),
        );
    }
    for name in ["regexFindAll", "mustRegexFindAll"] {
        add(
            set,
            name,
            Func::new(&[Str, Str, Int], |a| {
                Ok(strings(find_all(&compile(s(a, 0))?, s(a, 1), n(a, 2))))
            }),
        );
    }
    for name in ["regexReplaceAll", "mustRegexReplaceAll"] {
        add(
            set,
            name,
            Func::new(&[Str, Str, Str], |a| {
                let re = compile(s(a, 0))?;
                Ok(Value::str(re.replace_all(s(a, 1), s(a, 2)).into_owned()))
            }),
        );
    }
    for name in ["regexReplaceAllLiteral", "mustRegexReplaceAllLiteral"] {
        add(
            set,
            name,
            Func::new(&[Str, Str, Str], |a| {
                let re = compile(s(a, 0))?;
                Ok(Value::str(
                    re.replace_all(s(a, 1), regex::NoExpand(s(a, 2)))
                        .into_owned(),
                ))
            }),
        );
    }
    for name in ["regexSplit", "mustRegexSplit"] {
        add(
            set,
            name,
            Func::new(&[Str, Str, Int], |a| {
                Ok(strings(split(&compile(s(a, 0))?, s(a, 1), n(a, 2))))
            }),
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
    use super::{compile, quote_meta, split};

    #[test]
    fn split_like_go() {
        let re = compile("a*").unwrap();
        assert_eq!(
            split(&re, "abaabaccadaaae", 5),
            vec!["", "b", "b", "c", "cadaaae"]
        );
        assert_eq!(quote_meta("1.5-2*x"), "1\\.5-2\\*x");
    }
}
