//! lambkin's HTTP surfaces, all on one listener:
//! - `lambda/`: the AWS Lambda REST-JSON API, paths and shapes exactly as AWS's, routed by
//!   path; its error writer is `lambda/error.rs` ([`AwsError`]).
//! - `sqs/`: Amazon SQS in the JSON protocol, and `sqs/query/` in the query protocol; the
//!   operations are named once in `sqs/operation.rs`, errors written by `sqs/error.rs` and
//!   `sqs/query/error.rs`.
//! - `sns/`: Amazon SNS in the query protocol, errors written by `sns/error.rs`.
//! - `shared_endpoint.rs`: routes a `POST /` (and SQS queue URLs) to SQS or SNS by
//!   `X-Amz-Target`, or by the form's `Action` and `Version`; `query_protocol/` holds the form
//!   decoding and XML writing SQS's query protocol and SNS share.
//! - `admin/`: lambkin's own small API under `/_lambkin/`, used by the CLI (inspect, logs,
//!   redrive), answering with the engine's view types; errors in Lambda's shape.
//! - `metrics.rs`: the Prometheus scrape endpoint, `GET /metrics`.
//!
//! Each handler is named after its operation, decodes the wire shape, makes one call on the
//! engine (or on the SQS or SNS service the engine hands out), and encodes the answer. Each
//! service has one error writer, beside its handlers. Requests are accepted signed (any SigV4
//! credentials) or unsigned; authentication comes later.

mod admin;
mod dynamodb;
mod events;
mod lambda;
mod metrics;
mod operations;
mod query_protocol;
mod request_id;
mod s3;
mod scheduler;
mod shared_endpoint;
mod sns;
mod sqs;
mod trace;

use std::future::Future;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use lambkin_engine::Engine;
use tokio::net::TcpListener;

pub use lambda::AwsError;

/// Control-plane bodies carry base64 zips: AWS's 50 MB upload limit is ~67 MB encoded.
const CONTROL_BODY_LIMIT: usize = 70 * 1024 * 1024;

pub fn router(engine: Engine) -> Router {
    let s3 = std::sync::Arc::new(s3::service(&engine));
    // S3 is told apart before routing: its paths are any bucket and key (s3/routing.rs).
    let to_s3 = axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let s3 = s3.clone();
            async move {
                if s3::routing::is_s3(request.method(), request.uri(), request.headers()) {
                    s3::serve(&s3, request).await
                } else {
                    next.run(request).await
                }
            }
        },
    );
    Router::new()
        .merge(lambda::routes())
        .merge(admin::routes())
        .merge(metrics::routes())
        .merge(shared_endpoint::routes())
        .merge(scheduler::routes())
        .fallback(unknown_operation)
        .layer(axum::middleware::map_response(request_id::ensure))
        .layer(DefaultBodyLimit::max(CONTROL_BODY_LIMIT))
        .with_state(engine)
        .layer(to_s3)
}

/// Operations lambkin does not implement (see docs/api-compat.md) still get an AWS-shaped answer,
/// naming the Lambda operation when the route is one of Lambda's.
async fn unknown_operation(method: axum::http::Method, uri: axum::http::Uri) -> AwsError {
    let message = match lambda::operation(method.as_str(), uri.path(), uri.query().unwrap_or("")) {
        Some(op) => format!("lambkin does not implement Lambda {op} (see docs/api-compat.md)"),
        None => format!(
            "lambkin does not implement {method} {} (see docs/api-compat.md)",
            uri.path()
        ),
    };
    AwsError::new(
        axum::http::StatusCode::NOT_FOUND,
        "UnknownOperationException",
        message,
    )
}

/// Serves until `shutdown` resolves, then stops accepting and finishes open requests.
pub async fn serve<F>(listener: TcpListener, engine: Engine, shutdown: F) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    use axum::serve::ListenerExt;
    let app = router(engine);
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app.into_make_service())
        .with_graceful_shutdown(shutdown)
        .await
}
