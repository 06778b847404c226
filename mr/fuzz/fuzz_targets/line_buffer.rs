//! The line buffer on mutated bytes with tiny read and line sizes: the laws
//! of `logmr::laws::line_buffer`. The first two bytes pick the read size
//! and the longest line (1 to 64 bytes each).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [read, max, input @ ..] = data else {
        return;
    };
    let read_size = usize::from(read % 64) + 1;
    let max_line = usize::from(max % 64) + 1;
    if let Err(broken) = logmr::laws::line_buffer(input, read_size, max_line) {
        panic!("read size {read_size}, longest line {max_line}: {broken}");
    }
});
