//! Layers that only point down: in each crate below, a module may use the modules of lower layers
//! (and its own), never those of its layer or above. ARCHITECTURE.md states the same rules;
//! `cargo xtask test` keeps them true.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::Result;

/// A crate's top-level modules, bottom to top.
struct Layering {
    crate_dir: &'static str,
    layers: &'static [&'static [&'static str]],
    /// Modules that compose everything (the crate root, the binary's `main`).
    roots: &'static [&'static str],
    /// Modules held to fewer: they may use only the modules listed, whatever lies below.
    only: &'static [(&'static str, &'static [&'static str])],
}

const CRATES: &[Layering] = &[
    Layering {
        crate_dir: "crates/server",
        layers: &[
            // Plain helpers: the clock, phone numbers, hashing and random ids, private files.
            &["clock", "phone", "auth", "private", "masking", "metrics"],
            // Plain configuration values; reaching a running server from its machine.
            &["config", "admin"],
            // The pure core: every routing decision, and its value types.
            &["routing"],
            // Domain values and rules around it.
            &[
                "contacts",
                "customer_token",
                "proactive",
                "guard",
                "files",
                "reports",
                "live",
            ],
            &["store"],
            // Other systems' APIs, the courier running errands to them, the event webhooks.
            &["channels", "events"],
            // The single task owning the router.
            &["hub"],
            &["app"],
            // What the admin API changed of the configuration, applied on every node.
            &["settings"],
            // The edges.
            &["assets", "ws", "webhooks"],
            &["http"],
            // The configuration file read again on SIGHUP.
            &["reload"],
            // Of several nodes, the one that routes.
            &["election"],
            &["server", "cli"],
        ],
        roots: &["lib", "main"],
        // The pure core reads plain configuration and nothing else of the server.
        only: &[("routing", &["config"])],
    },
    Layering {
        crate_dir: "src-tauri",
        layers: &[
            &[
                "events",
                "labels",
                "settings",
                "keyring_secrets",
                "engine_environment",
            ],
            // What the shell draws on: each is handed what it shows.
            &["notifications", "tray", "window"],
            &["shell"],
            &["commands"],
            // The file and supervisor commands share the commands' failure and sign-in check.
            &["files", "supervision"],
        ],
        roots: &["main"],
        only: &[],
    },
];

/// Checks every crate; the error lists each file that uses a module of its layer or above.
pub(crate) fn check() -> Result {
    let mut wrong = BTreeMap::new();
    for layering in CRATES {
        wrong.extend(layering.violations(&crate::root().join(layering.crate_dir))?);
    }
    if wrong.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = wrong
        .iter()
        .map(|(file, used)| format!("  {file} uses {}", used.join(", ")))
        .collect();
    Err(format!(
        "modules use layers at or above their own (see ARCHITECTURE.md):\n{}",
        listed.join("\n")
    ))
}

impl Layering {
    fn layer_of(&self, module: &str) -> Result<usize> {
        self.layers
            .iter()
            .position(|layer| layer.contains(&module))
            .ok_or_else(|| format!("{}: the module `{module}` has no layer", self.crate_dir))
    }

    fn violations(&self, crate_dir: &Path) -> Result<BTreeMap<String, Vec<String>>> {
        let src = crate_dir.join("src");
        let mut wrong: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for file in sources(&src)? {
            let relative = file.strip_prefix(&src).expect("found under src");
            let module = relative
                .components()
                .next()
                .map(|first| {
                    first
                        .as_os_str()
                        .to_string_lossy()
                        .trim_end_matches(".rs")
                        .to_owned()
                })
                .unwrap_or_default();
            if self.roots.contains(&module.as_str()) {
                continue;
            }
            let own = self.layer_of(&module)?;
            let allowed = self
                .only
                .iter()
                .find(|(restricted, _)| *restricted == module)
                .map(|(_, allowed)| *allowed);
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            for used in used_modules(&text) {
                let beyond = allowed.is_some_and(|allowed| !allowed.contains(&used.as_str()));
                if used != module && (beyond || self.layer_of(&used)? >= own) {
                    let name = format!("{}/src/{}", self.crate_dir, relative.display());
                    wrong.entry(name).or_default().push(used);
                }
            }
        }
        Ok(wrong)
    }
}

fn sources(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            found.extend(sources(&path)?);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
    Ok(found)
}

/// The crate's modules a source file names (`crate::name`, `use crate::{a, b::c}`), outside
/// comments.
fn used_modules(source: &str) -> Vec<String> {
    let mut used = Vec::new();
    for line in source.lines() {
        let mut rest = line.split("//").next().unwrap_or_default();
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                used.extend(group.split(',').filter_map(|item| {
                    let name = item.trim().split("::").next()?.trim();
                    (!name.is_empty() && name != "self").then(|| name.to_owned())
                }));
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    used.push(name);
                }
            }
        }
    }
    used
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_of_naming_a_module_is_seen_and_comments_are_not() {
        let source = "use crate::hub::HubHandle;\n\
                      use crate::{auth, store::Store};\n\
                      // crate::server in a comment does not count\n\
                      let now = crate::clock::now(); // crate::app neither\n";
        assert_eq!(used_modules(source), ["hub", "auth", "store", "clock"]);
    }

    #[test]
    fn a_module_using_its_own_layer_or_above_is_named() {
        let dir = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src/low")).unwrap();
        std::fs::write(dir.join("src/low/mod.rs"), "use crate::high::Thing;\n").unwrap();
        std::fs::write(dir.join("src/high.rs"), "use crate::low::Other;\n").unwrap();
        let layering = Layering {
            crate_dir: "example",
            layers: &[&["low"], &["high"]],
            roots: &[],
            only: &[],
        };
        let wrong = layering.violations(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            wrong.into_iter().collect::<Vec<_>>(),
            [("example/src/low/mod.rs".to_owned(), vec!["high".to_owned()])]
        );
    }
}
