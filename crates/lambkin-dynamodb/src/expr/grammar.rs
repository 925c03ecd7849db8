//! The expression grammar, as the developer guide's syntax summaries give it, parsed with
//! `winnow` into a syntax tree that still holds what was written: placeholders unresolved,
//! function calls by name, parentheses kept. `resolve.rs` checks that tree and turns it into
//! the typed expressions of `ast.rs`.
//!
//! Precedence, loosest first: `OR`, `AND`, `NOT`, then comparisons, `BETWEEN`, `IN` and
//! functions; parentheses override it. Keywords ignore case; function names do not.

use winnow::ModalResult;
use winnow::ascii::{Caseless, digit1, multispace0};
use winnow::combinator::{alt, cut_err, delimited, eof, not, opt, preceded, repeat, separated};
use winnow::error::{ContextError, ErrMode};
use winnow::prelude::*;
use winnow::token::{one_of, take_while};

use super::ast::Comparator;

/// A path as written: names (bare or `#placeholder`) and indexes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawPath(pub Vec<RawElement>);

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawElement {
    Name(String),
    Index(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawOperand {
    Path(RawPath),
    Value(String),
    Call(String, Vec<RawOperand>),
    Parens(Box<RawOperand>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawCondition {
    Compare(RawOperand, Comparator, RawOperand),
    Between(RawOperand, RawOperand, RawOperand),
    In(RawOperand, Vec<RawOperand>),
    Call(String, Vec<RawOperand>),
    Not(Box<RawCondition>),
    And(Box<RawCondition>, Box<RawCondition>),
    Or(Box<RawCondition>, Box<RawCondition>),
    Parens(Box<RawCondition>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawSetValue {
    Operand(RawOperand),
    Plus(RawOperand, RawOperand),
    Minus(RawOperand, RawOperand),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawClause {
    Set(Vec<(RawPath, RawSetValue)>),
    Remove(Vec<RawPath>),
    Add(Vec<(RawPath, String)>),
    Delete(Vec<(RawPath, String)>),
}

/// Where parsing stopped, as a byte offset into the expression.
pub(crate) type SyntaxError = usize;

pub(crate) fn condition(text: &str) -> Result<RawCondition, SyntaxError> {
    delimited(multispace0, or_condition, (multispace0, eof))
        .parse(text)
        .map_err(|e| e.offset())
}

pub(crate) fn update(text: &str) -> Result<Vec<RawClause>, SyntaxError> {
    delimited(
        multispace0,
        repeat(1.., preceded(multispace0, clause)),
        (multispace0, eof),
    )
    .parse(text)
    .map_err(|e| e.offset())
}

pub(crate) fn projection(text: &str) -> Result<Vec<RawPath>, SyntaxError> {
    delimited(
        multispace0,
        separated(1.., path, (multispace0, ',', multispace0)),
        (multispace0, eof),
    )
    .parse(text)
    .map_err(|e| e.offset())
}

/// Words that structure an expression and so never name an attribute, even unreserved.
const KEYWORDS: [&str; 9] = [
    "AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE",
];

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn keyword<'s>(word: &'static str) -> impl Parser<&'s str, &'s str, ErrMode<ContextError>> {
    (Caseless(word), not(one_of(is_word_char))).map(|(w, _)| w)
}

fn identifier<'s>(input: &mut &'s str) -> ModalResult<&'s str> {
    (
        one_of(|c: char| c.is_ascii_alphabetic() || c == '_'),
        take_while(0.., is_word_char),
    )
        .take()
        .verify(|word: &str| !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word)))
        .parse_next(input)
}

fn placeholder<'s>(sigil: char) -> impl Parser<&'s str, String, ErrMode<ContextError>> {
    (sigil, take_while(1.., is_word_char))
        .take()
        .map(str::to_owned)
}

fn name(input: &mut &str) -> ModalResult<String> {
    alt((identifier.map(str::to_owned), placeholder('#'))).parse_next(input)
}

fn index(input: &mut &str) -> ModalResult<usize> {
    digit1.try_map(str::parse::<usize>).parse_next(input)
}

fn path(input: &mut &str) -> ModalResult<RawPath> {
    let head = name.parse_next(input)?;
    let mut elements = vec![RawElement::Name(head)];
    let rest: Vec<RawElement> = repeat(
        0..,
        alt((
            preceded(
                (multispace0, '.', multispace0),
                cut_err(name).map(RawElement::Name),
            ),
            preceded(
                (multispace0, '[', multispace0),
                cut_err(terminated_by(index, ']')).map(RawElement::Index),
            ),
        )),
    )
    .parse_next(input)?;
    elements.extend(rest);
    Ok(RawPath(elements))
}

fn terminated_by<'s, O>(
    inner: impl Parser<&'s str, O, ErrMode<ContextError>>,
    close: char,
) -> impl Parser<&'s str, O, ErrMode<ContextError>> {
    (inner, multispace0, close).map(|(o, _, _)| o)
}

fn call(input: &mut &str) -> ModalResult<RawOperand> {
    let name = identifier_or_keyword.parse_next(input)?;
    let args = delimited(
        (multispace0, '(', multispace0),
        cut_err(separated(1.., operand, (multispace0, ',', multispace0))),
        cut_err((multispace0, ')')),
    )
    .parse_next(input)?;
    Ok(RawOperand::Call(name.to_owned(), args))
}

/// A function's name: any word followed by `(` (an unknown one is refused by name later).
fn identifier_or_keyword<'s>(input: &mut &'s str) -> ModalResult<&'s str> {
    (
        one_of(|c: char| c.is_ascii_alphabetic() || c == '_'),
        take_while(0.., is_word_char),
    )
        .take()
        .parse_next(input)
}

fn operand(input: &mut &str) -> ModalResult<RawOperand> {
    alt((
        delimited(('(', multispace0), operand, (multispace0, ')'))
            .map(|o| RawOperand::Parens(Box::new(o))),
        call,
        placeholder(':').map(RawOperand::Value),
        path.map(RawOperand::Path),
    ))
    .parse_next(input)
}

fn comparator(input: &mut &str) -> ModalResult<Comparator> {
    alt((
        "<=".value(Comparator::Le),
        ">=".value(Comparator::Ge),
        "<>".value(Comparator::Ne),
        "=".value(Comparator::Eq),
        "<".value(Comparator::Lt),
        ">".value(Comparator::Gt),
    ))
    .parse_next(input)
}

fn or_condition(input: &mut &str) -> ModalResult<RawCondition> {
    let first = and_condition.parse_next(input)?;
    let rest: Vec<RawCondition> = repeat(
        0..,
        preceded(
            (multispace0, keyword("OR"), multispace0),
            cut_err(and_condition),
        ),
    )
    .parse_next(input)?;
    Ok(rest
        .into_iter()
        .fold(first, |l, r| RawCondition::Or(Box::new(l), Box::new(r))))
}

fn and_condition(input: &mut &str) -> ModalResult<RawCondition> {
    let first = not_condition.parse_next(input)?;
    let rest: Vec<RawCondition> = repeat(
        0..,
        preceded(
            (multispace0, keyword("AND"), multispace0),
            cut_err(not_condition),
        ),
    )
    .parse_next(input)?;
    Ok(rest
        .into_iter()
        .fold(first, |l, r| RawCondition::And(Box::new(l), Box::new(r))))
}

fn not_condition(input: &mut &str) -> ModalResult<RawCondition> {
    alt((
        preceded((keyword("NOT"), multispace0), cut_err(not_condition))
            .map(|c| RawCondition::Not(Box::new(c))),
        primary,
    ))
    .parse_next(input)
}

fn primary(input: &mut &str) -> ModalResult<RawCondition> {
    alt((
        delimited(('(', multispace0), or_condition, (multispace0, ')'))
            .map(|c| RawCondition::Parens(Box::new(c))),
        predicate,
    ))
    .parse_next(input)
}

enum Tail {
    Compare(Comparator, RawOperand),
    Between(RawOperand, RawOperand),
    In(Vec<RawOperand>),
}

fn predicate(input: &mut &str) -> ModalResult<RawCondition> {
    let left = operand.parse_next(input)?;
    let tail = opt(preceded(
        multispace0,
        alt((
            (comparator, multispace0, cut_err(operand)).map(|(c, _, r)| Tail::Compare(c, r)),
            (
                keyword("BETWEEN"),
                multispace0,
                cut_err(operand),
                cut_err((multispace0, keyword("AND"), multispace0)),
                cut_err(operand),
            )
                .map(|(_, _, low, _, high)| Tail::Between(low, high)),
            preceded(
                (keyword("IN"), multispace0),
                cut_err(delimited(
                    ('(', multispace0),
                    separated(1.., operand, (multispace0, ',', multispace0)),
                    (multispace0, ')'),
                )),
            )
            .map(Tail::In),
        )),
    ))
    .parse_next(input)?;
    match (left, tail) {
        (left, Some(Tail::Compare(c, right))) => Ok(RawCondition::Compare(left, c, right)),
        (left, Some(Tail::Between(low, high))) => Ok(RawCondition::Between(left, low, high)),
        (left, Some(Tail::In(list))) => Ok(RawCondition::In(left, list)),
        (RawOperand::Call(name, args), None) => Ok(RawCondition::Call(name, args)),
        // An operand alone is no condition. Before a `)` the parentheses may have held an
        // operand (`(a) = b`), so let them try that; anywhere else this is the error.
        (_, None) => {
            if input.trim_start().starts_with(')') {
                Err(ErrMode::Backtrack(ContextError::new()))
            } else {
                Err(ErrMode::Cut(ContextError::new()))
            }
        }
    }
}

fn clause(input: &mut &str) -> ModalResult<RawClause> {
    let comma = || (multispace0, ',', multispace0);
    alt((
        preceded(
            (keyword("SET"), multispace0),
            cut_err(separated(1.., set_action, comma())),
        )
        .map(RawClause::Set),
        preceded(
            (keyword("REMOVE"), multispace0),
            cut_err(separated(1.., path, comma())),
        )
        .map(RawClause::Remove),
        preceded(
            (keyword("ADD"), multispace0),
            cut_err(separated(1.., value_action, comma())),
        )
        .map(RawClause::Add),
        preceded(
            (keyword("DELETE"), multispace0),
            cut_err(separated(1.., value_action, comma())),
        )
        .map(RawClause::Delete),
    ))
    .parse_next(input)
}

fn set_action(input: &mut &str) -> ModalResult<(RawPath, RawSetValue)> {
    let target = path.parse_next(input)?;
    (multispace0, '=', multispace0).parse_next(input)?;
    let left = operand.parse_next(input)?;
    let right = opt((
        preceded(multispace0, one_of(['+', '-'])),
        preceded(multispace0, cut_err(operand)),
    ))
    .parse_next(input)?;
    let value = match right {
        None => RawSetValue::Operand(left),
        Some(('+', right)) => RawSetValue::Plus(left, right),
        Some((_, right)) => RawSetValue::Minus(left, right),
    };
    Ok((target, value))
}

/// `path :value`, the form of ADD and DELETE actions.
fn value_action(input: &mut &str) -> ModalResult<(RawPath, String)> {
    (path, multispace0, placeholder(':'))
        .map(|(p, _, v)| (p, v))
        .parse_next(input)
}
