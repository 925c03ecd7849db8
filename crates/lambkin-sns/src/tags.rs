//! Topic tags: the model's length constraints (`ValidationError`, in AWS's `N validation
//! errors detected` form), duplicated keys and the 50-tag quota, with AWS's codes and messages.
//! Pure functions; the tagging operations themselves are in `topics.rs`.

use std::collections::{BTreeMap, HashSet};

use lambkin_model::validation::Violations;

use crate::SnsError;

/// AWS allows 50 tags per topic (`TagLimitExceeded` beyond).
pub const MAX_TAGS: usize = 50;

/// Checks a tag list as sent (`Tags.member.N`, in order) and returns it as a map: each key
/// 1–128 characters and each value at most 256 (the model's constraints, all violations
/// listed), then no key twice.
pub fn check_tag_list(tags: &[(String, String)]) -> Result<BTreeMap<String, String>, SnsError> {
    let mut violations = Violations::default();
    for (i, (key, value)) in tags.iter().enumerate() {
        let at = format!("tags.{}.member", i + 1);
        violations.length(key, &format!("{at}.key"), 1, 128);
        violations.length(value, &format!("{at}.value"), 0, 256);
    }
    SnsError::check(&violations)?;
    let mut seen = HashSet::new();
    if !tags.iter().all(|(k, _)| seen.insert(k)) {
        return Err(SnsError::invalid("Duplicated keys are not allowed."));
    }
    Ok(tags.iter().cloned().collect())
}

/// Checks UntagResource's `TagKeys` against the tag key constraint.
pub fn check_tag_keys(keys: &[String]) -> Result<(), SnsError> {
    let mut violations = Violations::default();
    for (i, k) in keys.iter().enumerate() {
        violations.length(k, &format!("tagKeys.{}.member", i + 1), 1, 128);
    }
    SnsError::check(&violations)
}

/// Refuses a topic that would carry more than [`MAX_TAGS`] tags.
pub fn check_tag_count(count: usize) -> Result<(), SnsError> {
    if count > MAX_TAGS {
        Err(SnsError::TagLimitExceeded)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn err(r: Result<impl std::fmt::Debug, SnsError>) -> Option<(&'static str, String)> {
        r.err().map(|e| (e.code(), e.to_string()))
    }

    #[test]
    fn tag_lists() {
        let long_key = "k".repeat(129);
        let long_value = "v".repeat(257);
        assert!(check_tag_list(&tags(&[("k", ""), (&"k".repeat(128), &"v".repeat(256))])).is_ok());
        assert_eq!(
            err(check_tag_list(&tags(&[
                ("k1", "v1"),
                ("k2", "v2"),
                ("k2", "v2")
            ]))),
            Some((
                "InvalidParameter",
                "Invalid parameter: Duplicated keys are not allowed.".into()
            ))
        );
        assert_eq!(
            err(check_tag_list(&tags(&[("ok", "v"), (&long_key, "v")]))),
            Some((
                "ValidationError",
                format!(
                    "1 validation error detected: Value '{long_key}' at 'tags.2.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"
                )
            ))
        );
        assert_eq!(
            err(check_tag_list(&tags(&[("", &long_value)]))),
            Some((
                "ValidationError",
                format!(
                    "2 validation errors detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '{long_value}' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"
                )
            ))
        );
        assert_eq!(
            err(check_tag_keys(&["a".into(), String::new()])),
            Some((
                "ValidationError",
                "1 validation error detected: Value '' at 'tagKeys.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1".into()
            ))
        );
        assert!(check_tag_count(50).is_ok());
        assert_eq!(
            err(check_tag_count(51)),
            Some((
                "TagLimitExceeded",
                "Could not complete request: tag quota of per resource exceeded".into()
            ))
        );
    }
}
