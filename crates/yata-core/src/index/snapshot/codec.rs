//! Little-endian byte encoding for snapshot files: a growable writer and a
//! bounds-checked reader whose every failure is a `Corrupted` error.

use crate::error::{Error, Result};

pub(super) struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    pub fn with_capacity(capacity: usize) -> Self {
        Writer { bytes: Vec::with_capacity(capacity) }
    }

    pub fn u8(&mut self, value: u8) {
        self.bytes.push(value);
    }

    pub fn u16(&mut self, value: u16) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    pub fn u32(&mut self, value: u32) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    pub fn u64(&mut self, value: u64) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    /// Writes a length as u32. Every counted thing in a snapshot (ids of a
    /// shard, keys of a tree, postings of a key) is bounded by the 2³² local
    /// ids a shard can assign.
    pub fn len(&mut self, len: usize) {
        self.u32(u32::try_from(len).expect("snapshot lengths fit in u32"));
    }

    pub fn bytes(&mut self, value: &[u8]) {
        self.len(value.len());
        self.bytes.extend_from_slice(value);
    }

    pub fn u32s(&mut self, values: &[u32]) {
        self.len(values.len());
        for value in values {
            self.u32(*value);
        }
    }

    pub fn into_inner(self) -> Vec<u8> {
        self.bytes
    }
}

pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
    location: &'a str,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8], location: &'a str) -> Self {
        Reader { bytes, position: 0, location }
    }

    fn take(&mut self, count: usize) -> Result<&'a [u8]> {
        let end = self.position.checked_add(count).filter(|end| *end <= self.bytes.len());
        let Some(end) = end else {
            return Err(Error::corrupted(
                self.location,
                format!("truncated: {count} bytes wanted at offset {}", self.position),
            ));
        };
        let slice = &self.bytes[self.position..end];
        self.position = end;
        Ok(slice)
    }

    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    pub fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().expect("2 bytes")))
    }

    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }

    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }

    /// Reads a length and checks that at least `len × min_item_bytes` bytes
    /// remain, so a corrupt length cannot make the caller allocate more
    /// than the file contains.
    pub fn len(&mut self, min_item_bytes: usize) -> Result<usize> {
        let len = self.u32()? as usize;
        let remaining = self.bytes.len() - self.position;
        if len.saturating_mul(min_item_bytes) > remaining {
            return Err(Error::corrupted(
                self.location,
                format!("length {len} at offset {} exceeds the file", self.position - 4),
            ));
        }
        Ok(len)
    }

    pub fn bytes(&mut self) -> Result<&'a [u8]> {
        let len = self.len(1)?;
        self.take(len)
    }

    pub fn str(&mut self) -> Result<&'a str> {
        let bytes = self.bytes()?;
        std::str::from_utf8(bytes).map_err(|_| Error::corrupted(self.location, "a string is not UTF-8"))
    }

    pub fn u32s(&mut self) -> Result<Vec<u32>> {
        let len = self.len(4)?;
        let raw = self.take(len * 4)?;
        Ok(raw
            .chunks_exact(4)
            .map(|chunk| u32::from_le_bytes(chunk.try_into().expect("4 bytes")))
            .collect())
    }

    pub fn is_done(&self) -> bool {
        self.position == self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_values_round_trip() {
        let mut writer = Writer::with_capacity(0);
        writer.u8(7);
        writer.u16(513);
        writer.u64(u64::MAX - 1);
        writer.bytes("名前".as_bytes());
        writer.u32s(&[1, 2, 3]);
        let bytes = writer.into_inner();

        let mut reader = Reader::new(&bytes, "test");
        assert_eq!(reader.u8().unwrap(), 7);
        assert_eq!(reader.u16().unwrap(), 513);
        assert_eq!(reader.u64().unwrap(), u64::MAX - 1);
        assert_eq!(reader.str().unwrap(), "名前");
        assert_eq!(reader.u32s().unwrap(), vec![1, 2, 3]);
        assert!(reader.is_done());
    }

    #[test]
    fn reader_rejects_length_past_end() {
        let mut writer = Writer::with_capacity(0);
        writer.u32(u32::MAX);
        let bytes = writer.into_inner();
        let err = Reader::new(&bytes, "test").u32s().unwrap_err();
        assert!(err.to_string().contains("exceeds the file"), "{err}");
    }
}
