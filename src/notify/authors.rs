//! Whose comment is it: tfnotify's hidden marker is plain text anyone can copy into a
//! comment of their own, so a comment is ours only when it carries the marker and the
//! token's own account wrote it.
//!
//! Without the second half, a contributor could end a comment with a copy of the marker
//! and have tfnotify write the real plan into it, hide it or delete it, then edit "their"
//! comment to show a harmless plan. Every review platform names each comment's author.
//! GitHub answers the question itself (`viewerDidAuthor`); the others name the author's
//! account, which is compared with the token's own, read from the platform at most once a
//! run and only when a marked comment needs deciding. When the token's account cannot be
//! read, no marked comment is taken for ours: the run posts a new comment and says why,
//! once. A marked comment by anyone else is left alone, with a warning naming it and its
//! author.

use std::cell::{OnceCell, RefCell};
use std::collections::BTreeSet;

/// Who wrote a comment, as far as deciding whether it is ours needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Author {
    /// The platform said whether the token's account wrote it (GitHub's
    /// `viewerDidAuthor`), so nothing needs comparing.
    Known { by_token: bool, name: String },
    /// The author's account as the platform identifies it for good (an id, a UUID, a
    /// username that cannot be taken by another account; never a display name), compared
    /// with the token's own.
    Account { id: String, name: String },
}

impl Author {
    /// An author the platform did not name (a deleted account): never the token's.
    pub(crate) fn unknown() -> Author {
        Author::Known {
            by_token: false,
            name: "an unknown account".to_owned(),
        }
    }

    /// The name a warning shows.
    fn name(&self) -> &str {
        match self {
            Author::Known { name, .. } | Author::Account { name, .. } => name,
        }
    }
}

/// A comment whose owner is to be decided, as a warning names it.
pub(crate) struct Marked<'a> {
    pub id: u64,
    pub url: Option<&'a str>,
    pub author: &'a Author,
}

/// What one run learns of authors while it writes its threads: the token's account, read
/// at most once, and the warnings to print after the delivery.
#[derive(Debug, Default)]
pub(crate) struct Authors {
    /// The token's account, or why it cannot be known.
    token: OnceCell<Result<String, String>>,
    /// Comments already warned about, so a second thread does not repeat the warning.
    warned: RefCell<BTreeSet<u64>>,
    warnings: RefCell<Vec<String>>,
}

impl Authors {
    /// Whether the token's account wrote `comment`, which carries the marker. `token`
    /// reads the token's account (`Err` says why it cannot, and what would fix it); it is
    /// called at most once for the life of `self`, and only for an author it must compare.
    /// `noun` is what the platform calls a comment, for the warnings.
    pub(crate) fn is_ours(
        &self,
        comment: &Marked<'_>,
        noun: &str,
        token: impl FnOnce() -> Result<String, String>,
    ) -> bool {
        let ours = match comment.author {
            Author::Known { by_token, .. } => *by_token,
            Author::Account { id, .. } => {
                let mut read = false;
                let token = self.token.get_or_init(|| {
                    read = true;
                    token()
                });
                match token {
                    Ok(account) => account == id,
                    Err(why) => {
                        if read {
                            self.warnings.borrow_mut().push(format!(
                                "{why}; until then no {noun} with tfnotify's marker counts as this token's: none is edited, hidden or deleted, and the message goes in a new {noun}"
                            ));
                        }
                        return false;
                    }
                }
            }
        };
        if !ours && self.warned.borrow_mut().insert(comment.id) {
            let place = comment
                .url
                .map_or_else(|| format!("#{}", comment.id), str::to_owned);
            self.warnings.borrow_mut().push(format!(
                "the {noun} {place} by another user, `{}`, carries tfnotify's marker; it was left alone, as tfnotify edits, hides and deletes only what its own token wrote",
                shown(comment.author.name())
            ));
        }
        ours
    }

    /// The warnings so far, once each.
    pub(crate) fn take_warnings(&self) -> Vec<String> {
        self.warnings.take()
    }
}

/// A name someone else chose, as a warning line shows it: one line, no control
/// characters (which could rewrite the terminal), no backtick to end the quote early, and
/// at most 64 characters.
fn shown(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| match c {
            '`' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .take(64)
        .collect();
    clean.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::{Author, Authors, Marked, shown};

    fn account(id: &str, name: &str) -> Author {
        Author::Account {
            id: id.into(),
            name: name.into(),
        }
    }

    #[track_caller]
    fn decide(authors: &Authors, id: u64, author: &Author, token: &Result<String, String>) -> bool {
        let marked = Marked {
            id,
            url: Some("https://forge.example/c/1"),
            author,
        };
        authors.is_ours(&marked, "comment", || token.clone())
    }

    #[test]
    fn the_token_s_account_is_read_once_and_only_when_compared() {
        let authors = Authors::default();
        let reads = Cell::new(0);
        let read = || {
            reads.set(reads.get() + 1);
            Ok("42".to_owned())
        };
        let known = Author::Known {
            by_token: true,
            name: "bot".into(),
        };
        let marked = |id, author| Marked {
            id,
            url: None,
            author,
        };
        assert!(authors.is_ours(&marked(1, &known), "comment", read));
        assert_eq!(reads.get(), 0, "GitHub said so; nothing to read");
        let mine = account("42", "bot");
        let theirs = account("7", "mallory");
        assert!(authors.is_ours(&marked(2, &mine), "comment", read));
        assert!(!authors.is_ours(&marked(3, &theirs), "comment", read));
        assert!(!authors.is_ours(&marked(3, &theirs), "comment", read));
        assert_eq!(reads.get(), 1);
        assert_eq!(
            authors.take_warnings(),
            [
                "the comment #3 by another user, `mallory`, carries tfnotify's marker; it was left alone, as tfnotify edits, hides and deletes only what its own token wrote"
            ],
            "once per comment"
        );
    }

    #[test]
    fn an_unknown_token_owns_nothing_and_says_why_once() {
        let authors = Authors::default();
        let refused = Err("GitLab refused `GET /user` (403)".to_owned());
        assert!(!decide(&authors, 1, &account("42", "bot"), &refused));
        assert!(!decide(&authors, 2, &account("42", "bot"), &refused));
        let warnings = authors.take_warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with(
            "GitLab refused `GET /user` (403); until then no comment with tfnotify's marker counts as this token's"
        ));
    }

    #[test]
    fn an_unnamed_author_is_nobody_s_token() {
        let authors = Authors::default();
        assert!(!decide(&authors, 1, &Author::unknown(), &Ok("42".into())));
    }

    #[test]
    fn names_cannot_break_the_warning_line() {
        assert_eq!(shown("eve`\n\u{1b}[2Jroot"), "eve'  [2Jroot");
        assert_eq!(shown(&"x".repeat(100)).len(), 64);
    }
}
