//! Go template literals: quoted strings (`strconv.Unquote`) and numbers, classified at
//! parse time the way `parse.NumberNode` does (int, uint, float, char).

use crate::template::ast::Number;
use crate::template::lexer::{Item, Kind};

/// Go's `strconv.Unquote` for the literal forms the lexer produces.
pub(crate) fn unquote_go(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    if bytes.len() < 2 {
        return None;
    }
    let quote = bytes[0];
    if bytes[bytes.len() - 1] != quote {
        return None;
    }
    let inner = &s[1..s.len() - 1];
    match quote {
        b'`' => Some(inner.replace('\r', "")),
        b'"' | b'\'' => {
            let mut out = String::new();
            let mut chars = inner.chars().peekable();
            while let Some(c) = chars.next() {
                if c == quote as char {
                    return None;
                }
                if c != '\\' {
                    out.push(c);
                    continue;
                }
                let e = chars.next()?;
                match e {
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'v' => out.push('\u{b}'),
                    '\\' => out.push('\\'),
                    '\'' if quote == b'\'' => out.push('\''),
                    '"' if quote == b'"' => out.push('"'),
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let hex: String = (0..n).filter_map(|_| chars.next()).collect();
                        if hex.len() != n {
                            return None;
                        }
                        let v = u32::from_str_radix(&hex, 16).ok()?;
                        if e == 'x' {
                            // A \x escape is a raw byte; only ASCII is representable in str.
                            out.push(char::from_u32(v).filter(|_| v < 0x80)?);
                        } else {
                            out.push(char::from_u32(v)?);
                        }
                    }
                    '0'..='7' => {
                        let mut v = e.to_digit(8)?;
                        for _ in 0..2 {
                            v = v * 8 + chars.next()?.to_digit(8)?;
                        }
                        if v >= 0x80 {
                            return None;
                        }
                        out.push(char::from_u32(v)?);
                    }
                    _ => return None,
                }
            }
            if quote == b'\'' && out.chars().count() != 1 {
                return None;
            }
            Some(out)
        }
        _ => None,
    }
}

pub(crate) fn parse_number(item: &Item) -> Result<Number, String> {
    let text = item.val.clone();
    if item.kind == Kind::CharConstant {
        let Some(s) = unquote_go(&text) else {
            return Err("invalid syntax".into());
        };
        let c = s.chars().next().map_or(0, |c| c as u32);
        return Ok(Number {
            text,
            int: Some(i64::from(c)),
            uint: Some(u64::from(c)),
            float: Some(f64::from(c)),
            is_char: true,
        });
    }
    if text.ends_with('i') {
        return Err(format!("complex constants are not supported: {text}"));
    }
    let clean = text.replace('_', "");
    let (neg, body) = match clean.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let radix_parse = |b: &str| -> Option<u64> {
        let lower = b.to_ascii_lowercase();
        if let Some(h) = lower.strip_prefix("0x") {
            u64::from_str_radix(h, 16).ok()
        } else if let Some(o) = lower.strip_prefix("0o") {
            u64::from_str_radix(o, 8).ok()
        } else if let Some(bn) = lower.strip_prefix("0b") {
            u64::from_str_radix(bn, 2).ok()
        } else if lower.len() > 1
            && lower.starts_with('0')
            && lower.bytes().all(|c| c.is_ascii_digit())
        {
            u64::from_str_radix(&lower[1..], 8).ok()
        } else {
            lower.parse::<u64>().ok()
        }
    };
    let mut num = Number {
        text: text.clone(),
        int: None,
        uint: None,
        float: None,
        is_char: false,
    };
    if let Some(u) = radix_parse(body) {
        if neg {
            if u <= (i64::MAX as u64) + 1 {
                #[allow(clippy::cast_possible_wrap)]
                let i = (u as i64).wrapping_neg();
                num.int = Some(i);
                if i == 0 {
                    num.uint = Some(0);
                }
            }
        } else {
            num.uint = Some(u);
            num.int = i64::try_from(u).ok();
        }
    }
    if let Some(i) = num.int {
        #[allow(clippy::cast_precision_loss)]
        {
            num.float = Some(i as f64);
        }
    } else if let Some(u) = num.uint {
        #[allow(clippy::cast_precision_loss)]
        {
            num.float = Some(u as f64);
        }
    } else if let Ok(f) = clean.parse::<f64>() {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!(
                "integer overflow: {}",
                crate::template::printf::quote_go(&text)
            ));
        }
        num.float = Some(f);
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_precision_loss,
            clippy::float_cmp,
            clippy::cast_sign_loss
        )]
        {
            if (f as i64) as f64 == f {
                num.int = Some(f as i64);
            }
            if (f as u64) as f64 == f {
                num.uint = Some(f as u64);
            }
        }
    }
    if num.int.is_none() && num.uint.is_none() && num.float.is_none() {
        return Err(format!(
            "illegal number syntax: {}",
            crate::template::printf::quote_go(&text)
        ));
    }
    Ok(num)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::unquote_go;

    #[test]
    fn unquotes_like_go() {
        assert_eq!(unquote_go(r#""a\tb\u00e9""#).unwrap(), "a\tb\u{e9}");
        assert_eq!(unquote_go("`raw\\n`").unwrap(), "raw\\n");
        assert_eq!(unquote_go("'x'").unwrap(), "x");
        assert!(unquote_go(r#""\q""#).is_none());
    }
}
