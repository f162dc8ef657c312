//! One module per subcommand.

pub mod lookup;
pub mod registry;
pub mod validate;
