//! Go's predefined template functions (`text/template/funcs.go`).
//!
//! They take Go's `reflect.Value` arguments, so they see whether a value is missing or
//! a nil interface; [`Rv`] carries exactly that. Messages are Go's, since they surface
//! to users as `error calling eq: incompatible types for comparison`.

use std::fmt::Write as _;

use crate::template::exec::Rv;
use crate::template::meter::Meter;
use crate::template::printf;
use crate::template::value::{Elem, Value};

/// Names Go defines in `builtins()`.
pub(crate) const BUILTINS: &[&str] = &[
    "and", "or", "not", "len", "index", "slice", "print", "printf", "println", "html", "js",
    "urlquery", "eq", "ne", "lt", "le", "gt", "ge", "call",
];

pub(crate) fn is_builtin(name: &str) -> bool {
    BUILTINS.contains(&name)
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Uint,
    Float,
    Str,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Uint(_) => Kind::Uint,
        Value::Float(_) => Kind::Float,
        Value::Str(_) | Value::Html(_) => Kind::Str,
        _ => Kind::Invalid,
    }
}

const BAD_TYPE: &str = "invalid type for comparison";
const BAD_CMP: &str = "incompatible types for comparison";

fn int_of(v: &Value) -> i64 {
    v.as_int().unwrap_or(0)
}

fn uint_of(v: &Value) -> u64 {
    match v {
        Value::Uint(u) => *u,
        _ => 0,
    }
}

fn float_of(v: &Value) -> f64 {
    match v {
        Value::Float(f) => *f,
        _ => 0.0,
    }
}

/// Go's `eq`: true if the first argument equals any of the others.
pub(crate) fn eq(args: &[Rv], m: &Meter) -> Result<bool, String> {
    let Some((first, rest)) = args.split_first() else {
        return Err("missing argument for comparison".into());
    };
    if rest.is_empty() {
        return Err("missing argument for comparison".into());
    }
    // indirectInterface: a nil interface becomes the zero Value.
    let a1 = &first.v;
    let a1_zero = a1.is_nil();
    let k1 = basic_kind(a1);
    for arg in rest {
        let a = &arg.v;
        let a_zero = a.is_nil();
        let k2 = basic_kind(a);
        let truth = if k1 == k2 {
            match k1 {
                Kind::Bool => matches!((a1, a), (Value::Bool(x), Value::Bool(y)) if x == y),
                #[allow(clippy::float_cmp)]
                Kind::Float => float_of(a1) == float_of(a),
                Kind::Int => int_of(a1) == int_of(a),
                Kind::Uint => uint_of(a1) == uint_of(a),
                Kind::Str => a1.as_str() == a.as_str(),
                Kind::Invalid => {
                    let same_kind = std::mem::discriminant(a1) == std::mem::discriminant(a);
                    if !(same_kind || a1_zero || a_zero) {
                        let mut msg = String::from("non-comparable types ");
                        msg.push_str(&printf::sprintf("%s", std::slice::from_ref(a1), m)?);
                        let _ = write!(msg, ": {}, {}: ", go_type(first), go_type(arg));
                        printf::write_value(a, &mut msg, m)?;
                        return Err(msg);
                    }
                    if a1_zero || a_zero {
                        a1_zero == a_zero
                    } else if let (Value::Time(x), Value::Time(y)) = (a1, a) {
                        x == y
                    } else if let (Value::Semver(x), Value::Semver(y)) = (a1, a) {
                        // Pointers: equal only when they are the same version value.
                        std::rc::Rc::ptr_eq(x, y)
                    } else {
                        let mut msg = String::from("non-comparable type ");
                        msg.push_str(&printf::sprintf("%s", std::slice::from_ref(a), m)?);
                        let _ = write!(msg, ": {}", go_type(arg));
                        return Err(msg);
                    }
                }
            }
        } else {
            match (k1, k2) {
                (Kind::Int, Kind::Uint) => {
                    int_of(a1) >= 0 && int_of(a1).cast_unsigned() == uint_of(a)
                }
                (Kind::Uint, Kind::Int) => {
                    int_of(a) >= 0 && uint_of(a1) == int_of(a).cast_unsigned()
                }
                _ => {
                    if !a1_zero && !a_zero {
                        return Err(BAD_CMP.into());
                    }
                    false
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn go_type(rv: &Rv) -> &'static str {
    if rv.v.is_nil() {
        if rv.iface { "interface {}" } else { "<nil>" }
    } else {
        rv.v.type_name()
    }
}

/// Go's `lt`.
pub(crate) fn lt(a: &Rv, b: &Rv) -> Result<bool, String> {
    let (a, b) = (&a.v, &b.v);
    let k1 = basic_kind(a);
    if k1 == Kind::Invalid {
        return Err(BAD_TYPE.into());
    }
    let k2 = basic_kind(b);
    if k2 == Kind::Invalid {
        return Err(BAD_TYPE.into());
    }
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) => Ok(int_of(a) < 0 || int_of(a).cast_unsigned() < uint_of(b)),
            (Kind::Uint, Kind::Int) => Ok(int_of(b) >= 0 && uint_of(a) < int_of(b).cast_unsigned()),
            _ => Err(BAD_CMP.into()),
        };
    }
    match k1 {
        Kind::Bool | Kind::Invalid => Err(BAD_TYPE.into()),
        Kind::Float => Ok(float_of(a) < float_of(b)),
        Kind::Int => Ok(int_of(a) < int_of(b)),
        Kind::Uint => Ok(uint_of(a) < uint_of(b)),
        Kind::Str => Ok(a.as_str() < b.as_str()),
    }
}

/// Go's `le`.
pub(crate) fn le(a: &Rv, b: &Rv, m: &Meter) -> Result<bool, String> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(&[a.clone(), b.clone()], m)
}

/// Go's `len`.
pub(crate) fn len(item: &Rv) -> Result<Value, String> {
    let n = match &item.v {
        Value::Nil if item.iface => return Err("len of nil pointer".into()),
        Value::Nil => return Err("reflect: call of reflect.Value.Type on zero Value".into()),
        Value::Str(s) | Value::Html(s) => s.len(),
        Value::List(l) => l.count(),
        Value::Map(m) => m.borrow().len(),
        other => return Err(format!("len of type {}", other.type_name())),
    };
    Ok(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}

fn index_arg(index: &Value, cap: usize) -> Result<usize, String> {
    let x: i64 = match index {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Uint(u) => u.cast_signed(),
        Value::Nil => return Err("cannot index slice/array with nil".into()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ));
        }
    };
    match usize::try_from(x) {
        Ok(u) if u <= cap => Ok(u),
        _ => Err(format!("index out of range: {x}")),
    }
}

/// Go's `index`.
pub(crate) fn index(item: &Rv, indexes: &[Rv]) -> Result<Rv, String> {
    if item.v.is_nil() {
        return Err("index of untyped nil".into());
    }
    let mut cur = Rv {
        v: item.v.clone(),
        iface: false,
    };
    for idx in indexes {
        if cur.v.is_nil() {
            return Err("index of nil pointer".into());
        }
        let next = match &cur.v {
            Value::List(l) => {
                let i = index_arg(&idx.v, l.count())?;
                // Go's bounds check lets `i == len` through to reflect, which panics.
                let Some(v) = l.item(i) else {
                    return Err("reflect: slice index out of range".into());
                };
                Rv {
                    v,
                    iface: l.elem == Elem::Any,
                }
            }
            Value::Str(s) | Value::Html(s) => {
                let i = index_arg(&idx.v, s.len())?;
                let Some(b) = s.as_bytes().get(i) else {
                    return Err("reflect: string index out of range".into());
                };
                Rv {
                    v: Value::Int(i64::from(*b)),
                    iface: false,
                }
            }
            Value::Map(m) => {
                let key = match &idx.v {
                    Value::Str(k) => k.to_string(),
                    Value::Nil => return Err("value is nil; should be of type string".into()),
                    other => {
                        return Err(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        ));
                    }
                };
                // A missing key gives the element type's zero value.
                let (zero, iface) = match m.elem() {
                    Elem::Str => (Value::str(""), false),
                    _ => (Value::Nil, true),
                };
                let v = m.field(&key).unwrap_or(zero);
                Rv { v, iface }
            }
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
        cur = next;
    }
    Ok(cur)
}

/// Go's builtin `slice` (sprig replaces it when registered).
pub(crate) fn slice(item: &Rv, indexes: &[Rv]) -> Result<Value, String> {
    if item.v.is_nil() {
        return Err("slice of untyped nil".into());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let len = match &item.v {
        Value::Str(s) | Value::Html(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            s.len()
        }
        Value::List(l) => l.len(),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut idx = [0, len, len];
    for (i, x) in indexes.iter().enumerate() {
        idx[i] = index_arg(&x.v, len)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    Ok(match &item.v {
        Value::Str(s) => Value::str(s.get(idx[0]..idx[1]).unwrap_or("")),
        Value::Html(s) => Value::Html(s.get(idx[0]..idx[1]).unwrap_or("").into()),
        Value::List(l) => Value::typed_list(l[idx[0]..idx[1]].to_vec(), l.elem),
        _ => Value::Nil,
    })
}

/// Go's `evalArgs` for `html`, `js` and `urlquery`: nil prints as `<no value>`.
pub(crate) fn eval_args(args: &[Value], m: &Meter) -> Result<String, String> {
    if let [Value::Str(s)] = args {
        return Ok(s.to_string());
    }
    let printable: Vec<Value> = args
        .iter()
        .map(|a| {
            if a.is_nil() {
                Value::str("<no value>")
            } else {
                a.clone()
            }
        })
        .collect();
    printf::sprint(&printable, m)
}

/// Go's `template.HTMLEscapeString`, or `None` once the result would pass `cap`
/// bytes: escaping can make text five times longer, and so can the two below.
pub(crate) fn html_escape(s: &str, cap: usize) -> Option<String> {
    let mut out = String::with_capacity(s.len().min(cap));
    for c in s.chars() {
        if out.len() > cap {
            return None;
        }
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    (out.len() <= cap).then_some(out)
}

/// Go's `template.JSEscapeString` (see [`html_escape`] for `cap`).
pub(crate) fn js_escape(s: &str, cap: usize) -> Option<String> {
    let mut out = String::with_capacity(s.len().min(cap));
    for c in s.chars() {
        if out.len() > cap {
            return None;
        }
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u00{:02X}", c as u32);
            }
            c if (c as u32) >= 0x80 && (c.is_control() || c.is_whitespace() && c != ' ') => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    (out.len() <= cap).then_some(out)
}

/// Go's `url.QueryEscape` (see [`html_escape`] for `cap`).
pub(crate) fn query_escape(s: &str, cap: usize) -> Option<String> {
    let mut out = String::with_capacity(s.len().min(cap));
    for b in s.bytes() {
        if out.len() > cap {
            return None;
        }
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char);
            }
            b' ' => out.push('+'),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    (out.len() <= cap).then_some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{eq, html_escape, lt, query_escape};
    use crate::template::exec::Rv;
    use crate::template::limits::Limits;
    use crate::template::meter::Meter;
    use crate::template::value::Value;

    fn rv(v: Value) -> Rv {
        Rv { v, iface: false }
    }

    #[test]
    fn comparisons_follow_go() {
        let m = Meter::new(Limits::default());
        assert_eq!(eq(&[rv(Value::Int(1)), rv(Value::Int64(1))], &m), Ok(true));
        assert_eq!(
            eq(&[rv(Value::Int(1)), rv(Value::str("1"))], &m),
            Err("incompatible types for comparison".to_string())
        );
        assert_eq!(eq(&[rv(Value::Int(1)), rv(Value::Nil)], &m), Ok(false));
        assert_eq!(lt(&rv(Value::str("a")), &rv(Value::str("b"))), Ok(true));
    }

    #[test]
    fn escapers() {
        assert_eq!(
            html_escape("<a href='x'>&\"</a>", 100).unwrap(),
            "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;"
        );
        assert_eq!(query_escape("a b&c/é", 100).unwrap(), "a+b%26c%2F%C3%A9");
        assert_eq!(html_escape("<<<", 11), None);
        assert_eq!(query_escape("éé", 11), None);
    }
}
