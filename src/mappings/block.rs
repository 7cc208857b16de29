//! Blocks of packed originals: the source, original line, original column and name of
//! 32 consecutive tokens, each field stored as a difference from the block's first
//! token in as few bits as the block needs.
//!
//! Differences are wrapping `u32` subtractions read as `i32` and zigzag-coded (0, -1,
//! 1, -2, ... become 0, 1, 2, 3, ...), so "absent" (`u32::MAX`) needs no special case,
//! and the bit width of a field is that of the OR of its codes: an OR reduction, where a
//! frame of reference would need minimum and maximum (which baseline x86-64 has no
//! vector instruction for). Token `j` of the block is a record of `W` bits, its four
//! codes, at bit `j * W` of the block's bytes. One unaligned 16-byte load reads a whole
//! record, so decoding a token costs a few shifts and one or two cache lines.
//!
//! A record is at most 121 bits, so that it fits a 16-byte load at any bit offset
//! within the byte. A block whose fields would need more stores every field in full 32
//! bits: its 128-bit records then always start on a byte.

/// Tokens per block.
pub(crate) const BLOCK: usize = 32;

/// Bytes past the last record that reads may touch (a 16-byte load at the last byte).
pub(crate) const PADDING: usize = 16;

/// The widest record that a 16-byte load reads at any bit offset within a byte.
const MAX_PACKED_BITS: u32 = 121;

/// One block's frame of reference.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Block {
    /// Each field of the block's first token.
    base: [u32; 4],
    /// Byte offset of the block's first record.
    offset: u32,
    /// Bits per field (0 when every token of the block has the same value).
    widths: [u8; 4],
}

#[inline(always)]
fn zigzag(difference: u32) -> u32 {
    (difference << 1) ^ ((difference as i32 >> 31) as u32)
}

#[inline(always)]
fn unzigzag(code: u32) -> u32 {
    (code >> 1) ^ (code & 1).wrapping_neg()
}

impl Block {
    /// Bits per record.
    #[inline(always)]
    fn record_bits(&self) -> u32 {
        self.widths.iter().map(|&w| u32::from(w)).sum()
    }

    /// Byte length of `count` records.
    fn byte_len(&self, count: usize) -> usize {
        (count * self.record_bits() as usize).div_ceil(8)
    }

    /// The byte offset where the block's records start.
    pub(crate) fn offset(&self) -> usize {
        self.offset as usize
    }

    /// The four fields of record `slot` (source, original line, original column,
    /// name), `u32::MAX` for absent.
    #[inline(always)]
    pub(crate) fn read(&self, records: &[u8], slot: usize) -> [u32; 4] {
        // The widths as the bytes of one word: multiplying by 0x0101_0100 leaves each
        // field's start (the sum of the widths before it) in its byte, and by
        // 0x0101_0101 the record's width in the top byte. No byte carries: the widths
        // add up to 128 at most.
        let widths = u32::from_le_bytes(self.widths);
        let starts = widths.wrapping_mul(0x0101_0100);
        let bits = widths.wrapping_mul(0x0101_0101) >> 24;
        // Each field's width and start, taken from the words rather than from the byte
        // arrays: the header then stays in two registers instead of being copied apart
        // byte by byte.
        let width = |f: usize| (widths >> (8 * f)) & 0xff;
        let shift = |f: usize| (starts >> (8 * f)) & 0xff;
        let bit = slot * bits as usize;
        let start = self.offset as usize + bit / 8;
        if bits <= 56 {
            // The common case: the record and its offset in the byte fit one u64, and
            // the four fields are extracted independently, not by a chain of shifts.
            let chunk: [u8; 8] = records
                .get(start..start + 8)
                .and_then(|bytes| bytes.try_into().ok())
                .unwrap_or([0; 8]);
            let record = u64::from_le_bytes(chunk) >> (bit % 8);
            let field = |f: usize| {
                let code = (record >> shift(f)) & !(u64::MAX << width(f));
                self.base[f].wrapping_add(unzigzag(code as u32))
            };
            return [field(0), field(1), field(2), field(3)];
        }
        let chunk: [u8; 16] = records
            .get(start..start + 16)
            .and_then(|bytes| bytes.try_into().ok())
            .unwrap_or([0; 16]);
        let record = u128::from_le_bytes(chunk) >> (bit % 8);
        let field = |f: usize| {
            let code = (record >> shift(f)) & !(u128::MAX << width(f));
            self.base[f].wrapping_add(unzigzag(code as u32))
        };
        [field(0), field(1), field(2), field(3)]
    }
}

/// Packs `count` tokens (`fields[f][j]`: field `f` of token `j`) as a block appended
/// to `records`, which must end with [`PADDING`] zero bytes and still does afterwards.
/// The work is written over whole fixed-size arrays so that it compiles to vector
/// instructions; slots past `count` are computed and not written.
pub(crate) fn pack(fields: &[[u32; BLOCK]; 4], count: usize, records: &mut Vec<u8>) -> Block {
    debug_assert!(count > 0 && count <= BLOCK);
    let start = records.len() - PADDING;
    let mut block = Block {
        offset: u32::try_from(start).unwrap_or(u32::MAX),
        ..Block::default()
    };
    let mut codes = [[0u32; BLOCK]; 4];
    for (field, (column, out)) in fields.iter().zip(codes.iter_mut()).enumerate() {
        let base = column[0];
        for (code, &value) in out.iter_mut().zip(column) {
            *code = zigzag(value.wrapping_sub(base));
        }
        let used = out[..count].iter().fold(0, |any, &code| any | code);
        block.base[field] = base;
        block.widths[field] = (32 - used.leading_zeros()) as u8;
    }
    if block.record_bits() > MAX_PACKED_BITS {
        block.widths = [32; 4];
    }
    let widths = block.widths.map(u32::from);
    let bits = block.record_bits();
    let length = block.byte_len(count);
    records.resize(start + length + PADDING, 0);
    let area = &mut records[start..];
    let shifts = [
        0,
        widths[0],
        widths[0] + widths[1],
        widths[0] + widths[1] + widths[2],
    ];
    if bits <= 64 {
        let mut packed = [0u64; BLOCK];
        for (column, shift) in codes.iter().zip(shifts) {
            for (record, &code) in packed.iter_mut().zip(column) {
                // A shift of 64 only meets a 0-bit field, whose codes are all 0.
                *record |= u64::from(code).wrapping_shl(shift);
            }
        }
        // Records go out through a register in whole words: read-modify-writes of
        // overlapping neighbours would stall on store forwarding.
        let mut pending = 0u64;
        let mut used = 0u32;
        let mut at = 0usize;
        for &record in &packed[..count] {
            pending |= record.wrapping_shl(used);
            used += bits;
            if used >= 64 {
                store_word(area, at, pending);
                at += 8;
                used -= 64;
                // The record's bits that did not fit (none when it ended the word).
                pending = if used == 0 {
                    0
                } else {
                    record >> (bits - used)
                };
            }
        }
        if used > 0 {
            store_word(area, at, pending);
        }
    } else {
        for slot in 0..count {
            let mut record = 0u128;
            for (column, shift) in codes.iter().zip(shifts) {
                record |= u128::from(column[slot]) << shift;
            }
            let bit = slot * bits as usize;
            or_into::<16>(area, bit / 8, record << (bit % 8));
        }
    }
    block
}

/// Writes `word` little-endian at `bytes[at..at + 8]`.
#[inline(always)]
fn store_word(bytes: &mut [u8], at: usize, word: u64) {
    if let Some(window) = bytes.get_mut(at..at + 8) {
        window.copy_from_slice(&word.to_le_bytes());
    }
}

/// ORs the low `N` bytes of `value` into `bytes[at..at + N]`, little-endian.
#[inline(always)]
fn or_into<const N: usize>(bytes: &mut [u8], at: usize, value: u128) {
    if let Some(window) = bytes.get_mut(at..at + N) {
        for (byte, new) in window.iter_mut().zip(value.to_le_bytes()) {
            *byte |= new;
        }
    }
}

/// Unpacks `count` tokens of a block (the inverse of [`pack`]).
pub(crate) fn unpack(block: &Block, records: &[u8], count: usize) -> [[u32; BLOCK]; 4] {
    let mut fields = [[0u32; BLOCK]; 4];
    for slot in 0..count.min(BLOCK) {
        for (column, value) in fields.iter_mut().zip(block.read(records, slot)) {
            column[slot] = value;
        }
    }
    fields
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;

    fn round_trip(fields: &[[u32; BLOCK]; 4], count: usize) -> Block {
        let mut records = vec![0u8; PADDING];
        // Something before the block, so offsets are not all 0.
        let first = pack(fields, count, &mut records);
        let block = pack(fields, count, &mut records);
        assert!(records[records.len() - PADDING..].iter().all(|&b| b == 0));
        for b in [first, block] {
            let back = unpack(&b, &records, count);
            for field in 0..4 {
                assert_eq!(
                    back[field][..count],
                    fields[field][..count],
                    "field {field}"
                );
            }
        }
        block
    }

    #[test]
    fn narrow_fields_round_trip() {
        let mut fields = [[0u32; BLOCK]; 4];
        for j in 0..BLOCK {
            fields[0][j] = 3;
            fields[1][j] = 1000 + j as u32;
            fields[2][j] = (j as u32 * 37) % 80;
            fields[3][j] = if j % 3 == 0 { u32::MAX } else { j as u32 };
        }
        let block = round_trip(&fields, BLOCK);
        assert_eq!(block.widths[0], 0);
        assert!(block.record_bits() < 32);
        round_trip(&fields, 7);
        round_trip(&fields, 1);
    }

    #[test]
    fn wide_fields_fall_back_to_32_bits() {
        let mut fields = [[0u32; BLOCK]; 4];
        for j in 0..BLOCK {
            for (field, column) in fields.iter_mut().enumerate() {
                // Differences near 2^31 from the first token need all 32 bits.
                column[j] = if (j + field) % 2 == 0 {
                    u32::MAX
                } else {
                    0x7fff_fff0 + j as u32
                };
            }
        }
        let block = round_trip(&fields, BLOCK);
        assert_eq!(block.widths, [32; 4]);
        round_trip(&fields, 5);
    }

    #[test]
    fn every_width_round_trips() {
        for width in 0..=32u32 {
            let mut fields = [[0u32; BLOCK]; 4];
            for j in 0..BLOCK {
                let top = if width == 0 {
                    0
                } else {
                    u32::MAX >> (32 - width)
                };
                // +1 coding: values from -1 (absent) up to top - 1 span `width` bits.
                fields[0][j] = if j == 0 {
                    u32::MAX
                } else {
                    top.wrapping_sub(1)
                };
                fields[1][j] = (j as u32).wrapping_mul(2_654_435_761) & (top >> 1);
                fields[2][j] = 7;
                fields[3][j] = j as u32;
            }
            round_trip(&fields, BLOCK);
        }
    }
}
