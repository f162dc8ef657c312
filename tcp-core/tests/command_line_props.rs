//! Properties of whole-line decisions: wrapping a line in launchers or quoting
//! its command words never lowers its decision, and parsing never panics.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use proptest::prelude::*;
use tcp_core::command_line::Checker;

/// Simple commands, everyday and dangerous (first word is the command).
const COMMANDS: &[&str] = &[
    "ls -la",
    "git status",
    "cat README.md",
    "grep -rn foo src",
    "cargo test",
    "echo hello",
    "cp a b",
    "rm file.txt",
    "rm -rf build",
    "rm -rf /",
    "git push --force",
    "git reset --hard",
    "dd if=/dev/zero of=/dev/sda",
    "chmod -R 777 /",
    "curl https://example.com",
    "kill -9 1234",
    "find . -delete",
    "mkfs.ext4 /dev/sda1",
    "frobnicate --now",
    "docker ps",
    "kubectl delete ns prod",
    "python3 script.py",
    "sh",
    "sudo ls",
    "FOO=bar cargo build",
    "echo x > out.txt",
];

const OPERATORS: &[&str] = &[" && ", " || ", "; ", " | ", " & ", "\n"];

/// Launchers put in front of a segment.
const WRAPPERS: &[&str] = &[
    "sudo ",
    "sudo -u root ",
    "doas ",
    "env ",
    "env A=1 ",
    "timeout 5 ",
    "timeout -s KILL 5 ",
    "nice ",
    "nice -n 10 ",
    "nohup ",
    "time ",
    "command ",
    "exec ",
    "stdbuf -o0 ",
    "ionice -c3 ",
    "setsid ",
    "xargs ",
    "watch ",
    "builtin ",
];

fn line_strategy() -> impl Strategy<Value = Vec<(usize, usize)>> {
    prop::collection::vec((0..COMMANDS.len(), 0..OPERATORS.len()), 1..4)
}

fn build(parts: &[(usize, usize)]) -> String {
    let mut line = String::new();
    for (i, (cmd, op)) in parts.iter().enumerate() {
        if i > 0 {
            line.push_str(OPERATORS[*op]);
        }
        line.push_str(COMMANDS[*cmd]);
    }
    line
}

fn single_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Quotes the first word of a command in one of the ways that do not change it.
fn quote_command(cmd: &str, style: usize) -> String {
    let (first, rest) = cmd.split_once(' ').unwrap_or((cmd, ""));
    if first.contains('=') {
        return cmd.to_owned();
    }
    let quoted = match style % 5 {
        0 => format!("\\{first}"),
        1 => format!("'{first}'"),
        2 => format!("\"{first}\""),
        3 => {
            let (a, b) = first.split_at(1);
            format!("{a}\"\"{b}")
        }
        _ => format!("{first}''"),
    };
    if rest.is_empty() {
        quoted
    } else {
        format!("{quoted} {rest}")
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn wrappers_never_lower_the_decision(
        parts in line_strategy(),
        wraps in prop::collection::vec((0..WRAPPERS.len(), 0..4usize), 1..4),
    ) {
        let checker = Checker::builtin();
        let mut segments: Vec<String> = parts.iter().map(|(c, _)| COMMANDS[*c].to_owned()).collect();
        for (w, target) in &wraps {
            let i = target % segments.len();
            segments[i] = format!("{}{}", WRAPPERS[*w], segments[i]);
        }
        let mut wrapped = String::new();
        for (i, seg) in segments.iter().enumerate() {
            if i > 0 {
                wrapped.push_str(OPERATORS[parts[i].1]);
            }
            wrapped.push_str(seg);
        }
        let plain = build(&parts);
        let before = checker.check(&plain).decision;
        let after = checker.check(&wrapped).decision;
        prop_assert!(after >= before, "{plain:?} is {before} but {wrapped:?} is {after}");
    }

    #[test]
    fn shell_code_wrappers_never_lower_the_decision(parts in line_strategy(), shell in 0..5usize) {
        let checker = Checker::builtin();
        let plain = build(&parts);
        let wrapped = match shell {
            0 => format!("bash -c {}", single_quote(&plain)),
            1 => format!("sh -c {}", single_quote(&plain)),
            2 => format!("eval {}", single_quote(&plain)),
            3 => format!("sudo bash -c {}", single_quote(&plain)),
            _ => format!("bash -c {}", single_quote(&format!("sh -c {}", single_quote(&plain)))),
        };
        let before = checker.check(&plain).decision;
        let after = checker.check(&wrapped).decision;
        prop_assert!(after >= before, "{plain:?} is {before} but {wrapped:?} is {after}");
    }

    #[test]
    fn quoting_never_lowers_the_decision(parts in line_strategy(), style in 0..5usize) {
        let checker = Checker::builtin();
        let plain = build(&parts);
        let mut quoted = String::new();
        for (i, (cmd, op)) in parts.iter().enumerate() {
            if i > 0 {
                quoted.push_str(OPERATORS[*op]);
            }
            quoted.push_str(&quote_command(COMMANDS[*cmd], style + i));
        }
        let before = checker.check(&plain).decision;
        let after = checker.check(&quoted).decision;
        prop_assert!(after >= before, "{plain:?} is {before} but {quoted:?} is {after}");
    }

    #[test]
    fn arbitrary_text_never_panics(line in "\\PC{0,80}") {
        tcp_core::command_line::fuzz_line(line.as_bytes());
    }

    #[test]
    fn shell_alphabet_never_panics(line in "[a-z $'\"`\\\\(){};|&<>#=*~\n-]{0,60}") {
        tcp_core::command_line::fuzz_line(line.as_bytes());
    }
}
