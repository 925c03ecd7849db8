//! The pure rule for what happens to a batch's messages once its function has answered:
//! which are deleted, which stay in flight (visible again after the queue's visibility
//! timeout, where redrive counts them), and which go back at once (a throttle). Lambda's rules
//! (developer guide, "Handling errors for an SQS event source"):
//! - without `ReportBatchItemFailures`, success deletes the batch and any error keeps all of it;
//! - with it, `{"batchItemFailures":[{"itemIdentifier":"<messageId>"}]}` keeps only those;
//!   an empty or null list, an empty object or a null response is complete success; an
//!   invalid response, an empty, missing or unknown `itemIdentifier`, or a function error
//!   fails the whole batch.

use serde_json::Value;

/// How the invoke ended, as far as the batch is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Invoked<'a> {
    /// The function ran; its response bytes and whether it was an error.
    Ran {
        response: &'a [u8],
        function_error: bool,
    },
    /// No slot for it (429): the messages go back at once and the poller backs off.
    Throttled,
    /// Not run: the function is gone, the chain is a recursive loop, or lambkin is stopping.
    /// The messages come back after their visibility timeout.
    NotRun,
}

/// What to do with each message of the batch, by index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Settlement {
    pub delete: Vec<usize>,
    /// Left in flight: visible again after the visibility timeout.
    pub keep: Vec<usize>,
    /// Made visible now.
    pub release: Vec<usize>,
}

/// The settlement of a batch whose messages have these ids, in order.
pub(crate) fn settle(ids: &[&str], invoked: Invoked<'_>, report_item_failures: bool) -> Settlement {
    let all = || (0..ids.len()).collect::<Vec<_>>();
    let keep_all = || Settlement {
        keep: all(),
        ..Settlement::default()
    };
    match invoked {
        Invoked::Throttled => Settlement {
            release: all(),
            ..Settlement::default()
        },
        Invoked::NotRun => keep_all(),
        Invoked::Ran {
            function_error: true,
            ..
        } => keep_all(),
        Invoked::Ran { response, .. } if report_item_failures => {
            match failed_items(response, ids) {
                Some(failed) => {
                    let (keep, delete) = (0..ids.len()).partition(|i| failed.contains(i));
                    Settlement {
                        delete,
                        keep,
                        release: Vec::new(),
                    }
                }
                None => keep_all(),
            }
        }
        Invoked::Ran { .. } => Settlement {
            delete: all(),
            ..Settlement::default()
        },
    }
}

/// The indexes a `ReportBatchItemFailures` response names, or `None` if the response fails the
/// whole batch.
fn failed_items(response: &[u8], ids: &[&str]) -> Option<Vec<usize>> {
    let text = std::str::from_utf8(response).ok()?;
    if text.trim().is_empty() {
        return Some(Vec::new());
    }
    let value: Value = serde_json::from_str(text).ok()?;
    let failures = match &value {
        Value::Null => return Some(Vec::new()),
        Value::Object(o) => match o.get("batchItemFailures") {
            None | Some(Value::Null) => return Some(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(_) => return None,
        },
        _ => return None,
    };
    failures
        .iter()
        .map(|item| {
            let id = item.get("itemIdentifier")?.as_str()?;
            ids.iter().position(|known| !id.is_empty() && *known == id)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ran(response: &str) -> Invoked<'_> {
        Invoked::Ran {
            response: response.as_bytes(),
            function_error: false,
        }
    }

    /// (case, invoked, ReportBatchItemFailures, (delete, keep, release))
    type Case<'a> = (
        &'a str,
        Invoked<'a>,
        bool,
        (Vec<usize>, Vec<usize>, Vec<usize>),
    );

    #[test]
    fn settlements() {
        let ids = ["a", "b", "c"];
        let delete_all = (vec![0, 1, 2], vec![], vec![]);
        let keep_all = (vec![], vec![0, 1, 2], vec![]);
        let cases: &[Case<'_>] = &[
            (
                "success deletes the batch",
                ran(r#"{"ok":1}"#),
                false,
                delete_all.clone(),
            ),
            (
                "a response naming failures means nothing without the setting",
                ran(r#"{"batchItemFailures":[{"itemIdentifier":"b"}]}"#),
                false,
                delete_all.clone(),
            ),
            (
                "a function error keeps the batch",
                Invoked::Ran {
                    response: br#"{"errorMessage":"x"}"#,
                    function_error: true,
                },
                false,
                keep_all.clone(),
            ),
            (
                "a function error keeps the batch, with the setting too",
                Invoked::Ran {
                    response: br#"{"batchItemFailures":[{"itemIdentifier":"b"}]}"#,
                    function_error: true,
                },
                true,
                keep_all.clone(),
            ),
            (
                "listed items are kept, the rest deleted",
                ran(r#"{"batchItemFailures":[{"itemIdentifier":"b"},{"itemIdentifier":"c"}]}"#),
                true,
                (vec![0], vec![1, 2], vec![]),
            ),
            (
                "an item listed twice is kept once",
                ran(r#"{"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"a"}]}"#),
                true,
                (vec![1, 2], vec![0], vec![]),
            ),
            (
                "an empty list is success",
                ran(r#"{"batchItemFailures":[]}"#),
                true,
                delete_all.clone(),
            ),
            (
                "a null list is success",
                ran(r#"{"batchItemFailures":null}"#),
                true,
                delete_all.clone(),
            ),
            (
                "an empty object is success",
                ran("{}"),
                true,
                delete_all.clone(),
            ),
            (
                "a null response is success",
                ran("null"),
                true,
                delete_all.clone(),
            ),
            (
                "no response at all is success",
                ran(""),
                true,
                delete_all.clone(),
            ),
            (
                "an empty itemIdentifier fails the batch",
                ran(r#"{"batchItemFailures":[{"itemIdentifier":""}]}"#),
                true,
                keep_all.clone(),
            ),
            (
                "an unknown itemIdentifier fails the batch",
                ran(r#"{"batchItemFailures":[{"itemIdentifier":"z"}]}"#),
                true,
                keep_all.clone(),
            ),
            (
                "a null itemIdentifier fails the batch",
                ran(r#"{"batchItemFailures":[{"itemIdentifier":null}]}"#),
                true,
                keep_all.clone(),
            ),
            (
                "a misspelt key fails the batch",
                ran(r#"{"batchItemFailures":[{"itemId":"a"}]}"#),
                true,
                keep_all.clone(),
            ),
            (
                "a list that is not a list fails the batch",
                ran(r#"{"batchItemFailures":"a"}"#),
                true,
                keep_all.clone(),
            ),
            (
                "a response that is not JSON fails the batch",
                ran("not json"),
                true,
                keep_all.clone(),
            ),
            (
                "a response that is not an object fails the batch",
                ran(r#""done""#),
                true,
                keep_all.clone(),
            ),
            (
                "a throttle releases the batch",
                Invoked::Throttled,
                true,
                (vec![], vec![], vec![0, 1, 2]),
            ),
            (
                "an invoke refused keeps the batch",
                Invoked::NotRun,
                false,
                keep_all.clone(),
            ),
        ];
        for (case, invoked, report, (delete, keep, release)) in cases {
            let got = settle(&ids, *invoked, *report);
            assert_eq!(
                got,
                Settlement {
                    delete: delete.clone(),
                    keep: keep.clone(),
                    release: release.clone()
                },
                "{case}"
            );
        }
    }
}
