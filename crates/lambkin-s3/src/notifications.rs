//! Bucket notifications: the configuration (`PutBucketNotificationConfiguration`), S3's checks
//! of it, which configurations an object event matches, and the event record S3 sends. Pure;
//! the service stores the configuration and commits each matching event's deliveries with the
//! object write that caused it.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::S3Error;

/// Where a configuration sends its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetKind {
    /// `CloudFunctionConfiguration` on the wire: an async invoke.
    Lambda,
    Queue,
    Topic,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationTarget {
    pub id: String,
    pub kind: TargetKind,
    pub arn: String,
    /// As configured: `s3:ObjectCreated:*`, `s3:ObjectCreated:Put`, ...
    pub events: Vec<String>,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
}

/// A bucket's notification configuration (empty: notifications off).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notifications {
    pub targets: Vec<NotificationTarget>,
}

/// The event types S3 accepts in a configuration. lambkin fires the object-created and
/// object-removed ones; the others are accepted and never happen here (no versioning,
/// replication, lifecycle, restore or tagging).
const EVENT_TYPES: &[&str] = &[
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete",
    "s3:ReducedRedundancyLostObject",
    "s3:Replication:*",
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:Replication:OperationNotTracked",
    "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:LifecycleTransition",
    "s3:IntelligentTiering",
    "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete",
    "s3:ObjectAcl:Put",
];

/// An object event lambkin fires, as its record names it (`eventName`, no `s3:` prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectEvent {
    Put,
    Post,
    Copy,
    CompleteMultipartUpload,
    Delete,
}

impl ObjectEvent {
    pub fn name(self) -> &'static str {
        match self {
            ObjectEvent::Put => "ObjectCreated:Put",
            ObjectEvent::Post => "ObjectCreated:Post",
            ObjectEvent::Copy => "ObjectCreated:Copy",
            ObjectEvent::CompleteMultipartUpload => "ObjectCreated:CompleteMultipartUpload",
            ObjectEvent::Delete => "ObjectRemoved:Delete",
        }
    }

    fn matches(self, configured: &str) -> bool {
        let name = self.name();
        let Some(configured) = configured.strip_prefix("s3:") else {
            return false;
        };
        match configured.strip_suffix('*') {
            Some(family) => name.starts_with(family),
            None => configured == name,
        }
    }
}

fn invalid(message: &str) -> S3Error {
    S3Error::InvalidArgument(message.to_string())
}

/// One configuration's filter, from its rules as sent: `prefix` and `suffix` (either case), each
/// at most once.
pub fn filter_rules(
    rules: &[(String, String)],
) -> Result<(Option<String>, Option<String>), S3Error> {
    let (mut prefix, mut suffix) = (None, None);
    for (name, value) in rules {
        let slot = match name.to_ascii_lowercase().as_str() {
            "prefix" => &mut prefix,
            "suffix" => &mut suffix,
            _ => return Err(invalid("filter rule name must be either prefix or suffix")),
        };
        if slot.replace(value.clone()).is_some() {
            return Err(invalid(&format!(
                "Cannot specify more than one {} rule in a filter.",
                name.to_ascii_lowercase()
            )));
        }
    }
    Ok((prefix, suffix))
}

/// Whether two event types can name the same event.
fn events_overlap(a: &str, b: &str) -> bool {
    let family = |e: &str| e.strip_suffix('*').map(str::to_string);
    match (family(a), family(b)) {
        (Some(fa), Some(fb)) => fa.starts_with(&fb) || fb.starts_with(&fa),
        (Some(fa), None) => b.starts_with(&fa),
        (None, Some(fb)) => a.starts_with(&fb),
        (None, None) => a == b,
    }
}

/// Whether some key can match both filters: their prefixes are one a prefix of the other, and
/// their suffixes one a suffix of the other (an absent rule matches everything).
fn filters_overlap(a: &NotificationTarget, b: &NotificationTarget) -> bool {
    let prefixes = match (&a.prefix, &b.prefix) {
        (Some(x), Some(y)) => x.starts_with(y.as_str()) || y.starts_with(x.as_str()),
        _ => true,
    };
    let suffixes = match (&a.suffix, &b.suffix) {
        (Some(x), Some(y)) => x.ends_with(y.as_str()) || y.ends_with(x.as_str()),
        _ => true,
    };
    prefixes && suffixes
}

impl Notifications {
    /// S3's checks of a new configuration: known event types, at least one per configuration,
    /// and no two configurations that could send the same event for the same key.
    pub fn check(&self) -> Result<(), S3Error> {
        for t in &self.targets {
            if t.events.is_empty() {
                return Err(invalid(
                    "A notification configuration must name at least one event",
                ));
            }
            if let Some(e) = t.events.iter().find(|e| !EVENT_TYPES.contains(&e.as_str())) {
                return Err(invalid(&format!(
                    "The event is not supported for notifications: {e}"
                )));
            }
        }
        for (i, a) in self.targets.iter().enumerate() {
            for b in &self.targets[i + 1..] {
                let shared = a
                    .events
                    .iter()
                    .any(|x| b.events.iter().any(|y| events_overlap(x, y)));
                if shared && filters_overlap(a, b) {
                    return Err(invalid(
                        "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The configurations `event` on `key` goes to.
    pub fn matching(&self, event: ObjectEvent, key: &str) -> Vec<&NotificationTarget> {
        self.targets
            .iter()
            .filter(|t| t.events.iter().any(|e| event.matches(e)))
            .filter(|t| t.prefix.as_deref().is_none_or(|p| key.starts_with(p)))
            .filter(|t| t.suffix.as_deref().is_none_or(|s| key.ends_with(s)))
            .collect()
    }
}

/// What one record says about the object and the request.
#[derive(Debug, Clone)]
pub struct EventFacts<'a> {
    pub event: ObjectEvent,
    pub region: &'a str,
    pub account: &'a str,
    /// `eventTime`, ISO-8601 with milliseconds.
    pub time: String,
    pub bucket: &'a str,
    pub key: &'a str,
    /// Size and ETag of a created object (a removal has neither).
    pub object: Option<(u64, &'a str)>,
    pub sequencer: &'a str,
    pub request_id: &'a str,
}

/// The key as records carry it: form-encoded (a space is `+`), each `/`-separated part on its
/// own, so the slashes stay.
fn record_key(key: &str) -> String {
    key.split('/')
        .map(|part| form_urlencoded::byte_serialize(part.as_bytes()).collect::<String>())
        .collect::<Vec<_>>()
        .join("/")
}

/// The event S3 sends: `{"Records": [ … ]}` with one record (S3 user guide, "Event message
/// structure", version 2.1).
pub fn record(facts: &EventFacts<'_>, configuration_id: &str) -> Value {
    let key = record_key(facts.key);
    let mut object = json!({ "key": key, "sequencer": facts.sequencer });
    if let Some((size, etag)) = facts.object {
        object["size"] = json!(size);
        object["eTag"] = json!(etag);
    }
    let principal = format!("AWS:{}", facts.account);
    json!({ "Records": [ {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": facts.region,
        "eventTime": facts.time,
        "eventName": facts.event.name(),
        "userIdentity": { "principalId": principal },
        "requestParameters": { "sourceIPAddress": "127.0.0.1" },
        "responseElements": {
            "x-amz-request-id": facts.request_id,
            "x-amz-id-2": "lambkin",
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id,
            "bucket": {
                "name": facts.bucket,
                "ownerIdentity": { "principalId": facts.account },
                "arn": format!("arn:aws:s3:::{}", facts.bucket),
            },
            "object": object,
        },
    } ] })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(
        id: &str,
        events: &[&str],
        prefix: Option<&str>,
        suffix: Option<&str>,
    ) -> NotificationTarget {
        NotificationTarget {
            id: id.into(),
            kind: TargetKind::Lambda,
            arn: "arn:aws:lambda:us-east-1:000000000000:function:f".into(),
            events: events.iter().map(|e| e.to_string()).collect(),
            prefix: prefix.map(str::to_string),
            suffix: suffix.map(str::to_string),
        }
    }

    #[test]
    fn checks() {
        let ok = |targets: Vec<NotificationTarget>| {
            Notifications { targets }.check().map_err(|e| e.to_string())
        };
        let overlap = Err("Configurations overlap. Configurations on the same bucket cannot share a common event type.".to_string());
        let cases = [
            (vec![], Ok(())),
            (
                vec![target("a", &["s3:ObjectCreated:*"], None, None)],
                Ok(()),
            ),
            (
                vec![target("a", &["s3:ObjectCreated:Gone"], None, None)],
                Err(
                    "The event is not supported for notifications: s3:ObjectCreated:Gone"
                        .to_string(),
                ),
            ),
            (
                vec![target("a", &[], None, None)],
                Err("A notification configuration must name at least one event".to_string()),
            ),
            // Same events, disjoint prefixes or suffixes: fine.
            (
                vec![
                    target("a", &["s3:ObjectCreated:*"], Some("images/"), None),
                    target("b", &["s3:ObjectCreated:*"], Some("docs/"), None),
                ],
                Ok(()),
            ),
            (
                vec![
                    target("a", &["s3:ObjectCreated:*"], None, Some(".jpg")),
                    target("b", &["s3:ObjectCreated:*"], None, Some(".png")),
                ],
                Ok(()),
            ),
            // Different event families: fine.
            (
                vec![
                    target("a", &["s3:ObjectCreated:*"], None, None),
                    target("b", &["s3:ObjectRemoved:*"], None, None),
                ],
                Ok(()),
            ),
            (
                vec![
                    target("a", &["s3:ObjectCreated:Put"], None, None),
                    target("b", &["s3:ObjectCreated:Copy"], None, None),
                ],
                Ok(()),
            ),
            // Overlaps.
            (
                vec![
                    target("a", &["s3:ObjectCreated:*"], None, None),
                    target("b", &["s3:ObjectCreated:Put"], None, None),
                ],
                overlap.clone(),
            ),
            (
                vec![
                    target("a", &["s3:ObjectCreated:*"], Some("images/"), None),
                    target("b", &["s3:ObjectCreated:*"], Some("images/2024/"), None),
                ],
                overlap.clone(),
            ),
            (
                vec![
                    target("a", &["s3:ObjectCreated:*"], Some("images/"), None),
                    target("b", &["s3:ObjectCreated:*"], None, Some(".jpg")),
                ],
                overlap.clone(),
            ),
            (
                vec![
                    target("a", &["s3:ObjectCreated:*"], None, Some("photo.jpg")),
                    target("b", &["s3:ObjectCreated:*"], None, Some(".jpg")),
                ],
                overlap,
            ),
        ];
        for (targets, want) in cases {
            let described = format!("{targets:?}");
            assert_eq!(ok(targets), want, "{described}");
        }
    }

    #[test]
    fn filter_rule_lists() {
        let rules = |r: &[(&str, &str)]| {
            filter_rules(
                &r.iter()
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .collect::<Vec<_>>(),
            )
            .map_err(|e| e.to_string())
        };
        assert_eq!(
            rules(&[("prefix", "images/"), ("Suffix", ".jpg")]),
            Ok((Some("images/".into()), Some(".jpg".into())))
        );
        assert_eq!(rules(&[]), Ok((None, None)));
        assert_eq!(
            rules(&[("prefix", "a"), ("prefix", "b")]),
            Err("Cannot specify more than one prefix rule in a filter.".into())
        );
        assert_eq!(
            rules(&[("middle", "a")]),
            Err("filter rule name must be either prefix or suffix".into())
        );
    }

    #[test]
    fn matching_events_and_keys() {
        let n = Notifications {
            targets: vec![
                target(
                    "jpg",
                    &["s3:ObjectCreated:*"],
                    Some("images/"),
                    Some(".jpg"),
                ),
                target("removed", &["s3:ObjectRemoved:Delete"], None, None),
                target("copies", &["s3:ObjectCreated:Copy"], Some("copies/"), None),
            ],
        };
        let ids = |event, key| {
            n.matching(event, key)
                .iter()
                .map(|t| t.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(ObjectEvent::Put, "images/cat.jpg"), ["jpg"]);
        assert_eq!(
            ids(ObjectEvent::CompleteMultipartUpload, "images/big.jpg"),
            ["jpg"]
        );
        assert!(ids(ObjectEvent::Put, "images/cat.png").is_empty());
        assert!(ids(ObjectEvent::Put, "thumbnails/images/cat.jpg").is_empty());
        assert_eq!(ids(ObjectEvent::Delete, "images/cat.jpg"), ["removed"]);
        assert_eq!(ids(ObjectEvent::Copy, "copies/x"), ["copies"]);
        assert!(ids(ObjectEvent::Put, "copies/x").is_empty());
    }

    #[test]
    fn keys_in_records() {
        let cases = [
            ("red flower.jpg", "red+flower.jpg"),
            ("images/2024/cat.jpg", "images/2024/cat.jpg"),
            ("a+b=c&d.txt", "a%2Bb%3Dc%26d.txt"),
            ("ünï/x y", "%C3%BCn%C3%AF/x+y"),
        ];
        for (key, want) in cases {
            assert_eq!(record_key(key), want, "{key}");
        }
    }

    /// The reference's example record (aws-lambda-async.md §10.1), field for field, with this
    /// server's values where the example shows AWS's.
    #[test]
    fn the_record_as_s3_writes_it() {
        let facts = EventFacts {
            event: ObjectEvent::Put,
            region: "us-east-2",
            account: "000000000000",
            time: "2019-09-03T19:37:27.192Z".into(),
            bucket: "my-bucket",
            key: "red flower.jpg",
            object: Some((1_305_107, "b21b84d653bb07b05b1e6b33684dc11b")),
            sequencer: "0C0F6F405D6ED209E1",
            request_id: "D82B88E5F771F645",
        };
        let want = json!({ "Records": [ {
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-2",
            "eventTime": "2019-09-03T19:37:27.192Z", "eventName": "ObjectCreated:Put",
            "userIdentity": { "principalId": "AWS:000000000000" },
            "requestParameters": { "sourceIPAddress": "127.0.0.1" },
            "responseElements": { "x-amz-request-id": "D82B88E5F771F645", "x-amz-id-2": "lambkin" },
            "s3": { "s3SchemaVersion": "1.0", "configurationId": "828aa6fc-f7b5-4305-8584-487c791949c1",
                    "bucket": { "name": "my-bucket", "ownerIdentity": { "principalId": "000000000000" }, "arn": "arn:aws:s3:::my-bucket" },
                    "object": { "key": "red+flower.jpg", "size": 1305107, "eTag": "b21b84d653bb07b05b1e6b33684dc11b",
                                "sequencer": "0C0F6F405D6ED209E1" } } } ] });
        assert_eq!(record(&facts, "828aa6fc-f7b5-4305-8584-487c791949c1"), want);

        let removed = EventFacts {
            event: ObjectEvent::Delete,
            object: None,
            ..facts
        };
        let r = record(&removed, "c");
        assert_eq!(r["Records"][0]["eventName"], "ObjectRemoved:Delete");
        assert_eq!(
            r["Records"][0]["s3"]["object"],
            json!({ "key": "red+flower.jpg", "sequencer": "0C0F6F405D6ED209E1" })
        );
    }
}
