"""Echo fixture for lambkin's Python runtime tests (handler: lambda_function.lambda_handler).

The event is a JSON object whose keys select behaviour; with none of them the
event is returned unchanged:

  {"log": "text"}          print the text (captured from stdout), then continue
  {"sleep_ms": N}          sleep N milliseconds, then continue
  {"exit": N}              crash the process with os._exit(N)
  {"fail": true}           raise Exception("intentional failure")
  {"fail_until_attempt": N, "state_dir": "/dir"}
                           count attempts in <state_dir>/<aws_request_id>; fail
                           while the count is below N (retries reuse the
                           request id, so this exercises retry policies)
  {"context": true}        return the context fields and runtime environment
"""

import os
import sys
import time


def lambda_handler(event, context):
    if not isinstance(event, dict):
        return event

    if "log" in event:
        print(event["log"])

    if "sleep_ms" in event:
        time.sleep(event["sleep_ms"] / 1000)

    if "exit" in event:
        # os._exit skips the usual buffer flushing; keep what was printed.
        sys.stdout.flush()
        os._exit(int(event["exit"]))

    if event.get("fail"):
        raise Exception("intentional failure")

    if "fail_until_attempt" in event:
        count = _bump_attempt(event["state_dir"], context.aws_request_id)
        if count < int(event["fail_until_attempt"]):
            raise Exception(f"attempt {count} failed")

    if event.get("context"):
        return {
            "awsRequestId": context.aws_request_id,
            "functionName": context.function_name,
            "functionVersion": context.function_version,
            "invokedFunctionArn": context.invoked_function_arn,
            "memoryLimitInMB": context.memory_limit_in_mb,
            "logGroupName": context.log_group_name,
            "logStreamName": context.log_stream_name,
            "remaining": context.get_remaining_time_in_millis(),
            "env": {
                name: os.environ.get(name)
                for name in (
                    "AWS_LAMBDA_FUNCTION_NAME",
                    "AWS_REGION",
                    "LAMBDA_TASK_ROOT",
                    "_HANDLER",
                    "TZ",
                )
            },
        }

    return event


def _bump_attempt(state_dir, request_id):
    """Increment and return the attempt counter kept in <state_dir>/<request_id>."""
    os.makedirs(state_dir, exist_ok=True)
    path = os.path.join(state_dir, request_id)
    try:
        with open(path) as f:
            count = int(f.read().strip() or 0)
    except FileNotFoundError:
        count = 0
    count += 1
    with open(path, "w") as f:
        f.write(str(count))
    return count
