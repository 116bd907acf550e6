//! The path patterns of GitHub's and GitLab's CODEOWNERS: gitignore's, with the two
//! platforms' documented differences.
//!
//! `*` matches within one path segment, `**` across segments, `?` one character; a leading
//! `/` anchors the pattern at the repository root and a trailing `/` makes it a directory,
//! which owns everything below it. A pattern whose last segment is a glob (`docs/*`) owns
//! only the files it names, not those in deeper directories, as GitHub documents; any
//! other pattern also owns what is below a directory it names, as in gitignore. A slash in
//! the middle anchors the pattern on GitHub (gitignore's rule) but not on GitLab, which
//! treats every pattern without a leading `/` as starting with `**/`. Character ranges
//! (`[a-z]`) are not supported by GitHub and are read literally. A backslash makes the next
//! character literal (`\ ` for a space, `\#`, `\*`).

use regex::Regex;

/// Where a pattern may match, beyond a leading `/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Anchoring {
    /// gitignore's: a slash anywhere but at the end anchors (GitHub).
    SlashAnywhere,
    /// Only a leading slash anchors (GitLab).
    LeadingSlash,
}

/// A compiled path pattern.
#[derive(Debug, Clone)]
pub(super) struct Glob {
    regex: Regex,
}

impl Glob {
    /// Compiles `pattern` as written in a CODEOWNERS file (escapes included).
    pub(super) fn new(pattern: &str, anchoring: Anchoring) -> Result<Glob, String> {
        let (rooted, rest) = match pattern.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, pattern),
        };
        let (directory, rest) = match rest.strip_suffix('/').filter(|r| !r.ends_with('\\')) {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        if rest.is_empty() {
            return Err(format!("`{pattern}` names no path"));
        }
        let anchored = rooted || (anchoring == Anchoring::SlashAnywhere && rest.contains('/'));
        let (body, ends_in_glob) = translate(rest);
        let head = if anchored { "^" } else { "^(?:.*/)?" };
        let tail = if directory {
            "/.*$"
        } else if ends_in_glob {
            "$"
        } else {
            "(?:/.*)?$"
        };
        Regex::new(&format!("{head}{body}{tail}"))
            .map(|regex| Glob { regex })
            .map_err(|e| format!("`{pattern}` is not a pattern tfnotify can read: {e}"))
    }

    /// Whether the file at `path` (relative to the root, `/`-separated, no leading `/`)
    /// matches.
    pub(super) fn matches(&self, path: &str) -> bool {
        self.regex.is_match(path)
    }
}

/// The regex for a pattern's body, and whether its last character is an unescaped glob.
fn translate(pattern: &str) -> (String, bool) {
    let mut out = String::new();
    let mut chars = pattern.chars().peekable();
    let mut glob_last = false;
    while let Some(c) = chars.next() {
        glob_last = false;
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    out.push_str(&regex::escape(&next.to_string()));
                }
            }
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                    out.push_str("(?:.*/)?");
                } else {
                    out.push_str(".*");
                    glob_last = true;
                }
            }
            '*' => {
                out.push_str("[^/]*");
                glob_last = true;
            }
            '?' => {
                out.push_str("[^/]");
                glob_last = true;
            }
            _ => out.push_str(&regex::escape(&c.to_string())),
        }
    }
    (out, glob_last)
}

#[cfg(test)]
mod tests {
    use super::{Anchoring, Glob};

    #[track_caller]
    fn case(pattern: &str, anchoring: Anchoring, yes: &[&str], no: &[&str]) {
        let glob = Glob::new(pattern, anchoring).expect("pattern");
        for path in yes {
            assert!(glob.matches(path), "`{pattern}` should match `{path}`");
        }
        for path in no {
            assert!(!glob.matches(path), "`{pattern}` should not match `{path}`");
        }
    }

    #[test]
    fn github_documented_patterns() {
        let gh = Anchoring::SlashAnywhere;
        case("*", gh, &["a.tf", "x/y/z.tf"], &[]);
        case("*.js", gh, &["a.js", "src/x/a.js"], &["a.jsx", "a.ts"]);
        case(
            "/build/logs/",
            gh,
            &["build/logs/a.log", "build/logs/x/y"],
            &["x/build/logs/a"],
        );
        case(
            "docs/*",
            gh,
            &["docs/getting-started.md"],
            &["docs/build-app/troubleshooting.md"],
        );
        case("apps/", gh, &["apps/a", "x/apps/b/c"], &["apps"]);
        case("/docs/", gh, &["docs/a/b.md"], &["x/docs/a.md"]);
        case(
            "**/logs",
            gh,
            &["logs/a", "build/logs/a", "deeply/nested/logs/x"],
            &["logsx/a"],
        );
        case("/scripts/", gh, &["scripts/a.sh"], &["x/scripts/a.sh"]);
        case(
            "services/api",
            gh,
            &["services/api/main.tf"],
            &["x/services/api/main.tf"],
        );
        case(
            "/services/api/**",
            gh,
            &["services/api/main.tf", "services/api/m/x.tf"],
            &["services/apix/a"],
        );
        case(
            "path\\ with\\ spaces/",
            gh,
            &["path with spaces/a"],
            &["path/a"],
        );
        case("\\#file.rb", gh, &["#file.rb"], &["file.rb"]);
        case("a?.tf", gh, &["ab.tf"], &["a/.tf", "abc.tf"]);
    }

    #[test]
    fn gitlab_anchors_only_at_a_leading_slash() {
        let gl = Anchoring::LeadingSlash;
        case(
            "ee/docs",
            gl,
            &["ee/docs/a.md", "x/ee/docs/a.md"],
            &["ee/docsx"],
        );
        case("/docs/*", gl, &["docs/a.md"], &["docs/a/b.md"]);
        case(
            "/docs/**/*.md",
            gl,
            &["docs/a.md", "docs/a/b.md"],
            &["docs/a.txt", "x/docs/a.md"],
        );
        case(
            "README.md",
            gl,
            &["README.md", "a/b/README.md"],
            &["README.mdx"],
        );
        case("lib/", gl, &["lib/a.rb", "x/lib/a.rb"], &["lib"]);
    }

    #[test]
    fn a_pattern_naming_nothing_is_refused() {
        assert!(Glob::new("/", Anchoring::SlashAnywhere).is_err());
    }
}
