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
use crate::lookup::{partition, MappingStore};
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
    /// The generated column of each block's first token.
    pub(crate) first_columns: Vec<u32>,
}

impl BlockWriter {
    pub(crate) fn new() -> BlockWriter {
        BlockWriter {
            headers: Vec::new(),
            words: Vec::new(),
            first_columns: Vec::new(),
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
        self.first_columns.push(fields[0][0]);
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

/// Reads `width` (at most 32) bits at `bit`; a read past the end yields zero (the
/// writer's own check; readers use [`FieldRun`]).
#[cfg(test)]
///
/// A field starts at most 7 bits into its first byte and spans at most 32 bits, so one
/// unaligned little-endian u64 load from that byte holds it: one bounds check, one
/// shift, one mask. The writer appends a zero word, so the load is in bounds for every
/// bit inside the data.
#[inline(always)]
fn read_bits(bytes: &[u8], bit: usize, width: u32) -> u32 {
    let at = bit / 8;
    let Some(window) = bytes.get(at..at + 8) else {
        return 0;
    };
    let mut word = [0u8; 8];
    word.copy_from_slice(window);
    let mask = (1u64 << width) - 1;
    ((u64::from_le_bytes(word) >> (bit % 8)) & mask) as u32
}

/// One field's run inside one block, with everything a read needs precomputed.
#[derive(Clone, Copy)]
struct FieldRun {
    base: u32,
    width: usize,
    mask: u64,
    /// Bit offset of slot 0.
    origin: usize,
}

impl FieldRun {
    #[inline(always)]
    fn new(header: &BlockHeader, field: usize, run_offset: usize) -> FieldRun {
        let width = u32::from(header.width[field]).min(32);
        FieldRun {
            base: header.base[field],
            width: width as usize,
            mask: (1u64 << width) - 1,
            origin: header.word as usize * 64 + run_offset,
        }
    }

    #[inline(always)]
    fn get(&self, bits: &[u8], slot: usize) -> u32 {
        let bit = self.origin + slot * self.width;
        let at = bit / 8;
        let Some(window) = bits.get(at..at + 8) else {
            return self.base;
        };
        let mut word = [0u8; 8];
        word.copy_from_slice(window);
        let offset = ((u64::from_le_bytes(word) >> (bit % 8)) & self.mask) as u32;
        self.base.wrapping_add(offset)
    }
}

/// Packed mappings borrowed from a cache: the [`MappingStore`] over its sections.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PackedMappings<'a> {
    pub(crate) token_count: usize,
    pub(crate) line_starts: &'a [u32],
    pub(crate) headers: &'a [BlockHeader],
    /// The block bits section, as bytes (little-endian u64 words).
    pub(crate) bits: &'a [u8],
    /// The generated column of each block's first token.
    pub(crate) first_columns: &'a [u32],
    /// Indices of the range mappings, ascending (the RangeMappings section; empty
    /// without one).
    pub(crate) range_tokens: &'a [u32],
}

/// Stands in for the header of a block past the end (a corrupt cache): every field 0.
const EMPTY_BLOCK: BlockHeader = BlockHeader {
    base: [0; FIELDS],
    width: [0; FIELDS],
    padding: [0; 3],
    word: 0,
};

impl PackedMappings<'_> {
    #[inline]
    fn block(&self, index: usize) -> &BlockHeader {
        self.headers
            .get(index / BLOCK_TOKENS)
            .unwrap_or(&EMPTY_BLOCK)
    }

    /// The five stored fields of token `index` (still +1-coded where they are).
    #[inline(always)]
    fn fields(&self, index: usize) -> [u32; FIELDS] {
        let (header, slot) = (self.block(index), index % BLOCK_TOKENS);
        let mut values = [0; FIELDS];
        // Each field's run starts after the runs of the fields before it.
        let mut run_offset = 0;
        for (field, value) in values.iter_mut().enumerate() {
            let run = FieldRun::new(header, field, run_offset);
            *value = run.get(self.bits, slot);
            run_offset += run.width * BLOCK_TOKENS;
        }
        values
    }

    /// The generated column of `slot` in a block: field 0 runs first in the block.
    #[inline(always)]
    fn column_in(&self, header: &BlockHeader, slot: usize) -> u32 {
        FieldRun::new(header, 0, 0).get(self.bits, slot)
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
        self.column_in(self.block(index), index % BLOCK_TOKENS)
    }

    /// Searches the blocks' first tokens, then one block with its header loaded once.
    fn partition_columns(&self, range: Range<usize>, column: u32, inclusive: bool) -> usize {
        if range.is_empty() {
            return range.start;
        }
        // A token is "before" when its column is below `limit`.
        let limit = u64::from(column) + u64::from(inclusive);
        // The blocks whose first token lies inside the range (after the first block)
        // are sorted by first column, like the line: find the last one that is before.
        let blocks = range.start / BLOCK_TOKENS + 1..(range.end - 1) / BLOCK_TOKENS + 1;
        let first_columns = self.first_columns.get(blocks.clone()).unwrap_or(&[]);
        let block = blocks.start - 1 + first_columns.partition_point(|&c| u64::from(c) < limit);
        let header = self.headers.get(block).unwrap_or(&EMPTY_BLOCK);
        let columns = FieldRun::new(header, 0, 0);
        let block_start = block * BLOCK_TOKENS;
        let slots = range.start.max(block_start) - block_start
            ..range.end.min(block_start + BLOCK_TOKENS) - block_start;
        block_start
            + partition(slots, |slot| {
                u64::from(columns.get(self.bits, slot)) < limit
            })
    }

    fn token_on_line(&self, index: usize, line: u32) -> RawToken {
        let [column, source, original_line, original_column, name] = self.fields(index);
        RawToken {
            index: index as u32,
            generated_line: line,
            generated_column: column,
            source: source.wrapping_sub(1),
            original_line: original_line.wrapping_sub(1),
            original_column: original_column.wrapping_sub(1),
            name: name.wrapping_sub(1),
            is_range: self.is_range(index),
        }
    }

    #[inline]
    fn is_range(&self, index: usize) -> bool {
        crate::mappings::is_range_in(self.range_tokens, index)
    }

    #[inline(always)]
    fn has_ranges(&self) -> bool {
        !self.range_tokens.is_empty()
    }

    fn original_key(&self, index: usize) -> (u32, u32, u32) {
        let [_, source, line, column, _] = self.fields(index);
        (
            source.wrapping_sub(1),
            line.wrapping_sub(1),
            column.wrapping_sub(1),
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
        let bytes: &[u8] = bytemuck::cast_slice(&words);
        for (bit, width, value) in expected {
            assert_eq!(read_bits(bytes, bit, width as u32), value, "width {width}");
        }
        assert_eq!(read_bits(bytes, 10_000, 7), 0);
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
            bits: bytemuck::cast_slice(&writer.words),
            first_columns: &writer.first_columns,
            range_tokens: &[],
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
