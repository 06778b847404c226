//! Templates learned from the data. `logmr map --by template` masks each
//! line on its own (numbers, ids, hosts, paths: [`crate::keys::template`]);
//! this step learns from the whole table of those pre-templates which
//! further tokens are variables, and groups the pre-templates into events.
//!
//! 1. A pre-template's **skeleton** is its tokens without those that hold
//!    nothing but masks and punctuation (`<NUM>`, `(<HOST>)`, `[-]`, `-`):
//!    an event whose lines carry an optional id or a different number of
//!    them keeps one skeleton. A pre-template made only of such tokens is
//!    its own skeleton.
//! 2. Among skeletons of the same length, a position is **variable** where
//!    skeletons that agree on every other position take at least
//!    [`MIN_VALUES`] distinct tokens there, and those other positions hold
//!    at least [`MIN_WORDS`] words: the user in `session opened for user
//!    alice`, a service or a peer name. Positions are taken in order, and a
//!    position found variable counts as one value when the next is tested.
//! 3. A skeleton's **template** is the most specific learned pattern that
//!    matches it: literal tokens equal, variables anything, the fewest
//!    variables first and the smallest text among equals.
//!
//! The grouping depends only on the set of distinct skeletons, so on the
//! multiset of lines, never on how the input was split, how often a
//! combiner ran or in what order the table was read: the reduced table is
//! its sufficient statistic. A template is shown as its commonest
//! pre-template with each variable token written [`VARIABLE`], and its id
//! ([`Template::id`]) is a hash of its skeleton pattern, so the same event
//! keeps its id from one day's output to the next's. [`Templates::parse`]
//! reads shown templates back, to put each line of new input under the
//! learned template that matches it.

use ahash::AHashMap;

/// How a learned variable is shown.
pub const VARIABLE: &[u8] = b"<VAR>";
/// The masks of [`crate::keys::template`].
const MASKS: &[&[u8]] = &[
    b"<NUM>", b"<HEX>", b"<HOST>", b"<UUID>", b"<PATH>", b"<BLK>", b"<*>",
];
/// Distinct tokens at one position, among skeletons that agree elsewhere,
/// that make the position a variable.
pub const MIN_VALUES: usize = 4;
/// Words (two letters in a row, no mask) that the rest of those skeletons
/// must hold: a variable is learned inside a sentence, not among ids.
pub const MIN_WORDS: usize = 3;
/// Positions a pattern can mark variable; longer skeletons learn none past it.
const MAX_POSITIONS: usize = 128;
/// Skeletons remembered by [`Templates::find_cached`] before it starts over.
const MAX_CACHED: usize = 1 << 16;

/// Is `token` only masks and punctuation: a mask with no letter or digit
/// beside it, or nothing but brackets and dashes (`[-]`, `()`)?
fn is_masked(token: &[u8]) -> bool {
    let (mut mask, mut brackets_only) = (false, true);
    let mut at = 0;
    while at < token.len() {
        if token[at] == b'<' {
            if let Some(m) = MASKS.iter().find(|m| token[at..].starts_with(m)) {
                mask = true;
                at += m.len();
                continue;
            }
        }
        let b = token[at];
        if b.is_ascii_alphanumeric() {
            return false;
        }
        brackets_only &= matches!(b, b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'-');
        at += 1;
    }
    mask || brackets_only
}

/// Two ASCII letters in a row, and no mask.
fn is_word(token: &[u8]) -> bool {
    !token.contains(&b'<')
        && token
            .windows(2)
            .any(|w| w[0].is_ascii_alphabetic() && w[1].is_ascii_alphabetic())
}

/// The space-separated tokens of `template`.
fn tokens(template: &[u8]) -> impl Iterator<Item = &[u8]> {
    template.split(|&b| b == b' ').filter(|t| !t.is_empty())
}

/// The skeleton of a pre-template: see the module documentation.
pub fn skeleton(template: &[u8]) -> Vec<&[u8]> {
    let kept: Vec<&[u8]> = tokens(template).filter(|t| !is_masked(t)).collect();
    if kept.is_empty() {
        tokens(template).collect()
    } else {
        kept
    }
}

/// Variable positions, one bit each.
type Mask = u128;

/// A skeleton with its variable positions, as one text: the tokens joined
/// by spaces, each variable one written [`VARIABLE`].
fn pattern_text(tokens: &[&[u8]], mask: Mask) -> Vec<u8> {
    let mut text = Vec::with_capacity(tokens.iter().map(|t| t.len() + 1).sum());
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            text.push(b' ');
        }
        text.extend_from_slice(if is_set(mask, i) { VARIABLE } else { t });
    }
    text
}

fn is_set(mask: Mask, i: usize) -> bool {
    i < MAX_POSITIONS && mask & (1 << i) != 0
}

/// FNV-1a, 64 bits: the same on every machine and in every run.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A token at a position, hashed: the parts of a signature.
fn token_hash(position: usize, token: &[u8]) -> u64 {
    let h = fnv1a(token) ^ (position as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    // A final mix, so that sums of these hashes do not cancel.
    let h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// One learned template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// The skeleton with its variables written [`VARIABLE`].
    pattern: Vec<u8>,
    /// The id's 48 bits, from the pattern, computed once.
    id: u64,
    /// The commonest pre-template, its variable tokens written [`VARIABLE`].
    shown: Vec<u8>,
}

impl Template {
    /// A pre-template that no learned template matches, as its own.
    pub fn own(pre_template: &[u8]) -> Template {
        Template::new(
            pattern_text(&skeleton(pre_template), 0),
            pre_template.to_vec(),
        )
    }

    fn new(pattern: Vec<u8>, shown: Vec<u8>) -> Template {
        let id = fnv1a(&pattern) >> 16;
        Template { pattern, id, shown }
    }

    /// Twelve hex digits from the pattern: stable across days and machines.
    pub fn id(&self) -> String {
        format!("{:012x}", self.id)
    }

    /// Is `part` a template id as [`Template::write_id`] writes it: 12
    /// lower-case hex digits?
    pub fn is_id(part: &[u8]) -> bool {
        part.len() == 12 && part.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    }

    /// Appends [`Template::id`] to `out`, without allocating.
    pub fn write_id(&self, out: &mut Vec<u8>) {
        for shift in (0..12).rev() {
            out.push(b"0123456789abcdef"[(self.id >> (shift * 4)) as usize & 0xf]);
        }
    }

    /// The template as shown: masks, and learned variables as [`VARIABLE`].
    pub fn shown(&self) -> &[u8] {
        &self.shown
    }
}

/// A set of templates, learned from a table or read back from output.
#[derive(Clone, Debug, Default)]
pub struct Templates {
    templates: Vec<Template>,
    /// Template index by pattern text.
    by_pattern: AHashMap<Vec<u8>, usize>,
    /// The variable positions in use, by skeleton length: fewest first.
    masks: AHashMap<usize, Vec<Mask>>,
    /// Pattern lookups of [`Templates::find_cached`].
    cache: AHashMap<Vec<u8>, Option<usize>>,
}

impl Templates {
    /// Learns templates from a table of pre-templates and their counts (the
    /// counts choose only how a template is shown); returns them with the
    /// template of each row, in the table's order.
    pub fn learn(table: &[(&[u8], u64)]) -> (Templates, Vec<usize>) {
        let skeletons: Vec<Vec<&[u8]>> = table.iter().map(|(t, _)| skeleton(t)).collect();
        let mut distinct: Vec<&[&[u8]]> = skeletons.iter().map(Vec::as_slice).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let mut by_length: AHashMap<usize, Vec<&[&[u8]]>> = AHashMap::new();
        for s in distinct {
            by_length.entry(s.len()).or_default().push(s);
        }
        let mut templates = Templates::default();
        let mut lengths: Vec<_> = by_length.keys().copied().collect();
        lengths.sort_unstable();
        for n in lengths {
            let members = &by_length[&n];
            for (s, mask) in members.iter().zip(variable_positions(members)) {
                templates.add(pattern_text(s, mask), mask, n, Vec::new());
            }
        }
        templates.sort_masks();
        // Every row under the most specific pattern that matches it, and
        // each template shown as its commonest row.
        let mut best: Vec<Option<usize>> = vec![None; templates.templates.len()];
        let assigned: Vec<usize> = skeletons
            .iter()
            .enumerate()
            .map(|(row, s)| {
                let t = templates
                    .find(s)
                    .expect("a skeleton matches the pattern it gave");
                let better = best[t].is_none_or(|b| {
                    let (text, count) = table[row];
                    (count, std::cmp::Reverse(text)) > (table[b].1, std::cmp::Reverse(table[b].0))
                });
                if better {
                    best[t] = Some(row);
                }
                t
            })
            .collect();
        for (t, row) in best.into_iter().enumerate() {
            if let Some(row) = row {
                let mask = mask_of(&templates.templates[t].pattern);
                templates.templates[t].shown = shown(table[row].0, mask);
            }
        }
        (templates, assigned)
    }

    /// Reads back templates as [`Template::shown`] writes them.
    pub fn parse<'a>(shown: impl IntoIterator<Item = &'a [u8]>) -> Templates {
        let mut templates = Templates::default();
        for text in shown {
            let s = skeleton(text);
            let mask = mask_of(&pattern_text(&s, 0));
            templates.add(pattern_text(&s, mask), mask, s.len(), text.to_vec());
        }
        templates.sort_masks();
        templates
    }

    fn add(&mut self, pattern: Vec<u8>, mask: Mask, length: usize, shown: Vec<u8>) {
        if self.by_pattern.contains_key(&pattern) {
            return;
        }
        self.by_pattern
            .insert(pattern.clone(), self.templates.len());
        self.templates.push(Template::new(pattern, shown));
        let masks = self.masks.entry(length).or_default();
        if !masks.contains(&mask) {
            masks.push(mask);
        }
    }

    fn sort_masks(&mut self) {
        for masks in self.masks.values_mut() {
            masks.sort_unstable_by_key(|m| (m.count_ones(), *m));
        }
    }

    pub fn get(&self, index: usize) -> &Template {
        &self.templates[index]
    }

    pub fn len(&self) -> usize {
        self.templates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }

    /// The most specific template whose pattern matches `skeleton`: the
    /// fewest variables, then the smallest pattern text.
    pub fn find(&self, skeleton: &[&[u8]]) -> Option<usize> {
        let masks = self.masks.get(&skeleton.len())?;
        let mut found: Option<(u32, usize)> = None;
        for &mask in masks {
            if found.is_some_and(|(ones, _)| mask.count_ones() > ones) {
                break;
            }
            if let Some(&t) = self.by_pattern.get(&pattern_text(skeleton, mask)) {
                let smaller = found
                    .is_none_or(|(_, f)| self.templates[t].pattern < self.templates[f].pattern);
                if smaller {
                    found = Some((mask.count_ones(), t));
                }
            }
        }
        found.map(|(_, t)| t)
    }

    /// [`Templates::find`] for the skeleton of a pre-template, remembered.
    pub fn find_cached(&mut self, pre_template: &[u8]) -> Option<usize> {
        let s = skeleton(pre_template);
        let key = pattern_text(&s, 0);
        if let Some(&found) = self.cache.get(&key) {
            return found;
        }
        let found = self.find(&s);
        if self.cache.len() >= MAX_CACHED {
            self.cache.clear();
        }
        self.cache.insert(key, found);
        found
    }
}

/// The variable positions of a pattern text.
fn mask_of(pattern: &[u8]) -> Mask {
    tokens(pattern)
        .enumerate()
        .filter(|(i, t)| *t == VARIABLE && *i < MAX_POSITIONS)
        .fold(0, |m, (i, _)| m | 1 << i)
}

/// `pre_template` with the tokens at `mask`'s skeleton positions written
/// [`VARIABLE`].
fn shown(pre_template: &[u8], mask: Mask) -> Vec<u8> {
    let all_masked = tokens(pre_template).all(is_masked);
    let mut out = Vec::with_capacity(pre_template.len());
    let mut position = 0;
    for t in tokens(pre_template) {
        if !out.is_empty() {
            out.push(b' ');
        }
        if all_masked || !is_masked(t) {
            out.extend_from_slice(if is_set(mask, position) { VARIABLE } else { t });
            position += 1;
        } else {
            out.extend_from_slice(t);
        }
    }
    out
}

/// The variable positions of each of `members`, skeletons of one length:
/// see the module documentation.
fn variable_positions(members: &[&[&[u8]]]) -> Vec<Mask> {
    let n = members.first().map_or(0, |s| s.len()).min(MAX_POSITIONS);
    let mut masks = vec![0 as Mask; members.len()];
    if members.len() < MIN_VALUES {
        return masks;
    }
    let variable = token_hash(usize::MAX, VARIABLE);
    // Per member: each position's hash, their sum, and its words.
    let mut hashes: Vec<Vec<u64>> = members
        .iter()
        .map(|s| {
            s.iter()
                .enumerate()
                .map(|(i, t)| token_hash(i, t))
                .collect()
        })
        .collect();
    let mut sums: Vec<u64> = hashes
        .iter()
        .map(|h| h.iter().fold(0u64, |a, &b| a.wrapping_add(b)))
        .collect();
    let mut words: Vec<usize> = members
        .iter()
        .map(|s| s.iter().filter(|t| is_word(t)).count())
        .collect();
    for pos in 0..n {
        // (signature without this position, value at it), distinct.
        let mut pairs: Vec<(u64, u64)> = (0..members.len())
            .map(|m| (sums[m].wrapping_sub(hashes[m][pos]), hashes[m][pos]))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut values: AHashMap<u64, usize> = AHashMap::new();
        for (signature, _) in &pairs {
            *values.entry(*signature).or_default() += 1;
        }
        for m in 0..members.len() {
            if masks[m] & (1 << pos) != 0 {
                continue;
            }
            let token = members[m][pos];
            let others = words[m] - usize::from(is_word(token));
            let signature = sums[m].wrapping_sub(hashes[m][pos]);
            if others >= MIN_WORDS && values[&signature] >= MIN_VALUES {
                masks[m] |= 1 << pos;
                words[m] = others;
                sums[m] = signature.wrapping_add(variable);
                hashes[m][pos] = variable;
            }
        }
    }
    masks
}

/// Distinct pattern texts in `templates`, for tests.
#[cfg(test)]
fn patterns(templates: &Templates) -> ahash::AHashSet<Vec<u8>> {
    templates
        .templates
        .iter()
        .map(|t| t.pattern.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learn(rows: &[(&str, u64)]) -> (Templates, Vec<String>) {
        let table: Vec<(&[u8], u64)> = rows.iter().map(|(t, c)| (t.as_bytes(), *c)).collect();
        let (templates, assigned) = Templates::learn(&table);
        let shown = assigned
            .iter()
            .map(|&t| String::from_utf8_lossy(templates.get(t).shown()).into_owned())
            .collect();
        (templates, shown)
    }

    #[test]
    fn skeletons_drop_masked_tokens() {
        let s = |t: &str| {
            skeleton(t.as_bytes())
                .iter()
                .map(|t| String::from_utf8_lossy(t).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            s("[-] connection from <HOST> (<HOST>) at <*> <NUM>, closed"),
            "connection from at closed"
        );
        assert_eq!(s("<NUM> <NUM>"), "<NUM> <NUM>");
        assert_eq!(s("uid=<NUM> user=<VAR>:"), "uid=<NUM> user=<VAR>:");
        assert_eq!(s("a - b () c"), "a b c");
    }

    #[test]
    fn a_word_that_takes_many_values_in_one_sentence_is_a_variable() {
        let users = ["alice", "bob", "carol", "dave"];
        let rows: Vec<(String, u64)> = users
            .iter()
            .map(|u| (format!("session opened for user {u} by <*>"), 2))
            .chain([("session closed for user root".to_string(), 1)])
            .collect();
        let rows: Vec<(&str, u64)> = rows.iter().map(|(t, c)| (t.as_str(), *c)).collect();
        let (templates, shown) = learn(&rows);
        assert_eq!(templates.len(), 2);
        assert_eq!(shown[0], "session opened for user <VAR> by <*>");
        assert!(shown[..4].iter().all(|s| *s == shown[0]));
        assert_eq!(shown[4], "session closed for user root");
        // Three users are not enough to tell a variable from three events.
        let (templates, _) = learn(&rows[1..]);
        assert_eq!(templates.len(), 4);
    }

    #[test]
    fn ids_do_not_depend_on_counts_or_on_other_templates() {
        let (a, _) = learn(&[("job <NUM> done", 1), ("disk full", 9)]);
        let (b, _) = learn(&[("job <NUM> done", 7)]);
        let id = |t: &Templates, shown: &str| {
            (0..t.len())
                .find(|&i| t.get(i).shown() == shown.as_bytes())
                .map(|i| t.get(i).id())
        };
        assert_eq!(id(&a, "job <NUM> done"), id(&b, "job <NUM> done"));
        assert_eq!(a.get(0).id().len(), 12);
        let mut written = Vec::new();
        a.get(0).write_id(&mut written);
        assert_eq!(written, a.get(0).id().as_bytes());
        assert_ne!(a.get(0).id(), a.get(1).id());
    }

    #[test]
    fn shown_templates_read_back_to_the_same_patterns() {
        let rows = [
            ("user alice logged in from <HOST>", 3),
            ("user bob logged in from <HOST>", 1),
            ("user carol logged in from <HOST>", 1),
            ("user dave logged in from <HOST> (<NUM>)", 1),
            ("<NUM> <NUM>", 1),
        ];
        let (learned, _) = learn(&rows);
        let parsed = Templates::parse(learned.templates.iter().map(|t| t.shown()));
        assert_eq!(patterns(&learned), patterns(&parsed));
        assert_eq!(learned.len(), 2);
    }

    /// The table of pre-templates of `lines`, counted over `chunks` (each a
    /// split's table, as a map task or combiner writes it) merged in turn.
    fn table_of(lines: &[String], cut: &[usize]) -> Vec<(Vec<u8>, u64)> {
        let mut merged: AHashMap<Vec<u8>, u64> = AHashMap::new();
        let mut start = 0;
        for &end in cut.iter().chain([&lines.len()]) {
            let end = end.clamp(start, lines.len());
            let mut chunk: AHashMap<Vec<u8>, u64> = AHashMap::new();
            for line in &lines[start..end] {
                let mut pre = Vec::new();
                crate::keys::template::write(line.as_bytes(), &mut pre);
                *chunk.entry(pre).or_default() += 1;
            }
            for (k, n) in chunk {
                *merged.entry(k).or_default() += n;
            }
            start = end;
        }
        merged.into_iter().collect()
    }

    fn line_strategy() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let events = prop::sample::select(vec![
            "session opened for user {w} by uid={n}",
            "session closed for user {w}",
            "connection from {n}.{n}.{n}.{n} ({w}) at {n}",
            "job {n} of {w} finished in {n} ms",
            "{w} {w} {w}",
            "disk {w} is full",
            "[-] request {n} done",
        ]);
        let words = prop::sample::select(vec![
            "alice", "bob", "carol", "dave", "erin", "root", "news", "x1", "a-b",
        ]);
        (events, prop::collection::vec((words, 0u32..99_999), 4)).prop_map(|(event, vars)| {
            let mut line = event.to_string();
            for (w, n) in vars {
                line = line
                    .replacen("{w}", w, 1)
                    .replacen("{n}", &n.to_string(), 1);
            }
            line.replace("{w}", "zed").replace("{n}", "7")
        })
    }

    proptest::proptest! {
        #[test]
        fn the_grouping_depends_only_on_the_lines(
            lines in proptest::collection::vec(line_strategy(), 1..120),
            cut in proptest::collection::vec(0usize..120, 0..6),
            seed in 0u64..1000,
        ) {
            // One table from the whole input; another from splits, merged,
            // and read in another order.
            let whole = table_of(&lines, &[]);
            let mut cut = cut;
            cut.sort_unstable();
            let mut split = table_of(&lines, &cut);
            split.sort_unstable_by_key(|(k, _)| fnv1a(k) ^ seed);
            let group = |table: &[(Vec<u8>, u64)]| {
                let rows: Vec<(&[u8], u64)> = table.iter().map(|(k, n)| (k.as_slice(), *n)).collect();
                let (templates, assigned) = Templates::learn(&rows);
                let by_pre: AHashMap<Vec<u8>, String> = rows
                    .iter()
                    .zip(&assigned)
                    .map(|((k, _), &t)| (k.to_vec(), templates.get(t).id()))
                    .collect();
                (templates, by_pre)
            };
            let (templates, whole_groups) = group(&whole);
            let (_, split_groups) = group(&split);
            proptest::prop_assert_eq!(&whole_groups, &split_groups);
            // Templates read back from their shown form put every
            // pre-template where learning put it.
            let mut parsed = Templates::parse(templates.templates.iter().map(|t| t.shown()));
            for (pre, id) in &whole_groups {
                let found = parsed.find_cached(pre).map(|t| parsed.get(t).id());
                proptest::prop_assert_eq!(found.as_ref(), Some(id));
            }
        }
    }

    #[test]
    fn an_empty_table_learns_nothing() {
        let (templates, assigned) = Templates::learn(&[]);
        assert!(templates.is_empty() && assigned.is_empty());
    }
}
