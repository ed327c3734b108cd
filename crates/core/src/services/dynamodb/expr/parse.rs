//! The grammars: conditions (ConditionExpression, FilterExpression), UpdateExpression and
//! ProjectionExpression, read from the shared tokens. Placeholders resolve while parsing,
//! so a tree holds real names and values.
//!
//! Operands are first read in one generic form ([`Raw`]: a path, a value or a function
//! call) and then shaped into what their position allows, which is how AWS tells "invalid
//! function name" from "not allowed to be used this way" and "requires a document path".

use nimbus_shapes::{dynamodb::AttributeValue, ServiceError};

use super::{
    super::{
        errors::validation,
        path::{self, Path},
        value::type_name,
    },
    ast::{CmpOp, Cond, Operand, SetOperand, SetValue, Update},
    tokens::{self, tokenize, Spans, Tok},
    validate::Placeholders,
};

/// An operand as written, before its position gives it a meaning.
#[derive(Debug)]
enum Raw {
    Path(Path),
    /// Boxed to keep small the frames of the recursion that reads operands.
    Value(Box<AttributeValue>),
    Call(String, Vec<Raw>),
}

const CONDITION_FUNCTIONS: [&str; 5] = [
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
];
const UPDATE_FUNCTIONS: [&str; 2] = ["if_not_exists", "list_append"];
/// Words the grammars give a meaning; never a bare path.
const KEYWORDS: [&str; 9] = [
    "AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE",
];
/// AWS caps the operands of IN, the left one included (99 in the list).
const MAX_IN_OPERANDS: usize = 100;
/// AWS caps every expression parameter at 4 KB, counted on the text as sent: placeholders
/// are not substituted and whitespace counts.
const MAX_EXPRESSION_BYTES: usize = 4096;

/// Whether `name` is a function of any expression language (names are case sensitive).
pub fn is_function(name: &str) -> bool {
    CONDITION_FUNCTIONS.contains(&name) || UPDATE_FUNCTIONS.contains(&name) || name == "size"
}

struct Parser<'p, 'n> {
    toks: Vec<Tok>,
    spans: Spans,
    at: usize,
    what: &'static str,
    p: &'p mut Placeholders<'n>,
    /// Operators and functions read so far, against [`tokens::MAX_OPERATORS`].
    operators: usize,
}

/// AWS refuses an empty (or blank) or oversized expression before it reads any other
/// expression of the request: Query reports an empty FilterExpression even when its
/// KeyConditionExpression is invalid too.
pub fn check_text(text: &str, what: &str) -> Result<(), ServiceError> {
    if text.trim().is_empty() {
        return Err(validation(format!(
            "Invalid {what}: The expression can not be empty;"
        )));
    }
    if text.len() > MAX_EXPRESSION_BYTES {
        return Err(validation(format!(
            "Invalid {what}: Expression size has exceeded the maximum allowed size; expression size: {}",
            text.len()
        )));
    }
    Ok(())
}

impl<'p, 'n> Parser<'p, 'n> {
    fn new(
        text: &str,
        what: &'static str,
        p: &'p mut Placeholders<'n>,
    ) -> Result<Self, ServiceError> {
        check_text(text, what)?;
        let (toks, spans) = tokenize(text, what)?;
        Ok(Parser {
            toks,
            spans,
            at: 0,
            what,
            p,
            operators: 0,
        })
    }

    /// Steps over an operator (or a function's name), counting it; the one past AWS's
    /// limit ends the parse, which also bounds how deep NOTs and calls nest.
    fn take_operator(&mut self) -> Result<(), ServiceError> {
        self.at += 1;
        self.operators += 1;
        if self.operators > tokens::MAX_OPERATORS {
            return Err(tokens::too_many_operators(self.what));
        }
        Ok(())
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn peek_keyword(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.is_keyword(word))
    }

    fn error_here(&self) -> ServiceError {
        self.spans.syntax_at(self.what, &self.toks, self.at)
    }

    fn invalid(&self, message: impl std::fmt::Display) -> ServiceError {
        validation(format!("Invalid {}: {message}", self.what))
    }

    fn expect(&mut self, tok: Tok) -> Result<(), ServiceError> {
        if self.peek() == Some(&tok) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error_here())
        }
    }

    fn end(&self) -> Result<(), ServiceError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error_here()),
        }
    }

    /// AWS refuses `((...))` (see `tokens::wraps_a_pair`); the pair opened at `open` has
    /// just been closed.
    fn check_redundant(&self, open: usize) -> Result<(), ServiceError> {
        if tokens::wraps_a_pair(&self.toks, open, self.at - 1) {
            return Err(self.invalid(tokens::REDUNDANT_PARENTHESES));
        }
        Ok(())
    }

    fn path(&mut self) -> Result<Path, ServiceError> {
        match self.peek().cloned() {
            Some(Tok::Word(word))
                if !KEYWORDS.iter().any(|k| word.eq_ignore_ascii_case(k))
                    && !word.starts_with(|c: char| c.is_ascii_digit()) =>
            {
                self.at += 1;
                path::parse(&word, &mut self.p.names, self.what)
            }
            _ => Err(self.error_here()),
        }
    }

    /// Parentheses and calls recurse here, so values and paths, the larger parts, are
    /// read out of line ([`Parser::leaf_operand`]).
    fn raw(&mut self) -> Result<Raw, ServiceError> {
        match self.peek() {
            // An operand may be parenthesized: `(a) BETWEEN (:lo) AND (:hi)`.
            Some(Tok::Open) => {
                let open = self.at;
                self.at += 1;
                let inner = self.raw()?;
                self.expect(Tok::Close)?;
                self.check_redundant(open)?;
                Ok(inner)
            }
            Some(Tok::Word(name)) if self.toks.get(self.at + 1) == Some(&Tok::Open) => {
                // Named before its arguments are read: AWS answers `f(f(f(...)))` nested
                // past the operator limit with "Invalid function name; function: f".
                if !is_function(name) {
                    return Err(self.unknown_function(name));
                }
                let name = name.clone();
                self.take_operator()?;
                self.at += 1;
                let mut args = vec![self.raw()?];
                while self.peek() == Some(&Tok::Comma) {
                    self.at += 1;
                    args.push(self.raw()?);
                }
                self.expect(Tok::Close)?;
                Ok(Raw::Call(name, args))
            }
            _ => self.leaf_operand(),
        }
    }

    #[inline(never)]
    fn leaf_operand(&mut self) -> Result<Raw, ServiceError> {
        if let Some(Tok::Value(name)) = self.peek().cloned() {
            self.at += 1;
            return Ok(Raw::Value(Box::new(self.p.value(&name, self.what)?)));
        }
        Ok(Raw::Path(self.path()?))
    }

    fn operand_count(&self, name: &str, args: &[Raw], count: usize) -> Result<(), ServiceError> {
        if args.len() == count {
            Ok(())
        } else {
            Err(self.invalid(format_args!(
                "Incorrect number of operands for operator or function; operator or function: {name}, number of operands: {}",
                args.len()
            )))
        }
    }

    fn unknown_function(&self, name: &str) -> ServiceError {
        self.invalid(format_args!("Invalid function name; function: {name}"))
    }

    fn misused_function(&self, name: &str) -> ServiceError {
        self.invalid(format_args!(
            "The function is not allowed to be used this way in an expression; function: {name}"
        ))
    }

    fn operand_type(&self, function: &str, kind: &str) -> ServiceError {
        self.invalid(format_args!(
            "Incorrect operand type for operator or function; operator or function: {function}, operand type: {kind}"
        ))
    }

    // ---- conditions ----
    //
    // `or`, `and`, `not` and `group` recurse once per nesting level and pass boxes
    // ([`Cond::boxed`]), so each level costs little stack; the leaves are read by
    // `predicate`, whose larger frame is never part of the recursion.

    fn or(&mut self) -> Result<Box<Cond>, ServiceError> {
        let mut left = self.and()?;
        while self.peek_keyword("OR") {
            self.take_operator()?;
            let right = self.and()?;
            left = Cond::boxed(move || Cond::Or(left, right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Box<Cond>, ServiceError> {
        let mut left = self.not()?;
        while self.peek_keyword("AND") {
            self.take_operator()?;
            let right = self.not()?;
            left = Cond::boxed(move || Cond::And(left, right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Box<Cond>, ServiceError> {
        if self.peek_keyword("NOT") {
            self.take_operator()?;
            let inner = self.not()?;
            return Ok(Cond::boxed(move || Cond::Not(inner)));
        }
        // A parenthesized condition, unless the parentheses hold an operand, which a
        // comparison, BETWEEN or IN follows.
        let operand_follows = |p: &Self| {
            tokens::matching_close(&p.toks, p.at)
                .and_then(|close| p.toks.get(close + 1))
                .is_some_and(|t| {
                    matches!(t, Tok::Op(_)) || t.is_keyword("BETWEEN") || t.is_keyword("IN")
                })
        };
        if self.peek() == Some(&Tok::Open) && !operand_follows(self) {
            return self.group();
        }
        self.leaf()
    }

    fn group(&mut self) -> Result<Box<Cond>, ServiceError> {
        let open = self.at;
        self.at += 1;
        let inner = self.or()?;
        self.expect(Tok::Close)?;
        self.check_redundant(open)?;
        Ok(inner)
    }

    #[inline(never)]
    fn leaf(&mut self) -> Result<Box<Cond>, ServiceError> {
        self.predicate().map(Box::new)
    }

    /// A comparison, BETWEEN, IN or function call.
    fn predicate(&mut self) -> Result<Cond, ServiceError> {
        let first = self.raw()?;
        if let Some(Tok::Op(op)) = self.peek().cloned() {
            let Some(cmp) = CmpOp::from_token(op) else {
                return Err(self.error_here());
            };
            self.take_operator()?;
            let left = self.operand(first)?;
            let right = self.raw()?;
            return Ok(Cond::Cmp(cmp, left, self.operand(right)?));
        }
        if self.peek_keyword("BETWEEN") {
            self.take_operator()?;
            let value = self.operand(first)?;
            let low = self.raw()?;
            let low = self.operand(low)?;
            if !self.peek_keyword("AND") {
                return Err(self.error_here());
            }
            self.at += 1;
            let high = self.raw()?;
            return Ok(Cond::Between(value, low, self.operand(high)?));
        }
        if self.peek_keyword("IN") {
            self.take_operator()?;
            let value = self.operand(first)?;
            self.expect(Tok::Open)?;
            let mut list = Vec::new();
            loop {
                let raw = self.raw()?;
                list.push(self.operand(raw)?);
                if self.peek() != Some(&Tok::Comma) {
                    break;
                }
                self.at += 1;
            }
            self.expect(Tok::Close)?;
            // The limit counts the left operand too.
            if list.len() + 1 > MAX_IN_OPERANDS {
                return Err(self.invalid(format_args!(
                    "The IN operator is provided with too many operands; number of operands: {}",
                    list.len() + 1
                )));
            }
            return Ok(Cond::In(value, list));
        }
        match first {
            Raw::Call(name, args) => self.function(name, args),
            _ => Err(self.error_here()),
        }
    }

    /// A function call in the position of a condition.
    fn function(&mut self, name: String, args: Vec<Raw>) -> Result<Cond, ServiceError> {
        let count = match name.as_str() {
            "attribute_exists" | "attribute_not_exists" => 1,
            "attribute_type" | "begins_with" | "contains" => 2,
            "size" => return Err(self.misused_function(&name)),
            _ => return Err(self.update_function_in_condition(&name)),
        };
        self.operand_count(&name, &args, count)?;
        let mut operands = args
            .into_iter()
            .map(|a| self.operand(a))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter();
        let first = operands.next().expect("counted");
        let second = operands.next();
        let path_of = |operand: Operand| match operand {
            Operand::Path(p) => Ok(p),
            _ => Err(self.invalid(format_args!(
                "Operator or function requires a document path; operator or function: {name}"
            ))),
        };
        Ok(match (name.as_str(), second) {
            ("attribute_exists", _) => Cond::Exists(path_of(first)?),
            ("attribute_not_exists", _) => Cond::NotExists(path_of(first)?),
            ("attribute_type", Some(kind)) => match kind {
                Operand::Value(v) if v.s.is_some() => Cond::Type(first, v.s.unwrap_or_default()),
                Operand::Value(v) => return Err(self.operand_type(&name, type_name(&v))),
                Operand::Size(_) => return Err(self.operand_type(&name, "N")),
                Operand::Path(_) => return Err(self.operand_type(&name, "M")),
            },
            ("begins_with", Some(second)) => Cond::BeginsWith(first, second),
            (_, Some(second)) => Cond::Contains(first, second),
            _ => unreachable!("operand counts checked above"),
        })
    }

    /// A raw operand in the position of a comparison operand or function argument.
    fn operand(&self, raw: Raw) -> Result<Operand, ServiceError> {
        match raw {
            Raw::Path(p) => Ok(Operand::Path(p)),
            Raw::Value(v) => Ok(Operand::Value(*v)),
            Raw::Call(name, args) if name == "size" => {
                self.operand_count(&name, &args, 1)?;
                let arg = args.into_iter().next().expect("counted");
                match self.operand(arg)? {
                    Operand::Path(p) => Ok(Operand::Size(p)),
                    // The size of a constant is a constant.
                    Operand::Value(v) => match super::eval::size(&v) {
                        Some(n) => Ok(Operand::Value(AttributeValue {
                            n: Some(n.to_string()),
                            ..Default::default()
                        })),
                        None => Err(self.operand_type("size", type_name(&v))),
                    },
                    Operand::Size(_) => Err(self.operand_type("size", "N")),
                }
            }
            Raw::Call(name, _) if CONDITION_FUNCTIONS.contains(&name.as_str()) => {
                Err(self.misused_function(&name))
            }
            Raw::Call(name, _) => Err(self.update_function_in_condition(&name)),
        }
    }

    /// A call of `if_not_exists` or `list_append`, which only updates may make.
    fn update_function_in_condition(&self, name: &str) -> ServiceError {
        self.invalid(format_args!(
            "The function is not allowed in a condition expression; function: {name}"
        ))
    }

    // ---- updates ----

    fn update(&mut self) -> Result<Update, ServiceError> {
        let mut update = Update::default();
        let mut seen: Vec<String> = Vec::new();
        while self.peek().is_some() {
            let Some(Tok::Word(word)) = self.peek().cloned() else {
                return Err(self.error_here());
            };
            let clause = word.to_ascii_uppercase();
            if !matches!(clause.as_str(), "SET" | "REMOVE" | "ADD" | "DELETE") {
                return Err(self.error_here());
            }
            if seen.contains(&clause) {
                return Err(self.invalid(format_args!(
                    "The \"{clause}\" section can only be used once in an update expression;"
                )));
            }
            seen.push(clause.clone());
            self.at += 1;
            loop {
                let path = self.path()?;
                match clause.as_str() {
                    "SET" => {
                        self.expect(Tok::Op("="))?;
                        let value = self.set_value()?;
                        update.set.push((path, *value));
                    }
                    "REMOVE" => update.remove.push(path),
                    _ => {
                        let Some(Tok::Value(name)) = self.peek().cloned() else {
                            return Err(self.error_here());
                        };
                        self.at += 1;
                        let value = self.p.value(&name, self.what)?;
                        if clause == "ADD" {
                            update.add.push((path, value));
                        } else {
                            update.delete.push((path, value));
                        }
                    }
                }
                if self.peek() != Some(&Tok::Comma) {
                    break;
                }
                self.at += 1;
            }
        }
        Ok(update)
    }

    /// Parentheses recurse through here and pass a box; the rest of the value is read
    /// out of line ([`Parser::arithmetic`]).
    fn set_value(&mut self) -> Result<Box<SetValue>, ServiceError> {
        if self.peek() != Some(&Tok::Open) {
            return self.arithmetic(None);
        }
        let open = self.at;
        self.at += 1;
        let inner = self.set_value()?;
        self.expect(Tok::Close)?;
        self.check_redundant(open)?;
        self.arithmetic(Some(inner))
    }

    /// A SET value from its first operand on: the value just read in parentheses, if any.
    #[inline(never)]
    fn arithmetic(
        &mut self,
        grouped: Option<Box<SetValue>>,
    ) -> Result<Box<SetValue>, ServiceError> {
        let first = match grouped {
            None => {
                let raw = self.raw()?;
                self.set_operand(raw)?
            }
            Some(inner) => match *inner {
                SetValue::Operand(operand) => operand,
                // `SET c = (c - :v)`: arithmetic in parentheses is the whole value.
                whole => return Ok(Box::new(whole)),
            },
        };
        let value = match self.peek() {
            Some(Tok::Op("+")) | Some(Tok::Op("-")) => {
                let plus = self.peek() == Some(&Tok::Op("+"));
                self.take_operator()?;
                let raw = self.raw()?;
                let second = self.set_operand(raw)?;
                if plus {
                    SetValue::Plus(first, second)
                } else {
                    SetValue::Minus(first, second)
                }
            }
            _ => SetValue::Operand(first),
        };
        Ok(Box::new(value))
    }

    fn set_operand(&self, raw: Raw) -> Result<SetOperand, ServiceError> {
        match raw {
            Raw::Path(p) => Ok(SetOperand::Path(p)),
            Raw::Value(v) => Ok(SetOperand::Value(*v)),
            Raw::Call(name, args) if UPDATE_FUNCTIONS.contains(&name.as_str()) => {
                self.operand_count(&name, &args, 2)?;
                let mut args = args.into_iter();
                let (a, b) = (args.next().expect("counted"), args.next().expect("counted"));
                if name == "if_not_exists" {
                    let Raw::Path(path) = a else {
                        return Err(self.invalid(format_args!(
                            "Operator or function requires a document path; operator or function: {name}"
                        )));
                    };
                    return Ok(SetOperand::IfNotExists(
                        path,
                        Box::new(self.set_operand(b)?),
                    ));
                }
                // AWS refuses list_append(list_append(...), ...).
                for arg in [&a, &b] {
                    if matches!(arg, Raw::Call(inner, _) if inner == "list_append") {
                        return Err(self.misused_function("list_append"));
                    }
                }
                Ok(SetOperand::ListAppend(
                    Box::new(self.set_operand(a)?),
                    Box::new(self.set_operand(b)?),
                ))
            }
            // A condition function or `size`: [`Parser::raw`] read no other call.
            Raw::Call(name, _) => Err(self.invalid(format_args!(
                "The function is not allowed in an update expression; function: {name}"
            ))),
        }
    }
}

/// A ConditionExpression or FilterExpression (`what` names it in messages).
pub fn condition(
    text: &str,
    what: &'static str,
    p: &mut Placeholders,
) -> Result<Cond, ServiceError> {
    let mut parser = Parser::new(text, what, p)?;
    let cond = *parser.or()?;
    parser.end()?;
    super::validate::condition(&cond, what)?;
    Ok(cond)
}

/// An UpdateExpression.
pub fn update(text: &str, p: &mut Placeholders) -> Result<Update, ServiceError> {
    let mut parser = Parser::new(text, "UpdateExpression", p)?;
    let update = parser.update()?;
    super::validate::update(&update)?;
    Ok(update)
}

/// The paths a ProjectionExpression selects, in order.
pub fn projection(text: &str, p: &mut Placeholders) -> Result<Vec<Path>, ServiceError> {
    const WHAT: &str = "ProjectionExpression";
    let mut parser = Parser::new(text, WHAT, p)?;
    let mut paths = vec![parser.path()?];
    while parser.peek() == Some(&Tok::Comma) {
        parser.at += 1;
        paths.push(parser.path()?);
    }
    parser.end()?;
    path::check_disjoint(&paths, WHAT)?;
    Ok(paths)
}
