//! An event webhook endpoint that checks every request with the Standard Webhooks project's
//! own Python library (`event_receiver.py`, in the tests' virtual environment), and refuses some
//! so that the server retries.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::Value;

/// A secret in the form endpoints are given.
pub const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

pub struct EventReceiver {
    child: Child,
    pub url: String,
    /// Every request's line, in the order they came.
    lines: Arc<Mutex<Vec<Value>>>,
}

impl EventReceiver {
    /// Answers every `refuse_every`-th good request 503 (never with 0).
    pub fn start(refuse_every: u32) -> EventReceiver {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/src/event_receiver.py");
        let mut child = Command::new(crate::python())
            .args([script, SECRET, &refuse_every.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .expect("the tests' Python (cargo xtask setup)");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let port: Value = serde_json::from_str(&first).expect("the receiver's port");
        let url = format!("http://127.0.0.1:{}/events", port["port"]);
        let lines = Arc::new(Mutex::new(Vec::new()));
        let written = lines.clone();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let line = serde_json::from_str(&line).expect("the receiver writes JSON");
                written.lock().unwrap().push(line);
            }
        });
        EventReceiver { child, url, lines }
    }

    /// Every event accepted so far, the first delivery of each, in the order they came; and how
    /// many deliveries repeated one.
    pub fn events(&self) -> (Vec<Value>, usize) {
        let lines = self.lines.lock().unwrap();
        let mut seen = std::collections::HashSet::new();
        let mut first = Vec::new();
        let mut repeated = 0;
        for line in lines.iter() {
            if let Some(id) = line["accepted"].as_str() {
                if seen.insert(id.to_owned()) {
                    first.push(line["event"].clone());
                } else {
                    repeated += 1;
                }
            }
        }
        (first, repeated)
    }

    /// Why requests were refused: a signature or timestamp the library did not accept.
    pub fn refusals(&self) -> Vec<String> {
        let lines = self.lines.lock().unwrap();
        lines
            .iter()
            .filter_map(|line| line["refused"].as_str().map(String::from))
            .collect()
    }
}

impl Drop for EventReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
