//! Prints tcp-core's decision for each argument line, from the working
//! directory given as the first argument (a manual probe for minimising
//! divergences).

use tcp_core::command_line::Checker;

fn main() {
    let mut args = std::env::args().skip(1);
    let cwd = args.next().unwrap_or_else(|| "/".into());
    let home = std::env::var("PROBE_HOME").unwrap_or_else(|_| format!("{cwd}/../home"));
    let c = Checker::builtin()
        .with_working_dir(&cwd)
        .with_home_dir(home)
        .with_workspace_roots([&cwd]);
    for l in args {
        let v = c.check(&l);
        println!("{:<16} {l:?}", v.decision.to_string());
        if std::env::var_os("PROBE_JSON").is_some() {
            println!("{}", v.to_json());
        }
    }
}
