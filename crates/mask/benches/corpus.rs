//! Masking throughput over the chat corpus, with recall and false positives against its planted
//! values. `cargo bench -p switchboard-mask`.

#[path = "../support/corpus.rs"]
mod corpus;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use switchboard_mask::Masker;

fn corpus(c: &mut Criterion) {
    let messages = corpus::messages();
    let masker = Masker::default();

    let score = corpus::score(&masker, &messages);
    let clean_ok = score.clean_messages - score.false_positives.len();
    println!(
        "corpus: {} messages; recall {}/{} planted values ({:.2}%); \
         {}/{} clean messages with no finding ({:.2}%), {} false positives",
        messages.len(),
        score.recalled,
        score.planted,
        100.0 * score.recalled as f64 / score.planted as f64,
        clean_ok,
        score.clean_messages,
        100.0 * clean_ok as f64 / score.clean_messages as f64,
        score.false_positives.len(),
    );

    let texts: Vec<&str> = messages
        .iter()
        .map(|message| message.text.as_str())
        .collect();
    let bytes: usize = texts.iter().map(|text| text.len()).sum();
    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::BytesDecimal(bytes as u64));
    group.bench_function("mask", |b| {
        b.iter(|| {
            for text in &texts {
                black_box(masker.mask(black_box(text)));
            }
        })
    });
    group.bench_function("find", |b| {
        b.iter(|| {
            for text in &texts {
                black_box(masker.find(black_box(text)));
            }
        })
    });
    let clean: Vec<&str> = messages
        .iter()
        .filter(|message| message.pii.is_empty())
        .map(|message| message.text.as_str())
        .collect();
    group.throughput(Throughput::BytesDecimal(
        clean.iter().map(|t| t.len()).sum::<usize>() as u64,
    ));
    group.bench_function("mask_clean_messages", |b| {
        b.iter(|| {
            for text in &clean {
                black_box(masker.mask(black_box(text)));
            }
        })
    });
    group.finish();
}

/// Pathological texts of about 100 KB: every pass must stay linear in the text's length, since
/// customers choose what they type.
fn adversarial(c: &mut Criterion) {
    let repeat = |unit: &str| unit.repeat(100_000 / unit.len());
    let texts = [
        ("nine_digit_groups", repeat("123456789 ")),
        ("reference_words", repeat("order 123456789 ")),
        ("separators", repeat("1-")),
        ("at_signs", repeat("a@")),
        ("iban_prefixes", repeat("DE89 ")),
        (
            "long_local_part",
            format!("{}@example.com", "a".repeat(100_000)),
        ),
        ("long_domain", format!("ab@{}", "a.".repeat(50_000))),
        ("digits", repeat("0")),
        ("phones", repeat("+1 (555) 123-4567 ")),
    ];
    let masker = Masker::default();
    let mut group = c.benchmark_group("adversarial");
    group.sample_size(20);
    for (name, text) in &texts {
        group.throughput(Throughput::BytesDecimal(text.len() as u64));
        group.bench_function(*name, |b| {
            b.iter(|| black_box(masker.mask(black_box(text))))
        });
    }
    group.finish();
}

criterion_group!(benches, corpus, adversarial);
criterion_main!(benches);
