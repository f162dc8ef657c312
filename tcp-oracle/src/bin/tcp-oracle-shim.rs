//! Stands in for every program inside the sandbox: records how it was run
//! (argv, executed path, cwd, environment changes) as one JSON line appended
//! to the oracle's log with a single `write`, prints nothing and exits 0.

use std::collections::BTreeMap;
use std::ffi::CStr;
use std::fs::OpenOptions;
use std::io::Write;

use tcp_oracle::protocol::{BASELINE_PATH, LOG_PATH, NOT_FOUND_VAR, ShimRecord, is_ignored_var};

/// The path the kernel executed, from the auxiliary vector (a symlink's own
/// name, unlike `/proc/self/exe`).
fn exec_path() -> String {
    // SAFETY: getauxval has no preconditions; AT_EXECFN, when present, points to
    // a NUL-terminated string the kernel placed on the initial stack, which lives
    // as long as the process.
    unsafe {
        let p = libc::getauxval(libc::AT_EXECFN) as *const libc::c_char;
        if p.is_null() {
            return String::new();
        }
        CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

fn main() {
    let mut args = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    let argv0 = args.next().unwrap_or_default();
    let args: Vec<String> = args.collect();
    let baseline: BTreeMap<String, String> = std::fs::read(BASELINE_PATH)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let mut not_found = false;
    let mut env = Vec::new();
    for (k, v) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        let v = v.to_string_lossy().into_owned();
        if k == NOT_FOUND_VAR {
            not_found = true;
            continue;
        }
        // Exported functions (BASH_FUNC_f%%) and bash's own variables are not
        // settable as `NAME=value` prefixes; only valid names are compared.
        let valid = !k.is_empty()
            && !k.starts_with(|c: char| c.is_ascii_digit())
            && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid || is_ignored_var(&k) {
            continue;
        }
        if baseline.get(&k) != Some(&v) {
            env.push((k, v));
        }
    }
    env.sort();
    let rec = ShimRecord {
        argv0,
        exec_path: exec_path(),
        args,
        cwd: std::env::current_dir()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default(),
        env,
        not_found,
    };
    if let Ok(mut line) = serde_json::to_vec(&rec) {
        line.push(b'\n');
        if let Ok(mut f) = OpenOptions::new().append(true).create(true).open(LOG_PATH) {
            // One write under O_APPEND: records of concurrent shims do not interleave.
            let _ = f.write(&line);
        }
    }
}
