//! `POST /`, shared by the services whose protocols address the endpoint root: SQS (JSON,
//! operation in `X-Amz-Target`) and SNS (query, operation in the form body's `Action`).

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use bytes::Bytes;
use lambkin_engine::Engine;

use crate::{sns, sqs};

pub(crate) fn routes() -> Router<Engine> {
    Router::new().route("/", post(dispatch))
}

async fn dispatch(State(engine): State<Engine>, headers: HeaderMap, body: Bytes) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix("AmazonSQS."))
        .map(str::to_owned);
    match target {
        Some(operation) => sqs::dispatch(engine, &operation, headers, body).await,
        None => sns::dispatch(engine, headers, body).await,
    }
}
