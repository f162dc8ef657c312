//! Option grammars of over 700 command-line programs and one generic argv
//! parser that reads a command's words the way the program does.
//!
//! Rules must see options as the program sees them: `rm --recur -f ~` is
//! `rm --recursive --force ~` (getopt_long accepts any unambiguous prefix of
//! a long option), `-rf` is `-r -f`, `tar -I'cmd'` has an attached value,
//! `--` ends the options, and `git -c k=v -C dir push` has global options
//! before the subcommand. [`parse`] does this from the grammar of the
//! command; [`Grammar::lookup`] finds it.
//!
//! # Data
//!
//! The grammars come from the Fig autocomplete specs (npm
//! `@withfig/autocomplete`, MIT, converted by `scripts/fig/convert.mjs` into
//! `tcp-core/data/fig/specs.json` plus the hand-written
//! `knowledge/fig/overlay.json`; provenance in `knowledge/fig/SOURCE.md`).
//! `build.rs` compiles the JSON into a string pool and a table of `u32`
//! words, embedded here and read in place: no parsing, no allocation and no
//! initialisation at start-up; a lookup touches only the command's records.
//!
//! # How to call it
//!
//! ```ignore
//! if let Some(g) = Grammar::lookup("git") {
//!     let p = parse(g, &["push", "--force", "origin", "main"]);
//!     // p.path == ["push"]; p.options[0].canonical == "--force"
//!     // p.operands == [(2, "origin"), (3, "main")]
//! }
//! ```
//!
//! Word positions in the result are indexes into the slice given to
//! [`parse`] (the words after the command name). Every word is accounted
//! for exactly once: as a subcommand of [`ParsedArgv::path`], an option word
//! (one word may carry several options: `-rf`), an option's separate value
//! word, an operand, the `--` that ended the options, or an unknown or
//! ambiguous option word. Unknown and ambiguous options are reported, never
//! guessed; an unknown option is taken to have no value (so its possible
//! value becomes an operand), which a caller deciding safety should treat
//! as "not understood".
//!
//! # Semantics (per command, from the spec's parser directives)
//!
//! - Subcommands are found by name (any alias; [`ParsedArgv::path`] holds
//!   the spec's first name) among the words before the first operand;
//!   options before a subcommand are parsed with the parent's grammar.
//!   Options marked persistent are inherited by all subcommands.
//! - A value-taking option takes an attached value (`--output=f`, `-ofile`,
//!   rest of a cluster: `-xvfI'cmd'`) or else the next word (`-o f`), even
//!   one starting with a dash, as getopt does. An optional value is only
//!   ever attached. Options marked `requiresSeparator` only take `=value`.
//!   An option without value given `--flag=value` keeps the value
//!   (`docker run --privileged=true`, pflag accepts it).
//! - Long options may be abbreviated to any unambiguous prefix (getopt_long,
//!   Python argparse), except for specs whose flags are "POSIX
//!   non-compliant" (single-dash long options: `find -name`, `java -jar`)
//!   or whose overlay turns it off (`abbr: 0`). An exact name always wins.
//! - A dash followed by digits is an operand (`kill -HUP -1`) unless the
//!   command has that option (`ls -1`).
//! - Options may follow operands (GNU getopt permutes) unless the spec says
//!   `optionsMustPrecedeArguments` or the operands are a command
//!   (`isCommand`: `sudo rm -rf /`, `xargs`, `env`, `time`): then the first
//!   operand ends the options. `find`'s expression (`expr`) starts at the
//!   first word that is not one of its options.
//! - `kill -SIGNAL` (`sig`): a first word `-NAME` or `-N` that is not an
//!   option is the signal, reported as the `-s` option with value `NAME`.
//! - Go's flag package (`go`, terraform): `--name` is `-name`.
//! - `tar xvf a.tar` (`old`): a first word without dash is a cluster of
//!   short options whose values are the following words, in order.

#![allow(
    dead_code,
    reason = "the lead wires this API into the evaluator; until then only the tests call all of it"
)]

use std::cmp::Ordering;

/// The compiled tables (see `build.rs`): little-endian `u32` words.
static TABLES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/fig_tables.bin"));
/// Every name once; table words refer to it by offset and length.
static STRINGS: &str = include_str!(concat!(env!("OUT_DIR"), "/fig_strings.txt"));

/// Word layout shared with `build.rs` (constants repeated there by value).
mod layout {
    /// First word of the tables ("FIG1").
    pub(super) const MAGIC: u32 = 0x3147_4946;
    /// String reference: offset in the low bits, length above.
    pub(super) const OFF_BITS: u32 = 22;
    /// Entry: target id in the low bits, alias index above.
    pub(super) const ID_BITS: u32 = 26;
    // Header sections, each as (word offset, word count) after the magic,
    // also generated as constants (`ROOTS_AT`, `ROOTS_LEN`, ...). Roots
    // are (name reference, node) pairs sorted by name.
    include!(concat!(env!("OUT_DIR"), "/fig_layout.rs"));
    /// Node record words: flags, separators, option entries (start, count),
    /// subcommand entries (start, count), name count, names.
    pub(super) const N_FLAGS: usize = 0;
    pub(super) const N_SEP: usize = 1;
    pub(super) const N_OPT_START: usize = 2;
    pub(super) const N_OPT_COUNT: usize = 3;
    pub(super) const N_SUB_START: usize = 4;
    pub(super) const N_SUB_COUNT: usize = 5;
    pub(super) const N_NAME_COUNT: usize = 6;
    pub(super) const N_NAMES: usize = 7;
    /// Node flags: argument bits (low byte) and directives.
    pub(super) const D_PNC: u32 = 1 << 16;
    pub(super) const D_OMP: u32 = 1 << 17;
    pub(super) const D_EXPR: u32 = 1 << 18;
    pub(super) const D_SIG: u32 = 1 << 19;
    pub(super) const D_OLD: u32 = 1 << 20;
    pub(super) const D_NO_ABBR: u32 = 1 << 21;
    pub(super) const D_DANGEROUS: u32 = 1 << 22;
    pub(super) const D_GO: u32 = 1 << 23;
    /// Option record words: bits, name count, names (canonical first).
    pub(super) const O_BITS: usize = 0;
    pub(super) const O_NAME_COUNT: usize = 1;
    pub(super) const O_NAMES: usize = 2;
    /// Option bits (as in specs.json).
    pub(super) const V_REQUIRED: u32 = 1;
    pub(super) const V_OPTIONAL: u32 = 2;
    pub(super) const ATTACHED_ONLY: u32 = 4;
    pub(super) const REPEATABLE: u32 = 8;
    pub(super) const PERSISTENT: u32 = 16;
    pub(super) const DANGEROUS: u32 = 32;
    /// Argument bits (operands of a node; an option's value at `<< 8`).
    pub(super) const A_FILES: u32 = 1;
    pub(super) const A_FOLDERS: u32 = 2;
    pub(super) const A_VARIADIC: u32 = 4;
    pub(super) const A_COMMAND: u32 = 8;
}
use layout::*;

/// Word `i` of the tables; 0 past the end (the tables come from our own
/// build script and the tests walk all of them, so this never happens).
#[inline]
fn word(i: usize) -> u32 {
    let Some(start) = i.checked_mul(4) else {
        return 0;
    };
    TABLES
        .get(start..start.saturating_add(4))
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, u32::from_le_bytes)
}

/// Word `i` as an index.
#[inline]
fn index(i: usize) -> usize {
    word(i) as usize
}

/// The string a reference word names.
#[inline]
fn string(r: u32) -> &'static str {
    let off = (r & ((1 << OFF_BITS) - 1)) as usize;
    let len = (r >> OFF_BITS) as usize;
    STRINGS.get(off..off.saturating_add(len)).unwrap_or("")
}

/// Lower bound of `key` in `count` sorted names, `name(i)` giving the i-th.
fn lower_bound(count: usize, key: &[u8], name: impl Fn(usize) -> &'static str) -> usize {
    let (mut lo, mut hi) = (0, count);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if name(mid).as_bytes().cmp(key) == Ordering::Less {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Entry of a run of option or subcommand entries: (target id, alias).
#[inline]
fn entry(w: u32) -> (u32, usize) {
    (w & ((1 << ID_BITS) - 1), (w >> ID_BITS) as usize)
}

/// Entry point: the compiled grammars.
pub(crate) struct Grammar;

impl Grammar {
    /// The grammar of the command named `name` (its base name: `git`, not
    /// `/usr/bin/git`), by binary search over the sorted command names.
    pub(crate) fn lookup(name: &str) -> Option<CommandGrammar> {
        if word(0) != MAGIC {
            return None;
        }
        let count = ROOTS_LEN / 2;
        let root = |i: usize| string(word(ROOTS_AT + 2 * i));
        let at = lower_bound(count, name.as_bytes(), root);
        (at < count && root(at) == name).then(|| CommandGrammar(Node(word(ROOTS_AT + 2 * at + 1))))
    }
}

/// The names of all commands with a grammar, sorted bytewise.
pub(crate) fn known_commands() -> impl Iterator<Item = &'static str> {
    (0..ROOTS_LEN / 2).map(|i| string(word(ROOTS_AT + 2 * i)))
}

/// Sizes of the compiled grammars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Commands with a grammar.
    pub(crate) commands: usize,
    /// Subcommands at any depth.
    pub(crate) subcommands: usize,
    /// Distinct option records (options shared by many subcommands, such
    /// as `aws`'s `--cli-input-json`, count once).
    pub(crate) distinct_options: usize,
    /// Option names over all commands and subcommands (inherited
    /// persistent options counted in each subcommand).
    pub(crate) option_names: usize,
    /// Bytes embedded in the binary (tables and strings).
    pub(crate) bytes: usize,
}

/// Sizes of the compiled grammars (walks the tables; for reports and tests).
pub(crate) fn counts() -> Counts {
    let (nodes, node_words) = (NODES_AT, NODES_LEN);
    let (options, option_words) = (OPTIONS_AT, OPTIONS_LEN);
    let mut c = Counts {
        commands: ROOTS_LEN / 2,
        subcommands: 0,
        distinct_options: 0,
        option_names: OPT_ENTRIES_LEN,
        bytes: TABLES.len() + STRINGS.len(),
    };
    let mut at = 0;
    while at < node_words {
        c.subcommands += 1;
        at += N_NAMES + index(nodes + at + N_NAME_COUNT);
    }
    c.subcommands = c.subcommands.saturating_sub(c.commands);
    let mut at = 0;
    while at < option_words {
        c.distinct_options += 1;
        at += O_NAMES + index(options + at + O_NAME_COUNT);
    }
    c
}

/// The grammar of one command: its root [`Node`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CommandGrammar(Node);

impl CommandGrammar {
    /// The command's name as looked up.
    pub(crate) fn name(self) -> &'static str {
        self.0.name()
    }

    /// The root node: the command's own options, operands and subcommands.
    pub(crate) fn root(self) -> Node {
        self.0
    }
}

/// A command or subcommand of a grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Node(u32);

impl Node {
    /// Word `field` of this node's record.
    fn field(self, field: usize) -> u32 {
        word(NODES_AT + self.0 as usize + field)
    }

    fn flags(self) -> u32 {
        self.field(N_FLAGS)
    }

    /// The node's names, first (canonical) first.
    pub(crate) fn names(self) -> impl Iterator<Item = &'static str> {
        let base = NODES_AT + self.0 as usize + N_NAMES;
        (0..self.field(N_NAME_COUNT) as usize).map(move |i| string(word(base + i)))
    }

    /// The node's canonical name (the command name for a root).
    pub(crate) fn name(self) -> &'static str {
        self.names().next().unwrap_or("")
    }

    /// Whether the spec marks this subcommand dangerous (`isDangerous`).
    pub(crate) fn is_dangerous(self) -> bool {
        self.flags() & D_DANGEROUS != 0
    }

    /// Whether the operands are file paths (template `filepaths`).
    pub(crate) fn operands_are_files(self) -> bool {
        self.flags() & A_FILES != 0
    }

    /// Whether the operands are folders (template `folders`).
    pub(crate) fn operands_are_folders(self) -> bool {
        self.flags() & A_FOLDERS != 0
    }

    /// Whether the operands form a command line of their own (`isCommand`:
    /// `sudo`, `xargs`, `watch`): a caller should decide that command too.
    pub(crate) fn operands_are_command(self) -> bool {
        self.flags() & A_COMMAND != 0
    }

    /// Whether the last operand may repeat (`isVariadic`).
    pub(crate) fn operands_variadic(self) -> bool {
        self.flags() & A_VARIADIC != 0
    }

    /// Whether single-dash words are long options (`-name`), not clusters.
    fn posix_noncompliant(self) -> bool {
        self.flags() & D_PNC != 0
    }

    /// Whether long options may be abbreviated to an unambiguous prefix.
    pub(crate) fn abbreviations(self) -> bool {
        self.flags() & (D_PNC | D_NO_ABBR) == 0
    }

    /// Bytes that separate a long option from an attached value.
    fn is_separator(self, b: u8) -> bool {
        let sep = self.field(N_SEP);
        if sep == 0 {
            return b == b'=';
        }
        sep.to_le_bytes().iter().any(|&s| s != 0 && s == b)
    }

    /// The subcommand named `name` (any alias).
    pub(crate) fn subcommand(self, name: &str) -> Option<Node> {
        let start = SUB_ENTRIES_AT + self.field(N_SUB_START) as usize;
        let count = self.field(N_SUB_COUNT) as usize;
        let name_at = |i: usize| {
            let (id, alias) = entry(word(start + i));
            Node(id).names().nth(alias).unwrap_or("")
        };
        let at = lower_bound(count, name.as_bytes(), name_at);
        (at < count && name_at(at) == name).then(|| {
            let (id, _) = entry(word(start + at));
            Node(id)
        })
    }

    /// Whether the node has subcommands.
    pub(crate) fn has_subcommands(self) -> bool {
        self.field(N_SUB_COUNT) != 0
    }

    /// The node's subcommands, sorted by name, once per alias.
    pub(crate) fn subcommands(self) -> impl Iterator<Item = (&'static str, Node)> {
        let start = SUB_ENTRIES_AT + self.field(N_SUB_START) as usize;
        (0..self.field(N_SUB_COUNT) as usize).map(move |i| {
            let (id, alias) = entry(word(start + i));
            let node = Node(id);
            (node.names().nth(alias).unwrap_or(""), node)
        })
    }

    /// The option names of this node (its own; persistent options of the
    /// ancestors apply too, see [`parse`]), sorted bytewise, with their
    /// option.
    pub(crate) fn options(self) -> impl Iterator<Item = (&'static str, OptionSpec)> {
        let start = OPT_ENTRIES_AT + self.field(N_OPT_START) as usize;
        (0..self.field(N_OPT_COUNT) as usize).map(move |i| opt_entry(word(start + i)))
    }

    fn opt_run(self) -> (usize, usize) {
        (
            OPT_ENTRIES_AT + self.field(N_OPT_START) as usize,
            self.field(N_OPT_COUNT) as usize,
        )
    }

    /// The option of this node spelled exactly `name` (`--force`, `-f`,
    /// `-name`); inherited persistent options are not searched here.
    pub(crate) fn option(self, name: &str) -> Option<OptionSpec> {
        let (start, count) = self.opt_run();
        let name_at = |i: usize| opt_entry(word(start + i)).0;
        let at = lower_bound(count, name.as_bytes(), name_at);
        (at < count && name_at(at) == name).then(|| opt_entry(word(start + at)).1)
    }

    /// The options of this node whose names start with `prefix`, added to
    /// `found` once each (`persistent_only`: those subcommands inherit).
    fn options_with_prefix(self, prefix: &str, persistent_only: bool, found: &mut Vec<OptionSpec>) {
        let (start, count) = self.opt_run();
        let mut i = lower_bound(count, prefix.as_bytes(), |i| opt_entry(word(start + i)).0);
        while i < count {
            let (name, spec) = opt_entry(word(start + i));
            if !name.starts_with(prefix) {
                break;
            }
            if (!persistent_only || spec.persistent()) && !found.contains(&spec) {
                found.push(spec);
            }
            i += 1;
        }
    }
}

/// Where option names are looked up: the current (sub)command, then the
/// persistent options of its ancestors, innermost first (a subcommand's own
/// option shadows an inherited one of the same name).
#[derive(Clone, Copy)]
struct Scope<'c> {
    node: Node,
    /// Ancestors, root first.
    ancestors: &'c [Node],
}

impl Scope<'_> {
    /// The option spelled exactly `name`.
    fn option(self, name: &str) -> Option<OptionSpec> {
        self.node.option(name).or_else(|| {
            self.ancestors
                .iter()
                .rev()
                .find_map(|a| a.option(name).filter(|o| o.persistent()))
        })
    }

    /// The long option `prefix` abbreviates: exact name first, else the one
    /// option (any of its names) starting with `prefix`.
    fn option_prefix(self, prefix: &str) -> Prefix {
        if let Some(o) = self.option(prefix) {
            return Prefix::One(o);
        }
        let mut found: Vec<OptionSpec> = Vec::new();
        self.node.options_with_prefix(prefix, false, &mut found);
        for a in self.ancestors.iter().rev() {
            a.options_with_prefix(prefix, true, &mut found);
        }
        match found.len() {
            0 => Prefix::None,
            1 => found.pop().map_or(Prefix::None, Prefix::One),
            _ => Prefix::Many(found),
        }
    }
}

/// An option entry: (name, option).
fn opt_entry(w: u32) -> (&'static str, OptionSpec) {
    let (id, alias) = entry(w);
    let spec = OptionSpec(id);
    (spec.names().nth(alias).unwrap_or(""), spec)
}

enum Prefix {
    None,
    One(OptionSpec),
    Many(Vec<OptionSpec>),
}

/// Whether and how an option takes a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arity {
    /// A flag (`--force`).
    None,
    /// A value, attached or the next word (`-o file`, `--output=file`).
    Required,
    /// A value only when attached (`--color=auto`, `-cVALUE`).
    Optional,
}

/// One option of a grammar (all its names share it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OptionSpec(u32);

impl OptionSpec {
    fn field(self, field: usize) -> u32 {
        word(OPTIONS_AT + self.0 as usize + field)
    }

    fn bits(self) -> u32 {
        self.field(O_BITS)
    }

    /// All names, canonical first.
    pub(crate) fn names(self) -> impl Iterator<Item = &'static str> {
        let base = OPTIONS_AT + self.0 as usize + O_NAMES;
        (0..self.field(O_NAME_COUNT) as usize).map(move |i| string(word(base + i)))
    }

    /// The canonical name: the spec's first `--long` name, else its first
    /// name (`-r` for `["-r", "-R"]`).
    pub(crate) fn canonical(self) -> &'static str {
        self.names().next().unwrap_or("")
    }

    /// Whether and how it takes a value.
    pub(crate) fn arity(self) -> Arity {
        let b = self.bits();
        if b & V_REQUIRED != 0 {
            Arity::Required
        } else if b & V_OPTIONAL != 0 {
            Arity::Optional
        } else {
            Arity::None
        }
    }

    /// Whether a value must be attached (`--opt=value`, never `--opt value`).
    pub(crate) fn attached_only(self) -> bool {
        self.bits() & ATTACHED_ONLY != 0
    }

    /// Whether the spec says the option may be repeated.
    pub(crate) fn repeatable(self) -> bool {
        self.bits() & REPEATABLE != 0
    }

    /// Whether subcommands inherit it.
    pub(crate) fn persistent(self) -> bool {
        self.bits() & PERSISTENT != 0
    }

    /// Whether the spec (or the overlay) marks it dangerous.
    pub(crate) fn dangerous(self) -> bool {
        self.bits() & DANGEROUS != 0
    }

    /// Whether its value is a file path (template `filepaths`).
    pub(crate) fn value_is_file(self) -> bool {
        (self.bits() >> 8) & A_FILES != 0
    }

    /// Whether its value is a folder (template `folders`).
    pub(crate) fn value_is_folder(self) -> bool {
        (self.bits() >> 8) & A_FOLDERS != 0
    }
}

/// One option found in an argv.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ParsedOption<'a> {
    /// The option in the grammar (arity, marks, all names).
    pub(crate) spec: OptionSpec,
    /// Its canonical name (`--recursive` for `-r`, `--recur` or `-R`).
    pub(crate) canonical: &'static str,
    /// The text that named it: `--recur`, `-name`, `-HUP` (kill's signal);
    /// in a cluster the letter alone (`-rf` gives `r` and `f`).
    pub(crate) spelled: &'a str,
    /// Its value, attached (`-ofile`, `--output=file`, the rest of a
    /// cluster) or the next word.
    pub(crate) value: Option<&'a str>,
    /// Index of the word that named it.
    pub(crate) position: usize,
    /// Index of the value's own word when the value was the next word.
    pub(crate) value_position: Option<usize>,
}

/// A long-option prefix that abbreviates several options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Ambiguous<'a> {
    /// Index of the word.
    pub(crate) position: usize,
    /// The word as written (`--f` for git clean).
    pub(crate) spelled: &'a str,
    /// Canonical names of the options it could be.
    pub(crate) candidates: Vec<&'static str>,
}

/// An argv read with a grammar (see the module documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParsedArgv<'a> {
    /// Canonical names of the subcommands (`["remote", "add"]`): the spec's
    /// first name, so an alias reads as its command (`npm i` gives
    /// `install`); the words as spelled are at `path_positions`.
    pub(crate) path: Vec<&'static str>,
    /// Word index of each subcommand of `path`.
    pub(crate) path_positions: Vec<usize>,
    /// The innermost (sub)command reached.
    pub(crate) node: Node,
    /// Options in the order given.
    pub(crate) options: Vec<ParsedOption<'a>>,
    /// Operands (index, text), `--` excluded.
    pub(crate) operands: Vec<(usize, &'a str)>,
    /// Index of the `--` that ended the options.
    pub(crate) double_dash: Option<usize>,
    /// Option words not in the grammar (index, text: the whole long option
    /// `--frobnicate=1`, or one letter of a cluster as `z` of `-xzq`).
    pub(crate) unknown_options: Vec<(usize, &'a str)>,
    /// Long-option abbreviations of several options.
    pub(crate) ambiguous: Vec<Ambiguous<'a>>,
}

impl ParsedArgv<'_> {
    /// Whether a `--` ended the options.
    pub(crate) fn after_double_dash(&self) -> bool {
        self.double_dash.is_some()
    }

    /// The options named `canonical` (`--force`), in order.
    pub(crate) fn option<'s>(
        &'s self,
        canonical: &'s str,
    ) -> impl Iterator<Item = &'s ParsedOption<'s>> + 's {
        self.options
            .iter()
            .filter(move |o| o.canonical == canonical)
    }

    /// Whether everything was understood (no unknown or ambiguous option).
    pub(crate) fn fully_understood(&self) -> bool {
        self.unknown_options.is_empty() && self.ambiguous.is_empty()
    }
}

/// `-` + one character in a small buffer: the name of a short option.
fn short_name(c: char, buf: &mut [u8; 8]) -> &str {
    let Some((dash, rest)) = buf.split_first_mut() else {
        return "-";
    };
    *dash = b'-';
    let len = 1 + c.encode_utf8(rest).len();
    std::str::from_utf8(buf.get(..len).unwrap_or(b"-")).unwrap_or("-")
}

/// Whether `w` is a dash and digits (`-1`, a negative number or a pid group).
fn is_negative_number(w: &str) -> bool {
    w.len() > 1 && w.starts_with('-') && w.bytes().skip(1).all(|b| b.is_ascii_digit())
}

/// Whether every letter of a cluster is an option, up to the first one
/// taking a value (which takes the rest).
fn cluster_parses(scope: Scope<'_>, letters: &str) -> bool {
    let mut buf = [0u8; 8];
    for c in letters.chars() {
        match scope.option(short_name(c, &mut buf)) {
            None => return false,
            Some(o) if o.arity() != Arity::None => return true,
            Some(_) => {}
        }
    }
    true
}

/// Parser state over one argv.
struct State<'a, 'w> {
    argv: &'w [&'a str],
    out: ParsedArgv<'a>,
    /// Next word to read.
    i: usize,
}

impl<'a> State<'a, '_> {
    /// Records `spec` named by `spelled` in word `pos`, with an attached
    /// value if any; takes the next word as value when the option needs one.
    fn take(&mut self, spec: OptionSpec, spelled: &'a str, attached: Option<&'a str>, pos: usize) {
        let mut value = attached;
        let mut value_position = None;
        if attached.is_none() && spec.arity() == Arity::Required && !spec.attached_only() {
            if let Some(&next) = self.argv.get(self.i) {
                value = Some(next);
                value_position = Some(self.i);
                self.i += 1;
            }
        }
        self.out.options.push(ParsedOption {
            spec,
            canonical: spec.canonical(),
            spelled,
            value,
            position: pos,
            value_position,
        });
    }

    /// A long option word (`--name`, `--name=value`, or `-name` for specs
    /// with single-dash long options). Returns false when not found.
    fn long(&mut self, scope: Scope<'_>, w: &'a str, pos: usize, abbreviate: bool) -> bool {
        let split = w.bytes().position(|b| scope.node.is_separator(b));
        let (name, value) = match split {
            Some(at) => (w.get(..at).unwrap_or(w), w.get(at + 1..)),
            None => (w, None),
        };
        if let Some(spec) = scope.option(name) {
            self.take(spec, name, value, pos);
            return true;
        }
        // Go's flag package (terraform): `--name` is `-name`.
        if scope.node.flags() & D_GO != 0 && name.starts_with("--") {
            if let Some(spec) = name.get(1..).and_then(|single| scope.option(single)) {
                self.take(spec, name, value, pos);
                return true;
            }
        }
        if !abbreviate || !name.starts_with("--") {
            return false;
        }
        match scope.option_prefix(name) {
            Prefix::One(spec) => self.take(spec, name, value, pos),
            Prefix::Many(specs) => self.out.ambiguous.push(Ambiguous {
                position: pos,
                spelled: w,
                candidates: specs.iter().map(|s| s.canonical()).collect(),
            }),
            Prefix::None => return false,
        }
        true
    }

    /// A cluster of short options: `chars` are the letters (after the dash
    /// for `-xvf`, the whole word for tar's old style). A value-taking
    /// letter takes the rest of the word (`-ofile`), else, with
    /// `values_follow` false, the next word; with it true (old style), the
    /// values are taken from the following words in order.
    fn cluster(&mut self, scope: Scope<'_>, chars: &'a str, pos: usize, values_follow: bool) {
        let mut buf = [0u8; 8];
        for (at, c) in chars.char_indices() {
            let end = at + c.len_utf8();
            let letter = chars.get(at..end).unwrap_or("");
            let Some(spec) = scope.option(short_name(c, &mut buf)) else {
                self.out.unknown_options.push((pos, letter));
                continue;
            };
            let rest = chars.get(end..).filter(|r| !r.is_empty());
            match spec.arity() {
                Arity::None => self.take(spec, letter, None, pos),
                Arity::Required | Arity::Optional if values_follow => {
                    self.take(spec, letter, None, pos);
                }
                Arity::Required | Arity::Optional => {
                    self.take(spec, letter, rest, pos);
                    return;
                }
            }
        }
    }
}

/// Reads `argv` (the words after the command name) with `grammar`.
///
/// Never fails: what the grammar does not know is reported in
/// [`ParsedArgv::unknown_options`] and [`ParsedArgv::ambiguous`]. Linear in
/// the number of words (times a binary search per option).
pub(crate) fn parse<'a>(grammar: CommandGrammar, argv: &[&'a str]) -> ParsedArgv<'a> {
    let mut node = grammar.root();
    let mut st = State {
        argv,
        out: ParsedArgv {
            path: Vec::new(),
            path_positions: Vec::new(),
            node,
            options: Vec::new(),
            operands: Vec::new(),
            double_dash: None,
            unknown_options: Vec::new(),
            ambiguous: Vec::new(),
        },
        i: 0,
    };
    // Set after `--`, or after the first operand when options must precede
    // operands, or at find's expression: every later word is an operand.
    let mut operands_only = false;
    // Ancestors of `node`, root first, for inherited (persistent) options.
    let mut chain: Vec<Node> = Vec::new();
    while let Some(&w) = argv.get(st.i) {
        let pos = st.i;
        st.i += 1;
        let scope = Scope {
            node,
            ancestors: &chain,
        };
        if operands_only {
            st.out.operands.push((pos, w));
            continue;
        }
        if w == "--" {
            st.out.double_dash = Some(pos);
            operands_only = true;
            continue;
        }
        let flags = node.flags();
        let dashed = w.len() > 1 && w.starts_with('-');
        if pos == 0 && flags & D_OLD != 0 && !dashed && !w.is_empty() {
            st.cluster(scope, w, pos, true);
            continue;
        }
        let letters = w.get(1..).unwrap_or("");
        if dashed
            && pos == 0
            && flags & D_SIG != 0
            && !w.starts_with("--")
            && scope.option(w).is_none()
        {
            // `kill -HUP`, `kill -9`: the signal, reported as `-s`, unless
            // the first letter is a value-taking option (`kill -sHUP`).
            if let Some(spec) = scope.option("-s") {
                let mut buf = [0u8; 8];
                let first = letters.chars().next().unwrap_or('-');
                let takes_value = node
                    .option(short_name(first, &mut buf))
                    .is_some_and(|o| o.arity() != Arity::None);
                if !takes_value {
                    st.take(spec, w, Some(letters), pos);
                    continue;
                }
            }
        }
        if !dashed || (is_negative_number(w) && scope.option(w).is_none()) {
            if st.out.operands.is_empty() {
                if let Some(sub) = node.subcommand(w) {
                    st.out.path.push(sub.name());
                    st.out.path_positions.push(pos);
                    chain.push(node);
                    node = sub;
                    continue;
                }
            }
            st.out.operands.push((pos, w));
            // Options end at the first operand where the spec says so, and
            // where the operands are a command line of their own (`sudo rm
            // -rf /`: `-rf` is rm's; these wrappers stop at the first
            // operand, getopt's `+` mode).
            operands_only = flags & (D_OMP | A_COMMAND) != 0;
            continue;
        }
        let pnc = node.posix_noncompliant();
        // A spec without single-dash long options may still list a
        // multi-letter single-dash name (`git commit -am`, `docker -it`):
        // Fig lists such clusters for completion; the program reads them as
        // a cluster, so the name counts only when the cluster would not parse.
        let single_long = !pnc
            && w.len() > 2
            && !w.starts_with("--")
            && scope.option(w).is_some()
            && !cluster_parses(scope, letters);
        if w.starts_with("--") || pnc || single_long {
            if st.long(scope, w, pos, node.abbreviations()) {
                continue;
            }
            // A single-dash word of a spec with single-dash long options
            // whose first letter is an option is a cluster (`find -O3`).
            let cluster = pnc
                && !w.starts_with("--")
                && w.get(..2).is_some_and(|n| scope.option(n).is_some());
            if !cluster {
                if flags & D_EXPR != 0 {
                    // find's expression starts here: `find -name x`.
                    st.out.operands.push((pos, w));
                    operands_only = true;
                } else {
                    st.out.unknown_options.push((pos, w));
                }
                continue;
            }
        }
        st.cluster(scope, letters, pos, false);
    }
    st.out.node = node;
    st.out
}

#[cfg(test)]
mod tests;
