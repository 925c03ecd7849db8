//! Why an expression is refused or cannot be applied, in DynamoDB's words. Every variant is a
//! `ValidationException` on the wire.

use std::fmt;

use crate::value::ValueError;

/// Which request member an expression came from; DynamoDB names it in its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExprKind {
    Condition,
    Filter,
    KeyCondition,
    Projection,
    Update,
}

impl fmt::Display for ExprKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExprKind::Condition => "ConditionExpression",
            ExprKind::Filter => "FilterExpression",
            ExprKind::KeyCondition => "KeyConditionExpression",
            ExprKind::Projection => "ProjectionExpression",
            ExprKind::Update => "UpdateExpression",
        })
    }
}

/// What is wrong with one expression: the text after "Invalid <member>: ".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    #[error("The expression can not be empty;")]
    Empty,
    #[error("Syntax error; token: \"{token}\", near: \"{near}\"")]
    Syntax { token: String, near: String },
    #[error("The expression has redundant parentheses;")]
    RedundantParentheses,
    #[error("Invalid function name; function: {0}")]
    InvalidFunction(String),
    #[error("The function is not allowed to be used this way in an expression; function: {0}")]
    FunctionMisused(String),
    #[error("Attribute name is a reserved keyword; reserved keyword: {0}")]
    ReservedWord(String),
    #[error("The \"{0}\" section can only be used once in an update expression;")]
    SectionTwice(&'static str),
    #[error(
        "An expression attribute name used in the document path is not defined; attribute name: {0}"
    )]
    UndefinedName(String),
    #[error(
        "An expression attribute value used in expression is not defined; attribute value: {0}"
    )]
    UndefinedValue(String),
    #[error(
        "Incorrect number of operands for operator or function; operator or function: {function}, number of operands: {count}"
    )]
    OperandCount { function: String, count: usize },
    #[error(
        "Incorrect operand type for operator or function; operator or function: {function}, operand type: {operand_type}"
    )]
    OperandType {
        function: String,
        operand_type: &'static str,
    },
    /// ADD and DELETE's own wording, with the long type names (`STRING`).
    #[error(
        "Incorrect operand type for operator or function; operator: {operator}, operand type: {operand_type}"
    )]
    ActionOperandType {
        operator: &'static str,
        operand_type: &'static str,
    },
    #[error("Operator or function requires a document path; operator or function: {0}")]
    RequiresPath(String),
    #[error(
        "The first operand must be distinct from the remaining operands for this operator or function; operator: {operator}, first operand: {operand}"
    )]
    NotDistinct { operator: String, operand: String },
    #[error(
        "Invalid attribute type name found; type: {0}, valid types: {{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}"
    )]
    InvalidTypeName(String),
    #[error(
        "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {low}, upper bound operand: AttributeValue: {high}"
    )]
    BetweenTypes { low: String, high: String },
    #[error(
        "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {low}, upper bound operand: AttributeValue: {high}"
    )]
    BetweenOrder { low: String, high: String },
    #[error(
        "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {0}, path two: {1}"
    )]
    Overlap(String, String),
    #[error(
        "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: {0}, path two: {1}"
    )]
    Conflict(String, String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExprError {
    #[error("Invalid {kind}: {reason}")]
    Invalid { kind: ExprKind, reason: Reason },
    #[error("ExpressionAttributeNames contains invalid key: Syntax error; key: \"{0}\"")]
    InvalidNameKey(String),
    #[error("ExpressionAttributeValues contains invalid key: Syntax error; key: \"{0}\"")]
    InvalidValueKey(String),
    #[error("ExpressionAttributeValues contains invalid value: {error} for key {key}")]
    InvalidValue { key: String, error: ValueError },
    #[error("Value provided in ExpressionAttributeNames unused in expressions: keys: {{{}}}", .0.join(", "))]
    UnusedNames(Vec<String>),
    #[error("Value provided in ExpressionAttributeValues unused in expressions: keys: {{{}}}", .0.join(", "))]
    UnusedValues(Vec<String>),

    // Applying an update to an item.
    #[error("An operand in the update expression has an incorrect data type")]
    IncorrectDataType,
    #[error("The provided expression refers to an attribute that does not exist in the item")]
    MissingAttribute,
    #[error("The document path provided in the update expression is invalid for update")]
    InvalidDocumentPath,
    /// A sum or difference outside DynamoDB's numbers.
    #[error("{0}")]
    Number(#[from] ValueError),

    // Reading a Query's key condition against the key schema.
    #[error("Invalid operator used in KeyConditionExpression: {0}")]
    KeyOperator(&'static str),
    #[error(
        "Invalid condition in KeyConditionExpression: {0} operator must have the key attribute as its first operand"
    )]
    KeyFirstOperand(&'static str),
    #[error("KeyConditionExpressions cannot contain nested operations")]
    KeyNestedOperation,
    #[error(
        "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
    )]
    KeyMultipleNames,
    #[error("KeyConditionExpressions cannot have conditions on nested attributes")]
    KeyNestedAttribute,
    #[error("Invalid condition in KeyConditionExpression: No key attribute specified")]
    KeyNoAttribute,
    #[error("KeyConditionExpressions must only contain one condition per key")]
    KeyConditionPerKey,
    #[error("Conditions can be of length 1 or 2 only")]
    KeyConditionCount,
    #[error("Query condition missed key schema element: {0}")]
    KeyMissed(String),
    #[error("Query key condition not supported")]
    KeyNotSupported,
}

impl ExprError {
    pub(crate) fn invalid(kind: ExprKind, reason: Reason) -> ExprError {
        ExprError::Invalid { kind, reason }
    }
}
