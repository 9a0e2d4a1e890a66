//! The TypeScript the desktop window and the chat widget are written against, generated from
//! these Rust types (with ts-rs, which reads their serde attributes) together with the limits of
//! [`rules`]. Tests in the desk core and here compare the generated files with the committed
//! ones, so a type changed without regenerating fails the build.

use std::fmt::Write;

use crate::rules;

/// How the types are written: JSON numbers are TypeScript `number`s (timestamps in milliseconds
/// and sequence numbers stay far below 2^53).
pub fn config() -> ts_rs::Config {
    ts_rs::Config::new().with_large_int("number")
}

/// A module exporting `declarations` (ts-rs's `decl`s) and the limits.
pub fn module(what: &str, declarations: &[String]) -> String {
    let mut text = header(what);
    for declaration in declarations {
        writeln!(text, "export {declaration}\n").expect("writing to a string");
    }
    text.push_str(&limits(""));
    text
}

/// The same inside `namespace name`, for a script compiled without modules (the widget).
pub fn namespace(name: &str, what: &str, declarations: &[String]) -> String {
    let mut text = header(what);
    writeln!(text, "namespace {name} {{").expect("writing to a string");
    for declaration in declarations {
        let indented = declaration.replace('\n', "\n  ");
        writeln!(text, "  export {indented}\n").expect("writing to a string");
    }
    text.push_str(&limits("  "));
    text.push_str("}\n");
    text
}

fn header(what: &str) -> String {
    format!(
        "// Generated from the Rust types ({what}): do not edit.\n\
         // `cargo xtask schema` writes it anew.\n\n"
    )
}

fn limits(indent: &str) -> String {
    let mut text = String::new();
    for (name, value) in rules::LIMITS {
        writeln!(text, "{indent}export const {name} = {value};").expect("writing to a string");
    }
    let reserved: String = rules::RESERVED_CHARACTERS.iter().collect();
    writeln!(
        text,
        "{indent}/** Characters a chat message may not contain: they mark template parameters. */\n\
         {indent}export const RESERVED_CHARACTERS = {reserved:?};"
    )
    .expect("writing to a string");
    text
}
