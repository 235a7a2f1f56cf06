//! The casework domain of Kinbridge: members, users and roles, cases and their people,
//! cross-border requests and their lifecycle, and the rules of who may see and do what.
//!
//! Pure: no I/O, no framework. Input is parsed into these types at the edge (web forms,
//! JSON, CLI) and inner code never re-checks it.

pub mod access;
pub mod archive;
pub mod assessment;
pub mod audit;
pub mod case;
pub mod country;
pub mod document;
pub mod error;
pub mod ids;
pub mod indicator;
pub mod member;
pub mod notice;
pub mod plan;
pub mod request;
pub mod signin;
pub mod text;
pub mod tracing;
pub mod transfer;

pub use access::{Actor, Role};
pub use error::{DomainError, ErrorCode, FieldError};
