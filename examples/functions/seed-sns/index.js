// Seed example: a function triggered by SNS messages (the article's handler, as written).
exports.handler = async (event) => {
    console.log('SNS Event:', JSON.stringify(event, null, 2));
  
    for (const record of event.Records) {
        const message = record.Sns.Message;
        const subject = record.Sns.Subject;
      
        console.log(`Received: ${subject} - ${message}`);
      
        // Process the notification
        await handleNotification(message, subject);
    }
};

async function handleNotification(message, subject) {
    // Send email, update database, etc.
    console.log(`Handling notification: ${subject}`);
}
