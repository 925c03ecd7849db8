'use strict';
/*
 * lambkin Node.js runtime bootstrap.
 *
 * Started by the sandbox as `node bootstrap.js` (cwd = the function's code
 * folder). It loads the handler named by `_HANDLER` from `LAMBDA_TASK_ROOT`
 * and then loops over the Lambda Runtime API (2018-06-01) exposed at
 * `AWS_LAMBDA_RUNTIME_API`:
 *
 *   GET  /runtime/invocation/next            -> event + invocation headers
 *   POST /runtime/invocation/{id}/response   <- JSON.stringify(result)
 *   POST /runtime/invocation/{id}/error      <- error document (see below)
 *   POST /runtime/init/error                 <- error document, then exit(1)
 *
 * It mirrors the behaviour of the AWS Node.js runtime interface client
 * (aws-lambda-nodejs-runtime-interface-client) where user code can observe
 * it: handler calling convention, `context` object, console log format and
 * the error types reported for init failures.
 *
 * Error document sent to /error and /init/error (header
 * `Lambda-Runtime-Function-Error-Type: <errorType>`, content type
 * `application/vnd.aws.lambda.error+json`):
 *
 *   Error value:     {"errorType": err.name, "errorMessage": err.message,
 *                     "stackTrace": err.stack.split("\n")}
 *   non-Error value: {"errorType": typeof value, "errorMessage": String(value),
 *                     "stackTrace": []}
 *
 * The non-Error shape is what AWS does too: `throw "oops"` and
 * `callback("oops")` both report errorType "string", errorMessage "oops".
 * (AWS names the array `trace` on the wire; lambkin's platform expects
 * `stackTrace`.)
 *
 * Only Node built-ins are used; the file must stay CommonJS.
 */

const http = require('http');
const fs = require('fs');
const path = require('path');
const util = require('util');
const { pathToFileURL } = require('url');

// ---------------------------------------------------------------------------
// The AWS SDK for JavaScript v2 (`aws-sdk`) does not read AWS_ENDPOINT_URL, as v3 does.
// Functions written for it (the seed article's) must reach lambkin's services unchanged, so
// when a function loads `aws-sdk`, its global configuration is pointed at lambkin, with
// path-style S3 addressing (`<bucket>.127.0.0.1` cannot resolve). A function that configures
// its own endpoint on a client still wins, as in v2.
// ---------------------------------------------------------------------------
function pointAwsSdkV2AtLambkin(endpoint) {
  const Module = require('module');
  const load = Module._load;
  const configured = new WeakSet();
  Module._load = function lambkinLoad(request, parent, isMain) {
    const loaded = load.apply(this, arguments);
    if ((request === 'aws-sdk' || request === 'aws-sdk/global') &&
        loaded && loaded.config && typeof loaded.config.update === 'function' &&
        !configured.has(loaded)) {
      configured.add(loaded);
      loaded.config.update({ endpoint, s3ForcePathStyle: true });
    }
    return loaded;
  };
}
if (process.env.AWS_ENDPOINT_URL) {
  pointAwsSdkV2AtLambkin(process.env.AWS_ENDPOINT_URL);
}

// ---------------------------------------------------------------------------
// Static configuration (read once: none of this changes between invocations)
// ---------------------------------------------------------------------------

const env = process.env;
const RUNTIME_API = env.AWS_LAMBDA_RUNTIME_API;
const TASK_ROOT = env.LAMBDA_TASK_ROOT || process.cwd();
const HANDLER = env._HANDLER;

const FUNCTION_NAME = env.AWS_LAMBDA_FUNCTION_NAME;
const FUNCTION_VERSION = env.AWS_LAMBDA_FUNCTION_VERSION;
const MEMORY_LIMIT_MB = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
const LOG_GROUP_NAME = env.AWS_LAMBDA_LOG_GROUP_NAME;
const LOG_STREAM_NAME = env.AWS_LAMBDA_LOG_STREAM_NAME;

const API_PREFIX = '/2018-06-01/runtime';
const NEXT_PATH = API_PREFIX + '/invocation/next';
const INVOCATION_PREFIX = API_PREFIX + '/invocation/';
const INIT_ERROR_PATH = API_PREFIX + '/init/error';
const ERROR_CONTENT_TYPE = 'application/vnd.aws.lambda.error+json';

// AWS resets the execution environment after an uncaught error; the exit code
// mirrors the AWS runtime's `process.exit(129)`.
const EXIT_UNCAUGHT = 129;

// ---------------------------------------------------------------------------
// Logging: AWS text format, one write per console call.
// ---------------------------------------------------------------------------

// AWS keeps the id of the latest invocation as the log prefix until the next
// one starts; before the first invocation it prints the literal "undefined".
let currentRequestId;

function makeLogger(level, stream) {
  return function () {
    stream.write(
      new Date().toISOString() + '\t' + currentRequestId + '\t' + level + '\t' +
        util.format.apply(null, arguments) + '\n'
    );
  };
}

console.log = makeLogger('INFO', process.stdout);
console.info = makeLogger('INFO', process.stdout);
console.debug = makeLogger('DEBUG', process.stdout);
console.trace = makeLogger('TRACE', process.stdout);
console.warn = makeLogger('WARN', process.stderr);
console.error = makeLogger('ERROR', process.stderr);

// ---------------------------------------------------------------------------
// Error serialisation
// ---------------------------------------------------------------------------

// Same duck typing as the AWS runtime: errors from other realms or libraries
// that do not inherit from Error still count when they look like one.
function isErrorLike(value) {
  return (
    util.types.isNativeError(value) ||
    (value !== null &&
      typeof value === 'object' &&
      typeof value.name === 'string' &&
      typeof value.message === 'string' &&
      typeof value.stack === 'string')
  );
}

function errorTypeOf(err) {
  if (typeof err.name === 'string' && err.name !== '') return err.name;
  const ctor = err.constructor;
  return (ctor && typeof ctor.name === 'string' && ctor.name) || 'Error';
}

// The document POSTed to the Runtime API.
function toErrorDocument(err) {
  try {
    if (isErrorLike(err)) {
      return {
        errorType: errorTypeOf(err),
        errorMessage: String(err.message === undefined ? '' : err.message),
        stackTrace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
      };
    }
    return { errorType: typeof err, errorMessage: String(err), stackTrace: [] };
  } catch (_) {
    // Getters on user errors can throw; AWS answers with this fixed document.
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while ' +
        'retrieving one or more of its message, name, and stack',
      stackTrace: [],
    };
  }
}

// The JSON appended to "Invoke Error" / "Uncaught Exception" log lines. AWS
// logs enumerable own properties too (e.g. `code`), and `stack` as an array.
function errorLogReplacer(_key, value) {
  if (value instanceof Error) {
    const out = Object.assign(
      { errorType: value.name, errorMessage: value.message, code: value.code },
      value
    );
    if (typeof value.stack === 'string') out.stack = value.stack.split('\n');
    return out;
  }
  return value;
}

function formatErrorForLog(err) {
  try {
    return '\t' + JSON.stringify(err, errorLogReplacer);
  } catch (_) {
    return '\t' + util.inspect(err);
  }
}

// Errors the runtime itself raises (Runtime.ImportModuleError, ...). The stack
// is rebuilt so its first line carries the runtime error type, like AWS's
// subclasses do, and keeps the frames of the underlying error when there is one.
function runtimeError(type, message, cause) {
  const err = new Error(message);
  err.name = type;
  const source = cause && typeof cause.stack === 'string' ? cause.stack : err.stack;
  const frames = source.split('\n').filter((line) => line.startsWith('    at '));
  err.stack = [type + ': ' + message].concat(frames).join('\n');
  return err;
}

// Header values must be visible ASCII; error names are user controlled.
function headerSafe(value) {
  return String(value).replace(/[^\t\x20-\x7e]/g, '') || 'Error';
}

// ---------------------------------------------------------------------------
// Runtime API client: one keep-alive connection, no timeouts, Nagle off.
// ---------------------------------------------------------------------------

class RuntimeAgent extends http.Agent {
  createConnection(options, callback) {
    const socket = super.createConnection(options, callback);
    socket.setNoDelay(true);
    return socket;
  }

  // Node's default applies the server's `Keep-Alive: timeout=` hint as a
  // socket timeout that is not cleared when the socket is reused, which could
  // fire in the middle of the `next` long poll. Sockets are reused within
  // microseconds here, so the hint is irrelevant; a reset on a stale socket
  // is retried once in `send`.
  keepSocketAlive(socket) {
    socket.setKeepAlive(true, this.keepAliveMsecs);
    socket.unref(); // an idle connection must not keep the process alive
    return true;
  }
}

const agent = new RuntimeAgent({ keepAlive: true, maxSockets: 1 });

let apiHost = '127.0.0.1';
let apiPort = 80;
if (RUNTIME_API) {
  const colon = RUNTIME_API.lastIndexOf(':');
  if (colon > 0 && !RUNTIME_API.endsWith(']')) {
    apiHost = RUNTIME_API.slice(0, colon);
    apiPort = Number(RUNTIME_API.slice(colon + 1));
  } else {
    apiHost = RUNTIME_API;
  }
  if (apiHost.startsWith('[') && apiHost.endsWith(']')) apiHost = apiHost.slice(1, -1);
}

function apiFailure(what, detail) {
  process.stderr.write(
    new Date().toISOString() + '\t' + currentRequestId + '\tERROR\t' +
      'lambkin runtime: ' + what + ' failed: ' + detail + '\n'
  );
  process.exit(1);
}

function send(method, urlPath, headers, body, onResponse, isRetry) {
  const req = http.request(
    { agent, host: apiHost, port: apiPort, method, path: urlPath, headers },
    onResponse
  );
  req.on('error', (err) => {
    // Node's documented pattern for keep-alive clients: a request on a reused
    // socket can race with the peer closing it; that case is safe to retry.
    if (!isRetry && req.reusedSocket && err.code === 'ECONNRESET') {
      send(method, urlPath, headers, body, onResponse, true);
    } else {
      apiFailure(method + ' ' + urlPath, err.message);
    }
  });
  req.end(body);
}

function post(urlPath, contentType, body, done) {
  send(
    'POST',
    urlPath,
    { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) },
    body,
    (res) => {
      if (res.statusCode !== 202) {
        // e.g. 413 for an oversized response or 400 after a timeout: the
        // platform has already recorded the outcome, so keep serving.
        console.warn('Runtime API answered ' + res.statusCode + ' to POST ' + urlPath);
      }
      res.resume();
      res.on('end', done);
    }
  );
}

function postError(urlPath, err, done) {
  const doc = toErrorDocument(err);
  const body = JSON.stringify(doc);
  send(
    'POST',
    urlPath,
    {
      'Content-Type': ERROR_CONTENT_TYPE,
      'Content-Length': Buffer.byteLength(body),
      'Lambda-Runtime-Function-Error-Type': headerSafe(doc.errorType),
    },
    body,
    (res) => {
      if (res.statusCode !== 202) {
        console.warn('Runtime API answered ' + res.statusCode + ' to POST ' + urlPath);
      }
      res.resume();
      res.on('end', done);
    }
  );
}

// ---------------------------------------------------------------------------
// Handler loading
// ---------------------------------------------------------------------------

function isModuleNotFound(err) {
  return err && (err.code === 'MODULE_NOT_FOUND' || err.code === 'ERR_MODULE_NOT_FOUND');
}

// Node decides the format of a `.js` file from the nearest package.json.
function isEsmScope(file) {
  let dir = path.dirname(file);
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    let text;
    try {
      text = fs.readFileSync(candidate, 'utf8');
    } catch (_) {
      text = undefined;
    }
    if (text !== undefined) {
      try {
        return JSON.parse(text).type === 'module';
      } catch (_) {
        return false;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

function importFile(file) {
  return import(pathToFileURL(file).href);
}

// Returns the module namespace / exports, or a promise of it for ES modules.
function loadModule(modulePath) {
  const base = path.resolve(TASK_ROOT, modulePath);
  // AWS probes the extensions in this order.
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const file = base + ext;
    if (!fs.existsSync(file)) continue;
    if (ext === '.mjs' || (ext === '.js' && isEsmScope(file))) return importFile(file);
    try {
      return require(file);
    } catch (err) {
      if (err && (err.code === 'ERR_REQUIRE_ESM' || err.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
        return importFile(file);
      }
      throw err;
    }
  }
  // Like AWS, fall back to Node resolution: a directory with an index/main,
  // an exact file name, or a package under the task root's node_modules.
  let resolved;
  try {
    resolved = require.resolve(base);
  } catch (_) {
    try {
      resolved = require.resolve(modulePath, { paths: [TASK_ROOT] });
    } catch (_) {
      throw runtimeError(
        'Runtime.ImportModuleError',
        "Error: Cannot find module '" + modulePath + "'\nRequire stack:\n- " + __filename
      );
    }
  }
  return require(resolved);
}

// Maps errors thrown while loading user code to the types AWS reports.
function classifyLoadError(err) {
  if (err && err.name && String(err.name).startsWith('Runtime.')) return err;
  if (err instanceof SyntaxError) {
    return runtimeError('Runtime.UserCodeSyntaxError', String(err), err);
  }
  if (isModuleNotFound(err)) {
    // e.g. a dependency required by the handler module is missing.
    return runtimeError('Runtime.ImportModuleError', String(err), err);
  }
  return err;
}

function resolveExport(mod, modulePath, exportName) {
  const fn = mod == null ? undefined : mod[exportName];
  if (typeof fn !== 'function') {
    throw runtimeError(
      'Runtime.HandlerNotFound',
      modulePath + '.' + exportName + ' is undefined or not exported'
    );
  }
  return fn;
}

// Calls `onLoaded(handlerFn)` or `onFailed(error)`; synchronous for CommonJS.
function loadHandler(onLoaded, onFailed) {
  const handlerString = HANDLER === undefined ? '' : HANDLER;
  if (handlerString.includes('..')) {
    onFailed(runtimeError('Runtime.MalformedHandlerName', "'..' is not allowed in handler name."));
    return;
  }
  // "dir/file.export": the export is what follows the last dot of the basename.
  const slash = handlerString.lastIndexOf('/');
  const dot = handlerString.lastIndexOf('.');
  if (dot <= slash + 1 || dot === handlerString.length - 1) {
    onFailed(runtimeError('Runtime.MalformedHandlerName', 'Bad handler ' + HANDLER));
    return;
  }
  const modulePath = handlerString.slice(0, dot);
  const exportName = handlerString.slice(dot + 1);

  let loaded;
  try {
    loaded = loadModule(modulePath);
  } catch (err) {
    onFailed(classifyLoadError(err));
    return;
  }
  const finish = (mod) => {
    let fn;
    try {
      fn = resolveExport(mod, modulePath, exportName);
    } catch (err) {
      onFailed(err);
      return;
    }
    onLoaded(fn);
  };
  if (util.types.isPromise(loaded)) {
    loaded.then(finish, (err) => onFailed(classifyLoadError(err)));
  } else {
    finish(loaded);
  }
}

// ---------------------------------------------------------------------------
// Invocation loop
// ---------------------------------------------------------------------------

let handler;
let phase = 'init'; // 'init' -> 'polling' <-> 'invoking' -> 'posting'
let invokeSeq = 0; // identifies the in-flight invocation for late callbacks
let settled = true; // the current invocation has produced its outcome
let exitAfterPost = null; // exit code to use once the in-flight POST is done

function nextInvocation() {
  if (exitAfterPost !== null) process.exit(exitAfterPost);
  phase = 'polling';
  send('GET', NEXT_PATH, undefined, undefined, onNextResponse);
}

function onNextResponse(res) {
  if (res.statusCode !== 200) {
    res.resume();
    apiFailure('GET ' + NEXT_PATH, 'status ' + res.statusCode);
    return;
  }
  const chunks = [];
  res.on('data', (chunk) => chunks.push(chunk));
  res.on('end', () => {
    const body =
      chunks.length === 1 ? chunks[0].toString() : Buffer.concat(chunks).toString();
    invoke(res.headers, body);
  });
}

function parseJsonHeader(value) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (_) {
    return undefined;
  }
}

function invoke(headers, body) {
  const requestId = headers['lambda-runtime-aws-request-id'];
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const traceId = headers['lambda-runtime-trace-id'];
  const seq = ++invokeSeq;

  currentRequestId = requestId;
  if (traceId === undefined) delete env._X_AMZN_TRACE_ID;
  else env._X_AMZN_TRACE_ID = traceId;
  phase = 'invoking';
  settled = false;

  const succeed = (result) => complete(seq, requestId, false, result);
  const fail = (err) => complete(seq, requestId, true, err);
  // AWS treats any non-null, non-undefined first argument as an error.
  const callback = (err, result) =>
    err !== undefined && err !== null ? fail(err) : succeed(result);

  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionVersion: FUNCTION_VERSION,
    functionName: FUNCTION_NAME,
    memoryLimitInMB: MEMORY_LIMIT_MB,
    logGroupName: LOG_GROUP_NAME,
    logStreamName: LOG_STREAM_NAME,
    clientContext: parseJsonHeader(headers['lambda-runtime-client-context']),
    identity: parseJsonHeader(headers['lambda-runtime-cognito-identity']),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: requestId,
    getRemainingTimeInMillis: () => {
      const left = deadline - Date.now();
      return left > 0 ? left : 0;
    },
    // Legacy completion API; `fail()` without an error reports the string
    // "handled", as AWS does.
    done: callback,
    succeed,
    fail: (err) => (err === undefined || err === null ? fail('handled') : fail(err)),
  };

  let returned;
  try {
    returned = handler(JSON.parse(body), context, callback);
  } catch (err) {
    fail(err);
    return;
  }
  if (returned !== null && returned !== undefined && typeof returned.then === 'function') {
    // As in AWS, a rejection with no reason goes through context.fail.
    try {
      returned.then(succeed, context.fail);
    } catch (err) {
      fail(err);
    }
  }
  // Otherwise wait for the callback (or the beforeExit fallback below).
}

function complete(seq, requestId, isError, value) {
  if (seq !== invokeSeq || settled) return; // only the first outcome counts
  settled = true;
  phase = 'posting';
  if (isError) {
    console.error('Invoke Error', formatErrorForLog(value));
    postError(INVOCATION_PREFIX + requestId + '/error', value, nextInvocation);
    return;
  }
  let body;
  try {
    body = JSON.stringify(value);
  } catch (err) {
    // Unserialisable result (cycle, BigInt): report it as the invocation error.
    console.error('Invoke Error', formatErrorForLog(err));
    postError(INVOCATION_PREFIX + requestId + '/error', err, nextInvocation);
    return;
  }
  post(
    INVOCATION_PREFIX + requestId + '/response',
    'application/json',
    body === undefined ? 'null' : body,
    nextInvocation
  );
}

// ---------------------------------------------------------------------------
// Process-level failure handling
// ---------------------------------------------------------------------------

let dying = false; // a fatal error is being reported; ignore later ones

function initFailed(err) {
  if (dying) return;
  dying = true;
  // AWS logs init failures as "Uncaught Exception" before reporting them.
  console.error('Uncaught Exception', formatErrorForLog(err));
  postError(INIT_ERROR_PATH, err, () => process.exit(1));
}

// AWS reports the error for the current invocation, then exits so that the
// execution environment is replaced.
function uncaught(err, logLabel) {
  if (dying) return;
  dying = true;
  console.error(logLabel, formatErrorForLog(err));
  switch (phase) {
    case 'init':
      postError(INIT_ERROR_PATH, err, () => process.exit(1));
      break;
    case 'invoking':
      settled = true;
      phase = 'posting';
      postError(INVOCATION_PREFIX + currentRequestId + '/error', err, () =>
        process.exit(EXIT_UNCAUGHT)
      );
      break;
    case 'posting':
      exitAfterPost = EXIT_UNCAUGHT; // let the outcome already being sent arrive
      break;
    default:
      process.exit(EXIT_UNCAUGHT);
  }
}

process.on('uncaughtException', (err) => uncaught(err, 'Uncaught Exception'));

process.on('unhandledRejection', (reason) => {
  const message = isErrorLike(reason)
    ? errorTypeOf(reason) + ': ' + reason.message
    : String(reason);
  uncaught(
    runtimeError('Runtime.UnhandledPromiseRejection', message, reason),
    'Unhandled Promise Rejection'
  );
});

// A handler that neither returns a promise nor calls back, and leaves nothing
// pending, drains the event loop. AWS then responds with null instead of
// letting the invocation hang until its timeout.
process.on('beforeExit', () => {
  if (phase === 'invoking' && !settled) complete(invokeSeq, currentRequestId, false, undefined);
});

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------

if (!RUNTIME_API) {
  process.stderr.write('lambkin runtime: AWS_LAMBDA_RUNTIME_API is not set\n');
  process.exit(1);
}

loadHandler((fn) => {
  handler = fn;
  nextInvocation();
}, initFailed);
