//! Render: turning a [`Report`](crate::model::Report) into text a person reads.
//!
//! Rendering never does I/O: it returns strings, and the notify stage decides where they go.
//! The terminal summary is written here in Rust (it colours and cuts to fit a screen);
//! messages for everywhere else go through Go templates ([`Message`]), the user's or our
//! defaults, with the [`Context`] every template sees.

mod budget;
mod context;
mod html;
mod links;
mod markdown;
mod message;
mod overview;
mod style;
mod summary;
mod template_data;
mod terminal;

pub use budget::{Fitted, cut, length, render_within};
pub use context::{Context, Extras, ModuleSection, Moved, Protected, default_title};
pub use html::{HTML_CHANGES_KEPT, write_html};
pub(crate) use links::{WORD_JOINER, unlink};
pub use message::{
    Flavor, Message, MessageError, Spec, functions, slack_entities, slack_escape, teams_escape,
};
pub use overview::{OverviewExtras, context as overview_context, render_overview_within};
pub use summary::{Group, GroupKind, Summary};
pub use template_data::{for_delivery, template_data};
pub use terminal::terminal;
