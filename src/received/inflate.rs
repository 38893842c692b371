//! Inflating a received pack's many small zlib streams (its case documents, the object streams
//! it is read by) with one inflater a thread, reset between streams: a new one for each stream
//! (a 32 KB window and tables made and zeroed) cost more than most of the streams themselves.

use std::cell::RefCell;

use flate2::{Decompress, FlushDecompress, Status};

thread_local! {
    static INFLATER: RefCell<Decompress> = RefCell::new(Decompress::new(true));
}

/// `data` (a zlib stream) inflated whole, if it ends properly and within `limit` bytes; `None`
/// for anything else (damaged, cut short, larger), which the caller reads the slow, careful
/// way so that its finding is the one it always was.
pub(super) fn zlib(data: &[u8], limit: usize) -> Option<Vec<u8>> {
    INFLATER.with_borrow_mut(|inflater| {
        inflater.reset(true);
        let mut out = Vec::with_capacity(data.len().saturating_mul(4).clamp(256, limit.max(256)));
        loop {
            if out.len() == out.capacity() {
                out.reserve(out.capacity());
            }
            let before = (inflater.total_in(), out.len());
            let read = usize::try_from(inflater.total_in()).ok()?;
            let status = inflater
                .decompress_vec(data.get(read..)?, &mut out, FlushDecompress::Finish)
                .ok()?;
            if out.len() > limit {
                return None;
            }
            match status {
                Status::StreamEnd => return Some(out),
                // No progress with room to write: the stream is cut short.
                _ if before == (inflater.total_in(), out.len()) && out.len() < out.capacity() => {
                    return None
                }
                _ => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn deflated(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn inflates_whole_streams_one_after_another_and_refuses_the_rest() {
        let long: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        for bytes in [
            b"pupil:\n  name: Amara\n".to_vec(),
            long.clone(),
            Vec::new(),
        ] {
            assert_eq!(
                zlib(&deflated(&bytes), 1 << 20).as_deref(),
                Some(bytes.as_slice())
            );
        }
        let packed = deflated(&long);
        // Over the limit, cut short, damaged, empty: none.
        assert_eq!(zlib(&packed, long.len() - 1), None);
        assert_eq!(zlib(&packed, long.len()).map(|v| v.len()), Some(long.len()));
        assert_eq!(zlib(&packed[..packed.len() / 2], 1 << 20), None);
        let mut damaged = packed.clone();
        damaged[10] ^= 0xff;
        damaged[11] ^= 0xff;
        assert_eq!(zlib(&damaged, 1 << 20), None);
        assert_eq!(zlib(b"", 1 << 20), None);
        assert_eq!(zlib(b"not zlib at all", 1 << 20), None);
        // And the inflater is whole again after each refusal.
        assert_eq!(zlib(&packed, 1 << 20).as_deref(), Some(long.as_slice()));
    }
}
