//! Sprig's dictionary functions (`dict.go`). `set` and `unset` mutate their argument,
//! like sprig, which is why maps are shared behind `RefCell`.
//!
//! An entry `set` or `merge` adds to a map is charged to the meter as it is added, and
//! given back when `unset` takes it away; `merge` and `deepCopy` walk values recursively
//! and so stop at the meter's nesting depth.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::template::funcs::{Func, FuncSet};
use crate::template::meter::{ALLOC, ENTRY, ITEM, Meter};
use crate::template::sprig::{Any, Map, Str, add, empty, s, strval};
use crate::template::value::{self, Elem, Value};

/// `v` as a `map[string]interface{}`; `split`'s `map[string]string` is not one.
fn map_of(v: &Value) -> Option<&value::Map> {
    match v {
        Value::Map(m) if m.elem() == Elem::Any => Some(m),
        _ => None,
    }
}

fn merge_into(
    dst: &value::Map,
    src: &value::Map,
    overwrite: bool,
    m: &Meter,
    depth: usize,
) -> Result<(), String> {
    m.nested(depth + 1)?;
    let src = src.borrow().clone();
    for (k, sv) in src {
        m.step()?;
        if sv.is_nil() {
            continue;
        }
        let existing = dst.borrow().get(&k).cloned();
        if let (Some(Value::Map(dm)), Value::Map(sm)) = (&existing, &sv) {
            if !Rc::ptr_eq(dm, sm) {
                merge_into(dm, sm, overwrite, m, depth + 1)?;
            }
            continue;
        }
        let is_new = existing.is_none();
        let dst_empty = existing.as_ref().is_none_or(empty);
        drop(existing);
        if !dst_empty && matches!(sv, Value::Map(_) | Value::List(_)) {
            continue;
        }
        if overwrite || dst_empty {
            insert(dst, k, sv, is_new, m)?;
        }
    }
    Ok(())
}

/// Puts `v` under `k` in `map`, charging a new entry and giving back the value it
/// replaces.
fn insert(map: &value::Map, k: String, v: Value, is_new: bool, m: &Meter) -> Result<(), String> {
    if is_new {
        m.items(map.borrow().len() + 1)?;
        m.hold_bytes(k.len() + ENTRY)?;
    }
    let old = map.borrow_mut().insert(k, v);
    if let Some(old) = old {
        m.release(old);
    }
    Ok(())
}

/// A copy that shares nothing mutable with `v` (sprig's `deepCopy`), checked as it
/// grows: copying a list that holds one list a million times makes a million lists.
/// `made` counts the bytes built so far.
fn deep_copy(v: &Value, m: &Meter, depth: usize, made: &mut usize) -> Result<Value, String> {
    Ok(match v {
        Value::List(l) => {
            m.nested(depth + 1)?;
            m.items(l.len())?;
            *made = made.saturating_add(ALLOC + l.len() * ITEM);
            m.room(*made)?;
            let items: Result<Vec<Value>, String> = l
                .iter()
                .map(|e| {
                    m.step()?;
                    deep_copy(e, m, depth + 1, made)
                })
                .collect();
            Value::typed_list(items?, l.elem)
        }
        Value::Map(map) => {
            m.nested(depth + 1)?;
            let map_elem = map.elem();
            let map = map.borrow();
            m.items(map.len())?;
            let keys = map.keys().map(|k| k.len() + ENTRY).sum::<usize>();
            *made = made.saturating_add(ALLOC + keys);
            m.room(*made)?;
            let mut out = BTreeMap::new();
            for (k, e) in map.iter() {
                m.step()?;
                out.insert(k.clone(), deep_copy(e, m, depth + 1, made)?);
            }
            match map_elem {
                Elem::Str => Value::string_map(out),
                _ => Value::map(out),
            }
        }
        other => other.clone(),
    })
}

pub(super) fn register(set: &mut FuncSet) {
    add(
        set,
        "dict",
        Func::metered_variadic(&[], Any, |a, m| {
            let mut map = BTreeMap::new();
            for pair in a.chunks(2) {
                let key = strval(&pair[0], m)?;
                map.insert(key, pair.get(1).cloned().unwrap_or_else(|| Value::str("")));
            }
            Ok(Value::map(map))
        }),
    );
    add(
        set,
        "get",
        Func::new(&[Map, Str], |a| {
            Ok(map_of(&a[0])
                .and_then(|m| m.field(s(a, 1)))
                .unwrap_or_else(|| Value::str("")))
        }),
    );
    add(
        set,
        "set",
        Func::metered(&[Map, Str, Any], |a, m| {
            let map = map_of(&a[0]).ok_or("assignment to entry in nil map")?;
            let is_new = !map.borrow().contains_key(s(a, 1));
            insert(map, s(a, 1).to_string(), a[2].clone(), is_new, m)?;
            Ok(a[0].clone())
        }),
    );
    add(
        set,
        "unset",
        Func::metered(&[Map, Str], |a, m| {
            let old = map_of(&a[0]).and_then(|map| map.borrow_mut().remove(s(a, 1)));
            if let Some(old) = old {
                m.release_bytes(s(a, 1).len() + ENTRY);
                m.release(old);
            }
            Ok(a[0].clone())
        }),
    );
    add(
        set,
        "hasKey",
        Func::new(&[Map, Str], |a| {
            Ok(Value::Bool(
                map_of(&a[0]).is_some_and(|m| m.field(s(a, 1)).is_some()),
            ))
        }),
    );
    add(
        set,
        "pluck",
        Func::variadic(&[Str], Map, |a| {
            let key = s(a, 0);
            Ok(Value::list(
                a[1..]
                    .iter()
                    .filter_map(|d| map_of(d).and_then(|m| m.borrow().get(key).cloned()))
                    .collect(),
            ))
        }),
    );
    add(
        set,
        "keys",
        Func::metered_variadic(&[], Map, |a, m| {
            let mut k: Vec<Value> = Vec::new();
            for d in a {
                if let Some(map) = map_of(d) {
                    let map = map.borrow();
                    m.items(k.len() + map.len())?;
                    let text: usize = map.keys().map(|k| ALLOC + ITEM + k.len()).sum();
                    m.room(text)?;
                    k.extend(map.keys().map(|k| Value::str(k.as_str())));
                }
            }
            Ok(Value::typed_list(k, Elem::Str))
        }),
    );
    add(
        set,
        "values",
        Func::new(&[Map], |a| {
            Ok(Value::list(map_of(&a[0]).map_or_else(Vec::new, |m| {
                m.borrow().values().cloned().collect()
            })))
        }),
    );
    add(
        set,
        "pick",
        Func::variadic(&[Map], Str, |a| {
            let mut out = BTreeMap::new();
            if let Some(m) = map_of(&a[0]) {
                let m = m.borrow();
                for k in &a[1..] {
                    let k = k.as_str().unwrap_or("");
                    if let Some(v) = m.get(k) {
                        out.insert(k.to_string(), v.clone());
                    }
                }
            }
            Ok(Value::map(out))
        }),
    );
    add(
        set,
        "omit",
        Func::variadic(&[Map], Str, |a| {
            let omit: Vec<&str> = a[1..].iter().filter_map(Value::as_str).collect();
            let out = map_of(&a[0]).map_or_else(BTreeMap::new, |m| {
                m.borrow()
                    .iter()
                    .filter(|(k, _)| !omit.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            });
            Ok(Value::map(out))
        }),
    );
    for (name, overwrite) in [
        ("merge", false),
        ("mustMerge", false),
        ("mergeOverwrite", true),
        ("mustMergeOverwrite", true),
    ] {
        add(
            set,
            name,
            Func::metered_variadic(&[Map], Map, move |a, m| {
                let dst = match &a[0] {
                    Value::Map(map) => map.clone(),
                    _ => return Ok(Value::map(BTreeMap::new())),
                };
                for src in &a[1..] {
                    if let Some(sm) = map_of(src) {
                        merge_into(&dst, sm, overwrite, m, 0)?;
                    }
                }
                Ok(Value::Map(dst))
            }),
        );
    }
    add(
        set,
        "dig",
        Func::variadic(&[], Any, |a| {
            if a.len() < 3 {
                return Err("dig needs at least three arguments".into());
            }
            let dict = &a[a.len() - 1];
            let conversion = |v: &Value, want: &str| {
                format!(
                    "interface conversion: interface {{}} is {}, not {want}",
                    if v.is_nil() { "nil" } else { v.type_name() }
                )
            };
            if map_of(dict).is_none() {
                return Err(conversion(dict, "map[string]interface {}"));
            }
            let default = &a[a.len() - 2];
            let mut keys = Vec::new();
            for k in &a[..a.len() - 2] {
                match k {
                    Value::Str(s) => keys.push(s.to_string()),
                    other => return Err(conversion(other, "string")),
                }
            }
            let mut cur = dict.clone();
            for (i, k) in keys.iter().enumerate() {
                let Some(m) = map_of(&cur) else {
                    return Err(conversion(&cur, "map[string]interface {}"));
                };
                let Some(step) = m.borrow().get(k).cloned() else {
                    return Ok(default.clone());
                };
                if i == keys.len() - 1 {
                    return Ok(step);
                }
                cur = step;
            }
            Ok(default.clone())
        }),
    );
    for name in ["deepCopy", "mustDeepCopy"] {
        add(
            set,
            name,
            Func::metered(&[Any], |a, m| {
                if a[0].is_nil() {
                    // copystructure panics on an untyped nil.
                    return Err("reflect: call of reflect.Value.Type on zero Value".into());
                }
                deep_copy(&a[0], m, 0, &mut 0)
            }),
        );
    }
    add(
        set,
        "empty",
        Func::new(&[Any], |a| Ok(Value::Bool(empty(&a[0])))),
    );
}
