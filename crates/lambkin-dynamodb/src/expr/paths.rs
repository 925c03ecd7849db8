//! Paths an update writes, or a projection reads, must be independent: DynamoDB refuses one
//! path inside another (they *overlap*: `a` and `a.b`, or the same path twice) and one place
//! reached both as a map key and as a list index (they *conflict*: `a.b` and `a[1]`).
//! Overlaps are looked for before conflicts, and each pair in the order written, which is the
//! order of DynamoDB's "path one" and "path two".

use super::ast::{Path, PathElement};
use super::error::{ExprError, ExprKind, Reason};

pub(crate) fn check_overlaps(kind: ExprKind, paths: &[&Path]) -> Result<(), ExprError> {
    for relation in [Relation::Overlap, Relation::Conflict] {
        for (i, one) in paths.iter().enumerate() {
            for two in &paths[i + 1..] {
                if relate(one, two) == Some(relation) {
                    let (one, two) = (one.to_string(), two.to_string());
                    let reason = match relation {
                        Relation::Overlap => Reason::Overlap(one, two),
                        Relation::Conflict => Reason::Conflict(one, two),
                    };
                    return Err(ExprError::invalid(kind, reason));
                }
            }
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    Overlap,
    Conflict,
}

/// How two paths stand: independent (`None`), one a prefix of the other, or parting where
/// one takes a key and the other an index.
fn relate(one: &Path, two: &Path) -> Option<Relation> {
    for (a, b) in one.0.iter().zip(&two.0) {
        match (a, b) {
            (PathElement::Attribute(x), PathElement::Attribute(y)) if x != y => return None,
            (PathElement::Index(x), PathElement::Index(y)) if x != y => return None,
            (PathElement::Attribute(_), PathElement::Index(_))
            | (PathElement::Index(_), PathElement::Attribute(_)) => {
                return Some(Relation::Conflict);
            }
            _ => {}
        }
    }
    Some(Relation::Overlap)
}
