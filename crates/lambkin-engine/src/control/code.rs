//! Function code: where a package comes from (a zip in the request, or an object of lambkin's
//! S3), packages unpacked into the code folder, and GetFunction's `Code.Location` links to
//! download them.

use lambkin_model::FunctionConfig;

use super::Control;
use crate::EngineError;
use crate::code_link::{CodeLink, CodeLinkRefused, VALID_S};
use crate::code_package::CodePackage;

/// Where CreateFunction's or UpdateFunctionCode's package comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeSource {
    /// `ZipFile`: the package itself.
    Zip(Vec<u8>),
    /// `S3Bucket` + `S3Key`: an object of lambkin's S3.
    S3 { bucket: String, key: String },
}

/// The largest package taken from S3 (AWS: 250 MB unzipped; a zip is smaller).
const S3_PACKAGE_MAX: u64 = 250 * 1024 * 1024;

impl Control {
    /// The package's bytes. An S3 object that cannot be read is refused with AWS's wording.
    pub(super) async fn package(&self, source: CodeSource) -> Result<Vec<u8>, EngineError> {
        let (bucket, key) = match source {
            CodeSource::Zip(zip) => return Ok(zip),
            CodeSource::S3 { bucket, key } => (bucket, key),
        };
        self.s3
            .read_object(&bucket, &key, S3_PACKAGE_MAX)
            .await
            .map_err(|e| match e {
                lambkin_s3::S3Error::Store(store) => EngineError::Store(store),
                e => EngineError::InvalidParameter(format!(
                    "Error occurred while GetObject. S3 Error Code: {}. S3 Error Message: {e}",
                    e.code()
                )),
            })
    }

    pub(super) async fn unpack(&self, zip: Vec<u8>) -> Result<CodePackage, EngineError> {
        let root = self.code_root.clone();
        tokio::task::spawn_blocking(move || CodePackage::unpack(&zip, &root))
            .await
            .map_err(|_| EngineError::ShuttingDown)?
    }

    /// A link to `config`'s zip, valid for 10 minutes from now.
    pub fn code_link(&self, config: &FunctionConfig) -> CodeLink {
        let hex = crate::registry::code_dir_name(&config.code_sha256);
        let file = format!("{hex}.zip");
        let expires = self.clock.now().0 / 1000 + VALID_S;
        let signature = self.code_links.signature(&file, expires);
        CodeLink {
            file,
            expires,
            signature,
        }
    }

    /// The zip a valid link points to. A package unpacked before lambkin kept zips is zipped
    /// again from its folder (its SHA-256 then differs from `CodeSha256`).
    pub async fn code_zip(
        &self,
        link: &CodeLink,
    ) -> Result<Result<Vec<u8>, CodeLinkRefused>, EngineError> {
        let now_s = self.clock.now().0 / 1000;
        if let Err(refused) = self.code_links.check(link, now_s) {
            return Ok(Err(refused));
        }
        let Some(hex) = link
            .file
            .strip_suffix(".zip")
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        else {
            return Ok(Err(CodeLinkRefused::NoSuchPackage));
        };
        let root = self.code_root.clone();
        let (zip, dir) = (root.join(&link.file), root.join(hex));
        tokio::task::spawn_blocking(move || match std::fs::read(&zip) {
            Ok(bytes) => Ok(Ok(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if dir.is_dir() {
                    crate::zip_folder(&dir).map(Ok).map_err(EngineError::Io)
                } else {
                    Ok(Err(CodeLinkRefused::NoSuchPackage))
                }
            }
            Err(e) => Err(EngineError::Io(e)),
        })
        .await
        .map_err(|_| EngineError::ShuttingDown)?
    }
}
