//! Properties of the map and reduce kernels over arbitrary bytes: the laws
//! that make one `logmr reduce` safe as both combiner and reducer, and the
//! guarantee that every input line is counted exactly once.

use proptest::prelude::*;

use crate::keys::{JOINER, KeyMaker, KeySpec};
use crate::level::Detector;
use crate::map::{count_bytes, count_keyed};
use crate::reduce::Totals;

/// Bytes that look like logs often enough to hit every code path.
fn logish() -> impl Strategy<Value = Vec<u8>> {
    const PIECES: &[&[u8]] = &[
        b"[INFO] ",
        b"WARN ",
        b"level=error ",
        b"{\"level\":\"debug\"} ",
        b"<11>",
        b"03-17 16:13:38.811  1702  2395 E T: ",
        b"\n",
        b"\r\n",
        b"\t",
        b"x",
        b"\xff",
        b"2024-12-10 14:33:21 ",
        b"Jun 14 15:16:01 host prog[1]: ",
        b"1733841202 ",
        b"machine-07: ",
        b"blk_-42 10.0.0.1:80 /a/b 0x1f ",
        b"|",
    ];
    let piece = proptest::sample::select(PIECES).prop_map(<[u8]>::to_vec);
    let any_bytes = proptest::collection::vec(any::<u8>(), 0..8);
    proptest::collection::vec(prop_oneof![piece, any_bytes], 0..60).prop_map(|v| v.concat())
}

fn lines_of(input: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    if input.is_empty() || input.ends_with(b"\n") {
        lines.pop();
    }
    lines
}

/// `logmr map` output for `input`, as (key, count) pairs sorted by key.
fn map(input: &[u8], d: &Detector) -> Vec<(Vec<u8>, u64)> {
    let (counts, _) = count_bytes(input, d);
    let mut pairs: Vec<(Vec<u8>, u64)> = counts.nonzero(d).map(|(k, n)| (k.to_vec(), n)).collect();
    pairs.sort();
    pairs
}

fn reduce(pairs: impl IntoIterator<Item = (Vec<u8>, u64)>) -> Vec<(Vec<u8>, u64)> {
    let mut totals = Totals::new();
    for (k, n) in pairs {
        totals.add(&k, n).unwrap();
    }
    totals.into_sorted()
}

/// Key/count lines as `logmr reduce` reads them.
fn reduce_input() -> impl Strategy<Value = Vec<(Vec<u8>, u64)>> {
    let key = prop_oneof![
        Just(b"INFO".to_vec()),
        Just(b"WARN".to_vec()),
        Just(b"a\tb".to_vec()),
        Just(Vec::new()),
        proptest::collection::vec(any::<u8>().prop_filter("no newline", |b| *b != b'\n'), 0..4),
    ];
    proptest::collection::vec((key, 0u64..1 << 40), 0..50)
}

fn to_text(pairs: &[(Vec<u8>, u64)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, n) in pairs {
        crate::output::write_count(&mut out, k, b"\t", *n).unwrap();
    }
    out
}

fn reduce_text(text: &[u8]) -> Vec<(Vec<u8>, u64)> {
    let mut totals = Totals::new();
    for line in lines_of(text) {
        totals.add_line(line, b"\t").unwrap();
    }
    totals.into_sorted()
}

/// A `--by` list of one to four parts.
fn key_spec() -> impl Strategy<Value = KeySpec> {
    let parts = ["level", "minute", "hour", "day", "source", "template"];
    proptest::sample::subsequence(parts.to_vec(), 1..=4)
        .prop_filter_map("one time bucket", |chosen| {
            KeySpec::parse(&chosen.join(",")).ok()
        })
}

/// `logmr map --by` output for `input`, sorted by key.
fn map_keyed(input: &[u8], d: &Detector, maker: &KeyMaker) -> Vec<(Vec<u8>, u64)> {
    let (counts, _) = count_keyed(input, d, maker);
    reduce(counts.iter().map(|(k, n)| (k.to_vec(), n)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn keyed_counts_sum_to_the_line_count_and_keys_split_into_their_parts(input in logish(), spec in key_spec()) {
        let d = Detector::default();
        let maker = KeyMaker::new(spec.clone(), 2024);
        let (counts, stats) = count_keyed(&input, &d, &maker);
        prop_assert_eq!(counts.total(), lines_of(&input).len() as u64);
        prop_assert_eq!(stats.lines, counts.total());
        for (key, _) in counts.iter() {
            prop_assert!(!key.contains(&b'\t') && !key.contains(&b'\n'), "{:?}", key);
            prop_assert_eq!(key.split(|&b| b == JOINER).count(), spec.parts().len());
        }
    }

    #[test]
    fn keyed_level_part_is_the_level(input in logish()) {
        let d = Detector::default();
        let maker = KeyMaker::new(KeySpec::parse("level,source").unwrap(), 2024);
        let levels: Vec<(Vec<u8>, u64)> = {
            let keyed = map_keyed(&input, &d, &maker);
            reduce(keyed.into_iter().map(|(k, n)| (k.split(|&b| b == JOINER).next().unwrap().to_vec(), n)))
        };
        prop_assert_eq!(levels, map(&input, &d));
    }

    #[test]
    fn keyed_splits_at_line_boundaries_reduce_to_the_whole(input in logish(), spec in key_spec(), cut in any::<prop::sample::Index>()) {
        let d = Detector::default();
        let maker = KeyMaker::new(spec, 2024);
        let boundaries: Vec<usize> = input.iter().enumerate().filter(|&(_, &b)| b == b'\n').map(|(i, _)| i + 1).collect();
        let at = if boundaries.is_empty() { input.len() } else { boundaries[cut.index(boundaries.len())] };
        let parts = map_keyed(&input[..at], &d, &maker).into_iter().chain(map_keyed(&input[at..], &d, &maker));
        prop_assert_eq!(reduce(parts), map_keyed(&input, &d, &maker));
    }

    #[test]
    fn map_sort_reduce_equals_a_naive_count(input in logish()) {
        let d = Detector::default();
        let mut naive = std::collections::BTreeMap::<Vec<u8>, u64>::new();
        for line in lines_of(&input) {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            *naive.entry(d.table().key(d.detect(line)).to_vec()).or_default() += 1;
        }
        let mut emitted: Vec<Vec<u8>> = Vec::new();
        for (k, n) in map(&input, &d) {
            emitted.extend(std::iter::repeat_n(k, n as usize));
        }
        emitted.sort();
        let reduced = reduce(emitted.into_iter().map(|k| (k, 1)));
        prop_assert_eq!(reduced, naive.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn counts_sum_to_the_line_count(input in logish()) {
        let d = Detector::default();
        let (counts, stats) = count_bytes(&input, &d);
        prop_assert_eq!(counts.total(), lines_of(&input).len() as u64);
        prop_assert_eq!(stats.lines, counts.total());
        prop_assert_eq!(stats.bytes, input.len() as u64);
    }

    #[test]
    fn any_split_at_line_boundaries_reduces_to_the_whole(input in logish(), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..5)) {
        let d = Detector::default();
        let boundaries: Vec<usize> = input.iter().enumerate().filter(|&(_, &b)| b == b'\n').map(|(i, _)| i + 1).collect();
        let mut points: Vec<usize> = if boundaries.is_empty() { vec![] } else { cuts.iter().map(|c| boundaries[c.index(boundaries.len())]).collect() };
        points.sort_unstable();
        points.dedup();
        let mut parts = Vec::new();
        let mut start = 0;
        for p in points.into_iter().chain([input.len()]) {
            parts.extend(map(&input[start..p], &d));
            start = p;
        }
        prop_assert_eq!(reduce(parts), map(&input, &d));
    }

    #[test]
    fn reduce_is_associative_over_its_own_output(a in reduce_input(), b in reduce_input()) {
        let ra = to_text(&reduce(a.clone()));
        let rb = to_text(&reduce(b.clone()));
        let combined = reduce_text(&[ra, rb].concat());
        let whole = reduce(a.into_iter().chain(b));
        prop_assert_eq!(combined, whole);
    }

    #[test]
    fn reduce_ignores_input_order(pairs in reduce_input(), seed in any::<u64>()) {
        let mut sorted = pairs.clone();
        sorted.sort();
        let mut shuffled = pairs;
        // A deterministic shuffle driven by the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(reduce_text(&to_text(&shuffled)), reduce_text(&to_text(&sorted)));
    }

    #[test]
    fn no_panic_on_arbitrary_bytes(input in proptest::collection::vec(any::<u8>(), 0..512)) {
        let d = Detector::default();
        let (counts, _) = count_bytes(&input, &d);
        prop_assert_eq!(counts.total(), lines_of(&input).len() as u64);
        let mut totals = Totals::new();
        for line in lines_of(&input) {
            let _ = totals.add_line(line, b"\t");
        }
        let _ = totals.into_sorted();
    }
}
