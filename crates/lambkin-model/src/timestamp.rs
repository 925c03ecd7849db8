//! Wall-clock instants as milliseconds since the Unix epoch, and the text forms AWS uses.

use std::fmt;
use std::time::Duration;

/// Milliseconds since the Unix epoch (UTC). Stored as-is by every backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn millis(self) -> i64 {
        self.0
    }

    pub fn plus(self, d: Duration) -> Timestamp {
        Timestamp(
            self.0
                .saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        )
    }

    /// Time elapsed from `earlier` to `self`, zero if `earlier` is later.
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(u64::try_from(self.0 - earlier.0).unwrap_or(0))
    }

    fn datetime(self) -> time::OffsetDateTime {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    }

    /// `2020-04-10T19:06:32.563+0000`: the string form of `FunctionConfiguration.LastModified`.
    pub fn to_lambda_last_modified(self) -> String {
        let f = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+0000"
        );
        self.datetime().format(&f).unwrap_or_default()
    }

    /// `2019-11-24T23:08:25.651Z`: ISO-8601 UTC with millis, as in invocation records and logs.
    pub fn to_iso_millis(self) -> String {
        let f = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        );
        self.datetime().format(&f).unwrap_or_default()
    }

    /// `1573686021.479`: rest-json timestamps are epoch seconds as a JSON number.
    pub fn to_epoch_seconds(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// `2026/11/27`: the date prefix of a log stream name.
    pub fn to_log_date(self) -> String {
        let f = time::macros::format_description!("[year]/[month]/[day]");
        self.datetime().format(&f).unwrap_or_default()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_aws() {
        let t = Timestamp(1_586_545_592_563);
        assert_eq!(t.to_lambda_last_modified(), "2020-04-10T19:06:32.563+0000");
        assert_eq!(t.to_iso_millis(), "2020-04-10T19:06:32.563Z");
        assert_eq!(t.to_log_date(), "2020/04/10");
        assert!((t.to_epoch_seconds() - 1_586_545_592.563).abs() < 1e-6);
    }

    #[test]
    fn arithmetic_saturates_at_zero() {
        let t = Timestamp(1000);
        assert_eq!(t.plus(Duration::from_millis(500)), Timestamp(1500));
        assert_eq!(t.since(Timestamp(400)), Duration::from_millis(600));
        assert_eq!(Timestamp(400).since(t), Duration::ZERO);
    }
}
