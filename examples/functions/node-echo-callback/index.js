// lambkin test fixture: callback-style handler
// (`exports.handler = (event, context, callback) => ...`).
//
// Behaviour, driven by the event (steps run in this order):
//   {"log": "text"}           console.log(text)
//   {"sleep_ms": N}           wait N ms
//   {"exit": N}               process.exit(N) (simulates a crash)
//   {"fail": true}            callback(Error("intentional failure"))
//   {"fail_until_attempt": N, "state_dir": "/dir"}
//                             count attempts in <state_dir>/<awsRequestId>;
//                             callback(Error("attempt <count> failed")) while count < N
//   {"context": true}         return the context fields and runtime env vars
//   otherwise                 return the event unchanged (echo)
// The same behaviour is implemented by node-echo-cjs and node-echo-esm.
'use strict';

const fs = require('fs');
const path = require('path');

function respond(event, opts, context, callback) {
  if (opts.exit !== undefined) {
    process.exit(opts.exit);
  }
  if (opts.fail) {
    callback(new Error('intentional failure'));
    return;
  }
  if (opts.fail_until_attempt !== undefined) {
    const file = path.join(opts.state_dir, context.awsRequestId);
    let count = 0;
    try {
      count = parseInt(fs.readFileSync(file, 'utf8'), 10) || 0;
    } catch (err) {
      if (err.code !== 'ENOENT') {
        callback(err);
        return;
      }
    }
    count += 1;
    fs.writeFileSync(file, String(count));
    if (count < opts.fail_until_attempt) {
      callback(new Error(`attempt ${count} failed`));
      return;
    }
  }
  if (opts.context) {
    callback(null, {
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
    });
    return;
  }
  callback(null, event);
}

exports.handler = (event, context, callback) => {
  // Non-object events (strings, numbers, null) are simply echoed.
  const opts = event !== null && typeof event === 'object' ? event : {};
  if (opts.log !== undefined) {
    console.log(opts.log);
  }
  if (opts.sleep_ms !== undefined) {
    setTimeout(() => respond(event, opts, context, callback), opts.sleep_ms);
  } else {
    respond(event, opts, context, callback);
  }
};
