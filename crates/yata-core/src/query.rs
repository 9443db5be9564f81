//! Name-pattern matching shared by the coordinator.

/// Matches `text` against a glob of `*` and `?`, by iterative backtracking.
/// Cost: O(|pattern|·|text|) in the worst case.
pub fn glob_matches(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    fn glob(pattern: &str, text: &str) -> bool {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        glob_matches(&p, &t)
    }

    #[test]
    fn glob_cases() {
        assert!(glob("*", ""));
        assert!(glob("user*", "userservice"));
        assert!(glob("*service", "userservice"));
        assert!(glob("u?er*", "userservice"));
        assert!(glob("*s*r*", "userservice"));
        assert!(!glob("user", "userservice"));
        assert!(!glob("*x*", "userservice"));
        assert!(glob("a*b*c", "aXbYc"));
        assert!(!glob("a*b*c", "aXbYd"));
    }
}
