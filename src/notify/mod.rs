//! Notify: delivering rendered summaries to where people read them.
//!
//! Notifiers consume what the render stage produced and never parse. Failures here are
//! delivery failures ([`crate::error::EXIT_DELIVERY`]); they never stop the pass-through,
//! which is over by the time anything is delivered.

pub mod local;
