//! Files the tool writes besides the report on standard output: the report file (`--output`),
//! the baseline (`--write-baseline`) and fixed templates (`--fix`). Each is written through a
//! temporary file beside it, renamed at the end; a report or a baseline is never written over a
//! template.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Refuses a path for a file the tool is about to write (`option` names the flag in the
/// message) when it names a file this run read (`read`: absolute paths), or an existing template
/// or Serverless service (pre-commit appends the staged files after `--output`, so the first one
/// would become its value).
pub fn refuse_overwrite(option: &str, path: &Path, read: &[PathBuf]) -> Result<(), String> {
    let target = crate::stack::absolute(path);
    // Only an existing regular file can be a template or a file the run read (a new name, or a
    // device such as `/dev/null`, cannot): only then is the disk asked about each file read,
    // once each, and by identity (a link or another spelling of the same file counts).
    // (Only the paths with the target's file name are compared whole: comparing thousands of
    // paths by their components is a serial cost of a large run.)
    let name = crate::stack::file_name(&target);
    let clash = read
        .iter()
        .any(|r| crate::stack::file_name(r) == name && *r == target)
        || std::fs::metadata(path).is_ok_and(|m| {
            m.is_file() && {
                let mut head = Vec::new();
                let _ = std::fs::File::open(path)
                    .and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
                crate::looks_like_source(&String::from_utf8_lossy(&head))
                    || read.iter().any(|r| same_file(r, path, &m))
            }
        });
    if clash {
        return Err(format!(
            "{option} {} names a template or a file this run reads: refusing to overwrite it (give the file its own name, e.g. cognito.sarif or cognito-baseline.json)",
            path.display()
        ));
    }
    Ok(())
}

/// Whether `a` is the file `b` (whose metadata is `b_meta`): the same device and inode.
#[cfg(unix)]
fn same_file(a: &Path, _b: &Path, b_meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(a).is_ok_and(|m| m.dev() == b_meta.dev() && m.ino() == b_meta.ino())
}

/// Whether `a` is the file `b`: the same real path.
#[cfg(not(unix))]
fn same_file(a: &Path, b: &Path, _b_meta: &std::fs::Metadata) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Writes a file through a temporary file beside it, renamed at the end, so an interrupted
/// run never leaves a half-written file. An existing file keeps its permissions. A device or a
/// pipe (`-o /dev/null`, `-o /dev/stdout`) is written as it is: renaming over it would replace
/// it.
pub fn write_through_temp(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_through_temp_with(path, |w| w.write_all(bytes))
}

/// [`write_through_temp`] of what `emit` writes (buffered), so a large report (SARIF) is written
/// as it is serialized, never held whole in memory.
pub fn write_through_temp_with(
    path: &Path,
    emit: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let existing = std::fs::metadata(path).ok();
    let device = existing.as_ref().is_some_and(|m| !m.is_file());
    let tmp = (!device).then(|| {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        dir.join(format!(".{name}.{}.tmp", std::process::id()))
    });
    let to = tmp.as_deref().unwrap_or(path);
    let written = std::fs::File::create(to).and_then(|f| {
        let mut w = std::io::BufWriter::with_capacity(64 * 1024, f);
        emit(&mut w)?;
        w.flush()
    });
    let Some(tmp) = tmp else {
        return written;
    };
    let written = written
        .and_then(|_| match &existing {
            Some(m) => std::fs::set_permissions(&tmp, m.permissions()),
            None => Ok(()),
        })
        .and_then(|_| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
