//! A differential soundness oracle for `tcp_core::command_line::Checker`: runs
//! shell lines under the real bash in a disposable bubblewrap sandbox where
//! every program is a recording shim, and checks the checker's decision for the
//! line against the decisions for what bash actually ran and wrote.
//!
//! See the crate's README.md for the design and what the oracle cannot see.

pub mod checks;
pub mod fixture;
pub mod generate;
pub mod minimise;
pub mod mutate;
pub mod protocol;
pub mod run;
pub mod sandbox;
pub mod seeds;
pub mod snapshot;
