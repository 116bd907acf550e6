//! Sprig's list functions (`list.go`, `splitList`, `join`...). Lists are immutable:
//! every function returns a new list, as sprig does.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::template::funcs::{Func, FuncSet};
use crate::template::sprig::{Any, Int, Str, add, empty, n, s, strval, to_int64};
use crate::template::value::{Elem, List, Value};

/// Go's `reflect.Kind` name, which sprig's panics print.
pub(super) fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Int64(_) => "int64",
        Value::Uint(_) => "uint64",
        Value::Float(_) => "float64",
        Value::Str(_) | Value::Html(_) => "string",
        Value::List(_) => "slice",
        Value::Map(_) => "map",
        Value::Time(_) => "struct",
    }
}

const NIL_DEREF: &str = "runtime error: invalid memory address or nil pointer dereference";

fn as_list<'v>(v: &'v Value, what: &str) -> Result<&'v Rc<List>, String> {
    match v {
        Value::List(l) => Ok(l),
        Value::Nil => Err(NIL_DEREF.into()),
        other => Err(format!("Cannot {what} type {}", kind_name(other))),
    }
}

/// Sprig's `strslice`: list elements as strings, nils dropped.
pub(super) fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l.iter().filter(|e| !e.is_nil()).map(strval).collect(),
        Value::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

/// A Go `[]string`.
pub(super) fn strings_value(items: Vec<String>) -> Value {
    Value::typed_list(items.into_iter().map(Value::str).collect(), Elem::Str)
}

fn both(set: &mut FuncSet, name: &str, f: &Func) {
    add(set, name, f.clone());
    let mut must = String::from("must");
    must.push_str(&name[..1].to_uppercase());
    must.push_str(&name[1..]);
    add(set, &must, f.clone());
}

/// Go's `strings.Split`.
pub(super) fn go_split(orig: &str, sep: &str) -> Vec<String> {
    if sep.is_empty() {
        return orig.chars().map(String::from).collect();
    }
    orig.split(sep).map(str::to_string).collect()
}

fn until_step(start: i64, stop: i64, step: i64) -> Vec<i64> {
    let mut v = Vec::new();
    if stop < start {
        if step >= 0 {
            return v;
        }
        let mut i = start;
        while i > stop {
            v.push(i);
            i += step;
        }
        return v;
    }
    if step <= 0 {
        return v;
    }
    let mut i = start;
    while i < stop {
        v.push(i);
        i += step;
    }
    v
}

fn ints(v: Vec<i64>) -> Value {
    Value::typed_list(v.into_iter().map(Value::Int).collect(), Elem::Int)
}

fn seq(params: &[i64]) -> String {
    let join = |v: Vec<i64>| v.iter().map(i64::to_string).collect::<Vec<_>>().join(" ");
    match *params {
        [end] => {
            let inc = if end < 1 { -1 } else { 1 };
            join(until_step(1, end + inc, inc))
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            join(until_step(start, end + step, step))
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if step > 0 {
                    return String::new();
                }
            }
            join(until_step(start, end + inc, step))
        }
        _ => String::new(),
    }
}

pub(super) fn register(set: &mut FuncSet) {
    add(
        set,
        "list",
        Func::variadic(&[], Any, |a| Ok(Value::list(a.to_vec()))),
    );
    add(
        set,
        "tuple",
        Func::variadic(&[], Any, |a| Ok(Value::list(a.to_vec()))),
    );
    let push = Func::new(&[Any, Any], |a| {
        let l = as_list(&a[0], "push on")?;
        let mut v = l.items.clone();
        v.push(a[1].clone());
        Ok(Value::list(v))
    });
    both(set, "push", &push);
    both(set, "append", &push);
    both(
        set,
        "prepend",
        &Func::new(&[Any, Any], |a| {
            let l = as_list(&a[0], "prepend on")?;
            let mut v = vec![a[1].clone()];
            v.extend(l.iter().cloned());
            Ok(Value::list(v))
        }),
    );
    both(
        set,
        "first",
        &Func::new(&[Any], |a| {
            Ok(as_list(&a[0], "find first on")?
                .first()
                .cloned()
                .unwrap_or(Value::Nil))
        }),
    );
    both(
        set,
        "last",
        &Func::new(&[Any], |a| {
            Ok(as_list(&a[0], "find last on")?
                .last()
                .cloned()
                .unwrap_or(Value::Nil))
        }),
    );
    both(
        set,
        "rest",
        &Func::new(&[Any], |a| {
            let l = as_list(&a[0], "find rest on")?;
            Ok(Value::list(
                l.get(1..).map(<[Value]>::to_vec).unwrap_or_default(),
            ))
        }),
    );
    both(
        set,
        "initial",
        &Func::new(&[Any], |a| {
            let l = as_list(&a[0], "find initial on")?;
            Ok(Value::list(
                l.get(..l.len().saturating_sub(1))
                    .map(<[Value]>::to_vec)
                    .unwrap_or_default(),
            ))
        }),
    );
    both(
        set,
        "reverse",
        &Func::new(&[Any], |a| {
            let l = as_list(&a[0], "find reverse on")?;
            Ok(Value::list(l.iter().rev().cloned().collect()))
        }),
    );
    both(
        set,
        "compact",
        &Func::new(&[Any], |a| {
            let l = as_list(&a[0], "compact on")?;
            Ok(Value::list(
                l.iter().filter(|v| !empty(v)).cloned().collect(),
            ))
        }),
    );
    both(
        set,
        "uniq",
        &Func::new(&[Any], |a| {
            let l = as_list(&a[0], "find uniq on")?;
            let mut out: Vec<Value> = Vec::new();
            for v in l.iter() {
                if !out.iter().any(|o| o.deep_equal(v)) {
                    out.push(v.clone());
                }
            }
            Ok(Value::list(out))
        }),
    );
    both(
        set,
        "without",
        &Func::variadic(&[Any], Any, |a| {
            let l = as_list(&a[0], "find without on")?;
            let omit = &a[1..];
            Ok(Value::list(
                l.iter()
                    .filter(|v| !omit.iter().any(|o| o.deep_equal(v)))
                    .cloned()
                    .collect(),
            ))
        }),
    );
    both(
        set,
        "has",
        &Func::new(&[Any, Any], |a| {
            if a[1].is_nil() {
                return Ok(Value::Bool(false));
            }
            let l = as_list(&a[1], "find has on")?;
            Ok(Value::Bool(l.iter().any(|v| v.deep_equal(&a[0]))))
        }),
    );
    both(
        set,
        "slice",
        &Func::variadic(&[Any], Any, |a| {
            let l = match &a[0] {
                Value::List(l) => l,
                Value::Nil => return Err(NIL_DEREF.into()),
                other => {
                    return Err(format!(
                        "list should be type of slice or array but {}",
                        kind_name(other)
                    ));
                }
            };
            if l.is_empty() {
                return Ok(Value::Nil);
            }
            let start = a.get(1).map_or(0, to_int64);
            let end = if a.len() < 3 {
                i64::try_from(l.len()).unwrap_or(0)
            } else {
                to_int64(&a[2])
            };
            let (Ok(s0), Ok(e0)) = (usize::try_from(start), usize::try_from(end)) else {
                return Err("reflect.Value.Slice: slice index out of bounds".into());
            };
            if s0 > e0 || e0 > l.len() {
                return Err("reflect.Value.Slice: slice index out of bounds".into());
            }
            Ok(Value::typed_list(l[s0..e0].to_vec(), l.elem))
        }),
    );
    add(
        set,
        "concat",
        Func::variadic(&[], Any, |a| {
            let mut out = Vec::new();
            for l in a {
                match l {
                    Value::List(items) => out.extend(items.iter().cloned()),
                    Value::Nil => return Err(NIL_DEREF.into()),
                    other => {
                        return Err(format!("Cannot concat type {} as list", kind_name(other)));
                    }
                }
            }
            Ok(Value::list(out))
        }),
    );
    add(
        set,
        "sortAlpha",
        Func::new(&[Any], |a| {
            let mut v = match &a[0] {
                Value::List(_) => strslice(&a[0]),
                other => vec![strval(other)],
            };
            v.sort();
            Ok(strings_value(v))
        }),
    );
    add(
        set,
        "until",
        Func::new(&[Int], |a| {
            let c = n(a, 0);
            Ok(ints(until_step(0, c, if c < 0 { -1 } else { 1 })))
        }),
    );
    add(
        set,
        "untilStep",
        Func::new(&[Int, Int, Int], |a| {
            Ok(ints(until_step(n(a, 0), n(a, 1), n(a, 2))))
        }),
    );
    add(
        set,
        "seq",
        Func::variadic(&[], Int, |a| {
            let p: Vec<i64> = a.iter().filter_map(Value::as_int).collect();
            Ok(Value::str(seq(&p)))
        }),
    );
    add(
        set,
        "splitList",
        Func::new(&[Str, Str], |a| {
            Ok(strings_value(go_split(s(a, 1), s(a, 0))))
        }),
    );
    add(
        set,
        "split",
        Func::new(&[Str, Str], |a| {
            let m: BTreeMap<String, Value> = go_split(s(a, 1), s(a, 0))
                .into_iter()
                .enumerate()
                .map(|(i, p)| (format!("_{i}"), Value::str(p)))
                .collect();
            Ok(Value::map(m))
        }),
    );
    add(
        set,
        "splitn",
        Func::new(&[Str, Int, Str], |a| {
            let (sep, cnt, orig) = (s(a, 0), n(a, 1), s(a, 2));
            let parts: Vec<String> = match cnt.cmp(&0) {
                std::cmp::Ordering::Equal => Vec::new(),
                std::cmp::Ordering::Less => go_split(orig, sep),
                std::cmp::Ordering::Greater => orig
                    .splitn(usize::try_from(cnt).unwrap_or(1), sep)
                    .map(str::to_string)
                    .collect(),
            };
            let m: BTreeMap<String, Value> = parts
                .into_iter()
                .enumerate()
                .map(|(i, p)| (format!("_{i}"), Value::str(p)))
                .collect();
            Ok(Value::map(m))
        }),
    );
    add(
        set,
        "join",
        Func::new(&[Str, Any], |a| {
            Ok(Value::str(strslice(&a[1]).join(s(a, 0))))
        }),
    );
    add(
        set,
        "toStrings",
        Func::new(&[Any], |a| Ok(strings_value(strslice(&a[0])))),
    );
    both(
        set,
        "chunk",
        &Func::new(&[Int, Any], |a| {
            let size = usize::try_from(n(a, 0)).unwrap_or(0).max(1);
            let l = as_list(&a[1], "chunk")?;
            Ok(Value::list(
                l.chunks(size).map(|c| Value::list(c.to_vec())).collect(),
            ))
        }),
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::seq;

    #[test]
    fn seq_like_sprig() {
        assert_eq!(seq(&[3]), "1 2 3");
        assert_eq!(seq(&[2, -2]), "2 1 0 -1 -2");
        assert_eq!(seq(&[0, 2, 6]), "0 2 4 6");
    }
}
