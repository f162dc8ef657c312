//! A greedy delta-minimiser: removes chunks of a divergent line (halves down
//! to single characters) while the line still diverges the same way.

/// Shrinks `line` while `still(candidate)` holds, testing at most `budget`
/// candidates. Works on characters, so the result is valid UTF-8.
pub fn minimise(line: &str, budget: usize, mut still: impl FnMut(&str) -> bool) -> String {
    let mut cur: Vec<char> = line.chars().collect();
    let mut tests = 0;
    let mut size = cur.len() / 2;
    while size >= 1 && tests < budget {
        let mut i = 0;
        let mut shrunk = false;
        while i < cur.len() && tests < budget {
            let end = (i + size).min(cur.len());
            let cand: String = cur.iter().take(i).chain(cur.iter().skip(end)).collect();
            tests += 1;
            if !cand.trim().is_empty() && still(&cand) {
                cur = cand.chars().collect();
                shrunk = true;
            } else {
                i += size;
            }
        }
        if !shrunk {
            size /= 2;
        }
    }
    cur.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinks_to_what_matters() {
        let m = minimise("echo a; rm -rf ~ ; ls -la", 1000, |c| {
            c.contains("rm -rf ~")
        });
        assert_eq!(m, "rm -rf ~");
        let m = minimise("ééxéé", 1000, |c| c.contains('x'));
        assert_eq!(m, "x");
    }
}
