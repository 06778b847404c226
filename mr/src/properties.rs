//! Properties of the map and reduce kernels over arbitrary bytes: the laws
//! that make one `logmr reduce` safe as both combiner and reducer, and the
//! guarantee that every input line is counted exactly once.

use proptest::prelude::*;

use crate::keys::KeySpec;
use crate::laws;
use crate::level::Detector;
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn level_counts_keep_their_laws(input in logish(), cut in any::<usize>()) {
        laws::level_counts(&Detector::default(), &input, cut).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn key_makers_keep_their_laws(input in logish(), spec in key_spec(), cut in any::<usize>()) {
        laws::keyed_counts(&Detector::default(), &input, &spec, cut).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn reduce_lines_keep_their_laws(pairs in reduce_input(), noise in logish(), sep in prop_oneof![Just(&b"\t"[..]), Just(&b"::"[..]), Just(&b"1"[..])]) {
        let mut text = Vec::new();
        for (k, n) in &pairs {
            crate::output::write_count(&mut text, k, sep, *n).unwrap();
        }
        text.extend_from_slice(&noise);
        laws::reduce_lines(&text, sep).map_err(TestCaseError::fail)?;
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
    fn arbitrary_bytes_keep_the_laws(input in proptest::collection::vec(any::<u8>(), 0..512), cut in any::<usize>()) {
        laws::level_counts(&Detector::default(), &input, cut).map_err(TestCaseError::fail)?;
        laws::reduce_lines(&input, b"\t").map_err(TestCaseError::fail)?;
    }
}
