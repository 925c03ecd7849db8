//! The checked expressions: what a condition, update or projection says, with
//! `ExpressionAttributeNames` already substituted into paths and values still named by their
//! `:placeholder` (they are data, looked up when the expression is evaluated).

use std::fmt;

/// A document path: a top-level attribute, then map keys and list indexes (`a.b[2].c`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path(pub Vec<PathElement>);

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathElement {
    Attribute(String),
    Index(usize),
}

impl Path {
    /// The top-level attribute the path starts from.
    pub fn head(&self) -> &str {
        match self.0.first() {
            Some(PathElement::Attribute(name)) => name,
            // The grammar starts every path with a name.
            _ => "",
        }
    }

    pub fn is_top_level(&self) -> bool {
        self.0.len() == 1
    }
}

/// DynamoDB's rendering of a path in its messages: `[a, b, [1]]`.
impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, element) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match element {
                PathElement::Attribute(name) => f.write_str(name)?,
                PathElement::Index(index) => write!(f, "[{index}]")?,
            }
        }
        f.write_str("]")
    }
}

/// What a comparison or function argument reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    Path(Path),
    /// An `ExpressionAttributeValues` placeholder, `:name`.
    Value(String),
    /// `size(operand)`: a Number.
    Size(Box<Operand>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Comparator {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "<>",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }
}

/// A condition, filter or key-condition expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Compare(Operand, Comparator, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    AttributeExists(Path),
    AttributeNotExists(Path),
    AttributeType(Path, Operand),
    BeginsWith(Operand, Operand),
    Contains(Operand, Operand),
    Not(Box<Condition>),
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
}

/// An update expression: each clause's actions, in the order written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Update {
    pub set: Vec<SetAction>,
    pub remove: Vec<Path>,
    /// `ADD path :value`
    pub add: Vec<(Path, String)>,
    /// `DELETE path :value`
    pub delete: Vec<(Path, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAction {
    pub path: Path,
    pub value: SetValue,
}

/// The right-hand side of `SET path = …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetValue {
    Operand(SetOperand),
    Plus(SetOperand, SetOperand),
    Minus(SetOperand, SetOperand),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetOperand {
    Path(Path),
    Value(String),
    /// `if_not_exists(path, operand)`: the path's value, or the operand when it has none.
    IfNotExists(Path, Box<SetOperand>),
    /// `list_append(a, b)`: the elements of `a`, then those of `b`.
    ListAppend(Box<SetOperand>, Box<SetOperand>),
}

/// A projection expression: the paths to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection(pub Vec<Path>);
