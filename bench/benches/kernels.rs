//! Criterion benchmarks of the kernels, on deterministic in-memory inputs:
//! the map kernel per log layout, the byte-class masks (SSE2 and the
//! portable path of other architectures), the line splitter, and the reduce kernel
//! on emit-each and on aggregated input.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logmr::level::Detector;
use logmr::linebuf::for_each_line;
use logmr::map::count_bytes;
use logmr::reduce::Totals;
use logmr_bench::corpus::{Layout, generate_vec};

const SIZE: u64 = 8 << 20;

/// Sample lines of one layout, repeated to about `SIZE` bytes.
fn repeated(sample: &[u8]) -> Vec<u8> {
    sample.repeat((SIZE as usize / sample.len()).max(1))
}

fn layouts() -> Vec<(String, Vec<u8>)> {
    let mut inputs = vec![
        ("seed".to_string(), generate_vec(Layout::Seed, SIZE, 1).0),
        ("mixed".to_string(), generate_vec(Layout::Mixed, SIZE, 1).0),
    ];
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../mr/tests/data");
    let mut files: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for path in files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        inputs.push((name, repeated(&std::fs::read(&path).unwrap())));
    }
    inputs
}

fn map_kernel(c: &mut Criterion) {
    let detector = Detector::default();
    let mut group = c.benchmark_group("map");
    for (name, input) in layouts() {
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(&name, |b| b.iter(|| count_bytes(&input, &detector)));
    }
    group.finish();
}

/// The byte-class masks on SSE2 (x86_64) and on the portable path that
/// other architectures (ARM nodes) run, over the same bytes.
fn byte_scans(c: &mut Criterion) {
    use logmr::bytescan::{letters16, newlines64, swar};
    let (input, _) = generate_vec(Layout::Seed, SIZE, 1);
    let mut group = c.benchmark_group("bytescan");
    group.throughput(Throughput::Bytes(input.len() as u64));
    let lines = |f: fn(&[u8; 64]) -> u64| {
        input
            .chunks_exact(64)
            .map(|block| u64::from(f(block.try_into().unwrap()).count_ones()))
            .sum::<u64>()
    };
    let letters = |f: fn(&[u8; 16]) -> u32| {
        input
            .chunks_exact(16)
            .map(|block| u64::from(f(block.try_into().unwrap()).count_ones()))
            .sum::<u64>()
    };
    group.bench_function("newlines64/native", |b| b.iter(|| lines(newlines64)));
    group.bench_function("newlines64/portable", |b| {
        b.iter(|| lines(swar::newlines64))
    });
    group.bench_function("letters16/native", |b| b.iter(|| letters(letters16)));
    group.bench_function("letters16/portable", |b| {
        b.iter(|| letters(swar::letters16))
    });
    group.finish();
}

fn line_splitting(c: &mut Criterion) {
    let (input, _) = generate_vec(Layout::Seed, SIZE, 1);
    let mut group = c.benchmark_group("lines");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("for_each_line", |b| {
        b.iter(|| {
            let mut n = 0u64;
            for_each_line::<()>(&input, |line| {
                n += line.len() as u64;
                Ok(())
            })
            .unwrap();
            n
        })
    });
    group.finish();
}

fn reduce_kernel(c: &mut Criterion) {
    let (input, truth) = generate_vec(Layout::Seed, SIZE, 1);
    let detector = Detector::default();
    let mut each = Vec::new();
    for_each_line::<()>(&input, |line| {
        each.extend_from_slice(detector.table().key(detector.detect(line)));
        each.extend_from_slice(b"\t1\n");
        Ok(())
    })
    .unwrap();
    let mut lines: Vec<&[u8]> = each.split_inclusive(|&b| b == b'\n').collect();
    lines.sort();
    let sorted = lines.concat();
    let aggregated = truth.as_reduce_output().repeat(10_000).into_bytes();

    let mut group = c.benchmark_group("reduce");
    for (name, text) in [
        ("emit-each-sorted", &sorted),
        ("emit-each-unsorted", &each),
        ("aggregated", &aggregated),
    ] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut totals = Totals::new();
                for_each_line::<()>(text, |line| {
                    totals.add_line(line, b"\t").unwrap();
                    Ok(())
                })
                .unwrap();
                totals.into_sorted()
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    map_kernel,
    byte_scans,
    line_splitting,
    reduce_kernel
);
criterion_main!(benches);
