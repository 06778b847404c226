//! The reduce line parser and both ways of summing on mutated bytes: the
//! laws of `logmr::laws::reduce_lines`. The first byte picks the separator.
#![no_main]

use libfuzzer_sys::fuzz_target;

const SEPARATORS: [&[u8]; 4] = [b"\t", b"::", b",", b"\t|"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, input)) = data.split_first() else {
        return;
    };
    let sep = SEPARATORS[usize::from(pick) % SEPARATORS.len()];
    if let Err(broken) = logmr::laws::reduce_lines(input, sep) {
        panic!("separator {sep:?}: {broken}");
    }
});
