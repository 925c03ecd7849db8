//! Which signatures lambkin's S3 checks. s3s verifies SigV4 (header, presigned and
//! aws-chunked) against a secret it looks up by access key, and it can only decode an
//! aws-chunked body as part of that check. lambkin's other services accept any credentials; S3
//! does too for requests signed with a key it does not know, by passing them on unsigned
//! (`strip_unknown_signature`), unless the body is aws-chunked, which only a verified
//! signature can decode: those must be signed with a key lambkin knows.

use axum::http::{HeaderMap, header};
use s3s::S3Result;
use s3s::auth::{S3Auth, SecretKey};

/// Keys lambkin knows: the README's (and LocalStack's) `test`, and the one functions get.
const KNOWN: &[(&str, &str)] = &[("test", "test"), ("lambkin", "lambkin")];

#[derive(Debug)]
pub(crate) struct KnownKeys;

#[async_trait::async_trait]
impl S3Auth for KnownKeys {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        secret(access_key).map(SecretKey::from).ok_or_else(|| {
            s3s::s3_error!(
                InvalidAccessKeyId,
                "lambkin checks the signature of aws-chunked uploads, and does not know the access key {access_key}: sign them with access key test and secret test (see docs/api-compat.md)"
            )
        })
    }
}

fn secret(access_key: &str) -> Option<&'static str> {
    KNOWN
        .iter()
        .find(|(k, _)| *k == access_key)
        .map(|(_, s)| *s)
}

/// The access key of a header signature (`Credential=<key>/<date>/<region>/<service>/…`).
fn signing_key(headers: &HeaderMap) -> Option<&str> {
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let credential = auth.split("Credential=").nth(1)?;
    credential.split('/').next()
}

/// Removes a header signature by a key lambkin does not know, so s3s serves the request as
/// unsigned; keeps it when the body is aws-chunked (only the check can decode it) or the key
/// is known (then it is checked).
pub(crate) fn strip_unknown_signature(headers: &mut HeaderMap) {
    let Some(key) = signing_key(headers) else {
        return;
    };
    let chunked = headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("STREAMING-"));
    if secret(key).is_none() && !chunked {
        headers.remove(header::AUTHORIZATION);
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn signed(key: &str, payload: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!(
                "AWS4-HMAC-SHA256 Credential={key}/20261207/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"
            ))
            .expect("header"),
        );
        h.insert(
            "x-amz-content-sha256",
            HeaderValue::from_str(payload).expect("header"),
        );
        h
    }

    #[test]
    fn which_signatures_are_kept() {
        let cases = [
            ("test", "UNSIGNED-PAYLOAD", true),
            ("lambkin", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", true),
            ("AKIDTEST", "UNSIGNED-PAYLOAD", false),
            (
                "AKIDTEST",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                false,
            ),
            ("AKIDTEST", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", true),
        ];
        for (key, payload, kept) in cases {
            let mut h = signed(key, payload);
            strip_unknown_signature(&mut h);
            assert_eq!(
                h.contains_key(header::AUTHORIZATION),
                kept,
                "{key} {payload}"
            );
        }
    }
}
