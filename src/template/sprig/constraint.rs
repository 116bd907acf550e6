//! Masterminds/semver v3 constraints, what sprig's `semverCompare` checks against.
//!
//! The language is Masterminds', not Cargo's: `1.2` means `~1.2` (any 1.2.x), `~1.2`
//! and `^1.2` follow npm, `x`, `X` and `*` are wildcards, `1 - 2` is a range, a
//! comma or white space means "and", `||` means "or", and a pre-release version only
//! satisfies a constraint that names a pre-release itself. Masterminds parses with
//! regular expressions, and so does this port, with the same expressions: which
//! strange inputs pass (`>=1|2`) is part of the behaviour. Go's `\s` is ASCII, so it
//! is spelled out here.

use std::cmp::Ordering;
use std::sync::LazyLock;

use regex::Regex;

use crate::template::semver::SemVer;

/// Go's `\s`.
const WS: &str = r"[\t\n\f\r ]";
/// The operators, in Masterminds' order (the empty one second, as there).
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
/// A constraint's version: numbers or wildcards, then pre-release and metadata.
const CV: &str = concat!(
    r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?",
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?",
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
);

fn compile(pattern: &str) -> Regex {
    let pattern = pattern.replace("{ws}", WS).replace("{ops}", OPS);
    let pattern = pattern.replace("{cv}", CV);
    Regex::new(&pattern).unwrap_or_else(|e| unreachable!("constraint patterns compile: {e}"))
}

static ONE: LazyLock<Regex> = LazyLock::new(|| compile(r"^{ws}*({ops}){ws}*({cv}){ws}*$"));
static RANGE: LazyLock<Regex> = LazyLock::new(|| compile(r"{ws}*({cv}){ws}+-{ws}+({cv}){ws}*"));
static FIND: LazyLock<Regex> = LazyLock::new(|| compile(r"({ops}){ws}*({cv})"));
static VALID: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"^({ws}*({ops}){ws}*({cv}){ws}*)((?:{ws}+|,{ws}*)({ops}){ws}*({cv}){ws}*)*$")
});

/// A parsed constraint: alternatives (`||`), each a list that must all hold.
pub(super) struct Constraints(Vec<Vec<Constraint>>);

struct Constraint {
    con: SemVer,
    op: String,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

impl Constraints {
    /// Masterminds' `NewConstraint`, with its error messages.
    pub(super) fn parse(text: &str) -> Result<Constraints, String> {
        let text = rewrite_range(text);
        let mut or = Vec::new();
        for part in text.split("||") {
            if !VALID.is_match(part) {
                return Err(format!("improper constraint: {part}"));
            }
            let found: Vec<&str> = FIND.find_iter(part).map(|m| m.as_str()).collect();
            let found = if found.is_empty() { vec![part] } else { found };
            or.push(found.into_iter().map(parse_one).collect::<Result<_, _>>()?);
        }
        Ok(Constraints(or))
    }

    /// Masterminds' `Check`: whether any alternative holds entirely.
    pub(super) fn check(&self, v: &SemVer) -> bool {
        self.0.iter().any(|all| all.iter().all(|c| c.check(v)))
    }
}

/// `1.2 - 1.4` becomes `>= 1.2, <= 1.4`, as Masterminds' `rewriteRange` does.
fn rewrite_range(text: &str) -> String {
    let mut out = text.to_string();
    for m in RANGE.captures_iter(text) {
        let (whole, low, high) = (&m[0], &m[1], m.get(11).map_or("", |g| g.as_str()));
        out = out.replacen(whole, &format!(">= {low}, <= {high}"), 1);
    }
    out
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

fn parse_one(text: &str) -> Result<Constraint, String> {
    if text.is_empty() {
        return Ok(Constraint {
            con: SemVer::parse("0.0.0")?,
            op: String::new(),
            minor_dirty: false,
            patch_dirty: false,
            dirty: true,
        });
    }
    let m = ONE
        .captures(text)
        .ok_or_else(|| format!("improper constraint: {text}"))?;
    let g = |i: usize| m.get(i).map_or("", |g| g.as_str());
    let (major, minor, patch, pre) = (g(3), g(4), g(5), g(6));
    let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
    let version = if is_x(major) || major.is_empty() {
        dirty = true;
        format!("0.0.0{pre}")
    } else if is_x(minor.trim_start_matches('.')) || minor.is_empty() {
        (minor_dirty, dirty) = (true, true);
        format!("{major}.0.0{pre}")
    } else if is_x(patch.trim_start_matches('.')) || patch.is_empty() {
        (patch_dirty, dirty) = (true, true);
        format!("{major}{minor}.0{pre}")
    } else {
        g(2).to_string()
    };
    let con = SemVer::parse(&version).map_err(|_| "constraint Parser Error".to_string())?;
    Ok(Constraint {
        con,
        op: g(1).to_string(),
        minor_dirty,
        patch_dirty,
        dirty,
    })
}

impl Constraint {
    /// Masterminds' `constraintOps[op]`, without the explanations it drops anyway.
    fn check(&self, v: &SemVer) -> bool {
        let c = &self.con;
        // Every operator refuses a pre-release unless the constraint names one.
        let pre_refused = !v.prerelease().is_empty() && c.prerelease().is_empty();
        match self.op.as_str() {
            "!=" => self.not_equal(v),
            _ if pre_refused => false,
            "" | "=" if self.dirty => self.tilde(v),
            "" | "=" => v.compare(c) == Ordering::Equal,
            ">" => self.greater(v),
            "<" => v.compare(c) == Ordering::Less,
            ">=" | "=>" => v.compare(c) != Ordering::Less,
            "<=" | "=<" => self.less_equal(v),
            "~" | "~>" => self.tilde(v),
            "^" => self.caret(v),
            _ => false,
        }
    }

    fn not_equal(&self, v: &SemVer) -> bool {
        let c = &self.con;
        if self.dirty {
            if !v.prerelease().is_empty() && c.prerelease().is_empty() {
                return false;
            }
            if c.major() != v.major() {
                return true;
            }
            if c.minor() != v.minor() && !self.minor_dirty {
                return true;
            } else if self.minor_dirty {
                return false;
            } else if c.patch() != v.patch() && !self.patch_dirty {
                return true;
            } else if self.patch_dirty {
                if !v.prerelease().is_empty() || !c.prerelease().is_empty() {
                    return compare_prerelease(v.prerelease(), c.prerelease()) != Ordering::Equal;
                }
                return false;
            }
        }
        v.compare(c) != Ordering::Equal
    }

    fn greater(&self, v: &SemVer) -> bool {
        let c = &self.con;
        if !self.dirty {
            return v.compare(c) == Ordering::Greater;
        }
        if v.major() != c.major() {
            return v.major() > c.major();
        }
        if self.minor_dirty {
            return false;
        }
        if self.patch_dirty {
            return v.minor() > c.minor();
        }
        v.compare(c) == Ordering::Greater
    }

    fn less_equal(&self, v: &SemVer) -> bool {
        let c = &self.con;
        if !self.dirty {
            return v.compare(c) != Ordering::Greater;
        }
        if v.major() > c.major() {
            return false;
        }
        !(v.major() == c.major() && v.minor() > c.minor() && !self.minor_dirty)
    }

    fn tilde(&self, v: &SemVer) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major() == 0
            && c.minor() == 0
            && c.patch() == 0
            && !self.minor_dirty
            && !self.patch_dirty
        {
            return true;
        }
        v.major() == c.major() && (v.minor() == c.minor() || self.minor_dirty)
    }

    fn caret(&self, v: &SemVer) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major() > 0 || self.minor_dirty {
            return v.major() == c.major();
        }
        if v.major() > 0 {
            return false;
        }
        if c.minor() > 0 || self.patch_dirty {
            return v.minor() == c.minor();
        }
        if v.minor() > 0 {
            return false;
        }
        c.patch() == v.patch()
    }
}

/// Masterminds' `comparePrerelease`: part by part, numbers below words, a missing part
/// below any other.
fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for i in 0..a.len().max(b.len()) {
        let (s, o) = (
            a.get(i).copied().unwrap_or(""),
            b.get(i).copied().unwrap_or(""),
        );
        let d = compare_pre_part(s, o);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) if s > o => Ordering::Greater,
        (Err(_) | Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(si), Ok(oi)) if si > oi => Ordering::Greater,
        (Ok(_), Ok(_)) => Ordering::Less,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::Constraints;
    use crate::template::semver::SemVer;

    #[track_caller]
    fn case(constraint: &str, version: &str, want: bool) {
        let c = Constraints::parse(constraint).unwrap();
        let v = SemVer::parse(version).unwrap();
        assert_eq!(c.check(&v), want, "{constraint} vs {version}");
    }

    #[test]
    fn masterminds_operators() {
        case("~1.2", "1.2.9", true);
        case("~1.2", "1.3.0", false);
        case("^1.2", "1.9.0", true);
        case("^0.2", "0.3.0", false);
        case(">= 1.2, < 2.0", "1.5.0", true);
        case(">= 1.2, < 2.0", "2.0.0", false);
        case("1.2.x", "1.2.7", true);
        case("<1.0 || >=3", "3.1.0", true);
        case("1.1 - 1.3", "1.3.0", true);
        case(">1.0", "1.1.0-beta", false);
        case(">1.0-0", "1.1.0-beta", true);
    }

    #[test]
    fn bad_constraints_name_the_part() {
        let err = Constraints::parse("> 1 || foo").err().unwrap();
        assert_eq!(err, "improper constraint:  foo");
    }
}
