//! The lexer every DynamoDB expression shares (conditions, filters, key conditions,
//! updates, projections). A document path (`a.b[1].#c`) stays one `Word`; the parser
//! splits it with [`super::super::path::parse`].

use nimbus_shapes::ServiceError;

use super::super::errors::validation;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A keyword, function name or document path.
    Word(String),
    /// An `:value` placeholder.
    Value(String),
    /// `=`, `<>`, `<`, `<=`, `>`, `>=`, `+`, `-`.
    Op(&'static str),
    Open,
    Close,
    Comma,
}

impl Tok {
    pub fn text(&self) -> &str {
        match self {
            Tok::Word(w) | Tok::Value(w) => w,
            Tok::Op(o) => o,
            Tok::Open => "(",
            Tok::Close => ")",
            Tok::Comma => ",",
        }
    }

    /// Whether this is `word`, in any case (AWS keywords are case-insensitive).
    pub fn is_keyword(&self, word: &str) -> bool {
        matches!(self, Tok::Word(w) if w.eq_ignore_ascii_case(word))
    }
}

/// AWS's syntax error: `Invalid <expression>: Syntax error; token: "<tok>", near: "<near>"`.
pub fn syntax(what: &str, token: &str, near: &str) -> ServiceError {
    validation(format!(
        "Invalid {what}: Syntax error; token: \"{token}\", near: \"{near}\""
    ))
}

pub const REDUNDANT_PARENTHESES: &str = "The expression has redundant parentheses;";

/// AWS caps the operators and functions of one expression (AND, OR, NOT, comparators,
/// BETWEEN, IN, `+`, `-` and every function call; a SET action's `=` is no operator).
pub const MAX_OPERATORS: usize = 300;

/// AWS stops counting at the first operator past the limit: an expression of 909 operators
/// is refused with "operator count: 301" (ScyllaDB's Alternator tests, run against DynamoDB).
pub fn too_many_operators(what: &str) -> ServiceError {
    validation(format!(
        "Invalid {what}: The expression contains too many operators; operator count: {}",
        MAX_OPERATORS + 1
    ))
}

/// The deepest grouping (not call) parentheses the parsers recurse into. Each level that
/// wraps more than another pair holds an operator, so an expression AWS accepts nests no
/// deeper than its operators allow.
const MAX_NESTING: usize = MAX_OPERATORS + 1;

/// Refuses grouping parentheses nested past [`MAX_NESTING`] before a recursive parser
/// descends into them (4 KB of `(` would overflow its stack), with the error the parse
/// would have met: the first `)` that closes nothing or closes a redundant pair, else the
/// end of an unclosed expression, else (balanced, nothing redundant) too many operators.
fn check_nesting(toks: &[Tok], spans: &Spans, what: &str) -> Result<(), ServiceError> {
    // For each open pair: where it opened and whether it groups (a call's `(` follows a word).
    let mut open: Vec<(usize, bool)> = Vec::new();
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut first_fault = None;
    // Where the last closed grouping pair opened, to spot `((...))`.
    let mut last_closed = None;
    for (i, tok) in toks.iter().enumerate() {
        match tok {
            Tok::Open => {
                let groups = !matches!(i.checked_sub(1).map(|p| &toks[p]), Some(Tok::Word(_)));
                open.push((i, groups));
                depth += usize::from(groups);
                deepest = deepest.max(depth);
            }
            Tok::Close => match open.pop() {
                None => {
                    first_fault.get_or_insert(spans.syntax_at(what, toks, i));
                }
                Some((at, groups)) => {
                    depth -= usize::from(groups);
                    if groups && last_closed == Some(at + 1) && toks[i - 1] == Tok::Close {
                        first_fault.get_or_insert(validation(format!(
                            "Invalid {what}: {REDUNDANT_PARENTHESES}"
                        )));
                    }
                    last_closed = Some(at);
                }
            },
            _ => {}
        }
    }
    if deepest <= MAX_NESTING {
        return Ok(());
    }
    Err(match first_fault {
        Some(fault) => fault,
        None if !open.is_empty() => spans.syntax_at(what, toks, toks.len()),
        None => too_many_operators(what),
    })
}

/// Whether the `(` at `open`, closed by the `)` at `close`, wraps exactly another pair:
/// `((...))`, which AWS refuses in every expression ([`REDUNDANT_PARENTHESES`]).
pub fn wraps_a_pair(toks: &[Tok], open: usize, close: usize) -> bool {
    toks.get(open + 1) == Some(&Tok::Open) && matching_close(toks, open + 1) == Some(close - 1)
}

/// The index of the `)` closing the `(` at `open`.
pub fn matching_close(toks: &[Tok], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, tok) in toks.iter().enumerate().skip(open) {
        match tok {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Where each token sits in the expression, for AWS's `near` text: the source from the
/// token before the offending one to the token after it (as far as those exist).
pub struct Spans {
    text: String,
    spans: Vec<(usize, usize)>,
}

impl Spans {
    pub fn syntax_at(&self, what: &str, toks: &[Tok], at: usize) -> ServiceError {
        let token = toks.get(at).map_or("<EOF>", Tok::text);
        let first = at.saturating_sub(1);
        let last = (at + 1).min(self.spans.len().saturating_sub(1));
        let near = match (self.spans.get(first), self.spans.get(last)) {
            (Some(&(start, _)), Some(&(_, end))) => &self.text[start..end],
            _ => "",
        };
        syntax(what, token, near)
    }
}

/// One token starting at byte `i` (after whitespace): the token and where it ends, or `None`
/// for a character no token starts with.
fn lex_one(text: &str, i: usize) -> Option<(Tok, usize)> {
    let rest = &text[i..];
    let c = rest.chars().next()?;
    for op in ["<=", ">=", "<>", "=", "<", ">", "+", "-"] {
        if rest.starts_with(op) {
            return Some((Tok::Op(op), i + op.len()));
        }
    }
    let simple = match c {
        '(' => Some(Tok::Open),
        ')' => Some(Tok::Close),
        ',' => Some(Tok::Comma),
        _ => None,
    };
    if let Some(tok) = simple {
        return Some((tok, i + 1));
    }
    let run = |from: usize, ok: &dyn Fn(char) -> bool| {
        rest[from..]
            .char_indices()
            .find(|&(_, c)| !ok(c))
            .map_or(rest.len(), |(at, _)| from + at)
    };
    if c == ':' {
        let end = run(1, &|c| c.is_alphanumeric() || c == '_');
        return Some((Tok::Value(rest[..end].to_string()), i + end));
    }
    // A word starts with a letter, `#` or a digit (a number, as in a list index); `_` cannot
    // start one (AWS: `token: "_", near: "SET _123"`).
    if c.is_alphanumeric() || c == '#' {
        let end = run(0, &|c| {
            c.is_alphanumeric() || matches!(c, '_' | '#' | '.' | '[' | ']')
        });
        return Some((Tok::Word(rest[..end].to_string()), i + end));
    }
    None
}

fn skip_space(text: &str, i: usize) -> usize {
    text[i..]
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
        .map_or(text.len(), |(at, _)| i + at)
}

/// The tokens of `text`, nested no deeper than the parsers may recurse.
pub fn tokenize(text: &str, what: &str) -> Result<(Vec<Tok>, Spans), ServiceError> {
    let mut toks = Vec::new();
    let mut spans = Vec::new();
    let mut i = skip_space(text, 0);
    while i < text.len() {
        match lex_one(text, i) {
            Some((tok, end)) => {
                toks.push(tok);
                spans.push((i, end));
                i = skip_space(text, end);
            }
            None => {
                let c = text[i..].chars().next().expect("within the text");
                let bad_end = i + c.len_utf8();
                let start = spans.last().map_or(i, |&(start, _)| start);
                // The next token, or the next character when none starts there (AWS: token
                // "!", near "!!" for "!!!").
                let next = skip_space(text, bad_end);
                let end = match lex_one(text, next) {
                    Some((_, end)) => end,
                    None => text[next..]
                        .chars()
                        .next()
                        .map_or(bad_end, |c| next + c.len_utf8()),
                };
                return Err(syntax(what, &c.to_string(), &text[start..end]));
            }
        }
    }
    let spans = Spans {
        text: text.to_string(),
        spans,
    };
    check_nesting(&toks, &spans, what)?;
    Ok((toks, spans))
}
