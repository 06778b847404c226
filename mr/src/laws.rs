//! The laws the kernels keep, as checks that say what broke. The property
//! tests (proptest) and the coverage-guided fuzz targets (`mr/fuzz`) run the
//! same checks, on generated and on mutated inputs.

use std::collections::BTreeMap;

use crate::keys::{JOINER, KeyMaker, KeySpec, Part};
use crate::level::Detector;
use crate::linebuf::{Chunk, LineBuffer, for_each_line, strip_cr};
use crate::map::{count_bytes, count_keyed};
use crate::output::write_count;
use crate::reduce::{Groups, Malformed, Totals, parse_count, parse_line};

/// What a broken law says.
pub type Broken = String;

fn holds(ok: bool, what: impl FnOnce() -> String) -> Result<(), Broken> {
    if ok { Ok(()) } else { Err(what()) }
}

/// The lines of `input` as a plain split at `\n` gives them, each without
/// the CR of a CRLF; a last line without `\n` counts.
pub fn naive_lines(input: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = input.split(|&b| b == b'\n').map(strip_cr).collect();
    if input.is_empty() || input.ends_with(b"\n") {
        lines.pop();
    }
    lines
}

/// The offset just after one of `input`'s line ends, chosen by `cut`
/// (the end of the input when there is none).
fn boundary(input: &[u8], cut: usize) -> usize {
    let ends: Vec<usize> = memchr::memchr_iter(b'\n', input).map(|i| i + 1).collect();
    if ends.is_empty() {
        input.len()
    } else {
        ends[cut % ends.len()]
    }
}

/// Pairs summed per key, sorted by key.
fn summed(pairs: impl IntoIterator<Item = (Vec<u8>, u64)>) -> Vec<(Vec<u8>, u64)> {
    let mut totals = BTreeMap::<Vec<u8>, u64>::new();
    for (k, n) in pairs {
        *totals.entry(k).or_default() += n;
    }
    totals.into_iter().collect()
}

fn level_pairs(input: &[u8], d: &Detector) -> Vec<(Vec<u8>, u64)> {
    let (counts, _) = count_bytes(input, d);
    summed(counts.nonzero(d).map(|(k, n)| (k.to_vec(), n)))
}

/// The level detector `d` and the map kernel: each line gets exactly one key,
/// the one the detector gives the line alone, so the counts add up to the
/// lines and the bytes to the input; mapping two parts split at a line end
/// and summing gives the whole.
pub fn level_counts(d: &Detector, input: &[u8], cut: usize) -> Result<(), Broken> {
    let lines = naive_lines(input);
    let (counts, stats) = count_bytes(input, d);
    holds(counts.total() == lines.len() as u64, || {
        format!("{} counted for {} lines", counts.total(), lines.len())
    })?;
    holds(stats.lines == lines.len() as u64, || {
        format!("{} lines seen of {}", stats.lines, lines.len())
    })?;
    holds(stats.bytes == input.len() as u64, || {
        format!("{} bytes read of {}", stats.bytes, input.len())
    })?;
    let naive = summed(
        lines
            .iter()
            .map(|line| (d.table().key(d.detect(line)).to_vec(), 1)),
    );
    let whole = level_pairs(input, d);
    holds(whole == naive, || {
        format!("counts {whole:?}, line by line {naive:?}")
    })?;
    let at = boundary(input, cut);
    let parts = summed(
        level_pairs(&input[..at], d)
            .into_iter()
            .chain(level_pairs(&input[at..], d)),
    );
    holds(parts == whole, || {
        format!("split at {at}: {parts:?}, whole: {whole:?}")
    })
}

fn keyed_pairs(input: &[u8], d: &Detector, maker: &KeyMaker) -> Vec<(Vec<u8>, u64)> {
    let (counts, _) = count_keyed(input, d, maker);
    summed(counts.iter().map(|(k, n)| (k.to_vec(), n)))
}

/// The key makers, for `spec` over the detector `d`: the counts add up to the lines; a key holds
/// no TAB or LF and splits at `|` into the spec's parts; its level part is
/// the level detector's key; two parts split at a line end sum to the
/// whole.
pub fn keyed_counts(d: &Detector, input: &[u8], spec: &KeySpec, cut: usize) -> Result<(), Broken> {
    let maker = KeyMaker::new(spec.clone(), 2024);
    let lines = naive_lines(input).len() as u64;
    let (counts, stats) = count_keyed(input, d, &maker);
    holds(counts.total() == lines && stats.lines == lines, || {
        format!(
            "{} counted, {} seen, for {lines} lines",
            counts.total(),
            stats.lines
        )
    })?;
    for (key, _) in counts.iter() {
        holds(!key.contains(&b'\t') && !key.contains(&b'\n'), || {
            format!("key {:?} holds a TAB or LF", bstr::BStr::new(key))
        })?;
        holds(
            key.split(|&b| b == JOINER).count() == spec.parts().len(),
            || format!("key {:?} does not split into {spec}", bstr::BStr::new(key)),
        )?;
    }
    if let Some(at) = spec.parts().iter().position(|p| *p == Part::Level) {
        let by_level = summed(counts.iter().map(|(k, n)| {
            let level = k.split(|&b| b == JOINER).nth(at).unwrap_or_default();
            (level.to_vec(), n)
        }));
        let levels = level_pairs(input, d);
        holds(by_level == levels, || {
            format!("level parts {by_level:?}, levels {levels:?}")
        })?;
    }
    let at = boundary(input, cut);
    let parts = summed(
        keyed_pairs(&input[..at], d, &maker)
            .into_iter()
            .chain(keyed_pairs(&input[at..], d, &maker)),
    );
    let whole = keyed_pairs(input, d, &maker);
    holds(parts == whole, || {
        format!("split at {at}: {parts:?}, whole: {whole:?}")
    })
}

/// The reduce line parser: an accepted line splits at its last separator
/// into a key and a count that written back parse to the same pair; a
/// line without the separator or with a count that is not decimal digits
/// below 2^64 is rejected. Summing the lines in any order (the reducer),
/// and summing them sorted one group at a time (`--sorted`), give the same
/// totals.
pub fn reduce_lines(input: &[u8], sep: &[u8]) -> Result<(), Broken> {
    let mut accepted = Vec::new();
    for line in naive_lines(input) {
        let after = memchr::memmem::rfind(line, sep).map(|at| &line[at + sep.len()..]);
        let decimal = after.and_then(|count| {
            let digits = !count.is_empty() && count.iter().all(u8::is_ascii_digit);
            std::str::from_utf8(count)
                .ok()
                .filter(|_| digits)
                .and_then(|s| s.parse::<u64>().ok())
        });
        match parse_line(line, sep) {
            Ok((key, count)) => {
                holds(decimal == Some(count), || {
                    format!("{:?} accepted with count {count}", bstr::BStr::new(line))
                })?;
                let mut again = Vec::new();
                write_count(&mut again, key, sep, count).expect("writing to a Vec");
                let reparsed = parse_line(&again[..again.len() - 1], sep);
                holds(reparsed == Ok((key, count)), || {
                    format!(
                        "{:?} written back parses as {reparsed:?}",
                        bstr::BStr::new(line)
                    )
                })?;
                accepted.push((key.to_vec(), count));
            }
            Err(Malformed::NoSeparator) => holds(after.is_none(), || {
                format!("{:?} has the separator", bstr::BStr::new(line))
            })?,
            Err(why) => holds(decimal.is_none(), || {
                format!(
                    "{:?} rejected ({why}) with a good count",
                    bstr::BStr::new(line)
                )
            })?,
        }
        if let Some(count) = after {
            holds(parse_count(count).ok() == decimal, || {
                format!("count {:?} misread", bstr::BStr::new(count))
            })?;
        }
    }
    let mut totals = Totals::new();
    let mut overflowed = false;
    for (key, count) in &accepted {
        overflowed |= totals.add(key, *count).is_err();
    }
    if overflowed {
        return Ok(());
    }
    let totals = totals.into_sorted();
    accepted.sort();
    let mut grouped = Vec::new();
    let mut groups = Groups::new(&mut grouped, sep);
    for (key, count) in &accepted {
        groups
            .add(key, *count)
            .expect("writing to a Vec")
            .map_err(|why| format!("a sorted group overflowed ({why}) where totals did not"))?;
    }
    groups.finish().expect("writing to a Vec");
    let mut written = Vec::new();
    for (key, total) in &totals {
        write_count(&mut written, key, sep, *total).expect("writing to a Vec");
    }
    holds(grouped == written, || {
        format!(
            "sorted groups {:?}, totals {:?}",
            bstr::BStr::new(&grouped),
            bstr::BStr::new(&written)
        )
    })
}

/// The line buffer: with any read size and longest line, it hands out the
/// naive lines in order, a line that does not fit by its first `max_line`
/// bytes, once, and reads every byte.
pub fn line_buffer(input: &[u8], read_size: usize, max_line: usize) -> Result<(), Broken> {
    let mut buf = LineBuffer::new(read_size, max_line);
    let mut rdr = input;
    // (bytes handed out, as a head of a long line)
    let mut got: Vec<(Vec<u8>, bool)> = Vec::new();
    while let Some(chunk) = buf.next_chunk(&mut rdr).map_err(|e| e.to_string())? {
        match chunk {
            Chunk::Lines(lines) => for_each_line::<()>(lines, |l| {
                got.push((l.to_vec(), false));
                Ok(())
            })
            .expect("collecting cannot fail"),
            Chunk::LongLine(head) => got.push((head.to_vec(), true)),
        }
    }
    holds(buf.bytes_read() == input.len() as u64, || {
        format!("{} bytes read of {}", buf.bytes_read(), input.len())
    })?;
    let want = naive_lines(input);
    holds(got.len() == want.len(), || {
        format!("{} lines of {}", got.len(), want.len())
    })?;
    let max = max_line.max(1);
    for ((got, long), want) in got.iter().zip(&want) {
        let ok = if *long {
            got.len() == max && want.starts_with(strip_cr(got))
        } else {
            got == want && got.len() < max + 1
        };
        holds(ok, || {
            format!(
                "line {:?} handed out as {:?} (long: {long}) under a maximum of {max}",
                bstr::BStr::new(want),
                bstr::BStr::new(got)
            )
        })?;
    }
    Ok(())
}
