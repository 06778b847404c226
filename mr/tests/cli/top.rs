//! `logmr top`.

use crate::util::*;

#[test]
fn top_prints_the_largest_totals() {
    let table: &[(&[&str], &str, &str)] = &[
        (&["-n", "2"], "a\t1\nb\t5\na\t7\nc\t5\n", "a\t8\nb\t5\n"),
        (&["-n", "3"], "b\t5\nc\t5\na\t5\n", "a\t5\nb\t5\nc\t5\n"),
        (&["-n", "9"], "x\t1\n", "x\t1\n"),
        (&["-n", "0"], "x\t1\n", ""),
        (&["-n", "1", "-s", ":"], "k:a:1\nk:b:2\n", "k:b:2\n"),
        (&[], "", ""),
    ];
    for (flags, input, want) in table {
        let mut args = vec!["top"];
        args.extend(*flags);
        let out = run(&args, input.as_bytes());
        assert!(out.status.success(), "{flags:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), *want, "{flags:?} on {input:?}");
    }
    let strict = run(&["top", "--strict"], b"a\tx\n");
    assert_eq!(strict.status.code(), Some(3));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn top_is_the_head_of_a_full_sort(pairs in proptest::collection::vec((0u8..20, 0u64..50), 0..60), n in 0usize..25) {
        let input: String = pairs.iter().map(|(k, c)| format!("k{k}\t{c}\n")).collect();
        let mut totals = std::collections::BTreeMap::<String, u64>::new();
        for (k, c) in &pairs {
            *totals.entry(format!("k{k}")).or_default() += c;
        }
        let mut all: Vec<(String, u64)> = totals.into_iter().collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let want: String = all.iter().take(n).map(|(k, c)| format!("{k}\t{c}\n")).collect();
        let out = run(&["top", "-n", &n.to_string()], input.as_bytes());
        prop_assert!(out.status.success());
        prop_assert_eq!(stdout(&out), want);
    }
}
