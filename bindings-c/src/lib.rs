//! C API for libtcp (placeholder; see issue 5).
