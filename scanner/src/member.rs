//! Which archive member a unit comes from: the `fileMember` of its occurrences.
//!
//! Readers do not know whether their bytes are an object or a member of one: whoever
//! unpacks a container (a zip or tar archive, an e-mail's attachments) reads each member
//! through a [`MemberPath`] and hands the member's reader an [`InMember`] sink, which
//! stamps every unit with the member's full path on its way to the real sink. Nested
//! containers push their own member on the same path, so a CSV in a zip in a tar is
//! `inner.zip/data.csv` whatever reads it.

use ferret_identifiers::{BlockFilter, Narrowing};

use crate::reader::{Sink, TextUnit, UnitSink};

/// The path of the member being read, outer archive first, joined by `/`; empty at the
/// top of an object.
#[derive(Debug, Default)]
pub(crate) struct MemberPath {
    path: String,
}

impl MemberPath {
    /// Enters the member `name` of the container being read: the returned path is the
    /// member's, until [`MemberPath::leave`] is given the mark.
    pub(crate) fn enter(&mut self, name: &str) -> Mark {
        let mark = Mark(self.path.len());
        if !self.path.is_empty() {
            self.path.push('/');
        }
        self.path.push_str(name);
        mark
    }

    /// Leaves the member entered when `mark` was made (and any inside it).
    pub(crate) fn leave(&mut self, mark: Mark) {
        self.path.truncate(mark.0);
    }

    /// The current member's path; empty outside every container.
    pub(crate) fn as_str(&self) -> &str {
        &self.path
    }
}

/// Where a [`MemberPath`] was before a member was entered.
#[derive(Debug)]
#[must_use = "a member entered must be left"]
pub(crate) struct Mark(usize);

/// A sink for the units of one member: each unit is handed on to `inner` with the
/// member's path, and so are the inner sink's block filter and the cells it counts
/// unplaced (the fast path of tables in archives is the same as that of tables
/// outside them; a cell counted unplaced lists no occurrence, so it needs no path).
///
/// The sink of a member nested in another wraps the outer member's sink: a unit that
/// already has a path was stamped by the inner one, whose path is the full one.
pub(crate) struct InMember<'p, 'i, 's> {
    pub(crate) path: &'p str,
    pub(crate) inner: &'i mut Sink<'s>,
}

impl UnitSink for InMember<'_, '_, '_> {
    fn unit(&mut self, unit: TextUnit<'_>) {
        self.inner.unit(TextUnit {
            member: unit.member.or(Some(self.path)),
            ..unit
        });
    }

    fn block_filter(&self, delimiter: u8) -> Option<BlockFilter> {
        self.inner.block_filter(delimiter)
    }

    fn count_unplaced(&mut self, only: &Narrowing, cell: Option<&[u8]>) -> bool {
        self.inner.count_unplaced(only, cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::{UnitPlace, UnitSink};
    use ferret_identifiers::UnitContext;

    #[test]
    fn nested_members_join_their_names_outer_first() {
        let mut path = MemberPath::default();
        let outer = path.enter("b.zip");
        assert_eq!(path.as_str(), "b.zip");
        let inner = path.enter("dir/c.csv");
        assert_eq!(path.as_str(), "b.zip/dir/c.csv");
        path.leave(inner);
        let next = path.enter("d.txt");
        assert_eq!(path.as_str(), "b.zip/d.txt");
        path.leave(next);
        path.leave(outer);
        assert_eq!(path.as_str(), "");
    }

    /// The cells a table's reader would count unplaced reach the inner sink, which
    /// decides.
    #[test]
    fn a_member_sink_hands_on_the_cells_counted_unplaced() {
        struct Counting(usize);
        impl UnitSink for Counting {
            fn unit(&mut self, _: TextUnit<'_>) {}
            fn count_unplaced(&mut self, _: &Narrowing, cell: Option<&[u8]>) -> bool {
                self.0 += cell.map_or(1, <[u8]>::len);
                self.0 % 2 == 1
            }
        }
        let mut inner = Counting(0);
        let mut in_member = InMember {
            path: "a.zip/b.csv",
            inner: &mut inner,
        };
        assert!(in_member.count_unplaced(&Narrowing::nothing(), None));
        assert!(!in_member.count_unplaced(&Narrowing::nothing(), Some(b"x")));
        assert!(in_member.count_unplaced(&Narrowing::nothing(), Some(b"xyz")));
        assert_eq!(inner.0, 5);
    }

    #[test]
    fn a_member_sink_stamps_every_unit_with_its_path() {
        let mut seen = Vec::new();
        let mut collect = |unit: TextUnit<'_>| seen.push(unit.member.map(str::to_owned));
        let mut in_member = InMember {
            path: "a.zip/b.csv",
            inner: &mut collect,
        };
        let place = UnitPlace::Text {
            first_line: 1,
            first_column: 1,
            dropped: &[],
        };
        in_member.unit(TextUnit::whole(b"x", place, UnitContext::None));
        let mut nested = InMember {
            path: "a.zip/b.zip/c.csv",
            inner: &mut in_member,
        };
        nested.unit(TextUnit::whole(b"y", place, UnitContext::None));
        assert_eq!(
            seen,
            [
                Some("a.zip/b.csv".to_owned()),
                Some("a.zip/b.zip/c.csv".to_owned())
            ]
        );
    }
}
