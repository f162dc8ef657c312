//! The oracle's own parts against a real sandbox: the shim records argv
//! exactly, writes are seen, stray processes are killed, nested shells run,
//! and the checks flag a decider that approves what it must not.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests"
)]

use std::path::Path;
use std::time::Instant;

use tcp_core::Decision;
use tcp_core::command_line::{Checker, LineVerdict, SegmentVerdict};
use tcp_oracle::checks::{CheckKind, Decider, TcpDecider, check_line, concrete_line};
use tcp_oracle::protocol::{ChangeKind, Observation};
use tcp_oracle::sandbox::{Config, Sandbox};

fn sandbox() -> Sandbox {
    let dir = Path::new(env!("CARGO_BIN_EXE_tcp-oracle-shim"))
        .parent()
        .unwrap();
    Sandbox::start(&Config::in_dir(dir)).expect("bwrap sandbox (is bubblewrap installed?)")
}

fn run(sb: &mut Sandbox, line: &str) -> Observation {
    let obs = sb.run(line).unwrap();
    assert_eq!(obs.error, None, "{line}");
    obs
}

#[test]
fn shim_records_argv_exactly() {
    let mut sb = sandbox();
    let obs = run(&mut sb, "x='a b'; rm -rf -- \"$x\" $'c\\td' '' \"*\" é");
    assert_eq!(obs.records.len(), 1, "{obs:?}");
    let r = &obs.records[0];
    assert_eq!(r.argv0, "rm");
    assert_eq!(r.args, ["-rf", "--", "a b", "c\td", "", "*", "é"]);
    assert_eq!(r.program(), "rm");
    assert_eq!(r.cwd, sb.layout().project().to_string_lossy());
    assert!(r.env.is_empty(), "{:?}", r.env);
    assert!(!r.not_found);

    let obs = run(&mut sb, "/usr/bin/git status; cd ~ && ls -a");
    assert_eq!(obs.records[0].argv0, "/usr/bin/git");
    assert_eq!(obs.records[1].cwd, sb.layout().home().to_string_lossy());

    // What really ran, whatever argv[0] says.
    let obs = run(&mut sb, "hash -p /usr/bin/rm ls; ls -rf x");
    assert_eq!(obs.records[0].argv0, "ls");
    assert_eq!(obs.records[0].program(), "rm");
    assert_eq!(concrete_line(&obs.records[0]), "rm -rf x");

    // Changed environment becomes `NAME=value` prefixes.
    let obs = run(&mut sb, "export EDITOR='vi -x'; git commit");
    assert_eq!(
        obs.records[0].env,
        [("EDITOR".to_owned(), "vi -x".to_owned())]
    );
    assert_eq!(concrete_line(&obs.records[0]), "EDITOR='vi -x' git commit");
    // `set -a` exports bash's own variables too: only the line's are reported.
    let obs = run(&mut sb, "bash -ac 'x=1; rm a'");
    assert_eq!(concrete_line(&obs.records[0]), "x=1 rm a");

    // Missing names are recorded through command_not_found_handle, in sh too.
    let obs = run(&mut sb, "no-such-tool a; sh -c 'other-missing b'");
    assert_eq!(obs.records.len(), 2, "{obs:?}");
    assert!(obs.records.iter().all(|r| r.not_found));
    assert_eq!(obs.records[0].argv0, "no-such-tool");
    assert_eq!(obs.records[1].args, ["b"]);
}

#[test]
fn nested_shells_really_run() {
    let mut sb = sandbox();
    let obs = run(
        &mut sb,
        "bash -c 'sh -c \"eval rm\\ a\"'; /bin/sh -ec 'dd of=/dev/sda'",
    );
    let progs: Vec<String> = obs.records.iter().map(|r| r.program()).collect();
    assert_eq!(progs, ["rm", "dd"]);
}

#[test]
fn writes_are_seen_and_reset() {
    let mut sb = sandbox();
    let obs = run(
        &mut sb,
        "echo hi > out.txt; echo x >> ~/.bashrc; : > /etc/passwd",
    );
    let project = sb.layout().project();
    let home = sb.layout().home();
    let find = |p: &Path| {
        obs.changes
            .iter()
            .find(|c| Path::new(&c.path) == p)
            .cloned()
    };
    assert_eq!(
        find(&project.join("out.txt")).unwrap().change,
        ChangeKind::Created
    );
    assert_eq!(
        find(&home.join(".bashrc")).unwrap().change,
        ChangeKind::Modified
    );
    assert_eq!(
        find(Path::new("/etc/passwd")).unwrap().change,
        ChangeKind::Modified
    );
    assert_eq!(obs.changes.len(), 3, "{:?}", obs.changes);
    // The next line starts from the fixture again.
    let obs = run(&mut sb, "true");
    assert!(obs.changes.is_empty(), "{:?}", obs.changes);
    assert!(obs.syntax_ok);
    let obs = run(&mut sb, "ls &&");
    assert!(!obs.syntax_ok);
}

#[test]
fn background_loops_are_killed_and_the_driver_survives() {
    let mut sb = sandbox();
    let t = Instant::now();
    let obs = run(
        &mut sb,
        "set -m; ( while :; do :; done ) & disown; (while :; do sleep 1; done) & exit 0",
    );
    assert!(obs.strays_killed >= 1, "{obs:?}");
    assert!(!obs.timed_out);
    assert!(t.elapsed().as_secs() < 2);
    let obs = run(&mut sb, "while :; do :; done");
    assert!(obs.timed_out);
    // `kill -9 -1` is bash's builtin: it must not take the driver down.
    let obs = run(&mut sb, "kill -9 -1; rm x");
    assert!(obs.records.is_empty() || obs.records[0].program() == "rm");
    let obs = run(&mut sb, "rm y");
    assert_eq!(obs.strays_killed, 0);
    assert_eq!(obs.records.len(), 1);
    // A fork bomb is held by RLIMIT_NPROC (lines run under their own uid) and
    // cleaned up.
    let t = Instant::now();
    run(&mut sb, ":(){ :|:& };:");
    assert!(t.elapsed().as_secs() < 10);
    let obs = run(
        &mut sb,
        "[ \"$(ulimit -u)\" -le 512 ] && [ $UID != 0 ] && rm z",
    );
    assert_eq!(obs.strays_killed, 0);
    assert_eq!(obs.records.len(), 1, "{obs:?}");
}

fn approved(line: &str, argv: &[&str]) -> LineVerdict {
    let mut seg = Checker::builtin().check("true").segments.remove(0);
    seg = SegmentVerdict {
        text: line.to_owned(),
        command: argv[0].to_owned(),
        argv: argv.iter().map(|s| (*s).to_owned()).collect(),
        decision: Decision::Approved,
        reasons: Vec::new(),
        ..seg
    };
    LineVerdict {
        decision: Decision::Approved,
        segments: vec![seg],
        reasons: Vec::new(),
    }
}

#[test]
fn a_decider_approving_rm_rf_home_is_caught() {
    let mut sb = sandbox();
    let layout = sb.layout().clone();
    let obs = run(&mut sb, "rm -rf ~");
    let real = TcpDecider::new(&layout);
    // Wrong only about the line itself: the concrete command is decided truly.
    let wrong = |cwd: &str, line: &str| {
        if line == "rm -rf ~" {
            approved(line, &["rm", "-rf", "~"])
        } else {
            real.check(cwd, line)
        }
    };
    let divs = check_line(&wrong, &layout, "rm -rf ~", &obs);
    assert!(
        divs.iter().any(|d| d.check == CheckKind::CommandOrder),
        "{divs:?}"
    );
    // Approving everything without analysing anything: the command is unseen.
    let everything = |_: &str, _: &str| LineVerdict {
        decision: Decision::Approved,
        segments: Vec::new(),
        reasons: Vec::new(),
    };
    let divs = check_line(&everything, &layout, "rm -rf ~", &obs);
    assert!(
        divs.iter().any(|d| d.check == CheckKind::CommandUnseen),
        "{divs:?}"
    );
    // A write outside the project approved is caught too.
    let obs = run(&mut sb, "echo x >> ~/.bashrc");
    let divs = check_line(&everything, &layout, "echo x >> ~/.bashrc", &obs);
    assert!(
        divs.iter().any(|d| d.check == CheckKind::FileOutside),
        "{divs:?}"
    );
    // And a syntax error approved.
    let obs = run(&mut sb, "ls ;; pwd");
    let divs = check_line(&everything, &layout, "ls ;; pwd", &obs);
    assert!(
        divs.iter().any(|d| d.check == CheckKind::Syntax),
        "{divs:?}"
    );
    // The real checker agrees with bash on these.
    for l in ["rm -rf ~", "echo x >> ~/.bashrc"] {
        let obs = run(&mut sb, l);
        assert!(check_line(&real, &layout, l, &obs).is_empty(), "{l}");
    }
}
