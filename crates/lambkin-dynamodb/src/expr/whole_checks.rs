//! The checks DynamoDB makes of a whole expression before looking at its parts, each finding
//! the first offender in the order written: redundant parentheses, unknown function names,
//! functions in the wrong place (a condition function as an operand, or the reverse), and
//! reserved words written bare.

use super::error::{ExprError, ExprKind, Reason};
use super::grammar::{RawCondition, RawElement, RawOperand, RawPath};
use super::reserved::is_reserved;

/// Functions that are conditions themselves.
const CONDITION_FUNCTIONS: [&str; 5] = [
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
];

/// Where a function was called: as a condition, or as an operand.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Place {
    Condition,
    Operand,
}

pub(crate) fn condition_calls<'r>(raw: &'r RawCondition, out: &mut Vec<(&'r str, Place)>) {
    match raw {
        RawCondition::Compare(l, _, r) => {
            operand_calls(l, out);
            operand_calls(r, out);
        }
        RawCondition::Between(a, b, c) => {
            for o in [a, b, c] {
                operand_calls(o, out);
            }
        }
        RawCondition::In(a, list) => {
            operand_calls(a, out);
            list.iter().for_each(|o| operand_calls(o, out));
        }
        RawCondition::Call(name, args) => {
            out.push((name, Place::Condition));
            args.iter().for_each(|o| operand_calls(o, out));
        }
        RawCondition::Not(c) | RawCondition::Parens(c) => condition_calls(c, out),
        RawCondition::And(l, r) | RawCondition::Or(l, r) => {
            condition_calls(l, out);
            condition_calls(r, out);
        }
    }
}

pub(crate) fn operand_calls<'r>(raw: &'r RawOperand, out: &mut Vec<(&'r str, Place)>) {
    match raw {
        RawOperand::Call(name, args) => {
            out.push((name, Place::Operand));
            args.iter().for_each(|o| operand_calls(o, out));
        }
        RawOperand::Parens(o) => operand_calls(o, out),
        RawOperand::Path(_) | RawOperand::Value(_) => {}
    }
}

/// Unknown names first, then known functions in the wrong place.
pub(crate) fn check_calls(
    kind: ExprKind,
    calls: &[(&str, Place)],
    operand_functions: &[&str],
) -> Result<(), ExprError> {
    let condition_functions: &[&str] = if kind == ExprKind::Update {
        &[]
    } else {
        &CONDITION_FUNCTIONS
    };
    if let Some((name, _)) = calls
        .iter()
        .find(|(n, _)| !condition_functions.contains(n) && !operand_functions.contains(n))
    {
        return Err(ExprError::invalid(
            kind,
            Reason::InvalidFunction((*name).to_owned()),
        ));
    }
    let misplaced = calls
        .iter()
        .find(|(name, place)| (*place == Place::Condition) != condition_functions.contains(name));
    match misplaced {
        Some((name, _)) => Err(ExprError::invalid(
            kind,
            Reason::FunctionMisused((*name).to_owned()),
        )),
        None => Ok(()),
    }
}

/// Parentheses directly around parentheses say nothing more, and DynamoDB refuses them.
pub(crate) fn redundant_in_condition(raw: &RawCondition) -> bool {
    match raw {
        RawCondition::Parens(inner) => {
            matches!(**inner, RawCondition::Parens(_)) || redundant_in_condition(inner)
        }
        RawCondition::Not(c) => redundant_in_condition(c),
        RawCondition::And(l, r) | RawCondition::Or(l, r) => {
            redundant_in_condition(l) || redundant_in_condition(r)
        }
        RawCondition::Compare(l, _, r) => redundant_in_operand(l) || redundant_in_operand(r),
        RawCondition::Between(a, b, c) => [a, b, c].into_iter().any(redundant_in_operand),
        RawCondition::In(a, list) => {
            redundant_in_operand(a) || list.iter().any(redundant_in_operand)
        }
        RawCondition::Call(_, args) => args.iter().any(redundant_in_operand),
    }
}

fn redundant_in_operand(raw: &RawOperand) -> bool {
    match raw {
        RawOperand::Parens(inner) => {
            matches!(**inner, RawOperand::Parens(_)) || redundant_in_operand(inner)
        }
        RawOperand::Call(_, args) => args.iter().any(redundant_in_operand),
        RawOperand::Path(_) | RawOperand::Value(_) => false,
    }
}

pub(crate) fn condition_paths<'r>(raw: &'r RawCondition, out: &mut Vec<&'r RawPath>) {
    match raw {
        RawCondition::Compare(l, _, r) => {
            operand_paths(l, out);
            operand_paths(r, out);
        }
        RawCondition::Between(a, b, c) => [a, b, c].into_iter().for_each(|o| operand_paths(o, out)),
        RawCondition::In(a, list) => {
            operand_paths(a, out);
            list.iter().for_each(|o| operand_paths(o, out));
        }
        RawCondition::Call(_, args) => args.iter().for_each(|o| operand_paths(o, out)),
        RawCondition::Not(c) | RawCondition::Parens(c) => condition_paths(c, out),
        RawCondition::And(l, r) | RawCondition::Or(l, r) => {
            condition_paths(l, out);
            condition_paths(r, out);
        }
    }
}

pub(crate) fn operand_paths<'r>(raw: &'r RawOperand, out: &mut Vec<&'r RawPath>) {
    match raw {
        RawOperand::Path(p) => out.push(p),
        RawOperand::Call(_, args) => args.iter().for_each(|o| operand_paths(o, out)),
        RawOperand::Parens(o) => operand_paths(o, out),
        RawOperand::Value(_) => {}
    }
}

/// A reserved word written bare anywhere in a path; a `#placeholder` is how to use one.
pub(crate) fn check_reserved(kind: ExprKind, paths: &[&RawPath]) -> Result<(), ExprError> {
    let reserved = paths
        .iter()
        .flat_map(|p| p.0.iter())
        .find_map(|element| match element {
            RawElement::Name(name) if !name.starts_with('#') && is_reserved(name) => Some(name),
            _ => None,
        });
    match reserved {
        Some(word) => Err(ExprError::invalid(kind, Reason::ReservedWord(word.clone()))),
        None => Ok(()),
    }
}
