//! Sprig's `semver` and `semverCompare` (`semver.go`), on Masterminds/semver v3's
//! rules (see `constraint.rs` and [`SemVer`]).

use std::rc::Rc;

use crate::template::funcs::{Func, FuncSet};
use crate::template::semver::SemVer;
use crate::template::sprig::constraint::Constraints;
use crate::template::sprig::{Str, add, s};
use crate::template::value::Value;

pub(super) fn register(set: &mut FuncSet) {
    add(
        set,
        "semver",
        Func::new(&[Str], |a| {
            Ok(Value::Semver(Rc::new(SemVer::parse(s(a, 0))?)))
        }),
    );
    add(
        set,
        "semverCompare",
        Func::new(&[Str, Str], |a| {
            let constraint = Constraints::parse(s(a, 0))?;
            let version = SemVer::parse(s(a, 1))?;
            Ok(Value::Bool(constraint.check(&version)))
        }),
    );
}
