//! How one claim shares its room between functions, the same for every backend: functions with
//! a limit of their own take up to it; the others share `ClaimRequest::others` evenly, each in
//! turn taking its share of what is left; functions are visited by their oldest due event. A
//! backend gives the plan each function's head (earliest due time), asks [`ClaimPlan::take`]
//! per function in [`ClaimPlan::order`], reports what it got with [`ClaimPlan::took`], and asks
//! [`ClaimPlan::next_due`] with the heads after the claim. Pure, tested from a table.

use std::collections::HashMap;

use lambkin_model::{FunctionName, Timestamp};

use crate::ClaimRequest;

#[derive(Debug)]
pub struct ClaimPlan<'a> {
    request: &'a ClaimRequest,
    /// Functions with due events and room, oldest head first, with their own limit if any.
    due: Vec<(String, Option<usize>)>,
    share: usize,
    others_left: usize,
    /// What each visited function can still take after this claim.
    room: HashMap<String, usize>,
}

impl<'a> ClaimPlan<'a> {
    /// `heads`: every function with unfinished events and its earliest due time.
    pub fn new(request: &'a ClaimRequest, heads: Vec<(String, i64)>) -> Self {
        let mut due: Vec<(String, i64, Option<usize>)> = heads
            .into_iter()
            .filter(|(_, at)| *at <= request.now.0)
            .map(|(f, at)| {
                let limit = limit_of(request, &f);
                (f, at, limit)
            })
            .filter(|(_, _, limit)| *limit != Some(0))
            .collect();
        due.sort_by_key(|(_, at, _)| *at);
        let sharing = due.iter().filter(|(_, _, l)| l.is_none()).count();
        ClaimPlan {
            request,
            share: request.others.div_ceil(sharing.max(1)),
            others_left: request.others,
            due: due.into_iter().map(|(f, _, l)| (f, l)).collect(),
            room: HashMap::new(),
        }
    }

    /// The functions to visit, in order.
    pub fn order(&self) -> Vec<String> {
        self.due.iter().map(|(f, _)| f.clone()).collect()
    }

    /// How many events `function` may take now (0: skip it).
    pub fn take(&self, function: &str) -> usize {
        match self.limit(function) {
            Some(n) => n,
            None => self.share.min(self.others_left),
        }
    }

    /// `function` was asked for `take` and got `got`.
    pub fn took(&mut self, function: &str, take: usize, got: usize) {
        if self.limit(function).is_none() {
            self.others_left -= got.min(self.others_left);
        }
        self.room
            .insert(function.to_string(), take.saturating_sub(got));
    }

    /// After the claim: the earliest due time among `heads` of a function that still has room.
    pub fn next_due(&self, heads: Vec<(String, i64)>) -> Option<Timestamp> {
        heads
            .into_iter()
            .filter(|(f, _)| match self.room.get(f) {
                Some(left) => *left > 0,
                None => match limit_of(self.request, f) {
                    Some(n) => n > 0,
                    None => self.others_left > 0,
                },
            })
            .map(|(_, at)| Timestamp(at))
            .min()
    }

    fn limit(&self, function: &str) -> Option<usize> {
        self.due
            .iter()
            .find(|(f, _)| f == function)
            .and_then(|(_, l)| *l)
    }
}

fn limit_of(request: &ClaimRequest, function: &str) -> Option<usize> {
    FunctionName::parse(function)
        .ok()
        .and_then(|f| request.limits.get(&f).copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(others: usize, limits: &[(&str, usize)]) -> ClaimRequest {
        ClaimRequest {
            now: Timestamp(100),
            lease_until: Timestamp(1_000),
            others,
            limits: limits
                .iter()
                .map(|(f, n)| (FunctionName::parse(f).expect("name"), *n))
                .collect(),
        }
    }

    fn heads(list: &[(&str, i64)]) -> Vec<(String, i64)> {
        list.iter().map(|(f, at)| (f.to_string(), *at)).collect()
    }

    /// Runs a plan where each function has `available` due events; what each took, and the
    /// next due time given the heads after.
    fn run(
        req: &ClaimRequest,
        before: &[(&str, i64)],
        available: &[(&str, usize)],
        after: &[(&str, i64)],
    ) -> (Vec<(String, usize)>, Option<Timestamp>) {
        let mut plan = ClaimPlan::new(req, heads(before));
        let mut took = Vec::new();
        for f in plan.order() {
            let take = plan.take(&f);
            if take == 0 {
                continue;
            }
            let have = available
                .iter()
                .find(|(g, _)| *g == f)
                .map_or(0, |(_, n)| *n);
            let got = take.min(have);
            plan.took(&f, take, got);
            took.push((f, got));
        }
        (took, plan.next_due(heads(after)))
    }

    /// (request, heads before, events available, heads after, took, next due)
    type Case = (
        ClaimRequest,
        Vec<(&'static str, i64)>,
        Vec<(&'static str, usize)>,
        Vec<(&'static str, i64)>,
        Vec<(String, usize)>,
        Option<i64>,
    );

    #[test]
    fn room_is_shared_as_every_backend_shares_it() {
        let owned = |v: &[(&str, usize)]| -> Vec<(String, usize)> {
            v.iter().map(|(f, n)| (f.to_string(), *n)).collect()
        };
        let cases: Vec<Case> = vec![
            // Two functions share 10: 5 each, oldest head first.
            (
                request(10, &[]),
                vec![("b", 20), ("a", 10)],
                vec![("a", 9), ("b", 9)],
                vec![("a", 30), ("b", 40)],
                owned(&[("a", 5), ("b", 5)]),
                None,
            ),
            // A function with few events leaves the rest of the share unused this round
            // (each takes its share of what is left when visited).
            (
                request(10, &[]),
                vec![("a", 10), ("b", 20)],
                vec![("a", 2), ("b", 9)],
                vec![("b", 40)],
                owned(&[("a", 2), ("b", 5)]),
                None,
            ),
            // Not yet due functions are not visited; their head is the next due time.
            (
                request(10, &[]),
                vec![("a", 10), ("z", 500)],
                vec![("a", 1)],
                vec![("z", 500)],
                owned(&[("a", 1)]),
                Some(500),
            ),
            // A function with its own limit takes up to it; a limit of 0 is skipped.
            (
                request(4, &[("r", 2), ("zero", 0)]),
                vec![("r", 5), ("zero", 1), ("o", 6)],
                vec![("r", 9), ("o", 9)],
                vec![("r", 50), ("zero", 2), ("o", 60)],
                owned(&[("r", 2), ("o", 4)]),
                None,
            ),
            // A reserved function that used all its room is not the next due; one with room is.
            (
                request(4, &[("r", 2)]),
                vec![("r", 5), ("o", 6)],
                vec![("r", 9), ("o", 1)],
                vec![("r", 50), ("o", 60)],
                owned(&[("r", 2), ("o", 1)]),
                Some(60),
            ),
        ];
        for (i, (req, before, available, after, want_took, want_next)) in
            cases.into_iter().enumerate()
        {
            let (took, next) = run(&req, &before, &available, &after);
            assert_eq!(took, want_took, "case {i}");
            assert_eq!(next, want_next.map(Timestamp), "case {i}");
        }
    }
}
