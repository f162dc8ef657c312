//! One module per subcommand.

pub mod backends;
pub mod bench;
pub mod check;
pub mod lookup;
pub mod registry;
pub mod stats;
pub mod validate;
