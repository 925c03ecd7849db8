// The AWS SDK for JavaScript v3 against lambkin: a second SDK family guarding the wire shapes
// the Rust SDK's tests check (issue 15 §2). Run by crates/lambkin/tests/it/js_sdk.rs with
//   LAMBKIN_URL   the server's address (every client's `endpoint`)
//   FUNCTION_ZIP  a zip of examples/functions/node-echo-esm (echoes its event; {"fail": true}
//                 throws "intentional failure")
// and test credentials in the environment. It creates a function, invokes it (RequestResponse
// and Event), sends the Event results to SQS destinations, publishes versions and routes an
// alias between them, sends and receives SQS messages
// with attributes, tags a queue, and publishes through SNS to a queue. Any mismatch throws;
// the script then prints what differed and exits 1. Success prints "js-sdk tour: ok".

import { readFileSync } from 'node:fs';
import { isDeepStrictEqual, inspect } from 'node:util';

import {
  LambdaClient, CreateFunctionCommand, InvokeCommand, PutFunctionEventInvokeConfigCommand,
  GetFunctionEventInvokeConfigCommand, waitUntilFunctionActiveV2, PublishVersionCommand,
  ListVersionsByFunctionCommand, CreateAliasCommand, GetAliasCommand, UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import {
  SQSClient, CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand,
  ReceiveMessageCommand, DeleteMessageCommand, ListQueueTagsCommand, TagQueueCommand,
} from '@aws-sdk/client-sqs';
import {
  SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand, ConfirmSubscriptionCommand,
} from '@aws-sdk/client-sns';

const endpoint = process.env.LAMBKIN_URL;
const config = { endpoint, region: 'us-east-1' };
const lambda = new LambdaClient(config);
const sqs = new SQSClient(config);
const sns = new SNSClient(config);
const ROLE = 'arn:aws:iam::000000000000:role/lambkin-js-sdk';
const FUNCTION = 'js-echo';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:000000000000:function:${FUNCTION}`;

const encode = (value) => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes) => JSON.parse(new TextDecoder().decode(bytes));

/** Throws with both values when `actual` is not deeply equal to `expected`. */
function same(actual, expected, what) {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Error(`${what}: expected ${inspect(expected, { depth: 6 })}, got ${inspect(actual, { depth: 6 })}`);
  }
}

function check(condition, what) {
  if (!condition) throw new Error(what);
}

async function queue(name, tags) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, tags }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl, AttributeNames: ['QueueArn'],
  }));
  same(Attributes.QueueArn, `arn:aws:sqs:us-east-1:000000000000:${name}`, `${name} QueueArn`);
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

/** The first message of the queue, long-polling until one arrives or `seconds` pass. */
async function receiveOne(url, what, seconds = 20) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: url,
      WaitTimeSeconds: Math.min(20, Math.max(1, Math.ceil((deadline - Date.now()) / 1000))),
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }));
    if (Messages?.length) {
      await sqs.send(new DeleteMessageCommand({
        QueueUrl: url, ReceiptHandle: Messages[0].ReceiptHandle,
      }));
      return Messages[0];
    }
  }
  throw new Error(`${what}: no message within ${seconds} s`);
}

async function functionCreateAndInvoke() {
  const created = await lambda.send(new CreateFunctionCommand({
    FunctionName: FUNCTION,
    Runtime: 'nodejs20.x',
    Handler: 'index.handler',
    Role: ROLE,
    Code: { ZipFile: readFileSync(process.env.FUNCTION_ZIP) },
    Timeout: 10,
  }));
  same(created.FunctionArn, FUNCTION_ARN, 'CreateFunction FunctionArn');
  same(created.Runtime, 'nodejs20.x', 'CreateFunction Runtime');
  const waited = await waitUntilFunctionActiveV2(
    { client: lambda, maxWaitTime: 30 }, { FunctionName: FUNCTION },
  );
  same(waited.state, 'SUCCESS', 'the function becomes Active');

  const sync = await lambda.send(new InvokeCommand({
    FunctionName: FUNCTION, Payload: encode({ hello: 'js' }),
  }));
  same(sync.StatusCode, 200, 'RequestResponse StatusCode');
  same(sync.FunctionError, undefined, 'RequestResponse FunctionError');
  same(sync.ExecutedVersion, '$LATEST', 'RequestResponse ExecutedVersion');
  same(decode(sync.Payload), { hello: 'js' }, 'RequestResponse Payload');

  const failed = await lambda.send(new InvokeCommand({
    FunctionName: FUNCTION, Payload: encode({ fail: true }),
  }));
  same(failed.StatusCode, 200, 'failed RequestResponse StatusCode');
  same(failed.FunctionError, 'Unhandled', 'failed RequestResponse FunctionError');
  same(decode(failed.Payload).errorMessage, 'intentional failure', 'failed RequestResponse errorMessage');
}

async function eventInvokesReachDestinations() {
  const success = await queue('js-on-success');
  const failure = await queue('js-on-failure');
  const put = await lambda.send(new PutFunctionEventInvokeConfigCommand({
    FunctionName: FUNCTION,
    MaximumRetryAttempts: 0,
    DestinationConfig: {
      OnSuccess: { Destination: success.arn },
      OnFailure: { Destination: failure.arn },
    },
  }));
  same(put.FunctionArn, `${FUNCTION_ARN}:$LATEST`, 'PutFunctionEventInvokeConfig FunctionArn');
  same(put.MaximumRetryAttempts, 0, 'PutFunctionEventInvokeConfig MaximumRetryAttempts');
  const got = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: FUNCTION }));
  same(got.DestinationConfig, {
    OnSuccess: { Destination: success.arn },
    OnFailure: { Destination: failure.arn },
  }, 'GetFunctionEventInvokeConfig DestinationConfig');

  const ok = await lambda.send(new InvokeCommand({
    FunctionName: FUNCTION, InvocationType: 'Event', Payload: encode({ hello: 'async' }),
  }));
  same(ok.StatusCode, 202, 'Event StatusCode');
  const bad = await lambda.send(new InvokeCommand({
    FunctionName: FUNCTION, InvocationType: 'Event', Payload: encode({ fail: true }),
  }));
  same(bad.StatusCode, 202, 'failing Event StatusCode');

  const onSuccess = JSON.parse((await receiveOne(success.url, 'OnSuccess record')).Body);
  same(onSuccess.version, '1.0', 'OnSuccess version');
  same(onSuccess.requestContext.condition, 'Success', 'OnSuccess condition');
  same(onSuccess.requestContext.functionArn, `${FUNCTION_ARN}:$LATEST`, 'OnSuccess functionArn');
  same(onSuccess.requestContext.approximateInvokeCount, 1, 'OnSuccess approximateInvokeCount');
  same(onSuccess.requestPayload, { hello: 'async' }, 'OnSuccess requestPayload');
  same(onSuccess.responseContext, { statusCode: 200, executedVersion: '$LATEST' }, 'OnSuccess responseContext');
  same(onSuccess.responsePayload, { hello: 'async' }, 'OnSuccess responsePayload');

  const onFailure = JSON.parse((await receiveOne(failure.url, 'OnFailure record')).Body);
  same(onFailure.requestContext.condition, 'RetriesExhausted', 'OnFailure condition');
  same(onFailure.requestContext.approximateInvokeCount, 1, 'OnFailure approximateInvokeCount');
  same(onFailure.requestPayload, { fail: true }, 'OnFailure requestPayload');
  same(onFailure.responseContext.functionError, 'Unhandled', 'OnFailure functionError');
  same(onFailure.responsePayload.errorMessage, 'intentional failure', 'OnFailure errorMessage');
}

async function versionsAndAliases() {
  const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: FUNCTION, Description: 'one' }));
  same(v1.Version, '1', 'PublishVersion Version');
  same(v1.FunctionArn, `${FUNCTION_ARN}:1`, 'PublishVersion FunctionArn');
  await lambda.send(new UpdateFunctionConfigurationCommand({
    FunctionName: FUNCTION, Environment: { Variables: { RELEASE: '2' } },
  }));
  same((await lambda.send(new PublishVersionCommand({ FunctionName: FUNCTION }))).Version, '2', 'second PublishVersion');
  const { Versions } = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: FUNCTION }));
  same(Versions.map((v) => v.Version), ['$LATEST', '1', '2'], 'ListVersionsByFunction');

  const alias = await lambda.send(new CreateAliasCommand({
    FunctionName: FUNCTION, Name: 'live', FunctionVersion: '1',
    RoutingConfig: { AdditionalVersionWeights: { 2: 0.5 } },
  }));
  same(alias.AliasArn, `${FUNCTION_ARN}:live`, 'CreateAlias AliasArn');
  same(alias.RoutingConfig, { AdditionalVersionWeights: { 2: 0.5 } }, 'CreateAlias RoutingConfig');
  const got = await lambda.send(new GetAliasCommand({ FunctionName: FUNCTION, Name: 'live' }));
  same(got.RevisionId, alias.RevisionId, 'GetAlias RevisionId');
  const seen = new Set();
  for (let i = 0; i < 40; i += 1) {
    const out = await lambda.send(new InvokeCommand({
      FunctionName: FUNCTION, Qualifier: 'live', Payload: encode({ i }),
    }));
    seen.add(out.ExecutedVersion);
  }
  same([...seen].sort(), ['1', '2'], 'versions run through a 50/50 alias');
  const moved = await lambda.send(new UpdateAliasCommand({
    FunctionName: FUNCTION, Name: 'live', FunctionVersion: '2', RoutingConfig: {},
    RevisionId: alias.RevisionId,
  }));
  same(moved.FunctionVersion, '2', 'UpdateAlias FunctionVersion');
  same(moved.RoutingConfig, undefined, 'UpdateAlias without routing');
  const out = await lambda.send(new InvokeCommand({ FunctionName: `${FUNCTION}:live` }));
  same(out.ExecutedVersion, '2', 'ExecutedVersion after UpdateAlias');
}

async function sqsMessagesWithAttributes() {
  const q = await queue('js-messages', { team: 'js', env: '' });
  const { Tags } = await sqs.send(new ListQueueTagsCommand({ QueueUrl: q.url }));
  same(Tags, { team: 'js', env: '' }, 'ListQueueTags of a queue created with tags');
  await sqs.send(new TagQueueCommand({ QueueUrl: q.url, Tags: { team: 'sdk-v3' } }));
  same((await sqs.send(new ListQueueTagsCommand({ QueueUrl: q.url }))).Tags,
    { team: 'sdk-v3', env: '' }, 'ListQueueTags after TagQueue');

  const binary = new Uint8Array([0, 1, 2, 250]);
  const sent = await sqs.send(new SendMessageCommand({
    QueueUrl: q.url,
    MessageBody: 'hello from the JavaScript SDK',
    MessageAttributes: {
      Color: { DataType: 'String', StringValue: 'blue' },
      Count: { DataType: 'Number', StringValue: '3' },
      Raw: { DataType: 'Binary', BinaryValue: binary },
    },
  }));
  check(sent.MessageId, 'SendMessage MessageId');
  check(sent.MD5OfMessageAttributes, 'SendMessage MD5OfMessageAttributes');

  const m = await receiveOne(q.url, 'the sent message');
  same(m.MessageId, sent.MessageId, 'received MessageId');
  same(m.Body, 'hello from the JavaScript SDK', 'received Body');
  same(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes, 'received MD5OfMessageAttributes');
  same(m.MessageAttributes.Color, { DataType: 'String', StringValue: 'blue' }, 'String attribute');
  same(m.MessageAttributes.Count, { DataType: 'Number', StringValue: '3' }, 'Number attribute');
  same(m.MessageAttributes.Raw.DataType, 'Binary', 'Binary attribute type');
  same(Array.from(m.MessageAttributes.Raw.BinaryValue), Array.from(binary), 'Binary attribute value');
  same(m.Attributes.ApproximateReceiveCount, '1', 'ApproximateReceiveCount');
  same(m.Attributes.SenderId, '000000000000', 'SenderId');
  check(/^\d{13}$/.test(m.Attributes.SentTimestamp), `SentTimestamp ${m.Attributes.SentTimestamp}`);
}

async function snsPublishToAQueue() {
  const fanout = await queue('js-fanout');
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'js-topic' }));
  same(TopicArn, 'arn:aws:sns:us-east-1:000000000000:js-topic', 'CreateTopic TopicArn');
  const { SubscriptionArn } = await sns.send(new SubscribeCommand({
    TopicArn, Protocol: 'sqs', Endpoint: fanout.arn,
  }));
  check(SubscriptionArn?.startsWith(`${TopicArn}:`), `SubscriptionArn ${SubscriptionArn}`);
  // Confirmed at once: the subscription's id is its token, and confirming answers its ARN.
  const confirmed = await sns.send(new ConfirmSubscriptionCommand({
    TopicArn, Token: SubscriptionArn.split(':').pop(),
  }));
  same(confirmed.SubscriptionArn, SubscriptionArn, 'ConfirmSubscription SubscriptionArn');

  const published = await sns.send(new PublishCommand({
    TopicArn,
    Subject: 'greeting',
    Message: 'hello from the JavaScript SDK',
    MessageAttributes: { event: { DataType: 'String', StringValue: 'created' } },
  }));
  check(published.MessageId, 'Publish MessageId');

  const envelope = JSON.parse((await receiveOne(fanout.url, 'the SNS notification')).Body);
  same(envelope.Type, 'Notification', 'envelope Type');
  same(envelope.MessageId, published.MessageId, 'envelope MessageId');
  same(envelope.TopicArn, TopicArn, 'envelope TopicArn');
  same(envelope.Subject, 'greeting', 'envelope Subject');
  same(envelope.Message, 'hello from the JavaScript SDK', 'envelope Message');
  same(envelope.MessageAttributes, { event: { Type: 'String', Value: 'created' } }, 'envelope MessageAttributes');
  check(envelope.UnsubscribeURL?.includes(SubscriptionArn), `envelope UnsubscribeURL ${envelope.UnsubscribeURL}`);
}

try {
  check(endpoint, 'LAMBKIN_URL is not set');
  await functionCreateAndInvoke();
  await eventInvokesReachDestinations();
  await versionsAndAliases();
  await sqsMessagesWithAttributes();
  await snsPublishToAQueue();
  console.log('js-sdk tour: ok');
} catch (e) {
  console.error(`js-sdk tour failed: ${e.stack ?? e}`);
  process.exit(1);
}
