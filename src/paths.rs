//! Path strings as reports write them: relative to a repository root, with `/` between
//! folders, and as URIs (SARIF).
//!
//! The functions here work on strings in a [`Style`] given by the caller, not on
//! [`std::path::Path`], whose rules are the host's: so the Windows rules (`\` and `/` both
//! separate folders, `C:` drives, `\\server\share` and `\\?\` prefixes, names compared without
//! case) are the same code on every system and are tested on Linux. The binary always passes
//! [`Style::HOST`]: on Linux and macOS a backslash is an ordinary character of a file name
//! (`a\b.yaml` is one file, whose URI is `a%5Cb.yaml`), and a path is never guessed to be a
//! Windows path from its look, since `C:\x.yaml` is a legal (if odd) Unix file name.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// Which rules a path string follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `/` separates folders; everything else, `\` included, is part of a name.
    Posix,
    /// `\` and `/` separate folders; drives (`C:`), UNC shares (`\\server\share`) and
    /// verbatim prefixes (`\\?\C:\`, `\\?\UNC\server\share`); names compare without case.
    Windows,
}

impl Style {
    /// The style of the system the binary runs on.
    pub const HOST: Style = if cfg!(windows) {
        Style::Windows
    } else {
        Style::Posix
    };

    fn is_sep(self, c: char) -> bool {
        c == '/' || (self == Style::Windows && c == '\\')
    }

    fn same_name(self, a: &str, b: &str) -> bool {
        match self {
            Style::Posix => a == b,
            Style::Windows => a == b || a.to_lowercase() == b.to_lowercase(),
        }
    }
}

/// What comes before the folders of a Windows path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Prefix<'a> {
    /// `C:` (the letter upper-cased).
    Drive(char),
    /// `\\server\share`.
    Unc(&'a str, &'a str),
}

/// A path string taken apart lexically.
#[derive(Clone, Debug)]
struct Split<'a> {
    prefix: Option<Prefix<'a>>,
    /// Whether it starts at a root (`/x`, `C:\x`, `\\server\share\x`).
    rooted: bool,
    /// The names between separators (empty ones dropped; `.` and `..` kept).
    parts: Vec<&'a str>,
}

fn names(s: &str, style: Style) -> Vec<&str> {
    s.split(|c| style.is_sep(c))
        .filter(|p| !p.is_empty())
        .collect()
}

fn split(path: &str, style: Style) -> Split<'_> {
    if style == Style::Posix {
        return Split {
            prefix: None,
            rooted: path.starts_with('/'),
            parts: names(path, style),
        };
    }
    // Verbatim prefixes: `\\?\C:\x` is `C:\x`, `\\?\UNC\server\share\x` is `\\server\share\x`
    // (`\\.\` device paths are read the same way).
    for verbatim in [r"\\?\", r"\\.\", "//?/", "//./"] {
        if let Some(rest) = path.strip_prefix(verbatim) {
            let unc = rest
                .get(..4)
                .is_some_and(|h| h.eq_ignore_ascii_case(r"UNC\") || h.eq_ignore_ascii_case("UNC/"));
            if unc {
                return split_unc(&rest[4..], style);
            }
            return split(rest, style);
        }
    }
    let mut chars = path.chars();
    let (a, b) = (chars.next(), chars.next());
    if a.is_some_and(|a| style.is_sep(a)) && b.is_some_and(|b| style.is_sep(b)) {
        return split_unc(&path[2..], style);
    }
    if let (Some(letter), Some(':')) = (a, b)
        && letter.is_ascii_alphabetic()
    {
        let rest = &path[2..];
        return Split {
            prefix: Some(Prefix::Drive(letter.to_ascii_uppercase())),
            rooted: rest.starts_with(|c| style.is_sep(c)),
            parts: names(rest, style),
        };
    }
    Split {
        prefix: None,
        rooted: path.starts_with(|c| style.is_sep(c)),
        parts: names(path, style),
    }
}

/// `server\share\rest` (after the leading `\\`).
fn split_unc(rest: &str, style: Style) -> Split<'_> {
    let mut parts = names(rest, style);
    if parts.len() < 2 {
        // `\\server` alone: no share; taken as a rooted path of names.
        return Split {
            prefix: None,
            rooted: true,
            parts,
        };
    }
    let tail = parts.split_off(2);
    Split {
        prefix: Some(Prefix::Unc(parts[0], parts[1])),
        rooted: true,
        parts: tail,
    }
}

/// `parts` without `.` and with each `..` taking back the name before it; `None` when a `..`
/// climbs above the start.
fn normalize<'a>(parts: &[&'a str]) -> Option<Vec<&'a str>> {
    let mut out = Vec::with_capacity(parts.len());
    for &p in parts {
        match p {
            "." => {}
            ".." => {
                out.pop()?;
            }
            p => out.push(p),
        }
    }
    Some(out)
}

fn same_prefix(a: &Option<Prefix>, b: &Option<Prefix>, style: Style) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(Prefix::Drive(x)), Some(Prefix::Drive(y))) => x == y,
        (Some(Prefix::Unc(s1, h1)), Some(Prefix::Unc(s2, h2))) => {
            style.same_name(s1, s2) && style.same_name(h1, h2)
        }
        _ => false,
    }
}

/// `path` relative to `root`, with `/` between its names, when it lies strictly under it;
/// `None` otherwise (outside, the root itself, or not comparable: `root` not absolute, a
/// drive-relative `C:x`). A relative `path` is taken from `cwd` (an absolute path). Purely
/// lexical: `..` takes back the name before it, links are not followed.
pub fn relative_to(root: &str, cwd: &str, path: &str, style: Style) -> Option<String> {
    let p = split(path, style);
    let abs = if p.rooted {
        p
    } else if p.prefix.is_some() {
        return None;
    } else {
        let mut c = split(cwd, style);
        if !c.rooted {
            return None;
        }
        c.parts.extend(p.parts);
        c
    };
    let r = split(root, style);
    if !r.rooted || !same_prefix(&abs.prefix, &r.prefix, style) {
        return None;
    }
    let (abs_parts, root_parts) = (normalize(&abs.parts)?, normalize(&r.parts)?);
    if abs_parts.len() <= root_parts.len()
        || !root_parts
            .iter()
            .zip(&abs_parts)
            .all(|(a, b)| style.same_name(a, b))
    {
        return None;
    }
    Some(abs_parts[root_parts.len()..].join("/"))
}

/// `path` with `/` between folders: in the Windows style each `\` becomes `/`; in the POSIX
/// style the path is returned as it is (a backslash is part of a name there).
pub fn with_slashes(path: &str, style: Style) -> Cow<'_, str> {
    match style {
        Style::Windows if path.contains('\\') => Cow::Owned(path.replace('\\', "/")),
        _ => Cow::Borrowed(path),
    }
}

/// Appends `name` percent-encoded (RFC 3986): every UTF-8 byte outside the unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`) as `%XX`.
fn encode_into(out: &mut String, name: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in name.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            b => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xF)]));
            }
        }
    }
}

/// A URI for a path: an absolute path is a `file:` URI (`/srv/x.yaml` → `file:///srv/x.yaml`,
/// `C:\repo\x.yaml` → `file:///C:/repo/x.yaml`, `\\server\share\x.yaml` →
/// `file://server/share/x.yaml`); any other path is a relative reference with `/` between its
/// names. Names are percent-encoded (see [`encode_into`]), so a `:` in a first segment, `#`,
/// `?`, `%`, spaces and controls stay part of the path.
pub fn uri(path: &str, style: Style) -> String {
    let s = split(path, style);
    let mut out = String::with_capacity(path.len() + 8);
    let names = |out: &mut String, parts: &[&str]| {
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            encode_into(out, p);
        }
    };
    match (&s.prefix, s.rooted) {
        (None, true) => {
            out.push_str("file:///");
            names(&mut out, &s.parts);
        }
        (Some(Prefix::Drive(d)), true) => {
            out.push_str("file:///");
            out.push(*d);
            out.push_str(":/");
            names(&mut out, &s.parts);
        }
        (Some(Prefix::Unc(server, share)), _) => {
            out.push_str("file://");
            encode_into(&mut out, server);
            out.push('/');
            encode_into(&mut out, share);
            if !s.parts.is_empty() {
                out.push('/');
            }
            names(&mut out, &s.parts);
        }
        // Relative, or drive-relative (`C:x`, which has no URI of its own: the whole text,
        // its `:` encoded).
        (Some(Prefix::Drive(_)), false) => encode_into(&mut out, &with_slashes(path, style)),
        (None, false) => {
            // Separators kept where they are (`a//b` stays `a//b`), names encoded.
            let mut name = String::new();
            for c in path.chars() {
                if style.is_sep(c) {
                    encode_into(&mut out, &name);
                    name.clear();
                    out.push('/');
                } else {
                    name.push(c);
                }
            }
            encode_into(&mut out, &name);
        }
    }
    out
}

/// The git work tree that holds `dir`: the nearest folder upwards with a `.git` (a folder, or
/// the file of a worktree or submodule).
pub fn work_tree(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Where report paths are anchored: a root folder (the repository's) and the working
/// directory relative paths are taken from.
#[derive(Clone, Debug)]
pub struct Anchor {
    root: Option<String>,
    cwd: String,
    style: Style,
}

impl Anchor {
    /// An anchor at `root` (none: paths stay as given), relative paths taken from `cwd`.
    pub fn new(root: Option<&str>, cwd: &str, style: Style) -> Anchor {
        Anchor {
            root: root.map(str::to_string),
            cwd: cwd.to_string(),
            style,
        }
    }

    fn at(root: Option<PathBuf>, cwd: &Path) -> Anchor {
        Anchor::new(
            root.as_deref().map(|r| r.to_string_lossy()).as_deref(),
            &cwd.to_string_lossy(),
            Style::HOST,
        )
    }

    /// SARIF's `%SRCROOT%` (CLI.md): the git work tree holding the working directory, else
    /// the working directory.
    pub fn work_tree_or_cwd() -> Anchor {
        let cwd = std::env::current_dir().unwrap_or_default();
        let root = work_tree(&cwd).unwrap_or_else(|| cwd.clone());
        Anchor::at(Some(root), &cwd)
    }

    /// GitHub annotations (CLI.md): `GITHUB_WORKSPACE` when set (not empty), else the git work
    /// tree holding the working directory, else none (paths as given).
    pub fn github() -> Anchor {
        let cwd = std::env::current_dir().unwrap_or_default();
        let root = match std::env::var_os("GITHUB_WORKSPACE").filter(|w| !w.is_empty()) {
            // Compared with the real working directory: a workspace named through a link is
            // resolved first.
            Some(w) => {
                let w = PathBuf::from(w);
                Some(std::fs::canonicalize(&w).unwrap_or(w))
            }
            None => work_tree(&cwd),
        };
        Anchor::at(root, &cwd)
    }

    /// A report path relative to the root, with `/` between folders, when it lies under it.
    pub fn relative(&self, path: &str) -> Option<String> {
        let root = self.root.as_deref()?;
        relative_to(root, &self.cwd, path, self.style)
    }

    /// A report path as a GitHub annotation names it: relative to the root when it lies under
    /// it, else as given; `/` between folders either way.
    pub fn display(&self, path: &str) -> String {
        match self.relative(path) {
            Some(rel) => rel,
            None => with_slashes(path, self.style).into_owned(),
        }
    }

    pub fn style(&self) -> Style {
        self.style
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: Style = Style::Windows;
    const P: Style = Style::Posix;

    #[test]
    fn relative_paths_in_the_windows_style() {
        let rel = |root, cwd, path| relative_to(root, cwd, path, W);
        assert_eq!(
            rel(r"C:\repo", r"C:\repo", r"C:\repo\stack.yaml").as_deref(),
            Some("stack.yaml")
        );
        assert_eq!(
            rel(r"C:\repo", r"C:\repo\infra", r"stacks\auth.yaml").as_deref(),
            Some("infra/stacks/auth.yaml")
        );
        assert_eq!(
            rel(r"C:\repo", r"C:\repo\infra", r"..\top.yaml").as_deref(),
            Some("top.yaml")
        );
        // Drive letters and names without case; `/` and `\` mixed; verbatim prefixes.
        assert_eq!(
            rel(r"c:\Repo", r"C:\x", "C:/REPO/Infra\\a.yaml").as_deref(),
            Some("Infra/a.yaml")
        );
        assert_eq!(
            rel(r"\\?\C:\repo", r"C:\repo", r"C:\repo\a.yaml").as_deref(),
            Some("a.yaml")
        );
        assert_eq!(
            rel(r"\\srv\share\repo", r"\\srv\share\repo", r"sub\a.yaml").as_deref(),
            Some("sub/a.yaml")
        );
        assert_eq!(
            rel(r"\\srv\share", r"C:\", r"\\?\UNC\SRV\share\a.yaml").as_deref(),
            Some("a.yaml")
        );
        // Outside the root: another drive, above it, the root itself, drive-relative.
        assert_eq!(rel(r"C:\repo", r"C:\repo", r"D:\repo\a.yaml"), None);
        assert_eq!(rel(r"C:\repo", r"C:\repo", r"..\other\a.yaml"), None);
        assert_eq!(rel(r"C:\repo", r"C:\repo", r"C:\repository\a.yaml"), None);
        assert_eq!(rel(r"C:\repo", r"C:\repo", "."), None);
        assert_eq!(rel(r"C:\repo", r"C:\repo", "C:a.yaml"), None);
    }

    #[test]
    fn relative_paths_in_the_posix_style() {
        let rel = |root, cwd, path| relative_to(root, cwd, path, P);
        assert_eq!(
            rel("/repo", "/repo/infra", "./a/../b.yaml").as_deref(),
            Some("infra/b.yaml")
        );
        assert_eq!(
            rel("/repo", "/repo", "/repo/x/y.yaml").as_deref(),
            Some("x/y.yaml")
        );
        // A backslash is part of a name: `a\b.yaml` is one file in the root.
        assert_eq!(
            rel("/repo", "/repo", r"a\b.yaml").as_deref(),
            Some(r"a\b.yaml")
        );
        // Names compare with their case.
        assert_eq!(rel("/repo", "/", "/Repo/a.yaml"), None);
        assert_eq!(rel("/repo", "/repo", "../a.yaml"), None);
        // A Windows-looking path is a relative name here.
        assert_eq!(
            rel("/repo", "/repo", r"C:\repo\a.yaml").as_deref(),
            Some(r"C:\repo\a.yaml")
        );
    }

    #[test]
    fn uris_of_windows_paths() {
        assert_eq!(uri(r"C:\repo\stack.yaml", W), "file:///C:/repo/stack.yaml");
        assert_eq!(
            uri(r"c:/My Repo/é.yaml", W),
            "file:///C:/My%20Repo/%C3%A9.yaml"
        );
        assert_eq!(
            uri(r"\\server\share\a b.yaml", W),
            "file://server/share/a%20b.yaml"
        );
        assert_eq!(uri(r"\\?\C:\repo\x.yaml", W), "file:///C:/repo/x.yaml");
        assert_eq!(uri(r"infra\stack.yaml", W), "infra/stack.yaml");
        assert_eq!(uri(r"..\x#1.yaml", W), "../x%231.yaml");
        assert_eq!(uri("C:x.yaml", W), "C%3Ax.yaml");
    }

    #[test]
    fn uris_of_posix_paths() {
        assert_eq!(uri("/srv/a b/x.yaml", P), "file:///srv/a%20b/x.yaml");
        assert_eq!(uri("infra/stack.yaml", P), "infra/stack.yaml");
        assert_eq!(uri(r"a\b.yaml", P), "a%5Cb.yaml");
        assert_eq!(uri(r"C:\repo\stack.yaml", P), "C%3A%5Crepo%5Cstack.yaml");
        assert_eq!(uri("../../o.yaml", P), "../../o.yaml");
    }

    #[test]
    fn annotation_paths() {
        let a = Anchor::new(Some(r"C:\repo"), r"C:\repo\infra", W);
        assert_eq!(a.display(r"stack.yaml"), "infra/stack.yaml");
        assert_eq!(a.display(r"D:\other\x.yaml"), "D:/other/x.yaml");
        let none = Anchor::new(None, r"C:\repo", W);
        assert_eq!(none.display(r"infra\x.yaml"), "infra/x.yaml");
        let posix = Anchor::new(Some("/repo"), "/repo/infra", P);
        assert_eq!(posix.display(r"a\b.yaml"), r"infra/a\b.yaml");
        assert_eq!(posix.display("/elsewhere/x.yaml"), "/elsewhere/x.yaml");
    }
}
