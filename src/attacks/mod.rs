//! Attacks that use the originals or auxiliary knowledge: record linkage,
//! attribute inference and singling out, trace unicity, stylometric authorship
//! attribution, text leakage, and the joint pseudonym attack fusing them.
//!
//! Each submodule has its own error type and returns serde result structs that
//! the `report` module renders; nothing here prints.

pub mod distance_linkage;
pub mod inference;
pub mod linkage;
pub mod pseudonym_linkage;
pub mod stylometry;
pub mod text;
pub mod unicity;
