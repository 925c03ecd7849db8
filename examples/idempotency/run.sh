#!/usr/bin/env bash
# The seed article's idempotency example on lambkin: a DynamoDB table ProcessedRequests (with TTL
# on `ttl`), the article's handler (aws-sdk v2 DocumentClient get/put), and one asynchronous
# event that fails once after its record is stored, so Lambda retries it with the same request
# id and the article's check skips the second run.
#
# Needs a running server (`cargo run --release -- serve` from the repository root: the retry
# comes about a minute later, as on AWS; with `--time-scale 0.01` after ~0.6 s), the AWS CLI,
# npm and zip. Run from anywhere: examples/idempotency/run.sh
set -euo pipefail
cd "$(dirname "$0")"
endpoint=${LAMBKIN_ENDPOINT:-http://127.0.0.1:9070}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
awsl() { aws --endpoint-url "$endpoint" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== installing the function's package (aws-sdk v2)"
(cd function && npm ci --no-audit --no-fund --silent)
(cd function && zip -qr "$work/function.zip" .)

echo "== table and function"
awsl dynamodb create-table --table-name ProcessedRequests \
  --attribute-definitions AttributeName=requestId,AttributeType=S \
  --key-schema AttributeName=requestId,KeyType=HASH --billing-mode PAY_PER_REQUEST \
  --query TableDescription.TableStatus
awsl dynamodb wait table-exists --table-name ProcessedRequests
awsl dynamodb update-time-to-live --table-name ProcessedRequests \
  --time-to-live-specification Enabled=true,AttributeName=ttl --query TimeToLiveSpecification
awsl lambda create-function --function-name process-order --runtime nodejs20.x \
  --handler index.handler --role arn:aws:iam::000000000000:role/demo \
  --zip-file "fileb://$work/function.zip" --query State
awsl lambda wait function-active-v2 --function-name process-order
awsl lambda put-function-event-invoke-config --function-name process-order \
  --maximum-retry-attempts 1 --query MaximumRetryAttempts

echo "== one event, failing once after its record is stored"
awsl lambda invoke --function-name process-order --invocation-type Event \
  --payload '{"orderId": 42, "forceRetry": true}' "$work/out.json" --query StatusCode

lambkin=$(command -v lambkin || echo ../../target/release/lambkin)
echo "== waiting for the retry to skip (about a minute at the default time scale)"
for _ in $(seq 300); do
  if "$lambkin" logs process-order --endpoint "$endpoint" 2>/dev/null | grep -q 'Request already processed, skipping'; then
    "$lambkin" logs process-order --endpoint "$endpoint"
    awsl dynamodb scan --table-name ProcessedRequests
    exit 0
  fi
  sleep 0.5
done
echo "the retry did not skip within 150 s; see: lambkin logs process-order" >&2
exit 1
