//! Packed mappings: tokens in blocks of 32, each field frame-of-reference coded.
//!
//! For each block and each of the five fields (generated column, source, original
//! line, original column, name) the block header stores the smallest value and a bit
//! width; the block's bits then hold `value - smallest` for its 32 tokens, field after
//! field, in that width. Token `i` is therefore five shifts away, with no decoding of
//! its neighbours, so lookups binary-search a line exactly as over plain arrays.
//!
//! Source, original line/column and name are stored plus one (wrapping), so the
//! "absent" value `u32::MAX` becomes 0 and costs no extra width.

use std::ops::Range;

use bytemuck::{Pod, Zeroable};

use super::format::BLOCK_TOKENS;
use crate::lookup::MappingStore;
use crate::mappings::RawToken;

/// Fields in block order.
const FIELDS: usize = 5;

/// The per-block header, 32 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub(crate) struct BlockHeader {
    /// Smallest stored value of each field in the block.
    pub(crate) base: [u32; FIELDS],
    /// Bit width of each field's offsets from `base` (0 to 32).
    pub(crate) width: [u8; FIELDS],
    pub(crate) padding: [u8; 3],
    /// Index of the block's first u64 word in the bits section.
    pub(crate) word: u32,
}

/// Packs tokens given as five parallel columns (already +1-coded where needed).
pub(crate) struct BlockWriter {
    pub(crate) headers: Vec<BlockHeader>,
    pub(crate) words: Vec<u64>,
}

impl BlockWriter {
    pub(crate) fn new() -> BlockWriter {
        BlockWriter {
            headers: Vec::new(),
            words: Vec::new(),
        }
    }

    /// Appends one block of up to 32 tokens: `fields[f][j]` is field `f` of token `j`.
    pub(crate) fn push_block(
        &mut self,
        fields: &[[u32; BLOCK_TOKENS]; FIELDS],
        count: usize,
    ) -> Option<()> {
        let mut header = BlockHeader {
            word: u32::try_from(self.words.len()).ok()?,
            ..BlockHeader::default()
        };
        for (f, column) in fields.iter().enumerate() {
            let values = &column[..count];
            let low = values.iter().copied().min().unwrap_or(0);
            let high = values.iter().copied().max().unwrap_or(0);
            header.base[f] = low;
            header.width[f] = (32 - (high - low).leading_zeros()) as u8;
        }
        let total_bits: usize = header
            .width
            .iter()
            .map(|&w| w as usize * BLOCK_TOKENS)
            .sum();
        let first_word = self.words.len();
        self.words.resize(first_word + total_bits.div_ceil(64), 0);
        let mut bit = first_word * 64;
        for (f, column) in fields.iter().enumerate() {
            let width = header.width[f] as usize;
            if width > 0 {
                // Slots past `count` stay zero (the words start zeroed).
                for (j, &value) in column[..count].iter().enumerate() {
                    write_bits(
                        &mut self.words,
                        bit + j * width,
                        width,
                        value - header.base[f],
                    );
                }
            }
            bit += width * BLOCK_TOKENS;
        }
        self.headers.push(header);
        Some(())
    }
}

fn write_bits(words: &mut [u64], bit: usize, width: usize, value: u32) {
    let value = u64::from(value);
    let (index, shift) = (bit / 64, bit % 64);
    words[index] |= value << shift;
    if shift + width > 64 {
        words[index + 1] |= value >> (64 - shift);
    }
}

/// Reads `width` bits at `bit`; bits outside `words` read as zero.
#[inline]
fn read_bits(words: &[u64], bit: usize, width: u32) -> u32 {
    let (index, shift) = (bit / 64, (bit % 64) as u32);
    let low = words.get(index).copied().unwrap_or(0) >> shift;
    let value = if shift + width > 64 {
        let high = words.get(index + 1).copied().unwrap_or(0);
        low | (high << (64 - shift))
    } else {
        low
    };
    (value & ((1u64 << width) - 1)) as u32
}

/// Packed mappings borrowed from a cache: the [`MappingStore`] over its sections.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PackedMappings<'a> {
    pub(crate) token_count: usize,
    pub(crate) line_starts: &'a [u32],
    pub(crate) headers: &'a [BlockHeader],
    pub(crate) words: &'a [u64],
}

impl PackedMappings<'_> {
    #[inline]
    fn field(&self, header: &BlockHeader, slot: usize, field: usize) -> u32 {
        let width = u32::from(header.width[field]).min(32);
        if width == 0 {
            return header.base[field];
        }
        let before: usize = header.width[..field].iter().map(|&w| w as usize).sum();
        let bit = header.word as usize * 64 + before * BLOCK_TOKENS + slot * width as usize;
        header.base[field].wrapping_add(read_bits(self.words, bit, width))
    }

    #[inline]
    fn header(&self, index: usize) -> (BlockHeader, usize) {
        let header = self
            .headers
            .get(index / BLOCK_TOKENS)
            .copied()
            .unwrap_or_default();
        (header, index % BLOCK_TOKENS)
    }
}

impl MappingStore for PackedMappings<'_> {
    fn len(&self) -> usize {
        self.token_count
    }

    fn line_count(&self) -> usize {
        self.line_starts.len().saturating_sub(1)
    }

    fn line_range(&self, line: u32) -> Range<usize> {
        crate::mappings::checked_line_range(self.line_starts, line, self.token_count)
    }

    fn line_of(&self, index: usize) -> u32 {
        crate::mappings::line_of(self.line_starts, index)
    }

    #[inline]
    fn generated_column(&self, index: usize) -> u32 {
        let (header, slot) = self.header(index);
        self.field(&header, slot, 0)
    }

    fn token_on_line(&self, index: usize, line: u32) -> RawToken {
        let (header, slot) = self.header(index);
        RawToken {
            index: index as u32,
            generated_line: line,
            generated_column: self.field(&header, slot, 0),
            source: self.field(&header, slot, 1).wrapping_sub(1),
            original_line: self.field(&header, slot, 2).wrapping_sub(1),
            original_column: self.field(&header, slot, 3).wrapping_sub(1),
            name: self.field(&header, slot, 4).wrapping_sub(1),
        }
    }

    fn original_key(&self, index: usize) -> (u32, u32, u32) {
        let (header, slot) = self.header(index);
        (
            self.field(&header, slot, 1).wrapping_sub(1),
            self.field(&header, slot, 2).wrapping_sub(1),
            self.field(&header, slot, 3).wrapping_sub(1),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip_at_every_width_and_offset() {
        let mut words = vec![0u64; 10];
        let mut bit = 3;
        let mut expected = Vec::new();
        for width in 1..=32usize {
            let value = if width == 32 {
                u32::MAX
            } else {
                (1u32 << width) - 1 - (width as u32 % 2)
            };
            write_bits(&mut words, bit, width, value);
            expected.push((bit, width, value));
            bit += width;
        }
        for (bit, width, value) in expected {
            assert_eq!(read_bits(&words, bit, width as u32), value, "width {width}");
        }
        assert_eq!(read_bits(&words, 10_000, 7), 0);
    }

    #[test]
    fn blocks_round_trip() {
        let mut writer = BlockWriter::new();
        let mut fields = [[0u32; BLOCK_TOKENS]; FIELDS];
        for j in 0..BLOCK_TOKENS as u32 {
            let slot = j as usize;
            fields[0][slot] = 100 + j * 7;
            fields[1][slot] = if j % 3 == 0 { 0 } else { 5 };
            fields[2][slot] = 1_000_000 + j;
            fields[3][slot] = u32::MAX;
            fields[4][slot] = j * 1000;
        }
        writer.push_block(&fields, BLOCK_TOKENS).unwrap();
        writer.push_block(&fields, 5).unwrap();
        writer.words.push(0);
        let packed = PackedMappings {
            token_count: BLOCK_TOKENS + 5,
            line_starts: &[0, BLOCK_TOKENS as u32 + 5],
            headers: &writer.headers,
            words: &writer.words,
        };
        for i in 0..packed.token_count {
            let j = i % BLOCK_TOKENS;
            let t = packed.token_on_line(i, 0);
            assert_eq!(t.generated_column, fields[0][j]);
            assert_eq!(t.source, fields[1][j].wrapping_sub(1));
            assert_eq!(t.original_line, fields[2][j] - 1);
            assert_eq!(t.original_column, u32::MAX - 1);
            assert_eq!(t.name, (fields[4][j]).wrapping_sub(1));
        }
    }
}
