// Seed example: structured start/success/error log lines keyed by the request
// id, using context.getRemainingTimeInMillis(). Kept behaviourally identical
// to the article.
exports.handler = async (event, context) => {
    const correlationId = context.awsRequestId;

    console.log('LAMBDA_START', {
        correlationId,
        functionName: context.functionName,
        functionVersion: context.functionVersion,
        remainingTime: context.getRemainingTimeInMillis(),
        eventSize: JSON.stringify(event).length,
    });

    try {
        const result = await processEvent(event, correlationId);

        console.log('LAMBDA_SUCCESS', {
            correlationId,
            result: result,
        });

        return result;
    } catch (error) {
        console.log('LAMBDA_ERROR', {
            correlationId,
            error: error.message,
            stack: error.stack,
        });

        throw error;
    }
};

async function processEvent(event, correlationId) {
    console.log('PROCESSING_START', { correlationId });

    await new Promise(resolve => setTimeout(resolve, 1000));

    console.log('PROCESSING_COMPLETE', { correlationId });

    return { processed: true, correlationId };
}
