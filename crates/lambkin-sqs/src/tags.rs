//! Queue tags: TagQueue, UntagQueue and ListQueueTags, and the checks CreateQueue's `tags` get
//! too. The SQS model puts no constraint on a tag (`TagKey` and `TagValue` are plain strings),
//! so every check here is the service's own, from the developer guide's queue quotas
//! (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html>):
//! a key of 1 to 128 characters that does not start with `aws:`, a value of at most 256, at most
//! 50 tags on a queue. The refusals are `InvalidParameterValue` (or `MissingParameter` for a
//! TagQueue without tags), worded as moto words them; docs/api-compat.md says which wordings
//! are AWS's and which lambkin's. Characters are not checked (the guide lists the allowed ones,
//! but no source shows SQS refusing others).

use std::collections::BTreeMap;

use crate::{QueueName, Sqs, SqsError};

/// More tags than this on one queue is refused. (The guide says adding more than 50 "isn't
/// recommended"; SQS refuses the 51st, as moto and other emulators reproduce it.)
pub const MAX_TAGS: usize = 50;
const MAX_KEY_CHARS: usize = 128;
const MAX_VALUE_CHARS: usize = 256;
/// Tag keys with this prefix are AWS's own.
const RESERVED_PREFIX: &str = "aws:";

/// Checks one tag key: 1 to 128 characters, not in AWS's reserved namespace.
fn check_key(key: &str) -> Result<(), SqsError> {
    let chars = key.chars().count();
    if chars == 0 || chars > MAX_KEY_CHARS {
        return Err(SqsError::invalid(
            "Tag keys must be between 1 and 128 characters in length.",
        ));
    }
    if key
        .get(..RESERVED_PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(RESERVED_PREFIX))
    {
        return Err(SqsError::invalid(format!(
            "Tag key {key} is invalid: keys starting with aws: are reserved for use by AWS."
        )));
    }
    Ok(())
}

/// Checks tags as given (TagQueue's `Tags`, CreateQueue's `tags`): each key and value, and at
/// most [`MAX_TAGS`] of them.
pub(crate) fn check_tags(q: &QueueName, tags: &BTreeMap<String, String>) -> Result<(), SqsError> {
    for (key, value) in tags {
        check_key(key)?;
        if value.chars().count() > MAX_VALUE_CHARS {
            return Err(SqsError::invalid(
                "Tag values must be between 0 and 256 characters in length.",
            ));
        }
    }
    check_count(q, tags.len())
}

/// Refuses a queue that would carry more than [`MAX_TAGS`] tags.
fn check_count(q: &QueueName, count: usize) -> Result<(), SqsError> {
    if count > MAX_TAGS {
        return Err(SqsError::invalid(format!(
            "Too many tags added for queue {q}."
        )));
    }
    Ok(())
}

impl Sqs {
    /// TagQueue: adds the tags, overwriting the values of keys the queue has; the queue may
    /// carry at most [`MAX_TAGS`] afterwards.
    pub async fn tag_queue(
        &self,
        q: &QueueName,
        tags: BTreeMap<String, String>,
    ) -> Result<(), SqsError> {
        if tags.is_empty() {
            return Err(SqsError::MissingParameter("Tags"));
        }
        check_tags(q, &tags)?;
        let (record, _) = self.load(q).await?;
        let after = record
            .tags
            .keys()
            .chain(tags.keys())
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        check_count(q, after)?;
        if !self.inner.store.sqs_tag_queue(q.as_str(), tags).await? {
            return Err(SqsError::QueueDoesNotExist);
        }
        Ok(())
    }

    /// UntagQueue: removes the tags with these keys; keys the queue does not have are ignored,
    /// as on AWS (LocalStack's `test_untag_queue_ignores_non_existing_tag`, validated against
    /// AWS). An empty `TagKeys` is refused with the key-length message, as moto refuses it.
    pub async fn untag_queue(&self, q: &QueueName, keys: Vec<String>) -> Result<(), SqsError> {
        if keys.is_empty() {
            return Err(SqsError::invalid(
                "Tag keys must be between 1 and 128 characters in length.",
            ));
        }
        // The guide's "you can't delete tag keys ... with this prefix": the key checks apply.
        for key in &keys {
            check_key(key)?;
        }
        if !self.inner.store.sqs_untag_queue(q.as_str(), keys).await? {
            return Err(SqsError::QueueDoesNotExist);
        }
        Ok(())
    }

    /// ListQueueTags: the queue's tags (empty when it has none).
    pub async fn list_queue_tags(
        &self,
        q: &QueueName,
    ) -> Result<BTreeMap<String, String>, SqsError> {
        Ok(self.load(q).await?.0.tags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn tag_checks() {
        let q = QueueName::parse("orders").expect("name");
        let long_key = "k".repeat(129);
        let long_value = "v".repeat(257);
        let many: BTreeMap<String, String> =
            (0..51).map(|i| (format!("k{i}"), String::new())).collect();
        let fifty: BTreeMap<String, String> = many.clone().into_iter().take(50).collect();
        let cases: Vec<(BTreeMap<String, String>, Option<&str>)> = vec![
            (tags(&[("team", "a"), ("env", "")]), None),
            (tags(&[(&"k".repeat(128), &"v".repeat(256))]), None),
            // Multi-byte characters count as one each.
            (tags(&[(&"é".repeat(128), &"ü".repeat(256))]), None),
            (tags(&[("AWSome", "x"), ("awsx:y", "aws:z")]), None),
            (fifty, None),
            (
                tags(&[("", "v")]),
                Some("Tag keys must be between 1 and 128 characters in length."),
            ),
            (
                tags(&[(&long_key, "v")]),
                Some("Tag keys must be between 1 and 128 characters in length."),
            ),
            (
                tags(&[("k", &long_value)]),
                Some("Tag values must be between 0 and 256 characters in length."),
            ),
            (
                tags(&[("aws:cost", "v")]),
                Some(
                    "Tag key aws:cost is invalid: keys starting with aws: are reserved for use \
                     by AWS.",
                ),
            ),
            (
                tags(&[("AWS:cost", "v")]),
                Some(
                    "Tag key AWS:cost is invalid: keys starting with aws: are reserved for use \
                     by AWS.",
                ),
            ),
            (many, Some("Too many tags added for queue orders.")),
        ];
        for (given, want) in cases {
            let got = check_tags(&q, &given).err().map(|e| match e {
                SqsError::InvalidParameterValue(m) => m,
                other => panic!("unexpected {other:?}"),
            });
            assert_eq!(got.as_deref(), want, "{given:?}");
        }
    }
}
