//! A reusable line buffer: reads large blocks, hands out slices of whole
//! lines up to the last newline, and rolls the unfinished tail to the front.
//!
//! A line longer than the buffer's maximum is not lost: its head is handed
//! out as a [`Chunk::LongLine`] and the rest of it is skipped, so the line is
//! still seen exactly once. Memory stays bounded by the maximum line length.

mod readahead;

use std::io::{self, Read};

use memchr::{memchr, memchr_iter, memrchr};

use crate::bytescan::newlines64;

/// Bytes asked of the reader per `read` call.
pub const DEFAULT_READ_SIZE: usize = 256 * 1024;

/// Longest line kept whole; longer lines are handed out as their head.
pub const DEFAULT_MAX_LINE: usize = 8 * 1024 * 1024;

/// What [`LineBuffer::next_chunk`] hands out.
#[derive(Debug, PartialEq, Eq)]
pub enum Chunk<'a> {
    /// One or more whole lines, each ending in `\n`, except that the last
    /// chunk of the input may end in a line without one.
    Lines(&'a [u8]),
    /// The first bytes of a line longer than the maximum. The rest of that
    /// line is skipped.
    LongLine(&'a [u8]),
}

/// A line buffer; reuse it across inputs with [`LineBuffer::reset`].
#[derive(Debug)]
pub struct LineBuffer {
    buf: Vec<u8>,
    read_size: usize,
    max_line: usize,
    /// Start of the unconsumed tail.
    start: usize,
    /// End of the valid bytes.
    end: usize,
    eof: bool,
    /// Discarding the rest of a long line until the next newline.
    skipping: bool,
    /// Bytes read from the current input so far.
    bytes_read: u64,
    /// Read on a second thread in `for_each_chunk`.
    read_ahead: bool,
}

impl Default for LineBuffer {
    fn default() -> Self {
        LineBuffer::new(DEFAULT_READ_SIZE, DEFAULT_MAX_LINE)
    }
}

impl LineBuffer {
    /// A buffer reading `read_size` bytes at a time and keeping lines of up
    /// to `max_line` bytes whole. Both are at least 1.
    pub fn new(read_size: usize, max_line: usize) -> LineBuffer {
        let read_size = read_size.max(1);
        LineBuffer {
            buf: Vec::new(),
            read_size,
            max_line: max_line.max(1),
            start: 0,
            end: 0,
            eof: false,
            skipping: false,
            bytes_read: 0,
            read_ahead: false,
        }
    }

    /// Prepares for a new input, keeping the allocation.
    pub fn reset(&mut self) {
        self.start = 0;
        self.end = 0;
        self.eof = false;
        self.skipping = false;
        self.bytes_read = 0;
    }

    /// Bytes asked of the reader per `read` call.
    pub fn read_size(&self) -> usize {
        self.read_size
    }

    /// Bytes read from the current input so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Reads into `buf[end..]`, growing the buffer as far as `max_line`.
    /// Returns the number of bytes read; 0 at end of input.
    fn fill<R: Read + ?Sized>(&mut self, rdr: &mut R) -> io::Result<usize> {
        let room = self.read_size.min(self.max_line - self.end).max(1);
        if self.buf.len() < self.end + room {
            self.buf.resize(self.end + room, 0);
        }
        loop {
            match rdr.read(&mut self.buf[self.end..self.end + room]) {
                Ok(n) => {
                    self.end += n;
                    self.bytes_read += n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// The next chunk of lines, or `None` at the end of the input.
    pub fn next_chunk<R: Read + ?Sized>(&mut self, rdr: &mut R) -> io::Result<Option<Chunk<'_>>> {
        Ok(self
            .advance(rdr)?
            .map(|(kind, len)| kind.chunk(&self.buf[..len])))
    }

    /// Like [`LineBuffer::next_chunk`], but hands the chunk out in a buffer
    /// of its own: `spare` takes its place here, with the unfinished tail
    /// moved to its front, so the chunk can be read on another thread
    /// while this one reads on.
    pub fn next_owned<R: Read + ?Sized>(
        &mut self,
        rdr: &mut R,
        mut spare: Vec<u8>,
    ) -> io::Result<Option<OwnedChunk>> {
        let Some((kind, len)) = self.advance(rdr)? else {
            return Ok(None);
        };
        let tail = self.end - self.start;
        if spare.len() < tail {
            spare.resize(tail, 0);
        }
        spare[..tail].copy_from_slice(&self.buf[self.start..self.end]);
        let full = std::mem::replace(&mut self.buf, spare);
        (self.start, self.end) = (0, tail);
        Ok(Some(OwnedChunk {
            buf: full,
            len,
            kind,
            bytes_read: self.bytes_read,
        }))
    }

    /// Calls `f` with each chunk of `rdr` and the bytes of the input read
    /// once it was cut, and returns the bytes read in all. With
    /// [`LineBuffer::set_read_ahead`], a second thread reads the next chunks
    /// while `f` runs.
    pub fn for_each_chunk<R: Read + Send + ?Sized, E>(
        &mut self,
        rdr: &mut R,
        read_error: impl Fn(io::Error) -> E,
        mut f: impl FnMut(Chunk<'_>, u64) -> Result<(), E>,
    ) -> Result<u64, E> {
        self.reset();
        if self.read_ahead {
            readahead::for_each_chunk(self, rdr, read_error, f)?;
        } else {
            while let Some((kind, len)) = self.advance(rdr).map_err(&read_error)? {
                let bytes_read = self.bytes_read;
                f(kind.chunk(&self.buf[..len]), bytes_read)?;
            }
        }
        Ok(self.bytes_read)
    }

    /// Reads on a second thread in [`LineBuffer::for_each_chunk`]: for
    /// inputs whose reading costs about as much CPU as counting them (a
    /// gzip file inflated) and never blocks for long (a regular file, not
    /// a pipe). See `Task::reads_ahead` (`tasks`).
    pub fn set_read_ahead(&mut self, on: bool) {
        self.read_ahead = on;
    }

    /// The next chunk, as its kind and length at the front of `buf`.
    fn advance<R: Read + ?Sized>(&mut self, rdr: &mut R) -> io::Result<Option<(ChunkKind, usize)>> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        while self.skipping {
            self.end = 0;
            if self.fill(rdr)? == 0 {
                self.skipping = false;
                self.eof = true;
                return Ok(None);
            }
            if let Some(nl) = memchr(b'\n', &self.buf[..self.end]) {
                self.skipping = false;
                self.start = nl + 1;
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
                // What followed the long line may hold whole lines already.
                if let Some(nl) = memrchr(b'\n', &self.buf[..self.end]) {
                    self.start = nl + 1;
                    return Ok(Some((ChunkKind::Lines, self.start)));
                }
            }
        }
        loop {
            if self.eof {
                if self.end == 0 {
                    return Ok(None);
                }
                let end = std::mem::take(&mut self.end);
                return Ok(Some((ChunkKind::Lines, end)));
            }
            let old_end = self.end;
            if self.fill(rdr)? == 0 {
                self.eof = true;
                continue;
            }
            if let Some(nl) = memrchr(b'\n', &self.buf[old_end..self.end]) {
                self.start = old_end + nl + 1;
                return Ok(Some((ChunkKind::Lines, self.start)));
            }
            if self.end >= self.max_line {
                self.skipping = true;
                let end = std::mem::take(&mut self.end);
                return Ok(Some((ChunkKind::LongLine, end)));
            }
        }
    }
}

/// Which [`Chunk`] a run of bytes is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkKind {
    Lines,
    LongLine,
}

impl ChunkKind {
    fn chunk(self, bytes: &[u8]) -> Chunk<'_> {
        match self {
            ChunkKind::Lines => Chunk::Lines(bytes),
            ChunkKind::LongLine => Chunk::LongLine(bytes),
        }
    }
}

/// A chunk handed out with its buffer by [`LineBuffer::next_owned`].
#[derive(Debug)]
pub struct OwnedChunk {
    /// The chunk is `buf[..len]`.
    pub buf: Vec<u8>,
    pub len: usize,
    pub kind: ChunkKind,
    /// Bytes of the input read when the chunk was handed out.
    pub bytes_read: u64,
}

impl OwnedChunk {
    pub fn chunk(&self) -> Chunk<'_> {
        self.kind.chunk(&self.buf[..self.len])
    }
}

/// Strips one trailing `\r`, so CRLF input reads like LF input.
#[inline(always)]
pub fn strip_cr(line: &[u8]) -> &[u8] {
    match line {
        [head @ .., b'\r'] => head,
        _ => line,
    }
}

/// Calls `f` with each line of a [`Chunk::Lines`] slice, without its `\n`
/// or `\r\n` terminator. A final line without a terminator is included.
///
/// Newlines are found 64 bytes at a time as a bitmask, which for short log
/// lines costs less than one `memchr` call per line.
#[inline(always)]
pub fn for_each_line<E>(chunk: &[u8], mut f: impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), E> {
    let mut start = 0;
    let mut blocks = chunk.chunks_exact(64);
    let mut base = 0;
    for block in blocks.by_ref() {
        let mut newlines = newlines64(block.try_into().unwrap());
        while newlines != 0 {
            let nl = base + newlines.trailing_zeros() as usize;
            f(strip_cr(&chunk[start..nl]))?;
            start = nl + 1;
            newlines &= newlines - 1;
        }
        base += 64;
    }
    for nl in memchr_iter(b'\n', blocks.remainder()) {
        f(strip_cr(&chunk[start..base + nl]))?;
        start = base + nl + 1;
    }
    if start < chunk.len() {
        f(strip_cr(&chunk[start..]))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads everything, returning (line, was_long) pairs.
    fn collect(input: &[u8], read_size: usize, max_line: usize) -> Vec<(Vec<u8>, bool)> {
        let mut buf = LineBuffer::new(read_size, max_line);
        let mut rdr = input;
        let mut out = Vec::new();
        while let Some(chunk) = buf.next_chunk(&mut rdr).unwrap() {
            match chunk {
                Chunk::Lines(lines) => for_each_line::<()>(lines, |l| {
                    out.push((l.to_vec(), false));
                    Ok(())
                })
                .unwrap(),
                Chunk::LongLine(head) => out.push((head.to_vec(), true)),
            }
        }
        assert_eq!(buf.bytes_read(), input.len() as u64);
        out
    }

    #[test]
    fn small_cases() {
        let l = |s: &str| (s.as_bytes().to_vec(), false);
        assert_eq!(collect(b"", 1, 8), vec![]);
        assert_eq!(collect(b"\n", 1, 8), vec![l("")]);
        assert_eq!(collect(b"a\nb", 2, 8), vec![l("a"), l("b")]);
        assert_eq!(collect(b"a\r\nb\r\n", 3, 8), vec![l("a"), l("b")]);
        assert_eq!(collect(b"a\r", 3, 8), vec![l("a")]);
    }

    #[test]
    fn long_lines_are_seen_once() {
        let got = collect(b"ab\n0123456789\ncd\n0123456789", 3, 4);
        let want: Vec<(Vec<u8>, bool)> = vec![
            (b"ab".to_vec(), false),
            (b"0123".to_vec(), true),
            (b"cd".to_vec(), false),
            (b"0123".to_vec(), true),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn reset_reuses_the_buffer() {
        let mut buf = LineBuffer::new(4, 16);
        let mut first: &[u8] = b"abc\ndef";
        while buf.next_chunk(&mut first).unwrap().is_some() {}
        buf.reset();
        let mut second: &[u8] = b"x\n";
        assert_eq!(
            buf.next_chunk(&mut second).unwrap(),
            Some(Chunk::Lines(b"x\n"))
        );
        assert_eq!(buf.next_chunk(&mut second).unwrap(), None);
    }

    proptest! {
        #[test]
        fn any_sizes_yield_the_naive_lines(
            input in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'\r'), any::<u8>()], 0..300),
            read_size in 1usize..40,
        ) {
            let longest = input.split(|&b| b == b'\n').map(<[u8]>::len).max().unwrap_or(0);
            crate::laws::line_buffer(&input, read_size, longest + 1).map_err(TestCaseError::fail)?;
        }

        #[test]
        fn line_count_holds_with_long_lines(
            input in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'\r'), any::<u8>()], 0..300),
            read_size in 1usize..16,
            max_line in 1usize..16,
        ) {
            crate::laws::line_buffer(&input, read_size, max_line).map_err(TestCaseError::fail)?;
        }
    }
}
