//! Every Lambda operation lambkin serves, with the validation each of its parameters gets, as
//! one table: the request, then AWS's status, error code and exact message. A check that goes
//! missing shows up as a failing row.

use bytes::Bytes;
use serde_json::Value;

use crate::support::{TestServer, http_full};

const FUNCTION_PATTERN: &str = r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?";
const NAMESPACED_PATTERN: &str = r"(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:|(((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?))(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?";
const ROLE_PATTERN: &str = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+";
const ARN: &str = "arn:aws:lambda:us-east-1:000000000000:function";
/// The account limit the table's server runs with, and the unreserved floor (a tenth of it) that
/// PutFunctionConcurrency protects.
const ACCOUNT_LIMIT: &str = "100";
const UNRESERVED_FLOOR: u32 = 10;
/// The runtimes lambkin runs, as its refusal of another one lists them.
const RUNTIMES: &str = "provided, provided.al2, provided.al2023, nodejs18.x, nodejs20.x, nodejs22.x, python3.9, python3.10, python3.11, python3.12, python3.13";

struct Row {
    operation: &'static str,
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, &'static str)>,
    body: String,
    status: u16,
    code: &'static str,
    message: String,
}

fn row(operation: &'static str, method: &'static str, path: impl Into<String>) -> Row {
    Row {
        operation,
        method,
        path: path.into(),
        headers: Vec::new(),
        body: String::new(),
        status: 0,
        code: "",
        message: String::new(),
    }
}

impl Row {
    fn body(mut self, v: Value) -> Self {
        self.body = v.to_string();
        self
    }
    fn raw_body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }
    fn header(mut self, k: &'static str, v: &'static str) -> Self {
        self.headers.push((k, v));
        self
    }
    fn answers(mut self, status: u16, code: &'static str, message: impl Into<String>) -> Self {
        self.status = status;
        self.code = code;
        self.message = message.into();
        self
    }
}

/// `Value 'v' at 'field' failed to satisfy constraint: rule`.
fn at(value: &str, field: &str, rule: &str) -> String {
    format!("Value '{value}' at '{field}' failed to satisfy constraint: {rule}")
}

fn detected(parts: &[String]) -> String {
    let n = parts.len();
    let s = if n == 1 { "" } else { "s" };
    format!("{n} validation error{s} detected: {}", parts.join("; "))
}

fn null(field: &str) -> String {
    format!("Value null at '{field}' failed to satisfy constraint: Member must not be null")
}

fn rows() -> Vec<Row> {
    let zip = serde_json::json!({ "ZipFile": base64_zip() });
    let role = "arn:aws:iam::000000000000:role/r";
    let long65 = "a".repeat(65);
    let long257 = "a".repeat(257);
    vec![
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({}))
            .answers(400, "ValidationException", detected(&[null("functionName"), null("role"), null("code")])),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({
                "FunctionName": "a b", "Role": "admin", "Runtime": "nodejs20.x", "Handler": "index.handler",
                "Code": zip, "Timeout": 0, "MemorySize": 64, "Description": "d".repeat(257),
            }))
            .answers(400, "ValidationException", detected(&[
                at("a b", "functionName", &format!("Member must satisfy regular expression pattern: {FUNCTION_PATTERN}")),
                at("admin", "role", &format!("Member must satisfy regular expression pattern: {ROLE_PATTERN}")),
                at(&"d".repeat(257), "description", "Member must have length less than or equal to 256"),
                at("0", "timeout", "Member must have value greater than or equal to 1"),
                at("64", "memorySize", "Member must have value greater than or equal to 128"),
            ])),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": long65, "Role": role, "Runtime": "nodejs20.x", "Handler": "index.handler", "Code": zip}))
            .answers(400, "ValidationException", detected(&[at(&long65, "functionName", "Member must have length less than or equal to 64")])),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Runtime": "nodejs20.x", "Handler": "index.handler", "Code": zip, "MemorySize": 20000}))
            .answers(400, "InvalidParameterValueException", "'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to 10240"),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Runtime": "nodejs20.x", "Handler": "index.handler", "Code": zip, "Architectures": ["sparc"]}))
            .answers(400, "ValidationException", detected(&[at("[sparc]", "architectures", "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]")])),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "f", "Role": role, "Runtime": "nodejs20.x", "Handler": "index.handler", "Code": zip}))
            .answers(409, "ResourceConflictException", "Function already exist: f"),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Runtime": "java99", "Handler": "index.handler", "Code": zip}))
            .answers(400, "InvalidParameterValueException", format!("Value java99 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [{RUNTIMES}] or be a valid ARN")),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Handler": "index.handler", "Code": zip}))
            .answers(400, "InvalidParameterValueException", "Runtime and Handler are mandatory parameters for functions created with deployment packages."),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Runtime": "nodejs20.x", "Handler": "h".repeat(129), "Code": zip}))
            .answers(400, "ValidationException", detected(&[at(&"h".repeat(129), "handler", "Member must have length less than or equal to 128")])),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Runtime": "nodejs20.x", "Handler": "index.handler", "Code": zip, "Environment": {"Variables": {"1X": "v"}}}))
            .answers(400, "ValidationException", detected(&[at("[sensitive]", "environment.variables", "Member must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]")])),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Runtime": "nodejs20.x", "Handler": "index.handler", "Code": zip, "Environment": {"Variables": {"AWS_REGION": "v"}}}))
            .answers(400, "InvalidParameterValueException", "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION"),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Runtime": "nodejs20.x", "Handler": "index.handler", "Code": zip, "Environment": {"Variables": {"BIG": "v".repeat(5000)}}}))
            .answers(400, "InvalidParameterValueException", "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: [sensitive]"),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Runtime": "nodejs20.x", "Handler": "index.handler", "Code": zip, "EphemeralStorage": {"Size": 511}}))
            .answers(400, "ValidationException", detected(&[at("511", "ephemeralStorage.size", "Member must have value greater than or equal to 512")])),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Runtime": "nodejs20.x", "Handler": "index.handler", "Code": zip, "EphemeralStorage": {"Size": 10241}}))
            .answers(400, "ValidationException", detected(&[at("10241", "ephemeralStorage.size", "Member must have value less than or equal to 10240")])),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Runtime": "nodejs20.x", "Handler": "index.handler", "Code": {"ZipFile": "bm90IGEgemlw"}}))
            .answers(400, "InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again."),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Runtime": "nodejs20.x", "Handler": "index.handler", "Code": {}}))
            .answers(400, "InvalidParameterValueException", "Please provide a source for function code."),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Runtime": "nodejs20.x", "Handler": "index.handler", "Code": {"S3Bucket": "b", "S3Key": "k"}}))
            .answers(400, "InvalidParameterValueException", "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist"),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Runtime": "nodejs20.x", "Handler": "index.handler", "Code": {"S3Bucket": "b"}}))
            .answers(400, "InvalidParameterValueException", "Please provide both S3Bucket and S3Key for the function code."),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Runtime": "nodejs20.x", "Handler": "index.handler", "Code": {"ImageUri": "x"}}))
            .answers(400, "InvalidParameterValueException", "lambkin runs code from ZipFile or S3; container images are not supported."),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Code": zip, "PackageType": "Image"}))
            .answers(400, "InvalidParameterValueException", "lambkin runs Zip packages only; PackageType Image is not supported."),
        row("CreateFunction", "POST", "/2015-03-31/functions")
            .body(serde_json::json!({"FunctionName": "g", "Role": role, "Runtime": "nodejs20.x", "Handler": "index.handler", "Code": zip, "DeadLetterConfig": {"TargetArn": "nope"}}))
            .answers(400, "InvalidParameterValueException", "Invalid dead letter queue ARN: ARNs must start with 'arn:': nope"),
        row("GetFunction", "GET", "/2015-03-31/functions/a%20b")
            .answers(400, "ValidationException", detected(&[at("a b", "functionName", &format!("Member must satisfy regular expression pattern: {NAMESPACED_PATTERN}"))])),
        row("GetFunction", "GET", "/2015-03-31/functions/my.function")
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:my.function")),
        row("GetFunction", "GET", "/2015-03-31/functions/my.function%3Aprod")
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:my.function:prod")),
        row("GetFunction", "GET", "/2015-03-31/functions/my.function?Qualifier=prod")
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:my.function:prod")),
        row("GetFunction", "GET", format!("/2015-03-31/functions/{ARN}:my.function"))
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:my.function")),
        row("GetFunction", "GET", "/2015-03-31/functions/000000000000%3Amy.function")
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:my.function")),
        row("GetFunction", "GET", format!("/2015-03-31/functions/{long257}"))
            .answers(400, "ValidationException", detected(&[at(&long257, "functionName", "Member must have length less than or equal to 256")])),
        row("GetFunction", "GET", "/2015-03-31/functions/f?Qualifier=a%20b")
            .answers(400, "ValidationException", detected(&[at("a b", "qualifier", r"Member must satisfy regular expression pattern: \$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+")])),
        row("GetFunction", "GET", "/2015-03-31/functions/f?Qualifier=2")
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:f:2")),
        row("DeleteFunction", "DELETE", "/2015-03-31/functions/f?Qualifier=2")
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:f:2")),
        row("GetFunctionConfiguration", "GET", "/2015-03-31/functions/nope/configuration")
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:nope")),
        row("DeleteFunction", "DELETE", "/2015-03-31/functions/nope")
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:nope")),
        row("UpdateFunctionConfiguration", "PUT", "/2015-03-31/functions/f/configuration")
            .body(serde_json::json!({"Timeout": 1000, "MemorySize": 10, "Handler": "a b"}))
            .answers(400, "ValidationException", detected(&[
                at("a b", "handler", r"Member must satisfy regular expression pattern: [^\s]+"),
                at("1000", "timeout", "Member must have value less than or equal to 900"),
                at("10", "memorySize", "Member must have value greater than or equal to 128"),
            ])),
        row("UpdateFunctionConfiguration", "PUT", "/2015-03-31/functions/my.function/configuration")
            .body(serde_json::json!({}))
            .answers(400, "ValidationException", detected(&[at("my.function", "functionName", &format!("Member must satisfy regular expression pattern: {FUNCTION_PATTERN}"))])),
        row("UpdateFunctionConfiguration", "PUT", "/2015-03-31/functions/f/configuration")
            .body(serde_json::json!({"RevisionId": "stale"}))
            .answers(412, "PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"),
        row("UpdateFunctionConfiguration", "PUT", "/2015-03-31/functions/f/configuration")
            .body(serde_json::json!({"Runtime": "java99"}))
            .answers(400, "InvalidParameterValueException", format!("Value java99 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [{RUNTIMES}] or be a valid ARN")),
        row("UpdateFunctionConfiguration", "PUT", "/2015-03-31/functions/f/configuration")
            .body(serde_json::json!({"MemorySize": 10241}))
            .answers(400, "InvalidParameterValueException", "'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to 10240"),
        row("UpdateFunctionConfiguration", "PUT", "/2015-03-31/functions/f/configuration")
            .body(serde_json::json!({"Environment": {"Variables": {"AWS_REGION": "v"}}}))
            .answers(400, "InvalidParameterValueException", "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION"),
        row("UpdateFunctionConfiguration", "PUT", "/2015-03-31/functions/f/configuration")
            .body(serde_json::json!({"EphemeralStorage": {"Size": 100}}))
            .answers(400, "ValidationException", detected(&[at("100", "ephemeralStorage.size", "Member must have value greater than or equal to 512")])),
        row("UpdateFunctionConfiguration", "PUT", "/2015-03-31/functions/f/configuration")
            .body(serde_json::json!({"DeadLetterConfig": {"TargetArn": "arn:aws:sqs:us-east-1:000000000000:gone"}}))
            .answers(400, "InvalidParameterValueException", "The provided execution role does not have permissions to call SendMessage on SQS"),
        row("UpdateFunctionConfiguration", "PUT", "/2015-03-31/functions/nope/configuration")
            .body(serde_json::json!({"Timeout": 3}))
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:nope")),
        row("UpdateFunctionCode", "PUT", "/2015-03-31/functions/f/code")
            .body(serde_json::json!({}))
            .answers(400, "InvalidParameterValueException", "Please provide a source for function code."),
        row("UpdateFunctionCode", "PUT", "/2015-03-31/functions/f/code")
            .body(serde_json::json!({"ZipFile": "bm90IGEgemlw"}))
            .answers(400, "InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again."),
        row("UpdateFunctionCode", "PUT", "/2015-03-31/functions/f/code")
            .body(serde_json::json!({"S3Bucket": "b", "S3Key": "k"}))
            .answers(400, "InvalidParameterValueException", "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist"),
        row("UpdateFunctionCode", "PUT", "/2015-03-31/functions/f/code")
            .body(serde_json::json!({"ZipFile": base64_zip(), "RevisionId": "stale"}))
            .answers(412, "PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"),
        row("UpdateFunctionCode", "PUT", "/2015-03-31/functions/nope/code")
            .body(serde_json::json!({"ZipFile": base64_zip()}))
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:nope")),
        row("Invoke", "POST", "/2015-03-31/functions/f/invocations")
            .header("x-amz-invocation-type", "Foo")
            .header("x-amz-log-type", "Bar")
            .answers(400, "ValidationException", detected(&[
                at("Foo", "invocationType", "Member must satisfy enum value set: [Event, RequestResponse, DryRun]"),
                at("Bar", "logType", "Member must satisfy enum value set: [None, Tail]"),
            ])),
        row("Invoke", "POST", "/2015-03-31/functions/nope/invocations")
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:nope:$LATEST")),
        row("Invoke", "POST", "/2015-03-31/functions/f/invocations?Qualifier=1")
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:f:1")),
        row("Invoke", "POST", "/2015-03-31/functions/f/invocations")
            .header("x-amz-invocation-type", "Event")
            .raw_body("{x")
            .answers(400, "InvalidRequestContentException", "Could not parse request body into json: Could not parse payload into json: key must be a string at line 1 column 2"),
        row("Invoke", "POST", "/2015-03-31/functions/f/invocations")
            .header("x-amz-invocation-type", "Event")
            .raw_body(format!("\"{}\"", "x".repeat(1_048_575)))
            .answers(413, "RequestEntityTooLargeException", "1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)"),
        row("Invoke", "POST", "/2015-03-31/functions/f/invocations")
            .raw_body(format!("\"{}\"", "x".repeat(6_291_455)))
            .answers(413, "RequestEntityTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation"),
        row("Invoke", "POST", "/2015-03-31/functions/f/invocations")
            .header("x-amz-client-context", "!!")
            .raw_body("{}")
            .answers(400, "InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object."),
        row("InvokeAsync", "POST", "/2014-11-13/functions/f/invoke-async/")
            .raw_body(format!("\"{}\"", "x".repeat(262_143)))
            .answers(413, "RequestEntityTooLargeException", "262145 byte payload is too large for the InvokeAsync operation (limit 262144 bytes)"),
        row("InvokeAsync", "POST", "/2014-11-13/functions/nope/invoke-async/")
            .raw_body("{}")
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:nope:$LATEST")),
        row("InvokeAsync", "POST", "/2014-11-13/functions/a%20b/invoke-async/")
            .body(serde_json::json!({}))
            .answers(400, "ValidationException", detected(&[at("a b", "functionName", &format!("Member must satisfy regular expression pattern: {NAMESPACED_PATTERN}"))])),
        row("PutFunctionConcurrency", "PUT", "/2017-10-31/functions/f/concurrency")
            .body(serde_json::json!({}))
            .answers(400, "ValidationException", detected(&[null("reservedConcurrentExecutions")])),
        row("PutFunctionConcurrency", "PUT", "/2017-10-31/functions/f/concurrency")
            .body(serde_json::json!({"ReservedConcurrentExecutions": -1}))
            .answers(400, "ValidationException", detected(&[at("-1", "reservedConcurrentExecutions", "Member must have value greater than or equal to 0")])),
        row("PutFunctionConcurrency", "PUT", "/2017-10-31/functions/f/concurrency")
            .body(serde_json::json!({"ReservedConcurrentExecutions": 100_000}))
            .answers(400, "InvalidParameterValueException", format!("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [{UNRESERVED_FLOOR}].")),
        row("PutFunctionConcurrency", "PUT", "/2017-10-31/functions/nope/concurrency")
            .body(serde_json::json!({"ReservedConcurrentExecutions": 1}))
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:nope")),
        row("GetFunctionConcurrency", "GET", "/2019-09-30/functions/nope/concurrency")
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:nope")),
        row("GetFunctionConcurrency", "GET", "/2019-09-30/functions/my.function/concurrency")
            .answers(400, "ValidationException", detected(&[at("my.function", "functionName", &format!("Member must satisfy regular expression pattern: {FUNCTION_PATTERN}"))])),
        row("DeleteFunctionConcurrency", "DELETE", "/2017-10-31/functions/nope/concurrency")
            .answers(404, "ResourceNotFoundException", format!("Function not found: {ARN}:nope")),
        row("PutFunctionEventInvokeConfig", "PUT", "/2019-09-25/functions/f/event-invoke-config")
            .body(serde_json::json!({"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 59}))
            .answers(400, "ValidationException", detected(&[
                at("3", "maximumRetryAttempts", "Member must have value less than or equal to 2"),
                at("59", "maximumEventAgeInSeconds", "Member must have value greater than or equal to 60"),
            ])),
        row("PutFunctionEventInvokeConfig", "PUT", "/2019-09-25/functions/f/event-invoke-config")
            .body(serde_json::json!({}))
            .answers(400, "InvalidParameterValueException", "You must specify at least one of error handling or destination setting."),
        row("PutFunctionEventInvokeConfig", "PUT", "/2019-09-25/functions/f/event-invoke-config")
            .body(serde_json::json!({"DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:gone"}}}))
            .answers(400, "InvalidParameterValueException", "The destination ARN arn:aws:sqs:us-east-1:000000000000:gone is invalid."),
        row("PutFunctionEventInvokeConfig", "PUT", "/2019-09-25/functions/f/event-invoke-config")
            .body(serde_json::json!({"DestinationConfig": {"OnSuccess": {"Destination": "arn:aws:events:us-east-1:000000000000:event-bus/gone"}}}))
            .answers(400, "InvalidParameterValueException", "The destination ARN arn:aws:events:us-east-1:000000000000:event-bus/gone is invalid."),
        row("PutFunctionEventInvokeConfig", "PUT", "/2019-09-25/functions/nope/event-invoke-config")
            .body(serde_json::json!({"MaximumRetryAttempts": 1}))
            .answers(404, "ResourceNotFoundException", "The function doesn't exist."),
        row("PutFunctionEventInvokeConfig", "PUT", "/2019-09-25/functions/f/event-invoke-config?Qualifier=1")
            .body(serde_json::json!({"MaximumRetryAttempts": 1}))
            .answers(404, "ResourceNotFoundException", "The function doesn't exist."),
        row("UpdateFunctionEventInvokeConfig", "POST", "/2019-09-25/functions/nope/event-invoke-config")
            .body(serde_json::json!({"MaximumRetryAttempts": 1}))
            .answers(404, "ResourceNotFoundException", "The function doesn't exist."),
        row("ListFunctionEventInvokeConfigs", "GET", "/2019-09-25/functions/nope/event-invoke-config/list")
            .answers(404, "ResourceNotFoundException", "The function doesn't exist."),
        row("UpdateFunctionEventInvokeConfig", "POST", "/2019-09-25/functions/f/event-invoke-config")
            .body(serde_json::json!({"MaximumRetryAttempts": -1}))
            .answers(400, "ValidationException", detected(&[at("-1", "maximumRetryAttempts", "Member must have value greater than or equal to 0")])),
        row("GetFunctionEventInvokeConfig", "GET", "/2019-09-25/functions/f/event-invoke-config")
            .answers(404, "ResourceNotFoundException", format!("The function {ARN}:f:$LATEST doesn't have an EventInvokeConfig")),
        row("DeleteFunctionEventInvokeConfig", "DELETE", "/2019-09-25/functions/f/event-invoke-config")
            .answers(404, "ResourceNotFoundException", format!("The function {ARN}:f:$LATEST doesn't have an EventInvokeConfig")),
        row("ListFunctionEventInvokeConfigs", "GET", "/2019-09-25/functions/f/event-invoke-config/list?MaxItems=0")
            .answers(400, "ValidationException", detected(&[at("0", "maxItems", "Member must have value greater than or equal to 1")])),
        row("ListFunctionEventInvokeConfigs", "GET", "/2019-09-25/functions/f/event-invoke-config/list?MaxItems=51")
            .answers(400, "ValidationException", detected(&[at("51", "maxItems", "Member must have value less than or equal to 50")])),
        row("ListFunctions", "GET", "/2015-03-31/functions?MaxItems=0&FunctionVersion=X&MasterRegion=moon")
            .answers(400, "ValidationException", detected(&[
                at("moon", "masterRegion", r"Member must satisfy regular expression pattern: ALL|(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}"),
                at("X", "functionVersion", "Member must satisfy enum value set: [ALL]"),
                at("0", "maxItems", "Member must have value greater than or equal to 1"),
            ])),
        row("ListFunctions", "GET", "/2015-03-31/functions?MaxItems=10001")
            .answers(400, "ValidationException", detected(&[at("10001", "maxItems", "Member must have value less than or equal to 10000")])),
        row("GetAccountSettings", "GET", "/2016-08-19/account-settings").answers(200, "", ""),
    ]
}

fn base64_zip() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(crate::support::zip_fixture("node-echo-cjs"))
}

#[tokio::test]
async fn every_operation_validates_as_aws_does() {
    let s = TestServer::start_with(&["--max-concurrency", ACCOUNT_LIMIT]);
    s.create_node("f", "node-echo-cjs", "index.handler").await;
    let mut failures = Vec::new();
    let mut operations = std::collections::BTreeSet::new();
    for r in rows() {
        operations.insert(r.operation);
        let (status, headers, body) = http_full(
            &s.url,
            r.method,
            &r.path,
            &r.headers,
            Bytes::from(r.body.clone()),
        )
        .await;
        let code = headers
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let message = v["message"]
            .as_str()
            .or(v["Message"].as_str())
            .unwrap_or("")
            .to_string();
        let message = if r.status == 200 {
            String::new()
        } else {
            message
        };
        if (status, code.as_str(), message.as_str()) != (r.status, r.code, r.message.as_str()) {
            failures.push(format!(
                "{} {} {}\n  want {} {} {}\n  got  {status} {code} {message}",
                r.operation, r.method, r.path, r.status, r.code, r.message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every operation lambkin serves has a row (docs/api-compat.md lists them).
    let served = [
        "CreateFunction",
        "DeleteFunction",
        "DeleteFunctionConcurrency",
        "DeleteFunctionEventInvokeConfig",
        "GetAccountSettings",
        "GetFunction",
        "GetFunctionConcurrency",
        "GetFunctionConfiguration",
        "GetFunctionEventInvokeConfig",
        "Invoke",
        "InvokeAsync",
        "ListFunctionEventInvokeConfigs",
        "ListFunctions",
        "PutFunctionConcurrency",
        "PutFunctionEventInvokeConfig",
        "UpdateFunctionCode",
        "UpdateFunctionConfiguration",
        "UpdateFunctionEventInvokeConfig",
    ];
    let missing: Vec<_> = served.iter().filter(|o| !operations.contains(*o)).collect();
    assert!(missing.is_empty(), "operations without a row: {missing:?}");
}

/// Where the model documents an error, the SDK's typed error decodes.
#[tokio::test]
async fn documented_errors_decode_as_the_sdk_expects() {
    use aws_sdk_lambda::operation::create_function::CreateFunctionError;
    use aws_sdk_lambda::operation::delete_function::DeleteFunctionError;
    use aws_sdk_lambda::operation::get_function::GetFunctionError;
    use aws_sdk_lambda::operation::get_function_concurrency::GetFunctionConcurrencyError;
    use aws_sdk_lambda::operation::get_function_event_invoke_config::GetFunctionEventInvokeConfigError;
    use aws_sdk_lambda::operation::invoke::InvokeError;
    use aws_sdk_lambda::operation::put_function_concurrency::PutFunctionConcurrencyError;
    use aws_sdk_lambda::operation::put_function_event_invoke_config::PutFunctionEventInvokeConfigError;
    use aws_sdk_lambda::operation::update_function_configuration::UpdateFunctionConfigurationError;
    let s = TestServer::start();
    s.create_node("f", "node-echo-cjs", "index.handler").await;
    let err = s
        .lambda
        .get_function()
        .function_name("my.function")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        err.into_service_error(),
        GetFunctionError::ResourceNotFoundException(_)
    ));
    let err = s
        .lambda
        .put_function_event_invoke_config()
        .function_name("f")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        err.into_service_error(),
        PutFunctionEventInvokeConfigError::InvalidParameterValueException(_)
    ));
    let err = s
        .lambda
        .update_function_configuration()
        .function_name("f")
        .revision_id("stale")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        err.into_service_error(),
        UpdateFunctionConfigurationError::PreconditionFailedException(_)
    ));

    // Each error the model documents for these operations decodes to its variant, with the
    // message AWS sends (whatever the casing of its member).
    let zip = aws_sdk_lambda::types::FunctionCode::builder()
        .zip_file(aws_sdk_lambda::primitives::Blob::new(
            crate::support::zip_fixture("node-echo-cjs"),
        ))
        .build();
    let create = |name: &str| {
        s.lambda
            .create_function()
            .function_name(name)
            .role("arn:aws:iam::000000000000:role/r")
            .runtime(aws_sdk_lambda::types::Runtime::Nodejs20x)
            .handler("index.handler")
            .code(zip.clone())
    };
    let err = create("f").send().await.unwrap_err().into_service_error();
    assert!(
        matches!(&err, CreateFunctionError::ResourceConflictException(e) if e.message() == Some("Function already exist: f")),
        "{err:?}"
    );
    let err = create("g")
        .memory_size(20_000)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(&err, CreateFunctionError::InvalidParameterValueException(e) if e.message().is_some_and(|m| m.contains("10240"))),
        "{err:?}"
    );
    let err = s
        .lambda
        .invoke()
        .function_name("f")
        .payload(aws_sdk_lambda::primitives::Blob::new("{x"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(&err, InvokeError::InvalidRequestContentException(e) if e.message().is_some_and(|m| m.starts_with("Could not parse request body into json"))),
        "{err:?}"
    );
    let err = s
        .lambda
        .invoke()
        .function_name("nope")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(&err, InvokeError::ResourceNotFoundException(e) if e.message() == Some("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope:$LATEST")),
        "{err:?}"
    );
    let err = s
        .lambda
        .delete_function()
        .function_name("nope")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(err, DeleteFunctionError::ResourceNotFoundException(_)),
        "{err:?}"
    );
    let err = s
        .lambda
        .get_function_concurrency()
        .function_name("nope")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(
            err,
            GetFunctionConcurrencyError::ResourceNotFoundException(_)
        ),
        "{err:?}"
    );
    let err = s
        .lambda
        .put_function_concurrency()
        .function_name("f")
        .reserved_concurrent_executions(1_000_000)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(
            err,
            PutFunctionConcurrencyError::InvalidParameterValueException(_)
        ),
        "{err:?}"
    );
    let err = s
        .lambda
        .get_function_event_invoke_config()
        .function_name("f")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(
            err,
            GetFunctionEventInvokeConfigError::ResourceNotFoundException(_)
        ),
        "{err:?}"
    );
    // Not a modelled shape: AWS sends RequestEntityTooLargeException where the model says
    // RequestTooLargeException, so the SDK reports it unhandled, with AWS's code.
    let err = s
        .lambda
        .invoke()
        .function_name("f")
        .invocation_type(aws_sdk_lambda::types::InvocationType::Event)
        .payload(aws_sdk_lambda::primitives::Blob::new(format!(
            "\"{}\"",
            "x".repeat(1_048_576)
        )))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(err.meta().code(), Some("RequestEntityTooLargeException"));
}
