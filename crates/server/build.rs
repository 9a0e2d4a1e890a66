//! Builds the chat widget (TypeScript, in `/widget`) into `OUT_DIR`, so that the server binary
//! embeds it and serves `/widget.js` with nothing else installed beside it; and rebuilds the
//! server when a migration is added, so that it is embedded.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    // Read when the script runs, not when it was compiled: a build cache shared between clones
    // reuses the compiled script from another directory.
    let manifest_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    // The migrations are embedded by `sqlx::migrate!`, which cannot tell cargo to watch them: a
    // migration added without another change would otherwise not be built in.
    for migrations in ["migrations", "migrations-postgres"] {
        println!(
            "cargo:rerun-if-changed={}",
            Path::new(&manifest_dir).join(migrations).display()
        );
    }
    let widget = Path::new(&manifest_dir).join("../../widget");
    for input in ["src", "tsconfig.json", "package-lock.json"] {
        println!("cargo:rerun-if-changed={}", widget.join(input).display());
    }
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("widget.js");
    if !widget.join("node_modules/typescript").exists() {
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&widget),
            "installing the widget's build tools (npm ci)",
        );
    }
    run(
        Command::new("node")
            .arg(widget.join("node_modules/typescript/bin/tsc"))
            .arg("-p")
            .arg(widget.join("tsconfig.json"))
            .arg("--outFile")
            .arg(&out),
        "compiling the chat widget",
    );
}

fn run(command: &mut Command, what: &str) {
    let status = command.status().unwrap_or_else(|error| {
        panic!("{what}: {error}; Node.js and npm are needed to build the server (see the README's setup)")
    });
    assert!(status.success(), "{what} failed ({status})");
}
