//! A compact table of optional strings: one arena, one span per entry.
//!
//! Names and source paths are stored this way instead of one heap string each, so a map
//! with 100,000 names costs two allocations, not 100,000.

/// Marks a null entry in `spans`.
const NULL_SPAN: (u32, u32) = (u32::MAX, 0);

/// An append-only list of `Option<str>` in one buffer.
#[derive(Clone, Debug, Default)]
pub(crate) struct StringTable {
    arena: String,
    spans: Vec<(u32, u32)>,
}

impl StringTable {
    /// Appends an entry.
    pub(crate) fn push(&mut self, value: Option<&str>) {
        match value {
            Some(text) => {
                let start = self.arena.len() as u32;
                self.arena.push_str(text);
                self.spans.push((start, text.len() as u32));
            }
            None => self.spans.push(NULL_SPAN),
        }
    }

    /// The entry at `index`: `None` when out of range, `Some(None)` when null.
    pub(crate) fn get(&self, index: usize) -> Option<Option<&str>> {
        let &(start, len) = self.spans.get(index)?;
        if (start, len) == NULL_SPAN {
            return Some(None);
        }
        let start = start as usize;
        Some(Some(&self.arena[start..start + len as usize]))
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// Drops entries from `len` on (used to roll back a skipped index-map section).
    pub(crate) fn truncate(&mut self, len: usize) {
        if let Some(&(start, _)) = self.spans[len.min(self.spans.len())..]
            .iter()
            .find(|span| **span != NULL_SPAN)
        {
            self.arena.truncate(start as usize);
        }
        self.spans.truncate(len);
    }

    /// Releases spare capacity once the table is complete.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.arena.shrink_to_fit();
        self.spans.shrink_to_fit();
    }

    /// Bytes of heap memory held.
    pub(crate) fn heap_size(&self) -> usize {
        self.arena.capacity() + self.spans.capacity() * std::mem::size_of::<(u32, u32)>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_get_truncate() {
        let mut table = StringTable::default();
        table.push(Some("a"));
        table.push(None);
        table.push(Some(""));
        table.push(Some("bc"));
        assert_eq!(table.get(0), Some(Some("a")));
        assert_eq!(table.get(1), Some(None));
        assert_eq!(table.get(2), Some(Some("")));
        assert_eq!(table.get(3), Some(Some("bc")));
        assert_eq!(table.get(4), None);
        table.truncate(2);
        assert_eq!(table.len(), 2);
        table.push(Some("z"));
        assert_eq!(table.get(2), Some(Some("z")));
        assert_eq!(table.arena, "az");
    }
}
