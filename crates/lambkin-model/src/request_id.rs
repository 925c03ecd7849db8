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

    /// The X-Ray trace header a function sees (`_X_AMZN_TRACE_ID`):
    /// `Root=1-<8 hex epoch s>-<24 hex>;Parent=<16 hex>;Sampled=0`, derived from the id and the
    /// time the invocation was accepted, so every attempt of an event carries the same trace.
    pub fn trace_id(&self, accepted_ms: i64) -> String {
        let hex: String = self.0.chars().filter(char::is_ascii_hexdigit).collect();
        let (a, b) = hex.split_at(hex.len().min(24));
        format!(
            "Root=1-{:08x}-{a};Parent={:0>16};Sampled=0",
            accepted_ms / 1000,
            &b[..b.len().min(16)]
        )
    }

    /// When lambkin issued it: a UUIDv7 carries its creation time (ms). `None` for other UUIDs.
    pub fn issued_at(&self) -> Option<crate::Timestamp> {
        let uuid = uuid::Uuid::parse_str(&self.0).ok()?;
        let (secs, nanos) = uuid.get_timestamp()?.to_unix();
        let ms = i64::try_from(secs).ok()? * 1000 + i64::from(nanos / 1_000_000);
        Some(crate::Timestamp(ms))
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
    fn trace_ids_are_stable_per_request() {
        let id = RequestId::parse("c2a6f2ae-1234-4000-8000-00000000abcd").expect("uuid");
        let t = id.trace_id(1_700_000_000_123);
        assert_eq!(
            t,
            "Root=1-6553f100-c2a6f2ae1234400080000000;Parent=000000000000abcd;Sampled=0"
        );
    }

    #[test]
    fn a_new_id_knows_when_it_was_issued() {
        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_millis() as i64;
        let at = RequestId::random().issued_at().expect("v7").0;
        assert!((before..before + 1000).contains(&at), "{before} {at}");
        let v4 = RequestId::parse("c2a6f2ae-1234-4000-8000-00000000abcd").expect("uuid");
        assert_eq!(v4.issued_at(), None);
    }

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
