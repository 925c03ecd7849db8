//! Schedule expressions as EventBridge parses them: `rate(N unit)` and six-field
//! `cron(minutes hours day-of-month month day-of-week year)` (UTC; weekdays 1–7 are SUN–SAT;
//! `?`, `L`, `W`, `#`, ranges, lists, steps and month/weekday names), and EventBridge
//! Scheduler's one-time `at(yyyy-mm-ddThh:mm:ss)`. Cron evaluation is the `croner` crate's,
//! configured for EventBridge's dialect (second 0, a year field, Quartz weekdays, `0/15` steps);
//! the checks croner does not make (one of the day fields must be `?`, the units of `rate`) are
//! here. Nothing fires more often than once a minute: there is no seconds field, and `rate`
//! counts in minutes at least.

use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use lambkin_model::Timestamp;

/// A schedule expression EventBridge would refuse; the message is AWS's
/// ("Parameter ScheduleExpression is not valid.") with, after it, what lambkin found wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Parameter ScheduleExpression is not valid. ({0})")]
pub struct ScheduleError(pub String);

fn invalid(why: impl Into<String>) -> ScheduleError {
    ScheduleError(why.into())
}

#[derive(Debug, Clone)]
pub enum ScheduleExpression {
    /// Every `period_ms`, counted from when the schedule was created.
    Rate {
        period_ms: i64,
    },
    Cron(Box<Cron>),
    /// Once, at this time (UTC).
    At(Timestamp),
}

impl PartialEq for ScheduleExpression {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Rate { period_ms: a }, Self::Rate { period_ms: b }) => a == b,
            (Self::Cron(a), Self::Cron(b)) => a.pattern.to_string() == b.pattern.to_string(),
            (Self::At(a), Self::At(b)) => a == b,
            _ => false,
        }
    }
}

impl ScheduleExpression {
    /// Parses `rate(…)`, `cron(…)` or `at(…)`.
    pub fn parse(expression: &str) -> Result<ScheduleExpression, ScheduleError> {
        let inner = |prefix: &str| {
            expression
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(')'))
        };
        if let Some(body) = inner("rate(") {
            rate(body)
        } else if let Some(body) = inner("cron(") {
            cron(body)
        } else if let Some(body) = inner("at(") {
            at(body)
        } else {
            Err(invalid("expected rate(…), cron(…) or at(…)"))
        }
    }

    /// [`ScheduleExpression::next_after`] with cron and `at` read in a time zone (Scheduler's
    /// `ScheduleExpressionTimezone`; `None` is UTC). A rate ignores the zone.
    pub fn next_after_in(
        &self,
        tz: Option<chrono_tz::Tz>,
        created: Timestamp,
        after: Timestamp,
    ) -> Option<Timestamp> {
        let Some(tz) = tz else {
            return self.next_after(created, after);
        };
        match self {
            ScheduleExpression::Rate { .. } => self.next_after(created, after),
            ScheduleExpression::Cron(cron) => {
                let start = Utc
                    .timestamp_millis_opt(after.0)
                    .single()?
                    .with_timezone(&tz);
                let next = cron.find_next_occurrence(&start, false).ok()?;
                Some(Timestamp(next.timestamp_millis()))
            }
            ScheduleExpression::At(at) => {
                // The wall time written in `at(…)`, in the zone.
                let local = Utc.timestamp_millis_opt(at.0).single()?.naive_utc();
                let at = tz.from_local_datetime(&local).earliest()?;
                let at = Timestamp(at.timestamp_millis());
                (at > after).then_some(at)
            }
        }
    }

    /// The first firing strictly after `after`. A rate schedule fires every period from
    /// `created`; an `at` schedule fires once. `None`: it never fires again.
    pub fn next_after(&self, created: Timestamp, after: Timestamp) -> Option<Timestamp> {
        match self {
            ScheduleExpression::Rate { period_ms } => {
                let since = after.0.saturating_sub(created.0).max(0);
                let periods = since / period_ms + 1;
                Some(Timestamp(created.0 + periods * period_ms))
            }
            ScheduleExpression::Cron(cron) => {
                let start: DateTime<Utc> = Utc.timestamp_millis_opt(after.0).single()?;
                let next = cron.find_next_occurrence(&start, false).ok()?;
                Some(Timestamp(next.timestamp_millis()))
            }
            ScheduleExpression::At(at) => (*at > after).then_some(*at),
        }
    }
}

fn rate(body: &str) -> Result<ScheduleExpression, ScheduleError> {
    let (value, unit) = body
        .trim()
        .split_once(' ')
        .ok_or_else(|| invalid("rate needs a value and a unit"))?;
    let value: i64 = value
        .parse()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| invalid("the rate's value must be a positive whole number"))?;
    let unit_ms = match unit.trim() {
        "minute" | "minutes" => 60_000,
        "hour" | "hours" => 3_600_000,
        "day" | "days" => 86_400_000,
        other => return Err(invalid(format!("unknown rate unit {other}"))),
    };
    // EventBridge: singular for 1, plural otherwise.
    if (value == 1) == unit.trim().ends_with('s') {
        return Err(invalid(
            "the rate's unit must be singular for 1 and plural otherwise",
        ));
    }
    Ok(ScheduleExpression::Rate {
        period_ms: value
            .checked_mul(unit_ms)
            .ok_or_else(|| invalid("the rate is too large"))?,
    })
}

fn cron(body: &str) -> Result<ScheduleExpression, ScheduleError> {
    let fields: Vec<&str> = body.split_whitespace().collect();
    if fields.len() != 6 {
        return Err(invalid(
            "cron needs six fields: minutes hours day-of-month month day-of-week year",
        ));
    }
    let (day_of_month, day_of_week) = (fields[2], fields[4]);
    if (day_of_month == "?") == (day_of_week == "?") {
        return Err(invalid(
            "one of day-of-month and day-of-week must be ?, and only one",
        ));
    }
    // croner takes a year only after a seconds field: EventBridge fires at second 0.
    let parser = CronParser::builder()
        .seconds(Seconds::Required)
        .year(Year::Required)
        .alternative_weekdays(true)
        .sloppy_ranges(true)
        .build();
    let cron = parser
        .parse(&format!("0 {}", fields.join(" ")))
        .map_err(|e| invalid(e.to_string()))?;
    Ok(ScheduleExpression::Cron(Box::new(cron)))
}

fn at(body: &str) -> Result<ScheduleExpression, ScheduleError> {
    let time = NaiveDateTime::parse_from_str(body, "%Y-%m-%dT%H:%M:%S")
        .map_err(|_| invalid("at(…) needs yyyy-mm-ddThh:mm:ss"))?;
    Ok(ScheduleExpression::At(Timestamp(
        time.and_utc().timestamp_millis(),
    )))
}

impl FromStr for ScheduleExpression {
    type Err = ScheduleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ScheduleExpression::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(iso: &str) -> Timestamp {
        Timestamp(
            DateTime::parse_from_rfc3339(iso)
                .expect("time")
                .timestamp_millis(),
        )
    }

    fn iso(t: Timestamp) -> String {
        Utc.timestamp_millis_opt(t.0)
            .single()
            .expect("time")
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    }

    /// The examples of EventBridge's schedule documentation, with the firings that follow a
    /// given time (2026-12-07 is a Monday).
    #[test]
    fn documented_expressions_fire_when_eventbridge_fires_them() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "cron(0 10 * * ? *)",
                "2026-12-07T09:59:00Z",
                &["2026-12-07T10:00:00Z", "2026-12-08T10:00:00Z"],
            ),
            (
                "cron(15 12 * * ? *)",
                "2026-12-07T12:15:00Z",
                &["2026-12-08T12:15:00Z"],
            ),
            (
                "cron(0 18 ? * MON-FRI *)",
                "2026-12-11T18:30:00Z",
                &["2026-12-14T18:00:00Z"],
            ),
            (
                "cron(0 8 1 * ? *)",
                "2026-12-07T00:00:00Z",
                &["2027-01-01T08:00:00Z", "2027-02-01T08:00:00Z"],
            ),
            (
                "cron(0/15 * * * ? *)",
                "2026-12-07T10:01:00Z",
                &["2026-12-07T10:15:00Z", "2026-12-07T10:30:00Z"],
            ),
            (
                "cron(0/10 * ? * MON-FRI *)",
                "2026-12-11T23:55:00Z",
                &["2026-12-14T00:00:00Z"],
            ),
            (
                "cron(0/5 8-17 ? * MON-FRI *)",
                "2026-12-07T17:55:00Z",
                &["2026-12-08T08:00:00Z"],
            ),
            (
                "cron(0 9 ? * 2#1 *)",
                "2026-12-07T10:00:00Z",
                &["2027-01-04T09:00:00Z"],
            ),
            (
                "cron(0 12 L * ? *)",
                "2026-12-07T00:00:00Z",
                &["2026-12-31T12:00:00Z", "2027-01-31T12:00:00Z"],
            ),
            (
                "cron(0 12 15W * ? *)",
                "2027-05-01T00:00:00Z",
                &["2027-05-14T12:00:00Z"],
            ),
            (
                "cron(0 0 ? * 1 *)",
                "2026-12-07T00:00:00Z",
                &["2026-12-13T00:00:00Z"],
            ),
            (
                "cron(30 6 ? JAN,JUL SUN 2027)",
                "2026-12-07T00:00:00Z",
                &["2027-01-03T06:30:00Z"],
            ),
            ("cron(0 0 1 1 ? 2026)", "2026-12-07T00:00:00Z", &[]),
        ];
        for (expression, after, want) in cases {
            let e = ScheduleExpression::parse(expression)
                .unwrap_or_else(|err| panic!("{expression}: {err}"));
            let mut t = at(after);
            let mut got = Vec::new();
            for _ in 0..want.len().max(1) {
                match e.next_after(Timestamp(0), t) {
                    Some(next) => {
                        got.push(iso(next));
                        t = next;
                    }
                    None => break,
                }
            }
            got.truncate(want.len());
            assert_eq!(got, *want, "{expression} after {after}");
        }
    }

    #[test]
    fn rates_fire_every_period_from_creation() {
        let created = at("2026-12-07T10:00:30Z");
        let cases = [
            (
                "rate(1 minute)",
                "2026-12-07T10:00:30Z",
                "2026-12-07T10:01:30Z",
            ),
            (
                "rate(5 minutes)",
                "2026-12-07T10:07:00Z",
                "2026-12-07T10:10:30Z",
            ),
            (
                "rate(1 hour)",
                "2026-12-07T09:00:00Z",
                "2026-12-07T11:00:30Z",
            ),
            (
                "rate(2 days)",
                "2026-12-09T10:00:30Z",
                "2026-12-11T10:00:30Z",
            ),
        ];
        for (expression, after, want) in cases {
            let e = ScheduleExpression::parse(expression).expect(expression);
            assert_eq!(
                e.next_after(created, at(after)).map(iso).as_deref(),
                Some(want),
                "{expression} after {after}"
            );
        }
        let once = ScheduleExpression::parse("at(2026-12-24T18:00:00)").expect("at");
        assert_eq!(
            once.next_after(created, at("2026-12-07T00:00:00Z")),
            Some(at("2026-12-24T18:00:00Z"))
        );
        assert_eq!(once.next_after(created, at("2026-12-24T18:00:00Z")), None);
    }

    #[test]
    fn expressions_eventbridge_refuses() {
        let cases = [
            ("rate(1 minutes)", "singular for 1"),
            ("rate(5 minute)", "singular for 1"),
            ("rate(0 minutes)", "positive whole number"),
            ("rate(-1 minutes)", "positive whole number"),
            ("rate(1.5 hours)", "positive whole number"),
            ("rate(10 seconds)", "unknown rate unit seconds"),
            ("rate(5)", "a value and a unit"),
            ("cron(0 10 * * *)", "six fields"),
            ("cron(0 10 * * * * *)", "six fields"),
            ("cron(0 10 * * * *)", "must be ?"),
            ("cron(0 10 ? * ? *)", "must be ?"),
            ("cron(60 * * * ? *)", ""),
            ("cron(0 25 * * ? *)", ""),
            ("cron(0 0 ? * 8 *)", ""),
            ("at(2026-12-24 18:00)", "yyyy-mm-ddThh:mm:ss"),
            ("every 5 minutes", "rate(…), cron(…) or at(…)"),
        ];
        for (expression, why) in cases {
            let err = ScheduleExpression::parse(expression).expect_err(expression);
            let text = err.to_string();
            assert!(
                text.starts_with("Parameter ScheduleExpression is not valid.")
                    && text.contains(why),
                "{expression}: {text}"
            );
        }
    }

    #[test]
    fn scheduler_reads_cron_and_at_in_its_time_zone() {
        let ny: chrono_tz::Tz = "America/New_York".parse().expect("zone");
        let paris: chrono_tz::Tz = "Europe/Paris".parse().expect("zone");
        let cases = [
            // 09:00 in New York in December is 14:00 UTC (EST, UTC-5)...
            (
                "cron(0 9 * * ? *)",
                ny,
                "2026-12-07T00:00:00Z",
                "2026-12-07T14:00:00Z",
            ),
            // ...and 13:00 UTC in July (EDT, UTC-4).
            (
                "cron(0 9 * * ? *)",
                ny,
                "2026-07-07T00:00:00Z",
                "2026-07-07T13:00:00Z",
            ),
            (
                "at(2026-12-07T09:00:00)",
                paris,
                "2026-12-01T00:00:00Z",
                "2026-12-07T08:00:00Z",
            ),
            (
                "rate(1 hour)",
                paris,
                "2026-12-07T00:30:00Z",
                "2026-12-07T01:00:00Z",
            ),
        ];
        for (expression, tz, after, want) in cases {
            let e = ScheduleExpression::parse(expression).expect(expression);
            let got = e.next_after_in(Some(tz), at("2026-12-07T00:00:00Z"), at(after));
            assert_eq!(got.map(iso), Some(want.to_string()), "{expression} in {tz}");
        }
    }
}
