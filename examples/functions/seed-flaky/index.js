// Seed example: fails half of the time, to exercise retries of async invokes.
// Kept behaviourally identical to the article.
exports.handler = async (event) => {
    console.log('Attempt to process event:', event);

    if (Math.random() < 0.5) {
        throw new Error('Random processing error');
    }

    console.log('Event processed successfully');
    return { success: true };
};
