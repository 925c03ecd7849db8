// Image processing Lambda function
const AWS = require('aws-sdk');
const sharp = require('sharp'); // Image processing library

const s3 = new AWS.S3();

exports.handler = async (event, context) => {
    console.log('Image processing started:', {
        requestId: context.awsRequestId,
        records: event.Records.length
    });
  
    try {
        // Process each S3 record
        for (const record of event.Records) {
            await processImage(record);
        }
      
        return {
            statusCode: 200,
            message: 'All images processed successfully'
        };
      
    } catch (error) {
        console.error('Image processing failed:', error);
        throw error; // Trigger retry mechanism
    }
};

async function processImage(record) {
    const bucketName = record.s3.bucket.name;
    const objectKey = decodeURIComponent(record.s3.object.key);
  
    console.log(`Processing image: ${objectKey} from ${bucketName}`);
  
    try {
        // Download the image
        const imageObject = await s3.getObject({
            Bucket: bucketName,
            Key: objectKey
        }).promise();
      
        // Create thumbnail using Sharp
        const thumbnail = await sharp(imageObject.Body)
            .resize(200, 200)
            .jpeg({ quality: 80 })
            .toBuffer();
      
        // Upload thumbnail
        const thumbnailKey = `thumbnails/${objectKey}`;
        await s3.putObject({
            Bucket: bucketName,
            Key: thumbnailKey,
            Body: thumbnail,
            ContentType: 'image/jpeg'
        }).promise();
      
        console.log(`Thumbnail created: ${thumbnailKey}`);
      
    } catch (error) {
        console.error(`Failed to process ${objectKey}:`, error);
        throw error;
    }
}
