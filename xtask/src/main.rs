//! The project's own automation, one place for what the README and CI run:
//!
//! - `cargo xtask setup` installs what the project needs (idempotent);
//! - `cargo xtask run` runs the product;
//! - `cargo xtask test` runs every check: formatting, lints, all tests;
//! - `cargo xtask bench` runs the benchmarks;
//! - `cargo xtask fuzz [SECONDS]` fuzzes the masking engine;
//! - `cargo xtask schema` regenerates `docs/protocol.schema.json` from the protocol's types.

mod setup;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

type Result<T = ()> = std::result::Result<T, String>;

const USAGE: &str = "usage: cargo xtask <setup | run | test | bench | fuzz [SECONDS] | schema>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["setup"] => setup::all(),
        ["run"] => run(),
        ["test"] => test(),
        ["bench"] => bench(),
        ["schema"] => schema(),
        ["fuzz"] => fuzz(DEFAULT_FUZZ_SECONDS),
        ["fuzz", seconds] => match seconds.parse() {
            Ok(seconds) => fuzz(seconds),
            Err(_) => Err(format!("fuzz takes a number of seconds, not {seconds:?}")),
        },
        _ => Err(USAGE.to_owned()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The product's main job. For now: the masking filter over a sample chat transcript.
fn run() -> Result {
    setup::all()?;
    let sample = root().join("crates/mask/samples/chat.txt");
    println!("Masking {}:\n", sample.display());
    let input = std::fs::File::open(&sample).map_err(|e| format!("{}: {e}", sample.display()))?;
    let status = cargo(&["run", "--quiet", "--package", "switchboard-mask", "--"])
        .stdin(input)
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    check("switchboard-mask", status)
}

/// Every check CI runs.
fn test() -> Result {
    setup::all()?;
    step(
        &mut cargo(&["fmt", "--all", "--check"]),
        "formatting (cargo fmt --all)",
    )?;
    step(
        &mut cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
        "clippy",
    )?;
    // The fuzz target lives outside the workspace; make sure it still builds.
    let fuzz_manifest = root().join("crates/mask/fuzz/Cargo.toml");
    step(
        cargo(&["check", "--quiet", "--manifest-path"]).arg(&fuzz_manifest),
        "the fuzz target",
    )?;
    step(&mut cargo(&["test", "--workspace", "--locked"]), "tests")
}

fn bench() -> Result {
    step(
        &mut cargo(&["bench", "--package", "switchboard-mask"]),
        "benchmarks",
    )
}

/// Writes the protocol's JSON Schema, generated from its types, where the docs publish it.
fn schema() -> Result {
    let mut command = cargo(&[
        "test",
        "--quiet",
        "--package",
        "switchboard-protocol",
        "--test",
        "schema",
    ]);
    command.env("SWITCHBOARD_WRITE_SCHEMA", "1");
    step(&mut command, "docs/protocol.schema.json")
}

const DEFAULT_FUZZ_SECONDS: u64 = 300;

/// Fuzzes `find` and `mask`. The fuzzing flags need a nightly compiler; `RUSTC_BOOTSTRAP` lets
/// the stable one accept them.
fn fuzz(seconds: u64) -> Result {
    setup::cargo_tool("cargo-fuzz")?;
    let mut command = cargo(&["fuzz", "run", "find_mask", "--"]);
    command
        .arg(format!("-max_total_time={seconds}"))
        .arg("-print_final_stats=1")
        .current_dir(root().join("crates/mask/fuzz"))
        .env("RUSTC_BOOTSTRAP", "1");
    step(&mut command, "fuzzing")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_owned()
}

fn cargo(args: &[&str]) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.args(args).current_dir(root());
    command
}

fn step(command: &mut Command, what: &str) -> Result {
    println!("xtask: {what}");
    let status = command.status().map_err(|e| format!("{what}: {e}"))?;
    check(what, status)
}

fn check(what: &str, status: std::process::ExitStatus) -> Result {
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}
