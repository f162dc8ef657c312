//! Files and variables that hold credentials: reading one asks, and a line
//! that reads one and also talks to the network is exfiltration (REJECT).

/// Paths under the home directory (written `~/...`) that hold credentials.
const HOME_SECRETS: [&str; 27] = [
    "~/.ssh/",
    "~/.aws/",
    "~/.config/gcloud/",
    "~/.azure/",
    "~/.kube/",
    "~/.docker/config.json",
    "~/.npmrc",
    "~/.pypirc",
    "~/.netrc",
    "~/.git-credentials",
    "~/.gnupg/",
    "~/.password-store/",
    "~/.vault-token",
    "~/.terraform.d/credentials.tfrc.json",
    "~/.config/gh/",
    "~/.config/hub",
    "~/.cargo/credentials",
    "~/.gem/credentials",
    "~/.bash_history",
    "~/.zsh_history",
    "~/.mozilla/",
    "~/.config/google-chrome/",
    "~/.config/chromium/",
    "~/Library/Keychains/",
    "~/.local/share/keyrings/",
    "~/.config/rclone/",
    "~/.pgpass",
];

/// System files that hold credentials.
const SYSTEM_SECRETS: [&str; 8] = [
    "/etc/shadow",
    "/etc/gshadow",
    "/etc/sudoers",
    "/etc/ssh/ssh_host_",
    "/root/",
    "/var/run/secrets/",
    "/run/secrets/",
    "/etc/security/opasswd",
];

/// True if `path` (normalised: `~/...`, absolute or relative) names a credential file.
pub(crate) fn is_secret_path(path: &str) -> bool {
    if path.is_empty() || path.starts_with('-') {
        return false;
    }
    let base = path.rsplit('/').next().unwrap_or(path);
    if path.starts_with("~/.ssh/") && (base.ends_with(".pub") || base.starts_with("known_hosts")) {
        return false;
    }
    if HOME_SECRETS
        .iter()
        .any(|s| path == s.trim_end_matches('/') || path.starts_with(s))
    {
        return true;
    }
    if SYSTEM_SECRETS.iter().any(|s| path.starts_with(s)) {
        return true;
    }
    if path.starts_with("/proc/") && path.ends_with("/environ") {
        return true;
    }
    let lower = base.to_ascii_lowercase();
    if lower == ".env"
        || (lower.starts_with(".env.")
            && !matches!(
                lower.as_str(),
                ".env.example" | ".env.sample" | ".env.template" | ".env.dist"
            ))
    {
        return true;
    }
    let key_ext = [
        ".pem",
        ".key",
        ".p12",
        ".pfx",
        ".kdbx",
        ".keystore",
        ".jks",
        ".ppk",
        ".asc",
    ];
    if key_ext.iter().any(|e| lower.ends_with(e)) && !lower.ends_with(".pub.asc") {
        return true;
    }
    [
        "id_rsa",
        "id_ed25519",
        "id_ecdsa",
        "id_dsa",
        "credentials",
        "secrets.",
        ".htpasswd",
        "service-account",
        "kubeconfig",
        "token.json",
        ".token",
    ]
    .iter()
    .any(|w| lower.contains(w))
        && !lower.ends_with(".pub")
        && !lower.ends_with(".md")
        && !lower.ends_with(".rs")
        && !lower.ends_with(".py")
        && !lower.ends_with(".ts")
        && !lower.ends_with(".go")
}

/// True if an environment variable's name says it holds a credential.
pub(crate) fn is_secret_variable(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
        "CREDENTIAL",
        "AUTH",
    ]
    .iter()
    .any(|w| upper.contains(w))
}

/// Commands that only look at a file's metadata, use a credential for what it
/// is for, or remove it (deletion is decided elsewhere).
pub(crate) const NOT_READING: [&str; 24] = [
    "ln",
    "git",
    "ls",
    "stat",
    "test",
    "[",
    "[[",
    "file",
    "du",
    "chmod",
    "chown",
    "touch",
    "mkdir",
    "rm",
    "ssh-add",
    "ssh-keygen",
    "source",
    ".",
    "realpath",
    "readlink",
    "dirname",
    "basename",
    "find",
    "direnv",
];

/// Every path a word may name: itself, after `=`, after `@` (`-F f=@path`).
pub(crate) fn candidate_paths(word: &str) -> impl Iterator<Item = &str> {
    let after_eq = word.split_once('=').map(|(_, v)| v);
    let after_at = word.rsplit_once('@').map(|(_, v)| v);
    std::iter::once(word)
        .chain(after_eq)
        .chain(after_at)
        .map(|p| p.trim_start_matches('<'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets() {
        for p in [
            "~/.ssh/id_rsa",
            "~/.aws/credentials",
            "/etc/shadow",
            ".env",
            "config/.env.production",
            "~/.kube/config",
            "deploy.pem",
            "/proc/self/environ",
            "config/secrets.yml",
        ] {
            assert!(is_secret_path(p), "{p}");
        }
        for p in [
            "~/.ssh/id_rsa.pub",
            "~/.ssh/known_hosts",
            ".env.example",
            "src/main.rs",
            "README.md",
            "src/token.rs",
        ] {
            assert!(!is_secret_path(p), "{p}");
        }
        assert!(is_secret_variable("GITHUB_TOKEN"));
        assert!(!is_secret_variable("HOME"));
        assert_eq!(
            candidate_paths("f=@/etc/shadow").collect::<Vec<_>>(),
            ["f=@/etc/shadow", "@/etc/shadow", "/etc/shadow"]
        );
    }
}
