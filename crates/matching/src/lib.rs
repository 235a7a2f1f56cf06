//! Person matching for family tracing, search of origins and duplicate detection.
//!
//! Records are folded into comparable Latin keys whatever their script ([`normalize`],
//! [`translit`]), compared field by field at graded levels of agreement ([`field`]), paired by
//! several blocking keys so that candidate pairs stay near-linear ([`blocking`]), and scored by a
//! Fellegi-Sunter model whose parameters are estimated from the data itself by EM, with
//! term-frequency adjustment for common names ([`model`]). [`link`] ties them together.
//!
//! The crate does no I/O: callers hand it records and get pairs with a calibrated probability
//! and a per-field explanation of the weight.

pub mod blocking;
pub mod date;
pub mod field;
pub mod index;
pub mod link;
pub mod model;
pub mod normalize;
pub mod phonetic;
pub mod similarity;
#[cfg(any(test, feature = "synth"))]
pub mod synth;
mod translit;
pub mod variants;

pub use field::{Role, Value};
pub use index::{Candidate, PersonIndex};
pub use link::{link, prior_model, Dataset, FieldSpec, LinkOptions, LinkReport, Pair};
