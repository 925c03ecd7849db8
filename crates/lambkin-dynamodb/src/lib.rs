//! DynamoDB's data and expression semantics, pure: no I/O, no store, no HTTP.
pub mod value;
