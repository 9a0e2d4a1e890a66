//! Installs what the project needs, idempotently: toolchain components, Debian packages, npm
//! packages, cargo tools, a Python virtual environment. Each check is cheap when everything is
//! there already. `cargo xtask setup --check` only lists what is there and what is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::Result;

/// Debian packages the build and the tests need beyond the Rust toolchain, Node.js and npm:
/// WebKitGTK and friends build the desktop app; Chromium runs the browser tests of the chat
/// widget and the window; Xvfb, a D-Bus session, dunst (a notification daemon), the GNOME
/// keyring and WebKitWebDriver run the real app headless in its end-to-end test; x11-utils
/// (xwininfo) sees its window appear in the benchmark; the server's tests start throwaway
/// PostgreSQL clusters, and put nginx in front of several nodes.
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
    "postgresql",
    "nginx",
];

/// The programs the tests start, each with the package above that brings it: checked on the
/// PATH as well, so that a package recorded as installed but without its program is seen.
const PROGRAMS: &[(&str, &str)] = &[
    ("cc", "build-essential"),
    ("pkg-config", "pkg-config"),
    ("chromium", "chromium"),
    ("Xvfb", "xvfb"),
    ("xauth", "xauth"),
    ("dbus-daemon", "dbus"),
    ("dbus-launch", "dbus-x11"),
    ("dunst", "dunst"),
    ("gnome-keyring-daemon", "gnome-keyring"),
    ("WebKitWebDriver", "webkit2gtk-driver"),
    ("xwininfo", "x11-utils"),
    ("convert", "imagemagick"),
    ("psql", "postgresql"),
    ("pg_dump", "postgresql"),
    ("nginx", "nginx"),
];

/// Folders with a `package-lock.json` whose npm packages the build and tests need.
const NPM_PROJECTS: &[&str] = &["widget", "ui"];

/// Toolchain components the checks use.
const RUSTUP_COMPONENTS: &[&str] = &["rustfmt", "clippy"];

/// Installs whatever is missing, then checks that nothing still is.
pub(crate) fn all() -> Result {
    rustup_components()?;
    debian_packages(DEBIAN_PACKAGES)?;
    NPM_PROJECTS
        .iter()
        .try_for_each(|project| npm_packages(&crate::root().join(project)))?;
    tauri_driver()?;
    python_packages()?;
    let missing: Vec<String> = requirements()
        .into_iter()
        .filter(|requirement| !requirement.present)
        .map(|requirement| requirement.what)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("still missing after setup: {}", missing.join(", ")))
    }
}

/// Lists everything the project needs and whether it is there; fails if anything is missing.
/// Installs nothing: it shows what a machine lacks before `cargo xtask setup` runs on it.
pub(crate) fn check() -> Result {
    let requirements = requirements();
    for requirement in &requirements {
        let mark = if requirement.present { "ok" } else { "MISSING" };
        println!("{mark:>7}  {}", requirement.what);
    }
    let missing = requirements.iter().filter(|r| !r.present).count();
    if missing == 0 {
        println!("setup: all {} requirements are present", requirements.len());
        Ok(())
    } else {
        Err(format!(
            "{missing} of {} requirements are missing (cargo xtask setup installs them)",
            requirements.len()
        ))
    }
}

/// One thing the project needs, as `check` reports it.
struct Requirement {
    what: String,
    present: bool,
}

fn requirements() -> Vec<Requirement> {
    let mut requirements = Vec::new();
    let mut add = |what: String, present: bool| requirements.push(Requirement { what, present });
    let components = missing_components();
    for component in RUSTUP_COMPONENTS {
        let present = !components.contains(component);
        add(format!("rustup component {component}"), present);
    }
    for package in DEBIAN_PACKAGES {
        add(format!("Debian package {package}"), is_installed(package));
    }
    for (program, package) in PROGRAMS {
        add(
            format!("program {program} (from {package})"),
            on_path(program),
        );
    }
    for project in NPM_PROJECTS {
        let present = npm_packages_current(&crate::root().join(project));
        add(format!("npm packages of {project}/ (npm ci)"), present);
    }
    add(
        format!("tauri-driver at {}", tauri_driver_path().display()),
        tauri_driver_path().exists(),
    );
    let python_packages = missing_python_packages();
    for package in PYTHON_PACKAGES {
        let present = !python_packages.contains(package);
        add(
            format!("Python package {package} in {}", venv().display()),
            present,
        );
    }
    requirements
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// Where tools the tests need are installed: outside the clone, kept between runs.
pub(crate) fn tools_dir() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| ".".into(), PathBuf::from);
    home.join(".cache/switchboard")
}

/// tauri-driver (crates.io) drives the real app over WebDriver in the end-to-end test.
pub(crate) fn tauri_driver_path() -> PathBuf {
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

fn venv() -> PathBuf {
    tools_dir().join("venv")
}

/// The Python the end-to-end and SMS tests run on: a virtual environment with packages from PyPI.
pub(crate) fn python() -> PathBuf {
    venv().join("bin/python")
}

/// Selenium drives the app over WebDriver; pyflakes checks the Python test scripts; the SMS
/// provider's official library signs the webhook calls of the SMS tests; the Prometheus project's
/// client parses what the server exports for it; the Standard Webhooks library checks the
/// event webhooks' signatures; an OpenAPI validator and Schemathesis check the admin API's
/// document and the server against it.
const PYTHON_PACKAGES: &[&str] = &[
    "selenium==4.51.0",
    "pyflakes==4.1.0",
    "twilio==9.13.0",
    "prometheus_client==0.26.0",
    "standardwebhooks==1.3.0",
    "openapi-spec-validator==0.9.0",
    "schemathesis==4.32.5",
];

/// The pinned Python packages the virtual environment lacks (all of them without one).
fn missing_python_packages() -> Vec<&'static str> {
    let installed = output(&python().to_string_lossy(), &["-m", "pip", "freeze"]);
    PYTHON_PACKAGES
        .iter()
        .copied()
        .filter(|package| {
            !installed
                .as_ref()
                .is_some_and(|installed| installed.lines().any(|line| line == *package))
        })
        .collect()
}

fn python_packages() -> Result {
    if !python().exists() {
        run("python3", &["-m", "venv", &venv().to_string_lossy()])?;
    }
    if missing_python_packages().is_empty() {
        return Ok(());
    }
    println!("xtask: installing {}", PYTHON_PACKAGES.join(" "));
    run(
        &python().to_string_lossy(),
        &[&["-m", "pip", "install", "--quiet"], PYTHON_PACKAGES].concat(),
    )
}

/// Whether `npm ci` in `project` installed what its lock file lists (and nothing older).
fn npm_packages_current(project: &Path) -> bool {
    let modified = |path: PathBuf| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let lock = modified(project.join("package-lock.json"));
    let installed = modified(project.join("node_modules/.package-lock.json"));
    installed.is_some() && installed >= lock
}

/// `npm ci` in `project`, unless what it installed is newer than the lock file.
fn npm_packages(project: &Path) -> Result {
    if npm_packages_current(project) {
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

/// The toolchain components rustup has not installed; none for a toolchain not managed by
/// rustup, which brings its own.
fn missing_components() -> Vec<&'static str> {
    let Some(installed) = output("rustup", &["component", "list", "--installed"]) else {
        return Vec::new();
    };
    RUSTUP_COMPONENTS
        .iter()
        .copied()
        .filter(|component| !installed.lines().any(|line| line.starts_with(component)))
        .collect()
}

fn rustup_components() -> Result {
    let missing = missing_components();
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
        .filter(|package| !is_installed(package))
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

/// Whether dpkg has `package` installed and configured.
fn is_installed(package: &str) -> bool {
    output("dpkg-query", &["-W", "-f=${Status}", package])
        .is_some_and(|status| dpkg_status_is_installed(&status))
}

/// dpkg's status is "want flag state": a package in place is `install ok installed` (or held
/// there, `hold ok installed`). A package dpkg merely knows of is `unknown ok not-installed`, a
/// removed one `deinstall ok config-files`, a broken one `install reinstreq half-installed`.
fn dpkg_status_is_installed(status: &str) -> bool {
    matches!(
        status.split_whitespace().collect::<Vec<_>>().as_slice(),
        ["install" | "hold", "ok", "installed"]
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_installed_and_configured_package_counts_as_installed() {
        assert!(dpkg_status_is_installed("install ok installed"));
        assert!(dpkg_status_is_installed("hold ok installed"));
        for status in [
            "unknown ok not-installed",
            "deinstall ok config-files",
            "install ok half-configured",
            "install reinstreq half-installed",
            "hold ok not-installed",
            "install ok not-installed",
            "",
        ] {
            assert!(!dpkg_status_is_installed(status), "{status}");
        }
    }
}
