//! R5 throughput against R4's in paired passes (issue 4: "R5 within 10% of
//! R4, in the same benchmark run").
//!
//! Why not only criterion (`json.rs`): on this shared 2-core machine the speed
//! of the machine itself drifts by 10 to 30% over minutes, and criterion
//! measures R4 and R5 minutes apart, so its R5/R4 ratio mostly measures the
//! drift. Here every round times one R4 pass and one R5 pass back to back
//! (alternating which goes first), and the figure is the median of the
//! per-round ratios: drift slower than a round cancels out. Per-version
//! throughput (median and best pass) is printed too.
//!
//! A second table pairs each version's typed passes with `serde_json::Value`
//! passes over the same bytes in the same rounds (issue 2's ratios), for the
//! same reason.
//! Its write is measured twice: into a fresh `Vec` per resource (`to_vec`
//! on both sides), and into one buffer reused across the pass
//! (`write_to_vec` and `serde_json::to_writer`), which leaves out the
//! allocator's fresh pages (see `serialize_reused`).
//!
//! Run: `cargo bench -p fhir-model --bench versions --features r4,r5`
//! (about 3 minutes after the build; `-- ROUNDS` to change the number of
//! rounds, default 11). Throughput is in corpus bytes per second as in
//! `json.rs` (XML: bytes of the XML documents).

use std::hint::black_box;
use std::time::{Duration, Instant};

use fhir_model::json::{FromFhirJson, ToFhirJson};
use fhir_model::xml::FhirXml;
use serde::de::DeserializeOwned;

mod corpus;

use corpus::{load_corpus, CorpusSpec, R4, R5};

/// One version's corpus, typed and as FHIR XML.
struct Side<R> {
    files: Vec<Vec<u8>>,
    json_bytes: u64,
    typed: Vec<R>,
    values: Vec<serde_json::Value>,
    xml: Vec<Vec<u8>>,
    xml_bytes: u64,
}

fn side<R: DeserializeOwned + FhirXml>(spec: &CorpusSpec) -> Side<R> {
    let corpus = load_corpus(spec);
    let typed: Vec<R> = corpus
        .files
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            serde_json::from_slice(bytes)
                .unwrap_or_else(|e| panic!("{} corpus file #{i}: {e}", spec.label))
        })
        .collect();
    let xml: Vec<Vec<u8>> = typed
        .iter()
        .enumerate()
        .map(|(i, r)| {
            fhir_model::xml::to_vec(r)
                .unwrap_or_else(|e| panic!("{} XML write of corpus file #{i}: {e}", spec.label))
        })
        .collect();
    let xml_bytes = xml.iter().map(|d| d.len() as u64).sum();
    let values = corpus
        .files
        .iter()
        .map(|bytes| serde_json::from_slice(bytes).unwrap_or(serde_json::Value::Null))
        .collect();
    Side {
        files: corpus.files,
        json_bytes: corpus.total_bytes,
        typed,
        values,
        xml,
        xml_bytes,
    }
}

/// The passes one benchmark compares (R4's and R5's, or `Value`'s and the
/// typed model's), each returning its duration and the bytes it counts.
struct Pair<'a> {
    name: &'static str,
    r4: Box<dyn Fn() -> (Duration, u64) + 'a>,
    r5: Box<dyn Fn() -> (Duration, u64) + 'a>,
}

type Pass<'a> = Box<dyn Fn() -> (Duration, u64) + 'a>;

/// Typed against `serde_json::Value` in the same rounds (issue 2), per
/// version: the first pass of each pair is `Value`'s, so that the printed
/// ratio is typed / `Value`.
fn baseline_pairs<'a, A, B>(r4: &'a Side<A>, r5: &'a Side<B>) -> Vec<Pair<'a>>
where
    A: FromFhirJson + ToFhirJson,
    B: FromFhirJson + ToFhirJson,
{
    fn parse<R: FromFhirJson>(s: &Side<R>) -> Pass<'_> {
        Box::new(move || {
            timed(s.json_bytes, || {
                for bytes in &s.files {
                    let r = fhir_model::json::from_slice::<R>(black_box(bytes));
                    black_box(r.is_ok());
                }
            })
        })
    }
    fn parse_value<R>(s: &Side<R>) -> Pass<'_> {
        Box::new(move || {
            timed(s.json_bytes, || {
                for bytes in &s.files {
                    let v = serde_json::from_slice::<serde_json::Value>(black_box(bytes));
                    black_box(v.is_ok());
                }
            })
        })
    }
    fn serialize<R: ToFhirJson>(s: &Side<R>) -> Pass<'_> {
        Box::new(move || {
            timed(s.json_bytes, || {
                for r in &s.typed {
                    black_box(fhir_model::json::to_vec(black_box(r)).len());
                }
            })
        })
    }
    fn serialize_value<R>(s: &Side<R>) -> Pass<'_> {
        Box::new(move || {
            timed(s.json_bytes, || {
                for v in &s.values {
                    black_box(serde_json::to_vec(black_box(v)).map_or(0, |v| v.len()));
                }
            })
        })
    }
    // Both sides again, each writing every resource into one buffer kept
    // across the pass (cleared, not freed; it grows once per pass): a server writing responses
    // does so, and it takes the allocator out of the figure. With a fresh
    // `Vec` per resource the pass also pays for fresh pages, and how many
    // depends on glibc's heap state (its mmap and trim thresholds move with
    // everything the process did before), not on the serializer: in one
    // probe `Value`'s own passes went from 0 to 5,811 page faults each when
    // only the typed writer's growth policy changed.
    fn serialize_reused<R: ToFhirJson>(s: &Side<R>) -> Pass<'_> {
        Box::new(move || {
            let mut out = Vec::new();
            timed(s.json_bytes, || {
                for r in &s.typed {
                    out.clear();
                    fhir_model::json::write_to_vec(black_box(r), &mut out);
                    black_box(out.len());
                }
            })
        })
    }
    fn serialize_value_reused<R>(s: &Side<R>) -> Pass<'_> {
        Box::new(move || {
            let mut out = Vec::new();
            timed(s.json_bytes, || {
                for v in &s.values {
                    out.clear();
                    let written = serde_json::to_writer(&mut out, black_box(v));
                    black_box(written.is_ok() && !out.is_empty());
                }
            })
        })
    }
    vec![
        Pair {
            name: "R4 parse",
            r4: parse_value(r4),
            r5: parse(r4),
        },
        Pair {
            name: "R4 serialize",
            r4: serialize_value(r4),
            r5: serialize(r4),
        },
        Pair {
            name: "R4 ser. reused",
            r4: serialize_value_reused(r4),
            r5: serialize_reused(r4),
        },
        Pair {
            name: "R5 parse",
            r4: parse_value(r5),
            r5: parse(r5),
        },
        Pair {
            name: "R5 serialize",
            r4: serialize_value(r5),
            r5: serialize(r5),
        },
        Pair {
            name: "R5 ser. reused",
            r4: serialize_value_reused(r5),
            r5: serialize_reused(r5),
        },
    ]
}

fn timed(bytes: u64, work: impl FnOnce()) -> (Duration, u64) {
    let start = Instant::now();
    work();
    (start.elapsed(), bytes)
}

fn pairs<'a, A, B>(r4: &'a Side<A>, r5: &'a Side<B>) -> Vec<Pair<'a>>
where
    A: FromFhirJson + ToFhirJson + FhirXml,
    B: FromFhirJson + ToFhirJson + FhirXml,
{
    fn parse<R: FromFhirJson>(s: &Side<R>) -> (Duration, u64) {
        timed(s.json_bytes, || {
            for bytes in &s.files {
                let r = fhir_model::json::from_slice::<R>(black_box(bytes));
                black_box(r.is_ok());
            }
        })
    }
    fn parse_value<R>(s: &Side<R>) -> (Duration, u64) {
        timed(s.json_bytes, || {
            for bytes in &s.files {
                let v = serde_json::from_slice::<serde_json::Value>(black_box(bytes));
                black_box(v.is_ok());
            }
        })
    }
    fn serialize<R: ToFhirJson>(s: &Side<R>) -> (Duration, u64) {
        timed(s.json_bytes, || {
            for r in &s.typed {
                black_box(fhir_model::json::to_vec(black_box(r)).len());
            }
        })
    }
    fn xml_parse<R: FhirXml>(s: &Side<R>) -> (Duration, u64) {
        timed(s.xml_bytes, || {
            for d in &s.xml {
                let r = fhir_model::xml::from_slice::<R>(black_box(d));
                black_box(r.is_ok());
            }
        })
    }
    fn xml_serialize<R: FhirXml>(s: &Side<R>) -> (Duration, u64) {
        timed(s.xml_bytes, || {
            for r in &s.typed {
                black_box(fhir_model::xml::to_vec(black_box(r)).map_or(0, |v| v.len()));
            }
        })
    }
    vec![
        Pair {
            name: "parse/typed",
            r4: Box::new(|| parse(r4)),
            r5: Box::new(|| parse(r5)),
        },
        Pair {
            name: "parse/value",
            r4: Box::new(|| parse_value(r4)),
            r5: Box::new(|| parse_value(r5)),
        },
        Pair {
            name: "serialize/typed",
            r4: Box::new(|| serialize(r4)),
            r5: Box::new(|| serialize(r5)),
        },
        Pair {
            name: "xml/parse",
            r4: Box::new(|| xml_parse(r4)),
            r5: Box::new(|| xml_parse(r5)),
        },
        Pair {
            name: "xml/serialize",
            r4: Box::new(|| xml_serialize(r4)),
            r5: Box::new(|| xml_serialize(r5)),
        },
    ]
}

fn mib_per_s((time, bytes): (Duration, u64)) -> f64 {
    bytes as f64 / time.as_secs_f64() / f64::from(1 << 20)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    let at = |i: usize| xs.get(i).copied().unwrap_or(f64::NAN);
    if n % 2 == 1 {
        at(n / 2)
    } else {
        (at(n / 2 - 1) + at(n / 2)) / 2.0
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a bare number is the round count.
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(11)
        .max(1);
    let r4 = side::<fhir_model::r4::Resource>(&R4);
    let r5 = side::<fhir_model::r5::Resource>(&R5);
    println!(
        "{rounds} paired rounds; MiB/s as median (best) over the rounds; ratios as the median of the per-round ratios [lowest, highest]"
    );
    run_pairs(("R4", "R5", "R5/R4"), pairs(&r4, &r5), rounds);
    println!();
    run_pairs(
        ("Value", "typed", "typed/Value"),
        baseline_pairs(&r4, &r5),
        rounds,
    );
}

/// Times each pair `rounds` times, alternating which pass goes first, and
/// prints one line per pair under the column titles `cols`.
fn run_pairs(cols: (&str, &str, &str), pairs: Vec<Pair<'_>>, rounds: usize) {
    println!(
        "{:<16} {:>18} {:>18} {:>26}",
        "benchmark", cols.0, cols.1, cols.2
    );
    for pair in pairs {
        // One untimed pass each: page in the inputs and warm the allocator.
        (pair.r4)();
        (pair.r5)();
        let (mut a, mut b, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            let (x, y) = if round % 2 == 0 {
                let x = mib_per_s((pair.r4)());
                (x, mib_per_s((pair.r5)()))
            } else {
                let y = mib_per_s((pair.r5)());
                (mib_per_s((pair.r4)()), y)
            };
            a.push(x);
            b.push(y);
            ratios.push(y / x);
        }
        let best = |xs: &[f64]| xs.iter().copied().fold(0.0, f64::max);
        let low = ratios.iter().copied().fold(f64::INFINITY, f64::min);
        let high = best(&ratios);
        println!(
            "{:<16} {:>9.1} ({:>6.1}) {:>9.1} ({:>6.1}) {:>10.3} [{:.3}, {:.3}]",
            pair.name,
            median(a.clone()),
            best(&a),
            median(b.clone()),
            best(&b),
            median(ratios),
            low,
            high
        );
    }
}
