//! How a service's `operation.rs` names its operations: a table of every operation in the
//! service's botocore model, each with what lambkin runs for it, looked up by the name the
//! request carries (`X-Amz-Target`'s suffix or the form's `Action`).

/// What an operation name is to a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup<Op> {
    Serve(Op),
    /// In the service's model but not implemented (docs/api-compat.md).
    NotImplemented,
    /// Not an operation of the service.
    Unknown,
}

/// `name` in `model` (case-sensitive, as AWS matches it).
pub(crate) fn lookup<Op: Copy>(model: &[(&str, Option<Op>)], name: &str) -> Lookup<Op> {
    match model.iter().find(|(n, _)| *n == name) {
        Some((_, Some(op))) => Lookup::Serve(*op),
        Some((_, None)) => Lookup::NotImplemented,
        None => Lookup::Unknown,
    }
}
