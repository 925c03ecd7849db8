//! Conditional requests (`If-Match`, `If-None-Match`, `If-Modified-Since`,
//! `If-Unmodified-Since`) against an object, as S3 evaluates them for GET and HEAD, following
//! RFC 9110: a failed `If-Match` (or, without one, a failed `If-Unmodified-Since`) is `412`; a
//! matching `If-None-Match` (or, without one, an unmodified `If-Modified-Since`) is `304`.
//! Dates have whole seconds on the wire, so the object's time is compared in seconds.

use lambkin_store::ObjectRecord;

use crate::S3Error;

/// An entity-tag list as sent: `*`, or the tags (quotes optional).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagCondition {
    Any,
    Tags(Vec<String>),
}

impl TagCondition {
    fn matches(&self, etag: &str) -> bool {
        match self {
            TagCondition::Any => true,
            TagCondition::Tags(tags) => tags
                .iter()
                .any(|t| t.trim_start_matches("W/").trim_matches('"') == etag),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditions {
    pub if_match: Option<TagCondition>,
    pub if_none_match: Option<TagCondition>,
    /// Seconds since the epoch.
    pub if_modified_since: Option<i64>,
    pub if_unmodified_since: Option<i64>,
}

impl Conditions {
    /// The `x-amz-copy-source-if-*` conditions of a copy: as [`Conditions::check`], except
    /// that every failure is `PreconditionFailed` (a copy has no 304).
    pub fn check_source(&self, object: &ObjectRecord) -> Result<(), S3Error> {
        self.check(object).map_err(|e| match e {
            S3Error::NotModified => S3Error::PreconditionFailed,
            e => e,
        })
    }

    /// Whether `object` may be served: `PreconditionFailed` or `NotModified` if not.
    pub fn check(&self, object: &ObjectRecord) -> Result<(), S3Error> {
        let modified = object.last_modified.0.div_euclid(1000);
        match &self.if_match {
            Some(tags) if !tags.matches(&object.etag) => return Err(S3Error::PreconditionFailed),
            Some(_) => {}
            None => {
                if self
                    .if_unmodified_since
                    .is_some_and(|since| modified > since)
                {
                    return Err(S3Error::PreconditionFailed);
                }
            }
        }
        match &self.if_none_match {
            Some(tags) if tags.matches(&object.etag) => Err(S3Error::NotModified),
            Some(_) => Ok(()),
            None if self
                .if_modified_since
                .is_some_and(|since| modified <= since) =>
            {
                Err(S3Error::NotModified)
            }
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use lambkin_model::Timestamp;

    use super::*;

    fn object() -> ObjectRecord {
        ObjectRecord {
            bucket: "b".into(),
            key: "k".into(),
            body: "x".into(),
            size: 1,
            etag: "abc".into(),
            content_type: None,
            headers: BTreeMap::new(),
            metadata: BTreeMap::new(),
            // 1000.5 s: modified at second 1000.
            last_modified: Timestamp(1_000_500),
            checksum: None,
        }
    }

    fn tags(list: &[&str]) -> Option<TagCondition> {
        Some(TagCondition::Tags(
            list.iter().map(|t| t.to_string()).collect(),
        ))
    }

    #[test]
    fn rfc_9110_as_s3_applies_it() {
        let ok = "ok";
        let failed = "412";
        let not_modified = "304";
        let cases = [
            (Conditions::default(), ok),
            (
                Conditions {
                    if_match: tags(&["\"abc\""]),
                    ..Default::default()
                },
                ok,
            ),
            (
                Conditions {
                    if_match: tags(&["xyz", "abc"]),
                    ..Default::default()
                },
                ok,
            ),
            (
                Conditions {
                    if_match: Some(TagCondition::Any),
                    ..Default::default()
                },
                ok,
            ),
            (
                Conditions {
                    if_match: tags(&["\"xyz\""]),
                    ..Default::default()
                },
                failed,
            ),
            (
                Conditions {
                    if_unmodified_since: Some(999),
                    ..Default::default()
                },
                failed,
            ),
            (
                Conditions {
                    if_unmodified_since: Some(1000),
                    ..Default::default()
                },
                ok,
            ),
            // If-Match decides over If-Unmodified-Since.
            (
                Conditions {
                    if_match: tags(&["abc"]),
                    if_unmodified_since: Some(1),
                    ..Default::default()
                },
                ok,
            ),
            (
                Conditions {
                    if_none_match: tags(&["\"abc\""]),
                    ..Default::default()
                },
                not_modified,
            ),
            (
                Conditions {
                    if_none_match: Some(TagCondition::Any),
                    ..Default::default()
                },
                not_modified,
            ),
            (
                Conditions {
                    if_none_match: tags(&["W/\"abc\""]),
                    ..Default::default()
                },
                not_modified,
            ),
            (
                Conditions {
                    if_none_match: tags(&["xyz"]),
                    ..Default::default()
                },
                ok,
            ),
            (
                Conditions {
                    if_modified_since: Some(1000),
                    ..Default::default()
                },
                not_modified,
            ),
            (
                Conditions {
                    if_modified_since: Some(999),
                    ..Default::default()
                },
                ok,
            ),
            // If-None-Match decides over If-Modified-Since.
            (
                Conditions {
                    if_none_match: tags(&["xyz"]),
                    if_modified_since: Some(5000),
                    ..Default::default()
                },
                ok,
            ),
            // A failed If-Match is 412 even when If-None-Match would say 304.
            (
                Conditions {
                    if_match: tags(&["xyz"]),
                    if_none_match: tags(&["abc"]),
                    ..Default::default()
                },
                failed,
            ),
        ];
        for (conditions, want) in cases {
            let got = match conditions.check(&object()) {
                Ok(()) => ok,
                Err(S3Error::PreconditionFailed) => failed,
                Err(S3Error::NotModified) => not_modified,
                Err(e) => panic!("{e}"),
            };
            assert_eq!(got, want, "{conditions:?}");
        }
    }
}
