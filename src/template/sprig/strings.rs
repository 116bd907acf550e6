//! Sprig's string functions (`strings.go`, plus goutils and xstrings helpers).

use crate::template::funcs::{Func, FuncSet};
use crate::template::meter::Meter;
use crate::template::printf;
use crate::template::sprig::{Any, Int, Str, add, n, s, strval};
use crate::template::value::Value;

pub(super) fn register(set: &mut FuncSet) {
    let str1 = |f: fn(&str) -> String| Func::new(&[Str], move |a| Ok(Value::str(f(s(a, 0)))));
    add(
        set,
        "trim",
        str1(|x| x.trim_matches(char::is_whitespace).to_string()),
    );
    add(set, "upper", str1(|x| x.chars().map(go_upper).collect()));
    add(set, "lower", str1(|x| x.chars().map(go_lower).collect()));
    add(set, "title", str1(title));
    add(set, "untitle", str1(untitle));
    add(set, "nospace", str1(delete_white_space));
    add(set, "initials", str1(initials));
    add(set, "snakecase", str1(|x| camel_to_lower(x, '_')));
    add(set, "kebabcase", str1(|x| camel_to_lower(x, '-')));
    add(set, "camelcase", str1(camelcase));
    add(set, "swapcase", str1(swapcase));
    let trim2 = |f: fn(&str, &str) -> String| {
        Func::new(&[Str, Str], move |a| Ok(Value::str(f(s(a, 0), s(a, 1)))))
    };
    add(
        set,
        "trimAll",
        trim2(|cut, x| x.trim_matches(|c| cut.contains(c)).to_string()),
    );
    add(
        set,
        "trimall",
        trim2(|cut, x| x.trim_matches(|c| cut.contains(c)).to_string()),
    );
    add(
        set,
        "trimPrefix",
        trim2(|p, x| x.strip_prefix(p).unwrap_or(x).to_string()),
    );
    add(
        set,
        "trimSuffix",
        trim2(|p, x| x.strip_suffix(p).unwrap_or(x).to_string()),
    );
    let pred = |f: fn(&str, &str) -> bool| {
        Func::new(&[Str, Str], move |a| Ok(Value::Bool(f(s(a, 1), s(a, 0)))))
    };
    add(set, "contains", pred(|x, sub| x.contains(sub)));
    add(set, "hasPrefix", pred(|x, p| x.starts_with(p)));
    add(set, "hasSuffix", pred(|x, p| x.ends_with(p)));
    add(
        set,
        "repeat",
        Func::metered(&[Int, Str], |a, m| {
            let count = n(a, 0);
            let count =
                usize::try_from(count).map_err(|_| "strings: negative Repeat count".to_string())?;
            let x = s(a, 1);
            m.text(x.len().saturating_mul(count))?;
            Ok(Value::str(x.repeat(count)))
        }),
    );
    add(
        set,
        "substr",
        Func::new(&[Int, Int, Str], |a| {
            substr(n(a, 0), n(a, 1), s(a, 2)).map(Value::str)
        }),
    );
    add(
        set,
        "trunc",
        Func::new(&[Int, Str], |a| trunc(n(a, 0), s(a, 1)).map(Value::str)),
    );
    add(
        set,
        "abbrev",
        Func::new(&[Int, Str], |a| {
            let (w, x) = (n(a, 0), s(a, 1));
            if w < 4 || x.len() <= usize::try_from(w).unwrap_or(0) {
                return Ok(Value::str(x));
            }
            let keep = usize::try_from(w - 3).unwrap_or(0);
            let head = x.get(..keep).ok_or("slice bounds out of range")?;
            Ok(Value::str(format!("{head}...")))
        }),
    );
    add(
        set,
        "abbrevboth",
        Func::new(&[Int, Int, Str], |a| {
            let (left, right, x) = (n(a, 0), n(a, 1), s(a, 2));
            if right < 4 || (left > 0 && right < 7) {
                return Ok(Value::str(x));
            }
            Ok(Value::str(abbreviate_full(x, left, right)))
        }),
    );
    add(
        set,
        "quote",
        Func::metered_variadic(&[], Any, |a, m| {
            joined(a, m, |v, out| {
                let room = m.limits().output.saturating_sub(out.len());
                let quoted = printf::quote_capped(&strval(v, m)?, room);
                printf::put(out, &quoted.ok_or_else(|| m.too_long())?, m)
            })
        }),
    );
    add(
        set,
        "squote",
        Func::metered_variadic(&[], Any, |a, m| {
            joined(a, m, |v, out| {
                printf::put(out, "'", m)?;
                printf::write_value(v, out, m)?;
                printf::put(out, "'", m)
            })
        }),
    );
    add(
        set,
        "cat",
        Func::metered_variadic(&[], Any, |a, m| {
            joined(a, m, |v, out| printf::write_value(v, out, m))
        }),
    );
    add(
        set,
        "indent",
        Func::metered(&[Int, Str], |a, m| {
            Ok(Value::str(indent(n(a, 0), s(a, 1), "", m)?))
        }),
    );
    add(
        set,
        "nindent",
        Func::metered(&[Int, Str], |a, m| {
            Ok(Value::str(indent(n(a, 0), s(a, 1), "\n", m)?))
        }),
    );
    add(
        set,
        "replace",
        Func::metered(&[Str, Str, Str], |a, m| {
            Ok(Value::str(go_replace(s(a, 2), s(a, 0), s(a, 1), m)?))
        }),
    );
    add(
        set,
        "plural",
        Func::new(&[Str, Str, Int], |a| {
            Ok(Value::str(if n(a, 2) == 1 { s(a, 0) } else { s(a, 1) }))
        }),
    );
    add(
        set,
        "wrap",
        Func::metered(&[Int, Str], |a, m| {
            let cap = m.limits().output;
            let wrapped = wrap_custom(s(a, 1), n(a, 0), "\n", false, cap);
            Ok(Value::str(wrapped.ok_or_else(|| m.too_long())?))
        }),
    );
    add(
        set,
        "wrapWith",
        Func::metered(&[Int, Str, Str], |a, m| {
            let cap = m.limits().output;
            let wrapped = wrap_custom(s(a, 2), n(a, 0), s(a, 1), true, cap);
            Ok(Value::str(wrapped.ok_or_else(|| m.too_long())?))
        }),
    );
    add(
        set,
        "toString",
        Func::metered(&[Any], |a, m| Ok(Value::str(strval(&a[0], m)?))),
    );
    add(
        set,
        "atoi",
        Func::new(&[Str], |a| Ok(Value::Int(atoi(s(a, 0))))),
    );
}

/// goutils' `AbbreviateFull`: `...` replaces what is cut on either side so that at
/// most `max` bytes remain, starting near byte `offset`. An argument it rejects gives
/// the empty string, which is what sprig passes on. Cuts are in bytes, as in Go.
fn abbreviate_full(x: &str, offset: i64, max: i64) -> String {
    let len = i64::try_from(x.len()).unwrap_or(i64::MAX);
    if x.is_empty() || max < 4 {
        return String::new();
    }
    if len <= max {
        return x.to_string();
    }
    let mut offset = offset.min(len);
    if len - offset < max - 3 {
        offset = len - (max - 3);
    }
    let bytes = |from: i64, to: i64| {
        let (from, to) = (
            usize::try_from(from).unwrap_or(0),
            usize::try_from(to).unwrap_or(0),
        );
        String::from_utf8_lossy(&x.as_bytes()[from..to]).into_owned()
    };
    if offset <= 4 {
        return format!("{}...", bytes(0, max - 3));
    }
    if max < 7 {
        return String::new();
    }
    if offset + max - 3 < len {
        let rest = bytes(offset, len);
        return format!("...{}", abbreviate_full(&rest, 0, max - 3));
    }
    format!("...{}", bytes(len - (max - 3), len))
}

/// The non-nil arguments written by `each`, separated by spaces (`quote`, `cat`...).
fn joined(
    args: &[Value],
    m: &Meter,
    each: impl Fn(&Value, &mut String) -> Result<(), String>,
) -> Result<Value, String> {
    let mut out = String::new();
    for (i, v) in args.iter().filter(|v| !v.is_nil()).enumerate() {
        if i > 0 {
            printf::put(&mut out, " ", m)?;
        }
        each(v, &mut out)?;
    }
    Ok(Value::str(out))
}

/// Go's `unicode.ToUpper`: a single rune, so `ß` stays `ß` (Rust would give `SS`).
pub(super) fn go_upper(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Go's `unicode.ToLower`: a single rune.
pub(super) fn go_lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// goutils' `DeleteWhiteSpace`, which walks bytes as if each were a rune: ASCII
/// strings lose their spaces, non-ASCII ones are mangled exactly as Go mangles them.
fn delete_white_space(x: &str) -> String {
    let is_space = |b: u8| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0);
    if !x.bytes().any(is_space) {
        return x.to_string();
    }
    x.bytes()
        .filter(|&b| !is_space(b))
        .map(char::from)
        .collect()
}

/// Go's `strconv.Atoi` with errors mapped to 0, as sprig does.
fn atoi(x: &str) -> i64 {
    let (neg, body) = match x.as_bytes().first() {
        Some(b'-') => (true, &x[1..]),
        Some(b'+') => (false, &x[1..]),
        _ => (false, x),
    };
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    body.parse::<i64>().map_or(0, |v| if neg { -v } else { v })
}

/// Go's `strings.Replace(s, old, new, -1)`, including its rule for an empty `old`
/// (insert `new` before every rune and at the end). The result's length is known
/// before it is built.
fn go_replace(x: &str, old: &str, new: &str, m: &Meter) -> Result<String, String> {
    if old.is_empty() {
        let slots = x.chars().count() + 1;
        m.text(x.len().saturating_add(slots.saturating_mul(new.len())))?;
        let mut out = String::new();
        for c in x.chars() {
            out.push_str(new);
            out.push(c);
        }
        out.push_str(new);
        return Ok(out);
    }
    if new.len() > old.len() {
        let count = x.matches(old).count();
        m.text(
            x.len()
                .saturating_add(count.saturating_mul(new.len() - old.len())),
        )?;
    }
    Ok(x.replace(old, new))
}

/// Go's deprecated `strings.Title`: title-cases every rune that follows a separator.
fn title(x: &str) -> String {
    let is_sep = |c: char| {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        !c.is_alphanumeric() && c.is_whitespace()
    };
    let mut out = String::with_capacity(x.len());
    let mut prev = ' ';
    for c in x.chars() {
        if is_sep(prev) {
            out.push(go_upper(c));
        } else {
            out.push(c);
        }
        prev = c;
    }
    out
}

fn untitle(x: &str) -> String {
    let mut out = String::with_capacity(x.len());
    let mut next = true;
    for c in x.chars() {
        if c.is_whitespace() {
            next = true;
            out.push(c);
        } else if next {
            out.push(go_lower(c));
            next = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn initials(x: &str) -> String {
    let mut out = String::new();
    let mut gap = true;
    for b in x.bytes() {
        if (b as char).is_whitespace() {
            gap = true;
        } else if gap {
            out.push(b as char);
            gap = false;
        }
    }
    out
}

fn swapcase(x: &str) -> String {
    let mut out = String::with_capacity(x.len());
    for c in x.chars() {
        if c.is_uppercase() {
            out.push(go_lower(c));
        } else if c.is_lowercase() {
            out.push(go_upper(c));
        } else {
            out.push(c);
        }
    }
    out
}

fn substr(start: i64, end: i64, x: &str) -> Result<String, String> {
    let len = i64::try_from(x.len()).unwrap_or(i64::MAX);
    let oob = |a: i64, b: i64| format!("runtime error: slice bounds out of range [{a}:{b}]");
    let get = |a: i64, b: i64| -> Result<String, String> {
        let (ua, ub) = (
            usize::try_from(a).map_err(|_| oob(a, b))?,
            usize::try_from(b).map_err(|_| oob(a, b))?,
        );
        if ua > ub {
            return Err(oob(a, b));
        }
        x.get(ua..ub).map(str::to_string).ok_or_else(|| {
            format!("runtime error: slice bounds out of range [:{b}] with length {len}")
        })
    };
    if start < 0 {
        return get(0, end);
    }
    if end < 0 || end > len {
        return get(start, len);
    }
    get(start, end)
}

fn trunc(c: i64, x: &str) -> Result<String, String> {
    let len = i64::try_from(x.len()).unwrap_or(i64::MAX);
    let cut = |i: i64| usize::try_from(i).unwrap_or(0);
    if c < 0 && len + c > 0 {
        return x
            .get(cut(len + c)..)
            .map(str::to_string)
            .ok_or_else(|| "invalid UTF-8 cut".into());
    }
    if c >= 0 && len > c {
        return x
            .get(..cut(c))
            .map(str::to_string)
            .ok_or_else(|| "invalid UTF-8 cut".into());
    }
    Ok(x.to_string())
}

/// Sprig's `indent`, after `prefix`; the result's length is known before it is built.
fn indent(spaces: i64, v: &str, prefix: &str, m: &Meter) -> Result<String, String> {
    let spaces = usize::try_from(spaces).unwrap_or(0);
    let lines = v.bytes().filter(|&b| b == b'\n').count() + 1;
    m.text((prefix.len() + v.len()).saturating_add(lines.saturating_mul(spaces)))?;
    let pad = " ".repeat(spaces);
    Ok(format!(
        "{prefix}{pad}{}",
        v.replace('\n', &format!("\n{pad}"))
    ))
}

/// goutils' `WrapCustom`, which works on bytes and spaces only; `None` once the result
/// would pass `cap` bytes, which a long `newline` can make it do.
fn wrap_custom(x: &str, width: i64, newline: &str, long_words: bool, cap: usize) -> Option<String> {
    if x.is_empty() {
        return Some(String::new());
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = usize::try_from(width.max(1)).unwrap_or(1);
    let b = x.as_bytes();
    let len = b.len();
    let mut offset = 0;
    let mut out = String::new();
    let piece = |a: usize, z: usize| String::from_utf8_lossy(&b[a..z]).into_owned();
    while len - offset > width {
        if out.len() > cap {
            return None;
        }
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(len);
        let space = b[offset..end].iter().rposition(|&c| c == b' ');
        if let Some(sp) = space {
            let at = sp + offset;
            out.push_str(&piece(offset, at));
            out.push_str(newline);
            offset = at + 1;
        } else if long_words {
            let end = width + offset;
            out.push_str(&piece(offset, end));
            out.push_str(newline);
            offset += width;
        } else {
            let end = width + offset;
            match b[end..].iter().position(|&c| c == b' ') {
                None => {
                    out.push_str(&piece(offset, len));
                    offset = len;
                }
                Some(i) => {
                    let at = i + end;
                    out.push_str(&piece(offset, at));
                    out.push_str(newline);
                    offset = at + 1;
                }
            }
        }
    }
    out.push_str(&piece(offset, len));
    (out.len() <= cap).then_some(out)
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
        && c != '$'
        && c != '+'
        && c != '<'
        && c != '='
        && c != '>'
        && c != '^'
        && c != '`'
        && c != '|'
        && c != '~'
        || (!c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control())
}

/// xstrings' `ToCamelCase`.
fn camelcase(x: &str) -> String {
    let mut chars = x.chars();
    let mut out = String::new();
    let mut r0 = '\0';
    let mut any = false;
    for c in chars.by_ref() {
        any = true;
        if !is_connector(c) {
            r0 = go_upper(c);
            break;
        }
        out.push(c);
        r0 = '\0';
    }
    let rest: Vec<char> = chars.collect();
    if rest.is_empty() {
        if any && r0 != '\0' {
            out.push(r0);
        }
        return out;
    }
    for c in rest {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            r0 = go_upper(r0);
        } else {
            r0 = go_lower(r0);
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Word {
    Invalid,
    Connector,
    Punct,
    Upper,
    Alpha,
    Number,
    Other,
}

/// xstrings' `nextWord`.
fn next_word(x: &str) -> (Word, &str, &str) {
    let mut it = x.char_indices().peekable();
    let Some((_, r)) = it.next() else {
        return (Word::Invalid, "", "");
    };
    let take_while = |start: usize, f: &dyn Fn(char) -> bool| -> usize {
        let mut end = start;
        for (i, c) in x[start..].char_indices() {
            if !f(c) {
                return start + i;
            }
            end = start + i + c.len_utf8();
        }
        end
    };
    let first = r.len_utf8();
    let (wt, end) = if is_connector(r) {
        (Word::Connector, take_while(first, &is_connector))
    } else if is_punct(r) {
        (Word::Punct, take_while(first, &is_punct))
    } else if r.is_uppercase() {
        let next = x[first..].chars().next();
        match next {
            Some(c) if c.is_uppercase() => {
                let mut end = take_while(first, &|c: char| c.is_uppercase());
                if let Some(after) = x[end..].chars().next()
                    && after.is_alphabetic()
                {
                    let last = x[..end].chars().next_back().map_or(0, char::len_utf8);
                    end -= last;
                }
                (Word::Upper, end)
            }
            Some(c) if c.is_alphabetic() => (
                Word::Upper,
                take_while(first, &|c: char| c.is_alphabetic() && !c.is_uppercase()),
            ),
            _ => (Word::Upper, first),
        }
    } else if r.is_alphabetic() {
        (
            Word::Alpha,
            take_while(first, &|c: char| c.is_alphabetic() && !c.is_uppercase()),
        )
    } else if r.is_numeric() {
        (Word::Number, take_while(first, &char::is_numeric))
    } else {
        (
            Word::Other,
            take_while(first, &|c: char| {
                !(is_connector(c) || c.is_alphabetic() || c.is_numeric() || is_punct(c))
            }),
        )
    };
    (wt, &x[..end], &x[end..])
}

fn to_lower(out: &mut String, wt: Word, w: &str, conn: char) {
    if wt != Word::Upper && wt != Word::Connector {
        out.push_str(w);
        return;
    }
    for c in w.chars() {
        if is_connector(c) {
            out.push(conn);
        } else if c.is_uppercase() {
            out.push(go_lower(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings' `camelCaseToLowerCase` (snakecase / kebabcase).
fn camel_to_lower(x: &str, conn: char) -> String {
    if x.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let (mut wt, mut word, mut rem) = next_word(x);
    while !rem.is_empty() {
        if wt != Word::Connector {
            to_lower(&mut out, wt, word, conn);
        }
        let prev = wt;
        let last = word;
        (wt, word, rem) = next_word(rem);
        match prev {
            Word::Number => {
                while wt == Word::Alpha || wt == Word::Number {
                    to_lower(&mut out, wt, word, conn);
                    (wt, word, rem) = next_word(rem);
                }
                if wt != Word::Invalid && wt != Word::Punct && wt != Word::Connector {
                    out.push(conn);
                }
            }
            Word::Connector => to_lower(&mut out, prev, last, conn),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(conn);
                    }
                    continue;
                }
                if rem.is_empty() {
                    continue;
                }
                let last = word;
                (wt, word, rem) = next_word(rem);
                if wt != Word::Alpha {
                    to_lower(&mut out, Word::Number, last, conn);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(conn);
                    }
                    continue;
                }
                out.push(conn);
                to_lower(&mut out, Word::Number, last, conn);
                while wt == Word::Alpha || wt == Word::Number {
                    to_lower(&mut out, wt, word, conn);
                    (wt, word, rem) = next_word(rem);
                }
                if wt != Word::Invalid && wt != Word::Connector && wt != Word::Punct {
                    out.push(conn);
                }
            }
        }
    }
    to_lower(&mut out, wt, word, conn);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{camel_to_lower, camelcase, title, wrap_custom};

    #[test]
    fn case_conversions() {
        assert_eq!(camel_to_lower("HelloWorld", '_'), "hello_world");
        assert_eq!(camel_to_lower("HTTPServer", '-'), "http-server");
        assert_eq!(camelcase("http_server"), "HttpServer");
        assert_eq!(title("hello world-foo"), "Hello World-Foo");
    }

    #[test]
    fn wrap_like_goutils() {
        assert_eq!(
            wrap_custom("a b c d", 3, "\n", false, 100).unwrap(),
            "a b\nc d"
        );
        assert_eq!(wrap_custom("a b c d", 1, &"\n".repeat(10), true, 30), None);
    }
}
