//! The host side of one bubblewrap sandbox: builds its root (bash, its
//! libraries, the oracle's binaries, links to the shim for every program name
//! the host has), starts the driver in it, and exchanges JSON lines with it.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::fixture::Layout;
use crate::protocol::{
    ORACLE_BIN, Observation, REAL_BASH, RUNTIME_DIR, Request, SHELL_NAMES, SHIM, SHIM_PATH_DIR,
    fnv1a,
};

/// Directories whose program names become links to the shim.
pub const PROGRAM_DIRS: [&str; 5] = ["/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin"];

/// How to build a sandbox.
#[derive(Debug, Clone)]
pub struct Config {
    /// The shim binary on the host.
    pub shim: PathBuf,
    /// The driver binary on the host.
    pub driver: PathBuf,
    /// The bash binary on the host.
    pub bash: PathBuf,
    /// Wall-clock limit per line, milliseconds.
    pub timeout_ms: u64,
}

impl Config {
    /// The binaries next to the running executable (`target/<profile>/`), or
    /// one directory up (integration tests run from `target/<profile>/deps/`).
    pub fn beside_current_exe() -> io::Result<Config> {
        let exe = std::env::current_exe()?;
        let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
        if !dir.join("tcp-oracle-shim").exists() {
            dir = dir.parent().map(Path::to_path_buf).unwrap_or_default();
        }
        Ok(Config::in_dir(&dir))
    }

    /// The binaries in `dir`.
    pub fn in_dir(dir: &Path) -> Config {
        Config {
            shim: dir.join("tcp-oracle-shim"),
            driver: dir.join("tcp-oracle-driver"),
            bash: PathBuf::from("/bin/bash"),
            timeout_ms: 2000,
        }
    }
}

/// One running sandbox.
#[derive(Debug)]
pub struct Sandbox {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    layout: Layout,
    next_id: u64,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Run as root, lines run as uid (and gid) `LINE_UID_BASE + n` in the `n`th
/// sandbox of a process: a uid of their own, so that `RLIMIT_NPROC` counts
/// only them. Run as another user, they run under that user's uid.
pub const LINE_UID_BASE: u64 = 61_000;

/// The shared libraries `ldd` lists for `bin` (absolute paths).
fn libraries(bin: &Path) -> io::Result<Vec<String>> {
    let out = Command::new("ldd").arg(bin).output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .split_whitespace()
        .filter(|w| w.starts_with('/'))
        .map(str::to_owned)
        .collect())
}

/// Program names in `dir` on the host (none when it does not exist).
fn program_names(dir: &str) -> BTreeSet<String> {
    fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                .filter(|n| !n.contains('/'))
                .collect()
        })
        .unwrap_or_default()
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

impl Sandbox {
    /// Creates the host copy of the fixture and starts the sandbox.
    pub fn start(cfg: &Config) -> io::Result<Sandbox> {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let layout = Layout::new(format!("/tmp/tcp-oracle-{}-{n}", std::process::id()));
        if layout.root.exists() {
            fs::remove_dir_all(&layout.root)?;
        }
        layout.create()?;
        let args = bwrap_args(cfg, &layout, n)?;
        let mut child = Command::new("bwrap")
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("no stdin"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no stdout"))?;
        Ok(Sandbox {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            layout,
            next_id: 0,
        })
    }

    /// The fixture (same absolute paths on the host and in the sandbox).
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Runs one line and returns what bash did.
    pub fn run(&mut self, line: &str) -> io::Result<Observation> {
        let id = self.next_id;
        self.next_id += 1;
        let mut req = serde_json::to_vec(&Request {
            id,
            line: line.to_owned(),
        })
        .map_err(io::Error::other)?;
        req.push(b'\n');
        self.stdin.write_all(&req)?;
        self.stdin.flush()?;
        let mut resp = String::new();
        if self.stdout.read_line(&mut resp)? == 0 {
            return Err(io::Error::other("sandbox driver exited"));
        }
        let obs: Observation = serde_json::from_str(&resp).map_err(io::Error::other)?;
        if obs.id != id {
            return Err(io::Error::other("sandbox answered out of order"));
        }
        Ok(obs)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.layout.root);
    }
}

/// The program names per directory of [`PROGRAM_DIRS`] (shells always in
/// `/bin` and `/usr/bin`), and all of them for the `PATH` directory.
fn program_tables() -> (Vec<BTreeSet<String>>, BTreeSet<String>) {
    let mut all = BTreeSet::new();
    let per: Vec<BTreeSet<String>> = PROGRAM_DIRS
        .iter()
        .map(|d| {
            let mut names = program_names(d);
            if *d == "/bin" || *d == "/usr/bin" {
                names.extend(SHELL_NAMES.iter().map(|n| (*n).to_owned()));
            }
            all.extend(names.iter().cloned());
            names
        })
        .collect();
    (per, all)
}

/// The host directory holding the link directories (`0`..`4` for
/// [`PROGRAM_DIRS`], `path`), made once and reused while the host's program
/// names stay the same (thousands of links take seconds on a loaded disk).
fn program_links() -> io::Result<PathBuf> {
    static LINKS: Mutex<Option<PathBuf>> = Mutex::new(None);
    let mut guard = LINKS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = guard.as_ref() {
        return Ok(p.clone());
    }
    let (per, all) = program_tables();
    let mut listing = String::new();
    for (k, names) in per.iter().enumerate() {
        for n in names {
            listing.push_str(&format!("{k}/{n}\n"));
        }
    }
    let marker = format!("{:016x}", fnv1a(listing.as_bytes()));
    let base = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("tcp-oracle-links-{marker}"));
    if !dir.join("complete").exists() {
        let tmp = base.join(format!("tcp-oracle-links-{marker}.{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        let make = |names: &BTreeSet<String>, d: &Path| -> io::Result<()> {
            fs::create_dir_all(d)?;
            for n in names {
                let target = if SHELL_NAMES.contains(&n.as_str()) {
                    REAL_BASH
                } else {
                    SHIM
                };
                std::os::unix::fs::symlink(target, d.join(n))?;
            }
            Ok(())
        };
        for (k, names) in per.iter().enumerate() {
            make(names, &tmp.join(k.to_string()))?;
        }
        make(&all, &tmp.join("path"))?;
        fs::write(tmp.join("complete"), &listing)?;
        // Another process may have won the race: then use its copy.
        if fs::rename(&tmp, &dir).is_err() {
            let _ = fs::remove_dir_all(&tmp);
        }
    }
    *guard = Some(dir.clone());
    Ok(dir)
}

/// The bubblewrap command line for `layout`.
fn bwrap_args(cfg: &Config, layout: &Layout, n: u64) -> io::Result<Vec<String>> {
    let mut a: Vec<String> = Vec::new();
    let mut push = |xs: &[&str]| a.extend(xs.iter().map(|x| (*x).to_owned()));
    push(&[]);
    // SAFETY: geteuid has no preconditions.
    let is_root = unsafe { libc::geteuid() } == 0;
    if is_root {
        // Every namespace but the user one: the driver keeps real
        // capabilities to run bash under a uid of its own, where
        // RLIMIT_NPROC holds (real root is exempt from it, so a fork bomb in
        // a line would exhaust the host).
        push(&[
            "--unshare-ipc",
            "--unshare-pid",
            "--unshare-net",
            "--unshare-uts",
            "--unshare-cgroup-try",
        ]);
    } else {
        // Not root: a user namespace; lines run under the caller's uid, which
        // RLIMIT_NPROC binds anyway.
        push(&["--unshare-all", "--unshare-pid"]);
    }
    push(&[
        "--as-pid-1",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
        "--tmpfs",
        "/etc",
        "--tmpfs",
        RUNTIME_DIR,
    ]);
    let mut libs = BTreeSet::new();
    for bin in [&cfg.bash, &cfg.shim, &cfg.driver] {
        libs.extend(libraries(bin)?);
    }
    // bubblewrap makes missing parents of mount points mode 0700: make them
    // 0755 first, or the lines' unprivileged uid cannot reach bash's libraries.
    let mut parents = BTreeSet::new();
    let dests = libs
        .iter()
        .map(String::as_str)
        .chain([REAL_BASH, SHIM, RUNTIME_DIR, SHIM_PATH_DIR])
        .chain(PROGRAM_DIRS);
    for d in dests {
        let mut p = Path::new(d).parent();
        while let Some(dir) = p {
            if dir != Path::new("/") {
                parents.insert(s(dir));
            }
            p = dir.parent();
        }
    }
    let mut parents: Vec<String> = parents.into_iter().collect();
    parents.sort_by_key(|p| p.matches('/').count());
    for p in &parents {
        push(&["--perms", "0755", "--dir", p]);
    }
    for l in &libs {
        push(&["--ro-bind", l, l]);
    }
    let bash = s(&cfg.bash);
    let shim = s(&cfg.shim);
    let driver = s(&cfg.driver);
    let driver_in = format!("{ORACLE_BIN}/tcp-oracle-driver");
    push(&["--ro-bind", &bash, REAL_BASH, "--ro-bind", &shim, SHIM]);
    push(&["--ro-bind", &driver, &driver_in]);
    // The program directories are prepared on the host (links to the shim,
    // dangling there) and bound read-only: one argument pair per directory.
    let links = program_links()?;
    for (k, d) in PROGRAM_DIRS.iter().enumerate() {
        push(&["--ro-bind", &s(&links.join(k.to_string())), d]);
    }
    push(&["--ro-bind", &s(&links.join("path")), SHIM_PATH_DIR]);
    push(&["--remount-ro", "/"]);
    let root = s(&layout.root);
    let timeout = cfg.timeout_ms.to_string();
    push(&["--setenv", "TCP_ORACLE_ROOT", &root]);
    push(&["--setenv", "TCP_ORACLE_TIMEOUT_MS", &timeout]);
    if is_root {
        let uid = (LINE_UID_BASE + n % 1000).to_string();
        push(&["--setenv", "TCP_ORACLE_UID", &uid]);
        for cap in [
            "CAP_SETUID",
            "CAP_SETGID",
            "CAP_CHOWN",
            "CAP_FOWNER",
            "CAP_DAC_OVERRIDE",
            "CAP_KILL",
        ] {
            push(&["--cap-add", cap]);
        }
    }
    push(&["--chdir", "/", &driver_in]);
    Ok(a)
}
