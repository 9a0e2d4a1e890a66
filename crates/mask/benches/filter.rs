//! The command-line filter as a whole process against the library in the same run, over a file
//! of chat text of at least 20 MB (the corpus's messages, one per line, repeated): how much of
//! the filter's time is reading, UTF-8 handling and writing rather than the scan itself.
//! `cargo bench -p switchboard-mask --bench filter`.

#[path = "../support/corpus.rs"]
mod corpus;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use switchboard_mask::{Kind, KindSet, Masker};

const AT_LEAST_BYTES: usize = 20_000_000;
const RUNS: usize = 7;

fn median(mut seconds: Vec<f64>) -> f64 {
    seconds.sort_by(f64::total_cmp);
    seconds[seconds.len() / 2]
}

/// The library masking `text` line by line, as the filter does: seconds per pass.
fn library(masker: &Masker, text: &str) -> f64 {
    median(
        (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                let mut written = 0;
                for line in text.split_inclusive('\n') {
                    written += masker.mask(line).len();
                }
                std::hint::black_box(written);
                started.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

/// The filter binary reading `file` and writing to /dev/null: seconds per run, start-up included.
fn filter(file: &std::path::Path, args: &[&str]) -> f64 {
    median(
        (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                let status = Command::new(env!("CARGO_BIN_EXE_switchboard-mask"))
                    .args(args)
                    .stdin(std::fs::File::open(file).unwrap())
                    .stdout(Stdio::null())
                    .status()
                    .unwrap();
                assert!(status.success());
                started.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

/// The corpus's messages, one per line, each after `prefix`, repeated to at least 20 MB.
fn chat_text(messages: &[corpus::Message], prefix: &str) -> String {
    let mut text = String::new();
    while text.len() < AT_LEAST_BYTES {
        for message in messages {
            text.push_str(prefix);
            text.push_str(&message.text.replace('\n', " "));
            text.push('\n');
        }
    }
    text
}

fn main() {
    let messages = corpus::messages();
    // Text in languages written with accents: most of it not ASCII, none of it foldable.
    let accented =
        "Dobrý den, píšu kvůli objednávce, která ještě nedorazila. Dziękuję za odpowiedź. ";
    for (language, text) in [
        ("the corpus as written", chat_text(&messages, "")),
        (
            "each message after a Czech and Polish sentence",
            chat_text(&messages, accented),
        ),
    ] {
        let file =
            std::env::temp_dir().join(format!("switchboard-mask-{}.txt", std::process::id()));
        std::fs::File::create(&file)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let megabytes = text.len() as f64 / 1e6;
        println!(
            "{megabytes:.1} MB of chat text, {} lines, {language}; median of {RUNS} runs",
            text.lines().count()
        );
        for (name, kinds, args) in [
            ("every kind", KindSet::ALL, &[][..]),
            (
                "cards only",
                KindSet::EMPTY.with(Kind::Card),
                &["--only", "card"][..],
            ),
        ] {
            let library = library(&Masker::new(kinds), &text);
            let filter = filter(&file, args);
            println!(
                "  {name}: library {:.0} MB/s, filter as a process {:.0} MB/s ({:.2}× the library's time)",
                megabytes / library,
                megabytes / filter,
                filter / library
            );
        }
        let _ = std::fs::remove_file(&file);
    }
}
