//! Sprig's reflection helpers (`reflect.go`): Go's names for the types and kinds of
//! values, and `reflect.DeepEqual`.

use crate::template::funcs::{Func, FuncSet};
use crate::template::sprig::lists::{deep_equal, kind_name};
use crate::template::sprig::{Any, Str, add, s};
use crate::template::value::Value;

/// `fmt.Sprintf("%T", v)`.
fn type_of(v: &Value) -> &'static str {
    v.type_name()
}

pub(super) fn register(set: &mut FuncSet) {
    add(
        set,
        "typeOf",
        Func::new(&[Any], |a| Ok(Value::str(type_of(&a[0])))),
    );
    add(
        set,
        "typeIs",
        Func::new(&[Str, Any], |a| Ok(Value::Bool(s(a, 0) == type_of(&a[1])))),
    );
    add(
        set,
        "typeIsLike",
        Func::new(&[Str, Any], |a| {
            // Sprig also accepts the pointer type: `typeIsLike "semver.Version"`.
            let t = type_of(&a[1]);
            Ok(Value::Bool(
                s(a, 0) == t || t.strip_prefix('*') == Some(s(a, 0)),
            ))
        }),
    );
    add(
        set,
        "kindOf",
        Func::new(&[Any], |a| Ok(Value::str(kind_name(&a[0])))),
    );
    add(
        set,
        "kindIs",
        Func::new(&[Str, Any], |a| {
            Ok(Value::Bool(s(a, 0) == kind_name(&a[1])))
        }),
    );
    add(
        set,
        "deepEqual",
        Func::metered(&[Any, Any], |a, m| {
            Ok(Value::Bool(deep_equal(&a[0], &a[1], m, 0)?))
        }),
    );
}
