//! The chat corpus (`benches/data/chat_corpus.jsonl`): 10,000 chat messages, about a fifth with
//! one planted sensitive value and its span; and how the masker scores against the plants.
//! Shared by the corpus test and the benchmark.

#![allow(dead_code, unreachable_pub)]

use serde::Deserialize;
use switchboard_mask::{Kind, Masker};

pub const CORPUS: &str = include_str!("../benches/data/chat_corpus.jsonl");

#[derive(Deserialize)]
pub struct Message {
    pub text: String,
    /// `(label, start, end, value)`, offsets in characters.
    pub pii: Vec<(String, usize, usize, String)>,
}

pub fn messages() -> Vec<Message> {
    CORPUS
        .lines()
        .map(|line| serde_json::from_str(line).expect("corpus lines are JSON messages"))
        .collect()
}

fn kind_of(label: &str) -> Kind {
    match label {
        "CREDIT_CARD" => Kind::Card,
        "IBAN_CODE" => Kind::Iban,
        "US_SSN" => Kind::Ssn,
        "EMAIL_ADDRESS" => Kind::Email,
        "PHONE_NUMBER" => Kind::Phone,
        other => panic!("unknown corpus label {other}"),
    }
}

/// How the masker did against the planted values.
#[derive(Debug, Default)]
pub struct Score {
    pub planted: usize,
    /// Planted values found with their exact span and kind.
    pub recalled: usize,
    /// Planted values missed, or found with another span or kind: `(text, value)`.
    pub missed: Vec<(String, String)>,
    pub clean_messages: usize,
    /// Messages with no plant in which something was found: `(text, what was found)`.
    pub false_positives: Vec<(String, Vec<String>)>,
}

pub fn score(masker: &Masker, messages: &[Message]) -> Score {
    let mut score = Score::default();
    for message in messages {
        let text = &message.text;
        let found = masker.find(text);
        if message.pii.is_empty() {
            score.clean_messages += 1;
            if !found.is_empty() {
                let spans = found
                    .iter()
                    .map(|f| text[f.range.clone()].to_owned())
                    .collect();
                score.false_positives.push((text.clone(), spans));
            }
            continue;
        }
        for (label, start, end, value) in &message.pii {
            score.planted += 1;
            let byte = |chars: usize| {
                text.char_indices()
                    .nth(chars)
                    .map_or(text.len(), |(i, _)| i)
            };
            let range = byte(*start)..byte(*end);
            let hit = found
                .iter()
                .any(|f| f.kind == kind_of(label) && f.range == range);
            if hit {
                score.recalled += 1;
            } else {
                score.missed.push((text.clone(), value.clone()));
            }
        }
    }
    score
}
