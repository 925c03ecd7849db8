//! The Lambda Runtime API (`2018-06-01`) of one environment, served on its own port.
//!
//! Measured against the real clients (Rust `lambda_runtime`, `awslambdaric`, Node's RIC):
//! `next` always carries `Content-Type`, and never answers a healthy environment with an error
//! status — a runtime that calls `next` simply waits until there is work.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use lambkin_model::RequestId;
use lambkin_model::limits::RESPONSE_PAYLOAD_MAX;
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot, watch};

use crate::Invocation;

const PREFIX: &str = "/2018-06-01/runtime/";

/// Where an environment is in its life, as the invoking side needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Process started, no `next` yet (init running).
    Starting,
    /// The runtime has called `next` at least once.
    Ready,
    /// The runtime reported `init/error`.
    InitFailed,
    /// The process is gone.
    Exited,
}

/// What the runtime (or its death) said about an invocation.
#[derive(Debug)]
pub(crate) enum RuntimeReply {
    Response(Bytes),
    Error {
        body: Bytes,
        error_type: String,
        message: String,
    },
    /// The response exceeded 6 MB.
    TooLarge,
    /// The process exited; `status` as from `ExitStatus`'s description.
    Exited(ExitReason),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ExitReason {
    Code(i32),
    Signal(i32),
}

/// An invocation waiting to be picked up by `next`.
#[derive(Debug)]
pub(crate) struct Handoff {
    pub invocation: Invocation,
    pub deadline_ms: i64,
    pub reply: oneshot::Sender<RuntimeReply>,
}

#[derive(Debug, Default)]
pub(crate) struct SlotState {
    pub pending: Option<Handoff>,
    current: Option<(RequestId, oneshot::Sender<RuntimeReply>)>,
    last_done: Option<RequestId>,
    pub init_error: Option<(Bytes, String, String)>,
    pub ready_at: Option<Instant>,
    pub exit: Option<ExitReason>,
}

/// State shared between the environment (invoking side) and its Runtime API server.
#[derive(Debug)]
pub(crate) struct Slot {
    pub state: Mutex<SlotState>,
    pub work: Notify,
    pub phase: watch::Sender<Phase>,
}

impl Slot {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Slot {
            state: Mutex::new(SlotState::default()),
            work: Notify::new(),
            phase: watch::Sender::new(Phase::Starting),
        })
    }

    /// The process is gone: every invocation waiting on it learns why.
    pub(crate) fn exited(&self, reason: ExitReason) {
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        st.exit = Some(reason.clone());
        self.phase.send_replace(Phase::Exited);
        if let Some((_, reply)) = st.current.take() {
            let _ = reply.send(RuntimeReply::Exited(reason.clone()));
        }
        if let Some(h) = st.pending.take() {
            let _ = h.reply.send(RuntimeReply::Exited(reason));
        }
    }
}

/// Binds 127.0.0.1:0 and serves the Runtime API for `slot` until the task is aborted.
pub(crate) async fn serve(
    slot: Arc<Slot>,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let slot = slot.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| handle(slot.clone(), req));
                let _ = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok((addr, task))
}

type Resp = Response<Full<Bytes>>;

fn json(status: StatusCode, body: &'static str) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

fn accepted() -> Resp {
    json(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
}

async fn handle(slot: Arc<Slot>, req: Request<Incoming>) -> Result<Resp, Infallible> {
    let path = req.uri().path().to_string();
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return Ok(json(
            StatusCode::NOT_FOUND,
            r#"{"errorMessage":"Not found","errorType":"NotFound"}"#,
        ));
    };
    let resp = match (req.method(), rest) {
        (&Method::GET, "invocation/next") => next(&slot).await,
        (&Method::POST, "init/error") => init_error(&slot, req).await,
        (&Method::POST, rest) => match rest
            .strip_prefix("invocation/")
            .and_then(|r| r.split_once('/'))
        {
            Some((id, "response")) => response(&slot, id, req).await,
            Some((id, "error")) => error(&slot, id, req).await,
            _ => json(
                StatusCode::NOT_FOUND,
                r#"{"errorMessage":"Not found","errorType":"NotFound"}"#,
            ),
        },
        _ => json(
            StatusCode::NOT_FOUND,
            r#"{"errorMessage":"Not found","errorType":"NotFound"}"#,
        ),
    };
    Ok(resp)
}

async fn next(slot: &Slot) -> Resp {
    loop {
        let notified = slot.work.notified();
        {
            let Ok(mut st) = slot.state.lock() else {
                return json(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    r#"{"errorMessage":"state poisoned","errorType":"ServiceException"}"#,
                );
            };
            if st.ready_at.is_none() {
                st.ready_at = Some(Instant::now());
                slot.phase.send_if_modified(|p| {
                    let first = *p == Phase::Starting;
                    if first {
                        *p = Phase::Ready;
                    }
                    first
                });
            }
            if let Some(h) = st.pending.take() {
                // A runtime that asks for more work without answering has abandoned the last.
                if let Some((id, reply)) = st.current.take() {
                    let _ = reply.send(abandoned(&id));
                }
                st.current = Some((h.invocation.request_id.clone(), h.reply));
                return deliver(&h.invocation, h.deadline_ms);
            }
        }
        notified.await;
    }
}

fn abandoned(id: &RequestId) -> RuntimeReply {
    let message = format!(
        "RequestId: {id} Error: Runtime requested the next event without answering this one"
    );
    RuntimeReply::Error {
        body: Bytes::from(
            serde_json::json!({"errorType": "Runtime.InvalidStateTransition", "errorMessage": message})
                .to_string(),
        ),
        error_type: "Runtime.InvalidStateTransition".into(),
        message,
    }
}

fn deliver(inv: &Invocation, deadline_ms: i64) -> Resp {
    let mut r = Response::new(Full::new(inv.payload.clone()));
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let mut set = |name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    };
    set("lambda-runtime-aws-request-id", inv.request_id.as_str());
    set("lambda-runtime-deadline-ms", &deadline_ms.to_string());
    set("lambda-runtime-invoked-function-arn", &inv.invoked_arn);
    set("lambda-runtime-trace-id", &inv.trace_id);
    if let Some(cc) = &inv.client_context {
        set("lambda-runtime-client-context", cc);
    }
    r
}

enum Body {
    Ok(Bytes),
    TooLarge,
    Broken,
}

async fn read_body(req: Request<Incoming>) -> Body {
    match Limited::new(req.into_body(), RESPONSE_PAYLOAD_MAX)
        .collect()
        .await
    {
        Ok(b) => Body::Ok(b.to_bytes()),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Body::TooLarge
        }
        Err(_) => Body::Broken,
    }
}

/// Takes the current invocation if `id` names it; otherwise the AWS status for a wrong id.
fn take_current(slot: &Slot, id: &str) -> Result<oneshot::Sender<RuntimeReply>, Box<Resp>> {
    let refuse = |status, body| Err(Box::new(json(status, body)));
    let Ok(mut st) = slot.state.lock() else {
        return refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"errorMessage":"state poisoned","errorType":"ServiceException"}"#,
        );
    };
    if st
        .current
        .as_ref()
        .is_some_and(|(cur, _)| cur.as_str() == id)
        && let Some((cur, reply)) = st.current.take()
    {
        st.last_done = Some(cur);
        return Ok(reply);
    }
    if st.last_done.as_ref().is_some_and(|d| d.as_str() == id) {
        return refuse(
            StatusCode::FORBIDDEN,
            r#"{"errorMessage":"Invalid state transition: the invocation already has a response","errorType":"InvalidStateTransition"}"#,
        );
    }
    refuse(
        StatusCode::BAD_REQUEST,
        r#"{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}"#,
    )
}

async fn response(slot: &Slot, id: &str, req: Request<Incoming>) -> Resp {
    let body = read_body(req).await;
    let reply = match take_current(slot, id) {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    match body {
        Body::Ok(bytes) => {
            let _ = reply.send(RuntimeReply::Response(bytes));
            accepted()
        }
        Body::TooLarge => {
            let _ = reply.send(RuntimeReply::TooLarge);
            json(
                StatusCode::PAYLOAD_TOO_LARGE,
                r#"{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}"#,
            )
        }
        Body::Broken => {
            let _ = reply.send(RuntimeReply::Error {
                body: Bytes::from_static(
                    br#"{"errorType":"Runtime.Unknown","errorMessage":"incomplete response body"}"#,
                ),
                error_type: "Runtime.Unknown".into(),
                message: "incomplete response body".into(),
            });
            json(
                StatusCode::BAD_REQUEST,
                r#"{"errorMessage":"incomplete body","errorType":"InvalidRequest"}"#,
            )
        }
    }
}

/// Builds the error the caller sees from what the runtime posted: its JSON body as-is when it
/// has one, else an object made from the `Lambda-Runtime-Function-Error-Type` header.
fn error_reply(header_type: Option<String>, body: Bytes) -> RuntimeReply {
    #[derive(serde::Deserialize)]
    struct Posted {
        #[serde(rename = "errorType")]
        error_type: Option<String>,
        #[serde(rename = "errorMessage")]
        error_message: Option<String>,
    }
    match serde_json::from_slice::<Posted>(&body) {
        Ok(p) => RuntimeReply::Error {
            error_type: p
                .error_type
                .or(header_type)
                .unwrap_or_else(|| "Runtime.Unknown".into()),
            message: p.error_message.unwrap_or_default(),
            body,
        },
        Err(_) => {
            let error_type = header_type.unwrap_or_else(|| "Runtime.Unknown".into());
            let body = serde_json::json!({"errorType": error_type, "errorMessage": ""}).to_string();
            RuntimeReply::Error {
                body: Bytes::from(body),
                error_type,
                message: String::new(),
            }
        }
    }
}

fn error_type_header(req: &Request<Incoming>) -> Option<String> {
    req.headers()
        .get("lambda-runtime-function-error-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

async fn error(slot: &Slot, id: &str, req: Request<Incoming>) -> Resp {
    let header_type = error_type_header(&req);
    let body = match read_body(req).await {
        Body::Ok(b) => b,
        Body::TooLarge | Body::Broken => Bytes::new(),
    };
    let reply = match take_current(slot, id) {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    let _ = reply.send(error_reply(header_type, body));
    accepted()
}

async fn init_error(slot: &Slot, req: Request<Incoming>) -> Resp {
    let header_type = error_type_header(&req);
    let body = match read_body(req).await {
        Body::Ok(b) => b,
        Body::TooLarge | Body::Broken => Bytes::new(),
    };
    let RuntimeReply::Error {
        body,
        error_type,
        message,
    } = error_reply(header_type, body)
    else {
        return json(StatusCode::INTERNAL_SERVER_ERROR, "{}");
    };
    let Ok(mut st) = slot.state.lock() else {
        return json(StatusCode::INTERNAL_SERVER_ERROR, "{}");
    };
    if st.ready_at.is_some() {
        return json(
            StatusCode::FORBIDDEN,
            r#"{"errorMessage":"Invalid state transition: init already completed","errorType":"InvalidStateTransition"}"#,
        );
    }
    st.init_error = Some((body, error_type, message));
    st.ready_at = Some(Instant::now());
    slot.phase.send_replace(Phase::InitFailed);
    accepted()
}
