//! Measurement statistics for timing studies, exact against scipy and statsmodels.
#![forbid(unsafe_code)]

pub mod error;
pub mod special;

pub use error::StatsError;
