"""kombu's SQS transport (Celery's SQS broker) against lambkin, as a Celery deployment uses it.

Run by crates/lambkin/tests/it/kombu.rs with LAMBKIN_URL set. kombu creates the queue with its
`queue_tags`, puts a task message with a message attribute, and gets it back with
`fetch_message_attributes` naming `all`, which kombu sends as `ALL` in both
`MessageSystemAttributeNames` and `MessageAttributeNames`. Exits 1, saying what differed, on
any mismatch; prints "kombu: ok" on success.
"""
import os
import sys

import boto3
from kombu import Connection

url = os.environ["LAMBKIN_URL"]
host, port = url.removeprefix("http://").split(":")
options = {
    "region": "us-east-1",
    "is_secure": False,
    "wait_time_seconds": 1,
    "queue_tags": {"app": "celery"},
    "fetch_message_attributes": {
        "MessageSystemAttributeNames": ["all"],
        "MessageAttributeNames": ["all"],
    },
}


def same(actual, expected, what):
    if actual != expected:
        sys.exit(f"kombu: {what}: expected {expected!r}, got {actual!r}")


with Connection(f"sqs://test:test@{host}:{port}", transport_options=options) as conn:
    same(
        conn.default_channel.get_message_attributes,
        {"MessageAttributeNames": ["ALL"], "MessageSystemAttributeNames": ["ALL"]},
        "the names kombu sends",
    )
    jobs = conn.SimpleQueue("jobs")
    jobs.put(
        {"task": "add", "args": [1, 2]},
        message_attributes={
            "S3MessageBodyKey": {"DataType": "String", "StringValue": "bucket/key"},
        },
    )
    message = jobs.get(block=True, timeout=10)
    same(message.payload, {"task": "add", "args": [1, 2]}, "the task")
    received = message.delivery_info["sqs_message"]
    same(
        sorted(received.get("Attributes", {})),
        [
            "ApproximateFirstReceiveTimestamp",
            "ApproximateReceiveCount",
            "SenderId",
            "SentTimestamp",
        ],
        "system attributes for ALL",
    )
    same(received["Attributes"]["ApproximateReceiveCount"], "1", "ApproximateReceiveCount")
    same(
        received.get("MessageAttributes"),
        {"S3MessageBodyKey": {"StringValue": "bucket/key", "DataType": "String"}},
        "message attributes for ALL",
    )
    message.ack()
    jobs.close()

sqs = boto3.client("sqs", endpoint_url=url, region_name="us-east-1")
queue_url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
same(sqs.list_queue_tags(QueueUrl=queue_url).get("Tags"), {"app": "celery"}, "queue_tags")
same(
    sqs.receive_message(QueueUrl=queue_url).get("Messages"),
    None,
    "the acknowledged message is deleted",
)
print("kombu: ok")
