//! `POST /`, shared by the services whose protocols address the endpoint root, and the SQS
//! queue URLs (`POST /<account>/<queue>`) that query-era SDKs send queue operations to, and
//! that older clients and presigned URLs address with `GET /<account>/<queue>?Action=…`.
//!
//! A request is routed by its protocol: `X-Amz-Target: AmazonSQS.*` is SQS's JSON protocol; a
//! form body is the query protocol of SQS when its `Version` is `2012-11-05` or its `Action`
//! exists only in SQS, and of SNS otherwise (`2010-03-31`, SNS's actions, and forms without an
//! action, which SNS answers as it always has).

use axum::Router;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use lambkin_engine::Engine;

use crate::query_protocol::Form;
use crate::{dynamodb, events, sns, sqs};

/// An SQS batch is at most 1 MiB of messages, an SNS batch 256 KiB; JSON escaping can grow a
/// body several times. Far below the 70 MB the Lambda control plane needs for zips.
const BODY_LIMIT: usize = 8 * 1024 * 1024;

pub(crate) fn routes() -> Router<Engine> {
    // Other methods on these paths (GET on an unimplemented Lambda route such as
    // `/2018-10-31/layers`, or a query-protocol GET) get the AWS-shaped unknown-operation
    // answer, not a bare 405.
    Router::new()
        .route("/", post(dispatch).fallback(crate::unknown_operation))
        .route(
            "/{account}/{queue}",
            post(dispatch_to_queue_url)
                .merge(get(query_to_queue_url))
                .fallback(crate::unknown_operation),
        )
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// The service a query-protocol form is for.
#[derive(Debug, PartialEq, Eq)]
enum QueryService {
    Sqs,
    Sns,
}

fn sqs_target(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix("AmazonSQS."))
        .map(str::to_owned)
}

/// The query protocol's service, from the form's `Version` and `Action`. An action only SQS
/// has goes to SQS whatever the version, so SQS answers it (AWS would refuse the version).
fn query_service(form: &Form) -> QueryService {
    let sqs_version = form.get("Version") == Some(sqs::query::VERSION);
    let sqs_action = form.get("Action").is_some_and(sqs::is_sqs_only_action);
    if sqs_version || sqs_action {
        QueryService::Sqs
    } else {
        QueryService::Sns
    }
}

async fn dispatch(
    State(engine): State<Engine>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let target = sqs_target(&headers);
    if let Some(operation) = dynamodb::target(&headers) {
        return match body {
            Ok(body) => dynamodb::dispatch(engine, &operation, body).await,
            Err(rejection) => dynamodb::unreadable_body(&rejection.body_text()),
        };
    }
    if let Some(operation) = events::target(&headers) {
        return match body {
            Ok(body) => events::dispatch(engine, &operation, headers, body).await,
            Err(rejection) => events::unreadable_body(&rejection.body_text()),
        };
    }
    let body = match body {
        Ok(b) => b,
        // Too large or cut off: the form cannot tell the service, so the error follows the
        // header (JSON) or falls to SNS, as before the SQS query protocol was served.
        Err(rejection) => {
            let why = rejection.body_text();
            return match target {
                Some(_) => sqs::unreadable_body(&why),
                None => sns::unreadable_body(&why),
            };
        }
    };
    if let Some(operation) = target {
        return sqs::dispatch(engine, &operation, headers, body).await;
    }
    let form = Form::parse(&body);
    match query_service(&form) {
        QueryService::Sqs => sqs::query::dispatch(engine, headers, form, None).await,
        QueryService::Sns => sns::dispatch(engine, headers, form).await,
    }
}

/// `POST /<account>/<queue>`: query-era SDKs (Java v1, Go v1, old botocore) send queue
/// operations to the queue URL; its path names the queue when the form has no `QueueUrl`.
/// Only an account-shaped first segment (12 digits) is SQS's; other paths stay unknown routes.
async fn dispatch_to_queue_url(
    State(engine): State<Engine>,
    Path((account, queue)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if !is_account(&account) {
        return crate::unknown_operation(method, uri).await.into_response();
    }
    let target = sqs_target(&headers);
    let body = match body {
        Ok(b) => b,
        Err(rejection) => {
            let why = rejection.body_text();
            return match target {
                Some(_) => sqs::unreadable_body(&why),
                None => sqs::query::unreadable_body(&why),
            };
        }
    };
    match target {
        Some(operation) => sqs::dispatch(engine, &operation, headers, body).await,
        None => {
            let form = Form::parse(&body);
            let path = format!("/{account}/{queue}");
            sqs::query::dispatch(engine, headers, form, Some(path)).await
        }
    }
}

/// Whether a path's first segment is an account id (12 digits), as in a queue URL.
fn is_account(segment: &str) -> bool {
    segment.len() == 12 && segment.bytes().all(|b| b.is_ascii_digit())
}

/// `GET /<account>/<queue>?Action=…`: the query protocol with the parameters in the query
/// string, as SQS serves it on queue URLs.
async fn query_to_queue_url(
    State(engine): State<Engine>,
    Path((account, queue)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if !is_account(&account) {
        return crate::unknown_operation(method, uri).await.into_response();
    }
    let form = Form::parse(uri.query().unwrap_or_default().as_bytes());
    if form.get("Action").is_none() {
        return sqs::query::unknown_operation();
    }
    let path = format!("/{account}/{queue}");
    sqs::query::dispatch(engine, headers, form, Some(path)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_forms_go_to_the_service_they_name() {
        let cases = [
            ("Action=SendMessage&Version=2012-11-05", QueryService::Sqs),
            ("Action=AddPermission&Version=2012-11-05", QueryService::Sqs),
            ("Action=CreateQueue", QueryService::Sqs),
            ("Action=Publish&Version=2010-03-31", QueryService::Sns),
            ("Action=AddPermission", QueryService::Sns),
            ("Action=CreateTopic", QueryService::Sns),
            ("Action=CreateQueue&Version=2010-03-31", QueryService::Sqs),
            ("Action=Subscribe&Version=2010-03-31", QueryService::Sns),
            ("", QueryService::Sns),
        ];
        for (body, service) in cases {
            assert_eq!(
                query_service(&Form::parse(body.as_bytes())),
                service,
                "{body}"
            );
        }
    }
}
