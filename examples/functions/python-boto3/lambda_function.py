"""boto3 inside a function: it reads AWS_ENDPOINT_URL (and the region and credentials) that
lambkin gives every function, so this code reaches lambkin's S3, SQS and SNS as written for AWS.
Event: {"bucket": "...", "queueUrl": "...", "topicArn": "..."}. AWS's Python runtimes include
boto3; here it must be installed for python3 (pip install boto3)."""

import boto3

s3 = boto3.client("s3")
sqs = boto3.client("sqs")
sns = boto3.client("sns")


def lambda_handler(event, context):
    put = s3.put_object(Bucket=event["bucket"], Key="from-boto3.txt", Body=b"written by boto3")
    sent = sqs.send_message(QueueUrl=event["queueUrl"], MessageBody="sent by boto3")
    published = sns.publish(TopicArn=event["topicArn"], Message="published by boto3")
    return {
        "etag": put["ETag"],
        "messageId": sent["MessageId"],
        "snsMessageId": published["MessageId"],
    }
