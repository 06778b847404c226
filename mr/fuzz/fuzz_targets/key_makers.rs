//! The group-by key makers on mutated bytes: the laws of
//! `logmr::laws::keyed_counts`. The first byte picks the parts of `--by`
//! (one bit each, at most one time bucket), the second the line end to cut
//! at.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use logmr::keys::KeySpec;
use logmr::level::Detector;

const PARTS: [&str; 6] = ["level", "minute", "hour", "day", "source", "template"];

static DETECTOR: LazyLock<Detector> = LazyLock::new(Detector::default);

fuzz_target!(|data: &[u8]| {
    let [bits, cut, input @ ..] = data else {
        return;
    };
    let chosen: Vec<&str> = PARTS
        .iter()
        .enumerate()
        .filter(|&(i, _)| bits & (1 << i) != 0)
        .map(|(_, p)| *p)
        .collect();
    let Ok(spec) = KeySpec::parse(&chosen.join(",")) else {
        return;
    };
    if let Err(broken) = logmr::laws::keyed_counts(&DETECTOR, input, &spec, usize::from(*cut)) {
        panic!("--by {spec}: {broken}");
    }
});
