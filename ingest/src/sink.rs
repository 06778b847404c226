//! Where generated lines go: a byte stream (stdout, a file, gzip), or Kafka
//! (see [`crate::kafka`]). Every sink accounts for what it delivered.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::error::{Error, Result};

/// What a sink delivered, at the end of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Lines handed to the sink.
    pub produced: u64,
    /// Lines the sink confirmed: written, or acknowledged by the broker.
    pub delivered: u64,
    /// Lines that will never be delivered.
    pub failed: u64,
    pub first_error: Option<String>,
}

/// A destination for lines.
pub trait Sink {
    /// Hands over one line of `machine`; `line` ends with `\n`.
    fn send(&mut self, machine: u32, line: &[u8]) -> Result<()>;
    /// Lines confirmed so far.
    fn delivered(&self) -> u64;
    /// Lines known so far never to be delivered.
    fn failed(&self) -> u64 {
        0
    }
    /// Flushes everything and reports.
    fn finish(&mut self) -> Result<Delivery>;
}

/// Lines into a byte stream.
pub struct StreamSink {
    out: Box<dyn Write>,
    name: String,
    produced: u64,
}

impl StreamSink {
    pub fn stdout() -> StreamSink {
        StreamSink {
            out: Box::new(BufWriter::with_capacity(1 << 20, io::stdout())),
            name: "stdout".into(),
            produced: 0,
        }
    }

    /// A file, gzip-compressed when `gzip` is set.
    pub fn file(path: &Path, gzip: bool) -> Result<StreamSink> {
        let file = File::create(path)
            .map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
        let buffered = BufWriter::with_capacity(1 << 20, file);
        let out: Box<dyn Write> = if gzip {
            Box::new(GzEncoder::new(buffered, Compression::fast()))
        } else {
            Box::new(buffered)
        };
        Ok(StreamSink {
            out,
            name: path.display().to_string(),
            produced: 0,
        })
    }

    fn error(&self, e: io::Error) -> Error {
        Error::io(format!("cannot write {}", self.name), e)
    }
}

impl Sink for StreamSink {
    fn send(&mut self, _machine: u32, line: &[u8]) -> Result<()> {
        self.out.write_all(line).map_err(|e| self.error(e))?;
        self.produced += 1;
        Ok(())
    }

    fn delivered(&self) -> u64 {
        self.produced
    }

    fn finish(&mut self) -> Result<Delivery> {
        self.out.flush().map_err(|e| self.error(e))?;
        // Dropping a GzEncoder writes its trailer; do it now, with errors.
        let out = std::mem::replace(&mut self.out, Box::new(io::sink()));
        drop(out);
        Ok(Delivery {
            produced: self.produced,
            delivered: self.produced,
            failed: 0,
            first_error: None,
        })
    }
}
