//! Line and token helpers shared by the text-format readers.

/// The non-blank lines of `text` with their 1-based line numbers.
///
/// Blank (whitespace-only) lines are skipped everywhere, so the blank line
/// the reference programs write after a header is optional.
pub(crate) fn nonblank_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, l)| (i + 1, l)).filter(|(_, l)| !l.trim().is_empty())
}

/// The whitespace-separated tokens of one line.
pub(crate) fn tokens(line: &str) -> Vec<&str> {
    line.split_ascii_whitespace().collect()
}

/// Parses a non-negative decimal integer written with digits only (no sign,
/// no exponent), or `None`.
pub(crate) fn parse_count(tok: &str) -> Option<usize> {
    if tok.is_empty() || !tok.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    tok.parse().ok()
}

/// Parses a count no larger than `max`, with a message naming `what`.
pub(crate) fn parse_bounded(tok: &str, what: &str, max: usize) -> Result<usize, String> {
    match parse_count(tok) {
        Some(n) if n <= max => Ok(n),
        Some(_) => Err(format!("{what} {tok} is larger than the limit {max}")),
        None => Err(format!("{what} '{tok}' is not a non-negative integer")),
    }
}

/// Parses a finite floating-point number.
pub(crate) fn parse_finite(tok: &str) -> Result<f64, String> {
    match tok.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("value '{tok}' is not finite")),
        Err(_) => Err(format!("'{tok}' is not a number")),
    }
}

/// `n` and the noun in the number it needs: "1 class", "3 classes".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_digits_only() {
        assert_eq!(parse_count("013"), Some(13));
        assert_eq!(parse_count("+1"), None);
        assert_eq!(parse_count("-1"), None);
        assert_eq!(parse_count("1e3"), None);
        assert_eq!(parse_count(""), None);
        assert_eq!(parse_count("99999999999999999999999"), None);
    }

    #[test]
    fn finite_values() {
        assert_eq!(parse_finite("0."), Ok(0.0));
        assert_eq!(parse_finite("-2.5e-3"), Ok(-2.5e-3));
        assert!(parse_finite("NaN").is_err());
        assert!(parse_finite("inf").is_err());
        assert!(parse_finite("x").is_err());
    }

    #[test]
    fn blank_lines_skipped_with_numbers_kept() {
        let got: Vec<_> = nonblank_lines("a\n\n \t\nb\r\n").collect();
        assert_eq!(got, vec![(1, "a"), (4, "b")]);
    }
}
