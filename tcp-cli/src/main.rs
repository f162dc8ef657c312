//! `tcp`: validate descriptors, look up tools, check command lines, measure.
//!
//! A thin layer over tcp-core, tcp-hw and tcp-stats: argument parsing and
//! output formatting only; every decision is made by the libraries.

mod cmd;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Tool Capability Protocol: fast, exact, auditable tool-safety decisions.
#[derive(Parser)]
#[command(name = "tcp", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate descriptors: one JSON object per record on stdout.
    Validate(cmd::validate::ValidateArgs),
    /// Look a command up in a registry (the built-in one by default).
    Lookup(cmd::lookup::LookupArgs),
    /// Build or inspect registry files.
    #[command(subcommand)]
    Registry(cmd::registry::RegistryCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Validate(a) => cmd::validate::run(a),
        Command::Lookup(a) => cmd::lookup::run(a),
        Command::Registry(c) => cmd::registry::run(c),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("tcp: {message}");
            ExitCode::from(output::EXIT_USAGE)
        }
    }
}
