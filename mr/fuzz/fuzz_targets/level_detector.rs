//! The level detector and the map kernel on mutated bytes: the laws of
//! `logmr::laws::level_counts`. The first byte picks the line end to cut at.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use logmr::level::Detector;

static DETECTOR: LazyLock<Detector> = LazyLock::new(Detector::default);

fuzz_target!(|data: &[u8]| {
    let Some((&cut, input)) = data.split_first() else {
        return;
    };
    if let Err(broken) = logmr::laws::level_counts(&DETECTOR, input, usize::from(cut)) {
        panic!("{broken}");
    }
});
