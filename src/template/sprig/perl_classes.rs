//! Go's (RE2's) meaning of `\d`, `\w`, `\s` and `\b`: ASCII only.
//!
//! The `regex` crate reads these Perl classes as Unicode classes, so `\w+` would match
//! all of `café` where Go matches `caf`. Patterns are rewritten before they are
//! compiled: each Perl class becomes the explicit ASCII class Go uses (`\s` is
//! `[\t\n\f\r ]`, without `\v`), inside brackets too, and `\b`/`\B` become the crate's
//! ASCII word boundaries. Everything else keeps its Unicode meaning, as in Go: `.`
//! and literals match whole characters, `\pL` and `[[:alpha:]]` are unchanged.

use regex_syntax::ast::{self, Ast, ClassPerlKind, ClassSetItem, Span, Visitor};

/// `pattern` with Go's ASCII meaning of the Perl classes spelled out; a pattern that
/// does not parse is returned as it is, for the compiler to report.
pub(super) fn ascii_perl_classes(pattern: &str) -> String {
    let Ok(parsed) = ast::parse::Parser::new().parse(pattern) else {
        return pattern.to_string();
    };
    let Ok(mut edits) = ast::visit(&parsed, Edits(Vec::new())) else {
        return pattern.to_string();
    };
    edits.sort_by_key(|(span, _)| span.start.offset);
    let mut out = String::with_capacity(pattern.len() + 16 * edits.len());
    let mut at = 0;
    for (span, replacement) in edits {
        out.push_str(&pattern[at..span.start.offset]);
        out.push_str(replacement);
        at = span.end.offset;
    }
    out.push_str(&pattern[at..]);
    out
}

/// Go's class for a Perl class, written so it also works nested inside brackets.
fn class(kind: &ClassPerlKind, negated: bool) -> &'static str {
    match (kind, negated) {
        (ClassPerlKind::Digit, false) => "[0-9]",
        (ClassPerlKind::Digit, true) => "[^0-9]",
        (ClassPerlKind::Word, false) => "[0-9A-Za-z_]",
        (ClassPerlKind::Word, true) => "[^0-9A-Za-z_]",
        (ClassPerlKind::Space, false) => r"[\t\n\f\r ]",
        (ClassPerlKind::Space, true) => r"[^\t\n\f\r ]",
    }
}

/// The replacements to make, by the span they replace.
struct Edits(Vec<(Span, &'static str)>);

impl Visitor for Edits {
    type Output = Vec<(Span, &'static str)>;
    type Err = ();

    fn finish(self) -> Result<Self::Output, ()> {
        Ok(self.0)
    }

    fn visit_pre(&mut self, ast: &Ast) -> Result<(), ()> {
        match ast {
            Ast::ClassPerl(c) => self.0.push((c.span, class(&c.kind, c.negated))),
            Ast::Assertion(a) => match a.kind {
                ast::AssertionKind::WordBoundary => self.0.push((a.span, r"(?-u:\b)")),
                ast::AssertionKind::NotWordBoundary => self.0.push((a.span, r"(?-u:\B)")),
                _ => {}
            },
            _ => {}
        }
        Ok(())
    }

    fn visit_class_set_item_pre(&mut self, item: &ClassSetItem) -> Result<(), ()> {
        if let ClassSetItem::Perl(c) = item {
            self.0.push((c.span, class(&c.kind, c.negated)));
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use regex::Regex;

    use super::ascii_perl_classes;

    fn find_all(pattern: &str, text: &str) -> Vec<String> {
        let re = Regex::new(&ascii_perl_classes(pattern)).unwrap();
        re.find_iter(text).map(|m| m.as_str().to_string()).collect()
    }

    #[test]
    fn perl_classes_are_ascii_like_go() {
        assert_eq!(find_all(r"\w+", "café"), ["caf"]);
        assert_eq!(find_all(r"[\w]+", "naïve"), ["na", "ve"]);
        assert_eq!(find_all(r"\d+", "١٢3"), ["3"]);
        assert_eq!(find_all(r"[^\W]+", "ab€c"), ["ab", "c"]);
        assert_eq!(find_all(r"\s", "a\u{a0}b\u{b} c"), [" "]);
        assert_eq!(find_all(r"\bé", "é"), Vec::<String>::new());
        assert_eq!(find_all(r"\pL+", "café"), ["café"]);
        assert_eq!(find_all(r".", "é"), ["é"]);
        assert_eq!(ascii_perl_classes(r"\\w"), r"\\w");
    }
}
