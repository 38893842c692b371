//! The batch's reports while they wait to be printed, sealed. They wait in an unnamed temporary
//! file (see [`super::run`]); each was redacted by its own case's redactor, yet may still hold
//! another case's protected address (one school's notes quoting another pupil's postcode), which
//! only the redactor of the whole batch withholds, once every case has been read. So the file is
//! encrypted (ChaCha20) with a random key that lives only in this process's memory: nothing of
//! any case is ever on disk in a form anyone can read, even while the process runs.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};

use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20::ChaCha20;

/// An unnamed temporary file that is written once, then read once from the start.
pub struct Sealed {
    key: [u8; 32],
    writer: BufWriter<Encrypting>,
}

struct Encrypting {
    file: File,
    cipher: ChaCha20,
    buffer: Vec<u8>,
}

impl Write for Encrypting {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer.clear();
        self.buffer.extend_from_slice(buf);
        self.cipher
            .try_apply_keystream(&mut self.buffer)
            .map_err(|_| io::Error::other("the sealed file is too large"))?;
        // All of it, so that the key stream stays in step with the file.
        self.file.write_all(&self.buffer)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// The sealed file read back from its start.
pub struct Unsealed {
    reader: BufReader<File>,
    cipher: ChaCha20,
}

impl Read for Unsealed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.reader.read(buf)?;
        self.cipher
            .try_apply_keystream(&mut buf[..n])
            .map_err(|_| io::Error::other("the sealed file is too large"))?;
        Ok(n)
    }
}

fn cipher(key: &[u8; 32]) -> ChaCha20 {
    // A new key for every file, so one nonce is enough.
    ChaCha20::new(&(*key).into(), &[0u8; 12].into())
}

impl Sealed {
    pub fn new() -> io::Result<Sealed> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| io::Error::other(e.to_string()))?;
        let file = tempfile::tempfile()?;
        Ok(Sealed {
            key,
            writer: BufWriter::new(Encrypting {
                file,
                cipher: cipher(&key),
                buffer: Vec::new(),
            }),
        })
    }

    /// Done writing: the file to read, from its start.
    pub fn into_reader(self) -> io::Result<Unsealed> {
        let Sealed { key, writer } = self;
        let mut file = writer.into_inner().map_err(|e| e.into_error())?.file;
        file.rewind()?;
        Ok(Unsealed {
            reader: BufReader::new(file),
            cipher: cipher(&key),
        })
    }
}

impl Write for Sealed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufRead;

    #[test]
    fn reads_back_what_was_written_and_the_file_holds_none_of_it() {
        let mut sealed = Sealed::new().unwrap();
        let line = "{\"message\":\"lives at 14 Larchfield Row, DH7 9ZQ\"}\n";
        for _ in 0..5000 {
            sealed.write_all(line.as_bytes()).unwrap();
        }
        // What reached the file itself.
        sealed.writer.flush().unwrap();
        let mut raw = Vec::new();
        let mut file = sealed.writer.get_ref().file.try_clone().unwrap();
        file.rewind().unwrap();
        file.read_to_end(&mut raw).unwrap();
        assert_eq!(raw.len(), line.len() * 5000);
        assert!(!raw.windows(7).any(|w| w == b"DH7 9ZQ"));
        assert!(!raw.windows(11).any(|w| w == b"Larchfield "));
        // Read back whole.
        let reader = io::BufReader::new(sealed.into_reader().unwrap());
        let lines: Vec<String> = reader.lines().map(Result::unwrap).collect();
        assert_eq!(lines.len(), 5000);
        assert!(lines.iter().all(|l| format!("{l}\n") == line));
    }
}
