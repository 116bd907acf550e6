//! Go's `fmt` printing rules (`Sprint`, `Sprintln`, `Sprintf`) and `strconv` float and
//! string quoting, for the value model.
//!
//! Template output is whatever Go's `fmt` makes of a value, so `{{.}}` on a float must
//! print `1e+06` and a map `map[a:1 b:2]`; Rust's own formatting differs in both.
//!
//! Everything printed from template values goes through [`put`] and the [`Meter`]: a
//! list of a million references to one long string prints as terabytes, so output
//! stops at the output limit rather than when memory runs out.

use std::fmt::Write as _;

use crate::template::meter::Meter;
use crate::template::value::Value;

pub(crate) use crate::template::float::format_float;

/// Go's `strconv.Quote`, for names and messages, whose length the template text bounds.
pub(crate) fn quote_go(s: &str) -> String {
    quote_capped(s, usize::MAX).unwrap_or_default()
}

/// Go's `strconv.Quote`, or `None` once the result would pass `cap` bytes: quoting can
/// make text four times longer.
pub(crate) fn quote_capped(s: &str, cap: usize) -> Option<String> {
    let mut out = String::with_capacity(s.len().min(cap) + 2);
    out.push('"');
    for c in s.chars() {
        quote_rune_into(c, '"', &mut out);
        if out.len() > cap {
            return None;
        }
    }
    out.push('"');
    (out.len() <= cap).then_some(out)
}

/// Appends `s` unless that would take `out` past the output limit.
pub(crate) fn put(out: &mut String, s: &str, m: &Meter) -> Result<(), String> {
    m.text(out.len().saturating_add(s.len()))?;
    out.push_str(s);
    Ok(())
}

fn is_go_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{e000}'..='\u{f8ff}')
}

fn quote_rune_into(c: char, quote: char, out: &mut String) {
    match c {
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if is_go_print(c) => out.push(c),
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if (c as u32) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

/// Go's `%v` of a value, which is also what `{{.}}` prints in text mode.
pub(crate) fn write_value(v: &Value, out: &mut String, m: &Meter) -> Result<(), String> {
    write_value_at(v, out, m, 0)
}

fn write_value_at(v: &Value, out: &mut String, m: &Meter, depth: usize) -> Result<(), String> {
    match v {
        Value::Nil => put(out, "<nil>", m),
        Value::Bool(b) => put(out, if *b { "true" } else { "false" }, m),
        Value::Int(i) | Value::Int64(i) => put(out, &i.to_string(), m),
        Value::Uint(u) => put(out, &u.to_string(), m),
        Value::Float(f) => put(out, &format_float(*f, 'g', -1), m),
        Value::Str(s) | Value::Html(s) => put(out, s, m),
        Value::List(l) => {
            m.nested(depth + 1)?;
            put(out, "[", m)?;
            for (i, e) in l.iter().enumerate() {
                m.step()?;
                if i > 0 {
                    put(out, " ", m)?;
                }
                write_value_at(e, out, m, depth + 1)?;
            }
            put(out, "]", m)
        }
        Value::Map(map) => {
            m.nested(depth + 1)?;
            put(out, "map[", m)?;
            for (i, (k, e)) in map.borrow().iter().enumerate() {
                m.step()?;
                if i > 0 {
                    put(out, " ", m)?;
                }
                put(out, k, m)?;
                put(out, ":", m)?;
                write_value_at(e, out, m, depth + 1)?;
            }
            put(out, "]", m)
        }
        Value::Time(t) => put(out, &t.to_string(), m),
        Value::Semver(v) => put(out, &v.to_string(), m),
    }
}

/// `%v` as a new string.
pub(crate) fn to_string(v: &Value, m: &Meter) -> Result<String, String> {
    let mut s = String::new();
    write_value(v, &mut s, m)?;
    Ok(s)
}

/// Go's `fmt.Sprint`: operands are separated by a space when neither side is a string.
pub(crate) fn sprint(args: &[Value], m: &Meter) -> Result<String, String> {
    let mut out = String::new();
    let mut prev_string = true;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a, Value::Str(_) | Value::Html(_));
        if i > 0 && !is_string && !prev_string {
            put(&mut out, " ", m)?;
        }
        write_value(a, &mut out, m)?;
        prev_string = is_string;
    }
    Ok(out)
}

/// Go's `fmt.Sprintln`: always space-separated, newline-terminated.
pub(crate) fn sprintln(args: &[Value], m: &Meter) -> Result<String, String> {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            put(&mut out, " ", m)?;
        }
        write_value(a, &mut out, m)?;
    }
    put(&mut out, "\n", m)?;
    Ok(out)
}

/// Go's `fmt` flags; the bools mirror Go's own `fmtFlags`.
#[derive(Default, Clone, Copy)]
#[allow(clippy::struct_excessive_bools)]
struct Spec {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Go's `fmt.Sprintf` for the verbs templates use.
pub(crate) fn sprintf(format: &str, args: &[Value], m: &Meter) -> Result<String, String> {
    let mut out = String::new();
    let mut argi = 0;
    let b = format.as_bytes();
    let end = b.len();
    let mut i = 0;
    while i < end {
        let lasti = i;
        while i < end && b[i] != b'%' {
            i += 1;
        }
        put(&mut out, &format[lasti..i], m)?;
        if i >= end {
            break;
        }
        i += 1;
        let mut spec = Spec::default();
        while i < end {
            match b[i] {
                b'+' => spec.plus = true,
                b'-' => {
                    spec.minus = true;
                    spec.zero = false;
                }
                b'#' => spec.sharp = true,
                b' ' => spec.space = true,
                b'0' => spec.zero = !spec.minus,
                _ => break,
            }
            i += 1;
        }
        if i < end && b[i] == b'*' {
            i += 1;
            let width = int_from_arg(args, &mut argi);
            if width.is_none() {
                put(&mut out, "%!(BADWIDTH)", m)?;
            }
            if width.is_some_and(i64::is_negative) {
                spec.minus = true;
                spec.zero = false;
            }
            spec.width = width.map(magnitude);
        } else {
            let (width, present) = parse_num(b, &mut i);
            spec.width = present.then_some(width);
        }
        if i + 1 < end && b[i] == b'.' {
            i += 1;
            if b[i] == b'*' {
                i += 1;
                // Go drops a negative precision and reports it as bad.
                let prec = int_from_arg(args, &mut argi).filter(|p| *p >= 0);
                if prec.is_none() {
                    put(&mut out, "%!(BADPREC)", m)?;
                }
                spec.prec = prec.map(magnitude);
            } else {
                spec.prec = Some(parse_num(b, &mut i).0);
            }
        }
        let Some(verb) = format[i..].chars().next() else {
            put(&mut out, "%!(NOVERB)", m)?;
            break;
        };
        i += verb.len_utf8();
        if verb == '%' {
            put(&mut out, "%", m)?;
            continue;
        }
        let Some(arg) = args.get(argi) else {
            put(&mut out, &format!("%!{verb}(MISSING)"), m)?;
            continue;
        };
        argi += 1;
        format_arg(arg, verb, spec, &mut out, m, 0)?;
    }
    if argi < args.len() {
        put(&mut out, "%!(EXTRA ", m)?;
        for (i, a) in args[argi..].iter().enumerate() {
            if i > 0 {
                put(&mut out, ", ", m)?;
            }
            if a.is_nil() {
                put(&mut out, "<nil>", m)?;
            } else {
                put(&mut out, a.type_name(), m)?;
                put(&mut out, "=", m)?;
                write_value(a, &mut out, m)?;
            }
        }
        put(&mut out, ")", m)?;
    }
    Ok(out)
}

/// Go caps a width or precision at a million; beyond that `fmt` reports it as bad.
const MAX_WIDTH: usize = 1_000_000;

/// Go's `intFromArg`: a `*` width or precision taken from the next argument, which must
/// be an integer no larger than [`MAX_WIDTH`] either way; `None` is Go's "bad".
fn int_from_arg(args: &[Value], argi: &mut usize) -> Option<i64> {
    let arg = args.get(*argi)?;
    *argi += 1;
    let n = match arg {
        Value::Int(n) | Value::Int64(n) => *n,
        Value::Uint(u) => i64::try_from(*u).ok()?,
        _ => return None,
    };
    (magnitude(n) <= MAX_WIDTH).then_some(n)
}

fn magnitude(n: i64) -> usize {
    usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX)
}

/// Go's `parsenum`: the digits at `i`, if any. A number that grows past [`MAX_WIDTH`]
/// is "crazy long": Go gives up on the whole rest of the format, which then has no verb.
fn parse_num(b: &[u8], i: &mut usize) -> (usize, bool) {
    let mut n = 0;
    let mut present = false;
    while *i < b.len() && b[*i].is_ascii_digit() {
        if n > MAX_WIDTH {
            *i = b.len();
            return (0, false);
        }
        n = n * 10 + usize::from(b[*i] - b'0');
        present = true;
        *i += 1;
    }
    (n, present)
}

/// Go's `badVerb`: the flags, width and precision still apply to the `%v` of the value.
fn bad_verb(arg: &Value, verb: char, spec: Spec, out: &mut String, m: &Meter) -> Out {
    if arg.is_nil() {
        return put(out, &format!("%!{verb}(<nil>)"), m);
    }
    put(out, &format!("%!{verb}({}=", arg.type_name()), m)?;
    format_arg(arg, 'v', spec, out, m, 0)?;
    put(out, ")", m)
}

/// What the formatting helpers return: an error once the output limit is reached.
type Out = Result<(), String>;

fn pad(s: &str, spec: Spec, out: &mut String, zero_ok: bool, m: &Meter) -> Out {
    let width = spec.width.unwrap_or(0);
    let len = s.chars().count();
    if len >= width {
        return put(out, s, m);
    }
    let fill = width - len;
    m.text(out.len().saturating_add(s.len()).saturating_add(fill))?;
    if spec.minus {
        out.push_str(s);
        out.push_str(&" ".repeat(fill));
    } else if spec.zero && zero_ok {
        // Zero padding goes after the sign.
        let (sign, rest) = match s.chars().next() {
            Some(c @ ('+' | '-' | ' ')) => (Some(c), &s[1..]),
            _ => (None, s),
        };
        if let Some(c) = sign {
            out.push(c);
        }
        out.push_str(&"0".repeat(fill));
        out.push_str(rest);
    } else {
        out.push_str(&" ".repeat(fill));
        out.push_str(s);
    }
    Ok(())
}

/// An element inside a slice or map: Go prints a nil interface there as `<nil>`
/// whatever the verb.
fn format_elem(
    e: &Value,
    verb: char,
    spec: Spec,
    out: &mut String,
    m: &Meter,
    depth: usize,
) -> Out {
    if e.is_nil() {
        pad("<nil>", spec, out, false, m)
    } else {
        format_arg(e, verb, spec, out, m, depth)
    }
}

fn format_arg(
    arg: &Value,
    verb: char,
    spec: Spec,
    out: &mut String,
    m: &Meter,
    depth: usize,
) -> Out {
    match arg {
        Value::List(items) if verb != 'T' => {
            m.nested(depth + 1)?;
            put(out, "[", m)?;
            for (i, e) in items.iter().enumerate() {
                m.step()?;
                if i > 0 {
                    put(out, " ", m)?;
                }
                format_elem(e, verb, spec, out, m, depth + 1)?;
            }
            put(out, "]", m)
        }
        Value::Map(map) if verb != 'T' => {
            m.nested(depth + 1)?;
            put(out, "map[", m)?;
            for (i, (k, e)) in map.borrow().iter().enumerate() {
                m.step()?;
                if i > 0 {
                    put(out, " ", m)?;
                }
                format_arg(&Value::str(k.as_str()), verb, spec, out, m, depth + 1)?;
                put(out, ":", m)?;
                format_elem(e, verb, spec, out, m, depth + 1)?;
            }
            put(out, "]", m)
        }
        _ if verb == 'T' => pad(arg.type_name(), spec, out, false, m),
        Value::Nil => {
            if verb == 'v' {
                pad("<nil>", spec, out, false, m)
            } else {
                bad_verb(arg, verb, spec, out, m)
            }
        }
        Value::Bool(b) => match verb {
            't' | 'v' => pad(if *b { "true" } else { "false" }, spec, out, false, m),
            _ => bad_verb(arg, verb, spec, out, m),
        },
        Value::Int(_) | Value::Int64(_) | Value::Uint(_) => format_int(arg, verb, spec, out, m),
        Value::Float(f) => format_float_verb(arg, *f, verb, spec, out, m),
        Value::Str(s) | Value::Html(s) => format_str(arg, s, verb, spec, out, m),
        Value::Time(t) => match verb {
            'v' | 's' => pad(&t.to_string(), spec, out, false, m),
            'q' => pad(&quote_go(&t.to_string()), spec, out, false, m),
            _ => bad_verb(arg, verb, spec, out, m),
        },
        Value::Semver(v) => match verb {
            'v' | 's' => pad(&v.to_string(), spec, out, false, m),
            'q' => pad(&quote_go(&v.to_string()), spec, out, false, m),
            _ => bad_verb(arg, verb, spec, out, m),
        },
        Value::List(_) | Value::Map(_) => Ok(()),
    }
}

fn format_str(arg: &Value, s: &str, verb: char, spec: Spec, out: &mut String, m: &Meter) -> Out {
    let truncated: String;
    let s = match spec.prec {
        Some(p) if matches!(verb, 's' | 'v' | 'q') => {
            truncated = s.chars().take(p).collect();
            truncated.as_str()
        }
        _ => s,
    };
    match verb {
        's' | 'v' => pad(s, spec, out, true, m),
        'q' => {
            let room = m.limits().output.saturating_sub(out.len());
            let quoted = quote_capped(s, room).ok_or_else(|| m.too_long())?;
            pad(&quoted, spec, out, true, m)
        }
        'x' | 'X' => {
            let bytes = s.as_bytes();
            let bytes = match spec.prec {
                Some(p) => &bytes[..p.min(bytes.len())],
                None => bytes,
            };
            let n = bytes.len();
            let spaces = if spec.space { n.saturating_sub(1) } else { 0 };
            let prefixes = match (spec.sharp, spec.space) {
                (false, _) => 0,
                (true, false) => 2,
                (true, true) => 2 * n,
            };
            m.text(out.len().saturating_add(2 * n + spaces + prefixes))?;
            let mut h = String::new();
            for (i, b) in bytes.iter().enumerate() {
                if spec.space && i > 0 {
                    h.push(' ');
                }
                if spec.sharp && (spec.space || i == 0) {
                    h.push_str(if verb == 'x' { "0x" } else { "0X" });
                }
                if verb == 'x' {
                    let _ = write!(h, "{b:02x}");
                } else {
                    let _ = write!(h, "{b:02X}");
                }
            }
            pad(&h, spec, out, true, m)
        }
        _ => bad_verb(arg, verb, spec, out, m),
    }
}

fn format_int(arg: &Value, verb: char, spec: Spec, out: &mut String, m: &Meter) -> Out {
    let (neg, mag): (bool, u64) = match arg {
        Value::Int(i) | Value::Int64(i) => (*i < 0, i.unsigned_abs()),
        Value::Uint(u) => (false, *u),
        _ => (false, 0),
    };
    let digits = match verb {
        'd' | 'v' => mag.to_string(),
        'b' => format!("{mag:b}"),
        'o' | 'O' => format!("{mag:o}"),
        'x' => format!("{mag:x}"),
        'X' => format!("{mag:X}"),
        'c' => {
            let c = u32::try_from(mag)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{fffd}');
            return pad(&c.to_string(), spec, out, false, m);
        }
        'q' => {
            let c = u32::try_from(mag)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{fffd}');
            let mut q = String::from("'");
            quote_rune_into(c, '\'', &mut q);
            q.push('\'');
            return pad(&q, spec, out, false, m);
        }
        'U' => {
            let mut u = format!("U+{mag:04X}");
            if spec.sharp
                && let Some(c) = u32::try_from(mag).ok().and_then(char::from_u32)
            {
                let _ = write!(u, " '{c}'");
            }
            return pad(&u, spec, out, false, m);
        }
        _ => return bad_verb(arg, verb, spec, out, m),
    };
    let mut body = digits;
    if let Some(p) = spec.prec {
        if p == 0 && mag == 0 {
            body.clear();
        }
        m.text(out.len().saturating_add(p))?;
        body.insert_str(0, &"0".repeat(p.saturating_sub(body.len())));
    }
    if spec.sharp {
        match verb {
            'x' => body.insert_str(0, "0x"),
            'X' => body.insert_str(0, "0X"),
            'o' if !body.starts_with('0') => body.insert(0, '0'),
            'b' => body.insert_str(0, "0b"),
            _ => {}
        }
    }
    if verb == 'O' {
        body.insert_str(0, "0o");
    }
    let sign = if neg {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let s = format!("{sign}{body}");
    pad(&s, spec, out, spec.prec.is_none(), m)
}

fn format_float_verb(
    arg: &Value,
    f: f64,
    verb: char,
    spec: Spec,
    out: &mut String,
    m: &Meter,
) -> Out {
    #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
    let prec = spec.prec.map_or(-1, |p| p as i32);
    let mut s = match verb {
        'x' | 'X' => hex_float(f, verb == 'X'),
        'v' | 'g' | 'G' => format_float(f, if verb == 'G' { 'G' } else { 'g' }, prec),
        'e' | 'E' => format_float(f, verb, if prec < 0 { 6 } else { prec }),
        'f' | 'F' => format_float(f, 'f', if prec < 0 { 6 } else { prec }),
        _ => return bad_verb(arg, verb, spec, out, m),
    };
    if !s.starts_with('-') && !s.starts_with('+') {
        if spec.plus {
            s.insert(0, '+');
        } else if spec.space {
            s.insert(0, ' ');
        }
    } else if s.starts_with('+') && !spec.plus {
        // "+Inf" keeps its sign only with the plus flag.
        if spec.space {
            s.replace_range(0..1, " ");
        } else {
            s.remove(0);
        }
    }
    let finite = f.is_finite();
    pad(&s, spec, out, finite, m)
}

/// Go's `%x` of a float with the shortest precision: `0x1.8p+00`.
fn hex_float(f: f64, upper: bool) -> String {
    if !f.is_finite() {
        return format_float(f, 'g', -1);
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let bits = f.to_bits();
    #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
    let mut exp = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1 << 52) - 1);
    let body = if exp == 0 && mant == 0 {
        "0x0p+00".to_string()
    } else {
        if exp == 0 {
            // Subnormal: normalise so the leading 1 is implicit again.
            exp = 1;
            while mant & (1 << 52) == 0 {
                mant <<= 1;
                exp -= 1;
            }
            mant &= (1 << 52) - 1;
        }
        let e = exp - 1023;
        let mut digits = format!("{mant:013x}");
        while digits.ends_with('0') {
            digits.pop();
        }
        let frac = if digits.is_empty() {
            String::new()
        } else {
            format!(".{digits}")
        };
        let esign = if e < 0 { '-' } else { '+' };
        format!("0x1{frac}p{esign}{:02}", e.unsigned_abs())
    };
    let s = format!("{sign}{body}");
    if upper { s.to_uppercase() } else { s }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{quote_go, sprintf};
    use crate::template::limits::Limits;
    use crate::template::meter::Meter;
    use crate::template::value::Value;

    #[test]
    fn printf_verbs() {
        let m = Meter::new(Limits::default());
        let v = |s: &str| Value::str(s);
        let sprintf = |f: &str, args: &[Value]| sprintf(f, args, &m).unwrap();
        assert_eq!(
            sprintf(
                "%5.1f|%-4d|%q",
                &[Value::Float(1.23), Value::Int(7), v("a\"b")]
            ),
            "  1.2|7   |\"a\\\"b\""
        );
        assert_eq!(sprintf("%d", &[v("x")]), "%!d(string=x)");
        assert_eq!(sprintf("%s %s", &[v("x")]), "x %!s(MISSING)");
        assert_eq!(quote_go("é\n\u{1}"), "\"é\\n\\x01\"");
    }

    #[test]
    fn printing_stops_at_the_output_limit() {
        let m = Meter::new(Limits {
            output: 100,
            ..Limits::default()
        });
        let long = Value::list(vec![Value::str("x".repeat(30)); 1000]);
        assert!(super::to_string(&long, &m).is_err());
        let args = [Value::Int(1), Value::Int(2)];
        assert!(sprintf("%60d%60d", &args, &m).is_err());
        assert!(sprintf("%.200d", &args[..1], &m).is_err());
        assert!(sprintf("%q", &[Value::str("\u{1}".repeat(30))], &m).is_err());
        assert_eq!(sprintf("%60d", &args[..1], &m).unwrap().len(), 60);
    }
}
