//! Every response carries `x-amzn-RequestId`; handlers that know the id (invokes) set it.

use axum::http::HeaderValue;
use axum::response::Response;

pub(crate) const HEADER: &str = "x-amzn-RequestId";

pub(crate) async fn ensure(mut resp: Response) -> Response {
    let headers = resp.headers_mut();
    if !headers.contains_key(HEADER)
        && let Ok(v) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
    {
        headers.insert(HEADER, v);
    }
    resp
}
