//! The options of an open document: the nearest `.cfn-cognito-lint.yaml` upwards from its
//! folder, as the command line finds it, read once per folder until a config file changes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{self, Config};
use crate::{Options, config_stacks};

/// What the server needs from a config: the lint options, the paths it excludes and the docs
/// URL of its rules.
pub struct Resolved {
    pub options: Options,
    /// `None` when the config excludes nothing.
    pub exclude: Option<crate::walk::Exclude>,
    pub docs_url: Option<String>,
}

pub use crate::config::FILE_NAME;

/// Whether a path names a config file.
pub fn is_config_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == FILE_NAME)
}

/// Options by folder; a config that cannot be read is an error for every folder it governs.
#[derive(Default)]
pub struct Configs {
    by_dir: HashMap<PathBuf, Result<Arc<Resolved>, String>>,
    by_file: HashMap<Option<PathBuf>, Result<Arc<Resolved>, String>>,
}

impl Configs {
    /// Forgets every config read (one changed, or was created or deleted).
    pub fn clear(&mut self) {
        self.by_dir.clear();
        self.by_file.clear();
    }

    pub fn for_dir(&mut self, dir: &Path) -> Result<Arc<Resolved>, String> {
        if let Some(r) = self.by_dir.get(dir) {
            return r.clone();
        }
        let path = config::find(dir);
        let resolved = self
            .by_file
            .entry(path.clone())
            .or_insert_with(|| {
                let config = match &path {
                    Some(p) => config::load(p)?,
                    None => Config::default(),
                };
                resolve(&config).map(Arc::new)
            })
            .clone();
        self.by_dir.insert(dir.to_path_buf(), resolved.clone());
        resolved
    }
}

/// The options a config gives (what the command line gives without options of its own).
pub fn resolve(config: &Config) -> Result<Resolved, String> {
    let settings = config::settings(config, &[], &[], &[])?;
    let options = Options {
        settings,
        limits: config.limits,
        exclude: config.exclude.clone(),
        exclude_root: config
            .path
            .as_deref()
            .map(|p| crate::stack::absolute(p.parent().unwrap_or(Path::new("")))),
        config_stacks: config_stacks(config, None)?,
        ..Options::default()
    };
    let exclude = match options.exclude.is_empty() {
        true => None,
        false => Some(crate::walk::Exclude::new(&options)?),
    };
    Ok(Resolved {
        options,
        exclude,
        docs_url: config.docs_url.clone(),
    })
}
