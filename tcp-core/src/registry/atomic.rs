//! Writing a registry file without ever modifying it in place.
//!
//! Readers may hold the old file open (read into memory or mapped) for as
//! long as they like, so a writer must never truncate or rewrite it: it
//! writes a temporary file in the target's directory, flushes and fsyncs it,
//! gives it the target's permissions, renames it over the target (atomic on
//! POSIX) and fsyncs the directory so that the rename itself is durable. A
//! crash at any point leaves either the old file or the new one under the
//! target's name, never a mix; at worst a stray temporary file
//! (`.NAME.tmp-PID-N`) is left beside it.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Distinguishes temporary files of concurrent writers in one process.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

fn io_at(path: &Path, e: &std::io::Error) -> Error {
    Error::Io {
        detail: format!("{}: {e}", path.display()),
    }
}

/// The directory a path lives in (`.` for a bare file name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A symbolic link is followed, so that the file it points at is replaced
/// and the link stays (a rename over the link would replace the link itself).
fn resolve_links(path: &Path) -> Result<PathBuf> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).map_err(|e| io_at(path, &e))
        }
        _ => Ok(path.to_path_buf()),
    }
}

/// Replaces `path` with `bytes` atomically (see the module documentation).
/// If `path` is a symbolic link, the file it points at is replaced.
///
/// The new file keeps the permission bits of the file it replaces (a new
/// target gets the process's default, `0o666` less the umask); the owner is
/// the writer's. If anything fails before the rename, the temporary file is
/// removed and the target is untouched.
pub fn write_file_atomic(path: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    let path = resolve_links(path.as_ref())?;
    let path = path.as_path();
    let dir = parent_dir(path);
    let name = path
        .file_name()
        .ok_or_else(|| Error::Io {
            detail: format!("{}: not a file name", path.display()),
        })?
        .to_string_lossy()
        .into_owned();
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        SEQUENCE.fetch_add(1, Ordering::Relaxed)
    ));
    let result = write_then_rename(path, &tmp, bytes);
    if result.is_err() {
        // Best effort: the temporary file may not exist (the create failed).
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    // The rename is durable only once the directory entry is on disk. A
    // failure here does not undo the replacement, which readers already see.
    File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_at(&dir, &e))
}

fn write_then_rename(path: &Path, tmp: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp)
        .map_err(|e| io_at(tmp, &e))?;
    file.write_all(bytes).map_err(|e| io_at(tmp, &e))?;
    file.flush().map_err(|e| io_at(tmp, &e))?;
    match std::fs::metadata(path) {
        Ok(old) => file
            .set_permissions(old.permissions())
            .map_err(|e| io_at(tmp, &e))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_at(path, &e)),
    }
    file.sync_all().map_err(|e| io_at(tmp, &e))?;
    drop(file);
    fault_point();
    std::fs::rename(tmp, path).map_err(|e| io_at(path, &e))
}

/// Test hook: with `TCP_TEST_WRITER_PAUSE_US` set, sleeps that many
/// microseconds between the fsync and the rename, so that a test can kill a
/// writer while its temporary file is complete but not yet renamed.
fn fault_point() {
    if let Some(us) = std::env::var_os("TCP_TEST_WRITER_PAUSE_US")
        .and_then(|v| v.to_str().and_then(|s| s.parse::<u64>().ok()))
    {
        std::thread::sleep(std::time::Duration::from_micros(us));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("tcp-atomic-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn replaces_whole_file_and_keeps_permissions() {
        let d = scratch("perm");
        let p = d.join("reg.tcpr");
        write_file_atomic(&p, b"first version, long").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        let held = File::open(&p).unwrap();
        write_file_atomic(&p, b"second").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o640
        );
        // The old inode is untouched: a reader holding it still sees the old bytes.
        let mut old = Vec::new();
        std::io::Read::read_to_end(&mut &held, &mut old).unwrap();
        assert_eq!(old, b"first version, long");
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(&d).unwrap().collect();
        assert_eq!(names.len(), 1);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_symlink_stays_and_its_target_is_replaced() {
        let d = scratch("link");
        let real = d.join("real.tcpr");
        let link = d.join("link.tcpr");
        write_file_atomic(&real, b"old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_file_atomic(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn failure_leaves_target_untouched() {
        let d = scratch("fail");
        let p = d.join("reg.tcpr");
        write_file_atomic(&p, b"old").unwrap();
        // A directory where the target should be: the rename fails.
        let as_dir = d.join("sub");
        std::fs::create_dir(&as_dir).unwrap();
        std::fs::write(as_dir.join("x"), b"").unwrap();
        assert!(write_file_atomic(&as_dir, b"new").is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert!(write_file_atomic(d.join("missing-dir/reg.tcpr"), b"x").is_err());
        let stray = std::fs::read_dir(&d)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains(".tmp-")
            })
            .count();
        assert_eq!(stray, 0);
        std::fs::remove_dir_all(&d).unwrap();
    }
}
