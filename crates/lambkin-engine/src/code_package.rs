//! Deployment packages: a zip, checked and unpacked once into a content-addressed folder.
//!
//! Unpacking refuses what would let a package write outside its folder: entries with `..` or
//! absolute paths, and symlinks whose target leaves the folder. AWS answers every unusable
//! package with the same `InvalidParameterValueException` text, and so do we.

use std::io::{Cursor, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::EngineError;

pub(crate) const UNZIP_ERROR: &str =
    "Could not unzip uploaded file. Please check your file, then try to upload again.";
/// AWS's limit on the unzipped size of a package (250 MB).
const UNZIPPED_MAX: u64 = 262_144_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodePackage {
    /// Base64 SHA-256 of the zip, as `CodeSha256`.
    pub sha256: String,
    pub size: u64,
    pub dir: PathBuf,
}

impl CodePackage {
    /// Unpacks `zip` under `root/<hex sha256>` (reusing an identical earlier upload).
    pub fn unpack(zip: &[u8], root: &Path) -> Result<CodePackage, EngineError> {
        let digest = Sha256::digest(zip);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let package = CodePackage {
            sha256: base64::engine::general_purpose::STANDARD.encode(digest),
            size: zip.len() as u64,
            dir: root.join(&hex),
        };
        let kept = root.join(format!("{hex}.zip"));
        if package.dir.is_dir() {
            keep_zip(zip, &kept)?;
            return Ok(package);
        }
        std::fs::create_dir_all(root).map_err(EngineError::Io)?;
        let staging = root.join(format!(".staging-{}", uuid::Uuid::new_v4()));
        let result = extract(zip, &staging).and_then(|()| {
            // Another upload of the same bytes may have won the race; either copy is right.
            match std::fs::rename(&staging, &package.dir) {
                Ok(()) => Ok(()),
                Err(_) if package.dir.is_dir() => Ok(()),
                Err(e) => Err(EngineError::Io(e)),
            }
        });
        let _ = std::fs::remove_dir_all(&staging);
        // Only a package that unpacked is kept.
        result.and_then(|()| keep_zip(zip, &kept)).map(|()| package)
    }
}

/// Keeps the uploaded zip as it came (GetFunction's `Code.Location` serves it, so its SHA-256
/// is `CodeSha256`); written aside and renamed, so a reader never sees half of it.
fn keep_zip(zip: &[u8], path: &Path) -> Result<(), EngineError> {
    if path.is_file() {
        return Ok(());
    }
    let staging = path.with_extension(format!("zip.{}", uuid::Uuid::new_v4()));
    std::fs::write(&staging, zip)
        .and_then(|()| std::fs::rename(&staging, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&staging);
            EngineError::Io(e)
        })
}

/// Zips a folder in memory, keeping unix modes (an executable `bootstrap` stays executable)
/// and symlinks; used by `lambkin deploy` and by tests.
pub fn zip_folder(dir: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut buf = Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let path = entry.path();
            let rel = path
                .strip_prefix(dir)
                .map_err(std::io::Error::other)?
                .to_string_lossy()
                .into_owned();
            let meta = std::fs::symlink_metadata(&path)?;
            let opts = zip::write::SimpleFileOptions::default()
                .unix_permissions(meta.permissions().mode() & 0o777);
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path)?;
                zip.add_symlink(rel, target.to_string_lossy(), opts)
                    .map_err(std::io::Error::other)?;
            } else if meta.is_dir() {
                zip.add_directory(format!("{rel}/"), opts)
                    .map_err(std::io::Error::other)?;
                stack.push(path);
            } else {
                zip.start_file(rel, opts).map_err(std::io::Error::other)?;
                zip.write_all(&std::fs::read(&path)?)?;
            }
        }
    }
    zip.finish().map_err(std::io::Error::other)?;
    Ok(buf.into_inner())
}

fn invalid() -> EngineError {
    EngineError::InvalidParameter(UNZIP_ERROR.to_string())
}

fn extract(zip: &[u8], dest: &Path) -> Result<(), EngineError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).map_err(|_| invalid())?;
    std::fs::create_dir_all(dest).map_err(EngineError::Io)?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|_| invalid())?;
        let rel = entry.enclosed_name().ok_or_else(invalid)?;
        let path = dest.join(&rel);
        let mode = entry.unix_mode();
        total = total.saturating_add(entry.size());
        if total > UNZIPPED_MAX {
            return Err(EngineError::InvalidParameter(format!(
                "Unzipped size must be smaller than {UNZIPPED_MAX} bytes"
            )));
        }
        if entry.is_dir() {
            std::fs::create_dir_all(&path).map_err(EngineError::Io)?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(EngineError::Io)?;
        }
        if mode.is_some_and(|m| m & 0o170000 == 0o120000) {
            let mut target = String::new();
            entry.read_to_string(&mut target).map_err(|_| invalid())?;
            if !symlink_stays_inside(&rel, Path::new(&target)) {
                return Err(invalid());
            }
            std::os::unix::fs::symlink(&target, &path).map_err(EngineError::Io)?;
            continue;
        }
        let mut out = std::fs::File::create(&path).map_err(EngineError::Io)?;
        std::io::copy(&mut entry, &mut out).map_err(|_| invalid())?;
        let perm = mode.map(|m| m & 0o777).unwrap_or(0o644);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(perm))
            .map_err(EngineError::Io)?;
    }
    Ok(())
}

/// Resolves `target` lexically from the link's folder; it must not climb out of the root.
fn symlink_stays_inside(link: &Path, target: &Path) -> bool {
    if target.is_absolute() {
        return false;
    }
    let mut depth: i64 = 0;
    let base = link.parent().map(Path::components).into_iter().flatten();
    for c in base.chain(target.components()) {
        match c {
            Component::Normal(_) => depth += 1,
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn zip_of(entries: &[(&str, &[u8], Option<u32>)], links: &[(&str, &str)]) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut buf);
        for (name, data, mode) in entries {
            let mut opts = SimpleFileOptions::default();
            if let Some(m) = mode {
                opts = opts.unix_permissions(*m);
            }
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        for (name, target) in links {
            w.add_symlink(*name, *target, SimpleFileOptions::default())
                .unwrap();
        }
        w.finish().unwrap();
        buf.into_inner()
    }

    #[test]
    fn unpacks_with_modes_and_reuses_identical_uploads() {
        let root = tempfile::tempdir().unwrap();
        let zip = zip_of(
            &[
                ("bootstrap", b"#!/bin/sh\n", Some(0o755)),
                ("lib/a.txt", b"a", None),
            ],
            &[("link", "lib/a.txt")],
        );
        let p = CodePackage::unpack(&zip, root.path()).unwrap();
        assert_eq!(p.size, zip.len() as u64);
        assert_eq!(p.sha256.len(), 44);
        let mode = std::fs::metadata(p.dir.join("bootstrap"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        assert_eq!(std::fs::read_to_string(p.dir.join("link")).unwrap(), "a");
        assert_eq!(CodePackage::unpack(&zip, root.path()).unwrap(), p);
    }

    #[test]
    fn rejects_bad_packages_and_writes_nothing() {
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("not a zip", b"hello".to_vec()),
            ("parent escape", zip_of(&[("../evil", b"x", None)], &[])),
            ("absolute link", zip_of(&[], &[("l", "/etc/passwd")])),
            ("climbing link", zip_of(&[], &[("sub/l", "../../x")])),
        ];
        for (name, zip) in cases {
            let root = tempfile::tempdir().unwrap();
            let err = CodePackage::unpack(&zip, root.path()).unwrap_err();
            assert!(
                matches!(&err, EngineError::InvalidParameter(m) if m == UNZIP_ERROR),
                "{name}: {err:?}"
            );
            let left: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
            assert!(left.is_empty(), "{name}: left files behind");
            assert!(!root.path().parent().unwrap().join("evil").exists());
        }
    }

    #[test]
    fn symlink_rules() {
        let cases = [
            ("a", "b", true),
            ("d/a", "../b", true),
            ("d/a", "../../b", false),
            ("a", "/abs", false),
            ("a", "./x/../y", true),
        ];
        for (link, target, ok) in cases {
            assert_eq!(
                symlink_stays_inside(Path::new(link), Path::new(target)),
                ok,
                "{link} -> {target}"
            );
        }
    }
}
