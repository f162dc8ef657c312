//! Environment variables that change which program runs, inject code into
//! one, or weaken a safeguard (`GIT_SSH_COMMAND`, `LD_PRELOAD`, `PAGER`,
//! `npm_config_*`, `NODE_TLS_REJECT_UNAUTHORIZED=0`, `HISTFILE`).
//!
//! Setting one in front of a command, with `export`/`declare -x`, with `env`,
//! or for the shell itself is decided as running that program: at least
//! REQUIRE_APPROVAL, unless the value names a known, harmless program
//! (`GIT_PAGER=cat`, `EDITOR=vim`, `CC=clang`).

/// Variables whose value is a program, a command line or code to load.
const PROGRAM: [&str; 75] = [
    "PATH",
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "LD_AUDIT",
    "DYLD_INSERT_LIBRARIES",
    "DYLD_LIBRARY_PATH",
    "BASH_ENV",
    "ENV",
    "PROMPT_COMMAND",
    "PS4",
    "IFS",
    "SHELL",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "MANPAGER",
    "GIT_PAGER",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_PROXY_COMMAND",
    "GIT_EXTERNAL_DIFF",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "SUDO_ASKPASS",
    "GIT_EXEC_PATH",
    "GIT_TEMPLATE_DIR",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "LESSOPEN",
    "LESSCLOSE",
    "RUSTC",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTDOC",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "CC",
    "CXX",
    "LD",
    "CPP",
    "GOFLAGS",
    "PYTHONSTARTUP",
    "PYTHONPATH",
    "PYTHONHOME",
    "PERL5OPT",
    "PERL5LIB",
    "PERLLIB",
    "RUBYOPT",
    "RUBYLIB",
    "NODE_PATH",
    "GCONV_PATH",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "MAKESHELL",
    "BROWSER",
    "HOME",
    "DOTNET_STARTUP_HOOKS",
    "DOTNET_ADDITIONAL_DEPS",
    "CORECLR_PROFILER_PATH",
    "GIT_CONFIG",
    "ZDOTDIR",
    "INPUTRC",
    "MAVEN_OPTS",
    "GRADLE_OPTS",
    "SBT_OPTS",
    "ANT_OPTS",
    "R_PROFILE_USER",
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
];

/// Prefixes of variable families that configure a tool (registries, hooks, runners).
const PROGRAM_PREFIXES: [&str; 8] = [
    "npm_config_",
    "NPM_CONFIG_",
    "GIT_CONFIG_KEY_",
    "GIT_CONFIG_VALUE_",
    "PIP_",
    "UV_INDEX",
    "YARN_NPM_REGISTRY",
    "CARGO_REGISTRIES_",
];

/// Variables that turn off verification or hide what ran.
const WEAKEN: [&str; 20] = [
    "http_proxy",
    "https_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "all_proxy",
    "NODE_TLS_REJECT_UNAUTHORIZED",
    "PYTHONHTTPSVERIFY",
    "GIT_SSL_NO_VERIFY",
    "GOINSECURE",
    "GONOSUMDB",
    "GOSUMDB",
    "GONOSUMCHECK",
    "GOPROXY",
    "HISTFILE",
    "HISTSIZE",
    "HISTFILESIZE",
    "HISTIGNORE",
    "CURL_CA_BUNDLE",
    "SSL_CERT_FILE",
];

/// Programs harmless to name as a pager, editor or compiler.
const HARMLESS_VALUES: [&str; 26] = [
    "",
    ":",
    "cat",
    "less",
    "more",
    "vim",
    "vi",
    "nvim",
    "nano",
    "emacs",
    "code",
    "code --wait",
    "true",
    "gcc",
    "g++",
    "cc",
    "c++",
    "clang",
    "clang++",
    "sccache",
    "ccache",
    "ld.lld",
    "mold",
    "most",
    "delta",
    "bat",
];

/// Why setting `name` to `value` is not harmless, or `None` if it is.
pub(crate) fn risky(name: &str, value: &str) -> Option<&'static str> {
    let value = value.trim_matches(|c| c == '"' || c == '\'');
    if name == "NODE_OPTIONS" {
        let loads = [
            "-r",
            "--require",
            "--import",
            "--loader",
            "--experimental-loader",
            "--inspect",
        ];
        let bad = value.split_whitespace().any(|o| {
            loads
                .iter()
                .any(|l| o == *l || o.starts_with(&format!("{l}=")))
        });
        return bad.then_some("NODE_OPTIONS that load code into every node process");
    }
    if let Some(rest) = name.strip_prefix("CARGO_TARGET_") {
        if rest.ends_with("_RUNNER") || rest.ends_with("_LINKER") {
            return Some("a variable naming the program cargo runs or links with");
        }
    }
    if WEAKEN.contains(&name) {
        return Some("a variable that turns off verification or history");
    }
    if PROGRAM.contains(&name) || PROGRAM_PREFIXES.iter().any(|p| name.starts_with(p)) {
        if HARMLESS_VALUES.contains(&value) && name != "PATH" && name != "HOME" {
            return None;
        }
        return Some("a variable naming a program to run or code to load");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies() {
        assert!(risky("GIT_SSH_COMMAND", "sh -c id").is_some());
        assert!(risky("GIT_PAGER", "cat").is_none());
        assert!(risky("PAGER", "sh -c id").is_some());
        assert!(risky("npm_config_script_shell", "/tmp/s").is_some());
        assert!(risky("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER", "sh").is_some());
        assert!(risky("NODE_OPTIONS", "--max-old-space-size=4096").is_none());
        assert!(risky("NODE_OPTIONS", "-r /tmp/x.js").is_some());
        assert!(risky("HISTFILE", "/dev/null").is_some());
        assert!(risky("RUST_LOG", "debug").is_none());
        assert!(risky("CC", "clang").is_none());
        assert!(risky("CC", "/tmp/cc").is_some());
    }
}
