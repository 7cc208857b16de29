//! Many lookups at once, in an order that suits the memory.
//!
//! Random positions in a map larger than the CPU caches cost a memory round trip or
//! two each. Sorted by generated position, the same lookups sweep the mappings from
//! start to end, and the hardware prefetcher hides most of that latency: on a 2.7
//! million-token map, about 100 ns a position instead of 200 to 260, sort included.
//! Small maps stay in cache anyway, and small batches would not repay the sort, so
//! both are looked up in the order given.

/// Tokens from which a map is worth sorting a batch for: about 2 MB of mappings, more
/// than a core's L2 cache. Measured from Python on the bench's maps (AMD EPYC): pdfjs's
/// pdf.worker (462,000 tokens) 74 → 59 ns a position and the index map (465,000) 80 →
/// 62, babel.min (283,000) unchanged; below, sorting costs more than it saves (pdf.mjs,
/// 181,000 tokens: 49 → 73 ns).
const LARGE_MAP_TOKENS: usize = 1 << 18;
/// Positions from which a batch is worth sorting.
const LARGE_BATCH: usize = 4096;

/// The order in which to look up `lines`/`columns` (equal lengths) in a map of
/// `token_count` tokens: `None` for the order given, else the position indices sorted
/// by (line, column).
pub(crate) fn batch_order(lines: &[u32], columns: &[u32], token_count: usize) -> Option<Vec<u32>> {
    let count = lines.len().min(columns.len());
    if count < LARGE_BATCH || token_count < LARGE_MAP_TOKENS || count > u32::MAX as usize {
        return None;
    }
    // A key of (line, column) in as few bits as these positions need, so that the
    // radix sort makes as few passes as it can.
    let column_bits = bit_length(columns.iter().copied().max().unwrap_or(0));
    let line_bits = bit_length(lines.iter().copied().max().unwrap_or(0));
    let keys: Vec<(u64, u32)> = (0..count)
        .map(|i| {
            (
                (u64::from(lines[i]) << column_bits) | u64::from(columns[i]),
                i as u32,
            )
        })
        .collect();
    Some(
        radix_sort(keys, line_bits + column_bits)
            .into_iter()
            .map(|(_, i)| i)
            .collect(),
    )
}

fn bit_length(value: u32) -> u32 {
    32 - value.leading_zeros()
}

/// Sorts by key (the low `bits` bits), stably, 11 bits per pass.
fn radix_sort(mut items: Vec<(u64, u32)>, bits: u32) -> Vec<(u64, u32)> {
    const DIGIT: u32 = 11;
    let mut scratch = vec![(0u64, 0u32); items.len()];
    let mut shift = 0;
    while shift < bits {
        let mut counts = [0usize; 1 << DIGIT];
        let digit = |key: u64| ((key >> shift) & ((1 << DIGIT) - 1)) as usize;
        for &(key, _) in &items {
            counts[digit(key)] += 1;
        }
        let mut next = 0;
        for count in counts.iter_mut() {
            let here = *count;
            *count = next;
            next += here;
        }
        for &item in &items {
            let slot = &mut counts[digit(item.0)];
            scratch[*slot] = item;
            *slot += 1;
        }
        std::mem::swap(&mut items, &mut scratch);
        shift += DIGIT;
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_sort_sorts_stably() {
        let mut state = 0x1234_5678_9abc_def0u64;
        let items: Vec<(u64, u32)> = (0..10_000)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % 5_000_000, i)
            })
            .collect();
        let mut expected = items.clone();
        expected.sort_by_key(|&(key, _)| key); // stable
        assert_eq!(radix_sort(items, 23), expected);
    }

    #[test]
    fn large_batches_on_large_maps_only() {
        let lines: Vec<u32> = (0..5000).rev().collect();
        let columns = vec![7; 5000];
        assert!(batch_order(&lines, &columns, 100).is_none());
        assert!(batch_order(&lines[..100], &columns[..100], 1 << 22).is_none());
        let order = batch_order(&lines, &columns, 1 << 22).unwrap();
        assert_eq!(order[0], 4999);
        assert_eq!(order[4999], 0);
    }
}
