//! A small direct-mapped table of counts by number, in front of a larger
//! table: a line whose key is a number (see
//! [`KeyMaker::packed_key`](crate::keys::KeyMaker::packed_key)) costs a
//! multiply and a compare here instead of writing and hashing its key
//! text. A log's lines come in time order, so a few keys take nearly every
//! line. A key leaves with its count when another takes its slot, and all
//! of them leave with [`RecentCounts::drain`]; the caller adds what leaves
//! to its full table.

/// Slots of the table (a power of two).
const SLOTS: usize = 256;

/// Counts of recently seen numeric keys. Memory is fixed: [`SLOTS`] slots.
#[derive(Clone, Debug)]
pub struct RecentCounts {
    /// `(key, count)`; a count of 0 is an empty slot.
    slots: Box<[(u64, u64)]>,
}

impl Default for RecentCounts {
    fn default() -> Self {
        RecentCounts {
            slots: vec![(0, 0); SLOTS].into_boxed_slice(),
        }
    }
}

impl RecentCounts {
    /// Counts one `key`. Returns the key and count it pushed out of its
    /// slot, if any.
    #[inline]
    pub fn add(&mut self, key: u64) -> Option<(u64, u64)> {
        let slot = &mut self.slots[slot_of(key)];
        if slot.0 == key || slot.1 == 0 {
            *slot = (key, slot.1 + 1);
            return None;
        }
        Some(std::mem::replace(slot, (key, 1)))
    }

    /// Every key and count held, leaving the table empty.
    pub fn drain(&mut self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.slots
            .iter_mut()
            .filter(|s| s.1 > 0)
            .map(std::mem::take)
    }
}

/// The slot of `key`: the top bits of a Fibonacci hash.
#[inline(always)]
fn slot_of(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOTS.trailing_zeros())) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        #[test]
        fn what_leaves_sums_to_what_came_in(keys in proptest::collection::vec(0u64..2000, 0..3000)) {
            let mut recent = RecentCounts::default();
            let mut got = BTreeMap::new();
            for &key in &keys {
                if let Some((k, n)) = recent.add(key) {
                    *got.entry(k).or_insert(0) += n;
                }
            }
            for (k, n) in recent.drain() {
                *got.entry(k).or_insert(0) += n;
            }
            let mut want = BTreeMap::new();
            for &key in &keys {
                *want.entry(key).or_insert(0u64) += 1;
            }
            prop_assert_eq!(got, want);
            prop_assert_eq!(recent.drain().count(), 0);
        }
    }
}
