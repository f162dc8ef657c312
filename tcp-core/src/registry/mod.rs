//! Registries: descriptors looked up by command name (or 4-byte hash).
//!
//! Three file formats are read, detected by magic:
//! - libtcp's TCPR v1 ([`mod@format`]): a hash table of 64-byte slots with a
//!   SHA-256 digest in the header, used in place;
//! - the prototype's TCPDB v1 and v2 ([`tcpdb`]), used in place with a
//!   side index built at open;
//! - JSON ([`Registry::from_json`]) in libtcp's schema or the prototype's export.
//!
//! Every entry is checked at open: framing (length, magic, version,
//! checksum) under its dialect and the command hash against its name. Flag
//! interpretation is lenient where the source is the prototype's data (its
//! knowledge base has 15 entries without a risk bit); [`Entry::decode`]
//! reports that leniency.
//!
//! # Updating a registry file while others read it
//!
//! Writers never modify a registry file in place: every function here that
//! writes one ([`write_file_atomic`], [`RegistryBuilder::write`],
//! [`Registry::write_tcpr`], [`tcpdb::write_v2`], and `tcp registry build`)
//! writes a temporary file beside it and renames it over the target. Readers
//! are safe against any writer (see [`Registry::open`]), and a process that
//! wants the new contents swaps them in with [`Reloadable`] or
//! [`LiveChecker`].

mod atomic;
pub mod format;
mod json;
mod mmap;
mod reload;
pub mod tcpdb;

pub use atomic::write_file_atomic;
pub use reload::{CheckerSource, LiveChecker, ReloadStatus, Reloadable};

use std::path::Path;

pub use json::{JsonEntry, JsonRegistry};

use crate::error::{Error, Result};
use crate::hash::{command_hash, ct_eq};
use crate::risk::{Capabilities, RiskLevel};
use crate::wire::{Decoded, Dialect, Mode, canonical, v2_kb};
use format::{Layout, PendingEntry};

/// Which file format a registry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistryFormat {
    /// libtcp's TCPR v1.
    Tcpr,
    /// The prototype's TCPDB v1.
    TcpdbV1,
    /// The prototype's TCPDB v2.
    TcpdbV2,
    /// JSON (libtcp's schema or the prototype's export), held in memory as
    /// TCPR: [`Registry::as_bytes`] gives the TCPR bytes built from it.
    Json,
}

impl RegistryFormat {
    /// Stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Tcpr => "tcpr-v1",
            Self::TcpdbV1 => "tcpdb-v1",
            Self::TcpdbV2 => "tcpdb-v2",
            Self::Json => "json",
        }
    }
}

enum Storage {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl Storage {
    fn bytes(&self) -> &[u8] {
        match self {
            Self::Owned(v) => v,
            Self::Mapped(m) => m,
        }
    }
}

/// Index of a TCPDB entry inside the mapped file.
#[derive(Clone, Copy)]
struct SideSlot {
    fingerprint: u64,
    name_off: u32,
    name_len: u16,
}

enum Index {
    Tcpr(Layout),
    Tcpdb {
        version: u8,
        generated_unix: Option<u64>,
        mask: usize,
        slots: Vec<SideSlot>,
        /// Entry offsets in file order.
        order: Vec<u32>,
    },
}

/// A looked-up entry, borrowed from its registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Command name.
    pub name: &'a str,
    /// Dialect of the descriptor.
    pub dialect: Dialect,
    /// The descriptor bytes (validated at open).
    pub descriptor: &'a [u8],
    /// The justification's bytes (UTF-8, validated at open; read on demand
    /// so that a lookup touches one cache line).
    justification: &'a [u8],
    /// Risk level (`None`: the descriptor has none).
    pub risk: Option<RiskLevel>,
    /// Capabilities, translated from the dialect's table.
    pub capabilities: Capabilities,
}

impl<'a> Entry<'a> {
    /// Why the entry says what it says (empty for the prototype's data).
    pub fn justification(&self) -> &'a str {
        core::str::from_utf8(self.justification).unwrap_or("")
    }

    /// Decodes the descriptor fully (lenient for the prototype's dialects, which
    /// records what was tolerated).
    pub fn decode(&self) -> Result<Decoded> {
        let mode = if self.dialect == Dialect::Canonical {
            Mode::Strict
        } else {
            Mode::Lenient
        };
        self.dialect.decode(self.descriptor, mode)
    }
}

/// Risk and capabilities of a descriptor validated at open, read without re-checking.
fn fields_of(dialect: Dialect, bytes: &[u8]) -> (Option<RiskLevel>, Capabilities) {
    match dialect {
        Dialect::Canonical => {
            let d = canonical::Descriptor::new_unchecked(bytes);
            (
                RiskLevel::from_u8(d.risk_raw()),
                Capabilities::from_bits_truncate(d.flags_raw()),
            )
        }
        Dialect::V2Kb => {
            let flags = v2_kb::Descriptor::new_unchecked(bytes).flags();
            (
                crate::wire::highest_risk_bit(flags),
                crate::wire::translate_flags(flags, &v2_kb::FLAG_TABLE),
            )
        }
        other => match other.decode(bytes, Mode::Lenient) {
            Ok(d) => (d.risk, d.capabilities),
            Err(_) => (None, Capabilities::EMPTY),
        },
    }
}

/// Checks one entry's descriptor: framing under its dialect, and its hash against the name.
fn check_entry(name: &str, dialect: Dialect, descriptor: &[u8]) -> Result<()> {
    if name.is_empty() {
        return Err(Error::BadName {
            detail: "empty name".into(),
        });
    }
    let mode = if dialect == Dialect::Canonical {
        Mode::Strict
    } else {
        Mode::Lenient
    };
    let decoded = dialect.decode(descriptor, mode)?;
    let expected = command_hash(name);
    match decoded.command_hash {
        Some(stored) if !ct_eq(&stored, &expected) => Err(Error::HashMismatch { stored, expected }),
        _ => Ok(()),
    }
}

/// `e` with the file's path in front of its detail, where it has one.
fn in_file(e: Error, path: &Path) -> Error {
    let at = |detail: String| format!("{}: {detail}", path.display());
    match e {
        Error::BadInput { detail } => Error::BadInput { detail: at(detail) },
        Error::BadIndex { detail } => Error::BadIndex { detail: at(detail) },
        Error::BadName { detail } => Error::BadName { detail: at(detail) },
        Error::Io { detail } => Error::Io { detail: at(detail) },
        other => other,
    }
}

/// A read-only registry. `Send + Sync`; lookups never allocate.
pub struct Registry {
    storage: Storage,
    index: Index,
    /// (hash, slot or entry number), sorted, for [`Registry::get_by_hash`].
    by_hash: Vec<([u8; 4], u32)>,
    /// Built from JSON (reported as [`RegistryFormat::Json`], not as the TCPR it is held in).
    from_json: bool,
}

impl core::fmt::Debug for Registry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Registry")
            .field("format", &self.format())
            .field("len", &self.len())
            .finish()
    }
}

impl Registry {
    /// Opens a registry file (TCPR, TCPDB v1/v2 by magic; JSON if it starts with `{`).
    ///
    /// A file of at most [`Registry::READ_LIMIT`] bytes (every registry
    /// short of millions of entries: 1 567 entries are 270 KB) is read into
    /// memory and checked there, so nothing another process does to the file
    /// afterwards (truncate, rewrite, replace, delete) can reach this
    /// registry: it keeps the contents it read. A reader that opens the file
    /// while a careless writer is rewriting it in place gets a typed error
    /// (digest, truncation), never half a registry.
    ///
    /// A larger file is memory-mapped (see [`Registry::open_mapped`]) under
    /// the contract **replace, never rewrite**: while the registry is open,
    /// the file may be replaced by renaming another over it (what every
    /// libtcp writer does) or deleted, but not truncated or written in place,
    /// which would change or remove the pages under the mapping (`SIGBUS`).
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        // Mapping a directory fails with ENODEV ("No such device"): say what it is.
        if path.is_dir() {
            return Err(Error::Io {
                detail: format!("{}: is a directory, not a registry file", path.display()),
            });
        }
        let file = Self::open_file(path)?;
        let len = file.metadata().map_err(|e| io_at(path, &e))?.len();
        if len > Self::READ_LIMIT {
            return Self::open_mapped_file(&file, path);
        }
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        std::io::Read::read_to_end(&mut &file, &mut bytes).map_err(|e| io_at(path, &e))?;
        if bytes.first() == Some(&b'{') {
            return Self::from_json(&mut bytes).map_err(|e| in_file(e, path));
        }
        Self::from_storage(Storage::Owned(bytes)).map_err(|e| in_file(e, path))
    }

    /// Files larger than this are mapped by [`Registry::open`] rather than read
    /// into memory (64 MiB: about 370 000 TCPR entries).
    pub const READ_LIMIT: u64 = 64 << 20;

    /// Opens a registry file by memory-mapping it, whatever its size.
    ///
    /// The mapping is taken on the open file, so a writer that renames a new
    /// file over the path (or deletes it) cannot disturb it: this registry
    /// keeps the old file's contents until it is dropped. Contract: **replace,
    /// never rewrite** — truncating or writing the mapped file in place while
    /// the registry is alive may kill the process with `SIGBUS`. libtcp's
    /// writers never do that ([`write_file_atomic`]).
    pub fn open_mapped(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = Self::open_file(path)?;
        Self::open_mapped_file(&file, path)
    }

    fn open_file(path: &Path) -> Result<std::fs::File> {
        std::fs::File::open(path).map_err(|e| io_at(path, &e))
    }

    fn open_mapped_file(file: &std::fs::File, path: &Path) -> Result<Self> {
        let map = mmap::map(file).map_err(|e| match e {
            Error::Io { detail } => Error::Io {
                detail: format!("{}: {detail}", path.display()),
            },
            other => other,
        })?;
        if map.first() == Some(&b'{') {
            let mut text = map.to_vec();
            return Self::from_json(&mut text).map_err(|e| in_file(e, path));
        }
        Self::from_storage(Storage::Mapped(map)).map_err(|e| in_file(e, path))
    }

    /// Writes this registry as TCPR to `path`, atomically ([`write_file_atomic`]).
    pub fn write_tcpr(&self, path: impl AsRef<Path>) -> Result<()> {
        write_file_atomic(path, &self.to_tcpr()?)
    }

    /// True if the registry's bytes are a memory mapping of its file (see
    /// [`Registry::open_mapped`]), false if they are in memory.
    pub fn is_mapped(&self) -> bool {
        matches!(self.storage, Storage::Mapped(_))
    }

    /// Reads a registry from bytes (TCPR or TCPDB).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self> {
        Self::from_storage(Storage::Owned(bytes))
    }

    /// Builds a registry from JSON (libtcp's schema or the prototype's export).
    pub fn from_json(text: &mut [u8]) -> Result<Self> {
        let mut reg = json::from_json(text)?.build()?;
        reg.from_json = true;
        Ok(reg)
    }

    fn from_storage(storage: Storage) -> Result<Self> {
        let bytes = storage.bytes();
        let index = if bytes.get(..4) == Some(&format::MAGIC[..]) {
            Index::Tcpr(Self::check_tcpr(bytes)?)
        } else if tcpdb::is_tcpdb(bytes) {
            Self::index_tcpdb(bytes)?
        } else {
            return Err(Error::BadMagic {
                found: bytes.get(..6).unwrap_or(bytes).to_vec(),
            });
        };
        let mut reg = Self {
            storage,
            index,
            by_hash: Vec::new(),
            from_json: false,
        };
        let mut by_hash: Vec<([u8; 4], u32)> = reg
            .positions()
            .filter_map(|p| {
                let e = reg.entry_at(p)?;
                Some((command_hash(e.name), p as u32))
            })
            .collect();
        by_hash.sort_unstable();
        reg.by_hash = by_hash;
        Ok(reg)
    }

    fn check_tcpr(bytes: &[u8]) -> Result<Layout> {
        let layout = Layout::check(bytes)?;
        let mut seen = 0usize;
        for i in 0..layout.slots() {
            let raw = layout.slot_bytes(bytes, i);
            if raw.iter().all(|b| *b == 0) {
                continue;
            }
            let slot = layout.slot(bytes, i).ok_or_else(|| Error::BadIndex {
                detail: format!("slot {i} points outside the string blob"),
            })?;
            let name = core::str::from_utf8(slot.name).map_err(|_| Error::BadName {
                detail: format!("slot {i}: name is not UTF-8"),
            })?;
            core::str::from_utf8(slot.justification).map_err(|_| Error::BadInput {
                detail: format!("slot {i}: justification is not UTF-8"),
            })?;
            let dialect =
                format::dialect_from_code(slot.dialect_code).ok_or_else(|| Error::BadIndex {
                    detail: format!("slot {i}: unknown dialect code {}", slot.dialect_code),
                })?;
            let len = dialect.record_len();
            check_entry(name, dialect, slot.descriptor.get(..len).unwrap_or(&[]))?;
            if slot.fingerprint != format::name_hash(slot.name)
                || layout.find(bytes, slot.name) != Some(i)
            {
                return Err(Error::BadIndex {
                    detail: format!("slot {i} ({name:?}) is not where its hash puts it"),
                });
            }
            seen += 1;
        }
        if seen != layout.count {
            return Err(Error::BadIndex {
                detail: format!("header says {} entries, table holds {seen}", layout.count),
            });
        }
        Ok(layout)
    }

    fn index_tcpdb(bytes: &[u8]) -> Result<Index> {
        let c = tcpdb::parse(bytes)?;
        let slots_len = (c.entries.len().max(1) * 2).next_power_of_two();
        let mask = slots_len - 1;
        let mut slots = vec![
            SideSlot {
                fingerprint: 0,
                name_off: 0,
                name_len: 0
            };
            slots_len
        ];
        let mut order = Vec::with_capacity(c.entries.len());
        for e in &c.entries {
            check_entry(e.name, Dialect::V2Kb, e.descriptor)?;
            let fp = format::name_hash(e.name.as_bytes());
            let mut i = (fp as usize) & mask;
            while let Some(s) = slots.get(i).filter(|s| s.fingerprint != 0) {
                let existing =
                    bytes.get(s.name_off as usize..s.name_off as usize + usize::from(s.name_len));
                if s.fingerprint == fp && existing == Some(e.name.as_bytes()) {
                    return Err(Error::DuplicateName {
                        name: e.name.to_owned(),
                    });
                }
                i = (i + 1) & mask;
            }
            let name_off = u32::try_from(e.offset + 2).map_err(|_| Error::BadIndex {
                detail: "file larger than 4 GiB".into(),
            })?;
            if let Some(s) = slots.get_mut(i) {
                *s = SideSlot {
                    fingerprint: fp,
                    name_off,
                    name_len: e.name.len() as u16,
                };
            }
            order.push(name_off);
        }
        Ok(Index::Tcpdb {
            version: c.version,
            generated_unix: c.generated_unix,
            mask,
            slots,
            order,
        })
    }

    /// The file format.
    pub fn format(&self) -> RegistryFormat {
        if self.from_json {
            return RegistryFormat::Json;
        }
        match &self.index {
            Index::Tcpr(_) => RegistryFormat::Tcpr,
            Index::Tcpdb { version: 1, .. } => RegistryFormat::TcpdbV1,
            Index::Tcpdb { .. } => RegistryFormat::TcpdbV2,
        }
    }

    /// TCPDB v2's generation time, Unix seconds.
    pub fn generated_unix(&self) -> Option<u64> {
        match &self.index {
            Index::Tcpdb { generated_unix, .. } => *generated_unix,
            Index::Tcpr(_) => None,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        match &self.index {
            Index::Tcpr(l) => l.count,
            Index::Tcpdb { order, .. } => order.len(),
        }
    }

    /// True if there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The raw bytes of the registry (the file, for TCPR and TCPDB).
    pub fn as_bytes(&self) -> &[u8] {
        self.storage.bytes()
    }

    /// Positions of entries: slot numbers (TCPR) or entry numbers (TCPDB, file order).
    fn positions(&self) -> Box<dyn Iterator<Item = usize> + '_> {
        let bytes = self.storage.bytes();
        match &self.index {
            Index::Tcpr(l) => Box::new((0..l.slots()).filter(move |i| l.slot(bytes, *i).is_some())),
            Index::Tcpdb { order, .. } => Box::new(0..order.len()),
        }
    }

    fn entry_at(&self, pos: usize) -> Option<Entry<'_>> {
        match &self.index {
            Index::Tcpr(l) => {
                let name = l.slot_name(self.storage.bytes(), pos)?;
                self.tcpr_entry(l, pos, core::str::from_utf8(name).ok()?)
            }
            Index::Tcpdb { order, .. } => self.tcpdb_entry(*order.get(pos)? as usize, None),
        }
    }

    /// The entry in TCPR slot `pos`, whose name the caller already has.
    #[inline]
    fn tcpr_entry<'a>(&'a self, l: &Layout, pos: usize, name: &'a str) -> Option<Entry<'a>> {
        let s = l.slot_fields(self.storage.bytes(), pos)?;
        let dialect = format::dialect_from_code(s.dialect_code)?;
        let descriptor = s.descriptor.get(..dialect.record_len())?;
        let (risk, capabilities) = fields_of(dialect, descriptor);
        Some(Entry {
            name,
            dialect,
            descriptor,
            justification: s.justification,
            risk,
            capabilities,
        })
    }

    fn tcpdb_entry(&self, name_off: usize, name_len: Option<usize>) -> Option<Entry<'_>> {
        let bytes = self.storage.bytes();
        let len = match name_len {
            Some(l) => l,
            None => usize::from(u16::from_be_bytes(
                bytes
                    .get(name_off.checked_sub(2)?..name_off)?
                    .try_into()
                    .ok()?,
            )),
        };
        let name = core::str::from_utf8(bytes.get(name_off..name_off + len)?).ok()?;
        let descriptor = bytes.get(name_off + len..name_off + len + 24)?;
        let (risk, capabilities) = fields_of(Dialect::V2Kb, descriptor);
        Some(Entry {
            name,
            dialect: Dialect::V2Kb,
            descriptor,
            justification: &[],
            risk,
            capabilities,
        })
    }

    /// Looks a command up by exact name.
    #[inline]
    pub fn get<'a>(&'a self, name: &'a str) -> Option<Entry<'a>> {
        let bytes = self.storage.bytes();
        match &self.index {
            // The stored name equals `name`: hand the caller's back, unvalidated twice.
            Index::Tcpr(l) => self.tcpr_entry(l, l.find(bytes, name.as_bytes())?, name),
            Index::Tcpdb { mask, slots, .. } => {
                let fp = format::name_hash(name.as_bytes());
                let mut i = (fp as usize) & mask;
                for _ in 0..=*mask {
                    let s = slots.get(i)?;
                    if s.fingerprint == 0 {
                        return None;
                    }
                    if s.fingerprint == fp && usize::from(s.name_len) == name.len() {
                        let off = s.name_off as usize;
                        if bytes.get(off..off + name.len()) == Some(name.as_bytes()) {
                            return self.tcpdb_entry(off, Some(name.len()));
                        }
                    }
                    i = (i + 1) & mask;
                }
                None
            }
        }
    }

    /// Looks a command up by its 4-byte hash (`md5(name)[..4]`); if several
    /// names share it, the first in (hash, position) order.
    pub fn get_by_hash(&self, hash: [u8; 4]) -> Option<Entry<'_>> {
        let i = self.by_hash.partition_point(|(h, _)| *h < hash);
        match self.by_hash.get(i) {
            Some((h, pos)) if *h == hash => self.entry_at(*pos as usize),
            _ => None,
        }
    }

    /// Every entry (TCPR: table order; TCPDB: file order).
    pub fn iter(&self) -> impl Iterator<Item = Entry<'_>> + '_ {
        self.positions().filter_map(|p| self.entry_at(p))
    }

    /// The registry in libtcp's TCPR format (a copy for TCPDB sources).
    pub fn to_tcpr(&self) -> Result<Vec<u8>> {
        if let Index::Tcpr(_) = self.index {
            return Ok(self.storage.bytes().to_vec());
        }
        let mut b = RegistryBuilder::new();
        for e in self.iter() {
            b.add_raw(e.name, e.dialect, e.descriptor, e.justification())?;
        }
        b.to_bytes()
    }

    /// The registry as libtcp's JSON document, entries sorted by name.
    pub fn to_json(&self) -> JsonRegistry {
        let mut entries: Vec<JsonEntry> = self
            .iter()
            .map(|e| {
                let canonical = (e.dialect == Dialect::Canonical)
                    .then(|| {
                        canonical::Repr::parse(&canonical::Descriptor::new_unchecked(e.descriptor))
                            .ok()
                    })
                    .flatten();
                match canonical {
                    Some(r) => JsonEntry {
                        name: e.name.to_owned(),
                        risk: Some(r.risk.as_str().to_owned()),
                        capabilities: r
                            .capabilities
                            .names()
                            .into_iter()
                            .map(str::to_owned)
                            .collect(),
                        exec_ms: Some(r.exec_ms),
                        memory_mb: Some(r.memory_mb),
                        output_kb: Some(r.output_kb),
                        dialect: None,
                        hex: None,
                        justification: e.justification().to_owned(),
                    },
                    None => JsonEntry {
                        name: e.name.to_owned(),
                        risk: None,
                        capabilities: Vec::new(),
                        exec_ms: None,
                        memory_mb: None,
                        output_kb: None,
                        dialect: Some(e.dialect.as_str().to_owned()),
                        hex: Some(e.descriptor.iter().map(|b| format!("{b:02x}")).collect()),
                        justification: e.justification().to_owned(),
                    },
                }
            })
            .collect();
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        JsonRegistry {
            format: "libtcp-registry".into(),
            version: 1,
            entries,
        }
    }
}

/// Collects entries and writes a TCPR registry.
#[derive(Default)]
pub struct RegistryBuilder {
    entries: Vec<PendingEntry>,
    names: std::collections::HashSet<String>,
}

impl RegistryBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an entry in libtcp's own format; its hash must be `md5(name)[..4]`.
    pub fn add(&mut self, name: &str, repr: canonical::Repr, justification: &str) -> Result<()> {
        self.add_raw(name, Dialect::Canonical, &repr.to_bytes(), justification)
    }

    /// Adds a descriptor of any 24-byte dialect, after checking it and its hash.
    pub fn add_raw(
        &mut self,
        name: &str,
        dialect: Dialect,
        descriptor: &[u8],
        justification: &str,
    ) -> Result<()> {
        if dialect.record_len() != 24 {
            return Err(Error::WrongLength {
                expected: 24,
                found: dialect.record_len(),
            });
        }
        check_entry(name, dialect, descriptor)?;
        if !self.names.insert(name.to_owned()) {
            return Err(Error::DuplicateName {
                name: name.to_owned(),
            });
        }
        let mut d = [0u8; 24];
        d.copy_from_slice(descriptor.get(..24).unwrap_or(&[0; 24]));
        self.entries.push(PendingEntry {
            name: name.to_owned(),
            dialect,
            descriptor: d,
            justification: justification.to_owned(),
        });
        Ok(())
    }

    /// Number of entries added.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if nothing was added.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The TCPR file bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        format::write(&self.entries)
    }

    /// Builds the registry in memory.
    pub fn build(&self) -> Result<Registry> {
        Registry::from_bytes(self.to_bytes()?)
    }

    /// Writes the TCPR file to `path`, atomically ([`write_file_atomic`]).
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        write_file_atomic(path, &self.to_bytes()?)
    }
}

fn io_at(path: &Path, e: &std::io::Error) -> Error {
    Error::Io {
        detail: format!("{}: {e}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repr(name: &str, risk: RiskLevel) -> canonical::Repr {
        canonical::Repr {
            risk,
            capabilities: Capabilities::FILE_MODIFICATION,
            command_hash: command_hash(name),
            exec_ms: 1,
            memory_mb: 2,
            output_kb: 3,
        }
    }

    fn sample() -> Registry {
        let mut b = RegistryBuilder::new();
        for (i, name) in ["ls", "rm", "a-very-long-command-name-beyond-16", "git push"]
            .iter()
            .enumerate()
        {
            b.add(
                name,
                repr(name, RiskLevel::from_u8(i as u8).unwrap()),
                "because",
            )
            .unwrap();
        }
        b.build().unwrap()
    }

    #[test]
    fn lookup_by_name_and_hash() {
        let r = sample();
        assert_eq!(r.len(), 4);
        assert_eq!(r.get("rm").unwrap().risk, Some(RiskLevel::Low));
        assert_eq!(r.get("git push").unwrap().risk, Some(RiskLevel::High));
        assert_eq!(
            r.get("a-very-long-command-name-beyond-16").unwrap().risk,
            Some(RiskLevel::Medium)
        );
        assert!(r.get("r").is_none());
        assert!(r.get("").is_none());
        assert_eq!(r.get_by_hash(command_hash("ls")).unwrap().name, "ls");
        assert_eq!(r.iter().count(), 4);
    }

    #[test]
    fn round_trips_through_bytes_and_json() {
        let r = sample();
        let again = Registry::from_bytes(r.as_bytes().to_vec()).unwrap();
        assert_eq!(again.to_json(), r.to_json());
        let mut text = serde_json::to_vec(&r.to_json()).unwrap();
        let from_json = Registry::from_json(&mut text).unwrap();
        assert_eq!(from_json.to_json(), r.to_json());
    }

    #[test]
    fn tampering_and_truncation_are_typed_errors() {
        let bytes = sample().as_bytes().to_vec();
        let mut t = bytes.clone();
        let last = t.len() - 1;
        t[last] ^= 1;
        assert_eq!(Registry::from_bytes(t).unwrap_err(), Error::DigestMismatch);
        let short = bytes[..bytes.len() - 1].to_vec();
        assert!(matches!(
            Registry::from_bytes(short),
            Err(Error::Truncated { .. })
        ));
        assert!(matches!(
            Registry::from_bytes(b"nope".to_vec()),
            Err(Error::BadMagic { .. })
        ));
        assert!(matches!(
            Registry::from_bytes(Vec::new()),
            Err(Error::BadMagic { .. })
        ));
    }

    #[test]
    fn builder_rejects_bad_entries() {
        let mut b = RegistryBuilder::new();
        b.add("ls", repr("ls", RiskLevel::Safe), "").unwrap();
        assert!(matches!(
            b.add("ls", repr("ls", RiskLevel::Safe), ""),
            Err(Error::DuplicateName { .. })
        ));
        assert!(matches!(
            b.add("cat", repr("ls", RiskLevel::Safe), ""),
            Err(Error::HashMismatch { .. })
        ));
    }

    #[test]
    fn tcpdb_v2_emit_and_read() {
        let kb = v2_kb::Repr {
            command_hash: command_hash("zz"),
            flags: 0x0101,
            exec_ms: 100,
            memory_mb: 10,
            output_kb: 1,
        }
        .to_bytes();
        let kb2 = v2_kb::Repr {
            command_hash: command_hash("aa"),
            ..v2_kb::Repr::parse(&v2_kb::Descriptor::new_unchecked(&kb[..])).unwrap()
        }
        .to_bytes();
        let file = tcpdb::emit_v2(7, &[("zz", kb), ("aa", kb2)]);
        let r = Registry::from_bytes(file).unwrap();
        assert_eq!(r.format(), RegistryFormat::TcpdbV2);
        assert_eq!(r.generated_unix(), Some(7));
        assert_eq!(
            r.get("zz").unwrap().capabilities,
            Capabilities::FILE_MODIFICATION
        );
        assert_eq!(
            r.iter().map(|e| e.name).collect::<Vec<_>>(),
            vec!["aa", "zz"]
        );
    }
}
