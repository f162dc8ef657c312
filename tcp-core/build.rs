//! Compiles `data/fig/specs.json` (the Fig autocomplete option grammars, see
//! `knowledge/fig/SOURCE.md`) into two files in `OUT_DIR` that
//! `src/command_line/grammar.rs` embeds: `fig_strings.txt` (every name once,
//! embedded with `include_str!` so the compiler has checked it is UTF-8) and
//! `fig_tables.bin` (little-endian `u32` words, read in place).
//!
//! A binary blob rather than generated Rust tables: some 300 000 option
//! entries as Rust `static` items would take rustc many seconds to compile;
//! `include_bytes!` costs nothing. The word layout is documented in
//! `grammar.rs` (`mod layout`), which is the only reader; both sides share
//! the constants by value, checked by the reader's tests.

use std::collections::{BTreeMap, HashMap};
use std::error::Error;
use std::path::PathBuf;

use serde_json::Value;

type Res<T> = Result<T, Box<dyn Error>>;

/// Magic word at the start of the tables ("FIG1").
const MAGIC: u32 = 0x3147_4946;
/// String references pack the offset in the low 22 bits, the length above.
const OFF_BITS: u32 = 22;
/// Entries (option names, subcommand names) pack the target id in the low
/// 26 bits and the alias index above.
const ID_BITS: u32 = 26;

// Node directive bits (word `flags`, bits 16 and up).
const D_PNC: u32 = 1 << 16;
const D_OMP: u32 = 1 << 17;
const D_EXPR: u32 = 1 << 18;
const D_SIG: u32 = 1 << 19;
const D_OLD: u32 = 1 << 20;
const D_NO_ABBR: u32 = 1 << 21;
const D_DANGEROUS: u32 = 1 << 22;
const D_GO: u32 = 1 << 23;

struct Out {
    strings: String,
    string_ids: HashMap<String, u32>,
    /// Deduplicated option records, keyed by their word encoding.
    option_ids: HashMap<Vec<u32>, u32>,
    options: Vec<u32>,
    nodes: Vec<u32>,
    /// Option-name entries of all nodes, each node's run sorted by name.
    opt_entries: Vec<u32>,
    /// Subcommand entries of all nodes, each node's run sorted by name.
    sub_entries: Vec<u32>,
}

impl Out {
    fn string(&mut self, s: &str) -> Res<u32> {
        if let Some(&r) = self.string_ids.get(s) {
            return Ok(r);
        }
        let off = u32::try_from(self.strings.len())?;
        let len = u32::try_from(s.len())?;
        if off >= 1 << OFF_BITS || len >= 1 << (32 - OFF_BITS) {
            return Err(format!("fig string pool overflow at {s:?}").into());
        }
        self.strings.push_str(s);
        let r = off | len << OFF_BITS;
        self.string_ids.insert(s.to_owned(), r);
        Ok(r)
    }

    /// Option record: `[bits, name_count, names...]`; returns its word offset.
    fn option(&mut self, names: &[&str], bits: u32) -> Res<u32> {
        let mut rec = vec![bits, u32::try_from(names.len())?];
        for n in names {
            rec.push(self.string(n)?);
        }
        if let Some(&id) = self.option_ids.get(&rec) {
            return Ok(id);
        }
        let id = u32::try_from(self.options.len())?;
        if id >= 1 << ID_BITS {
            return Err("too many fig options".into());
        }
        self.options.extend_from_slice(&rec);
        self.option_ids.insert(rec, id);
        Ok(id)
    }
}

/// One parsed option of specs.json: names (canonical first) and bits.
struct Opt {
    names: Vec<String>,
    bits: u32,
}

fn parse_opt(v: &Value) -> Res<Opt> {
    let arr = v.as_array().ok_or("fig option is not an array")?;
    let mut names = Vec::new();
    let mut bits = 0;
    for x in arr {
        match x {
            Value::String(s) => names.push(s.clone()),
            Value::Number(n) => bits = u32::try_from(n.as_u64().ok_or("fig option bits")?)?,
            _ => return Err("fig option element".into()),
        }
    }
    if names.is_empty() {
        return Err("fig option without a name".into());
    }
    Ok(Opt { names, bits })
}

fn directive_bits(d: &serde_json::Map<String, Value>) -> (u32, u32) {
    let on = |k: &str| d.get(k).and_then(Value::as_u64).unwrap_or(0) != 0;
    let mut bits = 0;
    for (k, b) in [
        ("pnc", D_PNC),
        ("omp", D_OMP),
        ("expr", D_EXPR),
        ("sig", D_SIG),
        ("old", D_OLD),
        ("go", D_GO),
    ] {
        if on(k) {
            bits |= b;
        }
    }
    if d.get("abbr").and_then(Value::as_u64) == Some(0) {
        bits |= D_NO_ABBR;
    }
    // Up to four separator bytes packed in one word; 0 means "=".
    let mut sep = 0u32;
    if let Some(s) = d.get("sep").and_then(Value::as_str) {
        for (i, b) in s.bytes().take(4).enumerate() {
            sep |= u32::from(b) << (8 * i);
        }
    }
    (bits, sep)
}

/// Writes one node (and, first, its subtree) and returns its word offset.
///
/// Node record: `[flags, sep, opt_start, opt_count, sub_start, sub_count,
/// name_count, names...]`. Persistent options stay with the node that
/// defines them: the reader looks them up in the ancestors (copying them
/// into every descendant would add 300 000 entries for `aws` alone).
fn node(
    out: &mut Out,
    v: &Value,
    names: &[String],
    parent_directives: &serde_json::Map<String, Value>,
) -> Res<u32> {
    // Parser directives hold for the whole subtree unless a subcommand sets
    // its own (terraform's single-dash options are declared at the root).
    let mut directives = parent_directives.clone();
    if let Some(own) = v.get("d").and_then(Value::as_object) {
        for (k, x) in own {
            directives.insert(k.clone(), x.clone());
        }
    }
    let mut own = Vec::new();
    for o in v.get("o").and_then(Value::as_array).into_iter().flatten() {
        own.push(parse_opt(o)?);
    }
    let all = own;

    // Subtrees first so that their offsets are known.
    let mut subs: Vec<(String, u32, u32)> = Vec::new();
    for s in v.get("s").and_then(Value::as_array).into_iter().flatten() {
        let sn: Vec<String> = s
            .get("n")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect();
        if sn.is_empty() {
            continue;
        }
        let id = node(out, s, &sn, &directives)?;
        for (alias, n) in sn.iter().enumerate() {
            subs.push((n.clone(), id, u32::try_from(alias)?));
        }
    }
    // Names sorted bytewise (the reader compares bytes); the first spec
    // entry wins a duplicated name, as in Fig.
    subs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    subs.dedup_by(|b, a| a.0 == b.0);

    let mut entries: BTreeMap<Vec<u8>, u32> = BTreeMap::new();
    for o in &all {
        let names: Vec<&str> = o.names.iter().map(String::as_str).collect();
        let id = out.option(&names, o.bits)?;
        for (alias, n) in o.names.iter().enumerate() {
            let alias = u32::try_from(alias)?;
            if alias >= 1 << (32 - ID_BITS) {
                return Err("too many aliases".into());
            }
            entries
                .entry(n.as_bytes().to_vec())
                .or_insert(id | alias << ID_BITS);
        }
    }

    let opt_start = u32::try_from(out.opt_entries.len())?;
    out.opt_entries.extend(entries.values());
    let sub_start = u32::try_from(out.sub_entries.len())?;
    for (_, id, alias) in &subs {
        out.sub_entries.push(id | alias << ID_BITS);
    }

    let (dbits, sep) = directive_bits(&directives);
    let arg_bits = u32::try_from(v.get("a").and_then(Value::as_u64).unwrap_or(0))? & 0xff;
    let danger = if v.get("x").and_then(Value::as_u64).unwrap_or(0) != 0 {
        D_DANGEROUS
    } else {
        0
    };
    let id = u32::try_from(out.nodes.len())?;
    if id >= 1 << ID_BITS {
        return Err("too many fig nodes".into());
    }
    let mut rec = vec![
        arg_bits | dbits | danger,
        sep,
        opt_start,
        u32::try_from(entries.len())?,
        sub_start,
        u32::try_from(subs.len())?,
        u32::try_from(names.len())?,
    ];
    for n in names {
        rec.push(out.string(n)?);
    }
    out.nodes.extend_from_slice(&rec);
    Ok(id)
}

/// The knowledge tables (`data/*.toml`) as JSON in `OUT_DIR`: the same
/// documents, which the crate reads with serde_json at run time instead of
/// parsing TOML on every process start (several times faster).
fn tables_to_json(manifest: &std::path::Path, out_dir: &std::path::Path) -> Res<()> {
    for name in ["commands", "families", "launchers", "rules"] {
        let src = manifest.join("data").join(format!("{name}.toml"));
        println!("cargo::rerun-if-changed={}", src.display());
        let text = std::fs::read_to_string(&src)?;
        let value: toml::Value = toml::from_str(&text)?;
        std::fs::write(
            out_dir.join(format!("{name}.json")),
            serde_json::to_string(&value)?,
        )?;
    }
    Ok(())
}

fn main() -> Res<()> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    tables_to_json(&manifest, &PathBuf::from(std::env::var("OUT_DIR")?))?;
    let src = manifest.join("data").join("fig").join("specs.json");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed={}", src.display());
    let json: Value = serde_json::from_slice(&std::fs::read(&src)?)?;
    let commands = json
        .get("commands")
        .and_then(Value::as_object)
        .ok_or("specs.json has no commands")?;

    let mut out = Out {
        strings: String::new(),
        string_ids: HashMap::new(),
        option_ids: HashMap::new(),
        options: Vec::new(),
        nodes: Vec::new(),
        opt_entries: Vec::new(),
        sub_entries: Vec::new(),
    };
    let mut roots: Vec<(String, u32)> = Vec::new();
    for (name, spec) in commands {
        let id = node(
            &mut out,
            spec,
            std::slice::from_ref(name),
            &serde_json::Map::new(),
        )?;
        roots.push((name.clone(), id));
    }
    roots.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));

    // Header: magic, then (offset, count) of each section in words.
    let header_len = 11u32;
    let mut words = vec![MAGIC];
    let mut at = header_len;
    for len in [
        2 * roots.len(),
        out.nodes.len(),
        out.options.len(),
        out.opt_entries.len(),
        out.sub_entries.len(),
    ] {
        let len = u32::try_from(len)?;
        words.push(at);
        words.push(len);
        at += len;
    }
    // Roots: (name reference, node) pairs, sorted by name.
    for (name, id) in &roots {
        let r = out.string(name)?;
        words.push(r);
        words.push(*id);
    }
    words.extend_from_slice(&out.nodes);
    words.extend_from_slice(&out.options);
    words.extend_from_slice(&out.opt_entries);
    words.extend_from_slice(&out.sub_entries);

    let dir = PathBuf::from(std::env::var("OUT_DIR")?);
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    std::fs::write(dir.join("fig_tables.bin"), bytes)?;
    std::fs::write(dir.join("fig_strings.txt"), &out.strings)?;
    // The section offsets as constants, so the reader does not read the
    // header on every access.
    let names = ["ROOTS", "NODES", "OPTIONS", "OPT_ENTRIES", "SUB_ENTRIES"];
    let mut consts = String::from("// Generated by build.rs: section (word offset, word count).\n");
    for (k, name) in names.iter().enumerate() {
        let (at, len) = (words.get(1 + 2 * k), words.get(2 + 2 * k));
        let (Some(at), Some(len)) = (at, len) else {
            return Err("header".into());
        };
        consts.push_str(&format!(
            "pub(super) const {name}_AT: usize = {at};\npub(super) const {name}_LEN: usize = {len};\n"
        ));
    }
    std::fs::write(dir.join("fig_layout.rs"), consts)?;
    Ok(())
}
