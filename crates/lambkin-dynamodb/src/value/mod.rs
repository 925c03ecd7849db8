//! DynamoDB's attribute values: the ten types, their checks with DynamoDB's messages, their JSON
//! wire form (`wire.rs`), their order for comparisons, and what they weigh in an item
//! (`size.rs`). Numbers are exact decimals (`number.rs`).

mod number;
mod size;
mod wire;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

pub use number::{MAX_DIGITS, Number};
pub use size::{MAX_ITEM_SIZE, check_item_size, item_size, value_size};

/// An item: attribute names to values. Ordered, so an item prints and compares the same way
/// every time.
pub type Item = BTreeMap<String, AttributeValue>;

/// One DynamoDB value. Sets are sets (no duplicates, no order: DynamoDB keeps none), never
/// empty once checked; numbers are normalized, so `{"N":"1.0"}` equals `{"N":"1"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeValue {
    S(String),
    N(Number),
    B(Vec<u8>),
    Bool(bool),
    Null,
    L(Vec<AttributeValue>),
    M(BTreeMap<String, AttributeValue>),
    Ss(BTreeSet<String>),
    Ns(BTreeSet<Number>),
    Bs(BTreeSet<Vec<u8>>),
}

/// The type of a value, with DynamoDB's two spellings of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AttributeType {
    S,
    N,
    B,
    Bool,
    Null,
    L,
    M,
    Ss,
    Ns,
    Bs,
}

impl AttributeType {
    pub const ALL: [AttributeType; 10] = [
        AttributeType::S,
        AttributeType::N,
        AttributeType::B,
        AttributeType::Bool,
        AttributeType::Null,
        AttributeType::L,
        AttributeType::M,
        AttributeType::Ss,
        AttributeType::Ns,
        AttributeType::Bs,
    ];

    /// The wire member and `attribute_type` name: `S`, `BOOL`, `SS`, …
    pub fn code(self) -> &'static str {
        match self {
            AttributeType::S => "S",
            AttributeType::N => "N",
            AttributeType::B => "B",
            AttributeType::Bool => "BOOL",
            AttributeType::Null => "NULL",
            AttributeType::L => "L",
            AttributeType::M => "M",
            AttributeType::Ss => "SS",
            AttributeType::Ns => "NS",
            AttributeType::Bs => "BS",
        }
    }

    pub fn from_code(code: &str) -> Option<AttributeType> {
        AttributeType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The spelling of update-expression messages ("operator: ADD, operand type: STRING").
    pub fn long_name(self) -> &'static str {
        match self {
            AttributeType::S => "STRING",
            AttributeType::N => "NUMBER",
            AttributeType::B => "BINARY",
            AttributeType::Bool => "BOOLEAN",
            AttributeType::Null => "NULL",
            AttributeType::L => "LIST",
            AttributeType::M => "MAP",
            AttributeType::Ss => "STRING_SET",
            AttributeType::Ns => "NUMBER_SET",
            AttributeType::Bs => "BINARY_SET",
        }
    }

    pub fn is_set(self) -> bool {
        matches!(
            self,
            AttributeType::Ss | AttributeType::Ns | AttributeType::Bs
        )
    }
}

impl fmt::Display for AttributeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl AttributeValue {
    pub fn attribute_type(&self) -> AttributeType {
        match self {
            AttributeValue::S(_) => AttributeType::S,
            AttributeValue::N(_) => AttributeType::N,
            AttributeValue::B(_) => AttributeType::B,
            AttributeValue::Bool(_) => AttributeType::Bool,
            AttributeValue::Null => AttributeType::Null,
            AttributeValue::L(_) => AttributeType::L,
            AttributeValue::M(_) => AttributeType::M,
            AttributeValue::Ss(_) => AttributeType::Ss,
            AttributeValue::Ns(_) => AttributeType::Ns,
            AttributeValue::Bs(_) => AttributeType::Bs,
        }
    }

    /// The order of `<`, `<=`, `>`, `>=` and `BETWEEN`: only between two strings (by UTF-8
    /// bytes), two numbers, or two binaries (unsigned bytes); any other pair has none, and a
    /// comparison between them is false.
    pub fn compare(&self, other: &AttributeValue) -> Option<Ordering> {
        match (self, other) {
            (AttributeValue::S(a), AttributeValue::S(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
            (AttributeValue::N(a), AttributeValue::N(b)) => Some(a.cmp(b)),
            (AttributeValue::B(a), AttributeValue::B(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// Why a value is refused, in DynamoDB's words. Messages that DynamoDB prefixes with "One or
/// more parameter values were invalid: " carry it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
    )]
    Empty,
    #[error(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
    )]
    MoreThanOneType,
    #[error("The parameter cannot be converted to a numeric value{}", .0.as_ref().map(|t| format!(": {t}")).unwrap_or_default())]
    NotNumeric(Option<String>),
    #[error(
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    )]
    NumberOverflow,
    #[error(
        "Number underflow. Attempting to store a number with magnitude smaller than supported range"
    )]
    NumberUnderflow,
    #[error("Attempting to store more than 38 significant digits in a Number")]
    NumberPrecision,
    #[error(
        "One or more parameter values were invalid: Null attribute value types must have the value of true"
    )]
    NullNotTrue,
    // "An string set  may not be empty": DynamoDB's text, double space included.
    #[error("One or more parameter values were invalid: An string set  may not be empty")]
    EmptyStringSet,
    #[error("One or more parameter values were invalid: An number set  may not be empty")]
    EmptyNumberSet,
    #[error("One or more parameter values were invalid: Binary sets should not be empty")]
    EmptyBinarySet,
    #[error(
        "One or more parameter values were invalid: Input collection [{}] contains duplicates.", .0.join(", ")
    )]
    DuplicateStrings(Vec<String>),
    #[error("Input collection contains duplicates")]
    DuplicateNumbers,
    /// The set as sent, base64 as on the wire; DynamoDB writes no space before "of".
    #[error(
        "One or more parameter values were invalid: Input collection [{}]of type BS contains duplicates.", .0.join(", ")
    )]
    DuplicateBinaries(Vec<String>),
    #[error("Item size has exceeded the maximum allowed size")]
    ItemTooLarge,
    #[error("Item size to update has exceeded the maximum allowed size")]
    UpdatedItemTooLarge,
    /// JSON that is not an attribute value at all (a number where a string belongs, bad
    /// base64): DynamoDB answers these with a `SerializationException`, not a validation error.
    #[error("{0}")]
    Malformed(String),
}

impl ValueError {
    /// Whether DynamoDB answers this with `SerializationException` rather than
    /// `ValidationException`.
    pub fn is_serialization(&self) -> bool {
        matches!(self, ValueError::Malformed(_))
    }
}

#[cfg(test)]
mod tests;
