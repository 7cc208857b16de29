//! Which original functions run at a generated position, by a map's scopes: the
//! generated ranges containing the position, innermost first, cut at the innermost
//! function of the generated code. Ranges with a call site are bodies the producer
//! inlined, each one original frame more; hidden ranges (functions the compiler
//! added) are passed over, their code counted as the enclosing function's.

use crate::position::{Position, SourcePosition};

use super::types::{GeneratedRange, ScopeInfo, ScopeRef, StackFrameType};

/// One original frame the scopes give, innermost first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScopeFrame {
    /// The original function's scope (`None`: top-level code, or a function range the
    /// producer gave no definition).
    pub definition: Option<ScopeRef>,
    /// Where in the original sources this frame is: `None` for the innermost frame
    /// (where the mappings take the generated position), else the call site of the
    /// inlined body inside it.
    pub at: Option<SourcePosition>,
}

/// The original frames at generated `position`, innermost first, or `None` when no
/// range that is not hidden contains it.
pub fn frames_at(info: &ScopeInfo, position: Position) -> Option<Vec<ScopeFrame>> {
    // Every range containing the position, outermost first.
    let mut chain: Vec<&GeneratedRange> = Vec::new();
    let mut level: &[GeneratedRange] = &info.ranges;
    loop {
        let after = level.partition_point(|r| r.start <= position);
        let Some(range) = after.checked_sub(1).map(|i| &level[i]) else {
            break;
        };
        if position >= range.end {
            break;
        }
        chain.push(range);
        level = &range.children;
    }
    let mut frames = Vec::new();
    let mut at = None;
    let mut found = false;
    for range in chain.iter().rev() {
        match (range.stack_frame_type, range.call_site) {
            (StackFrameType::Hidden, _) => continue,
            (StackFrameType::Original, _) => {
                frames.push(ScopeFrame {
                    definition: range.definition,
                    at,
                });
                return Some(frames);
            }
            (StackFrameType::None, Some(call_site)) => {
                frames.push(ScopeFrame {
                    definition: range.definition,
                    at,
                });
                at = Some(call_site);
            }
            (StackFrameType::None, None) => {}
        }
        found = true;
    }
    // No function of the generated code encloses it: top-level code, which called
    // the inlined bodies (if any) at their call sites.
    found.then(|| {
        frames.push(ScopeFrame {
            definition: None,
            at,
        });
        frames
    })
}
