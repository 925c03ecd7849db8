//! GetFunction's `Code.Location`: a link to the function's zip on lambkin's own endpoint,
//! signed and valid for 10 minutes, as AWS's presigned S3 URL is. The key is made at start, so
//! links end with the server too; a link names only the package's content hash.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a link works (AWS: 10 minutes).
pub(crate) const VALID_S: i64 = 600;

#[derive(Debug)]
pub(crate) struct CodeLinks {
    key: [u8; 32],
}

/// What a link carries, for the API to put in a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLink {
    /// `<hex sha256>.zip`
    pub file: String,
    /// Unix seconds.
    pub expires: i64,
    pub signature: String,
}

/// Why a link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeLinkRefused {
    Expired,
    BadSignature,
    NoSuchPackage,
}

impl CodeLinks {
    pub(crate) fn new() -> Self {
        let mut key = [0u8; 32];
        key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        CodeLinks { key }
    }

    fn mac(&self, file: &str, expires: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(file.as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        mac
    }

    pub(crate) fn signature(&self, file: &str, expires: i64) -> String {
        self.mac(file, expires)
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    pub(crate) fn check(&self, link: &CodeLink, now_s: i64) -> Result<(), CodeLinkRefused> {
        let given: Option<Vec<u8>> = link
            .signature
            .len()
            .is_multiple_of(2)
            .then(|| {
                (0..link.signature.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(link.signature.get(i..i + 2)?, 16).ok())
                    .collect()
            })
            .flatten();
        // `verify_slice` compares in constant time.
        let valid =
            given.is_some_and(|g| self.mac(&link.file, link.expires).verify_slice(&g).is_ok());
        if !valid {
            return Err(CodeLinkRefused::BadSignature);
        }
        if now_s > link.expires {
            return Err(CodeLinkRefused::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_signed_and_expire() {
        let links = CodeLinks::new();
        let file = format!("{}.zip", "a".repeat(64));
        let link = CodeLink {
            file: file.clone(),
            expires: 1000,
            signature: links.signature(&file, 1000),
        };
        assert_eq!(links.check(&link, 999), Ok(()));
        assert_eq!(links.check(&link, 1001), Err(CodeLinkRefused::Expired));
        let later = CodeLink {
            expires: 2000,
            ..link.clone()
        };
        assert_eq!(links.check(&later, 999), Err(CodeLinkRefused::BadSignature));
        let other = CodeLink {
            file: format!("{}.zip", "b".repeat(64)),
            ..link.clone()
        };
        assert_eq!(links.check(&other, 999), Err(CodeLinkRefused::BadSignature));
        assert_eq!(
            CodeLinks::new().check(&link, 999),
            Err(CodeLinkRefused::BadSignature),
            "another server's key"
        );
    }
}
