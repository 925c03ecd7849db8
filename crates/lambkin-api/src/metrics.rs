//! `GET /metrics`: the Prometheus scrape endpoint. The Prometheus text format unless the
//! scraper asks for OpenMetrics in `Accept` (Prometheus itself does).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use lambkin_engine::{Engine, MetricsFormat};

use crate::AwsError;

pub(crate) fn routes() -> Router<Engine> {
    Router::new().route("/metrics", get(metrics))
}

fn format(headers: &HeaderMap) -> MetricsFormat {
    let wants_openmetrics = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/openmetrics-text"));
    if wants_openmetrics {
        MetricsFormat::OpenMetrics
    } else {
        MetricsFormat::Prometheus
    }
}

async fn metrics(State(engine): State<Engine>, headers: HeaderMap) -> Result<Response, AwsError> {
    let format = format(&headers);
    let body = engine.inspect().metrics(format).await?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, format.content_type())],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openmetrics_only_when_asked() {
        let mut h = HeaderMap::new();
        assert_eq!(format(&h), MetricsFormat::Prometheus);
        // What Prometheus sends.
        h.insert(
            header::ACCEPT,
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
                .parse()
                .expect("header value"),
        );
        assert_eq!(format(&h), MetricsFormat::OpenMetrics);
        h.insert(header::ACCEPT, "text/plain".parse().expect("header value"));
        assert_eq!(format(&h), MetricsFormat::Prometheus);
    }
}
