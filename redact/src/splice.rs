//! Rewriting inside an encoded unit (a quoted CSV cell, a JSON string): the unit's value
//! is decoded from its raw bytes, matched, and the raw bytes are copied through with
//! only the matches' bytes replaced by their rewrites, encoded for where they go.

use ferret_identifiers::DetectorId;

use crate::plan::Rewrite;
use crate::policy::Policy;

/// One escape sequence of a raw body: `raw_len` bytes that decode to the `len` bytes of
/// the value at `at` (`""` is one quote, `\u00e9` two bytes of UTF-8).
#[derive(Debug, Clone, Copy)]
struct Escape {
    at: usize,
    len: usize,
    /// Raw bytes more than decoded ones, over this escape and all before it.
    extra_through: usize,
}

/// Where a decoded value's bytes are in its raw body: 1:1 except at escapes.
#[derive(Debug, Default)]
pub struct Layout {
    escapes: Vec<Escape>,
}

impl Layout {
    pub fn clear(&mut self) {
        self.escapes.clear();
    }

    /// Notes an escape: `raw_len` raw bytes decoded to the `len` bytes at `at`, after
    /// every escape noted before.
    pub fn escape(&mut self, at: usize, len: usize, raw_len: usize) {
        let before = self.escapes.last().map_or(0, |e| e.extra_through);
        self.escapes.push(Escape {
            at,
            len,
            extra_through: before + raw_len - len,
        });
    }

    /// The raw offset of value offset `at`; `None` inside an escape's bytes.
    fn raw(&self, at: usize) -> Option<usize> {
        let passed = self.escapes.partition_point(|e| e.at + e.len <= at);
        if let Some(next) = self.escapes.get(passed) {
            if next.at < at {
                return None;
            }
        }
        let extra = passed
            .checked_sub(1)
            .map_or(0, |i| self.escapes[i].extra_through);
        Some(at + extra)
    }
}

/// Appends to `out` the raw `body` of `value` with each rewrite's bytes replaced by its
/// rendering, encoded by `encode`. Returns `false`, with `out` as it was, when a
/// rewrite starts or ends inside an escape sequence (a match of bytes that are half of
/// a `\u` escape): the caller then re-encodes the whole unit.
pub fn splice(
    body: &[u8],
    value: &[u8],
    layout: &Layout,
    rewrites: &[Rewrite],
    policy: &Policy,
    encode: &dyn Fn(&[u8], &mut Vec<u8>),
    out: &mut Vec<u8>,
) -> bool {
    let start_len = out.len();
    let mut raw_at = 0;
    let mut rendered = Vec::new();
    for rewrite in rewrites {
        let (Some(start), Some(end)) = (
            layout.raw(rewrite.range.start),
            layout.raw(rewrite.range.end),
        ) else {
            out.truncate(start_len);
            return false;
        };
        out.extend_from_slice(&body[raw_at..start]);
        rendered.clear();
        policy.render(
            rewrite.detector,
            &value[rewrite.range.clone()],
            &mut rendered,
        );
        encode(&rendered, out);
        raw_at = end;
    }
    out.extend_from_slice(&body[raw_at..]);
    true
}

/// The value with every rewrite applied, decoded (to be encoded whole by the caller).
pub fn rewritten(value: &[u8], rewrites: &[Rewrite], policy: &Policy, out: &mut Vec<u8>) {
    let mut at = 0;
    for rewrite in rewrites {
        out.extend_from_slice(&value[at..rewrite.range.start]);
        policy.render(rewrite.detector, &value[rewrite.range.clone()], out);
        at = rewrite.range.end;
    }
    out.extend_from_slice(&value[at..]);
}

/// Counts per detector as `(name, count)`, for reports, skipping zeros.
pub fn named_counts(policy: &Policy, counts: &[u64]) -> Vec<(String, u64)> {
    counts
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .map(|(i, &n)| (policy.name(DetectorId(i)).to_owned(), n))
        .collect()
}
