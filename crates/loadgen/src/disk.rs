//! The disk's own floor under durability "power": how long this machine's disk takes to make a
//! small append durable (`fdatasync`), measured alone, before the server runs. A step the server
//! syncs cannot reach its clients sooner, so the server's tail is read against this one.

use std::io::Write;
use std::time::{Duration, Instant};

/// About the size of a journal record at the documented load.
pub(crate) const RECORD_BYTES: usize = 3_000;

/// Sync latencies in microseconds, sorted: one append and `fdatasync` every millisecond for
/// `length`, in a new file of the directory where the server's data will be.
pub(crate) fn sync_latencies(directory: &std::path::Path, length: Duration) -> Vec<u64> {
    let path = directory.join("sync-probe");
    let mut file = std::fs::File::create(&path).expect("a file beside the server's data");
    let record = vec![b'x'; RECORD_BYTES];
    let mut latencies = Vec::new();
    let end = Instant::now() + length;
    while Instant::now() < end {
        file.write_all(&record).expect("an append");
        let started = Instant::now();
        file.sync_data().expect("a sync");
        latencies.push(started.elapsed().as_micros() as u64);
        std::thread::sleep(Duration::from_millis(1));
    }
    drop(file);
    let _ = std::fs::remove_file(path);
    latencies.sort_unstable();
    latencies
}
