//! Settings given on the command line that make a tool run other programs:
//! git's `-c key=value` (and `git config key value`, which persists them) and
//! cargo's `--config`. Keys are compared as git compares them: section and
//! variable names case-insensitively.

/// Git configuration keys (lowercase; `*` is one dotted part) whose value is a
/// program, a command line, a hook directory or a file of more settings.
const GIT_PROGRAM_KEYS: [&str; 30] = [
    "core.fsmonitor",
    "core.sshcommand",
    "core.pager",
    "core.editor",
    "core.hookspath",
    "core.askpass",
    "core.gitproxy",
    "diff.external",
    "diff.*.textconv",
    "diff.*.command",
    "merge.*.driver",
    "filter.*.clean",
    "filter.*.smudge",
    "filter.*.process",
    "pager.*",
    "alias.*",
    "credential.helper",
    "credential.*.helper",
    "gpg.program",
    "gpg.*.program",
    "sequence.editor",
    "uploadpack.packobjectshook",
    "remote.*.uploadpack",
    "remote.*.receivepack",
    "include.path",
    "includeif.*.path",
    "init.templatedir",
    "difftool.*.cmd",
    "mergetool.*.cmd",
    "submodule.*.update",
];

/// Keys that weaken a safeguard (TLS verification, protocol restrictions, ownership checks).
const GIT_WEAKEN_KEYS: [&str; 11] = [
    "http.sslverify",
    "http.*.sslverify",
    "protocol.*.allow",
    "protocol.allow",
    "safe.directory",
    "url.*.insteadof",
    "transfer.fsckobjects",
    "fetch.fsckobjects",
    "receive.fsckobjects",
    "http.proxy",
    "https.proxy",
];

fn key_matches(pattern: &str, key: &str) -> bool {
    let p: Vec<&str> = pattern.split('.').collect();
    // Subsection names may contain dots: match first and last parts, `*` the middle.
    let (first, rest) = match key.split_once('.') {
        Some(x) => x,
        None => return false,
    };
    let (middle, last) = match rest.rsplit_once('.') {
        Some((m, l)) => (Some(m), l),
        None => (None, rest),
    };
    match p.as_slice() {
        [a, b] => *a == first && middle.is_none() && (*b == "*" || *b == last),
        [a, "*", c] => *a == first && middle.is_some() && (*c == "*" || *c == last),
        _ => false,
    }
}

/// Why setting git key `key` is dangerous, if it is.
pub(crate) fn git_key(key: &str) -> Option<&'static str> {
    let key = key.to_ascii_lowercase();
    if GIT_PROGRAM_KEYS.iter().any(|p| key_matches(p, &key)) {
        return Some("this git setting makes git run a program of the caller's choosing");
    }
    if GIT_WEAKEN_KEYS.iter().any(|p| key_matches(p, &key)) {
        return Some(
            "this git setting turns off a safeguard (TLS verification, allowed protocols, repository ownership, remote URLs)",
        );
    }
    None
}

/// A reason to ask for `git GLOBAL-OPTIONS ...`: `-c` settings and
/// `--exec-path`, read before the subcommand.
pub(crate) fn git_globals<'a>(args: impl Iterator<Item = &'a str>) -> Option<&'static str> {
    let mut args = args.peekable();
    while let Some(a) = args.next() {
        let setting = if a == "-c" {
            args.next()
        } else if let Some(v) = a.strip_prefix("-c") {
            Some(v)
        } else if let Some(v) = a.strip_prefix("--config-env=") {
            Some(v)
        } else if a == "--config-env" {
            args.next()
        } else if a.starts_with("--exec-path=") {
            return Some("--exec-path makes git run its helper programs from another directory");
        } else if matches!(
            a,
            "-C" | "--git-dir" | "--work-tree" | "--namespace" | "--super-prefix"
        ) {
            args.next();
            continue;
        } else if a.starts_with('-') {
            continue;
        } else {
            return None;
        };
        let key = setting.and_then(|s| s.split('=').next()).unwrap_or("");
        if let Some(why) = git_key(key) {
            return Some(why);
        }
    }
    None
}

/// A reason to ask for `cargo --config ...` before the subcommand.
pub(crate) fn cargo_globals<'a>(args: impl Iterator<Item = &'a str>) -> Option<&'static str> {
    let mut args = args.peekable();
    while let Some(a) = args.next() {
        let value = if a == "--config" {
            args.next()
        } else if let Some(v) = a.strip_prefix("--config=") {
            Some(v)
        } else if a.starts_with('+') || a.starts_with('-') {
            continue;
        } else {
            return None;
        };
        let v = value.unwrap_or("").to_ascii_lowercase();
        let runs = [
            "runner",
            "linker",
            "rustc",
            "wrapper",
            "rustdoc",
            "ar",
            "cc",
            "credential",
            "registry",
            "source.",
        ]
        .iter()
        .any(|k| v.contains(k));
        if runs || !v.contains('=') {
            return Some(
                "cargo --config sets the programs cargo runs (runner, linker, rustc wrapper) or loads a file of settings",
            );
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_keys() {
        assert!(git_key("core.fsmonitor").is_some());
        assert!(git_key("core.FSMonitor").is_some());
        assert!(git_key("core.sshCommand").is_some());
        assert!(git_key("pager.log").is_some());
        assert!(git_key("diff.tool.textconv").is_some());
        assert!(git_key("diff.a.b.textconv").is_some());
        assert!(git_key("http.SSLVERIFY").is_some());
        assert!(git_key("user.name").is_none());
        assert!(git_key("color.ui").is_none());
        assert!(git_globals(["-c", "core.fsmonitor=x", "status"].into_iter()).is_some());
        assert!(git_globals(["-ccore.pager=x", "log"].into_iter()).is_some());
        assert!(git_globals(["-C", "dir", "status"].into_iter()).is_none());
        assert!(git_globals(["-c", "color.ui=never", "status"].into_iter()).is_none());
        assert!(cargo_globals(["--config", "target.x.runner='sh'", "run"].into_iter()).is_some());
        assert!(cargo_globals(["+nightly", "build"].into_iter()).is_none());
    }
}
