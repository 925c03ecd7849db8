//! The platform's log lines, in AWS's text format (reference §8).

use std::fmt::Write;
use std::time::Duration;

use lambkin_model::RequestId;

pub(crate) fn start_line(id: &RequestId, version: &str) -> String {
    format!("START RequestId: {id} Version: {version}")
}

pub(crate) fn end_line(id: &RequestId) -> String {
    format!("END RequestId: {id}")
}

pub(crate) struct Report<'a> {
    pub id: &'a RequestId,
    pub duration: Duration,
    pub memory_mb: u32,
    pub max_memory_mb: u64,
    pub init: Option<Duration>,
    /// `Some("timeout")` or `Some("error")` with an error type, as newer REPORT lines append.
    pub status: Option<(&'a str, Option<&'a str>)>,
}

/// `REPORT RequestId: <id>\tDuration: 3.01 ms\tBilled Duration: 4 ms\tMemory Size: 128 MB\t
/// Max Memory Used: 36 MB\tInit Duration: 110.10 ms\t` (tabs, trailing tab).
pub(crate) fn report_line(r: &Report<'_>) -> String {
    let ms = r.duration.as_secs_f64() * 1000.0;
    let billed = (r.duration.as_micros().div_ceil(1000)).max(1);
    let mut s = format!(
        "REPORT RequestId: {}\tDuration: {ms:.2} ms\tBilled Duration: {billed} ms\tMemory Size: {} MB\tMax Memory Used: {} MB\t",
        r.id, r.memory_mb, r.max_memory_mb
    );
    if let Some(init) = r.init {
        let _ = write!(s, "Init Duration: {:.2} ms\t", init.as_secs_f64() * 1000.0);
    }
    if let Some((status, error_type)) = r.status {
        let _ = write!(s, "Status: {status}\t");
        if let Some(t) = error_type {
            let _ = write!(s, "Error Type: {t}\t");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_matches_aws_layout() {
        let id = RequestId::parse("c2a6f2ae-0000-4000-8000-000000000000").expect("uuid");
        let line = report_line(&Report {
            id: &id,
            duration: Duration::from_micros(3_010),
            memory_mb: 128,
            max_memory_mb: 36,
            init: Some(Duration::from_micros(110_100)),
            status: None,
        });
        assert_eq!(
            line,
            "REPORT RequestId: c2a6f2ae-0000-4000-8000-000000000000\tDuration: 3.01 ms\tBilled Duration: 4 ms\tMemory Size: 128 MB\tMax Memory Used: 36 MB\tInit Duration: 110.10 ms\t"
        );
        let timeout = report_line(&Report {
            id: &id,
            duration: Duration::from_millis(1000),
            memory_mb: 128,
            max_memory_mb: 20,
            init: None,
            status: Some(("timeout", None)),
        });
        assert!(timeout.ends_with("Billed Duration: 1000 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\tStatus: timeout\t"), "{timeout}");
        assert_eq!(
            start_line(&id, "$LATEST"),
            "START RequestId: c2a6f2ae-0000-4000-8000-000000000000 Version: $LATEST"
        );
    }
}
