//! Where a path lands: inside the workspace, its `.git`, a temporary
//! directory, the home directory and its dotfiles, the system, a device.
//! Writes and deletes are decided by place (see the policy table in the
//! crate docs of [`super`]).

/// The kind of place a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// Inside a workspace root (not the root itself, not `.git`).
    Workspace,
    /// A workspace root itself (deleting it deletes the project).
    WorkspaceRoot,
    /// A repository's `.git` directory (hooks and config run code).
    GitInternals,
    /// `/tmp`, `/var/tmp`, `/dev/shm` contents.
    Tmp,
    /// A dotfile or dot-directory of the home directory (`~/.bashrc`, `~/.ssh`).
    HomeDotfile,
    /// The home directory or a plain file in it.
    Home,
    /// The root, a system directory or a file in one.
    System,
    /// A device other than the harmless ones.
    Device,
    /// `/dev/null`, the standard streams, the terminal.
    Null,
    /// Anywhere else.
    Outside,
}

/// Top-level directories whose contents belong to the system.
pub(crate) const SYSTEM_DIRS: [&str; 14] = [
    "/etc", "/boot", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/var", "/sys", "/proc",
    "/root", "/opt", "/srv",
];

/// The directories a checker knows.
pub(crate) struct Places<'c> {
    /// Workspace roots, absolute, without a trailing slash.
    pub roots: Vec<&'c str>,
    /// The home directory, absolute, without a trailing slash.
    pub home: Option<&'c str>,
    /// The working directory the line starts in.
    pub start: Option<&'c str>,
}

fn under<'p>(path: &'p str, dir: &str) -> Option<&'p str> {
    if dir == "/" {
        return path.strip_prefix('/');
    }
    let rest = path.strip_prefix(dir)?;
    if rest.is_empty() {
        Some("")
    } else {
        rest.strip_prefix('/')
    }
}

impl Places<'_> {
    /// The place of `path`: absolute, `~`-relative, or relative to the start
    /// directory (already normalised: no `.`, `..` only leading).
    pub(crate) fn of(&self, path: &str) -> Place {
        if path == "~" || path.starts_with("~/") {
            return match self.home {
                Some(h) => self.of_absolute(&format!("{h}{}", path.get(1..).unwrap_or(""))),
                None => home_place(path.get(2..).unwrap_or("")),
            };
        }
        if path.starts_with('/') {
            return self.of_absolute(path);
        }
        match self.start {
            Some(start) => {
                let joined = super::state::join(start, path);
                if joined.starts_with('/') {
                    self.of_absolute(&joined)
                } else {
                    Place::Outside
                }
            }
            None => {
                if path == ".." || path.starts_with("../") {
                    Place::Outside
                } else if path.is_empty() || path == "." {
                    Place::WorkspaceRoot
                } else if path == ".git" || path.starts_with(".git/") {
                    Place::GitInternals
                } else {
                    Place::Workspace
                }
            }
        }
    }

    fn of_absolute(&self, path: &str) -> Place {
        let path = if path.len() > 1 {
            path.trim_end_matches('/')
        } else {
            path
        };
        if matches!(
            path,
            "/dev/null" | "/dev/stdout" | "/dev/stderr" | "/dev/tty" | "/dev/zero"
        ) || path.starts_with("/dev/fd/")
        {
            return Place::Null;
        }
        if path.starts_with("/dev/") && path.len() > 5 {
            return if path.starts_with("/dev/shm/") {
                Place::Tmp
            } else {
                Place::Device
            };
        }
        // A dotfile of the home directory stays one even when the workspace
        // is the home directory itself (unless the workspace is inside it).
        if let Some(h) = self.home {
            if let Some(rest) = under(path, h) {
                let first = rest.split('/').next().unwrap_or("");
                if first.starts_with('.') && first.len() > 1 {
                    let dot = format!("{h}/{first}");
                    let inside = self
                        .roots
                        .iter()
                        .copied()
                        .chain(self.start)
                        .any(|r| under(r, &dot).is_some());
                    if !inside {
                        return Place::HomeDotfile;
                    }
                }
            }
        }
        let roots: Vec<&str> = if self.roots.is_empty() {
            self.start.into_iter().collect()
        } else {
            self.roots.clone()
        };
        for root in roots {
            if let Some(rest) = under(path, root) {
                if rest.is_empty() {
                    return Place::WorkspaceRoot;
                }
                if rest == ".git" || rest.starts_with(".git/") || rest.contains("/.git/") {
                    return Place::GitInternals;
                }
                return Place::Workspace;
            }
        }
        if let Some(h) = self.home {
            if let Some(rest) = under(path, h) {
                return home_place(rest);
            }
        }
        // Beside a workspace (its parent's other children) is another
        // project, not scratch space, even when it all lives in /tmp.
        for root in self
            .roots
            .iter()
            .copied()
            .chain(self.start)
            .chain(self.home)
        {
            if let Some((parent, _)) = root.rsplit_once('/') {
                if !matches!(parent, "" | "/tmp" | "/var/tmp" | "/dev/shm" | "/home")
                    && under(path, parent).is_some()
                {
                    return Place::Outside;
                }
            }
        }
        for tmp in ["/tmp", "/var/tmp", "/dev/shm"] {
            if let Some(rest) = under(path, tmp) {
                return if rest.is_empty() {
                    Place::System
                } else {
                    Place::Tmp
                };
            }
        }
        if let Some(h) = self.home {
            if let Some(rest) = under(path, h) {
                return home_place(rest);
            }
        }
        if path == "/" || SYSTEM_DIRS.iter().any(|d| under(path, d).is_some()) {
            return Place::System;
        }
        if path == "/home" || path.starts_with("/home/") || path.starts_with("/Users/") {
            // Another user's home, or this one's when the checker was not told.
            let depth = path.split('/').filter(|p| !p.is_empty()).count();
            let dot = path.split('/').nth(3).is_some_and(|c| c.starts_with('.'));
            return if dot {
                Place::HomeDotfile
            } else if depth <= 2 {
                Place::Home
            } else {
                Place::Outside
            };
        }
        Place::Outside
    }
}

fn home_place(rest: &str) -> Place {
    if rest.split('/').next().is_some_and(|c| c.starts_with('.')) {
        Place::HomeDotfile
    } else {
        Place::Home
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places() {
        let p = Places {
            roots: vec!["/home/dev/project"],
            home: Some("/home/dev"),
            start: Some("/home/dev/project"),
        };
        assert_eq!(p.of("src/x.rs"), Place::Workspace);
        assert_eq!(p.of("/home/dev/project/src/x.rs"), Place::Workspace);
        assert_eq!(p.of("~/project/src"), Place::Workspace);
        assert_eq!(p.of("."), Place::WorkspaceRoot);
        assert_eq!(p.of(".git/hooks/pre-commit"), Place::GitInternals);
        assert_eq!(p.of("../other"), Place::Home);
        assert_eq!(p.of("../../../etc/passwd"), Place::System);
        assert_eq!(p.of("~/.bashrc"), Place::HomeDotfile);
        assert_eq!(p.of("/tmp/x"), Place::Tmp);
        assert_eq!(p.of("/dev/sda"), Place::Device);
        assert_eq!(p.of("/dev/null"), Place::Null);
        assert_eq!(p.of("/etc/hosts"), Place::System);
        assert_eq!(p.of("/"), Place::System);
        let bare = Places {
            roots: vec![],
            home: None,
            start: None,
        };
        assert_eq!(bare.of("build"), Place::Workspace);
        assert_eq!(bare.of("../x"), Place::Outside);
        assert_eq!(bare.of("~/.ssh/id_rsa"), Place::HomeDotfile);
        let home_ws = Places {
            roots: vec!["/home/dev"],
            home: Some("/home/dev"),
            start: Some("/home/dev"),
        };
        assert_eq!(home_ws.of("~/.bashrc"), Place::HomeDotfile);
        assert_eq!(home_ws.of("notes.txt"), Place::Workspace);
    }
}
