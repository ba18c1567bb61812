//! The worst case of the spam rules' text matching, natively: a 10,000-character body
//! against 100 owner patterns full of wildcards, the case that ran for minutes with the old
//! backtracking matcher (`*a*a*b` on a run of `a`). `cargo bench -p colloquy-core --bench
//! muted --features server` prints the figures; docs/muted-bench.md keeps the last run.

use colloquy_core::domain::muted::Matcher;
use colloquy_core::domain::rules::{Rules, Standing, Written};
use colloquy_core::wire::settings::MutedWords;
use criterion::{criterion_group, criterion_main, Criterion};

/// 100 patterns built to backtrack: several wildcards around letters the body is full of.
fn patterns() -> MutedWords {
    let letters = ["a", "b", "ab", "ba", "aa"];
    let body = (0..100)
        .map(|i| {
            let l = letters[i % letters.len()];
            match i % 4 {
                0 => format!("*{l}*{l}*b{i}"),
                1 => format!("*a*a*a*{l}*c{i}"),
                2 => format!("{l}*{l}* *{l}*z{i}"),
                _ => format!("*{l}*{l}*{l}*{l}*{l}*q{i}"),
            }
        })
        .collect();
    MutedWords {
        body,
        ..Default::default()
    }
}

/// The most wildcards the limits allow: 100 patterns of 20 letters joined by `*` (3,900
/// characters of the 4,000 allowed) — the shape that made one combined automaton fall back
/// to a slow simulation (15 s a comment with 500 of them, found by a hostile review).
fn long_patterns() -> MutedWords {
    let letters: Vec<char> = "abcdefghijklmnopqrstuvwxyz".chars().collect();
    let body = (0..100)
        .map(|i| {
            (0..20)
                .map(|j| letters[(i * 7 + j * 13) % 26].to_string())
                .collect::<Vec<_>>()
                .join("*")
        })
        .collect();
    MutedWords {
        body,
        ..Default::default()
    }
}

fn bodies() -> Vec<(&'static str, String)> {
    vec![
        ("one word of 10,000 a", "a".repeat(10_000)),
        ("5,000 words 'a a a'", "a ".repeat(5_000)),
        (
            "mixed prose",
            "Can communities of practice learn online? ".repeat(240),
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let muted = patterns();
    c.bench_function("compile 100 patterns", |b| {
        b.iter(|| Matcher::new(&muted).expect("compiles"))
    });
    let matcher = Matcher::new(&muted).expect("compiles");
    let rules = Rules {
        muted: muted.clone(),
        max_links: 3,
        ..Default::default()
    };
    for (name, body) in bodies() {
        assert!(body.chars().count() >= 9_600);
        c.bench_function(&format!("match 100 patterns, {name}"), |b| {
            b.iter(|| matcher.find("Ana", &body, None))
        });
        // What a post runs: render the visible text, fold it, match (compiled once).
        c.bench_function(&format!("whole rule check, {name}"), |b| {
            b.iter(|| {
                rules.hold(
                    &Written {
                        name: "Ana",
                        body: &body,
                        website: None,
                    },
                    Standing::default(),
                )
            })
        });
    }
}

fn bench_long(c: &mut Criterion) {
    let muted = long_patterns();
    c.bench_function("compile 100 patterns of 20 wildcards", |b| {
        b.iter(|| Matcher::new(&muted).expect("compiles"))
    });
    let matcher = Matcher::new(&muted).expect("compiles");
    for (name, body) in bodies() {
        c.bench_function(
            &format!("match 100 patterns of 20 wildcards, {name}"),
            |b| b.iter(|| matcher.find("Ana", &body, None)),
        );
    }
}

criterion_group!(benches, bench, bench_long);
criterion_main!(benches);
