// Converts the Fig autocomplete specs (npm `@withfig/autocomplete`, MIT) into
// one compact, deterministic JSON file of option grammars:
// tcp-core/data/fig/specs.json (compiled into tcp-core by its build script).
//
// Usage: node scripts/fig/convert.mjs [path/to/package]   (default: the
// version pinned in scripts/fig/package.json, installed by `npm ci` into
// scripts/fig/node_modules). Then the hand-written overlay
// knowledge/fig/overlay.json is applied (GNU long options and parser
// directives the Fig specs lack, written from each tool's manual).
//
// Output schema (short keys keep the file small):
//   { "version": "...", "commands": { "<name>": Node }, "dropped": {...} }
//   Node   = { "n": [names] (subcommands only), "o": [Opt], "s": [Node],
//              "a": argBits, "x": 1 if dangerous, "d": {directives} }
//   Opt    = [names..., bits?]: canonical name first, then the aliases,
//            then (when not 0) an integer: bits 0-1 value (1 required,
//            2 optional, attached only), 4 value only attached
//            (requiresSeparator/requiresEquals), 8 repeatable, 16 persistent
//            (inherited by subcommands), 32 dangerous, argBits << 8.
//   argBits: 1 filepaths, 2 folders, 4 variadic, 8 operands are a command
//            (isCommand: sudo, xargs), 16 optional.
//   Directives: "pnc" flagsArePosixNoncompliant, "omp"
//               optionsMustPrecedeArguments, "sep" optionArgSeparators,
//               "sig" leading `-SIGNAL` word (kill; overlay only),
//               "abbr" 0/1 long-option abbreviation (overlay only).
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const pkgDir = resolve(process.argv[2] ?? join(here, "node_modules", "@withfig", "autocomplete"));
const build = join(pkgDir, "build");
const version = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).version;

const dropped = {
  failedSpecs: [], // spec files that threw or exported no object
  functionLoadSpec: 0, // loadSpec given as a function or object (dynamic)
  unresolvedLoadSpec: [], // loadSpec naming a file we could not load
  optionNamesWithoutDash: 0, // old-style letters (tar `xvf`)
  multiValueOptions: 0, // options with several required args: only one kept
  generators: 0, // generator functions (run-time completion scripts)
  dashSubcommandsToOptions: 0, // tar-style modes (`-x`) turned into options
};

const cache = new Map();
async function loadFile(rel) {
  if (cache.has(rel)) return cache.get(rel);
  let spec = null;
  let file = join(build, rel + ".js");
  // Versioned specs live in a folder: `az/index.js`.
  if (!existsSync(file)) file = join(build, rel, "index.js");
  if (existsSync(file)) {
    try {
      let mod = await import(pathToFileURL(file).href);
      let d = mod.default;
      // Versioned specs export a function returning {versionedSpecPath}; with
      // no version it names the newest one.
      if (typeof d === "function") {
        const r = await d(undefined);
        if (r && typeof r.versionedSpecPath === "string") {
          mod = await import(pathToFileURL(join(build, r.versionedSpecPath + ".js")).href);
          d = mod.default;
        } else d = r;
      }
      if (d && typeof d === "object" && !Array.isArray(d)) spec = d;
    } catch (e) {
      spec = null;
    }
  }
  cache.set(rel, spec);
  return spec;
}

const names = (n) => (Array.isArray(n) ? n : [n]).filter((x) => typeof x === "string");

function argBits(args) {
  const list = args == null ? [] : Array.isArray(args) ? args : [args];
  let bits = 0;
  for (const a of list) {
    if (!a || typeof a !== "object") continue;
    const t = names(a.template ?? []);
    if (t.includes("filepaths")) bits |= 1;
    if (t.includes("folders")) bits |= 2;
    if (a.isVariadic) bits |= 4;
    if (a.isCommand || a.isScript) bits |= 8;
    if (a.isOptional) bits |= 16;
    if (a.generators) dropped.generators += 1;
  }
  return bits;
}

// The canonical name: the first `--long` name, else the longest name (so
// `["-cp","--classpath"]` is `--classpath` and `["-r","-R"]` is `-r`).
function canonicalFirst(list) {
  let best = list.find((n) => n.startsWith("--"));
  if (best === undefined) best = list[0];
  return [best, ...list.filter((n) => n !== best)];
}

function convertOption(o) {
  const all = names(o.name);
  const dashed = all.filter((n) => n.startsWith("-") && n.length > 1);
  dropped.optionNamesWithoutDash += all.length - dashed.length;
  if (dashed.length === 0) return null;
  const args = o.args == null ? [] : Array.isArray(o.args) ? o.args : [o.args];
  const req = args.filter((a) => a && !a.isOptional).length;
  if (req > 1) dropped.multiValueOptions += 1;
  let bits = req > 0 ? 1 : args.length > 0 ? 2 : 0;
  if (o.requiresSeparator || o.requiresEquals) bits |= 4;
  if (o.isRepeatable) bits |= 8;
  if (o.isPersistent) bits |= 16;
  if (o.isDangerous) bits |= 32;
  bits |= argBits(o.args) << 8;
  const out = canonicalFirst(dashed);
  if (bits) out.push(bits);
  return out;
}

function directives(pd) {
  const d = {};
  if (!pd || typeof pd !== "object") return d;
  if (pd.flagsArePosixNoncompliant) d.pnc = 1;
  if (pd.optionsMustPrecedeArguments) d.omp = 1;
  if (pd.optionArgSeparators) d.sep = names(pd.optionArgSeparators).join("");
  return d;
}

async function convertNode(spec, isRoot, depth, seen) {
  // loadSpec: a string names another spec file whose content replaces ours.
  let s = spec;
  if (!isRoot && spec.loadSpec !== undefined) {
    if (typeof spec.loadSpec === "string" && !seen.has(spec.loadSpec) && depth < 12) {
      const loaded = await loadFile(spec.loadSpec);
      if (loaded) {
        seen = new Set(seen).add(spec.loadSpec);
        s = { ...loaded, ...spec, options: [...(spec.options ?? []), ...(loaded.options ?? [])],
          subcommands: [...(spec.subcommands ?? []), ...(loaded.subcommands ?? [])],
          args: spec.args ?? loaded.args, parserDirectives: spec.parserDirectives ?? loaded.parserDirectives };
      } else dropped.unresolvedLoadSpec.push(spec.loadSpec);
    } else if (typeof spec.loadSpec !== "string") dropped.functionLoadSpec += 1;
  }
  if (s.generateSpec) dropped.generators += 1;
  const node = {};
  if (!isRoot) node.n = names(s.name);
  const opts = [];
  const seenOpt = new Set();
  const addOpt = (o) => {
    const key = o.filter((x) => typeof x === "string").join(" ");
    if (seenOpt.has(key)) return;
    seenOpt.add(key);
    opts.push(o);
  };
  for (const o of Array.isArray(s.options) ? s.options : []) {
    if (!o || typeof o !== "object") continue;
    const c = convertOption(o);
    if (c) addOpt(c);
  }
  const subs = [];
  for (const c of Array.isArray(s.subcommands) ? s.subcommands : []) {
    if (!c || typeof c !== "object") continue;
    const cn = names(c.name);
    // A subcommand spelled with a dash is a mode flag (tar -x): the program
    // parses it as an option, so it becomes one, and its options join ours.
    if (cn.some((n) => n.startsWith("-"))) {
      dropped.dashSubcommandsToOptions += 1;
      const mode = convertOption({ name: cn, isDangerous: c.isDangerous });
      if (mode) addOpt(mode);
      for (const o of Array.isArray(c.options) ? c.options : []) {
        const co = o && typeof o === "object" ? convertOption(o) : null;
        if (co) addOpt(co);
      }
      continue;
    }
    if (cn.length === 0) continue;
    subs.push(await convertNode(c, false, depth + 1, seen));
  }
  if (opts.length) node.o = opts;
  if (subs.length) node.s = subs;
  const ab = argBits(s.args);
  if (ab) node.a = ab;
  if (s.isDangerous) node.x = 1;
  const d = directives(s.parserDirectives);
  if (Object.keys(d).length) node.d = d;
  return node;
}

// Overlay: `{ "<cmd>": { "d": {...}, "o": [Opt...] , "path": ["sub"] } }`
// options added (or replacing one with the same canonical name) at the root
// or at a subcommand path.
function applyOverlay(commands, overlay) {
  for (const [cmd, entries] of Object.entries(overlay)) {
    if (cmd.startsWith("_")) continue;
    for (const e of entries) {
      if (!commands[cmd]) commands[cmd] = {};
      let node = commands[cmd];
      for (const p of e.path ?? []) {
        node.s = node.s ?? [];
        let next = node.s.find((x) => x.n.includes(p));
        if (!next) { next = { n: [p] }; node.s.push(next); }
        node = next;
      }
      if (e.d) node.d = { ...(node.d ?? {}), ...e.d };
      if (e.a !== undefined) node.a = e.a;
      for (const o of e.o ?? []) {
        node.o = node.o ?? [];
        const names = new Set(o.filter((x) => typeof x === "string"));
        // A name the overlay defines leaves the Fig option that had it.
        node.o = node.o.map((x) => x.filter((n) => typeof n !== "string" || !names.has(n)))
          .filter((x) => typeof x[0] === "string");
        node.o.push(o);
      }
    }
  }
}

// Deterministic JSON: object keys sorted, arrays in spec order.
function stable(v) {
  if (Array.isArray(v)) return v.map(stable);
  if (v && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = stable(v[k]);
    return o;
  }
  return v;
}

const index = (await import(pathToFileURL(join(build, "index.js")).href)).default;
// Top-level commands: index entries that are not sub-spec files
// (`aws/s3`, `@usermn/sdc/0.0.0`); scoped packages (`@fig/publish-spec`) are
// npm package names, kept under their whole name.
const top = index.filter((n) => (n.startsWith("@") ? n.split("/").length === 2 : !n.includes("/")));
const commands = {};
for (const name of [...top].sort()) {
  const spec = await loadFile(name);
  if (!spec) { dropped.failedSpecs.push(name); continue; }
  commands[name] = await convertNode(spec, true, 0, new Set([name]));
}
const overlay = JSON.parse(readFileSync(join(root, "knowledge", "fig", "overlay.json"), "utf8"));
applyOverlay(commands, overlay);

dropped.unresolvedLoadSpec = [...new Set(dropped.unresolvedLoadSpec)].sort();
let nodes = 0, options = 0;
const count = (n) => { nodes += 1; options += (n.o ?? []).length; (n.s ?? []).forEach(count); };
Object.values(commands).forEach(count);
const out = stable({ version, commands, dropped });
writeFileSync(join(root, "tcp-core", "data", "fig", "specs.json"), JSON.stringify(out) + "\n");
console.log(`@withfig/autocomplete ${version}: ${Object.keys(commands).length} commands, ` +
  `${nodes - Object.keys(commands).length} subcommands, ${options} options; dropped ` + JSON.stringify({ ...dropped, failedSpecs: dropped.failedSpecs.length, unresolvedLoadSpec: dropped.unresolvedLoadSpec.length }));
