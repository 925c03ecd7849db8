//! The checks every `*Batch` operation makes on the request as a whole before it looks at any
//! entry: 1–10 entries, distinct ids, ids of at most 80 letters, digits, `-` and `_`.

use std::collections::HashSet;

use crate::SqsError;

/// One entry of a batch request: the caller's id and the entry's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchEntry<T> {
    pub id: String,
    pub entry: T,
}

pub(crate) const MAX_ENTRIES: usize = 10;

/// `entry_shape` names the entry type in AWS's empty-batch message.
pub(crate) fn check<T>(
    entries: &[BatchEntry<T>],
    entry_shape: &'static str,
) -> Result<(), SqsError> {
    if entries.is_empty() {
        return Err(SqsError::EmptyBatchRequest(entry_shape));
    }
    if entries.len() > MAX_ENTRIES {
        return Err(SqsError::TooManyEntriesInBatchRequest(entries.len()));
    }
    let mut seen = HashSet::new();
    for e in entries {
        let valid = (1..=80).contains(&e.id.len())
            && e.id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(SqsError::InvalidBatchEntryId);
        }
        if !seen.insert(e.id.as_str()) {
            return Err(SqsError::BatchEntryIdsNotDistinct(e.id.clone()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(ids: &[&str]) -> Vec<BatchEntry<()>> {
        ids.iter()
            .map(|id| BatchEntry {
                id: id.to_string(),
                entry: (),
            })
            .collect()
    }

    #[test]
    fn batch_checks() {
        let long = "a".repeat(81);
        let eleven: Vec<String> = (0..11).map(|i| i.to_string()).collect();
        let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (vec!["a", "b-1", "c_2"], "ok"),
            (vec![], "EmptyBatchRequest"),
            (eleven, "TooManyEntriesInBatchRequest"),
            (vec!["a", "a"], "BatchEntryIdsNotDistinct"),
            (vec!["a.b"], "InvalidBatchEntryId"),
            (vec![""], "InvalidBatchEntryId"),
            (vec![long.as_str()], "InvalidBatchEntryId"),
        ];
        for (ids, want) in cases {
            let got = match check(&entries(&ids), "Entry") {
                Ok(()) => "ok",
                Err(SqsError::EmptyBatchRequest(_)) => "EmptyBatchRequest",
                Err(SqsError::TooManyEntriesInBatchRequest(_)) => "TooManyEntriesInBatchRequest",
                Err(SqsError::BatchEntryIdsNotDistinct(_)) => "BatchEntryIdsNotDistinct",
                Err(SqsError::InvalidBatchEntryId) => "InvalidBatchEntryId",
                Err(_) => "other",
            };
            assert_eq!(got, want, "{ids:?}");
        }
    }
}
