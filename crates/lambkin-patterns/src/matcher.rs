//! One matcher of a pattern's leaf array, and how it matches the leaf values found at its
//! field (none, one, or the elements of an array).

use std::net::IpAddr;

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// A literal: a string, a number (compared as a number), `true`/`false`, or `null`.
    Exact(Value),
    Prefix {
        value: String,
        ignore_case: bool,
    },
    Suffix {
        value: String,
        ignore_case: bool,
    },
    EqualsIgnoreCase(String),
    Wildcard(Wildcard),
    /// `{"numeric": [...]}`: bounds, each `(value, inclusive)`.
    Numeric {
        lower: Option<(f64, bool)>,
        upper: Option<(f64, bool)>,
    },
    Exists(bool),
    Cidr {
        network: IpAddr,
        bits: u8,
    },
    AnythingBut(AnythingBut),
}

/// What `anything-but` excludes.
#[derive(Debug, Clone, PartialEq)]
pub enum AnythingBut {
    /// Strings or numbers.
    Values(Vec<Value>),
    IgnoreCase(Vec<String>),
    Prefix(String),
    Suffix(String),
    Wildcard(Wildcard),
}

/// A `wildcard` value split at its unescaped `*`s: the text between them, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Wildcard {
    pub(crate) segments: Vec<String>,
}

impl Wildcard {
    fn matches(&self, s: &str) -> bool {
        let (first, rest) = match self.segments.split_first() {
            Some(split) => split,
            None => return s.is_empty(),
        };
        let Some(mut tail) = s.strip_prefix(first.as_str()) else {
            return false;
        };
        let Some((last, middle)) = rest.split_last() else {
            // No `*` at all: the whole string.
            return tail.is_empty();
        };
        for segment in middle {
            match tail.find(segment.as_str()) {
                Some(at) => tail = &tail[at + segment.len()..],
                None => return false,
            }
        }
        tail.ends_with(last.as_str())
    }
}

fn numbers_equal(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Equal as literals: numbers by value (`5` and `5.0`), everything else exactly.
fn literal_equal(pattern: &Value, value: &Value) -> bool {
    if pattern.is_number() {
        value.is_number() && numbers_equal(pattern, value)
    } else {
        pattern == value
    }
}

fn in_network(ip: IpAddr, network: IpAddr, bits: u8) -> bool {
    fn prefix(a: &[u8], b: &[u8], bits: u8) -> bool {
        let (whole, rest) = (usize::from(bits / 8), bits % 8);
        if a[..whole] != b[..whole] {
            return false;
        }
        rest == 0 || {
            let mask = 0xFFu8 << (8 - rest);
            a[whole] & mask == b[whole] & mask
        }
    }
    match (ip, network) {
        (IpAddr::V4(a), IpAddr::V4(b)) => prefix(&a.octets(), &b.octets(), bits),
        (IpAddr::V6(a), IpAddr::V6(b)) => prefix(&a.octets(), &b.octets(), bits),
        _ => false,
    }
}

impl Matcher {
    /// Whether one leaf value matches (`exists` is decided by the caller, on all of them).
    pub(crate) fn matches_value(&self, v: &Value) -> bool {
        match self {
            Matcher::Exact(p) => literal_equal(p, v),
            Matcher::Prefix { value, ignore_case } => v.as_str().is_some_and(|s| {
                if *ignore_case {
                    s.len() >= value.len()
                        && s.is_char_boundary(value.len())
                        && s[..value.len()].to_lowercase() == value.to_lowercase()
                } else {
                    s.starts_with(value.as_str())
                }
            }),
            Matcher::Suffix { value, ignore_case } => v.as_str().is_some_and(|s| {
                if *ignore_case {
                    let at = s.len().wrapping_sub(value.len());
                    s.len() >= value.len()
                        && s.is_char_boundary(at)
                        && s[at..].to_lowercase() == value.to_lowercase()
                } else {
                    s.ends_with(value.as_str())
                }
            }),
            Matcher::EqualsIgnoreCase(p) => v
                .as_str()
                .is_some_and(|s| s.to_lowercase() == p.to_lowercase()),
            Matcher::Wildcard(w) => v.as_str().is_some_and(|s| w.matches(s)),
            Matcher::Numeric { lower, upper } => v.as_f64().is_some_and(|n| {
                lower.is_none_or(|(b, inclusive)| if inclusive { n >= b } else { n > b })
                    && upper.is_none_or(|(b, inclusive)| if inclusive { n <= b } else { n < b })
            }),
            Matcher::Exists(_) => true,
            Matcher::Cidr { network, bits } => v
                .as_str()
                .and_then(|s| s.parse::<IpAddr>().ok())
                .is_some_and(|ip| in_network(ip, *network, *bits)),
            Matcher::AnythingBut(but) => {
                // Only strings and numbers are matched by anything-but.
                if !(v.is_string() || v.is_number()) {
                    return false;
                }
                match but {
                    AnythingBut::Values(values) => !values.iter().any(|p| literal_equal(p, v)),
                    AnythingBut::IgnoreCase(values) => v.as_str().is_some_and(|s| {
                        let s = s.to_lowercase();
                        !values.iter().any(|p| p.to_lowercase() == s)
                    }),
                    AnythingBut::Prefix(p) => {
                        v.as_str().is_some_and(|s| !s.starts_with(p.as_str()))
                    }
                    AnythingBut::Suffix(p) => v.as_str().is_some_and(|s| !s.ends_with(p.as_str())),
                    AnythingBut::Wildcard(w) => v.as_str().is_some_and(|s| !w.matches(s)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wildcard(segments: &[&str]) -> Wildcard {
        Wildcard {
            segments: segments.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn wildcards_match_as_globs_of_star_only() {
        // "a*b" → ["a", "b"]; "*x*" → ["", "x", ""]; "abc" → ["abc"].
        let cases = [
            (&["a", "b"][..], "ab", true),
            (&["a", "b"], "a-long-b", true),
            (&["a", "b"], "a-long-c", false),
            (&["", "x", ""], "boxes", true),
            (&["", "x", ""], "boes", false),
            (&["abc"], "abc", true),
            (&["abc"], "abcd", false),
            (&["", ".png"], "dir/file.png", true),
            (&["a", "a"], "a", false),
            (&["a", "a"], "aa", true),
            (&["", "b", "c", ""], "xbyc", true),
            (&["", "b", "c", ""], "xcyb", false),
        ];
        for (segments, s, want) in cases {
            assert_eq!(wildcard(segments).matches(s), want, "{segments:?} {s:?}");
        }
    }

    #[test]
    fn cidr_prefixes() {
        let net = |s: &str, bits| Matcher::Cidr {
            network: s.parse().expect("ip"),
            bits,
        };
        let ip = |s: &str| Value::from(s);
        assert!(net("10.0.0.0", 24).matches_value(&ip("10.0.0.255")));
        assert!(!net("10.0.0.0", 24).matches_value(&ip("10.0.1.0")));
        assert!(net("10.0.0.0", 20).matches_value(&ip("10.0.15.1")));
        assert!(!net("10.0.0.0", 20).matches_value(&ip("10.0.16.1")));
        assert!(net("2001:db8::", 32).matches_value(&ip("2001:db8:1::1")));
        assert!(!net("2001:db8::", 32).matches_value(&ip("10.0.0.1")));
        assert!(!net("10.0.0.0", 8).matches_value(&ip("not an ip")));
    }
}
