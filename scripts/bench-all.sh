#!/usr/bin/env bash
# Runs every scenario behind BENCHMARKS.md, in order, on loopback; each stops by itself.
# Usage: scripts/bench-all.sh   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p lambkin --bin lambkin --example rust-echo
out=${CARGO_TARGET_DIR:-target}/release
bin=$out/lambkin
fn=(--bootstrap "$out/examples/rust-echo")
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# A CPU-bound calibration loop: this machine's speed varies over time; compare runs by it.
calibrate() { python3 -c 'import time
t=time.perf_counter(); s=0
for i in range(20_000_000): s+=i
print(f"calibration loop: {time.perf_counter()-t:.2f} s")'; }

serve() { # serve <port> [flags...]: start a server and wait for its ready line
  local port=$1; shift
  rm -rf "$work/data-$port"
  "$bin" serve --listen "127.0.0.1:$port" --data-dir "$work/data-$port" "$@" > "$work/serve-$port.log" 2>&1 &
  for _ in $(seq 100); do grep -q "listening" "$work/serve-$port.log" && return; sleep 0.05; done
  echo "server on $port did not start" >&2; exit 1
}
stop() { kill "$(jobs -p | tail -1)"; wait "$(jobs -p | tail -1)" 2>/dev/null || true; }

calibrate
serve 9171 --max-concurrency 1
LAMBKIN_ENDPOINT=http://127.0.0.1:9171 "$bin" bench accept --clients 64 --payload-bytes 1024 --seconds 10 --hold-ms 600000 "${fn[@]}"
stop
serve 9172
LAMBKIN_ENDPOINT=http://127.0.0.1:9172 "$bin" bench accept --clients 64 --payload-bytes 1024 --seconds 10 "${fn[@]}"
stop
"$bin" bench drain --data-dir "$work/drain" --count 100000 --concurrency 8 "${fn[@]}"
serve 9173
export LAMBKIN_ENDPOINT=http://127.0.0.1:9173
"$bin" bench sync --concurrency 1 --seconds 10 "${fn[@]}"
"$bin" bench sync --concurrency 16 --seconds 10 "${fn[@]}"
"$bin" bench latency --count 2000 "${fn[@]}"
"$bin" bench cold --count 20 "${fn[@]}"
stop
# Issue 3: SQS throughput (16 clients) and 10,000 failures delivered to an OnFailure queue.
serve 9174
export LAMBKIN_ENDPOINT=http://127.0.0.1:9174
"$bin" bench sqs --clients 16 --seconds 10
"$bin" bench failures --events 10000 "${fn[@]}"
# Issue 13 §4: an SQS event source mapping at batch sizes 1, 10, 100 against a plain consumer.
"$bin" bench sqs-mapping --messages 10000 "${fn[@]}"
"$bin" bench sqs-mapping --messages 50000 --batch-sizes 10,100 "${fn[@]}"
# Issue 13 §2: PutEvents with 100 rules, 10 entries and 1 entry per call.
"$bin" bench put-events --rules 100 --clients 16 --seconds 10
"$bin" bench put-events --rules 100 --clients 16 --seconds 10 --entries 1
stop
# Issue 14: DynamoDB PutItem/GetItem/conditional PutItem, Query from a 1,000,000-item table.
serve 9179
export LAMBKIN_ENDPOINT=http://127.0.0.1:9179
"$bin" bench dynamodb --clients 16 --seconds 10 --items 1000000 --server-pid "$(jobs -p | tail -1)"
stop
# Issue 13 §3: schedule firing lateness, rate(1 minute) compressed to 60 ms.
serve 9178 --time-scale 0.001
export LAMBKIN_ENDPOINT=http://127.0.0.1:9178
"$bin" bench schedules --rules 20 --seconds 10
"$bin" bench schedules --rules 200 --seconds 10
stop
# Issue 12: S3 PutObject / GetObject with 16 clients, small and large objects.
serve 9177
export LAMBKIN_ENDPOINT=http://127.0.0.1:9177
"$bin" bench s3 --clients 16 --object-bytes 4096 --seconds 10
"$bin" bench s3 --clients 16 --object-bytes 67108864 --seconds 10
"$bin" bench s3-notify --count 500 "${fn[@]}"
"$bin" bench patterns --rules 1000 --events 20000
stop
"$bin" bench drain --data-dir "$work/pending" --count 1000000 --hold "${fn[@]}"
# Issue 8: backlogs behind reserved concurrency, at real time; an idle function beside one.
serve 9175
export LAMBKIN_ENDPOINT=http://127.0.0.1:9175
"$bin" bench reserved --count 300 --reserved 2 --sleep-ms 200 "${fn[@]}"
"$bin" bench reserved --count 10000 --reserved 1 --sleep-ms 0 "${fn[@]}"
stop
serve 9176
export LAMBKIN_ENDPOINT=http://127.0.0.1:9176
"$bin" bench latency --count 2000 "${fn[@]}"
"$bin" bench latency --count 2000 --backlog 100000 "${fn[@]}"
stop
# Issue 9: accepts while retention removes 1,000,000 expired events; the folder's size under a
# steady load for longer than a compressed retention.
"$bin" bench prune --data-dir "$work/prune0" --count 0 "${fn[@]}"
"$bin" bench prune --data-dir "$work/prune" --count 1000000 "${fn[@]}"
"$bin" bench soak --data-dir "$work/soak" --rate 1000 --seconds 180 "${fn[@]}"
calibrate
