//! Whether a request on the shared endpoint is for S3. S3's paths are free-form (any bucket,
//! any key), so they cannot be told apart by route; the signature names its service instead:
//! every SDK and the CLI sign with a credential scope `<date>/<region>/s3/aws4_request`, in the
//! `Authorization` header or, for presigned URLs, the `X-Amz-Credential` query member. A
//! virtual-hosted request (`<bucket>.localhost`) is S3 too. An unsigned request is S3 when its
//! path is none of the other services': not a Lambda API path (`/20yy-mm-dd/…`), not lambkin's
//! own (`/_lambkin/…`, `/metrics`), not the root a query-protocol form or `X-Amz-Target` is
//! sent to, and not an SQS queue URL (`/<12-digit account>/<queue>`); and, for a POST, only
//! with S3's markers.

use axum::http::{HeaderMap, Method, Uri, header};

/// The bucket of a virtual-hosted request: `<bucket>.localhost`, with or without a port.
pub(crate) fn virtual_host_bucket(host: &str) -> Option<&str> {
    let name = host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            name
        } else {
            host
        }
    });
    name.strip_suffix(".localhost").filter(|b| !b.is_empty())
}

fn signed_for_s3(uri: &Uri, headers: &HeaderMap) -> Option<bool> {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let auth = auth.to_str().ok()?;
        return Some(auth.contains("/s3/aws4_request"));
    }
    let query = uri.query()?;
    let credential = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case("X-Amz-Credential"))?
        .1;
    Some(credential.contains("/s3/aws4_request"))
}

fn is_lambda_path(path: &str) -> bool {
    // `/2015-03-31/…`, `/2019-09-25/…`: the Lambda API's dated prefixes.
    let b = path.as_bytes();
    b.len() > 11
        && b[0] == b'/'
        && b[1..5].iter().all(u8::is_ascii_digit)
        && b[5] == b'-'
        && b[6..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'-'
        && b[9..11].iter().all(u8::is_ascii_digit)
        && b[11] == b'/'
}

fn is_queue_url(path: &str) -> bool {
    let mut parts = path.trim_start_matches('/').split('/');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(account), Some(queue), None)
            if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) && !queue.is_empty()
    )
}

pub(crate) fn is_s3(method: &Method, uri: &Uri, headers: &HeaderMap) -> bool {
    if let Some(signed) = signed_for_s3(uri, headers) {
        return signed;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if virtual_host_bucket(host).is_some() {
        return true;
    }
    let path = uri.path();
    if is_lambda_path(path)
        || path == "/metrics"
        || path.starts_with("/_lambkin/")
        || is_queue_url(path)
    {
        return false;
    }
    // The root is SQS's and SNS's (POST, or a query-protocol GET); S3's ListBuckets there is
    // always signed. An unsigned POST is S3's only with S3's markers: the query of
    // DeleteObjects and the multipart calls, or a browser form upload (PostObject); a form post
    // elsewhere stays an unknown route of the query protocol.
    if path == "/" {
        return false;
    }
    if method == Method::POST {
        let query = uri.query().unwrap_or_default();
        let marked = query.split('&').any(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            matches!(
                name,
                "delete" | "uploads" | "uploadId" | "restore" | "select"
            )
        });
        let form_upload = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        return marked || form_upload;
    }
    true
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).expect("header"));
        }
        h
    }

    const S3_SIG: &str = "AWS4-HMAC-SHA256 Credential=test/20261207/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00";
    const SQS_SIG: &str = "AWS4-HMAC-SHA256 Credential=test/20261207/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00";

    #[test]
    fn which_requests_are_s3() {
        type Case = (
            &'static str,
            &'static str,
            &'static [(&'static str, &'static str)],
            bool,
        );
        let cases: &[Case] = &[
            // Signed: the credential scope decides, whatever the path.
            ("PUT", "/photos/cat.jpg", &[("authorization", S3_SIG)], true),
            ("GET", "/", &[("authorization", S3_SIG)], true),
            ("PUT", "/2015-03-31/x", &[("authorization", S3_SIG)], true),
            ("POST", "/", &[("authorization", SQS_SIG)], false),
            (
                "GET",
                "/000000000000/q",
                &[("authorization", SQS_SIG)],
                false,
            ),
            // Presigned.
            (
                "GET",
                "/b/k?X-Amz-Credential=test%2F20261207%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=00",
                &[],
                true,
            ),
            // Virtual-hosted.
            ("GET", "/", &[("host", "photos.localhost:9070")], true),
            ("GET", "/", &[("host", "localhost:9070")], false),
            // Unsigned, by path.
            (
                "GET",
                "/photos/cat.jpg",
                &[("host", "127.0.0.1:9070")],
                true,
            ),
            ("GET", "/2015-03-31/functions", &[], false),
            ("GET", "/_lambkin/v1/status", &[], false),
            ("GET", "/metrics", &[], false),
            ("POST", "/", &[], false),
            ("GET", "/", &[], false),
            ("PUT", "/", &[], false),
            ("POST", "/not-an-account/p", &[], false),
            ("POST", "/bkt?delete", &[], true),
            ("POST", "/bkt/k?uploads", &[], true),
            ("POST", "/bkt/k?uploadId=abc", &[], true),
            (
                "POST",
                "/bkt",
                &[("content-type", "multipart/form-data; boundary=x")],
                true,
            ),
            ("GET", "/?Action=ListQueues", &[], false),
            ("GET", "/000000000000/my-queue", &[], false),
            ("GET", "/000000000000/my-queue/extra", &[], true),
        ];
        for (method, uri, pairs, s3) in cases {
            let method: Method = method.parse().expect("method");
            let uri: Uri = uri.parse().expect("uri");
            assert_eq!(
                is_s3(&method, &uri, &headers(pairs)),
                *s3,
                "{method} {uri} {pairs:?}"
            );
        }
    }

    #[test]
    fn virtual_hosts() {
        assert_eq!(virtual_host_bucket("photos.localhost:9070"), Some("photos"));
        assert_eq!(
            virtual_host_bucket("my.photos.localhost"),
            Some("my.photos")
        );
        assert_eq!(virtual_host_bucket("localhost:9070"), None);
        assert_eq!(virtual_host_bucket("127.0.0.1:9070"), None);
        assert_eq!(virtual_host_bucket(".localhost"), None);
    }
}
