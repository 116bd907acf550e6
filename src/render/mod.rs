//! Render: turning a [`Report`](crate::model::Report) into text a person reads.
//!
//! Rendering never does I/O: it returns strings, and the notify stage decides where they go.
//! Both local formats share one [`Summary`] view, so the terminal and the Markdown file
//! cannot disagree about what a plan does.

mod context;
mod markdown;
mod style;
mod summary;
mod terminal;

pub use context::{Context, Extras, Moved, default_title};
pub use markdown::markdown;
pub use summary::{Group, GroupKind, Summary};
pub use terminal::terminal;
