//! A throwaway PostgreSQL for tests: one cluster per test process, started on first use in a
//! temporary directory on a free loopback port, and a fresh database for every caller.
//!
//! The cluster is watched by a shell that reads from a pipe the test process holds: when the
//! process ends, however it ends, the pipe closes and the shell stops the cluster and deletes its
//! directory. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user that
//! Debian's package creates.
//!
//! Tests here check logic, not what survives a power cut: their cluster runs with `fsync` off.
//! Measurements use a cluster of their own with PostgreSQL's durable defaults
//! ([`durable_database`]).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

/// Set to `postgres` to run the server tests against PostgreSQL instead of embedded SQLite.
pub const STORE_VARIABLE: &str = "SWITCHBOARD_TEST_STORE";

/// Whether this run's server tests store in PostgreSQL ([`STORE_VARIABLE`]).
pub fn selected() -> bool {
    std::env::var(STORE_VARIABLE).is_ok_and(|store| store == "postgres")
}

pub struct Cluster {
    port: u16,
    /// Where its data lives.
    data: PathBuf,
    /// Who runs it: the `postgres` user when the tests run as root.
    user: Option<&'static str>,
    /// Held until the process ends: its closing stops the cluster.
    _watch: Mutex<(Child, ChildStdin)>,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static DURABLE_CLUSTER: OnceLock<Cluster> = OnceLock::new();
static DATABASES: AtomicU32 = AtomicU32::new(0);

/// The newest PostgreSQL installed by Debian's packages.
fn binaries() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (cargo xtask setup)")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let version = path.file_name()?.to_str()?.parse().ok()?;
            Some((version, path.join("bin")))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("a PostgreSQL version under /usr/lib/postgresql")
        .1
}

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|me| me.uid() == 0)
}

const WATCH_SCRIPT: &str = r#"
set -e
bin="$1"; port="$2"; as="$3"; settings="$4"
dir=$(mktemp -d /tmp/switchboard-pg.XXXXXX)
run() { if [ -n "$as" ]; then runuser -u "$as" -- "$@"; else "$@"; fi; }
[ -n "$as" ] && chown "$as" "$dir"
run "$bin/initdb" -D "$dir/data" -A trust -U switchboard --no-sync >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
run "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -k $dir \
  -c listen_addresses=127.0.0.1 -c max_connections=300 $settings" start >/dev/null \
  || { cat "$dir/log" >&2; exit 1; }
echo "ready $dir/data"
read -r _ || true
run "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
rm -rf "$dir"
"#;

/// What tests that only check logic may skip: every commit waiting for the disk.
const FAST: &str = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off";

fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(|| Cluster::start(FAST))
}

impl Cluster {
    fn start(settings: &str) -> Cluster {
        let port = crate::free_port();
        let as_user = if running_as_root() { "postgres" } else { "" };
        let mut child = Command::new("bash")
            .args(["-c", WATCH_SCRIPT, "postgres-watch"])
            .arg(binaries())
            .arg(port.to_string())
            .arg(as_user)
            .arg(settings)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("bash runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let data = line
            .trim()
            .strip_prefix("ready ")
            .expect("the test PostgreSQL did not start");
        let stdin = child.stdin.take().unwrap();
        Cluster {
            port,
            data: PathBuf::from(data),
            user: (!as_user.is_empty()).then_some("postgres"),
            _watch: Mutex::new((child, stdin)),
        }
    }
}

impl Cluster {
    /// A cluster of the caller's own (fast settings, as the tests' shared one), for a test that
    /// restarts it; stopped when the process ends.
    pub fn own() -> Cluster {
        Cluster::start(FAST)
    }

    /// A new, empty database on this cluster: its URL.
    pub fn database(&self) -> String {
        create_database(self.port).0
    }

    /// Restarts PostgreSQL (a fast shutdown: connections are ended), returning once it accepts
    /// connections again.
    pub fn restart(&self) {
        self.pg_ctl(&["-m", "fast", "-w", "restart"]);
    }

    /// Stops PostgreSQL (a fast shutdown: connections are ended) until [`Cluster::start`].
    pub fn stop(&self) {
        self.pg_ctl(&["-m", "fast", "-w", "stop"]);
    }

    /// Starts PostgreSQL again as it ran before [`Cluster::stop`], returning once it accepts
    /// connections.
    pub fn start_again(&self) {
        // What it ran with: the server's path, then its options.
        let ran = std::fs::read_to_string(self.data.join("postmaster.opts")).unwrap();
        let (_, options) = ran.trim().split_once(' ').unwrap();
        let log = self.data.with_file_name("log");
        let log = log.to_str().unwrap();
        self.pg_ctl(&["-w", "-l", log, "-o", options, "start"]);
    }

    fn pg_ctl(&self, args: &[&str]) {
        let mut command = match self.user {
            Some(user) => {
                let mut command = Command::new("runuser");
                command
                    .args(["-u", user, "--"])
                    .arg(binaries().join("pg_ctl"));
                command
            }
            None => Command::new(binaries().join("pg_ctl")),
        };
        let status = command
            .arg("-D")
            .arg(&self.data)
            .args(args)
            .stdout(Stdio::null())
            .status()
            .expect("pg_ctl runs");
        assert!(status.success(), "pg_ctl {args:?}");
    }
}

/// A new, empty database on a cluster with PostgreSQL's durable defaults (each commit synced to
/// the disk), for measurements: its URL.
pub fn durable_database() -> String {
    let cluster = DURABLE_CLUSTER.get_or_init(|| Cluster::start(""));
    create_database(cluster.port).0
}

fn create_database(port: u16) -> (String, String) {
    let name = format!(
        "test_{}_{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::Relaxed)
    );
    psql(port, "postgres", &format!("CREATE DATABASE {name}"));
    (
        format!("postgres://switchboard@127.0.0.1:{port}/{name}"),
        name,
    )
}

/// Runs `sql` in `database` of the test cluster; returns what it printed (unaligned, tuples only).
pub fn execute(database: &str, sql: &str) -> String {
    psql(port(), database, sql)
}

fn psql(port: u16, database: &str, sql: &str) -> String {
    let output = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "switchboard",
            "-XAtq",
            "-v",
            "ON_ERROR_STOP=1",
        ])
        .args(["-p", &port.to_string(), "-d", database, "-c", sql])
        .output()
        .expect("psql runs");
    assert!(
        output.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Everything `database` holds, as `pg_dump` writes it.
pub fn dump(database: &str) -> String {
    let output = Command::new("pg_dump")
        .args(["-h", "127.0.0.1", "-U", "switchboard", "--data-only"])
        .args(["-p", &port().to_string(), database])
        .output()
        .expect("pg_dump runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The port the test cluster listens on (on 127.0.0.1), started if it is not yet.
pub fn port() -> u16 {
    cluster().port
}

/// A new, empty database on the test cluster: its URL and its name.
pub fn database() -> (String, String) {
    create_database(port())
}

/// `config` (a server's TOML) storing in a new database of the test cluster: its `[store]`
/// section gains the URL, or one is added. Returns the configuration and the database's name.
pub fn configure(config: &str) -> (String, String) {
    let (url, name) = database();
    let line = format!("url = \"{url}\"");
    let configured = match config.find("\n[store]\n") {
        Some(at) => {
            let after = at + "\n[store]\n".len();
            format!("{}{line}\n{}", &config[..after], &config[after..])
        }
        None => format!("{config}\n[store]\n{line}\n"),
    };
    (configured, name)
}
