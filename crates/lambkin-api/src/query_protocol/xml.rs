//! The query protocol's response side: a minimal XML writer (elements and escaped text) and
//! the `<XResponse><XResult>…</XResult><ResponseMetadata>` envelope every answer uses. The
//! namespace is the caller's (each service has its own); error bodies are written by each
//! service's error module with this writer.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Builds the inside of a result element.
#[derive(Debug, Default)]
pub(crate) struct Xml(String);

impl Xml {
    pub(crate) fn open(&mut self, tag: &str) -> &mut Self {
        self.0.push('<');
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    pub(crate) fn close(&mut self, tag: &str) -> &mut Self {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    /// `<tag>escaped text</tag>`.
    pub(crate) fn leaf(&mut self, tag: &str, text: &str) -> &mut Self {
        self.open(tag);
        escape_into(&mut self.0, text);
        self.close(tag)
    }

    /// `<tag><entry><key>k</key><value>v</value></entry>…</tag>`: a string map.
    pub(crate) fn map<'a>(
        &mut self,
        tag: &str,
        entries: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) -> &mut Self {
        self.open(tag);
        for (k, v) in entries {
            self.open("entry")
                .leaf("key", k)
                .leaf("value", v)
                .close("entry");
        }
        self.close(tag)
    }

    pub(crate) fn into_string(self) -> String {
        self.0
    }
}

/// Escapes the five XML special characters, and carriage returns, which XML parsers would
/// otherwise normalise away from message text.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// `<{action}Response xmlns="{namespace}">` with `<{action}Result>` (when the operation has an
/// output) and the request id.
pub(crate) fn response(
    namespace: &str,
    action: &str,
    request_id: &str,
    result: Option<Xml>,
) -> Response {
    let mut body = format!("<{action}Response xmlns=\"{namespace}\">");
    if let Some(result) = result {
        body.push_str(&format!(
            "<{action}Result>{}</{action}Result>",
            result.into_string()
        ));
    }
    body.push_str(&format!(
        "<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{action}Response>",
        escape(request_id)
    ));
    xml_response(StatusCode::OK, body)
}

pub(crate) fn xml_response(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text() {
        assert_eq!(
            escape(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
        let mut x = Xml::default();
        x.open("Topics").leaf("TopicArn", "a&b").close("Topics");
        assert_eq!(
            x.into_string(),
            "<Topics><TopicArn>a&amp;b</TopicArn></Topics>"
        );
    }
}
