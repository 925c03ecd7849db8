//! Chains of invocations, for recursive loop detection. An invocation caused by another (an S3
//! notification of an object a function wrote, an invoke a function sent) continues its chain.
//! The chain travels as AWS carries it: in the X-Ray trace header, whose `Lineage` field counts
//! the invocations so far. A function sees the header as `_X_AMZN_TRACE_ID`; the AWS SDKs send
//! it back as `X-Amzn-Trace-Id` on every call they make from inside a function, and lambkin reads
//! the count from there. Lambda stops a chain's invocation after [`MAX_CHAIN`] of them.

/// Lambda runs at most 16 invocations of one chain; the 17th is stopped.
pub const MAX_CHAIN: u32 = 16;

/// How many invocations a trace header says its chain has had: the largest count of its
/// `Lineage` entries (`Lineage=<hash>:<count>`, entries joined by `|`); 0 without one, or for a
/// header that cannot be read (a chain is never started by a malformed header).
pub fn chain_length(trace_header: &str) -> u32 {
    trace_header
        .split(';')
        .filter_map(|field| field.trim().strip_prefix("Lineage="))
        .flat_map(|lineage| lineage.split('|'))
        .filter_map(|entry| entry.rsplit_once(':')?.1.parse::<u32>().ok())
        .max()
        .unwrap_or(0)
}

/// The trace header a function sees for the `count`-th invocation of a chain: `trace` with a
/// `Lineage` field naming the function (8 hex digits of a hash of its name, which only has to
/// be stable) and the count.
pub fn with_lineage(trace: &str, function: &str, count: u32) -> String {
    // FNV-1a: stable across builds and platforms, unlike std's hasher.
    let hash = function.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!("{trace};Lineage={hash:08x}:{count}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_lengths_from_trace_headers() {
        let cases = [
            ("", 0),
            ("Root=1-6553f100-c2a6f2ae1234400080000000;Sampled=0", 0),
            (
                "Root=1-6553f100-c2a6f2ae1234400080000000;Lineage=a87bd80c:3",
                3,
            ),
            ("Lineage=a87bd80c:3;Root=1-abc", 3),
            ("Root=1-abc; Lineage=a87bd80c:16", 16),
            ("Root=1-abc;Lineage=aa:2|bb:7|cc:1", 7),
            ("Root=1-abc;Lineage=a87bd80c:x", 0),
            ("Root=1-abc;Lineage=", 0),
            ("Root=1-abc;Lineage=a87bd80c:99999999999", 0),
        ];
        for (header, want) in cases {
            assert_eq!(chain_length(header), want, "{header:?}");
        }
    }

    #[test]
    fn a_lineage_is_read_back_as_written() {
        let base = "Root=1-6553f100-c2a6f2ae1234400080000000;Parent=000000000000abcd;Sampled=0";
        let header = with_lineage(base, "make-thumbnail", 5);
        assert!(header.starts_with(base), "{header}");
        assert_eq!(chain_length(&header), 5);
        assert_eq!(
            with_lineage(base, "make-thumbnail", 5),
            header,
            "stable for a function"
        );
        assert_ne!(with_lineage(base, "other", 5), header);
    }
}
