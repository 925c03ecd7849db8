//! The id of one invocation: the `x-amzn-RequestId` of the 202 and the `awsRequestId` the
//! function sees on every attempt of that event.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(String);

impl RequestId {
    /// A new id. Time-ordered (UUIDv7): ids still look like AWS's UUIDs, and the store's index
    /// on them grows at its end instead of dirtying a random page per insert.
    pub fn random() -> Self {
        RequestId(uuid::Uuid::now_v7().to_string())
    }

    /// Accepts any UUID; request ids reaching the store and the Runtime API are always UUIDs.
    pub fn parse(s: &str) -> Option<Self> {
        uuid::Uuid::parse_str(s)
            .ok()
            .map(|u| RequestId(u.hyphenated().to_string()))
    }

    /// For values read back from storage, which wrote them from a `RequestId`.
    pub fn from_stored(s: String) -> Self {
        RequestId(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_uuids() {
        let id = RequestId::random();
        assert_eq!(RequestId::parse(id.as_str()), Some(id));
        assert_eq!(RequestId::parse("nope"), None);
        assert_eq!(
            RequestId::parse("C2A6F2AE-0000-4000-8000-000000000000").map(|r| r.to_string()),
            Some("c2a6f2ae-0000-4000-8000-000000000000".to_string())
        );
    }
}
