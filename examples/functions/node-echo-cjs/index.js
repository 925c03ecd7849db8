// lambkin test fixture: CommonJS async handler (`exports.handler = async ...`).
//
// Behaviour, driven by the event (steps run in this order):
//   {"log": "text"}           console.log(text)
//   {"sleep_ms": N}           wait N ms
//   {"exit": N}               process.exit(N) (simulates a crash)
//   {"fail": true}            throw Error("intentional failure")
//   {"fail_until_attempt": N, "state_dir": "/dir"}
//                             count attempts in <state_dir>/<awsRequestId>;
//                             throw Error("attempt <count> failed") while count < N
//   {"context": true}         return the context fields and runtime env vars
//   otherwise                 return the event unchanged (echo)
// The same behaviour is implemented by node-echo-esm and node-echo-callback.
'use strict';

const fs = require('fs');
const path = require('path');

exports.handler = async (event, context) => {
  // Non-object events (strings, numbers, null) are simply echoed.
  const opts = event !== null && typeof event === 'object' ? event : {};
  if (opts.log !== undefined) {
    console.log(opts.log);
  }
  if (opts.sleep_ms !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, opts.sleep_ms));
  }
  if (opts.exit !== undefined) {
    process.exit(opts.exit);
  }
  if (opts.fail) {
    throw new Error('intentional failure');
  }
  if (opts.fail_until_attempt !== undefined) {
    const file = path.join(opts.state_dir, context.awsRequestId);
    let count = 0;
    try {
      count = parseInt(fs.readFileSync(file, 'utf8'), 10) || 0;
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
    count += 1;
    fs.writeFileSync(file, String(count));
    if (count < opts.fail_until_attempt) {
      throw new Error(`attempt ${count} failed`);
    }
  }
  if (opts.context) {
    return {
      awsRequestId: context.awsRequestId,
      functionName: context.functionName,
      functionVersion: context.functionVersion,
      invokedFunctionArn: context.invokedFunctionArn,
      memoryLimitInMB: context.memoryLimitInMB,
      logGroupName: context.logGroupName,
      logStreamName: context.logStreamName,
      remaining: context.getRemainingTimeInMillis(),
      env: {
        AWS_LAMBDA_FUNCTION_NAME: process.env.AWS_LAMBDA_FUNCTION_NAME,
        AWS_REGION: process.env.AWS_REGION,
        LAMBDA_TASK_ROOT: process.env.LAMBDA_TASK_ROOT,
        _HANDLER: process.env._HANDLER,
        TZ: process.env.TZ,
      },
    };
  }
  return event;
};
