//! A byte-string dictionary for the encoders: distinct keys stored once in one
//! contiguous byte buffer with offsets, an open-addressing table of key
//! numbers, and one `u32` payload per key.
//!
//! It replaces a `HashMap<Box<str>, u32>` in the hot loops of dictionary
//! encoding: looking a field up costs one hash of its bytes and (usually) one
//! comparison, and inserting a new key allocates nothing per key (the buffer
//! grows geometrically). Keys are numbered in insertion order, so a caller
//! that numbers codes by first appearance gets the same codes as with any
//! other map. The hasher is polars' randomly seeded one, so a crafted input
//! cannot force collisions. This module knows nothing about missing values
//! or columns.

use std::hash::BuildHasher;

use polars::prelude::PlRandomState;

/// Marks an empty slot of the table.
const EMPTY: u32 = u32::MAX;

/// Distinct byte strings (in insertion order) with one `u32` payload each.
#[derive(Debug, Clone)]
pub struct ByteDict {
    /// Every key's bytes, back to back.
    bytes: Vec<u8>,
    /// `offsets[i]..offsets[i + 1]` is key `i` in `bytes`.
    offsets: Vec<usize>,
    /// The payload of key `i`.
    payloads: Vec<u32>,
    /// The hash of key `i` (kept so that growing the table rehashes nothing).
    hashes: Vec<u64>,
    /// Open addressing, linear probing: a key number or `EMPTY`.
    slots: Vec<u32>,
    /// `slots.len() - 1` (a power of two minus one).
    mask: usize,
    hasher: PlRandomState,
}

impl Default for ByteDict {
    fn default() -> Self {
        Self::new()
    }
}

impl ByteDict {
    /// An empty dictionary.
    pub fn new() -> Self {
        ByteDict {
            bytes: Vec::new(),
            offsets: vec![0],
            payloads: Vec::new(),
            hashes: Vec::new(),
            slots: vec![EMPTY; 16],
            mask: 15,
            hasher: PlRandomState::default(),
        }
    }

    /// Number of distinct keys.
    pub fn len(&self) -> usize {
        self.payloads.len()
    }

    /// True when no key was inserted.
    pub fn is_empty(&self) -> bool {
        self.payloads.is_empty()
    }

    /// Key `i` (in insertion order).
    pub fn key(&self, i: usize) -> &[u8] {
        &self.bytes[self.offsets[i]..self.offsets[i + 1]]
    }

    /// The payload of key `i`.
    pub fn payload(&self, i: usize) -> u32 {
        self.payloads[i]
    }

    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    /// The payload stored for `key`, if any.
    #[inline]
    pub fn get(&self, key: &[u8]) -> Option<u32> {
        let h = self.hash(key);
        self.find(key, h).ok().map(|i| self.payloads[i])
    }

    /// `Ok(key number)` or `Err(empty slot)` for `key` with hash `h`.
    #[inline]
    fn find(&self, key: &[u8], h: u64) -> Result<usize, usize> {
        let mut slot = (h as usize) & self.mask;
        loop {
            let k = self.slots[slot];
            if k == EMPTY {
                return Err(slot);
            }
            let k = k as usize;
            if self.hashes[k] == h && self.key(k) == key {
                return Ok(k);
            }
            slot = (slot + 1) & self.mask;
        }
    }

    /// The payload of `key`, inserting it with `make()` (called only for a
    /// new key) when absent. Returns `(payload, inserted)`.
    #[inline]
    pub fn get_or_insert_with(&mut self, key: &[u8], make: impl FnOnce() -> u32) -> (u32, bool) {
        let h = self.hash(key);
        match self.find(key, h) {
            Ok(i) => (self.payloads[i], false),
            Err(slot) => {
                let payload = make();
                self.insert_at(slot, key, h, payload);
                (payload, true)
            }
        }
    }

    /// Like [`get_or_insert_with`](Self::get_or_insert_with), returning
    /// `(key number, payload)`: a caller can then compare the next key with
    /// this one ([`key`](Self::key)) before hashing it.
    #[inline]
    pub fn entry_with(&mut self, key: &[u8], make: impl FnOnce() -> u32) -> (usize, u32) {
        let h = self.hash(key);
        match self.find(key, h) {
            Ok(i) => (i, self.payloads[i]),
            Err(slot) => {
                let payload = make();
                self.insert_at(slot, key, h, payload);
                (self.payloads.len() - 1, payload)
            }
        }
    }

    fn insert_at(&mut self, slot: usize, key: &[u8], h: u64, payload: u32) {
        let number = self.payloads.len();
        self.bytes.extend_from_slice(key);
        self.offsets.push(self.bytes.len());
        self.payloads.push(payload);
        self.hashes.push(h);
        self.slots[slot] = number as u32;
        // Load factor at most 1/2.
        if 2 * (number + 1) > self.slots.len() {
            self.grow();
        }
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        self.mask = size - 1;
        self.slots = vec![EMPTY; size];
        for (k, &h) in self.hashes.iter().enumerate() {
            let mut slot = (h as usize) & self.mask;
            while self.slots[slot] != EMPTY {
                slot = (slot + 1) & self.mask;
            }
            self.slots[slot] = k as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_insertion_order_and_payloads() {
        let mut d = ByteDict::new();
        let mut next = 0u32;
        let mut codes = Vec::new();
        for v in ["b", "a", "b", "", "a", "ccc", ""] {
            let (c, _) = d.get_or_insert_with(v.as_bytes(), || {
                next += 1;
                next - 1
            });
            codes.push(c);
        }
        assert_eq!(codes, vec![0, 1, 0, 2, 1, 3, 2]);
        assert_eq!(d.len(), 4);
        assert_eq!(d.key(0), b"b");
        assert_eq!(d.key(2), b"");
        assert_eq!(d.key(3), b"ccc");
        assert_eq!(d.get(b"ccc"), Some(3));
        assert_eq!(d.get(b"cc"), None);
    }

    #[test]
    fn many_keys_survive_growth() {
        let mut d = ByteDict::new();
        for i in 0..10_000u32 {
            let (c, inserted) = d.get_or_insert_with(i.to_string().as_bytes(), || i * 2);
            assert!(inserted);
            assert_eq!(c, i * 2);
        }
        for i in 0..10_000u32 {
            assert_eq!(d.get(i.to_string().as_bytes()), Some(i * 2));
        }
        assert_eq!(d.get(b"10000"), None);
        assert_eq!(d.key(9_999), b"9999");
    }
}
