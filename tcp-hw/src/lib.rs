//! Batch validation backends (placeholder; see issue 6).
