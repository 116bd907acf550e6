//! Masterminds/sprig v3 functions, reimplemented with sprig 3.2.3's exact semantics.
//!
//! Each function is registered with its Go signature (see [`Param`]), so argument
//! type errors read like Go's. Sprig's quirks are kept on purpose: `add` returns
//! `int64` (and so is rejected where an `int` is expected), `keys` is sorted here but
//! random in Go, `toString` of nil is `<nil>`, and so on.
//!
//! Functions that can build something much larger than their arguments (`repeat`,
//! `indent`, `until`, `join`...) check its size with the execution's [`Meter`] before
//! building it; the executor checks every other result once it is built.
//!
//! Not provided: `env`, `expandenv`, `getHostByName` and the key, certificate and
//! password generators (`genPrivateKey`, `genCA`..., `derivePassword`), which
//! [`FuncSet::standard`] refuses with a reason.

mod constraint;
mod crypto;
mod dates;
mod dicts;
mod encoding;
mod lists;
mod math;
mod paths;
mod patterns;
mod perl_classes;
mod random;
mod reflect;
mod regex;
mod strings;
mod urls;
mod versions;

use std::rc::Rc;

use crate::template::funcs::{Func, FuncSet, Param};
use crate::template::gotime::GoTime;
use crate::template::meter::Meter;
use crate::template::printf;
use crate::template::value::Value;

/// Registers every supported sprig function into `set`.
pub(crate) fn register(set: &mut FuncSet, clock: &Rc<dyn Fn() -> GoTime>) {
    strings::register(set);
    lists::register(set);
    dicts::register(set);
    math::register(set);
    encoding::register(set);
    regex::register(set);
    dates::register(set, clock);
    versions::register(set);
    reflect::register(set);
    paths::register(set);
    random::register(set);
    crypto::register(set);
    urls::register(set);
}

/// Shorthand used by the submodules.
pub(super) fn add(set: &mut FuncSet, name: &str, f: Func) {
    set.insert(name, f);
}

pub(super) use Param::{Any, Bool, Int, Map, Str, Time};

/// Sprig's `strval`: strings as-is, everything else through `%v`.
pub(super) fn strval(v: &Value, m: &Meter) -> Result<String, String> {
    match v {
        Value::Str(s) => Ok(s.to_string()),
        other => printf::to_string(other, m),
    }
}

/// The `i`th argument as a `&str` (the executor has already checked the type).
pub(super) fn s(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

/// The `i`th argument as an integer (checked `int` parameter).
pub(super) fn n(args: &[Value], i: usize) -> i64 {
    args.get(i).and_then(Value::as_int).unwrap_or(0)
}

/// spf13/cast's `ToInt64`, which sprig's math uses: strings are parsed with Go's
/// base-prefix rules, floats truncated, bools 0/1, anything else 0.
pub(super) fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Uint(u) => u.cast_signed(),
        #[allow(clippy::cast_possible_truncation)]
        Value::Float(f) => *f as i64,
        Value::Bool(b) => i64::from(*b),
        Value::Str(s) => parse_go_int(&trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// spf13/cast's `ToFloat64`.
pub(super) fn to_float64(v: &Value) -> f64 {
    match v {
        #[allow(clippy::cast_precision_loss)]
        Value::Int(i) | Value::Int64(i) => *i as f64,
        #[allow(clippy::cast_precision_loss)]
        Value::Uint(u) => *u as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Str(s) => s.parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

fn trim_zero_decimal(s: &str) -> String {
    let b = s.as_bytes();
    let mut found_zero = false;
    for i in (1..=b.len()).rev() {
        match b[i - 1] {
            b'.' => {
                if found_zero {
                    return s[..i - 1].to_string();
                }
            }
            b'0' => found_zero = true,
            _ => return s.to_string(),
        }
    }
    s.to_string()
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
pub(super) fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    // Base 0 accepts Go literal syntax, underscores included.
    let digits = digits.replace('_', "");
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let mag = i128::from(u64::from_str_radix(&digits, radix).ok()?);
    let v = if neg { -mag } else { mag };
    i64::try_from(v).ok()
}

/// Sprig's `empty`.
pub(super) fn empty(v: &Value) -> bool {
    !v.truthy() && !matches!(v, Value::Time(_))
}
