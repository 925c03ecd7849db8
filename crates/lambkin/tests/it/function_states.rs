//! What clients and waiters poll: a function's State and LastUpdateStatus, its RevisionId on
//! every change, and GetFunction's `Code.Location`, a link that downloads the zip.

use aws_sdk_lambda::client::Waiters;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, LastUpdateStatus, Runtime, State, StateReasonCode};
use bytes::Bytes;

use crate::support::{ROLE, TestServer, http_full, zip_fixture};

#[tokio::test]
async fn created_pending_then_active_updated_in_progress_then_successful() {
    let s = TestServer::start();
    let created = s
        .lambda
        .create_function()
        .function_name("f")
        .runtime(Runtime::Nodejs20x)
        .handler("index.handler")
        .role(ROLE)
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(zip_fixture("node-echo-cjs")))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.state(), Some(&State::Pending));
    assert_eq!(
        created.state_reason(),
        Some("The function is being created.")
    );
    assert_eq!(
        created.state_reason_code(),
        Some(&StateReasonCode::Creating)
    );
    assert_eq!(created.last_update_status(), None);

    // Every later read sees the finished state, so the SDK's waiter passes at once.
    s.lambda
        .wait_until_function_active_v2()
        .function_name("f")
        .wait(std::time::Duration::from_secs(10))
        .await
        .unwrap();
    let got = s
        .lambda
        .get_function_configuration()
        .function_name("f")
        .send()
        .await
        .unwrap();
    assert_eq!(got.state(), Some(&State::Active));
    assert_eq!(
        got.last_update_status(),
        Some(&LastUpdateStatus::Successful)
    );
    assert_eq!(got.state_reason(), None);

    let updated = s
        .lambda
        .update_function_configuration()
        .function_name("f")
        .timeout(10)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.state(), Some(&State::Active));
    assert_eq!(
        updated.last_update_status(),
        Some(&LastUpdateStatus::InProgress)
    );
    assert_eq!(
        updated.last_update_status_reason(),
        Some("The function is being created.")
    );
    s.lambda
        .wait_until_function_updated_v2()
        .function_name("f")
        .wait(std::time::Duration::from_secs(10))
        .await
        .unwrap();

    let code = s
        .lambda
        .update_function_code()
        .function_name("f")
        .zip_file(Blob::new(zip_fixture("node-echo-esm")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        code.last_update_status(),
        Some(&LastUpdateStatus::InProgress)
    );
}

#[tokio::test]
async fn every_change_gets_a_new_revision_id_and_preconditions_hold() {
    let s = TestServer::start();
    s.create_node("f", "node-echo-cjs", "index.handler").await;
    let revision = |s: &TestServer| {
        let lambda = s.lambda.clone();
        async move {
            lambda
                .get_function_configuration()
                .function_name("f")
                .send()
                .await
                .unwrap()
                .revision_id()
                .unwrap()
                .to_string()
        }
    };
    let r1 = revision(&s).await;
    s.lambda
        .update_function_configuration()
        .function_name("f")
        .description("second")
        .revision_id(&r1)
        .send()
        .await
        .unwrap();
    let r2 = revision(&s).await;
    assert_ne!(r1, r2, "a configuration change");
    s.reserve("f", 3).await;
    let r3 = revision(&s).await;
    assert_ne!(r2, r3, "a reserved concurrency change");
    s.lambda
        .delete_function_concurrency()
        .function_name("f")
        .send()
        .await
        .unwrap();
    let r4 = revision(&s).await;
    assert_ne!(r3, r4, "removing the reservation");

    // A stale RevisionId refuses the change, the current one allows it.
    let err = s
        .lambda
        .update_function_code()
        .function_name("f")
        .zip_file(Blob::new(zip_fixture("node-echo-esm")))
        .revision_id(&r1)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        err.into_service_error(),
        aws_sdk_lambda::operation::update_function_code::UpdateFunctionCodeError::PreconditionFailedException(_)
    ));
    assert_eq!(revision(&s).await, r4, "a refused change changes nothing");
    let out = s
        .lambda
        .update_function_code()
        .function_name("f")
        .zip_file(Blob::new(zip_fixture("node-echo-esm")))
        .revision_id(&r4)
        .send()
        .await
        .unwrap();
    assert_ne!(out.revision_id(), Some(r4.as_str()), "a code change");
}

#[tokio::test]
async fn code_location_downloads_the_uploaded_zip() {
    use base64::Engine as _;
    use sha2::Digest as _;
    let s = TestServer::start();
    s.create_node("f", "node-echo-cjs", "index.handler").await;
    let got = s
        .lambda
        .get_function()
        .function_name("f")
        .send()
        .await
        .unwrap();
    let code = got.code().unwrap();
    assert_eq!(code.repository_type(), Some("S3"));
    let location = code.location().unwrap();
    let host = s.url.trim_start_matches("http://");
    let path = location
        .strip_prefix(&format!("http://{host}"))
        .unwrap_or_else(|| panic!("a link on the address the client used: {location}"));
    assert!(
        path.contains("Expires=") && path.contains("Signature="),
        "{location}"
    );

    let (status, headers, zip) = http_full(&s.url, "GET", path, &[], Bytes::new()).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/zip");
    let sha = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&zip));
    assert_eq!(
        Some(sha.as_str()),
        got.configuration().unwrap().code_sha256(),
        "the very zip that was uploaded"
    );

    // A link whose signature does not match is refused, as S3 refuses one.
    let tampered = path.replace("Expires=", "Expires=1");
    let (status, _, body) = http_full(&s.url, "GET", &tampered, &[], Bytes::new()).await;
    assert_eq!(status, 403);
    assert!(
        String::from_utf8_lossy(&body).contains("<Code>SignatureDoesNotMatch</Code>"),
        "{body:?}"
    );
}
