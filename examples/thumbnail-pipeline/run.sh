#!/usr/bin/env bash
# The seed article's thumbnail pipeline on lambkin: an upload to S3 invokes the article's
# function asynchronously; it downloads the image with the AWS SDK (v2), makes a 200x200
# thumbnail with sharp and uploads it under thumbnails/.
#
# Needs a running server (`cargo run --release -- serve` from the repository root), the AWS CLI,
# npm and zip. Run from anywhere: examples/thumbnail-pipeline/run.sh
set -euo pipefail
cd "$(dirname "$0")"
endpoint=${LAMBKIN_ENDPOINT:-http://127.0.0.1:9070}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
awsl() { aws --endpoint-url "$endpoint" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== installing the function's packages (aws-sdk v2, sharp)"
(cd function && npm ci --no-audit --no-fund --silent)
(cd function && zip -qr "$work/function.zip" .)

echo "== bucket, function, notification"
awsl s3 mb s3://photos
awsl lambda create-function --function-name make-thumbnail --runtime nodejs20.x \
  --handler index.handler --role arn:aws:iam::000000000000:role/demo \
  --timeout 30 --memory-size 1024 --zip-file "fileb://$work/function.zip" --query State
awsl lambda wait function-active-v2 --function-name make-thumbnail
# Uploads under uploads/ trigger the function; its thumbnails land under thumbnails/, outside
# the filter, so the function never triggers itself.
awsl s3api put-bucket-notification-configuration --bucket photos --notification-configuration '{
  "LambdaFunctionConfigurations": [{
    "Id": "thumbnails",
    "LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:make-thumbnail",
    "Events": ["s3:ObjectCreated:*"],
    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"}]}}
  }]
}'

echo "== upload"
awsl s3 cp image.jpg s3://photos/uploads/image.jpg

echo "== waiting for the thumbnail"
for _ in $(seq 120); do
  if awsl s3api head-object --bucket photos --key thumbnails/uploads/image.jpg >/dev/null 2>&1; then
    awsl s3 cp s3://photos/thumbnails/uploads/image.jpg "$work/thumbnail.jpg" --only-show-errors
    awsl s3 ls s3://photos --recursive
    echo "thumbnail: $(wc -c < "$work/thumbnail.jpg") bytes"
    # The lambkin CLI: on PATH, or the one `cargo run --release` built.
    lambkin=$(command -v lambkin || echo ../../target/release/lambkin)
    if [ -x "$lambkin" ] && command -v jq >/dev/null; then
      echo "== the invocation, as lambkin inspect shows it"
      id=$("$lambkin" events make-thumbnail --json --endpoint "$endpoint" | jq -r '.events[0].requestId')
      "$lambkin" inspect "$id" --endpoint "$endpoint"
    else
      echo "== see the invocation with: lambkin events make-thumbnail; lambkin inspect <request id>"
    fi
    exit 0
  fi
  sleep 0.5
done
echo "no thumbnail after 60 s; see: lambkin logs make-thumbnail" >&2
exit 1
