// Seed example: the article's function with destination routing, as written.
// Succeeds on {"data": ...}; throws 'Invalid event structure' otherwise.
exports.handler = async (event, context) => {
    const startTime = Date.now();
  
    try {
        console.log('Starting processing:', {
            requestId: context.awsRequestId,
            event: event
        });
      
        // Your processing logic
        const result = await complexProcessing(event);
      
        console.log('Processing completed successfully:', {
            duration: Date.now() - startTime,
            result: result
        });
      
        return result;
      
    } catch (error) {
        console.error('Processing failed:', {
            error: error.message,
            stack: error.stack,
            duration: Date.now() - startTime,
            requestId: context.awsRequestId
        });
      
        throw error; // This will trigger destination routing
    }
};

async function complexProcessing(event) {
    // Simulate complex business logic
    if (!event.data) {
        throw new Error('Invalid event structure');
    }
  
    // Process the data
    return {
        processed: true,
        timestamp: new Date().toISOString(),
        data: event.data
    };
}
