// The seed article's concurrency example ("Function designed for concurrent execution"),
// unchanged from `const AWS` to the end of its handler; only `processEvent`, which the article
// leaves to the reader, is added below it, and a wrapper that forces one retry (see the end).
const AWS = require('aws-sdk');
const dynamodb = new AWS.DynamoDB.DocumentClient();

exports.handler = async (event, context) => {
    // Use request ID to ensure idempotency
    const idempotencyKey = context.awsRequestId;
  
    try {
        // Check if we've already processed this request
        const existing = await dynamodb.get({
            TableName: 'ProcessedRequests',
            Key: { requestId: idempotencyKey }
        }).promise();
      
        if (existing.Item) {
            console.log('Request already processed, skipping');
            return existing.Item.result;
        }
      
        // Process the event
        const result = await processEvent(event);
      
        // Store the result to prevent duplicate processing
        await dynamodb.put({
            TableName: 'ProcessedRequests',
            Item: {
                requestId: idempotencyKey,
                result: result,
                timestamp: Date.now(),
                ttl: Math.floor(Date.now() / 1000) + (24 * 60 * 60) // 24 hours
            }
        }).promise();
      
        return result;
      
    } catch (error) {
        console.error('Processing failed:', error);
        throw error;
    }
};

// The work itself, which the article leaves out.
async function processEvent(event) {
    console.log('Processing order', event.orderId);
    return { orderId: event.orderId, charged: true };
}

// Lambda retries a failed asynchronous event with the same request id. To show the article's
// check at work, an event with `forceRetry` fails once, after the article's handler has stored
// its record: the retry then finds the record and skips.
const articleHandler = exports.handler;
exports.handler = async (event, context) => {
    const before = await dynamodb.get({
        TableName: 'ProcessedRequests',
        Key: { requestId: context.awsRequestId }
    }).promise();
    const result = await articleHandler(event, context);
    if (event.forceRetry && !before.Item) {
        throw new Error(`forced failure after storing ${context.awsRequestId}: Lambda will retry it`);
    }
    return result;
};
