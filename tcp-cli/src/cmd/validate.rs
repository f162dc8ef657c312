//! `tcp validate`: one JSON object per record.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde_json::{Value, json};
use tcp_core::{Decoded, Detection, Dialect, Error, Hint, Mode, Policy};

use crate::output::{hex, json_line, load_policy, read_input};

/// How records are given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// Records back to back (the dialect's length each; 24 bytes with `auto`).
    Raw,
    /// One record per line in hex (`#` comments and blank lines skipped).
    Hex,
}

/// Arguments of `tcp validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Dialect name (c24, v2-kb, v2-spec, …) or `auto` to identify each record by its checksum.
    #[arg(long, default_value = "auto")]
    dialect: String,
    /// Input format.
    #[arg(long, value_enum, default_value = "raw")]
    format: InputFormat,
    /// Accept the prototype's quirks (e.g. no or several risk bits), saying so per record.
    #[arg(long)]
    lenient: bool,
    /// Policy file (TOML) for the decisions.
    #[arg(long)]
    policy: Option<String>,
    /// Validate the batch on a tcp-hw backend (`scalar`, `simd`, `parallel`, `opencl`,
    /// `xrt`, or `best` to let `select()` choose); needs a fixed dialect, strict mode.
    #[arg(long)]
    backend: Option<String>,
    /// Input file, `-` for stdin.
    #[arg(default_value = "-")]
    file: String,
}

fn records(
    args: &ValidateArgs,
    dialect: Option<Dialect>,
    input: &[u8],
) -> Result<Vec<Vec<u8>>, String> {
    match args.format {
        InputFormat::Hex => {
            let text =
                std::str::from_utf8(input).map_err(|_| "hex input is not UTF-8 text".to_owned())?;
            text.lines()
                .enumerate()
                .map(|(n, l)| (n, l.split('#').next().unwrap_or("").trim()))
                .filter(|(_, l)| !l.is_empty())
                .map(|(n, l)| {
                    let digits: String = l.split_whitespace().collect();
                    decode_hex(&digits).map_err(|e| format!("line {}: {e}", n + 1))
                })
                .collect()
        }
        InputFormat::Raw => {
            let len = dialect.map_or(24, Dialect::record_len);
            if input.len() % len != 0 {
                return Err(format!(
                    "input of {} bytes is not a whole number of {len}-byte records ({} left over)",
                    input.len(),
                    input.len() % len
                ));
            }
            Ok(input.chunks_exact(len).map(<[u8]>::to_vec).collect())
        }
    }
}

fn decode_hex(digits: &str) -> Result<Vec<u8>, String> {
    if digits.len() % 2 != 0 {
        return Err(format!("odd number of hex digits ({})", digits.len()));
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| {
            digits
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("invalid hex digit near position {i}"))
        })
        .collect()
}

fn decoded_json(index: usize, d: &Decoded, policy: &Policy, extra: Value) -> Value {
    let verdict = policy.decide_decoded(d, "");
    let mut v = json!({
        "index": index,
        "valid": true,
        "error": null,
        "dialect": d.dialect.as_str(),
        "risk": d.risk.map_or("UNKNOWN", |r| r.as_str()),
        "capabilities": d.capabilities.names(),
        "dialect_flags": d.flag_names(),
        "decision": verdict.decision.as_str(),
        "lenient": d.lenient.iter().map(ToString::to_string).collect::<Vec<_>>(),
    });
    if let (Some(obj), Value::Object(more)) = (v.as_object_mut(), extra) {
        obj.extend(more);
    }
    v
}

fn error_json(index: usize, dialect: Option<Dialect>, e: &Error) -> Value {
    json!({
        "index": index,
        "valid": false,
        "error": e.code().as_str(),
        "message": e.to_string(),
        "dialect": dialect.map(Dialect::as_str),
        "risk": null,
        "capabilities": [],
        "decision": null,
    })
}

fn one(index: usize, bytes: &[u8], dialect: Option<Dialect>, mode: Mode, policy: &Policy) -> Value {
    let Some(dialect) = dialect else {
        return match Dialect::detect(bytes) {
            Detection::None => error_json(
                index,
                None,
                &Error::UnknownDialect {
                    name: format!("no dialect's checksum verifies {}", hex(bytes)),
                },
            ),
            Detection::Unique(d) => one(index, bytes, Some(d), mode, policy),
            Detection::Ambiguous { candidates, hint } => {
                ambiguous(index, bytes, &candidates, &hint, mode, policy)
            }
        };
    };
    match dialect.decode(bytes, mode) {
        Ok(d) => decoded_json(index, &d, policy, json!({})),
        Err(e) => error_json(index, Some(dialect), &e),
    }
}

/// Several dialects verify: report them all; the fields are given only where
/// every candidate reads the same risk and capabilities.
fn ambiguous(
    index: usize,
    bytes: &[u8],
    candidates: &[Dialect],
    hint: &Hint,
    mode: Mode,
    policy: &Policy,
) -> Value {
    let names: Vec<&str> = candidates.iter().map(|d| d.as_str()).collect();
    let hint_json = json!({
        "plausible": hint.plausible.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
        "implausible": hint.implausible.iter().map(|(d, why)| json!({"dialect": d.as_str(), "why": why})).collect::<Vec<_>>(),
    });
    let decoded: Vec<Result<Decoded, Error>> =
        candidates.iter().map(|d| d.decode(bytes, mode)).collect();
    let agree = decoded.windows(2).all(|w| match w {
        [Ok(a), Ok(b)] => a.risk == b.risk && a.capabilities == b.capabilities,
        _ => false,
    });
    match decoded.first() {
        Some(Ok(first)) if agree => {
            let mut v = decoded_json(
                index,
                first,
                policy,
                json!({ "candidates": names, "hint": hint_json }),
            );
            if let Some(obj) = v.as_object_mut() {
                obj.insert("dialect".into(), Value::Null);
                obj.insert(
                    "ambiguity".into(),
                    json!("the checksum verifies under several dialects; risk and capabilities agree, performance fields differ"),
                );
            }
            v
        }
        _ => {
            let mut v = error_json(
                index,
                None,
                &Error::AmbiguousDialect {
                    candidates: names.clone(),
                },
            );
            if let Some(obj) = v.as_object_mut() {
                obj.insert("candidates".into(), json!(names));
                obj.insert("hint".into(), hint_json);
            }
            v
        }
    }
}

/// Runs `tcp validate`.
pub fn run(args: &ValidateArgs) -> Result<ExitCode, String> {
    let dialect = if args.dialect.eq_ignore_ascii_case("auto") {
        None
    } else {
        Some(Dialect::parse(&args.dialect).map_err(|e| {
            let known: Vec<&str> = Dialect::ALL.iter().map(|d| d.as_str()).collect();
            format!("{e}; known: auto, {}", known.join(", "))
        })?)
    };
    let policy = load_policy(args.policy.as_deref())?;
    let mode = if args.lenient {
        Mode::Lenient
    } else {
        Mode::Strict
    };
    let input = read_input(&args.file)?;
    if let Some(name) = &args.backend {
        return run_backend(name, dialect, mode, &policy, &input);
    }
    let records = records(args, dialect, &input)?;
    let mut all_valid = true;
    for (i, r) in records.iter().enumerate() {
        let v = one(i, r, dialect, mode, &policy);
        all_valid &= v.get("valid") == Some(&Value::Bool(true));
        json_line(&v)?;
    }
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `--backend`: the whole input validated in one batch call; each status byte
/// becomes a JSON object (capabilities are read back with tcp-core for valid records).
fn run_backend(
    name: &str,
    dialect: Option<Dialect>,
    mode: Mode,
    policy: &Policy,
    input: &[u8],
) -> Result<ExitCode, String> {
    let dialect =
        dialect.ok_or("--backend needs a fixed --dialect (batches are not auto-detected)")?;
    if mode == Mode::Lenient {
        return Err("--backend validates strictly; drop --lenient".into());
    }
    let n = input.len() / dialect.record_len();
    let (backend, _reservation) = if name == "best" {
        let s = tcp_hw::select::select(dialect, n).map_err(|rejected| {
            let why: Vec<String> = rejected.iter().map(ToString::to_string).collect();
            format!("no backend can validate {dialect}: {}", why.join("; "))
        })?;
        (s.backend, Some(s.reservation))
    } else {
        let b = tcp_hw::select::backend_by_name(name)
            .ok_or_else(|| format!("unknown backend {name:?}"))?;
        (b, None)
    };
    if let tcp_hw::Availability::Unavailable { reason } = backend.availability() {
        return Err(format!("backend {name} is unavailable: {reason}"));
    }
    let mut out = vec![0u8; n];
    backend
        .validate(dialect, input, policy, &mut out)
        .map_err(|e| format!("{}: {e}", backend.name()))?;
    let mut all_valid = true;
    for (i, (status, record)) in out
        .iter()
        .zip(input.chunks_exact(dialect.record_len()))
        .enumerate()
    {
        let v = match tcp_core::Status(*status).outcome() {
            Ok((risk, decision)) => json!({
                "index": i,
                "valid": true,
                "error": null,
                "dialect": dialect.as_str(),
                "risk": risk.as_str(),
                "capabilities": dialect.decode(record, Mode::Strict).map(|d| d.capabilities.names()).unwrap_or_default(),
                "decision": decision.as_str(),
                "backend": backend.name(),
            }),
            Err(code) => {
                all_valid = false;
                json!({
                    "index": i,
                    "valid": false,
                    "error": code.map_or("unknown", |c| c.as_str()),
                    "dialect": dialect.as_str(),
                    "risk": null,
                    "capabilities": [],
                    "decision": null,
                    "backend": backend.name(),
                })
            }
        };
        json_line(&v)?;
    }
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
