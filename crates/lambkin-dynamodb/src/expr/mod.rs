//! DynamoDB's expression language: condition, filter and key-condition expressions, update
//! expressions and projection expressions, checked as DynamoDB checks them and evaluated over
//! an [`Item`](crate::value::Item).
//!
//! [`Expressions`] holds one request's `ExpressionAttributeNames` and `ExpressionAttributeValues`;
//! each expression of the request is parsed through it (`grammar.rs`, then the checks of
//! `whole_checks.rs`, `resolve.rs` and `paths.rs`) into the types of `ast.rs`, and [`Expressions::finish`] then
//! refuses names or values no expression used. Evaluation is in `condition.rs`
//! ([`evaluate_condition`]), `update.rs` ([`apply_update`]), `projection.rs` ([`project`]) and
//! `key_condition.rs` ([`key_condition`], what a Query reads); `document.rs` reads and writes
//! document paths in an item.

mod ast;
mod condition;
mod document;
mod error;
mod grammar;
mod key_condition;
mod paths;
mod placeholders;
mod projection;
mod reserved;
mod resolve;
mod syntax_error;
mod update;
mod whole_checks;

#[cfg(test)]
mod tests;

pub use ast::{
    Comparator, Condition, Operand, Path, PathElement, Projection, SetAction, SetOperand, SetValue,
    Update,
};
pub use condition::evaluate_condition;
pub use error::{ExprError, ExprKind, Reason};
pub use key_condition::{KeyCondition, KeySchema, SortKeyCondition, key_condition};
pub use placeholders::{Expressions, Names, Values, values_from_json};
pub use projection::project;
pub use update::apply_update;
