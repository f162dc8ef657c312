//! Python bindings for libtcp (placeholder; see issue 5).
