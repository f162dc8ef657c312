//! Snapshots of file trees (path, type, size, content hash) and their difference.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;

use crate::protocol::{ChangeKind, Entry, FileChange, fnv1a};

/// Largest file content hashed in full (the sandbox limits file size below this).
const MAX_HASHED: u64 = 16 << 20;

/// A tree's entries by absolute path.
pub type Snapshot = BTreeMap<String, Entry>;

/// Adds every entry under `root` (not `root` itself) to `out`. Symbolic links
/// are not followed; unreadable entries are recorded with hash 0.
pub fn snapshot_into(root: &Path, out: &mut Snapshot) {
    let Ok(rd) = fs::read_dir(root) else {
        return;
    };
    for e in rd.flatten() {
        let path = e.path();
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        let ft = meta.file_type();
        let key = path.to_string_lossy().into_owned();
        let entry = if ft.is_dir() {
            snapshot_into(&path, out);
            Entry {
                kind: "dir".into(),
                size: 0,
                hash: 0,
            }
        } else if ft.is_symlink() {
            let target = fs::read_link(&path).unwrap_or_default();
            Entry {
                kind: "symlink".into(),
                size: 0,
                hash: fnv1a(target.as_os_str().as_encoded_bytes()),
            }
        } else if ft.is_file() {
            Entry {
                kind: "file".into(),
                size: meta.len(),
                hash: hash_file(&path, meta.len()),
            }
        } else {
            Entry {
                kind: "other".into(),
                size: 0,
                hash: 0,
            }
        };
        out.insert(key, entry);
    }
}

fn hash_file(path: &Path, len: u64) -> u64 {
    if len > MAX_HASHED {
        return len;
    }
    let mut buf = Vec::new();
    match fs::File::open(path).and_then(|mut f| f.read_to_end(&mut buf)) {
        Ok(_) => fnv1a(&buf),
        Err(_) => 0,
    }
}

/// Snapshots several trees.
pub fn snapshot(roots: &[&str]) -> Snapshot {
    let mut out = Snapshot::new();
    for r in roots {
        snapshot_into(Path::new(r), &mut out);
    }
    out
}

/// What changed from `before` to `after`, by path.
pub fn diff(before: &Snapshot, after: &Snapshot) -> Vec<FileChange> {
    let mut out = Vec::new();
    for (p, a) in after {
        match before.get(p) {
            None => out.push(FileChange {
                path: p.clone(),
                change: ChangeKind::Created,
                after: Some(a.clone()),
            }),
            Some(b) if b != a => out.push(FileChange {
                path: p.clone(),
                change: ChangeKind::Modified,
                after: Some(a.clone()),
            }),
            Some(_) => {}
        }
    }
    for p in before.keys() {
        if !after.contains_key(p) {
            out.push(FileChange {
                path: p.clone(),
                change: ChangeKind::Deleted,
                after: None,
            });
        }
    }
    out
}
