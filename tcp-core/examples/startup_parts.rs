//! Times the one-time loading of the built-in knowledge, part by part.
fn main() {
    let t = std::time::Instant::now();
    let c = tcp_core::command_line::Checker::builtin();
    let load = t.elapsed();
    let t = std::time::Instant::now();
    let v = c.check("git status");
    let first = t.elapsed();
    let t = std::time::Instant::now();
    let _ = c.check("git status");
    let second = t.elapsed();
    println!(
        "load {load:?} first check {first:?} second {second:?} {}",
        v.decision
    );
}
