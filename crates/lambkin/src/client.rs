//! A small HTTP client for the CLI commands.

use anyhow::{Context, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    http: HyperClient<HttpConnector, Full<Bytes>>,
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> anyhow::Result<serde_json::Value> {
        serde_json::from_slice(&self.body).context("the server sent invalid JSON")
    }

    /// Fails with the AWS error's code and message unless the status is a success.
    pub fn ok(self) -> anyhow::Result<Reply> {
        if self.status.is_success() {
            return Ok(self);
        }
        let code = self
            .headers
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("Error")
            .to_string();
        let message = self
            .json()
            .ok()
            .and_then(|v| {
                v.get("Message")
                    .or_else(|| v.get("message"))
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| String::from_utf8_lossy(&self.body).into_owned());
        bail!("{code} ({}): {message}", self.status.as_u16())
    }
}

impl Client {
    pub fn new(base: &str) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Client {
            base: base.trim_end_matches('/').to_string(),
            http: HyperClient::builder(TokioExecutor::new()).build(connector),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> anyhow::Result<Reply> {
        let url = format!("{}{path}", self.base);
        let mut req = Request::builder().method(method).uri(&url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req.body(Full::new(body)).context("bad request")?;
        let resp = self.http.request(req).await.with_context(|| {
            format!(
                "cannot reach lambkin at {} (is `lambkin serve` running?)",
                self.base
            )
        })?;
        let (parts, body) = resp.into_parts();
        let body = body
            .collect()
            .await
            .context("reading the response")?
            .to_bytes();
        Ok(Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Reply> {
        self.send(Method::GET, path, &[], Bytes::new()).await
    }

    pub async fn json(
        &self,
        method: Method,
        path: &str,
        body: &serde_json::Value,
    ) -> anyhow::Result<Reply> {
        let bytes = Bytes::from(serde_json::to_vec(body)?);
        self.send(method, path, &[("content-type", "application/json")], bytes)
            .await
    }
}

/// Percent-encodes a path segment (function names are safe; ARNs carry ':').
pub fn segment(s: &str) -> String {
    s.replace('%', "%25")
        .replace(':', "%3A")
        .replace('$', "%24")
}
