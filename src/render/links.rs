//! Keeping untrusted text from becoming a link.
//!
//! Every destination turns more than its link syntax into links: GitHub, GitLab, Discord,
//! Slack and Mattermost link a bare `https://…` or `www.…` and an e-mail address;
//! Mattermost, Teams and Discord render `[text](url)`, and Mattermost and Teams show
//! `![alt](url)` as an image fetched from anywhere. Terraform's words (resource keys,
//! reasons, diagnostics) are written by module authors, so a plan could put a link to
//! anywhere into a review comment or a channel. [`unlink`] breaks each of these forms with
//! an invisible word joiner: the text reads the same and links nowhere. It runs inside
//! every notation's escape for Terraform's text (`mdEscape`, `slackEscape`,
//! `chatworkEscape`, `teamsEscape`), never on what tfnotify writes itself (the CI link).
//!
//! A backslash would not do everywhere: Slack and Chatwork show it, and autolinks are
//! found in the rendered text, where `https\://` is `https://` again.

/// An invisible word joiner (U+2060): it ends a link, a mention or a Markdown construct
/// where it stands, and shows nothing.
pub(crate) const WORD_JOINER: char = '\u{2060}';

/// `text` with a word joiner wherever a link could start or be read:
/// - after `]` before `(`, `[` or `:` (inline links and images, reference links and their
///   definitions);
/// - after `<` before a letter (autolinks `<https://…>`, Slack's `<url|text>`);
/// - after the `:` of `://` and of `mailto:` (bare URLs of any scheme);
/// - after a `www` that starts a word, before its `.`;
/// - after every `@` (e-mail addresses, and mentions);
/// - after every `.` of the host or address such a break began, up to the next white
///   space, so what follows is no bare domain name either.
pub(crate) fn unlink(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_address = false;
    for (i, &c) in chars.iter().enumerate() {
        out.push(c);
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            in_address = false;
        }
        let starts_address = match c {
            ':' => follows(&chars, i + 1, "//") || precedes_ci(&chars, i, "mailto"),
            '@' => true,
            'w' | 'W' => next == Some('.') && is_www(&chars, i),
            _ => false,
        };
        let breaks = starts_address
            || match c {
                ']' => matches!(next, Some('(' | '[' | ':')),
                '<' => next.is_some_and(char::is_alphabetic),
                '.' => in_address && next.is_some_and(char::is_alphanumeric),
                _ => false,
            };
        if breaks {
            out.push(WORD_JOINER);
        }
        in_address |= starts_address;
    }
    out
}

/// Whether `chars[at..]` starts with `word`.
fn follows(chars: &[char], at: usize, word: &str) -> bool {
    (at..)
        .zip(word.chars())
        .all(|(i, w)| chars.get(i) == Some(&w))
}

/// Whether the characters before `chars[end]` are `word`, in any case, and start a word.
fn precedes_ci(chars: &[char], end: usize, word: &str) -> bool {
    let len = word.chars().count();
    let Some(start) = end.checked_sub(len) else {
        return false;
    };
    let same = chars[start..end]
        .iter()
        .zip(word.chars())
        .all(|(a, b)| a.eq_ignore_ascii_case(&b));
    same && (start == 0 || !chars[start - 1].is_alphanumeric())
}

/// Whether `chars[last]` ends a `www` that starts a word.
fn is_www(chars: &[char], last: usize) -> bool {
    precedes_ci(chars, last + 1, "www")
}

#[cfg(test)]
mod tests {
    use super::unlink;

    /// `text` with the word joiners shown as `^`, for readable expectations.
    fn marked(text: &str) -> String {
        unlink(text).replace('\u{2060}', "^")
    }

    #[track_caller]
    fn case(text: &str, expected: &str) {
        assert_eq!(marked(text), expected, "{text}");
        assert_eq!(
            unlink(text).replace('\u{2060}', ""),
            text,
            "only joiners are added"
        );
    }

    #[test]
    fn markdown_links_images_and_definitions_are_broken() {
        case("[click](https://x.io/a)", "[click]^(https:^//x.^io/a)");
        case("![pixel](x.png)", "![pixel]^(x.png)");
        case("[a][ref] [ref]: u", "[a]^[ref] [ref]^: u");
        case("plain [brackets] stay", "plain [brackets] stay");
    }

    #[test]
    fn bare_urls_autolinks_and_addresses_are_broken() {
        case(
            "see https://evil.example/x.png now",
            "see https:^//evil.^example/x.^png now",
        );
        case("ftp://h.io", "ftp:^//h.^io");
        case("<https://a.io>", "<^https:^//a.^io>");
        case("<https://a.io|text>", "<^https:^//a.^io|text>");
        case("www.evil.example", "www^.^evil.^example");
        case("WWW.x.io", "WWW^.^x.^io");
        case("awww.x", "awww.x");
        case("MailTo:ops", "MailTo:^ops");
        case("ops@evil.example", "ops@^evil.^example");
        case("@all", "@^all");
    }

    #[test]
    fn ordinary_words_are_left_alone() {
        case(
            "Plan: 1 to add. a < b, x: 1, terraform_data.x[0]",
            "Plan: 1 to add. a < b, x: 1, terraform_data.x[0]",
        );
    }
}
