//! Reading on a second thread: one thread reads (inflating gzip, decoding
//! UTF-16) and cuts the bytes into chunks of whole lines,
//! while the calling thread counts the chunks before. A few buffers go
//! back and forth between the two, so memory stays bounded.

use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, Sender};

use super::{Chunk, LineBuffer, OwnedChunk};

/// Chunks read and waiting to be counted.
const QUEUED: usize = 2;

/// Buffers besides the line buffer's own: the queued chunks, the one
/// being counted, and one for the reader to fill next.
const SPARES: usize = QUEUED + 2;

/// A buffer grown past this many times the read size (by a long line) is
/// dropped when it comes back, not kept for the next chunks.
const KEEP_GROWTH: usize = 4;

/// What the reading thread sends: a chunk, or the error that ended it.
type Message = io::Result<OwnedChunk>;

/// [`LineBuffer::for_each_chunk`] with the reads on a second thread.
pub fn for_each_chunk<R: Read + Send + ?Sized, E>(
    buf: &mut LineBuffer,
    rdr: &mut R,
    read_error: impl Fn(io::Error) -> E,
    f: impl FnMut(Chunk<'_>, u64) -> Result<(), E>,
) -> Result<(), E> {
    let size = buf.read_size();
    let (full_tx, full_rx) = mpsc::sync_channel::<Message>(QUEUED);
    let (spare_tx, spare_rx) = mpsc::channel::<Vec<u8>>();
    for _ in 0..SPARES {
        let _ = spare_tx.send(vec![0; size]);
    }
    std::thread::scope(|scope| {
        scope.spawn(move || {
            // No spare comes back once the counting side has ended.
            while let Ok(spare) = spare_rx.recv() {
                let Some(message) = buf.next_owned(rdr, spare).transpose() else {
                    return;
                };
                let failed = message.is_err();
                // The counting side hung up (it failed): stop reading.
                if full_tx.send(message).is_err() || failed {
                    return;
                }
            }
        });
        // `full_rx` is dropped when this returns, before the reading thread
        // is joined, so a reader blocked on a full queue wakes up and ends.
        count_chunks(full_rx, spare_tx, size, read_error, f)
    })
}

/// The counting side: `f` on each chunk in order, the buffers sent back
/// (one grown by a long line as a new one of the read size).
fn count_chunks<E>(
    full: Receiver<Message>,
    spare: Sender<Vec<u8>>,
    size: usize,
    read_error: impl Fn(io::Error) -> E,
    mut f: impl FnMut(Chunk<'_>, u64) -> Result<(), E>,
) -> Result<(), E> {
    for message in full {
        let chunk = message.map_err(&read_error)?;
        f(chunk.chunk(), chunk.bytes_read)?;
        let buf = if chunk.buf.capacity() <= size * KEEP_GROWTH {
            chunk.buf
        } else {
            vec![0; size]
        };
        let _ = spare.send(buf);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linebuf::for_each_line;
    use proptest::prelude::*;

    /// The lines (and whether each was cut) of `input`, read ahead or not.
    fn lines(input: &[u8], read_size: usize, max_line: usize, ahead: bool) -> Vec<(Vec<u8>, bool)> {
        let mut buf = LineBuffer::new(read_size, max_line);
        buf.set_read_ahead(ahead);
        let mut rdr = input;
        let mut out = Vec::new();
        let mut last_bytes = 0;
        let total = buf
            .for_each_chunk::<_, ()>(
                &mut rdr,
                |e| panic!("reading a slice failed: {e}"),
                |chunk, bytes| {
                    last_bytes = bytes;
                    match chunk {
                        Chunk::Lines(lines) => for_each_line::<()>(lines, |l| {
                            out.push((l.to_vec(), false));
                            Ok(())
                        })?,
                        Chunk::LongLine(head) => out.push((head.to_vec(), true)),
                    }
                    Ok(())
                },
            )
            .unwrap();
        assert_eq!(total, input.len() as u64);
        assert!(last_bytes <= total);
        out
    }

    /// A reader that fails after some bytes.
    struct FailingAfter<'a>(&'a [u8]);

    impl Read for FailingAfter<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::other("disk gone"));
            }
            let n = out.len().min(self.0.len()).min(3);
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_read_error_reaches_the_counting_side() {
        let mut buf = LineBuffer::new(4, 64);
        buf.set_read_ahead(true);
        let mut seen = 0;
        let err = buf
            .for_each_chunk(
                &mut FailingAfter(b"a\nb\nc\nd\n"),
                |e| e.to_string(),
                |_, _| {
                    seen += 1;
                    Ok(())
                },
            )
            .unwrap_err();
        assert_eq!(err, "disk gone");
        assert!(seen > 0);
    }

    #[test]
    fn a_counting_error_stops_the_reader() {
        // More chunks than the queue holds, so the reader blocks on it.
        let input = b"line\n".repeat(1000);
        let mut buf = LineBuffer::new(8, 64);
        buf.set_read_ahead(true);
        let mut calls = 0;
        let err = buf
            .for_each_chunk(
                &mut &input[..],
                |e| e.to_string(),
                |_, _| {
                    calls += 1;
                    if calls == 3 {
                        Err("write failed".to_string())
                    } else {
                        Ok(())
                    }
                },
            )
            .unwrap_err();
        assert_eq!((err.as_str(), calls), ("write failed", 3));
    }

    proptest! {
        #[test]
        fn reading_ahead_yields_what_reading_inline_does(
            input in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'\r'), any::<u8>()], 0..400),
            read_size in 1usize..40,
            max_line in 1usize..24,
        ) {
            prop_assert_eq!(
                lines(&input, read_size, max_line, true),
                lines(&input, read_size, max_line, false)
            );
        }
    }
}
