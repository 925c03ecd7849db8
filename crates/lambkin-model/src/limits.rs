//! AWS Lambda's numeric limits that lambkin enforces, in one place.

/// Synchronous request payload limit (6 MiB), `Request must be smaller than 6291456 bytes...`.
pub const SYNC_PAYLOAD_MAX: usize = 6_291_456;
/// Response payload limit as AWS reports it (6 MiB + 100 B).
pub const RESPONSE_PAYLOAD_MAX: usize = 6_291_556;
/// Asynchronous (`Event`) payload limit since October 2025: 1 MB.
pub const ASYNC_PAYLOAD_MAX: usize = 1_048_576;
/// The deprecated InvokeAsync operation keeps the old 256 KB limit.
pub const INVOKE_ASYNC_PAYLOAD_MAX: usize = 262_144;

pub const TIMEOUT_DEFAULT_S: u32 = 3;
pub const TIMEOUT_RANGE_S: (u32, u32) = (1, 900);
pub const MEMORY_DEFAULT_MB: u32 = 128;
pub const MEMORY_RANGE_MB: (u32, u32) = (128, 10_240);
pub const EPHEMERAL_DEFAULT_MB: u32 = 512;

pub const RETRY_ATTEMPTS_DEFAULT: u32 = 2;
pub const RETRY_ATTEMPTS_RANGE: (u32, u32) = (0, 2);
pub const EVENT_AGE_DEFAULT_S: u32 = 21_600;
pub const EVENT_AGE_RANGE_S: (u32, u32) = (60, 21_600);

/// Total size of a function's environment variables (keys + values).
pub const ENVIRONMENT_MAX_BYTES: usize = 4096;
/// Init phase limit for on-demand environments.
pub const INIT_TIMEOUT_S: u64 = 10;
/// Bytes of log returned in `X-Amz-Log-Result`.
pub const LOG_TAIL_BYTES: usize = 4096;
/// ListFunctions returns at most this many per page whatever MaxItems says.
pub const LIST_PAGE_MAX: usize = 50;
