//! The `switchboard-mask` command, run as a user runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard-mask"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // A command refusing its arguments exits without reading its input: the pipe may be closed.
    if let Err(error) = child.stdin.take().unwrap().write_all(input) {
        assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "{error}");
    }
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> &str {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::str::from_utf8(&output.stdout).unwrap()
}

#[test]
fn masks_each_line_and_keeps_line_endings() {
    let input = "Call me on + 1 (123) 456 7890\r\nmail melissa@gmail.com\nnothing here\nno newline +447966197542";
    let output = run(&[], input.as_bytes());
    assert_eq!(
        stdout(&output),
        "Call me on **********7890\r\nmail m******@gmail.com\nnothing here\nno newline *********7542"
    );
}

#[test]
fn json_lists_findings_with_byte_offsets() {
    let output = run(
        &["--json"],
        "card 4111 1111 1111 1111, mail melissa@gmail.com\n\nok\n".as_bytes(),
    );
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(
        lines[0]["masked"],
        "card **** **** **** 1111, mail m******@gmail.com"
    );
    assert_eq!(
        lines[0]["findings"],
        serde_json::json!([
            {"kind": "card", "start": 5, "end": 24, "masked": "**** **** **** 1111"},
            {"kind": "email", "start": 31, "end": 48, "masked": "m******@gmail.com"},
        ])
    );
    assert_eq!(lines[1]["findings"], serde_json::json!([]));
    assert_eq!(lines[2]["masked"], "ok");
}

#[test]
fn only_masks_the_kinds_asked_for() {
    let output = run(
        &["--only", "email,ssn"],
        b"123-45-6789 melissa@gmail.com +447966197542\n",
    );
    assert_eq!(
        stdout(&output),
        "***-**-6789 m******@gmail.com +447966197542\n"
    );
}

#[test]
fn unknown_kind_is_refused_with_a_clear_error() {
    let output = run(&["--only", "passport"], b"melissa@gmail.com\n");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("unknown kind \"passport\""), "{error}");
}

#[test]
fn invalid_utf8_is_read_lossily_and_still_masked() {
    let output = run(&[], b"\xff\xfe melissa@gmail.com\n");
    assert_eq!(stdout(&output), "\u{fffd}\u{fffd} m******@gmail.com\n");
}
