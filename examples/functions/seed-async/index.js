// Seed example: async handler that logs the event, waits 2 s and returns an
// API-Gateway-style response. Kept behaviourally identical to the article.
exports.handler = async (event, context) => {
    console.log('Event received:', event);

    await new Promise(resolve => setTimeout(resolve, 2000));

    const result = processUserData(event.name, event.age);

    return {
        statusCode: 200,
        body: JSON.stringify(result),
    };
};

function processUserData(name, age) {
    return {
        message: `Processed user ${name}, age ${age}`,
        timestamp: new Date().toISOString(),
    };
}
