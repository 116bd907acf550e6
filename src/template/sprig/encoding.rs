//! Sprig's encoding, hashing, JSON and "defaults" functions.
//!
//! JSON is written under the output limit and parsed only when what it can hold fits
//! the item and memory limits; the encodings check their known result length first.

use std::fmt::Write as _;

use base64::Engine as _;
use sha1::Digest as _;

use crate::template::funcs::{Func, FuncSet};
use crate::template::meter::{ALLOC, ITEM, Meter};
use crate::template::printf::{self, put};
use crate::template::sprig::{Any, Bool, Str, add, empty, s};
use crate::template::value::Value;

/// RFC 4648 base32 with padding (Go's `base32.StdEncoding`).
fn b32enc(data: &[u8]) -> String {
    const ALPHA: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = buf.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        let chars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for i in 0..8 {
            if i < chars {
                #[allow(clippy::cast_possible_truncation)]
                let idx = ((bits >> (35 - i * 5)) & 31) as usize;
                out.push(ALPHA[idx] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b32dec(s: &str) -> Result<Vec<u8>, String> {
    if !s.len().is_multiple_of(8) {
        return Err(format!(
            "illegal base32 data at input byte {}",
            s.len() / 8 * 8
        ));
    }
    let mut out = Vec::new();
    for (ci, chunk) in s.as_bytes().chunks(8).enumerate() {
        let mut bits: u64 = 0;
        let mut n = 0;
        for (i, &c) in chunk.iter().enumerate() {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'2'..=b'7' => c - b'2' + 26,
                b'=' => break,
                _ => return Err(format!("illegal base32 data at input byte {}", ci * 8 + i)),
            };
            bits |= u64::from(v) << (35 - i * 5);
            n += 1;
        }
        let bytes = match n {
            2 => 1,
            4 => 2,
            5 => 3,
            7 => 4,
            8 => 5,
            _ => return Err(format!("illegal base32 data at input byte {}", ci * 8 + n)),
        };
        for i in 0..bytes {
            #[allow(clippy::cast_possible_truncation)]
            out.push((bits >> (32 - i * 8)) as u8);
        }
    }
    Ok(out)
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Go's `encoding/json` string encoding (`escape_html` as `json.Marshal` does); it
/// stops at the output limit, as escaping can make text six times longer.
fn json_string(s: &str, escape_html: bool, out: &mut String, m: &Meter) -> Result<(), String> {
    out.push('"');
    for c in s.chars() {
        if out.len() > m.limits().output {
            return Err(m.too_long());
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if escape_html => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    m.text(out.len())
}

/// Go's `encoding/json` float encoding.
fn json_float(f: f64) -> Result<String, String> {
    if !f.is_finite() {
        return Err(format!(
            "json: unsupported value: {}",
            printf::format_float(f, 'g', -1)
        ));
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = printf::format_float(f, 'e', -1);
        // Go trims "e-07" to "e-7".
        if let Some(i) = s.find("e-0") {
            return Ok(format!("{}e-{}", &s[..i], &s[i + 3..]));
        }
        return Ok(s);
    }
    Ok(printf::format_float(f, 'f', -1))
}

/// How `to_json` writes: the indent (`MarshalIndent`) if any, Go's HTML escaping, and
/// the meter that bounds the output and the nesting.
struct Json<'m> {
    indent: Option<&'m str>,
    escape_html: bool,
    m: &'m Meter,
}

/// `json.Marshal`/`MarshalIndent` of a value, `depth` levels in.
fn to_json(v: &Value, j: &Json, depth: usize, out: &mut String) -> Result<(), String> {
    let m = j.m;
    let nl = |out: &mut String, d: usize| {
        if let Some(ind) = j.indent {
            put(out, "\n", m)?;
            for _ in 0..d {
                put(out, ind, m)?;
            }
        }
        Ok::<(), String>(())
    };
    match v {
        Value::Nil => put(out, "null", m)?,
        Value::Bool(b) => put(out, if *b { "true" } else { "false" }, m)?,
        Value::Int(i) | Value::Int64(i) => put(out, &i.to_string(), m)?,
        Value::Uint(u) => put(out, &u.to_string(), m)?,
        Value::Float(f) => put(out, &json_float(*f)?, m)?,
        Value::Str(s) | Value::Html(s) => json_string(s, j.escape_html, out, m)?,
        Value::Semver(v) => json_string(&v.to_string(), j.escape_html, out, m)?,
        Value::Time(t) => json_string(
            &t.format("2006-01-02T15:04:05.999999999Z07:00"),
            j.escape_html,
            out,
            m,
        )?,
        Value::List(l) => {
            m.nested(depth + 1)?;
            put(out, "[", m)?;
            for (i, e) in l.iter().enumerate() {
                m.step()?;
                if i > 0 {
                    put(out, ",", m)?;
                }
                nl(out, depth + 1)?;
                to_json(e, j, depth + 1, out)?;
            }
            if !l.is_empty() {
                nl(out, depth)?;
            }
            put(out, "]", m)?;
        }
        Value::Map(map) => {
            m.nested(depth + 1)?;
            let map = map.borrow();
            put(out, "{", m)?;
            for (i, (k, e)) in map.iter().enumerate() {
                m.step()?;
                if i > 0 {
                    put(out, ",", m)?;
                }
                nl(out, depth + 1)?;
                json_string(k, j.escape_html, out, m)?;
                put(out, if j.indent.is_some() { ": " } else { ":" }, m)?;
                to_json(e, j, depth + 1, out)?;
            }
            if !map.is_empty() {
                nl(out, depth)?;
            }
            put(out, "}", m)?;
        }
    }
    Ok(())
}

/// Whether the JSON text `s` can be parsed within the limits. Every value but the
/// outermost follows a comma or opens an array or object, so their count bounds the
/// values it holds; each costs a node in the parser and one in ours.
fn parsable(s: &str, m: &Meter) -> Result<(), String> {
    let values = 1 + s
        .bytes()
        .filter(|b| matches!(b, b',' | b'[' | b'{'))
        .count();
    m.work(s.len())?;
    if values > 1 {
        m.items(values)?;
    }
    m.room(
        s.len()
            .saturating_add(values.saturating_mul(2 * ALLOC + 2 * ITEM)),
    )
}

/// `json.Unmarshal` into `interface{}`: every number is a `float64`.
fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::Array(a) => Value::list(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Value::map(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
        other => Value::from(other),
    }
}

fn json_fn(indent: Option<&'static str>, escape_html: bool, must: bool) -> Func {
    Func::metered(&[Any], move |a, m| {
        let mut out = String::new();
        let j = Json {
            indent,
            escape_html,
            m,
        };
        // A limit hit here is reported by the executor even when the error is dropped.
        match to_json(&a[0], &j, 0, &mut out) {
            Ok(()) => Ok(Value::str(out)),
            Err(e) if must || (!escape_html && indent.is_none()) => Err(e),
            Err(_) => Ok(Value::str("")),
        }
    })
}

pub(super) fn register(set: &mut FuncSet) {
    add(
        set,
        "b64enc",
        Func::metered(&[Str], |a, m| {
            m.text(s(a, 0).len().div_ceil(3).saturating_mul(4))?;
            Ok(Value::str(
                base64::engine::general_purpose::STANDARD.encode(s(a, 0)),
            ))
        }),
    );
    add(
        set,
        "b64dec",
        Func::new(&[Str], |a| {
            Ok(Value::str(
                match base64::engine::general_purpose::STANDARD.decode(s(a, 0)) {
                    Ok(d) => String::from_utf8_lossy(&d).into_owned(),
                    Err(e) => go_b64_error(&e),
                },
            ))
        }),
    );
    add(
        set,
        "b32enc",
        Func::metered(&[Str], |a, m| {
            m.text(s(a, 0).len().div_ceil(5).saturating_mul(8))?;
            Ok(Value::str(b32enc(s(a, 0).as_bytes())))
        }),
    );
    add(
        set,
        "b32dec",
        Func::new(&[Str], |a| {
            Ok(Value::str(match b32dec(s(a, 0)) {
                Ok(d) => String::from_utf8_lossy(&d).into_owned(),
                Err(e) => e,
            }))
        }),
    );
    add(
        set,
        "sha1sum",
        Func::new(&[Str], |a| {
            Ok(Value::str(hex(&sha1::Sha1::digest(s(a, 0).as_bytes()))))
        }),
    );
    add(
        set,
        "sha256sum",
        Func::new(&[Str], |a| {
            Ok(Value::str(hex(&sha2::Sha256::digest(s(a, 0).as_bytes()))))
        }),
    );
    add(
        set,
        "adler32sum",
        Func::new(&[Str], |a| {
            Ok(Value::str(adler32(s(a, 0).as_bytes()).to_string()))
        }),
    );
    add(set, "toJson", json_fn(None, true, false));
    add(set, "mustToJson", json_fn(None, true, true));
    add(set, "toPrettyJson", json_fn(Some("  "), true, false));
    add(set, "mustToPrettyJson", json_fn(Some("  "), true, true));
    add(set, "toRawJson", json_fn(None, false, false));
    add(set, "mustToRawJson", json_fn(None, false, true));
    add(
        set,
        "fromJson",
        Func::metered(&[Str], |a, m| {
            parsable(s(a, 0), m)?;
            Ok(serde_json::from_str::<serde_json::Value>(s(a, 0))
                .map_or(Value::Nil, |v| from_json(&v)))
        }),
    );
    add(
        set,
        "mustFromJson",
        Func::metered(&[Str], |a, m| {
            parsable(s(a, 0), m)?;
            serde_json::from_str::<serde_json::Value>(s(a, 0))
                .map(|v| from_json(&v))
                .map_err(|e| e.to_string())
        }),
    );
    add(
        set,
        "default",
        Func::variadic(&[Any], Any, |a| {
            let given = &a[1..];
            if given.is_empty() || empty(&given[0]) {
                return Ok(a[0].clone());
            }
            Ok(given[0].clone())
        }),
    );
    add(
        set,
        "coalesce",
        Func::variadic(&[], Any, |a| {
            Ok(a.iter().find(|v| !empty(v)).cloned().unwrap_or(Value::Nil))
        }),
    );
    add(
        set,
        "all",
        Func::variadic(&[], Any, |a| Ok(Value::Bool(a.iter().all(|v| !empty(v))))),
    );
    add(
        set,
        "any",
        Func::variadic(&[], Any, |a| Ok(Value::Bool(a.iter().any(|v| !empty(v))))),
    );
    add(
        set,
        "ternary",
        Func::new(&[Any, Any, Bool], |a| {
            Ok(if matches!(a[2], Value::Bool(true)) {
                a[0].clone()
            } else {
                a[1].clone()
            })
        }),
    );
    add(set, "fail", Func::new(&[Str], |a| Err(s(a, 0).to_string())));
    add(set, "hello", Func::new(&[], |_| Ok(Value::str("Hello!"))));
}

pub(super) fn go_b64_error(e: &base64::DecodeError) -> String {
    match e {
        base64::DecodeError::InvalidByte(at, _) | base64::DecodeError::InvalidLastSymbol(at, _) => {
            format!("illegal base64 data at input byte {at}")
        }
        base64::DecodeError::InvalidLength(at) => format!("illegal base64 data at input byte {at}"),
        base64::DecodeError::InvalidPadding => "illegal base64 data at input byte 0".to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{adler32, b32dec, b32enc, json_float};

    #[test]
    fn encodings() {
        assert_eq!(b32enc(b"hello"), "NBSWY3DP");
        assert_eq!(b32enc(b"hi"), "NBUQ====");
        assert_eq!(b32dec("NBUQ====").unwrap(), b"hi");
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(json_float(1e21).unwrap(), "1e+21");
        assert_eq!(json_float(0.000_000_1).unwrap(), "1e-7");
    }
}
