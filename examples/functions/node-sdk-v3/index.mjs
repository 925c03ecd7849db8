// The AWS SDK for JavaScript v3 inside a function: it reads AWS_ENDPOINT_URL (and the region
// and credentials) that lambkin gives every function, so this code reaches lambkin's S3, SQS
// and SNS as written for AWS. Event: {"bucket": "...", "queueUrl": "...", "topicArn": "..."}.
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';

const s3 = new S3Client({ forcePathStyle: true });
const sqs = new SQSClient({});
const sns = new SNSClient({});

export const handler = async (event) => {
  const put = await s3.send(new PutObjectCommand({
    Bucket: event.bucket, Key: 'from-sdk-v3.txt', Body: 'written by @aws-sdk/client-s3',
  }));
  const sent = await sqs.send(new SendMessageCommand({
    QueueUrl: event.queueUrl, MessageBody: 'sent by @aws-sdk/client-sqs',
  }));
  const published = await sns.send(new PublishCommand({
    TopicArn: event.topicArn, Message: 'published by @aws-sdk/client-sns',
  }));
  return { etag: put.ETag, messageId: sent.MessageId, snsMessageId: published.MessageId };
};
