//! Closed-loop load: N clients, each sending its next request as soon as the last one answered.

use std::future::Future;
use std::time::{Duration, Instant};

pub struct Load {
    /// Latency of every successful request.
    pub ok: Vec<Duration>,
    pub errors: u64,
    pub seconds: f64,
}

impl Load {
    pub fn rate(&self) -> f64 {
        self.ok.len() as f64 / self.seconds
    }

    /// `<secs> s: <n> ok (<rate>/s), <errors> errors; latency <percentiles>`.
    pub fn report(self) -> String {
        format!(
            "{:.1} s: {} ok ({:.0}/s), {} errors; latency {}",
            self.seconds,
            self.ok.len(),
            self.rate(),
            self.errors,
            super::stats::summarize(self.ok)
        )
    }
}

/// Runs `clients` loops of `call` for `duration`; `call` answers whether the request succeeded.
pub async fn run<F, Fut>(clients: usize, duration: Duration, call: F) -> anyhow::Result<Load>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send,
{
    let started = Instant::now();
    let stop = started + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let call = call.clone();
            tokio::spawn(async move {
                let mut ok = Vec::with_capacity(100_000);
                let mut errors = 0u64;
                while Instant::now() < stop {
                    let t = Instant::now();
                    if call().await {
                        ok.push(t.elapsed());
                    } else {
                        errors += 1;
                    }
                }
                (ok, errors)
            })
        })
        .collect();
    let mut load = Load {
        ok: Vec::new(),
        errors: 0,
        seconds: 0.0,
    };
    for t in tasks {
        let (ok, errors) = t.await?;
        load.ok.extend(ok);
        load.errors += errors;
    }
    load.seconds = started.elapsed().as_secs_f64();
    Ok(load)
}
