//! The fixed file tree every line starts from: a project (the working
//! directory and workspace) and a home directory with secrets, under one root
//! that has the same absolute path on the host and in the sandbox.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The fixture's paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The root (`/tmp/tcp-oracle-...`).
    pub root: PathBuf,
}

/// Files of the project directory (relative path, content).
const PROJECT_FILES: [(&str, &str); 7] = [
    (
        ".git/config",
        "[core]\n\trepositoryformatversion = 0\n\tbare = false\n",
    ),
    (".git/HEAD", "ref: refs/heads/main\n"),
    ("src/main.rs", "fn main() {\n    println!(\"hi\");\n}\n"),
    (".env", "API_TOKEN=fixture-secret\n"),
    ("README.md", "# fixture\n"),
    ("Cargo.toml", "[package]\nname = \"fixture\"\n"),
    ("notes.txt", "a\nb\nc\n"),
];

/// Files of the home directory.
const HOME_FILES: [(&str, &str); 4] = [
    (
        ".ssh/id_rsa",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nfixture\n-----END OPENSSH PRIVATE KEY-----\n",
    ),
    (".bashrc", "# fixture bashrc\n"),
    (
        ".aws/credentials",
        "[default]\naws_access_key_id = FIXTURE\n",
    ),
    (".gitconfig", "[user]\n\tname = fixture\n"),
];

/// Files of `/etc` inside the sandbox (a tmpfs there; not created on the host).
pub const ETC_FILES: [(&str, &str); 3] = [
    ("passwd", "root:x:0:0:root:/root:/bin/bash\n"),
    ("hosts", "127.0.0.1 localhost\n"),
    ("hostname", "oracle\n"),
];

impl Layout {
    /// A layout under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The project directory (working directory and workspace root).
    pub fn project(&self) -> PathBuf {
        self.root.join("project")
    }

    /// The home directory.
    pub fn home(&self) -> PathBuf {
        self.root.join("home")
    }

    /// Creates the fixture under the root (which must not hold anything else
    /// the caller cares about: existing files of the same names are replaced).
    pub fn create(&self) -> io::Result<()> {
        write_files(&self.project(), &PROJECT_FILES)?;
        write_files(&self.home(), &HOME_FILES)?;
        Ok(())
    }
}

/// Writes `files` under `dir`, creating directories.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    for (rel, content) in files {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&p, content)?;
    }
    Ok(())
}
