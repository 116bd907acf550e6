//! The forms a secret takes when Terraform, a JSON encoder or a URL prints it.
//!
//! A value listed with `env:NAME` is rarely printed only as it is. Terraform quotes strings
//! in plan diffs and diagnostics (`"Pa\"ss\\w0rd"`), JSON encoders escape them (Go's writes
//! `<` as `\u003c`), a URL percent-encodes them, and coloured output may put an escape
//! sequence between any two characters. [`pattern`] builds one regular expression that
//! matches every one of these spellings, and any mix of them, so each literal mask hides
//! the secret however it was written.
//!
//! Each character of the secret becomes a group of its spellings:
//!
//! - as it is;
//! - JSON-escaped: `\"`, `\\`, `\/`, `\n`, `\r`, `\t`, `\b`, `\f`, and `\uHHHH` (any hex
//!   case) for every character, as a surrogate pair above U+FFFF;
//! - quoted by Terraform (HCL, or Go's `strconv.Quote`): `\"`, `\\`, `\n`, `\r`, `\t`,
//!   `\a`, `\v`, `\xHH` and `\uHHHH` for control characters, `\UHHHHHHHH` above U+FFFF, and
//!   `$${` / `%%{` for template introducers; each of these quoted spellings also
//!   JSON-escaped once more, which is how `terraform plan -json` prints a quoted value in a
//!   diagnostic;
//! - percent-encoded byte by byte (any hex case), and `+` for a space, as in a form body.
//!
//! Between two characters, any number of CSI escape sequences (`ESC [ … final`, which is
//! what colour codes are) may stand; before the first and after the last they are not part
//! of the match, so codes around a secret survive masking.

use std::fmt::Write as _;

/// Any run of CSI escape sequences: colour codes such as `ESC[0m` or `ESC[1;32m`.
pub(super) const COLOUR_CODES: &str = r"(?:\x1B\[[0-?]*[ -/]*[@-~])*";

/// A regular expression matching `secret` in every form the module doc lists.
pub(super) fn pattern(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let mut out = String::with_capacity(secret.len() * 32);
    for (index, &c) in chars.iter().enumerate() {
        if index > 0 {
            out.push_str(COLOUR_CODES);
        }
        let before_brace = chars.get(index + 1) == Some(&'{');
        out.push_str(&spellings(c, before_brace));
    }
    out
}

/// Every spelling of one character, as a non-capturing group.
fn spellings(c: char, before_brace: bool) -> String {
    let mut alternatives = vec![json(c)];
    for quoted in quoted(c, before_brace) {
        // The quoted form as it is, and JSON-escaped once more.
        alternatives.push(quoted.chars().map(json).collect());
    }
    alternatives.push(percent(c));
    if c == ' ' {
        alternatives.push(r"\+".to_owned());
    }
    format!("(?:{})", alternatives.join("|"))
}

/// `c` in a JSON string: itself, its short escape if it has one, or `\uHHHH`.
fn json(c: char) -> String {
    let mut forms = vec![regex::escape(c.encode_utf8(&mut [0; 4]))];
    let short = match c {
        '"' => Some(r#"\\""#),
        '\\' => Some(r"\\\\"),
        '/' => Some(r"\\/"),
        '\n' => Some(r"\\n"),
        '\r' => Some(r"\\r"),
        '\t' => Some(r"\\t"),
        '\u{8}' => Some(r"\\b"),
        '\u{c}' => Some(r"\\f"),
        _ => None,
    };
    forms.extend(short.map(str::to_owned));
    let mut units = [0_u16; 2];
    let escaped = c
        .encode_utf16(&mut units)
        .iter()
        .fold(String::new(), |mut out, unit| {
            let _ = write!(out, r"\\u{}", hex(u32::from(*unit), 4));
            out
        });
    forms.push(escaped);
    group(&forms)
}

/// How Terraform may quote `c` (HCL's escapes, and Go's `strconv.Quote` for control
/// characters), as plain text; empty when it is always printed as it is.
fn quoted(c: char, before_brace: bool) -> Vec<String> {
    let code = u32::from(c);
    let mut forms: Vec<String> = match c {
        '"' => vec![r#"\""#.to_owned()],
        '\\' => vec![r"\\".to_owned()],
        '\n' => vec![r"\n".to_owned()],
        '\r' => vec![r"\r".to_owned()],
        '\t' => vec![r"\t".to_owned()],
        '\u{7}' => vec![r"\a".to_owned()],
        '\u{8}' => vec![r"\b".to_owned()],
        '\u{b}' => vec![r"\v".to_owned()],
        '\u{c}' => vec![r"\f".to_owned()],
        '$' | '%' if before_brace => vec![format!("{c}{c}")],
        _ => Vec::new(),
    };
    if c.is_control() {
        forms.push(format!(r"\u{code:04x}"));
        if code < 0x80 {
            forms.push(format!(r"\x{code:02x}"));
        }
    }
    if code > 0xFFFF {
        forms.push(format!(r"\U{code:08x}"));
    }
    forms
}

/// `c` percent-encoded, each UTF-8 byte as `%XX` in either hex case.
fn percent(c: char) -> String {
    let mut bytes = [0; 4];
    c.encode_utf8(&mut bytes)
        .bytes()
        .fold(String::new(), |mut out, byte| {
            let _ = write!(out, "%{}", hex(u32::from(byte), 2));
            out
        })
}

/// A hex number of `width` digits as a pattern that accepts either case of its letters.
fn hex(value: u32, width: usize) -> String {
    format!("{value:0width$x}")
        .chars()
        .map(|digit| {
            if digit.is_ascii_alphabetic() {
                format!("[{digit}{}]", digit.to_ascii_uppercase())
            } else {
                digit.to_string()
            }
        })
        .collect()
}

/// Alternatives as one group; a lone alternative needs none.
fn group(forms: &[String]) -> String {
    if forms.len() == 1 {
        forms[0].clone()
    } else {
        format!("(?:{})", forms.join("|"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::pattern;

    const SECRET: &str = r#"Pa"ss\w0rd&<db>${env}"#;

    #[track_caller]
    fn matches(secret: &str, text: &str) -> bool {
        let re = regex::Regex::new(&format!("^(?:{})$", pattern(secret))).unwrap();
        re.is_match(text)
    }

    #[test]
    fn the_secret_as_it_is() {
        assert!(matches(SECRET, SECRET));
        assert!(matches("a.b*c", "a.b*c"));
        assert!(!matches("a.b*c", "axbbc"), "a literal, not a regexp");
        assert!(matches("héllo wörld 😀", "héllo wörld 😀"));
    }

    #[test]
    fn quoted_by_terraform() {
        // What Terraform 1.11 prints in a plan diff and in a diagnostic's values.
        assert!(matches(SECRET, r#"Pa\"ss\\w0rd&<db>${env}"#));
        // HCL doubles template introducers.
        assert!(matches(SECRET, r#"Pa\"ss\\w0rd&<db>$${env}"#));
        assert!(matches("50%{x}", "50%%{x}"));
        assert!(!matches("$$x", "$$$$x"), "only before `{{`");
        assert!(matches("line\nnext\ttab", r"line\nnext\ttab"));
        assert!(matches("bell\u{7}esc\u{1b}", r"bell\aesc\x1b"));
        assert!(matches("esc\u{1b}", r"esc\u001b"));
        assert!(matches("😀", r"\U0001f600"));
    }

    #[test]
    fn json_escaped() {
        // Go's encoder, as in `terraform show -json` and the `-json` log.
        assert!(matches(SECRET, r#"Pa\"ss\\w0rd\u0026\u003cdb\u003e${env}"#));
        assert!(matches("a\u{2028}b\u{2029}", r"a\u2028b\u2029"));
        assert!(matches("<>", r"\u003C\u003E"), "upper-case hex");
        assert!(
            matches("abc", r"\u0061b\u0063"),
            "any character may be escaped"
        );
        assert!(matches("a/b", r"a\/b"));
        assert!(matches("😀", r"\ud83d\ude00"));
        assert!(matches("😀", r"\uD83D\uDE00"));
        assert!(matches("x\n\r\t\u{8}\u{c}", r"x\n\r\t\b\f"));
    }

    #[test]
    fn quoted_then_json_escaped() {
        // `terraform plan -json`: `"statement":"is \"Pa\\\"ss…\""`.
        assert!(matches(
            SECRET,
            r#"Pa\\\"ss\\\\w0rd\u0026\u003cdb\u003e${env}"#
        ));
    }

    #[test]
    fn percent_encoded() {
        assert!(matches(SECRET, "Pa%22ss%5Cw0rd%26%3Cdb%3E%24%7Benv%7D"));
        assert!(matches(SECRET, "Pa%22ss%5cw0rd%26%3cdb%3e%24%7benv%7d"));
        assert!(matches("a b", "a%20b"));
        assert!(matches("a b", "a+b"), "a space in a form body");
        assert!(matches("é", "%C3%A9"));
        assert!(
            matches("prod", "%70rod"),
            "an unreserved byte encoded anyway"
        );
        assert!(!matches("a+b", "a b"));
    }

    #[test]
    fn split_by_colour_codes() {
        assert!(matches(
            SECRET,
            "Pa\"s\x1b[0ms\\w0\x1b[1m\x1b[31mrd&<db>${env}"
        ));
        assert!(matches("abc", "a\x1b[0mb\x1b[38;5;208mc"));
        assert!(
            !matches("abc", "\x1b[1mabc"),
            "codes before are not the secret's"
        );
        assert!(!matches("abc", "abc\x1b[0m"), "nor codes after it");
        assert!(!matches("abc", "a\x1b]0;title\x07bc"), "only CSI sequences");
    }

    #[test]
    fn nothing_else() {
        assert!(!matches(SECRET, r#"Pa"ss\w0rd&<db>${env"#));
        assert!(!matches("abc", "ab"));
        assert!(!matches("abc", "a c"));
        assert!(!matches("abc", "ABC"));
    }
}
