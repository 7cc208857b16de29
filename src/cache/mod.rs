//! The binary cache: a versioned, mmap-able form of a decoded map that opens in O(1)
//! and answers the same queries as [`crate::SourceMap`] (it implements
//! [`SourceMapView`]). The format is specified in `docs/cache-format.md`.
//!
//! Opening validates the header and the section table only (checksums included), so
//! it costs the same for a 1 KB and a 1 GB cache. Section bodies are read with range
//! checks: a damaged body yields wrong answers or "not found", never a crash or an
//! out-of-bounds read. [`Cache::verify`] checks the body's checksum (O(n)) for callers
//! who want to know before they trust a file.

mod format;
pub(crate) mod mmap;
mod packed;
pub(crate) mod writer;

use std::fs::File;
use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use self::format::{
    byte_table_get, decode_compressed, decode_content, string_table_get, string_table_len,
    string_table_len_from, Header, SectionKind, SectionMap, ALIGNMENT, BLOCK_TOKENS, FLAG_CONTENTS,
    FLAG_INDEX_MAP, FLAG_NAMES, FLAG_RANGE_MAPPINGS, FLAG_SCOPES, HEADER_LEN,
};
use self::mmap::MappedFile;
use self::packed::{BlockHeader, PackedMappings};
use crate::error::{Diagnostic, Error, ErrorCode, Result};
use crate::function_maps::FunctionMap;
use crate::lookup::ReverseIndex;
use crate::view::SourceMapView;

pub use self::writer::{to_cache_bytes, CacheOptions};

/// Where a cache's bytes live.
#[derive(Debug)]
enum Backing<'a> {
    /// Caller's bytes, 8-byte aligned, used in place.
    Borrowed(&'a [u8]),
    /// A private, aligned copy.
    Owned { words: Box<[u64]>, len: usize },
    /// A read-only mapping of a file.
    Mapped(MappedFile),
}

impl Backing<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Backing::Borrowed(bytes) => bytes,
            Backing::Owned { words, len } => &bytemuck::cast_slice::<u64, u8>(words)[..*len],
            Backing::Mapped(file) => file.bytes(),
        }
    }
}

/// A cache opened for queries. `Send + Sync`; query it through [`SourceMapView`].
#[derive(Debug)]
pub struct Cache<'a> {
    backing: Backing<'a>,
    header: Header,
    sections: SectionMap,
    /// Byte ranges of the line starts, block headers, block bits, block first
    /// columns and range mappings (empty unless `FLAG_RANGE_MAPPINGS`), looked up once
    /// at open: every lookup needs them.
    mapping_ranges: [Range<usize>; 5],
    reverse: OnceLock<ReverseIndex>,
    /// Decompressed contents, one slot per source, allocated on first access.
    contents: OnceLock<Box<[OnceLock<Option<DecodedContent>>]>>,
    /// Decoded function maps, one slot per source, allocated on first access.
    function_maps: OnceLock<Box<[OnceLock<Option<FunctionMap>>]>>,
    /// The scopes proposal's records (section kind 15), decoded on first access.
    original_scopes: OnceLock<Option<Box<crate::original_scopes::ScopeInfo>>>,
}

impl Cache<'static> {
    /// Maps the cache file at `path` (see the SIGBUS note in the module docs of
    /// `cache::mmap` and in docs/cache-format.md), advising the kernel of random access:
    /// a cache that left the page cache then costs the pages that opening and each query
    /// touch, not megabytes of readahead (docs/caches.md).
    pub fn open(path: impl AsRef<Path>) -> Result<Cache<'static>> {
        let (mapped, file) = MappedFile::open_random_access_with_file(path.as_ref())?;
        Cache::checked(Backing::Mapped(mapped), Some(&file))
    }

    /// The same as [`Cache::open`], which advises random access too (this name is
    /// from when it did not).
    pub fn open_random_access(path: impl AsRef<Path>) -> Result<Cache<'static>> {
        Cache::open(path)
    }

    /// Copies `bytes` into an aligned buffer owned by the cache.
    pub fn from_slice(bytes: &[u8]) -> Result<Cache<'static>> {
        let mut words = vec![0u64; bytes.len().div_ceil(8)].into_boxed_slice();
        bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..bytes.len()].copy_from_slice(bytes);
        Cache::new(Backing::Owned {
            words,
            len: bytes.len(),
        })
    }
}

impl<'a> Cache<'a> {
    /// Uses `bytes` in place when they are 8-byte aligned, else copies them.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Cache<'a>> {
        if (bytes.as_ptr() as usize).is_multiple_of(ALIGNMENT) {
            Cache::new(Backing::Borrowed(bytes))
        } else {
            Cache::from_slice(bytes)
        }
    }

    fn new(backing: Backing<'a>) -> Result<Cache<'a>> {
        Cache::checked(backing, None)
    }

    /// Decodes and checks the header, the section table and the layout. `file`, when
    /// given, is the file `backing` maps, from which the layout check reads each string
    /// table's entry count with `pread` rather than by touching the mapping: the counts
    /// lie at the starts of sections far apart, and each first touch of a page costs a
    /// page fault (see `table_len`).
    fn checked(backing: Backing<'a>, file: Option<&File>) -> Result<Cache<'a>> {
        let bytes = backing.bytes();
        let header = Header::decode(bytes)?;
        let sections = SectionMap::decode(bytes, &header)?;
        let mut mapping_ranges = [
            SectionKind::LineStarts,
            SectionKind::BlockHeaders,
            SectionKind::BlockBits,
            SectionKind::BlockFirstColumns,
            SectionKind::RangeMappings,
        ]
        .map(|kind| sections.get(kind).unwrap_or(0..0));
        // Like contents and scopes, the section counts only with its header flag.
        if header.flags & FLAG_RANGE_MAPPINGS == 0 {
            mapping_ranges[4] = 0..0;
        }
        let cache = Cache {
            header,
            sections,
            mapping_ranges,
            reverse: OnceLock::new(),
            contents: OnceLock::new(),
            function_maps: OnceLock::new(),
            original_scopes: OnceLock::new(),
            backing,
        };
        cache.check_layout(file)?;
        Ok(cache)
    }

    /// Checks that the sections this reader needs exist with consistent sizes: O(1).
    fn check_layout(&self, file: Option<&File>) -> Result<()> {
        use SectionKind::*;
        let table_len = |kind: SectionKind| self.table_len(kind, file);
        let flags = self.header.flags;
        let mut required = vec![
            LineStarts,
            BlockHeaders,
            BlockBits,
            BlockFirstColumns,
            SourceNames,
            SourcePrefixedNames,
            SourceUrls,
            SourceFlags,
            Meta,
        ];
        if flags & FLAG_NAMES != 0 {
            required.push(Names);
        }
        if flags & FLAG_CONTENTS != 0 {
            required.push(Contents);
        }
        if flags & FLAG_SCOPES != 0 {
            required.push(FunctionScopes);
        }
        if flags & FLAG_RANGE_MAPPINGS != 0 {
            required.push(RangeMappings);
        }
        for kind in required {
            if self.sections.get(kind).is_none() {
                return Err(corrupt(format!("cache lacks its {kind:?} section")));
            }
        }
        let tokens = self.header.token_count as usize;
        let lines = self.header.line_count as usize;
        let expect = |kind: SectionKind, ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(corrupt(format!(
                    "cache {kind:?} section has the wrong size"
                )))
            }
        };
        expect(LineStarts, self.raw(LineStarts).len() == (lines + 1) * 4)?;
        let blocks = tokens.div_ceil(BLOCK_TOKENS);
        let headers = self.raw(BlockHeaders);
        expect(
            BlockHeaders,
            headers.len() == blocks * std::mem::size_of::<BlockHeader>(),
        )?;
        expect(
            BlockFirstColumns,
            self.raw(BlockFirstColumns).len() == blocks * 4,
        )?;
        let bits = self.raw(BlockBits);
        expect(BlockBits, !bits.is_empty() && bits.len().is_multiple_of(8))?;
        let sources = table_len(SourceNames);
        expect(SourceNames, sources.is_some())?;
        let sources = sources.unwrap_or(0);
        for kind in [SourcePrefixedNames, SourceUrls] {
            expect(kind, table_len(kind) == Some(sources))?;
        }
        expect(SourceFlags, self.raw(SourceFlags).len() == sources)?;
        expect(Meta, table_len(Meta) == Some(2))?;
        if flags & FLAG_NAMES != 0 {
            expect(Names, table_len(Names).is_some())?;
        }
        if flags & FLAG_SCOPES != 0 {
            expect(FunctionScopes, table_len(FunctionScopes) == Some(sources))?;
        }
        if flags & FLAG_CONTENTS != 0 {
            expect(Contents, table_len(Contents) == Some(sources))?;
        }
        if self.sections.get(FunctionMaps).is_some() {
            expect(FunctionMaps, table_len(FunctionMaps) == Some(sources))?;
        }
        if flags & FLAG_RANGE_MAPPINGS != 0 {
            let ranges = self.raw(RangeMappings).len();
            expect(
                RangeMappings,
                ranges > 0 && ranges.is_multiple_of(4) && ranges / 4 <= tokens,
            )?;
        }
        Ok(())
    }

    /// The entry count of the string table in section `kind` (see
    /// [`string_table_len`]), its first word read from `file` when given: in a VM a
    /// page fault costs ~3 µs and a `pread` ~0.6 µs, and on a cold cache the pread
    /// reads the same one page. The file is the one mapped and never rewritten in place
    /// (the publishing protocol), so both give the same word; if the read fails, the
    /// mapping is read.
    fn table_len(&self, kind: SectionKind, file: Option<&File>) -> Option<usize> {
        #[cfg(unix)]
        if let (Some(file), Some(range)) = (file, self.sections.get(kind)) {
            use std::os::unix::fs::FileExt;
            let mut word = [0u8; 4];
            if range.len() >= 4 && file.read_exact_at(&mut word, range.start as u64).is_ok() {
                return string_table_len_from(u32::from_le_bytes(word), range.len());
            }
        }
        #[cfg(not(unix))]
        let _ = file;
        string_table_len(self.raw(kind))
    }

    /// Checks the checksum of everything after the header: O(size). Returns
    /// `CacheChecksumMismatch` when any byte changed since the cache was written.
    pub fn verify(&self) -> Result<()> {
        if let Backing::Mapped(file) = &self.backing {
            // Every byte is read in order: readahead helps here, unlike for queries.
            file.advise_sequential();
        }
        let bytes = self.backing.bytes();
        let result = self.check_body(bytes);
        if let Backing::Mapped(file) = &self.backing {
            file.advise_random();
        }
        result
    }

    fn check_body(&self, bytes: &[u8]) -> Result<()> {
        if crc32fast::hash(&bytes[HEADER_LEN..]) == self.header.body_crc {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::CacheChecksumMismatch,
                "cache checksum does not match: the file was modified or damaged",
            ))
        }
    }

    /// Whether the cache is a mapping of a file (rather than bytes in memory).
    pub fn is_mapped(&self) -> bool {
        matches!(self.backing, Backing::Mapped(_))
    }

    /// The cache's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.backing.bytes()
    }

    fn raw(&self, kind: SectionKind) -> &[u8] {
        let range: Range<usize> = self.sections.get(kind).unwrap_or(0..0);
        self.backing.bytes().get(range).unwrap_or(&[])
    }

    #[inline]
    fn packed(&self) -> PackedMappings<'_> {
        // Sections are 8-aligned in an 8-aligned buffer and their sizes were checked,
        // so these casts succeed; an empty slice would only mean "no tokens".
        let bytes = self.backing.bytes();
        let [lines, headers, bits, first_columns, ranges] = &self.mapping_ranges;
        let section = |range: &Range<usize>| bytes.get(range.clone()).unwrap_or(&[]);
        PackedMappings {
            token_count: self.header.token_count as usize,
            line_starts: bytemuck::try_cast_slice(section(lines)).unwrap_or(&[]),
            headers: bytemuck::try_cast_slice(section(headers)).unwrap_or(&[]),
            bits: section(bits),
            first_columns: bytemuck::try_cast_slice(section(first_columns)).unwrap_or(&[]),
            range_tokens: bytemuck::try_cast_slice(section(ranges)).unwrap_or(&[]),
        }
    }

    fn reverse_index(&self) -> &ReverseIndex {
        self.reverse
            .get_or_init(|| ReverseIndex::build(&self.packed()))
    }

    fn table_entry(&self, kind: SectionKind, index: u32) -> Option<&str> {
        string_table_get(self.raw(kind), index as usize).flatten()
    }

    /// Source `index`'s content, decompressed on first access (with its line starts)
    /// and kept for the cache's lifetime. `None` without content, or when the stored
    /// content does not decode (a damaged body).
    fn decoded(&self, index: u32) -> Option<&DecodedContent> {
        if self.header.flags & FLAG_CONTENTS == 0 {
            return None;
        }
        let table = self.raw(SectionKind::Contents);
        // Allocated on first use, so that opening stays O(1); the count is bounded by
        // the section's size (8 bytes per entry), never taken on trust.
        let slots = self.contents.get_or_init(|| {
            let count = string_table_len(table).unwrap_or(0);
            (0..count).map(|_| OnceLock::new()).collect()
        });
        slots
            .get(index as usize)?
            .get_or_init(|| {
                let stored = byte_table_get(table, index as usize).flatten()?;
                let text = decode_content(stored)?;
                let line_starts = crate::lines::line_starts(&text).into_boxed_slice();
                let ascii_lines = ascii_lines(&text, &line_starts);
                Some(DecodedContent {
                    text,
                    line_starts,
                    ascii_lines,
                })
            })
            .as_ref()
    }
}

/// A source's content after decompression.
#[derive(Debug)]
struct DecodedContent {
    text: String,
    line_starts: Box<[u32]>,
    /// One bit per line, set for a line that is all ASCII: a column there needs no
    /// walk over the line's characters (original sources hold lines of megabytes, and
    /// a frame's rules and context read them at deep columns).
    ascii_lines: Box<[u64]>,
}

/// The bits of [`DecodedContent::ascii_lines`].
fn ascii_lines(text: &str, line_starts: &[u32]) -> Box<[u64]> {
    let mut bits = vec![0u64; line_starts.len().div_ceil(64)];
    for line in 0..line_starts.len() {
        let ascii = crate::lines::line_bytes(text.as_bytes(), line_starts, line)
            .is_some_and(<[u8]>::is_ascii);
        bits[line / 64] |= u64::from(ascii) << (line % 64);
    }
    bits.into_boxed_slice()
}

fn corrupt(what: String) -> Error {
    Error::new(ErrorCode::CorruptCache, what)
}

impl SourceMapView for Cache<'_> {
    fn as_view(&self) -> &dyn SourceMapView {
        self
    }

    fn token_count(&self) -> usize {
        self.header.token_count as usize
    }

    fn line_count(&self) -> usize {
        self.header.line_count as usize
    }

    crate::view::delegate_lookups!(packed);

    fn file(&self) -> Option<&str> {
        self.table_entry(SectionKind::Meta, 0)
    }

    fn debug_id(&self) -> Option<&str> {
        self.table_entry(SectionKind::Meta, 1)
    }

    fn is_index_map(&self) -> bool {
        self.header.flags & FLAG_INDEX_MAP != 0
    }

    fn diagnostics(&self) -> &[Diagnostic] {
        &[]
    }

    fn source_count(&self) -> usize {
        string_table_len(self.raw(SectionKind::SourceNames)).unwrap_or(0)
    }

    fn source_name(&self, index: u32) -> Option<&str> {
        self.table_entry(SectionKind::SourceNames, index)
    }

    fn source_prefixed_name(&self, index: u32) -> Option<&str> {
        self.table_entry(SectionKind::SourcePrefixedNames, index)
    }

    fn source_url(&self, index: u32) -> Option<&str> {
        self.table_entry(SectionKind::SourceUrls, index)
    }

    fn source_content(&self, index: u32) -> Option<&str> {
        self.decoded(index).map(|content| content.text.as_str())
    }

    fn source_is_ignored(&self, index: u32) -> bool {
        self.raw(SectionKind::SourceFlags)
            .get(index as usize)
            .is_some_and(|flags| flags & 1 != 0)
    }

    fn source_line(&self, index: u32, line: u32) -> Option<&str> {
        let content = self.decoded(index)?;
        crate::lines::line(&content.text, &content.line_starts, line as usize)
    }

    fn source_line_count(&self, index: u32) -> usize {
        self.decoded(index)
            .map_or(0, |content| content.line_starts.len())
    }

    fn source_line_is_ascii(&self, index: u32, line: u32) -> bool {
        let Some(content) = self.decoded(index) else {
            return false;
        };
        let (word, bit) = (line as usize / 64, line % 64);
        content
            .ascii_lines
            .get(word)
            .is_some_and(|bits| bits >> bit & 1 != 0)
    }

    fn name_count(&self) -> usize {
        string_table_len(self.raw(SectionKind::Names)).unwrap_or(0)
    }

    fn name(&self, index: u32) -> Option<&str> {
        self.table_entry(SectionKind::Names, index)
    }

    fn heap_size(&self) -> usize {
        let own = match &self.backing {
            Backing::Owned { words, .. } => words.len() * 8,
            Backing::Borrowed(_) | Backing::Mapped(_) => 0,
        };
        let decoded: usize = self.contents.get().map_or(0, |slots| {
            slots
                .iter()
                .filter_map(|slot| slot.get().and_then(Option::as_ref))
                .map(|content| {
                    content.text.capacity()
                        + content.line_starts.len() * 4
                        + content.ascii_lines.len() * 8
                })
                .sum()
        });
        own + decoded + self.reverse.get().map_or(0, ReverseIndex::heap_size)
    }

    fn verify(&self) -> Result<()> {
        Cache::verify(self)
    }

    fn is_cache(&self) -> bool {
        true
    }

    fn function_map(&self, index: u32) -> Option<&FunctionMap> {
        self.sections.get(SectionKind::FunctionMaps)?;
        let slots = self
            .function_maps
            .get_or_init(|| (0..self.source_count()).map(|_| OnceLock::new()).collect());
        slots
            .get(index as usize)?
            .get_or_init(|| {
                let table = self.raw(SectionKind::FunctionMaps);
                let stored = byte_table_get(table, index as usize).flatten()?;
                let json = decode_compressed(stored)?;
                let value = serde_json::from_slice(&json).ok()?;
                FunctionMap::from_json(&value).ok()
            })
            .as_ref()
    }

    fn original_scopes(&self) -> Option<&crate::original_scopes::ScopeInfo> {
        self.original_scopes
            .get_or_init(|| {
                // Written only with the names, whose indices the scopes hold.
                if self.header.flags & FLAG_NAMES == 0 {
                    return None;
                }
                self.sections.get(SectionKind::OriginalScopes)?;
                let stored = decode_compressed(self.raw(SectionKind::OriginalScopes))?;
                let sources = self.source_count() as u32;
                let names = self.name_count() as u32;
                crate::original_scopes::stored::from_stored(&stored, sources, names).map(Box::new)
            })
            .as_deref()
    }

    fn stored_scopes(&self, index: u32) -> Option<crate::scopes::FunctionScopes> {
        if self.header.flags & FLAG_SCOPES == 0 {
            return None;
        }
        let table = self.raw(SectionKind::FunctionScopes);
        let stored = byte_table_get(table, index as usize).flatten()?;
        crate::scopes::FunctionScopes::decode(&decode_compressed(stored)?)
    }
}

/// Writes `map` as a cache file at `path`, atomically (see [`to_cache_bytes`]).
pub fn write_cache_file(
    map: &dyn SourceMapView,
    path: impl AsRef<Path>,
    options: CacheOptions,
) -> Result<()> {
    let bytes = to_cache_bytes(map, options)?;
    writer::write_atomically(path.as_ref(), &bytes)
}
