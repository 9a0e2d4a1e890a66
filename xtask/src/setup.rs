//! Installs what the project needs, idempotently: toolchain components, Debian packages, cargo
//! tools. Each check is cheap when everything is there already.

use std::process::{Command, Stdio};

use crate::Result;

/// Debian packages the build and the tests need beyond the Rust toolchain, Node.js and npm:
/// WebKitGTK and friends build the desktop app; Chromium runs the browser tests of the chat
/// widget and the window; Xvfb, a D-Bus session, dunst (a notification daemon), the GNOME
/// keyring and WebKitWebDriver run the real app headless in its end-to-end test; x11-utils
/// (xwininfo) sees its window appear in the benchmark.
const DEBIAN_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libsoup-3.0-dev",
    "libxdo-dev",
    "libgtk-3-dev",
    "libdbus-1-dev",
    "chromium",
    "xvfb",
    "xauth",
    "dbus",
    "dbus-x11",
    "dunst",
    "gnome-keyring",
    "webkit2gtk-driver",
    "x11-utils",
    "imagemagick",
    "python3-venv",
];

/// Folders with a `package-lock.json` whose npm packages the build and tests need.
const NPM_PROJECTS: &[&str] = &["widget", "ui"];

/// Toolchain components the checks use.
const RUSTUP_COMPONENTS: &[&str] = &["rustfmt", "clippy"];

pub(crate) fn all() -> Result {
    rustup_components()?;
    debian_packages(DEBIAN_PACKAGES)?;
    NPM_PROJECTS
        .iter()
        .try_for_each(|project| npm_packages(&crate::root().join(project)))?;
    tauri_driver()?;
    python_packages()
}

/// Where tools the tests need are installed: outside the clone, kept between runs.
pub(crate) fn tools_dir() -> std::path::PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| ".".into(), std::path::PathBuf::from);
    home.join(".cache/switchboard")
}

/// tauri-driver (crates.io) drives the real app over WebDriver in the end-to-end test.
pub(crate) fn tauri_driver_path() -> std::path::PathBuf {
    tools_dir().join("tools/bin/tauri-driver")
}

fn tauri_driver() -> Result {
    if tauri_driver_path().exists() {
        return Ok(());
    }
    let root = tools_dir().join("tools");
    run(
        "cargo",
        &[
            "install",
            "--locked",
            "--quiet",
            "tauri-driver",
            "--version",
            "2.1.0",
            "--root",
            &root.to_string_lossy(),
        ],
    )
}

/// The Python the end-to-end and SMS tests run on: a virtual environment with packages from PyPI.
pub(crate) fn python() -> std::path::PathBuf {
    tools_dir().join("venv/bin/python")
}

/// Selenium drives the app over WebDriver; pyflakes checks the Python test scripts; the SMS
/// provider's official library signs the webhook calls of the SMS tests.
const PYTHON_PACKAGES: &[&str] = &["selenium==4.51.0", "pyflakes==4.1.0", "twilio==9.13.0"];

fn python_packages() -> Result {
    let venv = tools_dir().join("venv");
    if !python().exists() {
        run("python3", &["-m", "venv", &venv.to_string_lossy()])?;
    }
    let python = python().to_string_lossy().into_owned();
    let wanted = PYTHON_PACKAGES.join(" ");
    if output(&python, &["-m", "pip", "freeze"]).is_some_and(|installed| {
        PYTHON_PACKAGES
            .iter()
            .all(|package| installed.lines().any(|line| line == *package))
    }) {
        return Ok(());
    }
    println!("xtask: installing {wanted}");
    run(
        &python,
        &[&["-m", "pip", "install", "--quiet"], PYTHON_PACKAGES].concat(),
    )
}

/// `npm ci` in `project`, unless what it installed is newer than the lock file.
fn npm_packages(project: &std::path::Path) -> Result {
    let modified =
        |path: std::path::PathBuf| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let lock = modified(project.join("package-lock.json"));
    let installed = modified(project.join("node_modules/.package-lock.json"));
    if installed.is_some() && installed >= lock {
        return Ok(());
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(project)
        .status()
        .map_err(|e| format!("npm: {e} (Node.js and npm are needed)"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("npm ci in {} failed ({status})", project.display()))
    }
}

fn rustup_components() -> Result {
    let Some(installed) = output("rustup", &["component", "list", "--installed"]) else {
        // A toolchain not managed by rustup brings its own components.
        return Ok(());
    };
    let missing: Vec<&str> = RUSTUP_COMPONENTS
        .iter()
        .copied()
        .filter(|component| !installed.lines().any(|line| line.starts_with(component)))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    run(
        "rustup",
        &[&["component", "add"], missing.as_slice()].concat(),
    )
}

fn debian_packages(packages: &[&str]) -> Result {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|package| {
            let status = output("dpkg-query", &["-W", "-f=${Status}", package]);
            status.is_none_or(|status| !status.ends_with("installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let sudo: &[&str] = if output("id", &["-u"]).as_deref() == Some("0") {
        &[]
    } else {
        &["sudo"]
    };
    let apt = |args: &[&str]| {
        let command = [
            sudo,
            &["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"],
            args,
        ]
        .concat();
        run(command[0], &command[1..])
    };
    apt(&["update", "-qq"])?;
    apt(&[
        &["install", "-y", "-qq", "--no-install-recommends"],
        missing.as_slice(),
    ]
    .concat())
}

/// Installs a cargo subcommand from crates.io unless it is already on the PATH.
pub(crate) fn cargo_tool(name: &str) -> Result {
    if output(name, &["--version"]).is_some() {
        return Ok(());
    }
    run("cargo", &["install", "--locked", name])
}

/// The trimmed standard output of a command that succeeded.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program)
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn run(program: &str, args: &[&str]) -> Result {
    println!("xtask: {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .status()
        .map_err(|e| format!("{program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{program} {} failed ({status})", args.join(" ")))
    }
}
