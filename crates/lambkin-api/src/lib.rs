//! lambkin's HTTP surfaces: the AWS Lambda REST-JSON API (`lambda/`, paths and shapes exactly
//! as AWS), lambkin's own small API (`admin/`, under `/_lambkin/`) used by the CLI, and the
//! Prometheus scrape endpoint (`metrics.rs`, `GET /metrics`).
//!
//! Each handler is named after its operation, decodes the wire shape, makes one call on
//! [`lambkin_engine::Engine`], and encodes the answer. [`error::AwsError`] is the only place
//! that writes AWS error responses. Requests are accepted signed (any SigV4 credentials) or
//! unsigned; authentication comes later.

mod admin;
mod error;
mod lambda;
mod metrics;
mod query_protocol;
mod request_id;
mod shared_endpoint;
mod sns;
mod sqs;

use std::future::Future;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use lambkin_engine::Engine;
use tokio::net::TcpListener;

pub use error::AwsError;

/// Control-plane bodies carry base64 zips: AWS's 50 MB upload limit is ~67 MB encoded.
const CONTROL_BODY_LIMIT: usize = 70 * 1024 * 1024;

pub fn router(engine: Engine) -> Router {
    Router::new()
        .merge(lambda::routes())
        .merge(admin::routes())
        .merge(metrics::routes())
        .merge(shared_endpoint::routes())
        .fallback(unknown_operation)
        .layer(axum::middleware::map_response(request_id::ensure))
        .layer(DefaultBodyLimit::max(CONTROL_BODY_LIMIT))
        .with_state(engine)
}

/// Operations lambkin does not implement (see docs/api-compat.md) still get an AWS-shaped answer.
async fn unknown_operation(method: axum::http::Method, uri: axum::http::Uri) -> AwsError {
    AwsError::new(
        axum::http::StatusCode::NOT_FOUND,
        "UnknownOperationException",
        format!(
            "lambkin does not implement {method} {} (see docs/api-compat.md)",
            uri.path()
        ),
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
