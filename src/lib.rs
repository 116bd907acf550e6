//! tfnotify turns Terraform output into a clear review note.
//!
//! The pipeline runs in one direction:
//!
//! ```text
//! input ──> parse ──> model ──> render ──> notify
//! (bytes)   (lines)   (Report)  (text)     (terminal, file, …)
//! ```
//!
//! [`input`] passes every byte of Terraform's output through as it arrives and hands a copy
//! on; [`parse`] reads that copy into a [`model::Report`]; [`render`] writes reports for
//! people; [`notify`] delivers them. [`guard`] marks, between parsing and rendering, the
//! destroys of resources the config protects. [`ci`] tells, on the side, which CI system a run is
//! in and which pull request it belongs to. [`run()`] wires the stages together and owns the exit
//! code, so the rules about what wins (Terraform's code, our failures) live in one place.

pub mod ai;
pub mod ci;
pub mod cli;
pub mod config;
pub mod error;
pub mod guard;
pub mod input;
pub mod mask;
pub mod model;
pub mod notify;
pub mod owners;
pub mod parse;
pub mod render;
mod run;
pub mod settings;
pub mod template;

pub use run::run;
