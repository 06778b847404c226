//! Criterion benchmarks of the kernels, on deterministic in-memory inputs:
//! the map kernel per log layout, the line splitter, and the reduce kernel
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

criterion_group!(benches, map_kernel, line_splitting, reduce_kernel);
criterion_main!(benches);
