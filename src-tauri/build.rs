//! Builds the window's front end (`ui/`, Svelte + Vite) into `ui/dist`, then generates the Tauri
//! context from `tauri.conf.json`. The file lives at the repository root; `src-tauri/tauri.conf.json`
//! is a link to it, so that tauri-build and the Tauri CLI (which bundles the `.deb`) both find it
//! next to this crate's manifest, and its paths are relative to this directory.

use std::path::Path;
use std::process::Command;

fn main() {
    // Read when the script runs: a build cache shared between clones reuses compiled scripts.
    let manifest_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest_dir).join("..");
    let ui = root.join("ui");
    for input in [
        "src",
        "public",
        "index.html",
        "vite.config.ts",
        "package-lock.json",
    ] {
        println!("cargo:rerun-if-changed={}", ui.join(input).display());
    }
    println!(
        "cargo:rerun-if-changed={}",
        root.join("tauri.conf.json").display()
    );
    if !ui.join("node_modules/vite").exists() {
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&ui),
            "installing the window's build tools (npm ci)",
        );
    }
    run(
        Command::new("node")
            .arg(ui.join("node_modules/vite/bin/vite.js"))
            .arg("build")
            .arg("--logLevel=warn")
            .current_dir(&ui),
        "building the window (vite build)",
    );
    tauri_build::try_build(tauri_build::Attributes::new())
        .expect("the Tauri configuration and capabilities are valid");
}

fn run(command: &mut Command, what: &str) {
    let status = command.status().unwrap_or_else(|error| {
        panic!("{what}: {error}; Node.js and npm are needed to build the desktop app (see the README's setup)")
    });
    assert!(status.success(), "{what} failed ({status})");
}
