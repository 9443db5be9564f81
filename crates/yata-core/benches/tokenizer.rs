//! Throughput of the code tokenizer on identifiers, English prose and Japanese text.
//!
//! Run: `cargo bench -p yata-core --bench tokenizer -- --warm-up-time 1 --measurement-time 3`
//! Criterion reports throughput in MB/s of input text.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tantivy::tokenizer::{TokenStream, Tokenizer};
use yata_core::index::text::CodeTokenizer;

/// Size of each sample text, in bytes (about).
const SAMPLE_BYTES: usize = 64 * 1024;

const WORDS: [&str; 16] = [
    "user", "service", "get", "by", "id", "http", "server", "request", "handler", "cache", "order",
    "payment", "config", "load", "parse", "token",
];

/// Identifiers in camelCase, PascalCase, snake_case, kebab-case and
/// SCREAMING_CASE with digits, one per line, as in a symbol listing.
fn identifiers() -> String {
    let mut text = String::new();
    let mut i = 0usize;
    while text.len() < SAMPLE_BYTES {
        let a = WORDS[i % WORDS.len()];
        let b = WORDS[(i / 3 + 5) % WORDS.len()];
        let c = WORDS[(i / 7 + 11) % WORDS.len()];
        let identifier = match i % 5 {
            0 => format!("{a}{}{}", capitalize(b), capitalize(c)),
            1 => format!("{}{}{}", capitalize(a), capitalize(b), i % 10),
            2 => format!("{a}_{b}_{c}"),
            3 => format!("{a}-{b}-{c}"),
            _ => format!("{}_{}{}", a.to_uppercase(), b.to_uppercase(), i % 100),
        };
        text.push_str(&identifier);
        text.push('\n');
        i += 1;
    }
    text
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn repeat_to_size(paragraph: &str) -> String {
    let mut text = String::new();
    while text.len() < SAMPLE_BYTES {
        text.push_str(paragraph);
        text.push('\n');
    }
    text
}

fn english_prose() -> String {
    repeat_to_size(
        "The service validates each incoming request, looks up the user in the cache, \
         and falls back to the database when the entry has expired. Errors are logged \
         with the request id so that operators can trace a failure across shards, and \
         the handler retries transient network faults twice before giving up.",
    )
}

fn japanese_text() -> String {
    repeat_to_size(
        "ユーザー認証サービスは、受け取ったリクエストごとにトークンを検証し、\
         キャッシュに利用者の情報がなければデータベースから読み込みます。\
         障害が起きた場合はリクエストIDとともにログへ記録し、運用担当者が\
         シャードをまたいで原因を追跡できるようにします。",
    )
}

fn count_tokens(tokenizer: &mut CodeTokenizer, text: &str) -> usize {
    let mut stream = tokenizer.token_stream(text);
    let mut count = 0;
    while stream.advance() {
        black_box(stream.token());
        count += 1;
    }
    count
}

fn bench_tokenizer(c: &mut Criterion) {
    let samples = [
        ("identifiers", identifiers()),
        ("english_prose", english_prose()),
        ("japanese", japanese_text()),
    ];

    let mut group = c.benchmark_group("code_tokenizer");
    for (name, text) in &samples {
        let mut tokenizer = CodeTokenizer::default();
        println!(
            "{name}: {} bytes, {} tokens",
            text.len(),
            count_tokens(&mut tokenizer, text)
        );
        group.throughput(Throughput::BytesDecimal(text.len() as u64));
        group.bench_function(*name, |b| {
            b.iter(|| count_tokens(&mut tokenizer, black_box(text)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_tokenizer);
criterion_main!(benches);
