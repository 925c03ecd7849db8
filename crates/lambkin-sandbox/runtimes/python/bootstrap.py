"""Python runtime bootstrap for lambkin sandboxes.

This is a standard-library-only stand-in for AWS's ``awslambdaric``: it speaks
the Lambda Runtime API (2018-06-01) exposed at ``$AWS_LAMBDA_RUNTIME_API`` and
runs the function named by ``$_HANDLER`` (``path/to/module.func`` or
``pkg.module.func``) found under ``$LAMBDA_TASK_ROOT``.

The platform starts it as ``python3 bootstrap.py`` with the function's code
folder as the working directory. It supports Python 3.9 to 3.13.

What user code sees (handler lookup, ``context``, logging, error payloads and
their ``errorType`` values) follows the AWS managed Python runtimes, so
functions written for AWS Lambda behave the same here.
"""

import http.client
import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback
import types

_ERROR_CONTENT_TYPE = "application/vnd.aws.lambda.error+json"

# Error types used by the AWS Python runtime (awslambdaric FaultException).
_MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
_IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
_USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
_HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
_BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
_UNMARSHAL_ERROR = "Runtime.UnmarshalError"
_MARSHAL_ERROR = "Runtime.MarshalError"
_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

# Request id of the invocation in progress; the log filter stamps it on every
# record, as AWS does. Empty during init, like AWS.
_current_request_id = ""


class _Fault(Exception):
    """A runtime-detected failure reported with a ``Runtime.*`` error type."""

    def __init__(self, error_type, message, stack_trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.stack_trace = stack_trace


# --------------------------------------------------------------------------
# Runtime API client
# --------------------------------------------------------------------------


def _snapshot_class(base):
    """Return a subclass of ``base`` that holds its own copy of base's methods.

    Tracing libraries commonly monkey-patch ``http.client`` (e.g. X-Ray's
    ``patch_all()``, Sentry's stdlib integration). AWS's runtime talks to the
    Runtime API through a native client, so such patches never see (or break)
    runtime traffic. Copying the methods before user code is imported gives
    the same isolation here.
    """
    namespace = {
        name: value
        for name, value in vars(base).items()
        if isinstance(value, (types.FunctionType, staticmethod, classmethod, property))
    }
    return type("_Runtime" + base.__name__, (base,), namespace)


_MAX_LINE = 65536


class _RuntimeResponse(_snapshot_class(http.client.HTTPResponse)):
    """HTTPResponse whose ``headers`` is a plain dict keyed by lowercase name.

    http.client parses headers with the email package, which costs ~50 us per
    response (two responses per invoke, a third of the runtime's CPU time per
    round trip). The Runtime API sends a handful of simple headers, so a dict
    is enough. The framing logic below mirrors HTTPResponse.begin().
    """

    def begin(self):
        if self.headers is not None:
            return
        fp = self.fp
        while True:
            version, status, reason = self._read_status()
            headers = {}
            while True:
                line = fp.readline(_MAX_LINE + 1)
                if len(line) > _MAX_LINE:
                    raise http.client.LineTooLong("header line")
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("iso-8859-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            if status != 100:  # skip "100 Continue" interim responses
                break

        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        self.headers = self.msg = headers

        self.chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        self.chunk_left = None
        self.will_close = self._check_close()  # only needs headers.get()
        self.length = None
        length = headers.get("content-length")
        if length and not self.chunked:
            try:
                self.length = int(length)
            except ValueError:
                pass
            else:
                if self.length < 0:
                    self.length = None
        if status in (204, 304) or 100 <= status < 200 or self._method == "HEAD":
            self.length = 0
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True


_BaseConnection = _snapshot_class(http.client.HTTPConnection)
_base_connect = _BaseConnection.connect


class _RuntimeConnection(_BaseConnection):
    response_class = _RuntimeResponse

    def connect(self):
        _base_connect(self)
        # Every invoke is a small request/response; Nagle + delayed ACK would
        # add up to ~40 ms per round trip. Older Pythons don't set this.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _RuntimeClient:
    """One persistent keep-alive connection to the Runtime API."""

    def __init__(self, address):
        # timeout=None: /next is a long poll that can legitimately block for
        # hours, and user code may change socket.setdefaulttimeout().
        self._conn = _RuntimeConnection(address, timeout=None)
        prefix = "/2018-06-01/runtime"
        self._next_path = prefix + "/invocation/next"
        self._invocation_prefix = prefix + "/invocation/"
        self._init_error_path = prefix + "/init/error"

    def _round_trip(self, method, path, body=None, headers=None):
        conn = self._conn
        headers = headers or {}
        try:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
        except ConnectionError:
            # The server closed the idle keep-alive connection (this also
            # covers http.client.RemoteDisconnected); retry once on a new one.
            conn.close()
            conn.request(method, path, body, headers)
            response = conn.getresponse()
        # Always drain the body so the connection can be reused.
        return response, response.read()

    def next_invocation(self):
        response, body = self._round_trip("GET", self._next_path)
        if response.status != 200:
            sys.stderr.write(
                "lambkin bootstrap: GET /runtime/invocation/next returned "
                f"{response.status}: {body[:1000]!r}\n"
            )
            sys.stderr.flush()
            sys.exit(1)
        return response.headers, body

    def post_response(self, request_id, body, content_type):
        path = self._invocation_prefix + request_id + "/response"
        self._post(path, body, {"Content-Type": content_type})

    def post_invocation_error(self, request_id, error):
        path = self._invocation_prefix + request_id + "/error"
        self._post(path, _encode_error(error), _error_headers(error))

    def post_init_error(self, error):
        self._post(self._init_error_path, _encode_error(error), _error_headers(error))

    def _post(self, path, body, headers):
        try:
            response, data = self._round_trip("POST", path, body, headers)
        except ConnectionError as e:
            # A server may reject an oversized body (413) and drop the
            # connection mid-upload. The invocation's outcome is settled on
            # the platform side either way; the next /next call reconnects,
            # or finds the platform really gone.
            self._conn.close()
            sys.stderr.write(f"lambkin bootstrap: POST {path} failed: {e!r}\n")
            sys.stderr.flush()
            return
        if response.status != 202:
            # E.g. 413 for an oversized payload: the platform has already
            # decided the invocation's outcome, so keep serving.
            sys.stderr.write(
                f"lambkin bootstrap: POST {path} returned {response.status}: {data[:1000]!r}\n"
            )
            sys.stderr.flush()


def _error_headers(error):
    return {
        "Lambda-Runtime-Function-Error-Type": error["errorType"],
        "Content-Type": _ERROR_CONTENT_TYPE,
    }


# --------------------------------------------------------------------------
# JSON marshalling
# --------------------------------------------------------------------------


def _json_default(obj):
    # boto3's DynamoDB layer returns decimal.Decimal; AWS's marshaller encodes
    # them as JSON numbers rather than failing.
    if type(obj).__name__ == "Decimal":
        import decimal

        if isinstance(obj, decimal.Decimal):
            if obj.is_finite() and obj == obj.to_integral_value():
                return int(obj)
            return float(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


# Default separators (", ", ": ") and raw UTF-8 output match the bytes AWS's
# Python runtime produces for the same return value.
_encode_json = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode


def _marshal_response(result):
    # AWS passes bytes through untouched instead of JSON-encoding them.
    if isinstance(result, (bytes, bytearray)):
        return bytes(result), "application/unknown"
    try:
        return _encode_json(result).encode("utf-8"), "application/json"
    except Exception as e:
        raise _Fault(_MARSHAL_ERROR, f"Unable to marshal response: {e}") from None


def _encode_error(error):
    # Messages can carry lone surrogates (e.g. undecodable file names); the
    # error must still be reported, so escape them instead of failing.
    return _encode_json(error).encode("utf-8", "backslashreplace")


# --------------------------------------------------------------------------
# Context
# --------------------------------------------------------------------------


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, cognito_identity_id=None, cognito_identity_pool_id=None):
        self.cognito_identity_id = cognito_identity_id
        self.cognito_identity_pool_id = cognito_identity_pool_id

    def __repr__(self):
        return (
            f"CognitoIdentity([cognito_identity_id={self.cognito_identity_id},"
            f"cognito_identity_pool_id={self.cognito_identity_pool_id}])"
        )


class Client:
    __slots__ = (
        "installation_id",
        "app_title",
        "app_version_name",
        "app_version_code",
        "app_package_name",
    )

    def __repr__(self):
        return f"Client([{','.join(f'{k}={getattr(self, k)}' for k in self.__slots__)}])"


class ClientContext:
    __slots__ = ("custom", "env", "client")

    def __repr__(self):
        return f"ClientContext([custom={self.custom},env={self.env},client={self.client}])"


def _object_from_dict(cls, data):
    # Same shape as AWS: header JSON becomes attribute-style objects, missing
    # keys read as None.
    obj = cls()
    get = data.get if isinstance(data, dict) else {}.get
    for field in cls.__slots__:
        setattr(obj, field, get(field))
    return obj


def _parse_client_context(raw):
    try:
        data = json.loads(raw)
    except Exception as e:
        raise _Fault(_CONTEXT_UNMARSHAL_ERROR, f"Unable to parse Client Context JSON: {e}") from None
    if data is None:
        return None
    context = _object_from_dict(ClientContext, data)
    if context.client is not None:
        context.client = _object_from_dict(Client, context.client)
    return context


def _parse_identity(raw):
    try:
        data = json.loads(raw)
    except Exception as e:
        raise _Fault(_CONTEXT_UNMARSHAL_ERROR, f"Unable to parse Cognito Identity JSON: {e}") from None
    if not isinstance(data, dict):
        return CognitoIdentity()
    return CognitoIdentity(data.get("cognitoIdentityId"), data.get("cognitoIdentityPoolId"))


class LambdaContext:
    """The ``context`` argument passed to the handler.

    Environment-derived fields are fixed for the life of the process, so they
    are read once as class attributes instead of on every invoke.
    """

    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
    # A string, exactly as the AWS runtime exposes it.
    memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
    log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
    log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")

    def __init__(
        self,
        aws_request_id,
        invoked_function_arn,
        deadline_ms,
        client_context=None,
        identity=None,
        tenant_id=None,
    ):
        self.aws_request_id = aws_request_id
        self.invoked_function_arn = invoked_function_arn
        self.client_context = client_context
        # AWS always provides an identity object, with None fields when the
        # invocation carries no Cognito identity.
        self.identity = identity if identity is not None else CognitoIdentity()
        self.tenant_id = tenant_id
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},"
            f"log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},"
            f"function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},"
            f"client_context={self.client_context},"
            f"identity={self.identity},"
            f"tenant_id={self.tenant_id}])"
        )


# --------------------------------------------------------------------------
# Logging and error reporting
# --------------------------------------------------------------------------


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _current_request_id
        return True


class _StdoutHandler(logging.Handler):
    """Writes records to whatever ``sys.stdout`` is at emit time (like AWS's log sink)."""

    def emit(self, record):
        try:
            msg = self.format(record)
            # The AWS format already ends in "\n", but a record with exc_info
            # ends with the traceback; keep every record on whole lines.
            if not msg.endswith("\n"):
                msg += "\n"
            sys.stdout.write(msg)
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)


def _setup_stdio():
    # stdout is a pipe, hence block-buffered by default; AWS makes it
    # unbuffered so print() output reaches the log stream promptly. Line
    # buffering gives the same visible result with one write per line.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True)
        except (AttributeError, ValueError):
            pass


def _setup_logging():
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
        "%Y-%m-%dT%H:%M:%S",
    )
    # The "Z" suffix promises UTC whatever TZ says.
    formatter.converter = time.gmtime
    handler = _StdoutHandler()
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    # AWS leaves the root logger at WARNING unless advanced logging controls
    # set AWS_LAMBDA_LOG_LEVEL (where TRACE maps to DEBUG).
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    level = {"TRACE": "DEBUG"}.get(level, level)
    if level in logging._nameToLevel:
        root.setLevel(level)


def _make_error(message, error_type, stack_trace, request_id=""):
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id or "",
        "stackTrace": stack_trace or [],
    }


def _error_from_exception(exc, request_id=""):
    # Same frames AWS reports: traceback.format_list() over plain 4-tuples
    # (which keeps 3.11+ column carets out), minus the leading runtime frames.
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(exc.__traceback__)]
    for i, frame in enumerate(frames):
        if frame[0] != _OWN_FILE:
            frames = frames[i:]
            break
    return _make_error(str(exc), type(exc).__name__, traceback.format_list(frames), request_id)


def _error_from_fault(fault, request_id=""):
    return _make_error(fault.message, fault.error_type, fault.stack_trace, request_id)


def _log_error(error):
    # AWS's text format: "[ERROR] Type: message", then the traceback header
    # and one line per traceback line.
    description = "[ERROR]"
    if error["errorType"]:
        description += " " + error["errorType"]
    if error["errorMessage"]:
        if error["errorType"]:
            description += ":"
        description += " " + error["errorMessage"]
    lines = [description, "Traceback (most recent call last):"]
    for entry in error["stackTrace"]:
        lines.extend(entry.splitlines() if entry else [""])
    text = "\n".join(lines) + "\n"
    try:
        try:
            sys.stdout.write(text)
        except UnicodeEncodeError:  # e.g. lone surrogates in the message
            sys.stdout.write(text.encode("utf-8", "backslashreplace").decode("utf-8"))
    except Exception:
        pass  # a broken stdout must not keep the error from being reported


def _flush_stdio():
    # Make sure everything the handler printed is out before the platform
    # learns the invocation is over.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


# --------------------------------------------------------------------------
# Handler loading
# --------------------------------------------------------------------------


def _load_handler(handler):
    # Error types and messages mirror awslambdaric's _get_handler.
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise _Fault(_MALFORMED_HANDLER_NAME, f"Bad handler '{handler}': {e}") from None

    if module_name.split(".")[0] in sys.builtin_module_names:
        raise _Fault(
            _BUILT_IN_MODULE_CONFLICT,
            f"Cannot use built-in module {module_name} as a handler module",
        )
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise _Fault(_IMPORT_MODULE_ERROR, f"Unable to import module '{module_name}': {e}") from None
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise _Fault(
            _USER_CODE_SYNTAX_ERROR, f"Syntax error in module '{module_name}': {e}", trace
        ) from None
    # Any other exception raised while importing propagates: AWS reports it
    # with its own type, message and stack trace.

    try:
        return getattr(module, function_name)
    except AttributeError:
        raise _Fault(
            _HANDLER_NOT_FOUND, f"Handler '{function_name}' missing on module '{module_name}'"
        ) from None


def _setup_sys_path(task_root):
    # Running "python3 bootstrap.py" puts this file's directory first on
    # sys.path; user code must resolve against the task root instead (AWS:
    # /var/task comes first).
    own_dir = os.path.dirname(os.path.abspath(_OWN_FILE))
    if sys.path and sys.path[0] and os.path.abspath(sys.path[0]) == own_dir:
        del sys.path[0]
    sys.path[:] = [p for p in sys.path if p != task_root]
    sys.path.insert(0, task_root)


# --------------------------------------------------------------------------
# Main loop
# --------------------------------------------------------------------------


def _invoke(client, handler, headers, body):
    global _current_request_id

    # Header names arrive lowercased (see _RuntimeResponse), which makes the
    # lookups case-insensitive as HTTP requires.
    get = headers.get
    request_id = get("lambda-runtime-aws-request-id") or ""
    _current_request_id = request_id

    # X-Ray SDKs read the trace header from the environment.
    trace_id = get("lambda-runtime-trace-id")
    if trace_id is not None:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    elif "_X_AMZN_TRACE_ID" in os.environ:
        del os.environ["_X_AMZN_TRACE_ID"]

    try:
        client_context = get("lambda-runtime-client-context")
        identity = get("lambda-runtime-cognito-identity")
        deadline = get("lambda-runtime-deadline-ms")
        context = LambdaContext(
            request_id,
            get("lambda-runtime-invoked-function-arn"),
            int(deadline) if deadline else 0,
            _parse_client_context(client_context) if client_context else None,
            _parse_identity(identity) if identity else None,
            get("lambda-runtime-aws-tenant-id"),
        )
        try:
            event = json.loads(body)
        except Exception as e:
            raise _Fault(_UNMARSHAL_ERROR, f"Unable to unmarshal input: {e}") from None
        payload, content_type = _marshal_response(handler(event, context))
    except _Fault as fault:
        error = _error_from_fault(fault, request_id)
    except Exception as e:
        # Only Exception, as AWS: SystemExit/KeyboardInterrupt end the process
        # and the platform reports the invocation as a runtime exit.
        error = _error_from_exception(e, request_id)
    else:
        _flush_stdio()
        client.post_response(request_id, payload, content_type)
        return

    _log_error(error)
    _flush_stdio()
    client.post_invocation_error(request_id, error)


def main():
    _setup_stdio()

    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        sys.stderr.write("lambkin bootstrap: AWS_LAMBDA_RUNTIME_API is not set\n")
        return 1
    client = _RuntimeClient(address)

    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    _setup_sys_path(task_root)
    _setup_logging()

    try:
        handler = _load_handler(os.environ.get("_HANDLER", ""))
    except _Fault as fault:
        error = _error_from_fault(fault)
    except Exception as e:
        error = _error_from_exception(e)
    else:
        error = None
    if error is not None:
        _log_error(error)
        _flush_stdio()
        try:
            client.post_init_error(error)
        except Exception as e:
            sys.stderr.write(f"lambkin bootstrap: failed to report init error: {e!r}\n")
        return 1

    while True:
        try:
            headers, body = client.next_invocation()
            _invoke(client, handler, headers, body)
        except (OSError, http.client.HTTPException) as e:
            # Handler exceptions never get here (_invoke reports them), so this
            # is the Runtime API failing even after a reconnect: the platform
            # went away and there is nobody left to report to.
            sys.stderr.write(f"lambkin bootstrap: Runtime API unreachable: {e!r}\n")
            return 1


_OWN_FILE = main.__code__.co_filename

if __name__ == "__main__":
    sys.exit(main())
