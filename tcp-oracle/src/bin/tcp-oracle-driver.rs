//! Runs inside the sandbox as its init process (pid 1: signals from the
//! lines, `kill -9 -1` included, cannot end it): reads JSON requests on stdin, runs each line under the real bash
//! from a freshly reset fixture, and answers with a JSON observation per line.
//!
//! Per line: reset `/tmp` (the fixture), `/etc` and `/dev` extras; run
//! `bash -n -c LINE`, then `bash -c LINE` (stdin `/dev/null`, cwd the project,
//! a fixed environment, a wall-clock limit and rlimits); wait a short grace
//! period for background jobs, kill every other process in the pid namespace
//! (the driver is their child subreaper, so it can reap them), then read the
//! shim log and diff the trees.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, BufRead, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::sleep;
use std::time::{Duration, Instant};

use tcp_oracle::fixture::{ETC_FILES, Layout, write_files};
use tcp_oracle::protocol::{
    BASELINE_PATH, BASH_ENV_PATH, LOG_PATH, Observation, REAL_BASH, RUNTIME_DIR, Request,
    SHIM_PATH_DIR, ShimRecord, WATCHED_TREES, bash_env_code,
};
use tcp_oracle::snapshot::{Snapshot, diff, snapshot};

/// How long background jobs may go on after bash itself exits.
const GRACE: Duration = Duration::from_millis(100);

struct Driver {
    layout: Layout,
    /// The lines' own uid (when the sandbox runs as root), else none.
    uid: Option<u32>,
    env: BTreeMap<String, String>,
    timeout: Duration,
    dev_initial: BTreeSet<String>,
    baseline: Snapshot,
}

fn main() {
    if let Err(e) = run() {
        eprintln!("tcp-oracle-driver: {e}");
        std::process::exit(1);
    }
}

fn run() -> io::Result<()> {
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER takes an integer flag; no memory is passed.
    if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let root = std::env::var("TCP_ORACLE_ROOT")
        .map_err(|_| io::Error::other("TCP_ORACLE_ROOT not set"))?;
    let timeout_ms: u64 = std::env::var("TCP_ORACLE_TIMEOUT_MS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let uid: Option<u32> = std::env::var("TCP_ORACLE_UID")
        .ok()
        .and_then(|s| s.parse().ok());
    let layout = Layout::new(&root);
    fs::create_dir_all(RUNTIME_DIR)?;
    fs::write(BASH_ENV_PATH, bash_env_code())?;
    let env: BTreeMap<String, String> = [
        ("PATH", SHIM_PATH_DIR.to_owned()),
        ("HOME", layout.home().to_string_lossy().into_owned()),
        ("BASH_ENV", BASH_ENV_PATH.to_owned()),
        ("LC_ALL", "C.UTF-8".to_owned()),
        ("USER", "oracle".to_owned()),
        ("TERM", "dumb".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    fs::write(
        BASELINE_PATH,
        serde_json::to_vec(&env).map_err(io::Error::other)?,
    )?;
    let dev_initial = snapshot(&["/dev"]).into_keys().collect();
    let mut d = Driver {
        layout,
        uid,
        env,
        timeout: Duration::from_millis(timeout_ms),
        dev_initial,
        baseline: Snapshot::new(),
    };
    d.reset()?;
    d.baseline = snapshot(&WATCHED_TREES);

    let stdin = io::stdin();
    let mut out = io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line?;
        let req: Request = serde_json::from_str(&line).map_err(io::Error::other)?;
        let obs = d.observe(&req);
        let mut json = serde_json::to_vec(&obs).map_err(io::Error::other)?;
        json.push(b'\n');
        out.write_all(&json)?;
        out.flush()?;
    }
    Ok(())
}

/// Removes everything inside `dir` (not `dir` itself).
fn clear_dir(dir: &Path) {
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            let is_dir = fs::symlink_metadata(&p)
                .map(|m| m.is_dir())
                .unwrap_or(false);
            let _ = if is_dir {
                fs::remove_dir_all(&p)
            } else {
                fs::remove_file(&p)
            };
        }
    }
}

impl Driver {
    fn reset(&self) -> io::Result<()> {
        clear_dir(Path::new("/tmp"));
        clear_dir(Path::new("/etc"));
        // /dev holds device nodes bubblewrap made: remove only what lines added.
        let now: Vec<String> = snapshot(&["/dev"]).into_keys().collect();
        for p in now.iter().rev() {
            if !self.dev_initial.contains(p) {
                let _ = fs::remove_file(p).or_else(|_| fs::remove_dir_all(p));
            }
        }
        self.layout.create()?;
        write_files(Path::new("/etc"), &ETC_FILES)?;
        fs::write(LOG_PATH, b"")?;
        // The lines' uid owns what a user owns: the fixture, and (to see
        // attempted writes there) /etc; /tmp is world-writable and sticky.
        fs::set_permissions("/tmp", fs::Permissions::from_mode(0o1777))?;
        if let Some(uid) = self.uid {
            chown_tree(&self.layout.root, uid)?;
            chown_tree(Path::new("/etc"), uid)?;
            std::os::unix::fs::chown(LOG_PATH, Some(uid), Some(uid))?;
        }
        Ok(())
    }

    fn bash(&self, args: &[&str]) -> io::Result<Child> {
        let mut c = Command::new(REAL_BASH);
        c.arg0("bash")
            .args(args)
            .env_clear()
            .envs(&self.env)
            .current_dir(self.layout.project())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let cpu = self.timeout.as_secs().max(1) + 1;
        let uid = self.uid;
        // SAFETY: the closure only calls setrlimit, setgroups, setgid and setuid
        // (async-signal-safe) between fork and exec.
        unsafe {
            c.pre_exec(move || {
                limit(libc::RLIMIT_CPU, cpu)?;
                limit(libc::RLIMIT_FSIZE, 1 << 20)?;
                // Under the caller's own uid (no root), its other processes
                // and threads count too.
                limit(libc::RLIMIT_NPROC, if uid.is_some() { 128 } else { 512 })?;
                limit(libc::RLIMIT_AS, 1 << 30)?;
                // Drop root: the limits above then bind (root is exempt from
                // RLIMIT_NPROC) and the line cannot signal the driver.
                if let Some(uid) = uid
                    && (libc::setgroups(0, std::ptr::null()) != 0
                        || libc::setgid(uid) != 0
                        || libc::setuid(uid) != 0)
                {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        c.spawn()
    }

    /// Runs bash with `args` to its end or the time limit; kills the rest.
    fn run_to_end(&self, args: &[&str]) -> io::Result<(ExitStatus, bool, u32)> {
        let mut child = self.bash(args)?;
        // A blocking wait wakes as soon as bash exits (polling costs whole
        // scheduler slices on a loaded machine); a watchdog ends it at the limit.
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let timeout = self.timeout;
        let watchdog = std::thread::Builder::new().spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = done_rx.recv_timeout(timeout) {
                kill_others();
                true
            } else {
                false
            }
        });
        let (status, timed_out) = match watchdog {
            Ok(w) => {
                let status = child.wait();
                let _ = done_tx.send(());
                (status, w.join().unwrap_or(false))
            }
            // No thread to be had: poll instead.
            Err(_) => {
                let start = Instant::now();
                loop {
                    match child.try_wait() {
                        Ok(Some(st)) => break (Ok(st), false),
                        Ok(None) if start.elapsed() >= timeout => {
                            kill_others();
                            break (child.wait(), true);
                        }
                        Ok(None) => sleep(Duration::from_millis(1)),
                        Err(e) => break (Err(e), false),
                    }
                }
            }
        };
        let status = status?;
        // Background jobs may still be doing what the line asked: let them.
        let grace_end = Instant::now() + GRACE;
        let mut nap = Duration::from_micros(50);
        while !others().is_empty() && Instant::now() < grace_end {
            reap();
            sleep(nap);
            nap = (nap * 2).min(Duration::from_millis(5));
        }
        let mut strays = 0;
        let end = Instant::now() + Duration::from_secs(2);
        loop {
            reap();
            let left = others();
            if left.is_empty() || Instant::now() > end {
                break;
            }
            strays = strays.max(u32::try_from(left.len()).unwrap_or(u32::MAX));
            kill_others();
            sleep(Duration::from_micros(200));
        }
        Ok((status, timed_out, strays))
    }

    fn observe(&self, req: &Request) -> Observation {
        let mut obs = Observation {
            id: req.id,
            ..Observation::default()
        };
        if let Err(e) = self.observe_into(req, &mut obs) {
            obs.error = Some(e.to_string());
        }
        obs
    }

    fn observe_into(&self, req: &Request, obs: &mut Observation) -> io::Result<()> {
        // `bash -n` runs nothing (BASH_ENV only defines a function): no reset before it.
        let (st, _, _) = self
            .run_to_end(&["-n", "-c", &req.line])
            .map_err(|e| io::Error::other(format!("bash -n: {e}")))?;
        obs.syntax_ok = st.success();
        self.reset()
            .map_err(|e| io::Error::other(format!("reset: {e}")))?;
        let (st, timed_out, strays) = self
            .run_to_end(&["-c", &req.line])
            .map_err(|e| io::Error::other(format!("bash: {e}")))?;
        obs.exit = st.code();
        obs.signal = st.signal();
        obs.timed_out = timed_out;
        obs.strays_killed = strays;
        let log = fs::read(LOG_PATH).unwrap_or_default();
        for l in log.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            // A fragment that is no record was cut short (the line's file-size
            // limit, a writer killed at clean-up) or written by the line itself
            // into the log: it names no command, so it is skipped rather than
            // failing the whole run.
            if let Ok(r) = serde_json::from_slice::<ShimRecord>(l) {
                obs.records.push(r);
            }
        }
        let after = snapshot(&WATCHED_TREES);
        obs.changes = diff(&self.baseline, &after)
            .into_iter()
            .filter(|c| c.path != LOG_PATH)
            .collect();
        Ok(())
    }
}

/// Gives `path` and everything under it to `uid`.
fn chown_tree(path: &Path, uid: u32) -> io::Result<()> {
    std::os::unix::fs::lchown(path, Some(uid), Some(uid))?;
    if fs::symlink_metadata(path)?.is_dir() {
        for e in fs::read_dir(path)?.flatten() {
            chown_tree(&e.path(), uid)?;
        }
    }
    Ok(())
}

fn limit(res: libc::__rlimit_resource_t, v: u64) -> io::Result<()> {
    let r = libc::rlimit {
        rlim_cur: v,
        rlim_max: v,
    };
    // SAFETY: `r` is a valid rlimit for the duration of the call.
    if unsafe { libc::setrlimit(res, &r) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Every process in the namespace but pid 1 (normally us) and us.
fn others() -> Vec<i32> {
    let me = i32::try_from(std::process::id()).unwrap_or(0);
    let Ok(rd) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    rd.flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()))
        .filter(|p| *p != 1 && *p != me)
        .collect()
}

fn kill_others() {
    for p in others() {
        // SAFETY: kill takes plain integers.
        unsafe {
            libc::kill(p, libc::SIGKILL);
        }
    }
}

/// Reaps every exited child (orphans are ours: we are the child subreaper).
fn reap() {
    loop {
        let mut st = 0;
        // SAFETY: waitpid writes the status into `st`, a valid int.
        let r = unsafe { libc::waitpid(-1, &mut st, libc::WNOHANG) };
        if r <= 0 {
            break;
        }
    }
}
