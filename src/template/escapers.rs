//! The escaping functions html/template appends to pipelines
//! (`_html_template_htmlescaper`, `..._attrescaper`, `..._nospaceescaper`,
//! `..._urlfilter`, `..._urlnormalizer`, `..._urlescaper`), with Go's tables.
//!
//! Escaping can make text up to eight times longer, so the growing escapers stop, with
//! `None`, once their result would pass the room the caller has left.

use std::fmt::Write as _;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Html,
    HtmlNorm,
    Nospace,
    NospaceNorm,
}

/// Go's `htmlReplacer` with its replacement tables; `None` past `cap` bytes.
pub(crate) fn html_replace(s: &str, table: Table, cap: usize) -> Option<String> {
    let mut out = String::with_capacity(s.len().min(cap) + 8);
    let nospace = matches!(table, Table::Nospace | Table::NospaceNorm);
    for c in s.chars() {
        if out.len() > cap {
            return None;
        }
        let rep: Option<&str> = match c {
            '\0' => Some(if nospace { "&#xfffd;" } else { "\u{fffd}" }),
            '"' => Some("&#34;"),
            '&' if matches!(table, Table::Html | Table::Nospace) => Some("&amp;"),
            '\'' => Some("&#39;"),
            '+' => Some("&#43;"),
            '<' => Some("&lt;"),
            '>' => Some("&gt;"),
            '\t' if nospace => Some("&#9;"),
            '\n' if nospace => Some("&#10;"),
            '\u{b}' if nospace => Some("&#11;"),
            '\u{c}' if nospace => Some("&#12;"),
            '\r' if nospace => Some("&#13;"),
            ' ' if nospace => Some("&#32;"),
            '=' if nospace => Some("&#61;"),
            '`' if nospace => Some("&#96;"),
            _ => None,
        };
        match rep {
            Some(r) => out.push_str(r),
            None if nospace
                && (('\u{fdd0}'..='\u{fdef}').contains(&c)
                    || ('\u{fff0}'..='\u{ffff}').contains(&c)) =>
            {
                let _ = write!(out, "&#x{:x};", c as u32);
            }
            None => out.push(c),
        }
    }
    (out.len() <= cap).then_some(out)
}

/// A rough `stripTags`: drops `<...>` runs from trusted HTML used in an attribute.
pub(crate) fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Go's `urlFilter`: only http, https, mailto or scheme-less URLs pass.
pub(crate) fn url_filter(s: &str) -> String {
    if let Some((scheme, _)) = s.split_once(':')
        && !scheme.contains('/')
        && !["http", "https", "mailto"]
            .iter()
            .any(|ok| scheme.eq_ignore_ascii_case(ok))
    {
        return "#ZgotmplZ".to_string();
    }
    s.to_string()
}

/// Go's `processURLOnto`: percent-encodes what may not appear in a URL; with `norm`,
/// reserved characters and existing escapes are kept. `None` past `cap` bytes.
pub(crate) fn url_process(s: &str, norm: bool, cap: usize) -> Option<String> {
    let mut out = String::with_capacity(s.len().min(cap) + 16);
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if out.len() > cap {
            return None;
        }
        let keep = match b {
            b'!' | b'#' | b'$' | b'&' | b'*' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?'
            | b'@' | b'[' | b']' => norm,
            // When normalising, valid escapes are not re-encoded.
            b'%' => {
                norm && i + 2 < bytes.len()
                    && bytes[i + 1].is_ascii_hexdigit()
                    && bytes[i + 2].is_ascii_hexdigit()
            }
            b'-' | b'.' | b'_' | b'~' => true,
            b if b.is_ascii_alphanumeric() => true,
            _ => false,
        };
        if keep {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02x}");
        }
    }
    (out.len() <= cap).then_some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{Table, html_replace, url_filter, url_process};

    #[test]
    fn tables() {
        assert_eq!(
            html_replace("a b=\"c\"", Table::Nospace, 100).unwrap(),
            "a&#32;b&#61;&#34;c&#34;"
        );
        assert_eq!(url_filter("JavaScript:x"), "#ZgotmplZ");
        assert_eq!(url_process("a b/é", true, 100).unwrap(), "a%20b/%c3%a9");
        assert_eq!(html_replace("\0\0", Table::Nospace, 15), None);
        assert_eq!(url_process("éé", true, 11), None);
    }
}
