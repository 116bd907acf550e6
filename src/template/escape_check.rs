//! html/template's up-front escaping pass, reduced to the errors it can raise: Go
//! analyses every reachable template before running anything, so these errors
//! appear even for branches that would never execute.

use crate::template::ast::{Arg, Node, Tree};
use crate::template::error::Error;
use crate::template::exec::{Exec, R};
use crate::template::html::HtmlState;
use crate::template::printf;

/// Where the check is: the templates it is inside (a call to one of them is not
/// followed again), how many more calls it may follow, and how deeply calls and
/// control bodies nest.
struct Walk<'a> {
    stack: Vec<&'a str>,
    budget: usize,
    depth: usize,
}

impl<'a> Exec<'a> {
    /// html/template escapes every reachable template before running: it walks the
    /// template with an HTML context, so a call to an undefined template, `html` or
    /// `urlquery` used mid-pipeline (or `html` in an unquoted attribute), malformed
    /// markup, or output ending inside a tag fail even on branches that never execute.
    /// Go's escaper keeps going after such an error and reports the last one
    /// (preferring the `then` branch of an `if`), so we do too.
    pub(super) fn check_escaping(&self, root: &'a Tree) -> R<()> {
        let mut walk = Walk {
            stack: Vec::new(),
            budget: 10_000,
            depth: 0,
        };
        let start = Ok(HtmlState::default());
        match self.check_nodes(root, root, &root.root, &mut walk, start) {
            Err(e) => Err(e),
            Ok(h) => h.check_end().map_err(|message| Error::Escape {
                location: root.name.clone(),
                message,
            }),
        }
    }

    fn check_nodes(
        &self,
        root: &'a Tree,
        tree: &'a Tree,
        nodes: &'a [Node],
        walk: &mut Walk<'a>,
        mut c: Result<HtmlState, Error>,
    ) -> Result<HtmlState, Error> {
        // Nested calls and bodies recurse here as they do when executing, and execution
        // stops at the depth limit, so the check does not look deeper.
        let deeper = walk.depth < self.meter.limits().depth;
        let location = |pos: usize| {
            let text = &tree.text;
            let before = &text[..pos.min(text.len())];
            let line = 1 + before.bytes().filter(|&b| b == b'\n').count();
            let col = before.rfind('\n').map_or(pos, |nl| pos - (nl + 1));
            format!("{}:{line}:{col}", tree.parse_name)
        };
        for node in nodes {
            // Checking walks every template call again, so it counts against the steps.
            if let Err(message) = self.meter.step() {
                let pos = match node {
                    Node::Text { pos, .. } | Node::Template { pos, .. } => *pos,
                    Node::Action { pipe } => pipe.pos,
                    Node::If(b) | Node::Range(b) | Node::With(b) => b.pipe.pos,
                    Node::Break | Node::Continue => 0,
                };
                return Err(Error::Escape {
                    location: location(pos),
                    message,
                });
            }
            match node {
                Node::Text { text, .. } => {
                    if let Ok(h) = &mut c
                        && let Err(message) = h.text(text, &mut String::new())
                    {
                        c = Err(Error::Escape {
                            location: root.name.clone(),
                            message,
                        });
                    }
                }
                Node::Action { pipe } if pipe.decl.is_empty() => {
                    if let Ok(h) = &mut c {
                        h.nudge();
                    }
                    let unquoted = c.as_ref().is_ok_and(|h| h.is_unquoted_attr());
                    let last = pipe.cmds.len().saturating_sub(1);
                    for (i, cmd) in pipe.cmds.iter().enumerate() {
                        if let Some(Arg::Identifier { name, .. }) = cmd.args.first()
                            && matches!(&**name, "html" | "urlquery")
                            && (i < last || unquoted && &**name == "html")
                        {
                            c = Err(Error::Escape {
                                location: location(pipe.pos),
                                message: format!(
                                    "predefined escaper {} disallowed in template",
                                    printf::quote_go(name)
                                ),
                            });
                            break;
                        }
                    }
                }
                Node::If(b) | Node::Range(b) | Node::With(b) if deeper => {
                    walk.depth += 1;
                    let then = self.check_nodes(root, tree, &b.list, walk, c.clone());
                    let other = match &b.else_list {
                        Some(e) => self.check_nodes(root, tree, e, walk, c.clone()),
                        None => c.clone(),
                    };
                    walk.depth -= 1;
                    c = match (then, other) {
                        (Err(e), _) | (Ok(_), Err(e)) => Err(e),
                        (Ok(h), Ok(_)) => Ok(h),
                    };
                }
                Node::Template { pos, name, .. } => match self.trees.get(name.as_str()) {
                    Some(t) => {
                        if !walk.stack.contains(&name.as_str()) && walk.budget > 0 && deeper {
                            walk.budget -= 1;
                            walk.stack.push(name);
                            walk.depth += 1;
                            c = self.check_nodes(root, t, &t.root, walk, c);
                            walk.depth -= 1;
                            walk.stack.pop();
                        }
                    }
                    None => {
                        c = Err(Error::Escape {
                            location: location(*pos),
                            message: format!("no such template {}", printf::quote_go(name)),
                        });
                    }
                },
                _ => {}
            }
        }
        c
    }
}
