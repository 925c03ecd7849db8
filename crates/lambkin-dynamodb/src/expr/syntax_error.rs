//! The text of a syntax error: DynamoDB names the token it stopped at (`<EOF>` at the end)
//! and the text around it, from the token before to the token after.

use super::error::Reason;

/// DynamoDB's syntax error names the token it stopped at (`<EOF>` at the end) and the text
/// around it, from the token before to the token after.
pub(crate) fn syntax_error(text: &str, offset: usize) -> Reason {
    let tokens = tokens(text);
    let at = tokens.iter().position(|&(_, end)| end > offset);
    let (token, from, to) = match at {
        Some(i) => (
            text[tokens[i].0..tokens[i].1].to_owned(),
            i.saturating_sub(1),
            (i + 1).min(tokens.len() - 1),
        ),
        None => (
            "<EOF>".to_owned(),
            tokens.len().saturating_sub(2),
            tokens.len().saturating_sub(1),
        ),
    };
    let near = match (tokens.get(from), tokens.get(to)) {
        (Some(&(start, _)), Some(&(_, end))) => text[start..end].to_owned(),
        _ => String::new(),
    };
    Reason::Syntax { token, near }
}

/// The expression's tokens as byte ranges: words (with a `#` or `:` sigil), two-character
/// comparators, or single characters.
fn tokens(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut end = start + c.len_utf8();
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
        if word(c) || c == '#' || c == ':' {
            while let Some(&(i, next)) = chars.peek() {
                if !word(next) {
                    break;
                }
                end = i + next.len_utf8();
                chars.next();
            }
        } else if matches!(c, '<' | '>')
            && let Some(&(i, next)) = chars.peek()
            && (next == '=' || (c == '<' && next == '>'))
        {
            end = i + 1;
            chars.next();
        }
        out.push((start, end));
    }
    out
}
