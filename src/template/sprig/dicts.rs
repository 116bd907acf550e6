//! Sprig's dictionary functions (`dict.go`). `set` and `unset` mutate their argument,
//! like sprig, which is why maps are shared behind `RefCell`.

use std::collections::BTreeMap;

use crate::template::funcs::{Func, FuncSet};
use crate::template::sprig::lists::kind_name;
use crate::template::sprig::{Any, Map, Str, add, empty, s, strval};
use crate::template::value::{self, Elem, Value};

fn map_of(v: &Value) -> Option<&value::Map> {
    match v {
        Value::Map(m) => Some(m),
        _ => None,
    }
}

fn merge_into(dst: &value::Map, src: &value::Map, overwrite: bool) {
    let src = src.borrow().clone();
    for (k, sv) in src {
        if sv.is_nil() {
            continue;
        }
        let existing = dst.borrow().get(&k).cloned();
        if let (Some(Value::Map(dm)), Value::Map(sm)) = (&existing, &sv) {
            if !std::rc::Rc::ptr_eq(dm, sm) {
                merge_into(dm, sm, overwrite);
            }
            continue;
        }
        let dst_empty = existing.as_ref().is_none_or(empty);
        if !dst_empty && matches!(sv, Value::Map(_) | Value::List(_)) {
            continue;
        }
        if overwrite || dst_empty {
            dst.borrow_mut().insert(k, sv);
        }
    }
}

pub(super) fn register(set: &mut FuncSet) {
    add(
        set,
        "dict",
        Func::variadic(&[], Any, |a| {
            let mut m = BTreeMap::new();
            for pair in a.chunks(2) {
                let key = strval(&pair[0]);
                m.insert(key, pair.get(1).cloned().unwrap_or_else(|| Value::str("")));
            }
            Ok(Value::map(m))
        }),
    );
    add(
        set,
        "get",
        Func::new(&[Map, Str], |a| {
            Ok(map_of(&a[0])
                .and_then(|m| m.borrow().get(s(a, 1)).cloned())
                .unwrap_or_else(|| Value::str("")))
        }),
    );
    add(
        set,
        "set",
        Func::new(&[Map, Str, Any], |a| {
            let m = map_of(&a[0]).ok_or("assignment to entry in nil map")?;
            m.borrow_mut().insert(s(a, 1).to_string(), a[2].clone());
            Ok(a[0].clone())
        }),
    );
    add(
        set,
        "unset",
        Func::new(&[Map, Str], |a| {
            if let Some(m) = map_of(&a[0]) {
                m.borrow_mut().remove(s(a, 1));
            }
            Ok(a[0].clone())
        }),
    );
    add(
        set,
        "hasKey",
        Func::new(&[Map, Str], |a| {
            Ok(Value::Bool(
                map_of(&a[0]).is_some_and(|m| m.borrow().contains_key(s(a, 1))),
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
        Func::variadic(&[], Map, |a| {
            let mut k: Vec<Value> = Vec::new();
            for d in a {
                if let Some(m) = map_of(d) {
                    k.extend(m.borrow().keys().map(|k| Value::str(k.as_str())));
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
            Func::variadic(&[Map], Map, move |a| {
                let dst = match &a[0] {
                    Value::Map(m) => m.clone(),
                    _ => return Ok(Value::map(BTreeMap::new())),
                };
                for src in &a[1..] {
                    if let Some(sm) = map_of(src) {
                        merge_into(&dst, sm, overwrite);
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
            Func::new(&[Any], |a| {
                if a[0].is_nil() {
                    // copystructure panics on an untyped nil.
                    return Err("reflect: call of reflect.Value.Type on zero Value".into());
                }
                Ok(a[0].deep_copy())
            }),
        );
    }
    add(
        set,
        "kindOf",
        Func::new(&[Any], |a| Ok(Value::str(kind_name(&a[0])))),
    );
    add(
        set,
        "typeOf",
        Func::new(&[Any], |a| {
            Ok(Value::str(match &a[0] {
                Value::Nil => "<nil>",
                other => other.type_name(),
            }))
        }),
    );
    add(
        set,
        "empty",
        Func::new(&[Any], |a| Ok(Value::Bool(empty(&a[0])))),
    );
}
