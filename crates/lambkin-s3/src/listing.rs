//! ListObjectsV2: keys in UTF-8 byte order, rolled up at the delimiter into common prefixes,
//! a page at a time. The continuation token is the last key (or common prefix) of the page,
//! base64-encoded: opaque to clients, as S3's are.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use lambkin_store::ObjectRecord;

use crate::{S3, S3Error};

/// Sorts after every key that starts with the common prefix before it: U+10FFFF is the largest
/// UTF-8 sequence (F4 8F BF BF).
const PAST_PREFIX: char = '\u{10FFFF}';

/// How many rows one store read takes.
const READ: usize = 1000;

#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    pub prefix: String,
    pub delimiter: Option<String>,
    /// At most 1000 (more is served as 1000, as on S3).
    pub max_keys: usize,
    pub start_after: Option<String>,
    pub continuation_token: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub objects: Vec<ObjectRecord>,
    pub common_prefixes: Vec<String>,
    pub next_continuation_token: Option<String>,
}

impl Listing {
    pub fn key_count(&self) -> usize {
        self.objects.len() + self.common_prefixes.len()
    }
}

/// The common prefix `key` rolls up into, if the delimiter occurs after the prefix.
fn rolled_up<'k>(key: &'k str, prefix: &str, delimiter: Option<&str>) -> Option<&'k str> {
    let delimiter = delimiter.filter(|d| !d.is_empty())?;
    let rest = key.get(prefix.len()..)?;
    let at = rest.find(delimiter)?;
    Some(&key[..prefix.len() + at + delimiter.len()])
}

impl S3 {
    pub async fn list_objects_v2(
        &self,
        bucket: &str,
        request: &ListRequest,
    ) -> Result<Listing, S3Error> {
        let max_keys = request.max_keys.min(1000);
        let mut after = match &request.continuation_token {
            Some(token) => Some(decode_token(token)?),
            None => request.start_after.clone(),
        };
        let delimiter = request.delimiter.as_deref();
        let mut listing = Listing::default();
        'read: loop {
            let rows = self
                .store
                .list_objects(bucket, &request.prefix, after.as_deref(), READ)
                .await?
                .ok_or_else(|| S3Error::NoSuchBucket(bucket.to_string()))?;
            let more = rows.len() == READ;
            for object in rows {
                if listing.key_count() == max_keys {
                    listing.next_continuation_token = after.as_deref().map(encode_token);
                    break 'read;
                }
                if let Some(common) = rolled_up(&object.key, &request.prefix, delimiter) {
                    if listing.common_prefixes.last().map(String::as_str) != Some(common) {
                        listing.common_prefixes.push(common.to_string());
                    }
                    // Skip the rest of this prefix with a fresh read.
                    after = Some(format!("{common}{PAST_PREFIX}"));
                    continue 'read;
                }
                after = Some(object.key.clone());
                listing.objects.push(object);
            }
            if !more {
                break;
            }
        }
        Ok(listing)
    }
}

fn encode_token(after: &str) -> String {
    STANDARD.encode(after)
}

fn decode_token(token: &str) -> Result<String, S3Error> {
    STANDARD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| {
            S3Error::InvalidArgument("The continuation token provided is incorrect".into())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roll_up() {
        let cases = [
            ("photos/2024/a.jpg", "", Some("/"), Some("photos/")),
            (
                "photos/2024/a.jpg",
                "photos/",
                Some("/"),
                Some("photos/2024/"),
            ),
            ("photos/a.jpg", "photos/", Some("/"), None),
            ("a.jpg", "", Some("/"), None),
            ("a--b--c", "", Some("--"), Some("a--")),
            ("photos/a.jpg", "", None, None),
            ("photos/a.jpg", "", Some(""), None),
        ];
        for (key, prefix, delimiter, want) in cases {
            assert_eq!(rolled_up(key, prefix, delimiter), want, "{key} {prefix}");
        }
    }

    #[test]
    fn tokens_round_trip_and_bad_ones_are_refused() {
        assert_eq!(decode_token(&encode_token("a/é")).expect("token"), "a/é");
        assert!(decode_token("%%%").is_err());
    }
}
