//! `switchboard-mask`: masks sensitive data in text read from standard input, line by line, for
//! scrubbing logs and transcripts.

use std::io::{self, BufRead, BufWriter, ErrorKind, Write};
use std::process::ExitCode;

use clap::Parser;
use serde::Serialize;
use switchboard_mask::{Kind, KindSet, Masker};

/// Masks payment card numbers, IBANs, SSNs, e-mail addresses and phone numbers in text read from
/// standard input, writing each line masked to standard output.
///
/// Input that is not valid UTF-8 is read with U+FFFD in place of the invalid bytes.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Print one JSON object per input line instead: the line number, the masked line and its
    /// findings (`kind`, `start` and `end` in bytes of the input line, `masked`).
    #[arg(long)]
    json: bool,

    /// Mask only these kinds (comma-separated: card, iban, ssn, email, phone).
    #[arg(long, value_name = "KINDS", value_delimiter = ',')]
    only: Vec<Kind>,
}

#[derive(Serialize)]
struct JsonLine<'a> {
    line: usize,
    masked: &'a str,
    findings: Vec<JsonFinding>,
}

#[derive(Serialize)]
struct JsonFinding {
    kind: Kind,
    start: usize,
    end: usize,
    masked: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let kinds = match args.only.is_empty() {
        true => KindSet::ALL,
        false => args.only.iter().copied().collect(),
    };
    match filter(
        &Masker::new(kinds),
        args.json,
        io::stdin().lock(),
        io::stdout().lock(),
    ) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): nothing left to do.
        Err(error) if error.kind() == ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("switchboard-mask: {error}");
            ExitCode::FAILURE
        }
    }
}

fn filter(
    masker: &Masker,
    json: bool,
    mut input: impl BufRead,
    output: impl Write,
) -> io::Result<()> {
    let mut output = BufWriter::new(output);
    let mut raw = Vec::new();
    let mut number = 0;
    while input.read_until(b'\n', &mut raw)? > 0 {
        number += 1;
        // Valid UTF-8 (nearly every line) is checked by the standard library's fast path; only
        // a line that fails it is read again, lossily.
        let line = match std::str::from_utf8(&raw) {
            Ok(line) => std::borrow::Cow::Borrowed(line),
            Err(_) => String::from_utf8_lossy(&raw),
        };
        if json {
            let content = line.trim_end_matches(['\n', '\r']);
            let record = JsonLine {
                line: number,
                masked: &masker.mask(content),
                findings: masker
                    .find(content)
                    .into_iter()
                    .map(|finding| JsonFinding {
                        kind: finding.kind,
                        start: finding.range.start,
                        end: finding.range.end,
                        masked: finding.masked(content),
                    })
                    .collect(),
            };
            serde_json::to_writer(&mut output, &record)?;
            output.write_all(b"\n")?;
        } else {
            output.write_all(masker.mask(&line).as_bytes())?;
        }
        raw.clear();
        // Batch writes while input is pending; show each line at once when following a stream.
        if input.fill_buf()?.is_empty() {
            output.flush()?;
        }
    }
    output.flush()
}
