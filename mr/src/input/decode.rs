//! What an input holds, told from its first bytes, and the readers that
//! turn it into text lines: gzip is inflated (also when the name does not
//! end in `.gz`), and UTF-16 with a byte order mark, which Windows
//! PowerShell 5 writes with `>`, is decoded to UTF-8. Anything else is
//! read as it is, byte for byte. UTF-16 without a byte order mark cannot be
//! told from other bytes and is read as it is.

use std::io::{self, Read};

use flate2::read::MultiGzDecoder;

/// How many bytes [`sniff`] looks at.
pub const SNIFF_LEN: usize = 4;

/// The encoding of an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes read as they are.
    Text,
    /// A gzip stream (one or more members).
    Gzip,
    /// UTF-16 after a byte order mark.
    Utf16 { big_endian: bool },
}

/// The encoding the first bytes of an input show.
pub fn sniff(head: &[u8]) -> Encoding {
    match head {
        // Magic, deflate, no reserved flag bits.
        [0x1f, 0x8b, 8, flags, ..] if flags & 0xE0 == 0 => Encoding::Gzip,
        [0xFF, 0xFE, ..] => Encoding::Utf16 { big_endian: false },
        [0xFE, 0xFF, ..] => Encoding::Utf16 { big_endian: true },
        _ => Encoding::Text,
    }
}

/// The first [`SNIFF_LEN`] bytes of `rdr` (fewer when it ends sooner).
pub fn read_head<R: Read + ?Sized>(rdr: &mut R) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF_LEN);
    rdr.take(SNIFF_LEN as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Reads the first bytes of `raw` to tell its encoding, and gives back a
/// reader of the whole input (those bytes included) with the encoding.
pub fn sniffed<'a>(
    mut raw: Box<dyn Read + Send + 'a>,
) -> io::Result<(Encoding, Box<dyn Read + Send + 'a>)> {
    let head = read_head(&mut raw)?;
    Ok((sniff(&head), Box::new(io::Cursor::new(head).chain(raw))))
}

/// `raw`, read as text lines of `encoding`.
pub fn decoded<'a>(
    encoding: Encoding,
    raw: Box<dyn Read + Send + 'a>,
) -> Box<dyn Read + Send + 'a> {
    match encoding {
        Encoding::Text => raw,
        Encoding::Gzip => Box::new(MultiGzDecoder::new(io::BufReader::with_capacity(
            256 * 1024,
            raw,
        ))),
        Encoding::Utf16 { big_endian } => Box::new(Utf16Reader::new(raw, big_endian)),
    }
}

/// Decodes UTF-16 to UTF-8, dropping a leading byte order mark. Unpaired
/// surrogates and an odd last byte become U+FFFD, so no line is lost.
pub struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    /// Bytes read and not decoded yet: an odd byte, or a high surrogate
    /// waiting for its pair.
    raw: Vec<u8>,
    out: Vec<u8>,
    at: usize,
    started: bool,
    eof: bool,
}

impl<R: Read> Utf16Reader<R> {
    pub fn new(inner: R, big_endian: bool) -> Utf16Reader<R> {
        Utf16Reader {
            inner,
            big_endian,
            raw: Vec::new(),
            out: Vec::new(),
            at: 0,
            started: false,
            eof: false,
        }
    }

    fn unit(&self, pair: &[u8]) -> u16 {
        let pair = [pair[0], pair[1]];
        if self.big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    }

    /// Reads and decodes the next block into `out`.
    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.at = 0;
        let kept = self.raw.len();
        self.raw.resize(kept + 64 * 1024, 0);
        let n = loop {
            match self.inner.read(&mut self.raw[kept..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.raw.truncate(kept);
                    return Err(e);
                }
            }
        };
        self.raw.truncate(kept + n);
        self.eof = n == 0;
        let mut usable = self.raw.len() & !1;
        if !self.eof && usable >= 2 {
            let last = self.unit(&self.raw[usable - 2..usable]);
            if (0xD800..0xDC00).contains(&last) {
                usable -= 2;
            }
        }
        let mut units: Vec<u16> = self.raw[..usable]
            .chunks_exact(2)
            .map(|p| self.unit(p))
            .collect();
        if !self.started && !units.is_empty() {
            self.started = true;
            if units[0] == 0xFEFF {
                units.remove(0);
            }
        }
        let mut utf8 = [0u8; 4];
        for c in char::decode_utf16(units) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            self.out
                .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
        self.raw.drain(..usable);
        if self.eof && !self.raw.is_empty() {
            self.raw.clear();
            self.out.extend_from_slice(
                char::REPLACEMENT_CHARACTER
                    .encode_utf8(&mut utf8)
                    .as_bytes(),
            );
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.out.len() {
            if self.eof {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A reader that hands out at most `step` bytes a call.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.step).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        std::iter::once(0xFEFF)
            .chain(text.encode_utf16())
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    }

    fn read_all(encoding: Encoding, bytes: &[u8], step: usize) -> Vec<u8> {
        let (found, rdr) = sniffed(Box::new(Trickle { bytes, step })).unwrap();
        assert_eq!(found, encoding);
        let mut out = Vec::new();
        decoded(found, rdr).read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn tells_encodings_apart() {
        assert_eq!(sniff(b"\x1f\x8b\x08\x00"), Encoding::Gzip);
        assert_eq!(sniff(b"\x1f\x8b\x08\xff"), Encoding::Text);
        assert_eq!(
            sniff(b"\xff\xfe[\x00"),
            Encoding::Utf16 { big_endian: false }
        );
        assert_eq!(
            sniff(b"\xfe\xff\x00["),
            Encoding::Utf16 { big_endian: true }
        );
        assert_eq!(sniff(b"[INFO] x"), Encoding::Text);
        assert_eq!(sniff(b""), Encoding::Text);
    }

    #[test]
    fn odd_bytes_and_lone_surrogates_become_replacement_characters() {
        let mut bytes = vec![0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'\n', 0, b'z'];
        assert_eq!(
            read_all(Encoding::Utf16 { big_endian: false }, &bytes, 1),
            "a\u{FFFD}\n\u{FFFD}".as_bytes()
        );
        bytes.truncate(2);
        assert!(read_all(Encoding::Utf16 { big_endian: false }, &bytes, 3).is_empty());
    }

    proptest! {
        #[test]
        fn utf16_decodes_to_the_same_text(
            text in "\\PC{0,200}",
            big_endian: bool,
            step in 1usize..9,
        ) {
            let bytes = utf16(&text, big_endian);
            prop_assert_eq!(
                read_all(Encoding::Utf16 { big_endian }, &bytes, step),
                text.as_bytes()
            );
        }

        #[test]
        fn text_passes_through_unchanged(
            bytes in proptest::collection::vec(any::<u8>(), 0..300),
            step in 1usize..9,
        ) {
            prop_assume!(sniff(&bytes) == Encoding::Text);
            prop_assert_eq!(read_all(Encoding::Text, &bytes, step), bytes);
        }
    }
}
