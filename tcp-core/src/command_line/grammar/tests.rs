#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use super::*;
use proptest::prelude::*;

/// Parses `line` (words split on spaces; the first is the command).
fn p(line: &'static str) -> ParsedArgv<'static> {
    let words: Vec<&'static str> = line.split(' ').collect();
    let g = Grammar::lookup(words[0]).unwrap_or_else(|| panic!("no grammar for {}", words[0]));
    parse(g, &words[1..])
}

/// (canonical, value) of each option.
fn opts<'a>(r: &ParsedArgv<'a>) -> Vec<(&'static str, Option<&'a str>)> {
    r.options.iter().map(|o| (o.canonical, o.value)).collect()
}

fn operands<'a>(r: &ParsedArgv<'a>) -> Vec<&'a str> {
    r.operands.iter().map(|o| o.1).collect()
}

#[test]
fn rm_long_option_abbreviation_and_cluster() {
    let r = p("rm --recur -f ~");
    assert_eq!(opts(&r), [("--recursive", None), ("--force", None)]);
    assert_eq!(r.options[0].spelled, "--recur");
    assert!(r.options[0].spec.dangerous());
    assert_eq!(r.operands, [(2, "~")]);
    assert!(r.fully_understood());

    let r = p("rm -rf /tmp/x");
    assert_eq!(opts(&r), [("--recursive", None), ("--force", None)]);
    assert_eq!(r.options[0].spelled, "r");
    assert_eq!(r.options[0].position, 0);
    assert_eq!(r.options[1].position, 0);

    // Options after operands count (GNU permutes argv).
    let r = p("rm x -R");
    assert_eq!(opts(&r), [("--recursive", None)]);
    assert_eq!(operands(&r), ["x"]);
}

#[test]
fn double_dash_ends_options() {
    let r = p("rm -- -rf x");
    assert!(r.options.is_empty());
    assert_eq!(r.double_dash, Some(0));
    assert!(r.after_double_dash());
    assert_eq!(r.operands, [(1, "-rf"), (2, "x")]);
}

#[test]
fn unknown_options_are_reported_not_guessed() {
    let r = p("rm --frobnicate=1 -rz x");
    assert_eq!(r.unknown_options, [(0, "--frobnicate=1"), (1, "z")]);
    assert_eq!(opts(&r), [("--recursive", None)]);
    assert!(!r.fully_understood());
}

#[test]
fn git_subcommand_abbreviations() {
    let r = p("git reset --har");
    assert_eq!(r.path, ["reset"]);
    assert_eq!(r.path_positions, [0]);
    assert_eq!(opts(&r), [("--hard", None)]);
    assert_eq!(r.node.name(), "reset");

    let r = p("git clean --forc -d");
    assert_eq!(r.path, ["clean"]);
    assert_eq!(r.options[0].canonical, "--force");

    // `--m` could be `--mixed` or `--merge`: reported, not chosen.
    let r = p("git reset --m HEAD~1");
    assert_eq!(r.ambiguous.len(), 1);
    assert_eq!(r.ambiguous[0].spelled, "--m");
    assert!(r.ambiguous[0].candidates.contains(&"--mixed"));
    assert!(r.ambiguous[0].candidates.contains(&"--merge"));
    assert_eq!(operands(&r), ["HEAD~1"]);
}

#[test]
fn git_global_options_before_the_subcommand() {
    let r = p("git -c core.pager=x -C d log");
    assert_eq!(r.path, ["log"]);
    assert_eq!(r.path_positions, [4]);
    assert_eq!(opts(&r), [("-c", Some("core.pager=x")), ("-C", Some("d"))]);
    assert_eq!(r.options[0].value_position, Some(1));
    assert!(r.operands.is_empty());

    let r = p("git push --force origin main");
    assert_eq!(r.path, ["push"]);
    assert_eq!(opts(&r), [("--force", None)]);
    assert_eq!(r.operands, [(2, "origin"), (3, "main")]);

    // A word after an operand is no subcommand.
    let r = p("git remote add origin x");
    assert_eq!(r.path, ["remote", "add"]);
    assert_eq!(operands(&r), ["origin", "x"]);
}

#[test]
fn tar_attached_values_clusters_and_old_style() {
    let r = p("tar -Icmd -xf a.tar");
    assert_eq!(
        opts(&r),
        [
            ("--use-compress-program", Some("cmd")),
            ("--extract", None),
            ("--file", Some("a.tar")),
        ]
    );
    assert_eq!(r.options[2].value_position, Some(2));
    assert!(r.operands.is_empty());

    // In a cluster a value-taking option takes the rest of the word.
    let r = p("tar -xvfIcmd");
    assert_eq!(opts(&r)[2], ("--file", Some("Icmd")));

    let r = p("tar --use-compress=sh -c -f - .");
    assert_eq!(opts(&r)[0], ("--use-compress-program", Some("sh")));

    // Old style: the first word is a cluster, values follow in order.
    let r = p("tar czf out.tgz dir");
    assert_eq!(
        opts(&r),
        [
            ("--create", None),
            ("--gzip", None),
            ("--file", Some("out.tgz"))
        ]
    );
    assert_eq!(operands(&r), ["dir"]);
}

#[test]
fn sort_attached_long_value_and_abbreviation() {
    let r = p("sort --compress-program=x f");
    assert_eq!(opts(&r), [("--compress-program", Some("x"))]);
    assert_eq!(operands(&r), ["f"]);
    let r = p("sort --compress=x f");
    assert_eq!(opts(&r), [("--compress-program", Some("x"))]);
    let r = p("sort -o out in");
    assert_eq!(opts(&r), [("--output", Some("out"))]);
    assert_eq!(operands(&r), ["in"]);
}

#[test]
fn kill_signal_and_negative_pid() {
    let r = p("kill -HUP -1");
    assert_eq!(opts(&r), [("--signal", Some("HUP"))]);
    assert_eq!(r.options[0].spelled, "-HUP");
    assert_eq!(r.operands, [(1, "-1")]);
    let r = p("kill -9 123");
    assert_eq!(opts(&r), [("--signal", Some("9"))]);
    let r = p("kill -s TERM 5");
    assert_eq!(opts(&r), [("--signal", Some("TERM"))]);
    assert_eq!(operands(&r), ["5"]);
    let r = p("kill -l");
    assert_eq!(opts(&r), [("--list", None)]);
}

#[test]
fn negative_numbers_unless_an_option() {
    let r = p("ls -1");
    assert_eq!(opts(&r), [("-1", None)]);
    let r = p("rm -1");
    assert_eq!(operands(&r), ["-1"]);
}

#[test]
fn docker_flag_with_attached_value() {
    let r = p("docker run --privileged=true img");
    assert_eq!(r.path, ["run"]);
    assert_eq!(opts(&r), [("--privileged", Some("true"))]);
    assert_eq!(operands(&r), ["img"]);
    // Options after the image belong to the container's command.
    let r = p("docker run --rm img rm -rf /");
    assert_eq!(opts(&r), [("--rm", None)]);
    assert_eq!(operands(&r), ["img", "rm", "-rf", "/"]);
    let r = p("docker exec -it c sh -c x");
    assert_eq!(operands(&r), ["c", "sh", "-c", "x"]);
}

#[test]
fn find_expression_is_operands() {
    let r = p("find . -name x -exec rm {} ;");
    assert!(r.options.is_empty());
    assert!(r.fully_understood());
    assert_eq!(operands(&r), [".", "-name", "x", "-exec", "rm", "{}", ";"]);
    let r = p("find -L . -delete");
    assert_eq!(opts(&r), [("-L", None)]);
    assert_eq!(operands(&r), [".", "-delete"]);
    let r = p("find -O3 -name x");
    assert_eq!(opts(&r), [("-O", Some("3"))]);
    assert_eq!(operands(&r), ["-name", "x"]);
}

#[test]
fn curl_attached_and_separate_values() {
    let r = p("curl -XDELETE url");
    assert_eq!(opts(&r), [("--request", Some("DELETE"))]);
    assert_eq!(r.options[0].value_position, None);
    assert_eq!(operands(&r), ["url"]);
    let r = p("curl -X DELETE url");
    assert_eq!(opts(&r), [("--request", Some("DELETE"))]);
    assert_eq!(r.options[0].value_position, Some(1));
    assert_eq!(operands(&r), ["url"]);
    let r = p("curl -sSLo out url");
    assert_eq!(opts(&r)[3], ("--output", Some("out")));
}

#[test]
fn wrapped_command_keeps_its_options() {
    let r = p("sudo -u root rm -rf /");
    assert_eq!(opts(&r), [("--user", Some("root"))]);
    assert_eq!(operands(&r), ["rm", "-rf", "/"]);
    assert!(
        Grammar::lookup("sudo")
            .unwrap()
            .root()
            .operands_are_command()
    );
    let r = p("xargs -0 rm -f");
    assert_eq!(operands(&r), ["rm", "-f"]);
}

#[test]
fn single_dash_long_options() {
    let r = p("java -jar app.jar arg");
    assert_eq!(opts(&r), [("-jar", Some("app.jar"))]);
    assert_eq!(operands(&r), ["arg"]);
    // No abbreviation where long options have one dash.
    assert!(!Grammar::lookup("java").unwrap().root().abbreviations());
    let r = p("java -ja app.jar");
    assert_eq!(r.unknown_options, [(0, "-ja")]);
}

#[test]
fn lookup_and_counts() {
    assert!(Grammar::lookup("no-such-command-here").is_none());
    assert!(Grammar::lookup("").is_none());
    let names: Vec<&str> = known_commands().collect();
    assert!(names.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()));
    for n in &names {
        assert_eq!(Grammar::lookup(n).map(|g| g.name()), Some(*n));
    }
    let c = counts();
    assert_eq!(c.commands, names.len());
    assert!(c.commands >= 500, "{c:?}");
    assert!(c.subcommands > 10_000, "{c:?}");
    assert!(c.distinct_options > 10_000, "{c:?}");
    println!("fig grammars: {c:?}");
}

/// Every option name and subcommand of every command finds itself.
#[test]
fn tables_are_consistent() {
    fn walk(node: Node, depth: usize) {
        assert!(depth < 20);
        let names: Vec<&str> = node.options().map(|o| o.0).collect();
        assert!(names.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()));
        for (name, spec) in node.options() {
            assert_eq!(node.option(name), Some(spec), "{name}");
            assert!(spec.names().any(|n| n == name));
        }
        for (name, sub) in node.subcommands() {
            assert!(sub.names().any(|n| n == name));
            assert_eq!(node.subcommand(name), Some(sub), "{name}");
            walk(sub, depth + 1);
        }
    }
    for n in known_commands() {
        walk(Grammar::lookup(n).unwrap().root(), 0);
    }
}

#[test]
fn persistent_options_are_inherited() {
    // Every persistent option of a root is understood after each of its
    // subcommands, unless that subcommand has its own option of the name.
    let mut checked = 0;
    for n in known_commands() {
        let root = Grammar::lookup(n).unwrap().root();
        for (name, spec) in root.options().filter(|o| o.1.persistent()) {
            for (sub_name, sub) in root.subcommands().take(5) {
                let r = parse(Grammar::lookup(n).unwrap(), &[sub_name, name, "v"]);
                assert_eq!(r.path.first(), Some(&sub.name()));
                let want = sub.option(name).unwrap_or(spec);
                assert_eq!(r.options[0].spec, want, "{n} {sub_name} {name}");
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked}");
    // The AWS CLI's global options (overlay) after a deep subcommand.
    let r = p("aws s3 rm s3://b/k --recursive --region eu-west-1 --dryrun");
    assert_eq!(r.path, ["s3", "rm"]);
    assert!(r.fully_understood(), "{r:?}");
    assert_eq!(
        r.option("--region").next().unwrap().value,
        Some("eu-west-1")
    );
    assert_eq!(operands(&r), ["s3://b/k"]);
    let r = p("kubectl delete pod x -n prod --force");
    assert_eq!(r.option("--namespace").next().unwrap().value, Some("prod"));
    assert!(r.fully_understood(), "{r:?}");
}

/// lookup + parse of a typical command; prints the time per call (the best
/// of several batches, the machine being shared). For a release figure:
/// `cargo test --release -p tcp-core --lib parse_time -- --nocapture`.
#[test]
fn parse_time() {
    let words = ["push", "--force", "origin", "main"];
    let rounds = 2_000u32;
    let mut best = std::time::Duration::MAX;
    let mut n = 0;
    for _ in 0..10 {
        let start = std::time::Instant::now();
        for _ in 0..rounds {
            let g = Grammar::lookup(std::hint::black_box("git")).unwrap();
            n += parse(g, std::hint::black_box(&words)).options.len();
        }
        best = best.min(start.elapsed() / rounds);
    }
    assert_eq!(n, 10 * rounds as usize);
    println!("lookup+parse `git push --force origin main`: {best:?}");
    // Generous bound for unoptimised test builds on a loaded machine.
    assert!(best < std::time::Duration::from_micros(200), "{best:?}");
}

/// Every word is accounted for exactly once.
fn check_accounting(r: &ParsedArgv<'_>, n: usize) {
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Kind {
        Path,
        OptionWord,
        Value,
        Operand,
        DoubleDash,
    }
    let mut kinds: Vec<Option<Kind>> = vec![None; n];
    let mut mark = |i: usize, k: Kind| {
        assert!(i < n, "index {i} out of {n}");
        match kinds[i] {
            None => kinds[i] = Some(k),
            // One word may carry several options (`-rf`, `-rz`).
            Some(Kind::OptionWord) if k == Kind::OptionWord => {}
            Some(other) => panic!("word {i} is {other:?} and {k:?}"),
        }
    };
    for &i in &r.path_positions {
        mark(i, Kind::Path);
    }
    for o in &r.options {
        mark(o.position, Kind::OptionWord);
        if let Some(v) = o.value_position {
            mark(v, Kind::Value);
        }
    }
    for &(i, _) in &r.operands {
        mark(i, Kind::Operand);
    }
    if let Some(i) = r.double_dash {
        mark(i, Kind::DoubleDash);
    }
    for &(i, _) in &r.unknown_options {
        mark(i, Kind::OptionWord);
    }
    for a in &r.ambiguous {
        mark(a.position, Kind::OptionWord);
    }
    assert!(kinds.iter().all(Option::is_some), "{kinds:?}");
    assert_eq!(r.path.len(), r.path_positions.len());
}

const WORDS: &[&str] = &[
    "--",
    "-",
    "-1",
    "-9",
    "-HUP",
    "-rf",
    "-xvf",
    "-Icmd",
    "-o",
    "-ofile",
    "--force",
    "--forc",
    "--f",
    "--hard",
    "--output=x",
    "--output",
    "--recur",
    "--no-such",
    "-name",
    "x",
    "origin",
    "push",
    "reset",
    "remote",
    "add",
    "run",
    "--privileged=true",
    "czf",
    "-c",
    "k=v",
    "-C",
    "é",
    "-é",
    "--é=é",
    "=",
    "-=",
    "--=",
    "",
    "{}",
    ";",
    "-jar",
    "-X",
    "--m",
];
const COMMANDS: &[&str] = &[
    "git", "rm", "tar", "kill", "find", "docker", "curl", "java", "sort", "aws", "npm", "ls",
];

proptest! {
    #[test]
    fn parse_accounts_for_every_word(
        cmd in prop::sample::select(COMMANDS),
        argv in prop::collection::vec(prop::sample::select(WORDS), 0..12),
    ) {
        let g = Grammar::lookup(cmd).unwrap();
        let r = parse(g, &argv);
        check_accounting(&r, argv.len());
    }

    #[test]
    fn parse_never_panics_on_any_text(
        cmd in prop::sample::select(COMMANDS),
        argv in prop::collection::vec("-{0,2}[a-zA-Z0-9=é.]{0,6}", 0..10),
    ) {
        let words: Vec<&str> = argv.iter().map(String::as_str).collect();
        let r = parse(Grammar::lookup(cmd).unwrap(), &words);
        check_accounting(&r, words.len());
    }

    #[test]
    fn lookup_never_panics(name in ".{0,12}") {
        if let Some(g) = Grammar::lookup(&name) {
            prop_assert_eq!(g.name(), name.as_str());
        }
    }
}

#[test]
fn listed_clusters_read_as_clusters() {
    // Fig lists `-am` and `-it` for completion; the programs read clusters.
    let r = p("git commit -am msg");
    assert_eq!(opts(&r), [("--all", None), ("--message", Some("msg"))]);
    let r = p("docker -H tcp://h run --rm -it -v /:/host alpine sh");
    assert_eq!(r.path, ["run"]);
    assert_eq!(
        opts(&r),
        [
            ("--host", Some("tcp://h")),
            ("--rm", None),
            ("--interactive", None),
            ("--tty", None),
            ("--volume", Some("/:/host")),
        ]
    );
    assert_eq!(operands(&r), ["alpine", "sh"]);
}

#[test]
fn subcommand_aliases_and_inherited_directives() {
    let r = p("npm i --save-dev x");
    assert_eq!(r.path, ["install"]);
    assert_eq!(r.path_positions, [0]);
    // terraform declares single-dash options at the root; its subcommands
    // inherit that, and Go's flag package takes `--name` for `-name`.
    let r = p("terraform apply -var=a=b -auto-approve");
    assert_eq!(opts(&r), [("-var", Some("a=b")), ("-auto-approve", None)]);
    let r = p("terraform destroy --auto-approve -target x");
    assert_eq!(opts(&r), [("-auto-approve", None), ("-target", Some("x"))]);
    assert!(r.fully_understood());
    let r = p("gcloud compute instances delete vm --quiet");
    assert_eq!(r.path, ["compute", "instances", "delete"]);
    assert_eq!(opts(&r), [("--quiet", None)]);
}

#[test]
fn ssh_remote_command_is_operands() {
    let r = p("ssh -i key host rm -rf /");
    assert_eq!(opts(&r), [("-i", Some("key"))]);
    assert_eq!(operands(&r), ["host", "rm", "-rf", "/"]);
}
