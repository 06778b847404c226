//! Where generated lines go: a byte stream (stdout, a file, gzip), or Kafka
//! (see [`crate::kafka`]). Every destination accounts for what it
//! delivered. The Kafka-to-store sink is [`crate::consume`].

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::error::{Error, Result};

/// What a destination delivered, at the end of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Lines handed to the destination.
    pub produced: u64,
    /// Lines the destination confirmed: written, or acknowledged by the broker.
    pub delivered: u64,
    /// Lines that will never be delivered.
    pub failed: u64,
    pub first_error: Option<String>,
}

/// A destination for lines.
pub trait Destination {
    /// Hands over one line of `machine`; `line` ends with `\n`.
    fn send(&mut self, machine: u32, line: &[u8]) -> Result<()>;
    /// Lines confirmed so far.
    fn delivered(&self) -> u64;
    /// Lines known so far never to be delivered.
    fn failed(&self) -> u64 {
        0
    }
    /// Why no more lines should be sent, once the destination is failing
    /// (a delivery failed, every broker is gone).
    fn halted(&self) -> Option<String> {
        None
    }
    /// Flushes everything and reports.
    fn finish(&mut self) -> Result<Delivery>;
}

/// Lines into a byte stream.
pub struct StreamDestination {
    out: Stream,
    name: String,
    produced: u64,
}

/// The stream, buffered, and compressed when it is gzip.
enum Stream {
    Plain(BufWriter<Box<dyn Write>>),
    Gzip(GzEncoder<BufWriter<Box<dyn Write>>>),
    /// After `finish`.
    Done,
}

impl StreamDestination {
    pub fn stdout() -> StreamDestination {
        StreamDestination::new(Box::new(io::stdout()), "stdout", false)
    }

    /// A file, gzip-compressed when `gzip` is set.
    pub fn file(path: &Path, gzip: bool) -> Result<StreamDestination> {
        let file = File::create(path)
            .map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
        Ok(StreamDestination::new(
            Box::new(file),
            &path.display().to_string(),
            gzip,
        ))
    }

    /// Any writer, named `name` in messages.
    pub fn new(out: Box<dyn Write>, name: &str, gzip: bool) -> StreamDestination {
        let buffered = BufWriter::with_capacity(1 << 20, out);
        StreamDestination {
            out: if gzip {
                Stream::Gzip(GzEncoder::new(buffered, Compression::fast()))
            } else {
                Stream::Plain(buffered)
            },
            name: name.to_string(),
            produced: 0,
        }
    }

    fn error(&self, e: io::Error) -> Error {
        Error::io(format!("cannot write {}", self.name), e)
    }
}

impl Destination for StreamDestination {
    fn send(&mut self, _machine: u32, line: &[u8]) -> Result<()> {
        let written = match &mut self.out {
            Stream::Plain(w) => w.write_all(line),
            Stream::Gzip(w) => w.write_all(line),
            Stream::Done => Err(io::Error::other("the stream is finished")),
        };
        written.map_err(|e| self.error(e))?;
        self.produced += 1;
        Ok(())
    }

    fn delivered(&self) -> u64 {
        self.produced
    }

    /// Writes everything out, the gzip trailer included, and fails when any
    /// of it could not be written: a full disk never leaves a truncated
    /// file behind an exit 0.
    fn finish(&mut self) -> Result<Delivery> {
        let finished = match std::mem::replace(&mut self.out, Stream::Done) {
            Stream::Plain(mut w) => w.flush(),
            Stream::Gzip(mut w) => w.try_finish().and_then(|_| w.get_mut().flush()),
            Stream::Done => Ok(()),
        };
        finished.map_err(|e| self.error(e))?;
        Ok(Delivery {
            produced: self.produced,
            delivered: self.produced,
            failed: 0,
            first_error: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Accepts `room` bytes, then fails as a full disk does.
    struct Disk {
        room: usize,
        written: std::rc::Rc<std::cell::Cell<usize>>,
    }

    impl Write for Disk {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let used = self.written.get();
            if used >= self.room {
                return Err(io::Error::from_raw_os_error(28));
            }
            let n = buf.len().min(self.room - used);
            self.written.set(used + n);
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn write_lines(room: usize, gzip: bool) -> (Result<Delivery>, usize) {
        let written = std::rc::Rc::new(std::cell::Cell::new(0));
        let disk = Disk {
            room,
            written: written.clone(),
        };
        let mut destination = StreamDestination::new(Box::new(disk), "disk", gzip);
        for i in 0..100 {
            destination
                .send(0, format!("line {i}\n").as_bytes())
                .unwrap();
        }
        (destination.finish(), written.get())
    }

    #[test]
    fn a_stream_that_cannot_be_written_to_the_end_is_an_error() {
        for gzip in [false, true] {
            let (result, size) = write_lines(usize::MAX, gzip);
            assert_eq!(result.unwrap().delivered, 100);
            // One byte short anywhere, the trailer included, fails.
            for room in [0, size / 2, size - 1] {
                let (result, _) = write_lines(room, gzip);
                let err = result.unwrap_err().to_string();
                assert!(err.contains("cannot write disk"), "{err}");
            }
        }
    }
}
