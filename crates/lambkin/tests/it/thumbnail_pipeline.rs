//! The seed article's thumbnail pipeline, end to end: `examples/thumbnail-pipeline/function`
//! (the article's code, unchanged) installed with npm (`aws-sdk` v2 and `sharp`), deployed, and
//! triggered by an S3 upload; the thumbnail it writes must decode as a 200×200 JPEG.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    Event, FilterRule, FilterRuleName, LambdaFunctionConfiguration, NotificationConfiguration,
    NotificationConfigurationFilter, S3KeyFilter,
};

use crate::support::{ROLE, TestServer, s3_client};

fn example() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/thumbnail-pipeline")
}

/// Copies the function's folder (without any node_modules) and installs its packages; the
/// test fails, with npm's output, if npm cannot.
fn install(into: &Path) {
    let from = example().join("function");
    std::fs::create_dir_all(into).expect("dir");
    for file in ["index.js", "package.json", "package-lock.json"] {
        std::fs::copy(from.join(file), into.join(file)).expect("copy");
    }
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(into)
        .output()
        .unwrap_or_else(|e| panic!("the thumbnail pipeline test needs npm (Node.js 20): {e}"));
    assert!(
        out.status.success(),
        "npm could not install aws-sdk and sharp for the thumbnail pipeline (is the npm registry reachable?):\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Width and height from a JPEG's start-of-frame segment.
fn jpeg_size(bytes: &[u8]) -> Option<(u16, u16)> {
    if bytes.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut i = 2;
    while i + 9 < bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        let length = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        if (0xC0..=0xC3).contains(&marker) {
            let height = u16::from_be_bytes([bytes[i + 5], bytes[i + 6]]);
            let width = u16::from_be_bytes([bytes[i + 7], bytes[i + 8]]);
            return Some((width, height));
        }
        i += 2 + length;
    }
    None
}

#[tokio::test]
async fn an_upload_makes_a_200_by_200_thumbnail() {
    let work = tempfile::tempdir().expect("tempdir");
    let function_dir = work.path().join("function");
    install(&function_dir);
    let zip = lambkin_engine::zip_folder(&function_dir).expect("zip");

    let s = TestServer::start();
    let s3 = s3_client(&s.url);
    s3.create_bucket()
        .bucket("photos")
        .send()
        .await
        .expect("bucket");
    s.lambda
        .create_function()
        .function_name("make-thumbnail")
        .runtime(Runtime::Nodejs20x)
        .handler("index.handler")
        .role(ROLE)
        .timeout(30)
        .memory_size(1024)
        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
        .send()
        .await
        .expect("create function");
    s3.put_bucket_notification_configuration()
        .bucket("photos")
        .notification_configuration(
            NotificationConfiguration::builder()
                .lambda_function_configurations(
                    LambdaFunctionConfiguration::builder()
                        .id("thumbnails")
                        .lambda_function_arn(
                            "arn:aws:lambda:us-east-1:000000000000:function:make-thumbnail",
                        )
                        .events(Event::S3ObjectCreated)
                        .filter(
                            NotificationConfigurationFilter::builder()
                                .key(
                                    S3KeyFilter::builder()
                                        .filter_rules(
                                            FilterRule::builder()
                                                .name(FilterRuleName::Prefix)
                                                .value("uploads/")
                                                .build(),
                                        )
                                        .build(),
                                )
                                .build(),
                        )
                        .build()
                        .expect("config"),
                )
                .build(),
        )
        .send()
        .await
        .expect("notification");

    let image = std::fs::read(example().join("image.jpg")).expect("image.jpg");
    assert_eq!(jpeg_size(&image), Some((640, 480)));
    s3.put_object()
        .bucket("photos")
        .key("uploads/image.jpg")
        .content_type("image/jpeg")
        .body(ByteStream::from(image))
        .send()
        .await
        .expect("upload");

    // A cold Node process loads aws-sdk and sharp first: allow a minute.
    let deadline = Instant::now() + Duration::from_secs(60);
    let thumbnail = loop {
        match s3
            .get_object()
            .bucket("photos")
            .key("thumbnails/uploads/image.jpg")
            .send()
            .await
        {
            Ok(out) => {
                assert_eq!(out.content_type(), Some("image/jpeg"));
                break out.body.collect().await.expect("body").to_vec();
            }
            Err(_) => {
                if Instant::now() > deadline {
                    let log = s.log_text("make-thumbnail").await;
                    panic!("no thumbnail after 60 s; the function's log:\n{log}");
                }
                // Polling S3 for the object (no event to wait on from outside).
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    };
    assert_eq!(jpeg_size(&thumbnail), Some((200, 200)));

    // One async invocation, succeeded, and the article's log line.
    let (_, events) = s
        .admin("/_lambkin/v1/functions/make-thumbnail/events")
        .await;
    let list = events["events"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 1, "{events}");
    assert_eq!(list[0]["state"], "succeeded");
    let log = s.log_with("make-thumbnail", "Thumbnail created").await;
    assert!(
        log.contains("Thumbnail created: thumbnails/uploads/image.jpg"),
        "{log}"
    );

    // The article's literal setup: every upload to the bucket triggers the function, so its
    // own thumbnails do too (thumbnails/thumbnails/…). aws-sdk v2 sends the trace header back,
    // and the loop is stopped after 16 invocations, as on AWS.
    s3.create_bucket()
        .bucket("whole-bucket")
        .send()
        .await
        .expect("bucket");
    s3.put_bucket_notification_configuration()
        .bucket("whole-bucket")
        .notification_configuration(
            NotificationConfiguration::builder()
                .lambda_function_configurations(
                    LambdaFunctionConfiguration::builder()
                        .lambda_function_arn(
                            "arn:aws:lambda:us-east-1:000000000000:function:make-thumbnail",
                        )
                        .events(Event::S3ObjectCreated)
                        .build()
                        .expect("config"),
                )
                .build(),
        )
        .send()
        .await
        .expect("notification");
    s3.put_object()
        .bucket("whole-bucket")
        .key("image.jpg")
        .content_type("image/jpeg")
        .body(ByteStream::from(
            std::fs::read(example().join("image.jpg")).expect("image.jpg"),
        ))
        .send()
        .await
        .expect("upload");
    let stopped = crate::support::eventually(
        "the loop to be stopped",
        Duration::from_secs(120),
        || async {
            let (_, events) = s
                .admin("/_lambkin/v1/functions/make-thumbnail/events?limit=100")
                .await;
            let list = events["events"].as_array().cloned().unwrap_or_default();
            list.iter()
                .find(|e| e["state"] == "failed")
                .map(|e| (e.clone(), list.len()))
        },
    )
    .await;
    let (failed, events) = stopped;
    assert_eq!(
        failed["condition"], "RecursiveInvocationException",
        "{failed}"
    );
    assert_eq!(
        events,
        1 + 17,
        "the first pipeline's event, 16 runs and the stopped one"
    );
    let keys: Vec<String> = s3
        .list_objects_v2()
        .bucket("whole-bucket")
        .send()
        .await
        .expect("list")
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect();
    assert_eq!(keys.len(), 17, "the upload and 16 thumbnails: {keys:?}");
    let deepest = format!("{}image.jpg", "thumbnails/".repeat(16));
    assert!(keys.contains(&deepest), "{keys:?}");
}

#[test]
fn jpeg_sizes() {
    let image = std::fs::read(example().join("image.jpg")).expect("image.jpg");
    assert_eq!(jpeg_size(&image), Some((640, 480)));
    assert_eq!(jpeg_size(b"not a jpeg"), None);
}
