//! The shared package cache: official FHIR packages, downloaded with `npm pack`,
//! checked against the integrity pinned in `definitions/manifest.json` and
//! extracted under `<workspace>/.cache/packages/<name>-<version>/`.
//!
//! npm is used as a plain download client: it picks the registry from its own
//! configuration, so this file names none. The integrity check is ours, on the
//! bytes of the tarball, so a misconfigured registry or mirror cannot slip in a
//! different package.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use serde::Deserialize;
use sha2::{Digest, Sha512};

use crate::error::{Context, Result};
use crate::workspace;

/// Written next to `package/` in each cache entry: the integrity the tarball was
/// verified against, so a changed pin is noticed instead of silently reusing
/// the old download.
const INTEGRITY_MARKER: &str = ".integrity";

/// Returns the cache directory of `name@version` (it contains `package/`),
/// downloading, verifying and extracting the package first if it is not cached.
///
/// A cached entry is reused without network access. Entries only ever appear
/// complete: the package is extracted into a staging directory that is then
/// renamed into place, so an interrupted fetch leaves no half-extracted entry.
pub fn fetch(name: &str, version: &str, integrity: &str) -> Result<PathBuf> {
    let cache = workspace::package_cache_dir(&workspace::root()?);
    fetch_into(&cache, name, version, integrity)
}

/// [`fetch`] with an explicit cache directory.
pub fn fetch_into(cache: &Path, name: &str, version: &str, integrity: &str) -> Result<PathBuf> {
    check_path_safe("package name", name)?;
    check_path_safe("package version", version)?;
    let spec = format!("{name}@{version}");
    let entry = cache.join(format!("{name}-{version}"));
    if entry.is_dir() {
        check_marker(&entry, &spec, integrity)?;
        return Ok(entry);
    }

    fs::create_dir_all(cache).context(|| format!("creating {}", cache.display()))?;
    // Same parent as the final entry, so the closing rename stays on one file system.
    let staging = StagingDir::create(
        cache.join(format!(".staging-{name}-{version}-{}", std::process::id())),
    )?;

    eprintln!("downloading {spec} with npm pack");
    let tarball = npm_pack(&spec, staging.path())?;
    let actual = sha512_integrity(&tarball)?;
    if actual != integrity {
        return Err(format!(
            "integrity mismatch for {spec}: definitions/manifest.json pins {integrity} \
             but the downloaded tarball is {actual}; refusing to use it"
        ));
    }

    let tree = staging.path().join("tree");
    extract(&tarball, &tree).context(|| format!("extracting {}", tarball.display()))?;
    if !tree.join("package").is_dir() {
        return Err(format!("{spec}: the tarball has no package/ directory"));
    }
    fs::write(tree.join(INTEGRITY_MARKER), integrity)
        .context(|| format!("writing the integrity marker of {spec}"))?;

    if let Err(e) = fs::rename(&tree, &entry) {
        // Another fetch of the same package may have won the race: its entry is as good as ours.
        if !entry.is_dir() {
            return Err(format!(
                "moving {} to {}: {e}",
                tree.display(),
                entry.display()
            ));
        }
        check_marker(&entry, &spec, integrity)?;
    }
    Ok(entry)
}

/// Refuses names that could escape the cache directory once used in a path.
fn check_path_safe(what: &str, value: &str) -> Result<()> {
    let safe = !value.is_empty()
        && !value.starts_with('.')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'));
    if safe {
        Ok(())
    } else {
        Err(format!(
            "{what} {value:?} is not supported (only letters, digits and . - _ +)"
        ))
    }
}

/// Checks that a cached entry was verified against the integrity asked for now.
fn check_marker(entry: &Path, spec: &str, integrity: &str) -> Result<()> {
    let marker = entry.join(INTEGRITY_MARKER);
    let recorded =
        fs::read_to_string(&marker).context(|| format!("reading {}", marker.display()))?;
    if recorded.trim() != integrity {
        return Err(format!(
            "the cached {spec} in {} was verified against {} but definitions/manifest.json now pins {integrity}; \
             delete that directory to download it again",
            entry.display(),
            recorded.trim()
        ));
    }
    Ok(())
}

/// The part of `npm pack --json` output that is used.
#[derive(Debug, Deserialize)]
struct PackedFile {
    filename: String,
}

/// Runs `npm pack SPEC --json --pack-destination DEST` and returns the tarball's path.
fn npm_pack(spec: &str, dest: &Path) -> Result<PathBuf> {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let output = Command::new(npm)
        .args(["pack", spec, "--json", "--pack-destination"])
        .arg(dest)
        // npm pack of a registry package needs no project: run it where no
        // package.json or .npmrc of ours can change what it does.
        .current_dir(dest)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => format!(
                "running `{npm} pack {spec}`: npm not found on PATH (install Node.js and npm)"
            ),
            _ => format!("running `{npm} pack {spec}`: {e}"),
        })?;
    if !output.status.success() {
        return Err(format!(
            "`{npm} pack {spec}` failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    let packed: Vec<PackedFile> = serde_json::from_slice(&output.stdout).context(|| {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let start: String = stdout.chars().take(300).collect();
        format!("reading the JSON output of `{npm} pack {spec}` (it began with {start:?})")
    })?;
    let [file] = packed.as_slice() else {
        return Err(format!(
            "`{npm} pack {spec}` reported {} files, expected one",
            packed.len()
        ));
    };
    // A bare file name is expected; anything else would point outside `dest`.
    if Path::new(&file.filename).file_name() != Some(file.filename.as_ref()) {
        return Err(format!(
            "`{npm} pack {spec}` reported an unexpected file name {:?}",
            file.filename
        ));
    }
    let tarball = dest.join(&file.filename);
    if !tarball.is_file() {
        return Err(format!(
            "`{npm} pack {spec}` did not write {}",
            tarball.display()
        ));
    }
    Ok(tarball)
}

/// The npm-style integrity string (`sha512-` + standard base64) of a file.
pub fn sha512_integrity(path: &Path) -> Result<String> {
    let mut file = File::open(path).context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha512::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file
            .read(&mut buf)
            .context(|| format!("reading {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    Ok(integrity_of_digest(&hasher.finalize()))
}

fn integrity_of_digest(digest: &[u8]) -> String {
    format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// Extracts a `.tgz` into `dest`. The tar crate refuses entries that would land
/// outside `dest` (absolute paths, `..`).
fn extract(tarball: &Path, dest: &Path) -> Result<()> {
    let file = File::open(tarball).context(|| format!("opening {}", tarball.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(io::BufReader::new(file)));
    archive.set_preserve_permissions(false);
    archive.unpack(dest).map_err(|e| e.to_string())
}

/// A directory removed when dropped, so failed fetches leave nothing behind.
#[derive(Debug)]
struct StagingDir(PathBuf);

impl StagingDir {
    fn create(path: PathBuf) -> Result<StagingDir> {
        if path.exists() {
            // Left over by an interrupted run of this same process id: stale.
            fs::remove_dir_all(&path).context(|| format!("removing stale {}", path.display()))?;
        }
        fs::create_dir_all(&path).context(|| format!("creating {}", path.display()))?;
        Ok(StagingDir(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        // Best effort: a leftover staging directory is harmless and ignored.
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrity_is_npm_formatted() {
        // sha512("") from the SHA-2 specification's test vectors, base64-encoded.
        let digest = Sha512::digest(b"");
        assert_eq!(
            integrity_of_digest(&digest),
            "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
        );
    }

    #[test]
    fn unsafe_names_are_refused() {
        assert!(check_path_safe("name", "hl7.fhir.r4.examples").is_ok());
        assert!(check_path_safe("version", "4.0.1").is_ok());
        for bad in ["", "..", "../x", "@scope/name", "a/b", ".hidden"] {
            assert!(check_path_safe("name", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_cached_entry_is_reused_without_npm() {
        let cache = std::env::temp_dir().join(format!("xtask-cache-test-{}", std::process::id()));
        let entry = cache.join("some.pkg-1.0.0");
        fs::create_dir_all(entry.join("package")).unwrap();
        fs::write(entry.join(INTEGRITY_MARKER), "sha512-abc").unwrap();
        assert_eq!(
            fetch_into(&cache, "some.pkg", "1.0.0", "sha512-abc").unwrap(),
            entry
        );
        let err = fetch_into(&cache, "some.pkg", "1.0.0", "sha512-other").unwrap_err();
        assert!(err.contains("delete that directory"), "{err}");
        fs::remove_dir_all(&cache).unwrap();
    }
}
