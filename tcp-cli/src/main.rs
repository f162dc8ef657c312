//! The `tcp` command (placeholder).
fn main() {}
