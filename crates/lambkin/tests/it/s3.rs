//! S3 through the real server with the AWS SDK for Rust (path-style, as pointed at an
//! endpoint by IP): buckets, objects, ranges, listing, names that look like paths, the
//! signatures lambkin checks, virtual-hosted requests, and durability across `kill -9`.

use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;
use md5::{Digest, Md5};

use crate::support::{TestServer, aws_error, http_full, s3_client, s3_client_with};

fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn put(s3: &aws_sdk_s3::Client, bucket: &str, key: &str, body: &[u8]) {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body.to_vec()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put {key}: {e:?}"));
}

async fn get(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Vec<u8> {
    let out = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get {key}: {e:?}"));
    out.body.collect().await.expect("body").to_vec()
}

#[tokio::test]
async fn buckets_with_s3s_answers() {
    let s = TestServer::start();
    let s3 = s3_client(&s.url);
    s3.create_bucket()
        .bucket("photos")
        .send()
        .await
        .expect("create");
    s3.create_bucket()
        .bucket("archive")
        .send()
        .await
        .expect("create");

    let cases = [
        (
            "photos",
            "BucketAlreadyOwnedByYou",
            409,
            "Your previous request to create the named bucket succeeded and you already own it.",
        ),
        (
            "Bad_Name",
            "InvalidBucketName",
            400,
            "The specified bucket is not valid.",
        ),
        (
            "192.168.5.4",
            "InvalidBucketName",
            400,
            "The specified bucket is not valid.",
        ),
        (
            "xn--bucket",
            "InvalidBucketName",
            400,
            "The specified bucket is not valid.",
        ),
    ];
    for (name, code, status, message) in cases {
        let err = s3
            .create_bucket()
            .bucket(name)
            .send()
            .await
            .expect_err(name);
        assert_eq!(
            aws_error(&err),
            (code.into(), message.into(), status),
            "{name}"
        );
    }

    let names: Vec<_> = s3
        .list_buckets()
        .send()
        .await
        .expect("list")
        .buckets()
        .iter()
        .filter_map(|b| b.name().map(str::to_string))
        .collect();
    assert_eq!(names, ["archive", "photos"]);

    s3.head_bucket()
        .bucket("photos")
        .send()
        .await
        .expect("head");
    let err = s3
        .head_bucket()
        .bucket("nope")
        .send()
        .await
        .expect_err("missing");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(404));

    put(&s3, "photos", "cat.jpg", b"meow").await;
    let err = s3
        .delete_bucket()
        .bucket("photos")
        .send()
        .await
        .expect_err("not empty");
    assert_eq!(
        aws_error(&err),
        (
            "BucketNotEmpty".into(),
            "The bucket you tried to delete is not empty".into(),
            409
        )
    );
    s3.delete_object()
        .bucket("photos")
        .key("cat.jpg")
        .send()
        .await
        .expect("delete object");
    s3.delete_bucket()
        .bucket("photos")
        .send()
        .await
        .expect("delete bucket");
    let err = s3
        .delete_bucket()
        .bucket("photos")
        .send()
        .await
        .expect_err("gone");
    assert_eq!(
        aws_error(&err),
        (
            "NoSuchBucket".into(),
            "The specified bucket does not exist".into(),
            404
        )
    );
}

#[tokio::test]
async fn objects_round_trip_with_their_metadata_and_ranges() {
    let s = TestServer::start();
    let s3 = s3_client(&s.url);
    s3.create_bucket()
        .bucket("bkt")
        .send()
        .await
        .expect("create");

    // 3 MiB and a bit, so the body arrives in many chunks.
    let body: Vec<u8> = (0..3 * 1024 * 1024 + 17).map(|i| (i % 251) as u8).collect();
    let out = s3
        .put_object()
        .bucket("bkt")
        .key("dir/data.bin")
        .content_type("application/x-test")
        .cache_control("no-cache")
        .metadata("Colour", "blue")
        .body(ByteStream::from(body.clone()))
        .send()
        .await
        .expect("put");
    let etag = format!("\"{}\"", md5_hex(&body));
    assert_eq!(
        out.e_tag(),
        Some(etag.as_str()),
        "the ETag is the MD5, as S3 computes it"
    );

    let got = s3
        .get_object()
        .bucket("bkt")
        .key("dir/data.bin")
        .send()
        .await
        .expect("get");
    assert_eq!(got.content_type(), Some("application/x-test"));
    assert_eq!(got.cache_control(), Some("no-cache"));
    assert_eq!(got.e_tag(), Some(etag.as_str()));
    assert_eq!(
        got.metadata()
            .and_then(|m| m.get("colour"))
            .map(String::as_str),
        Some("blue")
    );
    assert_eq!(got.content_length(), Some(body.len() as i64));
    assert_eq!(got.body.collect().await.expect("body").to_vec(), body);

    let head = s3
        .head_object()
        .bucket("bkt")
        .key("dir/data.bin")
        .send()
        .await
        .expect("head");
    assert_eq!(head.content_length(), Some(body.len() as i64));
    assert_eq!(head.e_tag(), Some(etag.as_str()));

    let part = s3
        .get_object()
        .bucket("bkt")
        .key("dir/data.bin")
        .range("bytes=1000-1999")
        .send()
        .await
        .expect("range");
    assert_eq!(
        part.content_range(),
        Some(format!("bytes 1000-1999/{}", body.len()).as_str())
    );
    assert_eq!(
        part.body.collect().await.expect("body").to_vec(),
        &body[1000..2000]
    );
    let tail = s3
        .get_object()
        .bucket("bkt")
        .key("dir/data.bin")
        .range("bytes=-10")
        .send()
        .await
        .expect("suffix range");
    assert_eq!(
        tail.body.collect().await.expect("body").to_vec(),
        &body[body.len() - 10..]
    );
    let err = s3
        .get_object()
        .bucket("bkt")
        .key("dir/data.bin")
        .range(format!("bytes={}-", body.len() + 5))
        .send()
        .await
        .expect_err("past the end");
    assert_eq!(aws_error(&err).0, "InvalidRange");
    assert_eq!(aws_error(&err).2, 416);

    // Replacing: the new bytes are served and the old body file is gone.
    put(&s3, "bkt", "dir/data.bin", b"small now").await;
    assert_eq!(get(&s3, "bkt", "dir/data.bin").await, b"small now");
    let bodies = std::fs::read_dir(s.data.join("s3/bodies"))
        .expect("bodies folder")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .count();
    assert_eq!(bodies, 1, "the replaced body was removed");

    let err = s3
        .get_object()
        .bucket("bkt")
        .key("nope")
        .send()
        .await
        .expect_err("missing");
    assert_eq!(
        aws_error(&err),
        (
            "NoSuchKey".into(),
            "The specified key does not exist.".into(),
            404
        )
    );
    let err = s3
        .get_object()
        .bucket("nope")
        .key("k")
        .send()
        .await
        .expect_err("no bucket");
    assert_eq!(aws_error(&err).0, "NoSuchBucket");
    let err = s3
        .put_object()
        .bucket("nope")
        .key("k")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .expect_err("no bucket");
    assert_eq!(aws_error(&err).0, "NoSuchBucket");

    s3.delete_object()
        .bucket("bkt")
        .key("dir/data.bin")
        .send()
        .await
        .expect("delete");
    s3.delete_object()
        .bucket("bkt")
        .key("dir/data.bin")
        .send()
        .await
        .expect("deleting a missing key succeeds, as on S3");
    let err = s3
        .head_object()
        .bucket("bkt")
        .key("dir/data.bin")
        .send()
        .await
        .expect_err("gone");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(404));
}

#[tokio::test]
async fn keys_that_look_like_paths_stay_keys() {
    let s = TestServer::start();
    let s3 = s3_client(&s.url);
    s3.create_bucket()
        .bucket("bkt")
        .send()
        .await
        .expect("create");
    let keys = [
        "a/../../etc/passwd",
        "../../../../escape.txt",
        "x\u{0}y",
        "/leading//slashes/",
        "spaces and ünïcode + signs.txt",
    ];
    for key in keys {
        put(&s3, "bkt", key, key.as_bytes()).await;
    }
    for key in keys {
        assert_eq!(get(&s3, "bkt", key).await, key.as_bytes(), "{key:?}");
    }
    // XML cannot carry a NUL: the listing is asked for URL-encoded, as botocore always asks.
    let listed: Vec<_> = s3
        .list_objects_v2()
        .bucket("bkt")
        .encoding_type(aws_sdk_s3::types::EncodingType::Url)
        .send()
        .await
        .expect("list")
        .contents()
        .iter()
        .filter_map(|o| o.key())
        .map(|k| {
            form_urlencoded::parse(format!("k={k}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
        .collect();
    let mut want: Vec<_> = keys.iter().map(|k| k.to_string()).collect();
    want.sort();
    assert_eq!(listed, want);
    // Nothing was written outside the bodies folder: the data folder's parent holds only it.
    let parent = s.data.parent().expect("parent");
    let outside: Vec<_> = std::fs::read_dir(parent)
        .expect("read")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(outside, [std::ffi::OsString::from("data")]);
    assert!(!s.data.join("etc").exists() && !s.data.join("s3/etc").exists());
}

#[tokio::test]
async fn listing_pages_by_prefix_and_delimiter() {
    let s = TestServer::start();
    let s3 = s3_client(&s.url);
    s3.create_bucket()
        .bucket("bkt")
        .send()
        .await
        .expect("create");
    for key in [
        "photos/2024/a.jpg",
        "photos/2024/b.jpg",
        "photos/2025/c.jpg",
        "photos/d.jpg",
        "photos/e.jpg",
        "readme.txt",
    ] {
        put(&s3, "bkt", key, b"x").await;
    }
    let page = s3
        .list_objects_v2()
        .bucket("bkt")
        .prefix("photos/")
        .delimiter("/")
        .send()
        .await
        .expect("list");
    let prefixes: Vec<_> = page
        .common_prefixes()
        .iter()
        .filter_map(|p| p.prefix())
        .collect();
    let keys: Vec<_> = page.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(prefixes, ["photos/2024/", "photos/2025/"]);
    assert_eq!(keys, ["photos/d.jpg", "photos/e.jpg"]);
    assert_eq!(page.key_count(), Some(4));
    assert_eq!(page.is_truncated(), Some(false));

    // Two at a time, by continuation token, through every key.
    let mut all = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = s3
            .list_objects_v2()
            .bucket("bkt")
            .max_keys(2)
            .set_continuation_token(token)
            .send()
            .await
            .expect("page");
        pages += 1;
        all.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_string)),
        );
        if page.is_truncated() != Some(true) {
            break;
        }
        token = page.next_continuation_token().map(str::to_string);
        assert!(token.is_some(), "a truncated page carries a token");
    }
    assert_eq!(pages, 3);
    assert_eq!(all.len(), 6);
    assert!(all.windows(2).all(|w| w[0] < w[1]), "in key order: {all:?}");

    let after = s3
        .list_objects_v2()
        .bucket("bkt")
        .start_after("photos/e.jpg")
        .send()
        .await
        .expect("start after");
    let keys: Vec<_> = after.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, ["readme.txt"]);

    let err = s3
        .list_objects_v2()
        .bucket("bkt")
        .continuation_token("%%%")
        .send()
        .await
        .expect_err("bad token");
    assert_eq!(aws_error(&err).0, "InvalidArgument");
    let err = s3
        .list_objects_v2()
        .bucket("nope")
        .send()
        .await
        .expect_err("no bucket");
    assert_eq!(aws_error(&err).0, "NoSuchBucket");
}

#[tokio::test]
async fn any_credentials_and_unsigned_virtual_hosted_requests() {
    let s = TestServer::start();
    // A key lambkin does not know: its signature is not checked, as on the other services.
    let other = s3_client_with(&s.url, "AKIDSOMEONE");
    other
        .create_bucket()
        .bucket("bkt")
        .send()
        .await
        .expect("create");
    put(&other, "bkt", "k", b"from another key").await;
    assert_eq!(
        get(&s3_client(&s.url), "bkt", "k").await,
        b"from another key"
    );

    // A wrong secret for a key lambkin knows is refused.
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "test", "wrong", None, None, "test",
        ))
        .endpoint_url(&s.url)
        .force_path_style(true)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    let err = aws_sdk_s3::Client::from_conf(conf)
        .list_buckets()
        .send()
        .await
        .expect_err("wrong secret");
    assert_eq!(aws_error(&err).0, "SignatureDoesNotMatch");

    // Virtual-hosted style, unsigned: the bucket is in the Host header.
    let port = s.url.rsplit(':').next().expect("port");
    let host = format!("bkt.localhost:{port}");
    let (status, headers, body) =
        http_full(&s.url, "GET", "/k", &[("host", &host)], Bytes::new()).await;
    assert_eq!((status, body.as_ref()), (200, b"from another key".as_ref()));
    assert_eq!(
        headers.get("etag").and_then(|v| v.to_str().ok()),
        Some(format!("\"{}\"", md5_hex(b"from another key")).as_str())
    );
    let (status, _, body) =
        http_full(&s.url, "GET", "/nope", &[("host", &host)], Bytes::new()).await;
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("<Code>NoSuchKey</Code>"));
}

#[tokio::test]
async fn an_acknowledged_put_survives_kill_9() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let mut s = TestServer::start_in(&data, &[]);
    let s3 = s3_client(&s.url);
    s3.create_bucket()
        .bucket("bkt")
        .send()
        .await
        .expect("create");
    let body: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
    put(&s3, "bkt", "durable.bin", &body).await;
    s.kill9();

    let s = TestServer::start_in(&data, &[]);
    let s3 = s3_client(&s.url);
    assert_eq!(get(&s3, "bkt", "durable.bin").await, body);
}

/// Digests of "hello world" (computed with Python's zlib and hashlib and a bitwise CRC-64/NVME).
const HELLO: &[u8] = b"hello world";
const HELLO_CRC32: &str = "DUoRhQ==";
const HELLO_CRC32C: &str = "yZRlqg==";
const HELLO_CRC64NVME: &str = "jSnVw/bqjr4=";
const HELLO_SHA1: &str = "Kq5sNclPz7QV2+lfQIuc6R7oRu0=";
const HELLO_SHA256: &str = "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=";

fn s3_code<E>(
    err: &aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> (String, u16)
where
    E: aws_sdk_s3::error::ProvideErrorMetadata,
{
    let status = err.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
    let code = match err {
        aws_sdk_s3::error::SdkError::ServiceError(e) => e.err().code().unwrap_or_default(),
        _ => "",
    };
    (code.to_string(), status)
}

#[tokio::test]
async fn checksums_are_verified_kept_and_returned() {
    use aws_sdk_s3::types::{ChecksumAlgorithm, ChecksumMode, ChecksumType};
    let s = TestServer::start();
    let s3 = s3_client(&s.url);
    s3.create_bucket()
        .bucket("bkt")
        .send()
        .await
        .expect("create");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("hello.txt");
    std::fs::write(&file, HELLO).expect("write");

    let cases = [
        (ChecksumAlgorithm::Crc32, HELLO_CRC32),
        (ChecksumAlgorithm::Crc32C, HELLO_CRC32C),
        (ChecksumAlgorithm::Crc64Nvme, HELLO_CRC64NVME),
        (ChecksumAlgorithm::Sha1, HELLO_SHA1),
        (ChecksumAlgorithm::Sha256, HELLO_SHA256),
    ];
    for (algorithm, want) in cases {
        // In memory, the SDK sends the checksum as a header; from a file, as the trailer of an
        // aws-chunked body.
        for streamed in [false, true] {
            let key = format!("{algorithm:?}-{streamed}");
            let body = if streamed {
                ByteStream::from_path(&file).await.expect("file")
            } else {
                ByteStream::from(HELLO.to_vec())
            };
            let put = s3
                .put_object()
                .bucket("bkt")
                .key(&key)
                .checksum_algorithm(algorithm.clone())
                .body(body)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{key}: {e:?}"));
            let sent = [
                put.checksum_crc32(),
                put.checksum_crc32_c(),
                put.checksum_crc64_nvme(),
                put.checksum_sha1(),
                put.checksum_sha256(),
            ];
            assert_eq!(
                sent.iter().flatten().collect::<Vec<_>>(),
                [&want],
                "{key}: PUT"
            );
            assert_eq!(
                put.checksum_type(),
                Some(&ChecksumType::FullObject),
                "{key}"
            );

            // The SDK checks a returned checksum against the bytes it reads.
            let got = s3
                .get_object()
                .bucket("bkt")
                .key(&key)
                .checksum_mode(ChecksumMode::Enabled)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{key}: {e:?}"));
            let returned = [
                got.checksum_crc32(),
                got.checksum_crc32_c(),
                got.checksum_crc64_nvme(),
                got.checksum_sha1(),
                got.checksum_sha256(),
            ];
            assert_eq!(
                returned.iter().flatten().collect::<Vec<_>>(),
                [&want],
                "{key}: GET"
            );
            assert_eq!(got.body.collect().await.expect("body").to_vec(), HELLO);
            let head = s3
                .head_object()
                .bucket("bkt")
                .key(&key)
                .checksum_mode(ChecksumMode::Enabled)
                .send()
                .await
                .expect("head");
            assert_eq!(
                head.checksum_type(),
                Some(&ChecksumType::FullObject),
                "{key}"
            );
        }
    }
    // Without checksum mode, and for a range, no checksum comes back.
    let plain = s3
        .head_object()
        .bucket("bkt")
        .key("Sha256-false")
        .send()
        .await
        .expect("head");
    assert_eq!(plain.checksum_sha256(), None);
    let ranged = s3
        .get_object()
        .bucket("bkt")
        .key("Sha256-false")
        .range("bytes=0-4")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .expect("range");
    assert_eq!(ranged.checksum_sha256(), None);

    // A copy keeps the source's algorithm.
    let copied = s3
        .copy_object()
        .bucket("bkt")
        .key("copy")
        .copy_source("bkt/Crc32C-false")
        .send()
        .await
        .expect("copy");
    assert_eq!(
        copied
            .copy_object_result()
            .and_then(|r| r.checksum_crc32_c()),
        Some(HELLO_CRC32C)
    );

    // Bytes that do not match what was claimed are refused, and nothing is stored.
    put(&s3, "bkt", "kept", b"before").await;
    let wrong_crc = s3
        .put_object()
        .bucket("bkt")
        .key("kept")
        .checksum_crc32(HELLO_CRC32)
        .body(ByteStream::from_static(b"hello there"))
        .send()
        .await
        .expect_err("wrong CRC32");
    assert_eq!(s3_code(&wrong_crc), ("BadDigest".into(), 400));
    let wrong_md5 = s3
        .put_object()
        .bucket("bkt")
        .key("kept")
        .content_md5("XUFAKrxLKna5cZ2REBfFkg==")
        .body(ByteStream::from_static(b"hello there"))
        .send()
        .await
        .expect_err("wrong Content-MD5");
    assert_eq!(s3_code(&wrong_md5), ("BadDigest".into(), 400));
    let bad_value = s3
        .put_object()
        .bucket("bkt")
        .key("kept")
        .checksum_sha256("not-a-digest")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .expect_err("malformed SHA-256");
    assert_eq!(s3_code(&bad_value), ("InvalidRequest".into(), 400));
    assert_eq!(get(&s3, "bkt", "kept").await, b"before");
}

/// A raw `aws-chunked` PUT signed as the SDKs sign it (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`),
/// with its CRC32 in the trailer: the right one stores the object, a wrong one is `BadDigest`.
#[tokio::test]
async fn aws_chunked_bodies_with_trailing_checksums() {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
        UriPathNormalizationMode, sign,
    };
    let s = TestServer::start();
    let s3 = s3_client(&s.url);
    s3.create_bucket()
        .bucket("bkt")
        .send()
        .await
        .expect("create");

    let send = |key: &'static str, trailer: &'static str| {
        let url = s.url.clone();
        async move {
            let mut body = Vec::new();
            // Two chunks, then the last (empty) chunk and the trailer.
            for chunk in [&HELLO[..6], &HELLO[6..]] {
                body.extend(format!("{:x}\r\n", chunk.len()).as_bytes());
                body.extend(chunk);
                body.extend(b"\r\n");
            }
            body.extend(format!("0\r\nx-amz-checksum-crc32:{trailer}\r\n\r\n").as_bytes());
            let host = url.trim_start_matches("http://").to_string();
            let uri = format!("{url}/bkt/{key}");
            let decoded = HELLO.len().to_string();
            let length = body.len().to_string();
            let mut headers = vec![
                ("host", host.as_str()),
                ("content-encoding", "aws-chunked"),
                ("content-length", length.as_str()),
                ("x-amz-decoded-content-length", decoded.as_str()),
                ("x-amz-trailer", "x-amz-checksum-crc32"),
                ("x-amz-sdk-checksum-algorithm", "CRC32"),
            ];
            let identity =
                aws_credential_types::Credentials::new("test", "test", None, None, "t").into();
            let mut settings = SigningSettings::default();
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
            settings.percent_encoding_mode = PercentEncodingMode::Single;
            settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
            let params = aws_sigv4::sign::v4::SigningParams::builder()
                .identity(&identity)
                .region("us-east-1")
                .name("s3")
                .time(std::time::SystemTime::now())
                .settings(settings)
                .build()
                .expect("params")
                .into();
            let signable = SignableRequest::new(
                "PUT",
                &uri,
                headers.iter().copied(),
                SignableBody::StreamingUnsignedPayloadTrailer,
            )
            .expect("signable");
            let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
            let (signed, _) = instructions.into_parts();
            let signed: Vec<(String, String)> = signed
                .iter()
                .map(|h| (h.name().to_string(), h.value().to_string()))
                .collect();
            headers.extend(signed.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            headers.retain(|(k, _)| *k != "host");
            http_full(
                &url,
                "PUT",
                &format!("/bkt/{key}"),
                &headers,
                Bytes::from(body),
            )
            .await
        }
    };

    let (status, headers, body) = send("good", HELLO_CRC32).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(
        headers
            .get("x-amz-checksum-crc32")
            .and_then(|v| v.to_str().ok()),
        Some(HELLO_CRC32)
    );
    assert_eq!(get(&s3, "bkt", "good").await, HELLO);

    let (status, _, body) = send("bad", HELLO_CRC32C).await;
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("<Code>BadDigest</Code>"), "{body}");
    let missing = s3.head_object().bucket("bkt").key("bad").send().await;
    assert!(missing.is_err(), "a refused body is not stored");
}

/// An upload created with an algorithm: each part's checksum is checked and listed, and the
/// object's is S3's composite: the SHA-256 of the parts' SHA-256s, then `-<parts>`.
#[tokio::test]
async fn multipart_checksums_are_composite() {
    use aws_sdk_s3::types::{
        ChecksumAlgorithm, ChecksumMode, ChecksumType, CompletedMultipartUpload, CompletedPart,
    };
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use sha2::{Digest as _, Sha256};
    let s = TestServer::start();
    let s3 = s3_client(&s.url);
    s3.create_bucket()
        .bucket("bkt")
        .send()
        .await
        .expect("create");
    let upload = s3
        .create_multipart_upload()
        .bucket("bkt")
        .key("big")
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .send()
        .await
        .expect("create upload");
    let id = upload.upload_id().expect("id");
    let bodies = [vec![7u8; 5 * 1024 * 1024], b"tail".to_vec()];
    let mut completed = Vec::new();
    let mut joined = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        let digest = Sha256::digest(body);
        joined.extend_from_slice(&digest);
        let n = i32::try_from(i + 1).expect("part number");
        let part = s3
            .upload_part()
            .bucket("bkt")
            .key("big")
            .upload_id(id)
            .part_number(n)
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .body(ByteStream::from(body.clone()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("part {n}: {e:?}"));
        assert_eq!(
            part.checksum_sha256(),
            Some(STANDARD.encode(digest).as_str()),
            "part {n}"
        );
        completed.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(part.e_tag().expect("etag"))
                .checksum_sha256(part.checksum_sha256().expect("sum"))
                .build(),
        );
    }
    let listed = s3
        .list_parts()
        .bucket("bkt")
        .key("big")
        .upload_id(id)
        .send()
        .await
        .expect("list parts");
    assert!(listed.parts().iter().all(|p| p.checksum_sha256().is_some()));

    // A part listed with another checksum than it was uploaded with is not that part.
    let mut wrong = completed.clone();
    wrong[1] = CompletedPart::builder()
        .part_number(2)
        .e_tag(completed[1].e_tag().expect("etag"))
        .checksum_sha256(STANDARD.encode(Sha256::digest(b"other")))
        .build();
    let err = s3
        .complete_multipart_upload()
        .bucket("bkt")
        .key("big")
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(wrong))
                .build(),
        )
        .send()
        .await
        .expect_err("wrong part checksum");
    assert_eq!(s3_code(&err), ("InvalidPart".into(), 400));

    let done = s3
        .complete_multipart_upload()
        .bucket("bkt")
        .key("big")
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(completed))
                .build(),
        )
        .send()
        .await
        .expect("complete");
    let composite = format!("{}-2", STANDARD.encode(Sha256::digest(&joined)));
    assert_eq!(done.checksum_sha256(), Some(composite.as_str()));
    assert_eq!(done.checksum_type(), Some(&ChecksumType::Composite));
    let got = s3
        .get_object()
        .bucket("bkt")
        .key("big")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .expect("get");
    assert_eq!(got.checksum_sha256(), Some(composite.as_str()));
    assert_eq!(
        got.body.collect().await.expect("body").into_bytes().len(),
        5 * 1024 * 1024 + 4
    );
}

#[tokio::test]
async fn multipart_uploads() {
    use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
    let s = TestServer::start();
    let s3 = s3_client(&s.url);
    s3.create_bucket()
        .bucket("bkt")
        .send()
        .await
        .expect("create");
    let mib5 = 5 * 1024 * 1024;
    let parts: Vec<Vec<u8>> = vec![
        (0..mib5).map(|i| (i % 253) as u8).collect(),
        (0..mib5).map(|i| (i % 241) as u8).collect(),
        b"the tail".to_vec(),
    ];
    let upload = s3
        .create_multipart_upload()
        .bucket("bkt")
        .key("big.bin")
        .content_type("application/x-big")
        .metadata("kind", "multi")
        .send()
        .await
        .expect("create upload");
    let id = upload.upload_id().expect("upload id").to_string();
    let mut done = Vec::new();
    // Out of order, as parallel uploaders send them.
    for n in [2, 1, 3] {
        let out = s3
            .upload_part()
            .bucket("bkt")
            .key("big.bin")
            .upload_id(&id)
            .part_number(n)
            .body(ByteStream::from(parts[n as usize - 1].clone()))
            .send()
            .await
            .expect("part");
        done.push((n, out.e_tag().expect("etag").to_string()));
    }
    done.sort();
    let listed = s3
        .list_parts()
        .bucket("bkt")
        .key("big.bin")
        .upload_id(&id)
        .send()
        .await
        .expect("list parts");
    let numbers: Vec<_> = listed
        .parts()
        .iter()
        .filter_map(|p| p.part_number())
        .collect();
    assert_eq!(numbers, [1, 2, 3]);
    let uploads = s3
        .list_multipart_uploads()
        .bucket("bkt")
        .send()
        .await
        .expect("uploads");
    assert_eq!(uploads.uploads().len(), 1);

    let completed = |list: &[(i32, String)]| {
        CompletedMultipartUpload::builder()
            .set_parts(Some(
                list.iter()
                    .map(|(n, e)| CompletedPart::builder().part_number(*n).e_tag(e).build())
                    .collect(),
            ))
            .build()
    };
    let reversed: Vec<_> = done.iter().rev().cloned().collect();
    let err = s3
        .complete_multipart_upload()
        .bucket("bkt")
        .key("big.bin")
        .upload_id(&id)
        .multipart_upload(completed(&reversed))
        .send()
        .await
        .expect_err("out of order");
    assert_eq!(aws_error(&err).0, "InvalidPartOrder");
    let small_first = vec![done[2].clone()];
    let mut wrong = small_first.clone();
    wrong[0].1 = "\"00000000000000000000000000000000\"".into();
    let err = s3
        .complete_multipart_upload()
        .bucket("bkt")
        .key("big.bin")
        .upload_id(&id)
        .multipart_upload(completed(&wrong))
        .send()
        .await
        .expect_err("wrong etag");
    assert_eq!(aws_error(&err).0, "InvalidPart");

    let out = s3
        .complete_multipart_upload()
        .bucket("bkt")
        .key("big.bin")
        .upload_id(&id)
        .multipart_upload(completed(&done))
        .send()
        .await
        .expect("complete");
    // S3's multipart ETag: the MD5 of the parts' MD5s, then the part count.
    let mut md5 = Md5::new();
    for p in &parts {
        md5.update(Md5::digest(p));
    }
    let want: String = md5.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(out.e_tag(), Some(format!("\"{want}-3\"").as_str()));

    let whole = s3
        .get_object()
        .bucket("bkt")
        .key("big.bin")
        .send()
        .await
        .expect("get");
    assert_eq!(whole.content_type(), Some("application/x-big"));
    assert_eq!(
        whole
            .metadata()
            .and_then(|m| m.get("kind"))
            .map(String::as_str),
        Some("multi")
    );
    assert_eq!(
        whole.body.collect().await.expect("body").to_vec(),
        parts.concat()
    );
    let after = s3
        .list_multipart_uploads()
        .bucket("bkt")
        .send()
        .await
        .expect("uploads");
    assert!(after.uploads().is_empty());
    let bodies = std::fs::read_dir(s.data.join("s3/bodies"))
        .expect("bodies")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .count();
    assert_eq!(
        bodies, 1,
        "the parts' bodies are gone, the object's remains"
    );

    // A small part before the last, an unknown upload, and an abort.
    let second = s3
        .create_multipart_upload()
        .bucket("bkt")
        .key("small.bin")
        .send()
        .await
        .expect("create");
    let id2 = second.upload_id().expect("id").to_string();
    let mut small = Vec::new();
    for n in [1, 2] {
        let out = s3
            .upload_part()
            .bucket("bkt")
            .key("small.bin")
            .upload_id(&id2)
            .part_number(n)
            .body(ByteStream::from_static(b"tiny"))
            .send()
            .await
            .expect("part");
        small.push((n, out.e_tag().expect("etag").to_string()));
    }
    let err = s3
        .complete_multipart_upload()
        .bucket("bkt")
        .key("small.bin")
        .upload_id(&id2)
        .multipart_upload(completed(&small))
        .send()
        .await
        .expect_err("too small");
    assert_eq!(aws_error(&err).0, "EntityTooSmall");
    s3.abort_multipart_upload()
        .bucket("bkt")
        .key("small.bin")
        .upload_id(&id2)
        .send()
        .await
        .expect("abort");
    let err = s3
        .upload_part()
        .bucket("bkt")
        .key("small.bin")
        .upload_id(&id2)
        .part_number(1)
        .body(ByteStream::from_static(b"late"))
        .send()
        .await
        .expect_err("aborted");
    assert_eq!(aws_error(&err).0, "NoSuchUpload");
    assert_eq!(aws_error(&err).2, 404);
}

#[tokio::test]
async fn copies_batch_deletes_and_conditional_reads() {
    use aws_sdk_s3::types::{
        CompletedMultipartUpload, CompletedPart, Delete, MetadataDirective, ObjectIdentifier,
    };
    let s = TestServer::start();
    let s3 = s3_client(&s.url);
    s3.create_bucket()
        .bucket("src")
        .send()
        .await
        .expect("create");
    s3.create_bucket()
        .bucket("dst")
        .send()
        .await
        .expect("create");
    s3.put_object()
        .bucket("src")
        .key("a.txt")
        .content_type("text/plain")
        .metadata("owner", "ann")
        .body(ByteStream::from_static(b"hello, copy"))
        .send()
        .await
        .expect("put");
    let etag = format!("\"{}\"", md5_hex(b"hello, copy"));

    // COPY (the default) keeps the metadata; REPLACE takes the request's.
    let out = s3
        .copy_object()
        .bucket("dst")
        .key("b.txt")
        .copy_source("src/a.txt")
        .send()
        .await
        .expect("copy");
    assert_eq!(
        out.copy_object_result().and_then(|r| r.e_tag()),
        Some(etag.as_str())
    );
    let copied = s3
        .head_object()
        .bucket("dst")
        .key("b.txt")
        .send()
        .await
        .expect("head");
    assert_eq!(copied.content_type(), Some("text/plain"));
    assert_eq!(
        copied
            .metadata()
            .and_then(|m| m.get("owner"))
            .map(String::as_str),
        Some("ann")
    );
    assert_eq!(get(&s3, "dst", "b.txt").await, b"hello, copy");
    s3.copy_object()
        .bucket("src")
        .key("a.txt")
        .copy_source("src/a.txt")
        .metadata_directive(MetadataDirective::Replace)
        .content_type("text/markdown")
        .send()
        .await
        .expect("copy onto itself with new metadata");
    let replaced = s3
        .head_object()
        .bucket("src")
        .key("a.txt")
        .send()
        .await
        .expect("head");
    assert_eq!(replaced.content_type(), Some("text/markdown"));
    assert!(replaced.metadata().is_none_or(|m| m.is_empty()));
    let err = s3
        .copy_object()
        .bucket("src")
        .key("a.txt")
        .copy_source("src/a.txt")
        .send()
        .await
        .expect_err("onto itself unchanged");
    assert_eq!(aws_error(&err).0, "InvalidRequest");
    let err = s3
        .copy_object()
        .bucket("dst")
        .key("c.txt")
        .copy_source("src/a.txt")
        .copy_source_if_match("\"0000\"")
        .send()
        .await
        .expect_err("source condition");
    assert_eq!(
        (aws_error(&err).0.as_str(), aws_error(&err).2),
        ("PreconditionFailed", 412)
    );
    let err = s3
        .copy_object()
        .bucket("dst")
        .key("c.txt")
        .copy_source("src/missing.txt")
        .send()
        .await
        .expect_err("no source");
    assert_eq!(aws_error(&err).0, "NoSuchKey");

    // Conditional reads.
    let (status, _, _) = http_full(
        &s.url,
        "GET",
        "/src/a.txt",
        &[("if-none-match", &etag)],
        Bytes::new(),
    )
    .await;
    assert_eq!(status, 304);
    let err = s3
        .get_object()
        .bucket("src")
        .key("a.txt")
        .if_match("\"0000\"")
        .send()
        .await
        .expect_err("if-match");
    assert_eq!(aws_error(&err).2, 412);
    let ok = s3
        .get_object()
        .bucket("src")
        .key("a.txt")
        .if_match(etag.as_str())
        .send()
        .await
        .expect("matching if-match");
    assert_eq!(
        ok.body.collect().await.expect("body").to_vec(),
        b"hello, copy"
    );

    // A part copied from a byte range.
    let upload = s3
        .create_multipart_upload()
        .bucket("dst")
        .key("ranged.txt")
        .send()
        .await
        .expect("upload");
    let id = upload.upload_id().expect("id");
    let part = s3
        .upload_part_copy()
        .bucket("dst")
        .key("ranged.txt")
        .upload_id(id)
        .part_number(1)
        .copy_source("src/a.txt")
        .copy_source_range("bytes=7-10")
        .send()
        .await
        .expect("part copy");
    let part_etag = part
        .copy_part_result()
        .and_then(|r| r.e_tag())
        .expect("etag")
        .to_string();
    let err = s3
        .upload_part_copy()
        .bucket("dst")
        .key("ranged.txt")
        .upload_id(id)
        .part_number(2)
        .copy_source("src/a.txt")
        .copy_source_range("bytes=5-100")
        .send()
        .await
        .expect_err("past the end");
    assert_eq!(aws_error(&err).0, "InvalidArgument");
    s3.complete_multipart_upload()
        .bucket("dst")
        .key("ranged.txt")
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(
                    CompletedPart::builder()
                        .part_number(1)
                        .e_tag(part_etag)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("complete");
    assert_eq!(get(&s3, "dst", "ranged.txt").await, b"copy");

    // DeleteObjects: every key reported, a missing one included (deleted already, as on S3).
    let delete = Delete::builder()
        .objects(
            ObjectIdentifier::builder()
                .key("b.txt")
                .build()
                .expect("id"),
        )
        .objects(
            ObjectIdentifier::builder()
                .key("ranged.txt")
                .build()
                .expect("id"),
        )
        .objects(
            ObjectIdentifier::builder()
                .key("never.txt")
                .build()
                .expect("id"),
        )
        .build()
        .expect("delete");
    let out = s3
        .delete_objects()
        .bucket("dst")
        .delete(delete)
        .send()
        .await
        .expect("delete objects");
    let mut keys: Vec<_> = out.deleted().iter().filter_map(|d| d.key()).collect();
    keys.sort();
    assert_eq!(keys, ["b.txt", "never.txt", "ranged.txt"]);
    assert!(out.errors().is_empty());
    let left = s3
        .list_objects_v2()
        .bucket("dst")
        .send()
        .await
        .expect("list");
    assert_eq!(left.key_count(), Some(0));
}

/// The S3 event a notification delivers, as the function (or queue) receives it.
fn assert_record(record: &serde_json::Value, event: &str, key_on_wire: &str, configuration: &str) {
    let r = &record["Records"][0];
    assert_eq!(r["eventVersion"], "2.1");
    assert_eq!(r["eventSource"], "aws:s3");
    assert_eq!(r["awsRegion"], "us-east-1");
    assert_eq!(r["eventName"], event);
    assert!(
        r["eventTime"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z') && t.len() == 24),
        "{r}"
    );
    assert_eq!(r["s3"]["s3SchemaVersion"], "1.0");
    assert_eq!(r["s3"]["configurationId"], configuration);
    assert_eq!(r["s3"]["bucket"]["name"], "photos");
    assert_eq!(r["s3"]["bucket"]["arn"], "arn:aws:s3:::photos");
    assert_eq!(r["s3"]["object"]["key"], key_on_wire);
    assert!(
        r["s3"]["object"]["sequencer"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
}

#[tokio::test]
async fn uploads_notify_a_function_and_a_queue() {
    use aws_sdk_s3::types::{
        Event, FilterRule, FilterRuleName, LambdaFunctionConfiguration, NotificationConfiguration,
        NotificationConfigurationFilter, QueueConfiguration, S3KeyFilter,
    };
    let s = TestServer::start();
    let s3 = s3_client(&s.url);
    let sqs = crate::support::sqs_client(&s.url);
    s.create_rust_echo("on-upload").await;
    let queue = sqs
        .create_queue()
        .queue_name("removed")
        .send()
        .await
        .expect("queue")
        .queue_url
        .expect("url");
    s3.create_bucket()
        .bucket("photos")
        .send()
        .await
        .expect("bucket");

    let jpg_filter = NotificationConfigurationFilter::builder()
        .key(
            S3KeyFilter::builder()
                .filter_rules(
                    FilterRule::builder()
                        .name(FilterRuleName::Prefix)
                        .value("images/")
                        .build(),
                )
                .filter_rules(
                    FilterRule::builder()
                        .name(FilterRuleName::Suffix)
                        .value(".jpg")
                        .build(),
                )
                .build(),
        )
        .build();
    let config = NotificationConfiguration::builder()
        .lambda_function_configurations(
            LambdaFunctionConfiguration::builder()
                .id("thumbnails")
                .lambda_function_arn("arn:aws:lambda:us-east-1:000000000000:function:on-upload")
                .events(Event::S3ObjectCreated)
                .filter(jpg_filter)
                .build()
                .expect("lambda config"),
        )
        .queue_configurations(
            QueueConfiguration::builder()
                .id("removals")
                .queue_arn("arn:aws:sqs:us-east-1:000000000000:removed")
                .events(Event::S3ObjectRemovedDelete)
                .build()
                .expect("queue config"),
        )
        .build();
    s3.put_bucket_notification_configuration()
        .bucket("photos")
        .notification_configuration(config.clone())
        .send()
        .await
        .expect("put notifications");
    // S3 tests each queue and topic of a new configuration with an s3:TestEvent.
    let test_event = crate::support::receive_one(&sqs, &queue).await;
    let test_event: serde_json::Value =
        serde_json::from_str(test_event.body().expect("body")).expect("json");
    assert_eq!(test_event["Event"], "s3:TestEvent", "{test_event}");
    assert_eq!(test_event["Service"], "Amazon S3");
    assert_eq!(test_event["Bucket"], "photos");
    let got = s3
        .get_bucket_notification_configuration()
        .bucket("photos")
        .send()
        .await
        .expect("get notifications");
    assert_eq!(got.lambda_function_configurations().len(), 1);
    assert_eq!(
        got.lambda_function_configurations()[0].id(),
        Some("thumbnails")
    );
    let rules = got.lambda_function_configurations()[0]
        .filter()
        .and_then(|f| f.key())
        .map(|k| k.filter_rules().len());
    assert_eq!(rules, Some(2));
    assert_eq!(
        got.queue_configurations()[0].queue_arn(),
        "arn:aws:sqs:us-east-1:000000000000:removed"
    );

    // A file outside the filter invokes nothing; the photo does, once, with S3's record.
    put(&s3, "photos", "docs/readme.txt", b"no").await;
    put(&s3, "photos", "images/red flower.jpg", b"jpeg bytes").await;
    let events = crate::support::eventually(
        "the S3 event to run",
        std::time::Duration::from_secs(20),
        || async {
            let (_, v) = s.admin("/_lambkin/v1/functions/on-upload/events").await;
            let list = v["events"].as_array().cloned().unwrap_or_default();
            (list.len() == 1 && list[0]["state"] == "succeeded").then_some(list)
        },
    )
    .await;
    let id = events[0]["requestId"].as_str().expect("id");
    let event = s.event(id).await;
    let record = &event["payload"];
    assert_record(
        record,
        "ObjectCreated:Put",
        "images/red+flower.jpg",
        "thumbnails",
    );
    assert_eq!(record["Records"][0]["s3"]["object"]["size"], 10);
    assert_eq!(
        record["Records"][0]["s3"]["object"]["eTag"],
        md5_hex(b"jpeg bytes")
    );

    // A deletion goes to the queue.
    s3.delete_object()
        .bucket("photos")
        .key("images/red flower.jpg")
        .send()
        .await
        .expect("delete");
    let message = crate::support::receive_one(&sqs, &queue).await;
    let record: serde_json::Value =
        serde_json::from_str(message.body().expect("body")).expect("json");
    assert_record(
        &record,
        "ObjectRemoved:Delete",
        "images/red+flower.jpg",
        "removals",
    );
    assert!(record["Records"][0]["s3"]["object"].get("size").is_none());

    // S3's checks of a configuration.
    let bad = [
        (
            NotificationConfiguration::builder()
                .lambda_function_configurations(
                    LambdaFunctionConfiguration::builder()
                        .lambda_function_arn(
                            "arn:aws:lambda:us-east-1:000000000000:function:missing",
                        )
                        .events(Event::S3ObjectCreated)
                        .build()
                        .expect("config"),
                )
                .build(),
            "Unable to validate the following destination configurations",
        ),
        (
            NotificationConfiguration::builder()
                .lambda_function_configurations(
                    LambdaFunctionConfiguration::builder()
                        .lambda_function_arn(
                            "arn:aws:lambda:us-east-1:000000000000:function:on-upload",
                        )
                        .events(Event::S3ObjectCreated)
                        .build()
                        .expect("config"),
                )
                .queue_configurations(
                    QueueConfiguration::builder()
                        .queue_arn("arn:aws:sqs:us-east-1:000000000000:removed")
                        .events(Event::S3ObjectCreatedPut)
                        .build()
                        .expect("config"),
                )
                .build(),
            "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
        ),
    ];
    for (config, message) in bad {
        let err = s3
            .put_bucket_notification_configuration()
            .bucket("photos")
            .notification_configuration(config)
            .send()
            .await
            .expect_err(message);
        assert_eq!(
            aws_error(&err),
            ("InvalidArgument".into(), message.into(), 400)
        );
    }
    // Refused configurations changed nothing.
    let still = s3
        .get_bucket_notification_configuration()
        .bucket("photos")
        .send()
        .await
        .expect("get");
    assert_eq!(
        still.lambda_function_configurations()[0].id(),
        Some("thumbnails")
    );
}

#[tokio::test]
async fn an_acknowledged_upload_is_notified_across_kill_9() {
    use aws_sdk_s3::types::{Event, NotificationConfiguration, QueueConfiguration};
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let mut s = TestServer::start_in(&data, &[]);
    let s3 = s3_client(&s.url);
    let sqs = crate::support::sqs_client(&s.url);
    sqs.create_queue()
        .queue_name("uploads")
        .send()
        .await
        .expect("queue");
    s3.create_bucket()
        .bucket("photos")
        .send()
        .await
        .expect("bucket");
    s3.put_bucket_notification_configuration()
        .bucket("photos")
        .notification_configuration(
            NotificationConfiguration::builder()
                .queue_configurations(
                    QueueConfiguration::builder()
                        .id("all")
                        .queue_arn("arn:aws:sqs:us-east-1:000000000000:uploads")
                        .events(Event::S3ObjectCreated)
                        .build()
                        .expect("config"),
                )
                .build(),
        )
        .send()
        .await
        .expect("notifications");
    let n = 20;
    for i in 0..n {
        put(&s3, "photos", &format!("p{i}.jpg"), b"x").await;
    }
    s.kill9();

    let s = TestServer::start_in(&data, &[]);
    let sqs = crate::support::sqs_client(&s.url);
    let url = format!("{}/000000000000/uploads", s.url);
    let mut keys = std::collections::BTreeSet::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while keys.len() < n {
        assert!(
            std::time::Instant::now() < deadline,
            "only {} of {n} events arrived: {keys:?}",
            keys.len()
        );
        // Long polls: the wait is on the queue, not a sleep.
        let out = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive");
        for m in out.messages() {
            let record: serde_json::Value =
                serde_json::from_str(m.body().expect("body")).expect("json");
            // The configuration's s3:TestEvent (at least once, like every delivery).
            if record["Event"] == "s3:TestEvent" {
                continue;
            }
            let key = record["Records"][0]["s3"]["object"]["key"]
                .as_str()
                .expect("key");
            keys.insert(key.to_string());
        }
    }
}

/// Functions get `AWS_ENDPOINT_URL` (this server), and a function written for the AWS SDK for
/// JavaScript v2, which ignores that variable, finds `aws-sdk` pointed at lambkin with
/// path-style S3. (A stand-in `aws-sdk` module records the configuration it was given; the real
/// one runs in the thumbnail pipeline's test.)
#[tokio::test]
async fn functions_reach_lambkin_through_aws_endpoint_url() {
    use aws_sdk_lambda::primitives::Blob;
    use aws_sdk_lambda::types::Runtime;
    let s = TestServer::start();
    let s3 = s3_client(&s.url);
    s3.create_bucket()
        .bucket("bkt")
        .send()
        .await
        .expect("bucket");
    put(&s3, "bkt", "greeting.txt", b"hello from S3").await;
    let handler = r#"
const http = require('http');
const AWS = require('aws-sdk');
exports.handler = async (event) => {
  const url = new URL(`/${event.bucket}/${event.key}`, process.env.AWS_ENDPOINT_URL);
  const body = await new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve(data));
    }).on('error', reject);
  });
  return { endpoint: process.env.AWS_ENDPOINT_URL, body, sdk: AWS.config.applied };
};
"#;
    let stand_in = "module.exports = { config: { update(o) { this.applied = o; } } };\n";
    let zip = crate::support::zip_with(&[
        ("index.js", handler, 0o644),
        ("node_modules/aws-sdk/index.js", stand_in, 0o644),
    ]);
    s.create("reader", Runtime::Nodejs20x, "index.handler", zip)
        .await;
    let out = s
        .lambda
        .invoke()
        .function_name("reader")
        .payload(Blob::new(r#"{"bucket":"bkt","key":"greeting.txt"}"#))
        .send()
        .await
        .expect("invoke");
    assert_eq!(out.function_error(), None, "{:?}", out.payload());
    let v = crate::support::payload_json(out.payload());
    assert_eq!(v["endpoint"], s.url.as_str());
    assert_eq!(v["body"], "hello from S3");
    assert_eq!(
        v["sdk"],
        serde_json::json!({ "endpoint": s.url, "s3ForcePathStyle": true })
    );
}

/// CreateFunction and UpdateFunctionCode take the package from lambkin's S3 (`S3Bucket`,
/// `S3Key`), as SAM and most deploy tools upload it.
#[tokio::test]
async fn function_code_from_s3() {
    use aws_sdk_lambda::primitives::Blob;
    use aws_sdk_lambda::types::{FunctionCode, Runtime};
    let s = TestServer::start();
    let s3 = s3_client(&s.url);
    s3.create_bucket()
        .bucket("deploys")
        .send()
        .await
        .expect("bucket");
    let v1 =
        crate::support::zip_with(&[("index.js", "exports.handler = async () => 'v1';\n", 0o644)]);
    let v2 =
        crate::support::zip_with(&[("index.js", "exports.handler = async () => 'v2';\n", 0o644)]);
    put(&s3, "deploys", "app/v1.zip", &v1).await;
    put(&s3, "deploys", "app/v2.zip", &v2).await;
    let created = s
        .lambda
        .create_function()
        .function_name("from-s3")
        .runtime(Runtime::Nodejs20x)
        .handler("index.handler")
        .role(crate::support::ROLE)
        .code(
            FunctionCode::builder()
                .s3_bucket("deploys")
                .s3_key("app/v1.zip")
                .build(),
        )
        .send()
        .await
        .expect("create from S3");
    let sha = |zip: &[u8]| {
        use base64::Engine as _;
        use sha2::Digest as _;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(zip))
    };
    assert_eq!(created.code_sha256(), Some(sha(&v1).as_str()));
    let invoke = |s: &TestServer| {
        let lambda = s.lambda.clone();
        async move {
            let out = lambda
                .invoke()
                .function_name("from-s3")
                .payload(Blob::new("{}"))
                .send()
                .await
                .expect("invoke");
            crate::support::payload_json(out.payload())
        }
    };
    assert_eq!(invoke(&s).await, "v1");
    let updated = s
        .lambda
        .update_function_code()
        .function_name("from-s3")
        .s3_bucket("deploys")
        .s3_key("app/v2.zip")
        .send()
        .await
        .expect("update from S3");
    assert_eq!(updated.code_sha256(), Some(sha(&v2).as_str()));
    assert_eq!(invoke(&s).await, "v2");
    let err = s
        .lambda
        .update_function_code()
        .function_name("from-s3")
        .s3_bucket("deploys")
        .s3_key("app/missing.zip")
        .send()
        .await
        .expect_err("missing key");
    assert_eq!(
        aws_error(&err),
        (
            "InvalidParameterValueException".into(),
            "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.".into(),
            400
        )
    );
}

/// A topic configuration publishes the record with S3's subject; here the topic fans it out to
/// a queue, where it arrives in SNS's envelope.
#[tokio::test]
async fn uploads_notify_a_topic() {
    use aws_sdk_s3::types::{Event, NotificationConfiguration, TopicConfiguration};
    let s = TestServer::start();
    let s3 = s3_client(&s.url);
    let sqs = crate::support::sqs_client(&s.url);
    let sns = crate::support::sns_client(&s.url);
    let queue = sqs
        .create_queue()
        .queue_name("fanned")
        .send()
        .await
        .expect("queue")
        .queue_url
        .expect("url");
    let topic = crate::support::create_topic(&sns, "uploads").await;
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint("arn:aws:sqs:us-east-1:000000000000:fanned")
        .send()
        .await
        .expect("subscribe");
    s3.create_bucket()
        .bucket("photos")
        .send()
        .await
        .expect("bucket");
    s3.put_bucket_notification_configuration()
        .bucket("photos")
        .notification_configuration(
            NotificationConfiguration::builder()
                .topic_configurations(
                    TopicConfiguration::builder()
                        .id("to-topic")
                        .topic_arn(&topic)
                        .events(Event::S3ObjectCreatedPut)
                        .build()
                        .expect("config"),
                )
                .build(),
        )
        .send()
        .await
        .expect("notifications");
    // The topic gets the configuration's s3:TestEvent first, with S3's subject.
    let message = crate::support::receive_one(&sqs, &queue).await;
    let envelope: serde_json::Value =
        serde_json::from_str(message.body().expect("body")).expect("envelope");
    assert_eq!(envelope["Subject"], "Amazon S3 Notification");
    let test_event: serde_json::Value =
        serde_json::from_str(envelope["Message"].as_str().expect("message")).expect("event");
    assert_eq!(test_event["Event"], "s3:TestEvent", "{test_event}");
    sqs.delete_message()
        .queue_url(&queue)
        .receipt_handle(message.receipt_handle().expect("handle"))
        .send()
        .await
        .expect("delete");
    put(&s3, "photos", "a b.png", b"png").await;
    let message = crate::support::receive_one(&sqs, &queue).await;
    let envelope: serde_json::Value =
        serde_json::from_str(message.body().expect("body")).expect("envelope");
    assert_eq!(envelope["Type"], "Notification");
    assert_eq!(envelope["Subject"], "Amazon S3 Notification");
    let record: serde_json::Value =
        serde_json::from_str(envelope["Message"].as_str().expect("message")).expect("record");
    assert_record(&record, "ObjectCreated:Put", "a+b.png", "to-topic");
}
