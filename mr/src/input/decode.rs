//! What an input holds, told from its first bytes, and the readers that
//! turn it into text lines, found by content whatever the name: gzip and
//! bzip2 (the compressions Hadoop's codecs always read) are decompressed,
//! and UTF-16 with a byte order mark, which Windows PowerShell 5 writes
//! with `>`, is decoded to UTF-8, also inside a compressed file. zstd, xz
//! and lz4 files are refused with a clear error: their bytes are never
//! counted as lines. Anything else is read as it is, byte for byte. UTF-16
//! without a byte order mark cannot be told from other bytes and is read as
//! it is.

use std::io::{self, BufRead, Read};

/// How many bytes [`sniff`] looks at.
pub const SNIFF_LEN: usize = 10;

/// The encoding of an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes read as they are.
    Text,
    /// A gzip stream (one or more members).
    Gzip,
    /// A bzip2 stream (one or more).
    Bzip2,
    /// UTF-16 after a byte order mark.
    Utf16 { big_endian: bool },
    /// A compression that is not decoded here, by its name.
    Refused(&'static str),
}

/// The encoding the first bytes of an input show.
pub fn sniff(head: &[u8]) -> Encoding {
    match head {
        // Magic, deflate, no reserved flag bits.
        [0x1f, 0x8b, 8, flags, ..] if flags & 0xE0 == 0 => Encoding::Gzip,
        // `BZh`, the block size, then a block's or the end's magic.
        [b'B', b'Z', b'h', b'1'..=b'9', rest @ ..]
            if rest.starts_with(&[0x31, 0x41, 0x59, 0x26, 0x53, 0x59])
                || rest.starts_with(&[0x17, 0x72, 0x45, 0x38, 0x50, 0x90]) =>
        {
            Encoding::Bzip2
        }
        [0x28, 0xB5, 0x2F, 0xFD, ..] => Encoding::Refused("zstd"),
        [0xFD, b'7', b'z', b'X', b'Z', 0, ..] => Encoding::Refused("xz"),
        [0x04, 0x22, 0x4D, 0x18, ..] => Encoding::Refused("lz4"),
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

/// `raw`, read as text lines of `encoding`. A compressed input's first
/// bytes, once decompressed, are told apart as a plain input's are: UTF-16
/// inside is decoded.
pub fn decoded<'a>(
    encoding: Encoding,
    raw: Box<dyn Read + Send + 'a>,
) -> io::Result<Box<dyn Read + Send + 'a>> {
    Ok(match encoding {
        Encoding::Text => raw,
        Encoding::Gzip => text_inside(Box::new(Gunzip::new(io::BufReader::with_capacity(
            256 * 1024,
            raw,
        ))))?,
        Encoding::Bzip2 => text_inside(Box::new(bzip2::read::MultiBzDecoder::new(raw)))?,
        Encoding::Utf16 { big_endian } => Box::new(Utf16Reader::new(raw, big_endian)),
        Encoding::Refused(name) => Box::new(Refused(name)),
    })
}

/// A decompressed stream as text lines: UTF-16 with a byte order mark is
/// decoded, anything else read as it is.
fn text_inside<'a>(unpacked: Box<dyn Read + Send + 'a>) -> io::Result<Box<dyn Read + Send + 'a>> {
    Ok(match sniffed(unpacked)? {
        (Encoding::Utf16 { big_endian }, whole) => Box::new(Utf16Reader::new(whole, big_endian)),
        (_, whole) => whole,
    })
}

/// A compression that is not read: every read says so.
struct Refused(&'static str);

impl Read for Refused {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "it is {0}-compressed, which logmr does not decompress (gzip and bzip2 it does); \
                 decompress it first, e.g. {0} -dc FILE | logmr map",
                self.0
            ),
        ))
    }
}

/// Gzip members one after another, as `gzip -dc` reads them. Zero bytes
/// after the last member (the padding that tape and block tools add) end
/// the stream; any other bytes after zeros are an error.
struct Gunzip<R: BufRead> {
    member: Option<flate2::bufread::GzDecoder<R>>,
}

impl<R: BufRead> Gunzip<R> {
    fn new(inner: R) -> Gunzip<R> {
        Gunzip {
            member: Some(flate2::bufread::GzDecoder::new(inner)),
        }
    }
}

impl<R: BufRead> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(member) = self.member.as_mut() else {
                return Ok(0);
            };
            let n = member.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // The member ended: another follows, zero padding, or the end.
            let mut inner = self.member.take().expect("read above").into_inner();
            let mut padded = false;
            loop {
                let next = inner.fill_buf()?;
                if next.is_empty() {
                    return Ok(0);
                }
                let zeros = next.iter().take_while(|&&b| b == 0).count();
                if zeros < next.len() && (padded || zeros > 0) {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "bytes after the zero padding that ends a gzip stream",
                    ));
                }
                if zeros == 0 {
                    break;
                }
                padded = true;
                inner.consume(zeros);
            }
            self.member = Some(flate2::bufread::GzDecoder::new(inner));
        }
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
        decoded(found, rdr).unwrap().read_to_end(&mut out).unwrap();
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
        assert_eq!(sniff(b"BZh91AY&SY"), Encoding::Bzip2);
        assert_eq!(sniff(b"BZh9 quick"), Encoding::Text);
        assert_eq!(sniff(b"\x28\xb5\x2f\xfd\x00"), Encoding::Refused("zstd"));
        assert_eq!(sniff(b"\xfd7zXZ\x00\x00"), Encoding::Refused("xz"));
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, bytes).unwrap();
        gz.finish().unwrap()
    }

    fn unpack(bytes: &[u8], step: usize) -> io::Result<Vec<u8>> {
        let (found, rdr) = sniffed(Box::new(Trickle { bytes, step }))?;
        let mut out = Vec::new();
        decoded(found, rdr)?.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn gzip_members_zero_padding_and_utf16_inside() {
        let mut bytes = gzip(b"[INFO] a\n");
        bytes.extend(gzip(b"[WARN] b"));
        bytes.extend([0; 700]);
        for step in [1, 3, 64, 4096] {
            assert_eq!(unpack(&bytes, step).unwrap(), b"[INFO] a\n[WARN] b");
        }
        let mut garbage = bytes.clone();
        garbage.push(b'x');
        let err = unpack(&garbage, 64).unwrap_err();
        assert!(err.to_string().contains("zero padding"), "{err}");
        let text = "[INFO] \u{e9}t\u{e9}\n[ERROR] x\n";
        for big_endian in [false, true] {
            let packed = gzip(&utf16(text, big_endian));
            assert_eq!(unpack(&packed, 5).unwrap(), text.as_bytes());
        }
    }

    #[test]
    fn bzip2_is_decompressed_and_other_compressions_refused() {
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        std::io::Write::write_all(&mut bz, b"[INFO] a\n[ERROR] b\n").unwrap();
        let mut bytes = bz.finish().unwrap();
        let second = bytes.clone();
        bytes.extend(second);
        assert_eq!(
            unpack(&bytes, 7).unwrap(),
            b"[INFO] a\n[ERROR] b\n[INFO] a\n[ERROR] b\n"
        );
        let err = unpack(b"\xfd7zXZ\x00\x00\x04rest", 64).unwrap_err();
        assert!(err.to_string().contains("xz-compressed"), "{err}");
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
