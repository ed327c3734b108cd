//! The PartiQL lexer: words (keywords and bare names), "quoted names", 'strings', numbers,
//! `?` parameters and punctuation. `--` and `/* */` comments and a final `;` are allowed,
//! as DynamoDB accepts them.

use nimbus_shapes::ServiceError;

use super::malformed;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A bare word: a keyword, function or attribute name (keywords match in any case).
    Word(String),
    /// A `"double-quoted"` name, never a keyword.
    Quoted(String),
    /// A `'single-quoted'` string literal (`''` stands for one quote).
    Str(String),
    Num(String),
    /// `?`, a positional parameter.
    Param,
    Punct(&'static str),
}

impl Tok {
    pub fn is_keyword(&self, word: &str) -> bool {
        matches!(self, Tok::Word(w) if w.eq_ignore_ascii_case(word))
    }

    /// The token as written, for error messages.
    pub fn text(&self) -> String {
        match self {
            Tok::Word(w) | Tok::Num(w) => w.clone(),
            Tok::Quoted(q) => format!("\"{q}\""),
            Tok::Str(s) => format!("'{s}'"),
            Tok::Param => "?".into(),
            Tok::Punct(p) => (*p).into(),
        }
    }
}

/// Longest first, so `<=` is not read as `<` then `=`.
const PUNCTS: [&str; 21] = [
    "<<", ">>", "<=", ">=", "<>", "!=", "(", ")", "[", "]", "{", "}", ",", ":", ".", "*", ";", "=",
    "<", ">", "+",
];

fn quoted(chars: &[char], at: usize, quote: char) -> Result<(String, usize), ServiceError> {
    let mut out = String::new();
    let mut i = at + 1;
    loop {
        match chars.get(i) {
            None => return Err(malformed("Unterminated quoted text")),
            Some(&c) if c == quote => {
                // A doubled quote is the quote itself.
                if chars.get(i + 1) == Some(&quote) {
                    out.push(quote);
                    i += 2;
                } else {
                    return Ok((out, i + 1));
                }
            }
            Some(&c) => {
                out.push(c);
                i += 1;
            }
        }
    }
}

pub fn tokenize(text: &str) -> Result<Vec<Tok>, ServiceError> {
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && next == Some('-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let rest: String = chars[i + 2..].iter().collect();
            let end = rest
                .find("*/")
                .ok_or_else(|| malformed("Unterminated comment"))?;
            i += 2 + rest[..end].chars().count() + 2;
        } else if c == '\'' || c == '"' {
            let (body, end) = quoted(&chars, i, c)?;
            toks.push(if c == '\'' {
                Tok::Str(body)
            } else {
                Tok::Quoted(body)
            });
            i = end;
        } else if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && matches!(chars[i], 'e' | 'E') {
                let sign = matches!(chars.get(i + 1), Some('+' | '-'));
                let digits_at = i + 1 + usize::from(sign);
                if chars.get(digits_at).is_some_and(char::is_ascii_digit) {
                    i = digits_at;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            toks.push(Tok::Num(chars[start..i].iter().collect()));
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '$')) {
                i += 1;
            }
            toks.push(Tok::Word(chars[start..i].iter().collect()));
        } else if c == '?' {
            toks.push(Tok::Param);
            i += 1;
        } else if c == '-' {
            toks.push(Tok::Punct("-"));
            i += 1;
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let punct = PUNCTS
                .iter()
                .find(|p| rest.starts_with(**p))
                .ok_or_else(|| malformed(&format!("Unexpected character '{c}'")))?;
            toks.push(Tok::Punct(punct));
            i += punct.len();
        }
    }
    // A statement may end with one semicolon.
    if toks.last() == Some(&Tok::Punct(";")) {
        toks.pop();
    }
    Ok(toks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexes_names_literals_and_comments() {
        let toks =
            tokenize("SELECT \"a\"\"b\" FROM t -- c\n WHERE x <= 'it''s' /* y */ AND n = -1.5e3;")
                .unwrap();
        assert_eq!(
            toks,
            vec![
                Tok::Word("SELECT".into()),
                Tok::Quoted("a\"b".into()),
                Tok::Word("FROM".into()),
                Tok::Word("t".into()),
                Tok::Word("WHERE".into()),
                Tok::Word("x".into()),
                Tok::Punct("<="),
                Tok::Str("it's".into()),
                Tok::Word("AND".into()),
                Tok::Word("n".into()),
                Tok::Punct("="),
                Tok::Punct("-"),
                Tok::Num("1.5e3".into()),
            ]
        );
        assert!(tokenize("SELECT 'open").is_err());
    }
}
