//! Byte-class bitmasks over fixed-size blocks: bit `i` of the result is set
//! when byte `i` of the block is a newline, or an ASCII letter. On x86_64 they
//! use SSE2, which every x86_64 CPU has; elsewhere, and as the reference the
//! tests compare against, a portable SWAR version over `u64` words.

/// Bit `i` set when `block[i]` is `\n`.
#[inline(always)]
pub fn newlines64(block: &[u8; 64]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::newlines64(block)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        swar::newlines64(block)
    }
}

/// Bit `i` set when `block[i]` is an ASCII letter.
#[inline(always)]
pub fn letters16(block: &[u8; 16]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::letters16(block)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        swar::letters16(block)
    }
}

/// Bit `i` set when `block[i]` is `byte`.
#[inline(always)]
pub fn equal16(block: &[u8; 16], byte: u8) -> u32 {
    either16(block, byte, byte)
}

/// Bit `i` set when `block[i]` is `a` or `b`.
#[inline(always)]
pub fn either16(block: &[u8; 16], a: u8, b: u8) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::either16(block, a, b)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        swar::either16(block, a, b)
    }
}

/// The index of the first `a` or `b` in `bytes`, sixteen bytes at a time.
/// Inlined, it costs less than a `memchr2` call over the short spans of a
/// log line (JSON keys and values).
#[inline(always)]
pub fn find_either(bytes: &[u8], a: u8, b: u8) -> Option<usize> {
    let mut i = 0;
    while let Some(block) = bytes.get(i..).and_then(<[u8]>::first_chunk::<16>) {
        let hits = either16(block, a, b);
        if hits != 0 {
            return Some(i + hits.trailing_zeros() as usize);
        }
        i += 16;
    }
    bytes[i..]
        .iter()
        .position(|&c| c == a || c == b)
        .map(|at| i + at)
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8,
    };

    #[inline(always)]
    fn load(bytes: &[u8; 16]) -> __m128i {
        // SAFETY: SSE2 is part of the x86_64 baseline, and `bytes` is 16
        // readable bytes; the load is unaligned.
        unsafe { _mm_loadu_si128(bytes.as_ptr().cast()) }
    }

    #[inline(always)]
    fn newlines16(bytes: &[u8; 16]) -> u64 {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe {
            _mm_movemask_epi8(_mm_cmpeq_epi8(load(bytes), _mm_set1_epi8(b'\n' as i8))) as u16 as u64
        }
    }

    #[inline(always)]
    pub fn newlines64(block: &[u8; 64]) -> u64 {
        let (a, rest) = block.split_first_chunk::<16>().unwrap();
        let (b, rest) = rest.split_first_chunk::<16>().unwrap();
        let (c, d) = rest.split_first_chunk::<16>().unwrap();
        let d: &[u8; 16] = d.try_into().unwrap();
        newlines16(a) | newlines16(b) << 16 | newlines16(c) << 32 | newlines16(d) << 48
    }

    #[inline(always)]
    pub fn either16(block: &[u8; 16], a: u8, b: u8) -> u32 {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe {
            let bytes = load(block);
            let hits = _mm_or_si128(
                _mm_cmpeq_epi8(bytes, _mm_set1_epi8(a as i8)),
                _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b as i8)),
            );
            _mm_movemask_epi8(hits) as u32
        }
    }

    #[inline(always)]
    pub fn letters16(block: &[u8; 16]) -> u32 {
        // Fold to lower case, then shift 'a'..='z' to the bottom of the
        // signed range so that one signed compare tests the whole range.
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe {
            let lower = _mm_or_si128(load(block), _mm_set1_epi8(0x20));
            let shifted = _mm_add_epi8(lower, _mm_set1_epi8(0x1f));
            let letters = _mm_cmplt_epi8(shifted, _mm_set1_epi8(-128 + 26));
            _mm_movemask_epi8(letters) as u32
        }
    }
}

/// The portable version: eight bytes at a time in a `u64`. It is what
/// non-x86_64 nodes (ARM) run; public so that the benchmarks can time it
/// beside SSE2 on x86_64.
pub mod swar {
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    const LOW_BITS: u64 = 0x7f7f_7f7f_7f7f_7f7f;

    /// Gathers the high bit of each byte into the low 8 bits.
    #[inline(always)]
    fn gather(high_bits: u64) -> u64 {
        ((high_bits >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
    }

    /// High bit of each zero byte of `x`, without false positives.
    #[inline(always)]
    fn zero_bytes(x: u64) -> u64 {
        !(((x & LOW_BITS).wrapping_add(LOW_BITS)) | x | LOW_BITS)
    }

    /// High bit of each ASCII-letter byte of `x`.
    #[inline(always)]
    fn letter_bytes(x: u64) -> u64 {
        let y = (x | 0x2020_2020_2020_2020) & LOW_BITS;
        let at_least_a = y.wrapping_add(0x1f1f_1f1f_1f1f_1f1f);
        let past_z = y.wrapping_add(0x0505_0505_0505_0505);
        at_least_a & !past_z & !x & HIGH_BITS
    }

    fn words<const N: usize>(block: &[u8; N]) -> impl Iterator<Item = (usize, u64)> + '_ {
        block
            .chunks_exact(8)
            .enumerate()
            .map(|(i, c)| (i * 8, u64::from_le_bytes(c.try_into().unwrap())))
    }

    pub fn newlines64(block: &[u8; 64]) -> u64 {
        words(block).fold(0, |acc, (shift, w)| {
            acc | gather(zero_bytes(w ^ 0x0a0a_0a0a_0a0a_0a0a)) << shift
        })
    }

    pub fn either16(block: &[u8; 16], a: u8, b: u8) -> u32 {
        let (a, b) = (
            0x0101_0101_0101_0101 * a as u64,
            0x0101_0101_0101_0101 * b as u64,
        );
        words(block).fold(0, |acc, (shift, w)| {
            acc | (gather(zero_bytes(w ^ a) | zero_bytes(w ^ b)) as u32) << shift
        })
    }

    pub fn letters16(block: &[u8; 16]) -> u32 {
        words(block).fold(0, |acc, (shift, w)| {
            acc | (gather(letter_bytes(w)) as u32) << shift
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive(block: &[u8], pred: impl Fn(u8) -> bool) -> u64 {
        block
            .iter()
            .enumerate()
            .filter(|&(_, &b)| pred(b))
            .fold(0, |acc, (i, _)| acc | 1 << i)
    }

    #[test]
    fn every_byte_value() {
        let mut block = [0u8; 64];
        for base in (0..256).step_by(64) {
            for (i, b) in block.iter_mut().enumerate() {
                *b = (base + i) as u8;
            }
            assert_eq!(newlines64(&block), naive(&block, |b| b == b'\n'));
            assert_eq!(swar::newlines64(&block), naive(&block, |b| b == b'\n'));
            for half in block.chunks_exact(16) {
                let half: &[u8; 16] = half.try_into().unwrap();
                let want = naive(half, |b| b.is_ascii_alphabetic()) as u32;
                assert_eq!(letters16(half), want);
                assert_eq!(swar::letters16(half), want);
            }
        }
    }

    proptest! {
        #[test]
        fn masks_match_the_naive_ones(block in proptest::collection::vec(any::<u8>(), 64)) {
            let block: &[u8; 64] = block.as_slice().try_into().unwrap();
            prop_assert_eq!(newlines64(block), naive(block, |b| b == b'\n'));
            prop_assert_eq!(swar::newlines64(block), naive(block, |b| b == b'\n'));
            let half: &[u8; 16] = block[..16].try_into().unwrap();
            prop_assert_eq!(letters16(half), naive(half, |b| b.is_ascii_alphabetic()) as u32);
            prop_assert_eq!(swar::letters16(half), naive(half, |b| b.is_ascii_alphabetic()) as u32);
        }

        #[test]
        fn either_finds_the_first_of_two_bytes(
            bytes in proptest::collection::vec(prop::sample::select(b"ab\"\\x".to_vec()), 0..70),
            (a, b) in (prop::sample::select(b"ab\"\\".to_vec()), prop::sample::select(b"ab\"\\".to_vec())),
        ) {
            let want = bytes.iter().position(|&c| c == a || c == b);
            prop_assert_eq!(find_either(&bytes, a, b), want);
            for block in bytes.chunks_exact(16) {
                let block: &[u8; 16] = block.try_into().unwrap();
                let want = naive(block, |c| c == a || c == b) as u32;
                prop_assert_eq!(either16(block, a, b), want);
                prop_assert_eq!(equal16(block, a), naive(block, |c| c == a) as u32);
                prop_assert_eq!(swar::either16(block, a, b), want);
            }
        }
    }
}
