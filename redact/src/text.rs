//! Plain text: the scanner's own text reader cuts the windows, so that what is
//! rewritten is exactly what a scan reports; the bytes it reads are teed into a
//! `Splicer`, which writes them out as soon as no later window can rewrite them.
//!
//! Each window carries its span in the input ([`ferret_scanner::TextUnit::span`]), and
//! its search ranges tile the text once, in order: after a window, every byte before the
//! end of its search range is decided, except those of a match that runs past it (into
//! the next window's context), which are held until the next window has been seen.

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::ops::Range;
use std::rc::Rc;

use ferret_identifiers::DetectorId;
use ferret_scanner::reader::read_text;
use ferret_scanner::TextUnit;

use crate::plan::Planner;
use crate::policy::Policy;
use crate::RedactError;

/// Copies `input` to `out` with every kept match of the text rewritten.
pub fn redact_text<R: Read>(
    input: R,
    out: &mut dyn Write,
    planner: &mut Planner<'_>,
    policy: &Policy,
) -> Result<(), RedactError> {
    let read = Rc::new(RefCell::new(Vec::new()));
    let tee = Tee {
        inner: input,
        read: Rc::clone(&read),
    };
    let mut splicer = Splicer {
        out,
        read,
        base: 0,
        pending: Vec::new(),
        scratch: Vec::new(),
        failed: None,
    };
    let mut rewrites = Vec::new();
    let result = read_text(tee, &mut |unit: TextUnit<'_>| {
        let Some(span) = unit.span.clone() else {
            return;
        };
        rewrites.clear();
        planner.plan(unit.bytes, unit.search.clone(), unit.context, &mut rewrites);
        for rewrite in &rewrites {
            splicer.add(
                span.start + rewrite.range.start as u64..span.start + rewrite.range.end as u64,
                rewrite.detector,
            );
        }
        splicer.flush_to(span.start + unit.search.end as u64, policy);
    });
    match result {
        Ok(()) => splicer.finish(policy),
        Err(error) => Err(RedactError::Read(error)),
    }
}

/// Keeps a copy of every byte read, for the splicer.
struct Tee<R> {
    inner: R,
    read: Rc<RefCell<Vec<u8>>>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.borrow_mut().extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// Writes the input's bytes out, rewritten where told, as soon as they are decided.
struct Splicer<'o> {
    out: &'o mut dyn Write,
    /// Bytes read and not yet written; `read[0]` is at input offset `base`.
    read: Rc<RefCell<Vec<u8>>>,
    base: u64,
    /// Rewrites not yet written, in order and disjoint, in input offsets.
    pending: Vec<(Range<u64>, DetectorId)>,
    scratch: Vec<u8>,
    /// The first write error; the reader cannot be stopped from inside its sink.
    failed: Option<io::Error>,
}

impl Splicer<'_> {
    /// Adds a rewrite, merged into the last one if they overlap (a match found again,
    /// or one that ran past the previous window).
    fn add(&mut self, range: Range<u64>, detector: DetectorId) {
        match self.pending.last_mut() {
            Some((last, _)) if range.start < last.end => last.end = last.end.max(range.end),
            _ => self.pending.push((range, detector)),
        }
    }

    /// Writes everything before `limit`, except a rewrite that runs past it, which a
    /// later window may still extend.
    fn flush_to(&mut self, limit: u64, policy: &Policy) {
        let mut limit = limit;
        if let Some((last, _)) = self.pending.last() {
            if last.end > limit {
                limit = limit.min(last.start);
            }
        }
        let ready = self
            .pending
            .iter()
            .take_while(|(r, _)| r.end <= limit)
            .count();
        let result = self.write(limit, ready, policy);
        if let Err(error) = result {
            self.failed.get_or_insert(error);
        }
    }

    fn write(&mut self, limit: u64, ready: usize, policy: &Policy) -> io::Result<()> {
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        let mut read = self.read.borrow_mut();
        let local = |offset: u64, base: u64| (offset - base) as usize;
        let mut at = self.base;
        for (range, detector) in self.pending.drain(..ready) {
            self.out
                .write_all(&read[local(at, self.base)..local(range.start, self.base)])?;
            let text = &read[local(range.start, self.base)..local(range.end, self.base)];
            self.scratch.clear();
            policy.render(detector, text, &mut self.scratch);
            self.out.write_all(&self.scratch)?;
            at = range.end;
        }
        let end = limit.max(at).min(self.base + read.len() as u64);
        self.out
            .write_all(&read[local(at, self.base)..local(end, self.base)])?;
        read.drain(..local(end, self.base));
        self.base = end;
        Ok(())
    }

    /// Writes the rest, once the reader is done.
    fn finish(mut self, policy: &Policy) -> Result<(), RedactError> {
        let end = self.base + self.read.borrow().len() as u64;
        let ready = self.pending.len();
        self.write(end, ready, policy).map_err(RedactError::Write)?;
        match self.failed.take() {
            Some(error) => Err(RedactError::Write(error)),
            None => Ok(()),
        }
    }
}
