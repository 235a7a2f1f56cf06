//! Social impact of the network: which indicators exist ([`registry`]), over which periods
//! ([`period`]), how counted rows become figures for a member, a region or the network
//! ([`figures`]), and what the outcomes are worth ([`sroi`]).
//!
//! Pure: the application layer asks the store for the rows and hands them here.

pub mod dhis2;
pub mod figures;
pub mod period;
pub mod registry;
pub mod sroi;

pub use period::Period;
pub use registry::Registry;
