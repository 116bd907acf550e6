//! Address patterns: `*` matches any run of characters, everything else is literal.
//!
//! Terraform addresses carry brackets and quotes (`aws_instance.web["a"]`), so a richer glob
//! or a regular expression would make users escape the very characters they paste; one
//! wildcard covers "everything in this module" and "every instance of this resource".

use std::fmt;

/// One protected-address pattern, checked when it is read so that matching cannot fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
}

impl Pattern {
    /// Reads a pattern; the error says why it could never match anything useful.
    pub fn new(text: &str) -> Result<Pattern, String> {
        if text.is_empty() {
            return Err("a pattern cannot be empty: write an address such as `module.db.*`, or `*` for every resource".to_owned());
        }
        if text.trim() != text {
            return Err(format!(
                "the pattern `{text}` starts or ends with a space, so no address can match it"
            ));
        }
        Ok(Pattern {
            text: text.to_owned(),
        })
    }

    /// Whether `address` (the full instance address, module path included) matches.
    pub fn matches(&self, address: &str) -> bool {
        let mut pieces = self.text.split('*');
        // `split` yields at least one piece, even for an empty string.
        let first = pieces.next().unwrap_or_default();
        let Some(mut rest) = address.strip_prefix(first) else {
            return false;
        };
        let middle: Vec<&str> = pieces.collect();
        let Some((last, between)) = middle.split_last() else {
            // No `*`: the whole address must be the literal.
            return rest.is_empty();
        };
        for piece in between {
            match rest.find(piece) {
                Some(at) => rest = &rest[at + piece.len()..],
                None => return false,
            }
        }
        // The leftmost match of every middle piece leaves the most room for the last one.
        rest.len() >= last.len() && rest.ends_with(last)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    #[track_caller]
    fn case(pattern: &str, address: &str, expected: bool) {
        let pattern = Pattern::new(pattern).expect("a valid pattern");
        assert_eq!(
            pattern.matches(address),
            expected,
            "`{pattern}` against `{address}`"
        );
    }

    #[test]
    fn a_star_matches_any_run_of_characters() {
        case("module.db.*", "module.db.aws_db_instance.main", true);
        case(
            "module.db.*",
            "module.db.module.inner.aws_s3_bucket.b",
            true,
        );
        case("module.db.*", "module.dbx.aws_db_instance.main", false);
        case("module.db.*", "module.db.", true);
        case("aws_db_instance.*", "aws_db_instance.main", true);
        case("aws_db_instance.*", "aws_db_instance.main[0]", true);
        case("aws_db_instance.*", "module.db.aws_db_instance.main", false);
        case("*aws_db_instance.*", "module.db.aws_db_instance.main", true);
        case("*", "anything.at_all[\"x\"]", true);
        case("*.main", "module.a.aws_db_instance.main", true);
        case("*.main", "module.a.aws_db_instance.main2", false);
        case("module.*.aws_kms_key.*", "module.a.b.aws_kms_key.k", true);
        case("module.*.aws_kms_key.*", "module.a.aws_s3_bucket.k", false);
        case("a*a", "a", false);
        case("a*a", "aa", true);
        case("**", "", true);
    }

    #[test]
    fn everything_but_the_star_is_literal() {
        case("aws_instance.web[\"a\"]", "aws_instance.web[\"a\"]", true);
        case("aws_instance.web[\"a\"]", "aws_instance.web[\"b\"]", false);
        case("aws_instance.web[0]", "aws_instance.web[0]", true);
        case("aws_instance.web[?]", "aws_instance.web[0]", false);
        case("aws_instance.web.", "aws_instance_web_", false);
        case("module.db", "module.db.aws_db_instance.main", false);
        case("aws_instance.web[*]", "aws_instance.web[\"a\"]", true);
    }

    #[test]
    fn empty_and_space_padded_patterns_are_refused() {
        assert!(
            Pattern::new("")
                .expect_err("refused")
                .contains("cannot be empty")
        );
        assert!(
            Pattern::new(" module.db.*")
                .expect_err("refused")
                .contains("starts or ends with a space")
        );
        assert!(Pattern::new("module.db.* ").is_err());
        assert_eq!(
            Pattern::new("a[\"b c\"]").map(|p| p.to_string()),
            Ok("a[\"b c\"]".to_owned())
        );
    }
}
