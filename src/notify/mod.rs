//! Notify: delivering rendered messages to where people read them.
//!
//! Notifiers consume what the render stage produced and never parse. All of them talk HTTP
//! through [`http::Http`], which alone retries and classifies failures. Failures here are
//! delivery failures ([`crate::error::EXIT_DELIVERY`]); they never stop the pass-through,
//! which is over by the time anything is delivered.

pub mod github;
pub mod http;
pub mod local;
