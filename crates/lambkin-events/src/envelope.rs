//! The event as EventBridge delivers it: the envelope around `detail`, in EventBridge's member
//! order, with `detail` kept as the bytes the caller sent.

use lambkin_model::Timestamp;
use serde::Serialize;
use serde_json::value::RawValue;

#[derive(Debug, Clone, Serialize)]
pub struct Envelope {
    pub version: &'static str,
    pub id: String,
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    pub source: String,
    pub account: String,
    pub time: String,
    pub region: String,
    pub resources: Vec<String>,
    pub detail: Box<RawValue>,
}

impl Envelope {
    /// The envelope's JSON text, as targets receive it.
    pub fn to_json(&self) -> String {
        // Every member is a string, a list of strings or already-valid JSON.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// `{}`, the detail of a Scheduled Event.
pub(crate) fn empty_detail() -> Box<RawValue> {
    serde_json::value::to_raw_value(&serde_json::Map::new()).unwrap_or_default()
}

/// An event time as EventBridge writes it: UTC to the second, `2019-03-01T01:23:45Z`.
pub fn event_time(t: Timestamp) -> String {
    chrono::DateTime::from_timestamp_millis(t.0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_in_eventbridge_order() {
        let e = Envelope {
            version: "0",
            id: "cdc73f9d-aea9-11e3-9d5a-835b769c0d9c".into(),
            detail_type: "Scheduled Event".into(),
            source: "aws.events".into(),
            account: "123456789012".into(),
            time: event_time(Timestamp(1_551_403_425_000)),
            region: "us-east-2".into(),
            resources: vec!["arn:aws:events:us-east-2:123456789012:rule/my-schedule".into()],
            detail: RawValue::from_string("{}".into()).expect("valid JSON"),
        };
        assert_eq!(
            e.to_json(),
            r#"{"version":"0","id":"cdc73f9d-aea9-11e3-9d5a-835b769c0d9c","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2019-03-01T01:23:45Z","region":"us-east-2","resources":["arn:aws:events:us-east-2:123456789012:rule/my-schedule"],"detail":{}}"#
        );
    }
}
