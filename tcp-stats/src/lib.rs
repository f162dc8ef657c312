//! Measurement statistics for timing studies (placeholder; see issue 4).
#![forbid(unsafe_code)]
