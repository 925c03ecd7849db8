//! `POST /`, shared by the services whose protocols address the endpoint root: SQS (JSON,
//! operation in `X-Amz-Target`) and SNS (query, operation in the form body's `Action`).

use axum::Router;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use bytes::Bytes;
use lambkin_engine::Engine;

use crate::{sns, sqs};

/// An SQS batch is at most 1 MiB of messages, an SNS batch 256 KiB; JSON escaping can grow a
/// body several times. Far below the 70 MB the Lambda control plane needs for zips.
const BODY_LIMIT: usize = 8 * 1024 * 1024;

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/", post(dispatch))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

async fn dispatch(
    State(engine): State<Engine>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix("AmazonSQS."))
        .map(str::to_owned);
    let body = match body {
        Ok(b) => b,
        Err(rejection) => {
            let why = rejection.body_text();
            return match target {
                Some(_) => sqs::unreadable_body(&why),
                None => sns::unreadable_body(&why),
            };
        }
    };
    match target {
        Some(operation) => sqs::dispatch(engine, &operation, headers, body).await,
        None => sns::dispatch(engine, headers, body).await,
    }
}
