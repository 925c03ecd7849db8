//! The event-pattern engine's cost: events matched per second against N rules (each event
//! tested against every rule, as a bus with N rules does), in this process, no server.

use std::time::Instant;

use clap::Args;
use lambkin_patterns::Pattern;
use serde_json::json;

#[derive(Debug, Args)]
pub struct PatternsArgs {
    #[arg(long, default_value_t = 1000)]
    pub rules: usize,
    #[arg(long, default_value_t = 20_000)]
    pub events: usize,
}

pub async fn run(a: PatternsArgs) -> anyhow::Result<()> {
    // Rules as users write them: a source, a detail-type, and one detail condition of a kind
    // that varies (exact, prefix, numeric, anything-but, wildcard, $or).
    let rules: Vec<Pattern> = (0..a.rules)
        .map(|i| {
            let detail = match i % 6 {
                0 => json!({"state": [format!("state-{}", i % 50)]}),
                1 => json!({"bucket": [{"prefix": format!("photos-{}", i % 40)}]}),
                2 => json!({"size": [{"numeric": [">", i % 1000, "<=", 5000]}]}),
                3 => json!({"state": [{"anything-but": ["pending", "failed"]}]}),
                4 => json!({"key": [{"wildcard": format!("uploads/*/{}*.jpg", i % 30)}]}),
                _ => json!({"$or": [{"size": [{"numeric": ["<", 10]}]}, {"state": ["done"]}]}),
            };
            Pattern::from_value(&json!({
                "source": [format!("app.service{}", i % 10)],
                "detail-type": ["Object Created", "Order Placed"],
                "detail": detail,
            }))
        })
        .collect::<Result<_, _>>()?;
    let events: Vec<serde_json::Value> = (0..100)
        .map(|i| {
            json!({
                "version": "0", "id": format!("e-{i}"), "detail-type": "Object Created",
                "source": format!("app.service{}", i % 10), "account": "000000000000",
                "time": "2026-12-07T18:00:00Z", "region": "us-east-1", "resources": [],
                "detail": {
                    "state": format!("state-{}", i % 50), "bucket": format!("photos-{}", i % 40),
                    "size": i * 37, "key": format!("uploads/2026/{}-cat.jpg", i % 30)
                }
            })
        })
        .collect();
    let started = Instant::now();
    let mut matched = 0u64;
    for n in 0..a.events {
        let event = &events[n % events.len()];
        matched += rules.iter().filter(|r| r.matches(event)).count() as u64;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{} events against {} rules: {:.0} events/s ({:.2} µs per event, {:.0} ns per rule check; {} matches)",
        a.events,
        a.rules,
        a.events as f64 / elapsed,
        elapsed * 1e6 / a.events as f64,
        elapsed * 1e9 / (a.events * a.rules) as f64,
        matched
    );
    Ok(())
}
