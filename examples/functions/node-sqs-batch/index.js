// lambkin test fixture: the function of an SQS event source mapping.
//
// Logs `TRACE <_X_AMZN_TRACE_ID>` and `BATCH <event as JSON>` once per invocation, then acts
// on the records' bodies:
//   a body containing "sleep:<ms>"   wait that long (the batch stays in flight)
//   a body containing "throw"        throw: the whole batch fails
//   a body containing "fail"         list the record in batchItemFailures
//   a body containing "bad-id"       list an empty itemIdentifier (an invalid answer)
// and returns {"batchItemFailures":[...]}, which only a mapping with ReportBatchItemFailures
// reads.
'use strict';

exports.handler = async (event) => {
  console.log('TRACE ' + process.env._X_AMZN_TRACE_ID);
  console.log('BATCH ' + JSON.stringify(event));
  const failures = [];
  let fail = false;
  for (const record of event.Records || []) {
    const body = String(record.body);
    const sleep = /sleep:(\d+)/.exec(body);
    if (sleep) {
      await new Promise((resolve) => setTimeout(resolve, Number(sleep[1])));
    }
    if (body.includes('throw')) {
      fail = true;
    }
    if (body.includes('fail')) {
      failures.push({ itemIdentifier: record.messageId });
    }
    if (body.includes('bad-id')) {
      failures.push({ itemIdentifier: '' });
    }
  }
  if (fail) {
    throw new Error('a record asked the batch to fail');
  }
  return { batchItemFailures: failures };
};
