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
    /// Decide a whole shell command line (exit 0/1/2/3: APPROVED/CAUTION_MODE/REQUIRE_APPROVAL/REJECT).
    Check(cmd::check::CheckArgs),
    /// Summarise timing samples, or compare two sets of them.
    Stats(cmd::stats::StatsArgs),
    /// List batch-validation backends and whether each can run here.
    Backends(cmd::backends::BackendsArgs),
    /// Measure batch validation throughput per backend.
    Bench(cmd::bench::BenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Validate(a) => cmd::validate::run(a),
        Command::Lookup(a) => cmd::lookup::run(a),
        Command::Registry(c) => cmd::registry::run(c),
        Command::Check(a) => cmd::check::run(a),
        Command::Stats(a) => cmd::stats::run(a),
        Command::Backends(a) => cmd::backends::run(a),
        Command::Bench(a) => cmd::bench::run(a),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("tcp: {message}");
            ExitCode::from(output::EXIT_USAGE)
        }
    }
}
