//! A function alias: a name pointing at a version, optionally sending a share of its
//! invocations to a second version (`RoutingConfig.AdditionalVersionWeights`, as canary
//! deploys use it). [`Alias::route`] is the pure rule that picks the version of one invocation.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Qualifier;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alias {
    pub name: String,
    /// `$LATEST` or a published version number.
    pub function_version: String,
    pub description: String,
    /// The second version and the share of invocations it gets (0.0–1.0); at most one entry,
    /// and only when `function_version` is a published version (AWS's rules).
    pub additional_weights: BTreeMap<String, f64>,
    /// Changes on every update, for UpdateAlias's `RevisionId` precondition.
    pub revision_id: String,
}

impl Alias {
    /// The version one invocation runs, given `roll`, a number drawn uniformly from [0, 1):
    /// the additional version when `roll` falls below its weight, else the primary one.
    pub fn route(&self, roll: f64) -> &str {
        let mut below = 0.0;
        for (version, weight) in &self.additional_weights {
            below += weight;
            if roll < below {
                return version;
            }
        }
        &self.function_version
    }

    /// Whether the alias ever routes to `version`.
    pub fn uses(&self, version: &str) -> bool {
        self.function_version == version || self.additional_weights.contains_key(version)
    }
}

/// An alias name as AWS allows it: `[a-zA-Z0-9-_]{1,128}`, and not all digits (those are
/// version numbers).
pub fn is_alias_name(s: &str) -> bool {
    Qualifier::parse(s).is_ok() && s != Qualifier::LATEST && !is_version_number(s)
}

/// A published version's number as written in a qualifier: digits only.
pub fn is_version_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alias(primary: &str, extra: &[(&str, f64)]) -> Alias {
        Alias {
            name: "live".into(),
            function_version: primary.into(),
            description: String::new(),
            additional_weights: extra.iter().map(|(v, w)| (v.to_string(), *w)).collect(),
            revision_id: String::new(),
        }
    }

    /// (primary, additional weights, roll, version that runs)
    type Case = (
        &'static str,
        &'static [(&'static str, f64)],
        f64,
        &'static str,
    );

    #[test]
    fn routing_from_a_table() {
        let cases: &[Case] = &[
            ("1", &[], 0.0, "1"),
            ("1", &[], 0.999, "1"),
            ("$LATEST", &[], 0.5, "$LATEST"),
            // 90/10: the additional version takes rolls below its weight.
            ("1", &[("2", 0.1)], 0.0, "2"),
            ("1", &[("2", 0.1)], 0.0999, "2"),
            ("1", &[("2", 0.1)], 0.1, "1"),
            ("1", &[("2", 0.1)], 0.95, "1"),
            // Weight 0 never routes there; weight 1 always does.
            ("1", &[("2", 0.0)], 0.0, "1"),
            ("1", &[("2", 1.0)], 0.999, "2"),
        ];
        for (primary, extra, roll, want) in cases {
            assert_eq!(
                alias(primary, extra).route(*roll),
                *want,
                "{primary} {extra:?} roll {roll}"
            );
        }
    }

    #[test]
    fn names() {
        for (s, alias_ok, version_ok) in [
            ("live", true, false),
            ("v1", true, false),
            ("1", false, true),
            ("0042", false, true),
            ("$LATEST", false, false),
            ("", false, false),
            ("a b", false, false),
        ] {
            assert_eq!(is_alias_name(s), alias_ok, "{s:?}");
            assert_eq!(is_version_number(s), version_ok, "{s:?}");
        }
        assert!(is_alias_name(&"a".repeat(128)));
        assert!(!is_alias_name(&"a".repeat(129)));
    }
}
