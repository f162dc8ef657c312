//! tcp-core: Tool Capability Protocol descriptors, read exactly and decided fast.
//!
//! - [`wire`]: zero-copy views and values for every descriptor layout: libtcp's
//!   own C24 format and each dialect the prototype writes.
//! - [`batch`]: the scalar reference for validating many records at once.
//! - [`policy`] and [`decision`]: risk and capabilities to a decision, with reasons.
//! - [`hash`]: the command hash and constant-time comparisons.
//! - [`registry`]: descriptors looked up by name, from libtcp's TCPR files,
//!   the prototype's TCPDB containers or JSON.
//!
//! Contract: untrusted bytes enter only through `new_checked` or `Repr::parse`
//! (or [`wire::Dialect::decode`]); nothing in this crate panics on any input.
//! `unsafe` appears once, to memory-map registry files (`registry::mmap`).
#![deny(unsafe_code)]

pub mod batch;
pub mod checksum;
pub mod command_line;
pub mod decision;
pub mod error;
pub mod fuzz;
pub mod hash;
pub mod policy;
pub mod registry;
pub mod risk;
pub mod wire;

pub use batch::{BatchSummary, Status, validate_batch};
pub use decision::{Decision, Reason, Verdict};
pub use error::{Error, ErrorCode, Result};
pub use policy::Policy;
pub use registry::{Entry, Registry, RegistryBuilder};
pub use risk::{Capabilities, RiskLevel};
pub use wire::{Decoded, Detection, Dialect, Hint, Leniency, Mode};
