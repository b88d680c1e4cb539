//! What the fuzz targets share: the invariants they check and the structure-aware
//! inputs they build. The property tests include the same files (`tests/properties.rs`).

pub mod invariants;
pub mod shape;
