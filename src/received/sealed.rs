//! The batch's reports while they wait to be printed, sealed. They wait in an unnamed temporary
//! file (see [`super::run`]); each was redacted by its own case's redactor, yet may still hold
//! another case's protected address (one school's notes quoting another pupil's postcode), which
//! only the redactor of the whole batch withholds, once every case has been read. So the file is
//! encrypted (ChaCha20) with a random key that lives only in this process's memory: nothing of
//! any case is ever on disk in a form anyone can read, even while the process runs.
//!
//! The first [`IN_MEMORY`] bytes stay in memory (sealed all the same), and the file is made
//! only when a batch's reports pass them: checking a few packs writes nothing to disk at all.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};

use chacha20::cipher::{KeyIvInit, StreamCipher};
use chacha20::ChaCha20;

/// How many sealed bytes are kept in memory before they go to an unnamed temporary file.
pub const IN_MEMORY: usize = 1024 * 1024;

/// An unnamed temporary file that is written once, then read once from the start (kept in
/// memory while it is small).
pub struct Sealed {
    key: [u8; 32],
    writer: BufWriter<Encrypting>,
}

/// Where the sealed bytes are: in memory, then (past the limit) in the file.
enum Sink {
    Memory(Vec<u8>, usize),
    File(File),
}

impl Sink {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Sink::Memory(kept, limit) = self {
            if kept.len() + bytes.len() <= *limit {
                kept.extend_from_slice(bytes);
                return Ok(());
            }
            let mut file = tempfile::tempfile()?;
            file.write_all(kept)?;
            *self = Sink::File(file);
        }
        match self {
            Sink::File(file) => file.write_all(bytes),
            Sink::Memory(..) => unreachable!("moved to the file above"),
        }
    }
}

struct Encrypting {
    sink: Sink,
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
        self.sink.write_all(&self.buffer)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::File(file) => file.flush(),
            Sink::Memory(..) => Ok(()),
        }
    }
}

/// The sealed file read back from its start.
pub struct Unsealed {
    reader: Box<dyn Read>,
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
        Sealed::keeping(IN_MEMORY)
    }

    /// Keeping at most `in_memory` bytes in memory before the file is made.
    pub fn keeping(in_memory: usize) -> io::Result<Sealed> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| io::Error::other(e.to_string()))?;
        Ok(Sealed {
            key,
            writer: BufWriter::new(Encrypting {
                sink: Sink::Memory(Vec::new(), in_memory),
                cipher: cipher(&key),
                buffer: Vec::new(),
            }),
        })
    }

    /// Done writing: the sealed bytes to read, from their start.
    pub fn into_reader(self) -> io::Result<Unsealed> {
        let Sealed { key, writer } = self;
        let reader: Box<dyn Read> = match writer.into_inner().map_err(|e| e.into_error())?.sink {
            Sink::Memory(kept, _) => Box::new(io::Cursor::new(kept)),
            Sink::File(mut file) => {
                file.rewind()?;
                Box::new(BufReader::new(file))
            }
        };
        Ok(Unsealed {
            reader,
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
        // Past a small memory limit, so that the file is made.
        let mut sealed = Sealed::keeping(4096).unwrap();
        let line = "{\"message\":\"lives at 14 Larchfield Row, DH7 9ZQ\"}\n";
        for _ in 0..5000 {
            sealed.write_all(line.as_bytes()).unwrap();
        }
        // What reached the file itself.
        sealed.writer.flush().unwrap();
        let mut raw = Vec::new();
        let Sink::File(file) = &sealed.writer.get_ref().sink else {
            panic!("still in memory")
        };
        let mut file = file.try_clone().unwrap();
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

    #[test]
    fn a_small_batch_stays_in_memory_sealed_all_the_same() {
        let mut sealed = Sealed::new().unwrap();
        let line = "{\"message\":\"lives at 14 Larchfield Row, DH7 9ZQ\"}\n";
        sealed.write_all(line.as_bytes()).unwrap();
        sealed.writer.flush().unwrap();
        let Sink::Memory(kept, _) = &sealed.writer.get_ref().sink else {
            panic!("a file was made")
        };
        assert!(!kept.windows(7).any(|w| w == b"DH7 9ZQ"));
        let mut back = String::new();
        sealed
            .into_reader()
            .unwrap()
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, line);
    }
}
