//! The HTTP(S) client SNS subscribers are delivered with, and SNS's notification POST.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::delivery_policy::Failure;

/// SNS gives an HTTP endpoint 15 s to answer.
const HTTP_TIMEOUT: Duration = Duration::from_secs(15);

pub(super) type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// HTTP and HTTPS (rustls with ring, the system's root certificates: `SSL_CERT_FILE` and
/// `SSL_CERT_DIR` are honoured) for SNS subscribers.
pub(super) fn http_client() -> HttpClient {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = match HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(provider.clone())
    {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "no system root certificates: HTTPS subscribers will fail");
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("ring supports the default TLS versions")
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth();
            HttpsConnectorBuilder::new().with_tls_config(config)
        }
    };
    Client::builder(TokioExecutor::new()).build(builder.https_or_http().enable_http1().build())
}

/// SNS's HTTP(S) notification POST. 2xx is delivered; 5xx, 429 and connection failures are
/// retried; any other status is final.
pub(super) async fn post(
    http: &HttpClient,
    url: &str,
    headers: Vec<(String, String)>,
    body: String,
) -> Result<(), Failure> {
    let mut request = hyper::Request::post(url);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| Failure::Permanent(format!("{url}: {e}")))?;
    // Only the status counts; the body is never read, so an endpoint that trickles one
    // cannot hold the delivery (its connection is simply not reused).
    let status = match tokio::time::timeout(HTTP_TIMEOUT, http.request(request)).await {
        Ok(Ok(r)) => r.status(),
        Ok(Err(e)) => return Err(Failure::Transient(format!("{url}: {e}"))),
        Err(_) => return Err(Failure::Transient(format!("{url}: no answer within 15 s"))),
    };
    if status.is_success() {
        Ok(())
    } else if status.is_server_error() || status.as_u16() == 429 {
        Err(Failure::Transient(format!("{url} answered {status}")))
    } else {
        Err(Failure::Permanent(format!("{url} answered {status}")))
    }
}
