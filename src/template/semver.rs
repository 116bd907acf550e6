//! The `*semver.Version` values sprig's `semver` returns.
//!
//! Sprig parses versions with Masterminds/semver v3, which is more lenient than the
//! semantic versioning spec: a `v` prefix and missing minor or patch numbers are
//! accepted (`v1.2` is `1.2.0`), and the text as written is kept for `.Original`. The
//! numbers, pre-release and build metadata are held in the `semver` crate's
//! [`::semver::Version`], whose precedence order is Masterminds' too.

use std::cmp::Ordering;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

/// Masterminds' `semVerRegex`, anchored. White space classes are spelled out because
/// Go's are ASCII-only.
static VERSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?",
        r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?",
        r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$"
    ))
    .unwrap_or_else(|e| unreachable!("the version pattern compiles: {e}"))
});

/// A parsed version plus the text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemVer {
    version: ::semver::Version,
    original: String,
}

impl SemVer {
    /// Masterminds' `NewVersion`, with its error messages.
    pub fn parse(text: &str) -> Result<SemVer, String> {
        let m = VERSION
            .captures(text)
            .ok_or_else(|| "Invalid Semantic Version".to_string())?;
        let number = |i: usize| -> Result<u64, String> {
            let Some(digits) = m.get(i) else {
                return Ok(0);
            };
            let digits = digits.as_str().trim_start_matches('.');
            digits.parse().map_err(|_| {
                format!(
                    "Error parsing version segment: strconv.ParseUint: parsing \"{digits}\": value out of range"
                )
            })
        };
        let (major, minor, patch) = (number(1)?, number(2)?, number(3)?);
        let pre = m.get(5).map_or("", |p| p.as_str());
        let meta = m.get(8).map_or("", |p| p.as_str());
        for part in pre.split('.').filter(|_| !pre.is_empty()) {
            if part.len() > 1 && part.starts_with('0') && part.bytes().all(|b| b.is_ascii_digit()) {
                return Err("Version segment starts with 0".into());
            }
        }
        let pre = ::semver::Prerelease::new(pre).map_err(|_| "Invalid Prerelease string")?;
        let build = ::semver::BuildMetadata::new(meta).map_err(|_| "Invalid Metadata string")?;
        Ok(SemVer {
            version: ::semver::Version {
                major,
                minor,
                patch,
                pre,
                build,
            },
            original: text.to_string(),
        })
    }

    /// `.Major`.
    pub fn major(&self) -> u64 {
        self.version.major
    }

    /// `.Minor`.
    pub fn minor(&self) -> u64 {
        self.version.minor
    }

    /// `.Patch`.
    pub fn patch(&self) -> u64 {
        self.version.patch
    }

    /// `.Prerelease`: the part after `-`, or empty.
    pub fn prerelease(&self) -> &str {
        self.version.pre.as_str()
    }

    /// `.Metadata`: the part after `+`, or empty.
    pub fn metadata(&self) -> &str {
        self.version.build.as_str()
    }

    /// `.Original`: the text as the template wrote it.
    pub fn original(&self) -> &str {
        &self.original
    }

    /// Masterminds' `Compare`: precedence, build metadata ignored.
    pub fn compare(&self, other: &SemVer) -> Ordering {
        self.version.cmp_precedence(&other.version)
    }

    /// The value of the method `name` called without arguments, as Go's template
    /// engine would call it; `None` when `*semver.Version` has no such method.
    pub(crate) fn method(&self, name: &str) -> Option<MethodResult> {
        Some(match name {
            "Major" => MethodResult::Uint(self.major()),
            "Minor" => MethodResult::Uint(self.minor()),
            "Patch" => MethodResult::Uint(self.patch()),
            "Prerelease" => MethodResult::Text(self.prerelease().to_string()),
            "Metadata" => MethodResult::Text(self.metadata().to_string()),
            "Original" => MethodResult::Text(self.original.clone()),
            "String" => MethodResult::Text(self.to_string()),
            "IncMajor" | "IncMinor" | "IncPatch" | "SetPrerelease" | "SetMetadata" | "LessThan"
            | "GreaterThan" | "Equal" | "Compare" | "MarshalJSON" | "MarshalText"
            | "UnmarshalJSON" | "UnmarshalText" | "Scan" | "Value" => MethodResult::Unsupported,
            _ => return None,
        })
    }
}

/// What calling a version's method gives.
pub(crate) enum MethodResult {
    Uint(u64),
    Text(String),
    /// A real method of `*semver.Version` that needs arguments or returns a type the
    /// engine does not model.
    Unsupported,
}

impl fmt::Display for SemVer {
    /// Masterminds' `String()`: the canonical form, `1.2.0` for `v1.2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.version)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::cmp::Ordering;

    use super::SemVer;

    #[test]
    fn lenient_versions_are_completed() {
        let v = SemVer::parse("v1.2-beta.1+build.5").unwrap();
        assert_eq!(v.to_string(), "1.2.0-beta.1+build.5");
        assert_eq!(v.original(), "v1.2-beta.1+build.5");
        assert_eq!(
            SemVer::parse("1.0.0-01").unwrap_err(),
            "Version segment starts with 0"
        );
        assert_eq!(SemVer::parse("x").unwrap_err(), "Invalid Semantic Version");
    }

    #[test]
    fn precedence_ignores_metadata() {
        let a = SemVer::parse("1.0.0+a").unwrap();
        let b = SemVer::parse("1.0.0+b").unwrap();
        assert_eq!(a.compare(&b), Ordering::Equal);
        let pre = SemVer::parse("1.0.0-alpha.10").unwrap();
        let pre2 = SemVer::parse("1.0.0-alpha.9").unwrap();
        assert_eq!(pre.compare(&pre2), Ordering::Greater);
    }
}
