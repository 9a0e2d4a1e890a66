//! The project's own automation, one place for what the README and CI run:
//!
//! - `cargo xtask setup` installs what the project needs (idempotent); `--check` only lists what
//!   is there and what is missing;
//! - `cargo xtask run` runs the product (the server with the demo configuration);
//! - `cargo xtask test` runs every check: formatting, lints, all tests;
//! - `cargo xtask bench [server | desktop]` runs the benchmarks (or only the server's load figures
//!   beside the bare relay, or only the desktop app's);
//! - `cargo xtask package` builds the desktop app's `.deb` with the Tauri bundler;
//! - `cargo xtask fuzz [SECONDS]` fuzzes the masking engine;
//! - `cargo xtask layers` checks that modules only use the layers below them;
//! - `cargo xtask schema` regenerates what comes from the Rust types: `docs/protocol.schema.json`
//!   and the TypeScript of the window (`ui/src/lib/contract.ts`) and the widget
//!   (`widget/src/contract.ts`); the admin API's OpenAPI document (`docs/openapi.json`).

mod layers;
mod setup;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

type Result<T = ()> = std::result::Result<T, String>;

const USAGE: &str = "usage: cargo xtask <setup [--check] | run | test | bench [server | desktop] | package | fuzz [SECONDS] | schema | layers>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["setup"] => setup::all(),
        ["setup", "--check"] => setup::check(),
        ["run"] => run(),
        ["test"] => test(),
        ["bench"] => bench(),
        ["bench", "server"] => bench_server(),
        ["bench", "desktop"] => setup::all().and_then(|()| bench_desktop()),
        ["package"] => {
            setup::all().and_then(|()| package().map(|deb| println!("{}", deb.display())))
        }
        ["schema"] => schema(),
        ["layers"] => layers::check(),
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

/// The product: the server on embedded SQLite with the demo configuration (demo agents, a demo
/// shop page with the chat widget), and the desktop app signed in as a demo agent with the demo
/// page open for the customer side; without a display, the server alone. Until Ctrl-C.
fn run() -> Result {
    setup::all()?;
    let config = root().join("crates/server/examples/demo.toml");
    step(
        &mut cargo(&[
            "build",
            "--quiet",
            "--package",
            "switchboard-server",
            "--package",
            "switchboard-desktop",
        ]),
        "building the server and the desktop app",
    )?;
    let binaries = target_dir().join("debug");
    let mut server = Command::new(binaries.join("switchboard-server"))
        .args(["serve", "--config"])
        .arg(&config)
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("switchboard-server: {e}"))?;
    // On a fresh data directory the server creates the demo agents first: the app signs in
    // once the server says it is ready.
    let output = server.stdout.take().expect("piped");
    if !wait_until_listening(output) {
        let status = server
            .wait()
            .map_err(|e| format!("switchboard-server: {e}"))?;
        return Err(format!(
            "switchboard-server stopped before it was ready ({status})"
        ));
    }
    let has_display =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    println!(
        "Switchboard server with {}.\n\
         \x20 Customer side: http://127.0.0.1:8080/demo (use the chat button).\n\
         \x20 Agents (demo only): ann@example.com, bo@example.com, claire@example.com, \
         password switchboard-demo.\n\
         \x20 Stop with Ctrl-C.\n",
        config.display()
    );
    if has_display {
        println!("Starting the desktop app signed in as ann@example.com.");
        let desktop = Command::new(binaries.join("switchboard-desktop"))
            .args([
                "--server",
                "http://127.0.0.1:8080",
                "--email",
                "ann@example.com",
            ])
            .env("SWITCHBOARD_PASSWORD", "switchboard-demo")
            .spawn();
        if let Err(error) = desktop {
            println!("The desktop app did not start ({error}); the server keeps running.");
        }
        // The customer's side, in the default browser if there is one.
        let _ = Command::new("xdg-open")
            .arg("http://127.0.0.1:8080/demo")
            .stderr(std::process::Stdio::null())
            .spawn();
    } else {
        println!(
            "No display (DISPLAY and WAYLAND_DISPLAY are unset): the desktop app cannot open a \
             window here. The server keeps running; run the app on a desktop with \
             `switchboard-desktop --server http://<this host>:8080 --email ann@example.com`."
        );
    }
    let status = server
        .wait()
        .map_err(|e| format!("switchboard-server: {e}"))?;
    check("switchboard-server", status)
}

/// Echoes the server's output until its ready line (true) or its end (false); the rest is
/// echoed in the background.
fn wait_until_listening(output: impl std::io::Read + Send + 'static) -> bool {
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(output).lines();
    for line in lines.by_ref() {
        let Ok(line) = line else { return false };
        println!("{line}");
        if line.starts_with("listening on ") {
            std::thread::spawn(move || {
                lines
                    .map_while(|line| line.ok())
                    .for_each(|line| println!("{line}"))
            });
            return true;
        }
    }
    false
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
    println!("xtask: layers (modules only use the layers below them)");
    layers::check()?;
    step(
        Command::new(setup::python())
            .args(["-m", "pyflakes"])
            .arg(root().join("tests"))
            .arg(root().join("crates/testkit/src")),
        "checking the Python test scripts (pyflakes)",
    )?;
    // The fuzz target lives outside the workspace; make sure it still builds.
    let fuzz_manifest = root().join("crates/mask/fuzz/Cargo.toml");
    step(
        cargo(&["check", "--quiet", "--manifest-path"]).arg(&fuzz_manifest),
        "the fuzz target",
    )?;
    step(
        cargo(&["test", "--workspace", "--locked"]).env("SWITCHBOARD_PYTHON", setup::python()),
        "tests",
    )?;
    // The server's tests again, storing in PostgreSQL (each test binary starts its own cluster).
    step(
        cargo(&[
            "test",
            "--locked",
            "--package",
            "switchboard-server",
            "--test",
            "*",
        ])
        .env("SWITCHBOARD_PYTHON", setup::python())
        .env("SWITCHBOARD_TEST_STORE", "postgres"),
        "the server's tests on PostgreSQL",
    )?;
    // The desktop window: type-checked and its logic unit-tested.
    let ui = root().join("ui");
    step(
        npm(&["run", "--silent", "check"]).current_dir(&ui),
        "type-checking the desktop window (svelte-check)",
    )?;
    step(
        npm(&["test"]).current_dir(&ui),
        "the desktop window's unit tests (vitest)",
    )?;
    // The built window in Chromium, its shell scripted: every screen and dialog, and customer
    // text that tries to be markup.
    step(
        npm(&["run", "--silent", "build"]).current_dir(&ui),
        "building the desktop window (vite)",
    )?;
    step(
        npm(&["run", "test:browser"])
            .current_dir(&ui)
            .env("CARGO_TARGET_DIR", target_dir()),
        "the desktop window in a browser",
    )?;
    // The chat widget: type-checked, then driven in Chromium against the server just built.
    let widget = root().join("widget");
    step(
        npm(&["run", "--silent", "check"]).current_dir(&widget),
        "type-checking the widget",
    )?;
    let server = target_dir().join("debug").join("switchboard-server");
    step(
        npm(&["test"])
            .current_dir(&widget)
            .env("SWITCHBOARD_SERVER", &server)
            .env("CARGO_TARGET_DIR", target_dir()),
        "the widget in a browser",
    )?;
    // The real desktop app under Xvfb with a notification daemon, a keyring and WebDriver.
    step(
        &mut cargo(&[
            "build",
            "--quiet",
            "--locked",
            "--package",
            "switchboard-desktop",
        ]),
        "building the desktop app",
    )?;
    step(
        Command::new(setup::python())
            .arg(root().join("tests/desktop/e2e.py"))
            .env("SWITCHBOARD_SERVER", &server)
            .env(
                "SWITCHBOARD_DESKTOP",
                target_dir().join("debug").join("switchboard-desktop"),
            )
            .env("TAURI_DRIVER", setup::tauri_driver_path()),
        "the desktop app end to end",
    )?;
    let deb = package()?;
    step(
        Command::new(setup::python())
            .arg(root().join("tests/desktop/package.py"))
            .arg(&deb),
        "the desktop app's package",
    )
}

fn npm(args: &[&str]) -> Command {
    let mut command = Command::new("npm");
    command.args(args);
    command
}

/// Where cargo builds: `CARGO_TARGET_DIR`, or `target/` in the workspace.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

fn bench() -> Result {
    setup::all()?;
    step(
        &mut cargo(&[
            "bench",
            "--package",
            "switchboard-mask",
            "--package",
            "switchboard-desk",
        ]),
        "benchmarks",
    )?;
    bench_server()?;
    bench_desktop()
}

/// Builds `packages` in release mode; returns where their binaries are.
fn build_release(packages: &[&str], what: &str) -> Result<PathBuf> {
    let mut command = cargo(&["build", "--release", "--locked"]);
    for package in packages {
        command.args(["--package", package]);
    }
    step(&mut command, what)?;
    Ok(target_dir().join("release"))
}

/// The server under the documented load (500 agents, 2,000 conversations, 1.5 messages/s each),
/// beside the bare relay driven by the same clients in the same run; then the same load with a
/// supervisor watching the live view while agents change their presence, and with every event
/// delivered to an event webhook.
fn bench_server() -> Result {
    let release = build_release(
        &["switchboard-server", "switchboard-loadgen"],
        "building the server and the load generator (release)",
    )?;
    let load = |relay: &str| {
        let mut command = Command::new(release.join("switchboard-loadgen"));
        command
            .arg("--server")
            .arg(release.join("switchboard-server"))
            .arg("--relay")
            .arg(relay)
            .args([
                "--agents",
                "500",
                "--conversations",
                "2000",
                "--rate",
                "1.5",
            ]);
        command
    };
    let relay = release.join("switchboard-relay");
    step(
        &mut load(&relay.to_string_lossy()),
        "the server's load figures, beside the bare relay",
    )?;
    step(
        load("none").arg("--supervisor"),
        "the same load with a supervisor watching the live view",
    )?;
    step(
        load("none").arg("--event-webhooks"),
        "the same load with every event delivered to an event webhook",
    )
}

/// The desktop app's release build (the one in the `.deb`) under Xvfb: launch, memory, and
/// offer → OS notification.
fn bench_desktop() -> Result {
    package()?;
    let release = build_release(&["switchboard-server"], "building the server (release)")?;
    step(
        Command::new(setup::python())
            .arg(root().join("tests/desktop/bench.py"))
            .env("SWITCHBOARD_SERVER", release.join("switchboard-server"))
            .env("SWITCHBOARD_DESKTOP", release.join("switchboard-desktop")),
        "the desktop app's figures",
    )
}

/// Builds the desktop app in release mode and bundles it as a `.deb` with the Tauri CLI (run
/// next to the crate, where `tauri.conf.json` is linked); returns the package's path.
fn package() -> Result<PathBuf> {
    step(
        // The CLI ships per-platform binaries as optional packages, which a shared lock file
        // cannot list for every platform: it is fetched at its pinned version instead.
        npm(&[
            "exec",
            "--yes",
            "--package=@tauri-apps/cli@2.12.5",
            "--",
            "tauri",
        ])
        .args(["build", "--bundles", "deb", "--ci"])
        .current_dir(root().join("src-tauri"))
        .env("CARGO_TARGET_DIR", target_dir()),
        "packaging the desktop app (.deb)",
    )?;
    let bundles = target_dir().join("release/bundle/deb");
    let newest = std::fs::read_dir(&bundles)
        .map_err(|e| format!("{}: {e}", bundles.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "deb"))
        .max_by_key(|path| path.metadata().and_then(|m| m.modified()).ok());
    newest.ok_or_else(|| format!("no .deb in {}", bundles.display()))
}

/// Writes what is generated from the Rust types: the protocol's JSON Schema where the docs
/// publish it, and the TypeScript types of the window and the widget.
fn schema() -> Result {
    let mut command = cargo(&[
        "test",
        "--quiet",
        "--package",
        "switchboard-protocol",
        "--package",
        "switchboard-desk",
        "--test",
        "schema",
        "--test",
        "typescript",
        "--test",
        "contract",
    ]);
    command
        .env("SWITCHBOARD_WRITE_SCHEMA", "1")
        .env("SWITCHBOARD_WRITE_CONTRACT", "1");
    step(
        &mut command,
        "docs/protocol.schema.json, ui/src/lib/contract.ts, widget/src/contract.ts",
    )?;
    step(
        cargo(&[
            "test",
            "--quiet",
            "--package",
            "switchboard-server",
            "--lib",
            "openapi",
        ])
        .env("SWITCHBOARD_WRITE_OPENAPI", "1"),
        "docs/openapi.json",
    )
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

pub(crate) fn root() -> PathBuf {
    // Read at run time (`cargo run` sets it): a build cache shared between clones would otherwise
    // point this binary at the clone that compiled it.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo");
    Path::new(&manifest_dir)
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
