//! A 10 MB upload through the widget's path, against the release server on loopback: how long
//! it takes to be received, checked and stored, and how much the server's memory grows while it
//! does — for the database and for `[attachments] dir`. Uploads are streamed (a temporary file
//! while they are checked, 256 KB chunks into the store), so memory should grow by far less than
//! the file. Prints figures; asserts nothing. `cargo bench -p switchboard-server --bench upload`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use switchboard_protocol::customer::{CustomerCommand, CustomerOutcome};
use switchboard_testkit::Customer;

const SIZE: usize = 10 * 1024 * 1024;
const RUNS: usize = 10;

/// A memory figure of process `pid`, in KiB: `VmRSS:` (resident now), `VmHWM:` (its peak).
fn memory(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap()
}

fn start(config: &str) -> (Child, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard-server"))
        .arg("serve")
        .arg("--config")
        .arg(dir.path().join("config.toml"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim()
        .trim_start_matches("listening on http://")
        .to_owned();
    (child, address, dir)
}

async fn run(what: &str, config: &str) {
    let (mut server, address, _dir) = start(config);
    // A picture's signature, then noise: taken as image/png.
    let mut file = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    file.extend((file.len()..SIZE).map(|i| ((i * 2_654_435_761) >> 13) as u8));
    let client = reqwest::Client::new();
    let mut customer = Customer::start(&address, "Zoë", "A picture of the damage").await;
    let pid = server.id();
    let rss_before = memory(pid, "VmRSS:");
    let mut times = Vec::new();
    let mut peak_growth = 0;
    for _ in 0..RUNS {
        let CustomerOutcome::Link { link } = customer
            .command(CustomerCommand::Upload {
                name: "damage.png".into(),
            })
            .await
        else {
            panic!("an upload link")
        };
        // Sampled while the upload runs: the peak of resident memory above what it was before.
        let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let sampler = {
            let sampling = sampling.clone();
            std::thread::spawn(move || {
                let mut peak = 0;
                while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                    peak = peak.max(memory(pid, "VmRSS:"));
                    std::thread::sleep(Duration::from_millis(2));
                }
                peak
            })
        };
        let started = Instant::now();
        let response = client
            .post(format!("http://{address}{}", link.url))
            .body(file.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        times.push(started.elapsed());
        sampling.store(false, std::sync::atomic::Ordering::Relaxed);
        let peak = sampler.join().unwrap();
        peak_growth = peak_growth.max(peak.saturating_sub(rss_before));
    }
    times.sort();
    let (rss_after, hwm) = (memory(pid, "VmRSS:"), memory(pid, "VmHWM:"));
    println!(
        "{what}: a 10 MB upload, {RUNS} runs: p50 {:.1} ms, slowest {:.1} ms; server memory {:.1} MiB before, at most {:.1} MiB more during an upload, {:.1} MiB after (peak {:.1} MiB)",
        times[RUNS / 2].as_secs_f64() * 1000.0,
        times[RUNS - 1].as_secs_f64() * 1000.0,
        rss_before as f64 / 1024.0,
        peak_growth as f64 / 1024.0,
        rss_after as f64 / 1024.0,
        hwm as f64 / 1024.0,
    );
    server.kill().unwrap();
}

#[tokio::main]
async fn main() {
    let config = switchboard_testkit::config(30, 60);
    run("in the database (embedded)", &config).await;
    run(
        "in [attachments] dir",
        &format!("{config}\n[attachments]\ndir = \"attachments\"\n"),
    )
    .await;
}
