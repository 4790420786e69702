//! Coalitions of boroughs of any size.

use serde::{Deserialize, Serialize};

/// A set of players (boroughs, numbered `0..n`), kept as their sorted
/// indices: any number of players (London has 33 boroughs including the
/// City), ordered by size first so that sub-coalitions come before the
/// coalitions that contain them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Coalition(Vec<usize>);

impl Coalition {
    /// The empty coalition.
    pub fn empty() -> Self {
        Coalition(Vec::new())
    }

    /// The coalition of one player.
    pub fn single(i: usize) -> Self {
        Coalition(vec![i])
    }

    /// Every player `0..n`.
    pub fn grand(n: usize) -> Self {
        Coalition((0..n).collect())
    }

    /// The coalition of the given players (in any order, repeats ignored).
    pub fn of(players: impl IntoIterator<Item = usize>) -> Self {
        let mut v: Vec<usize> = players.into_iter().collect();
        v.sort_unstable();
        v.dedup();
        Coalition(v)
    }

    /// Members in increasing order.
    pub fn members(&self) -> &[usize] {
        &self.0
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the coalition has no member.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `i` is a member.
    pub fn contains(&self, i: usize) -> bool {
        self.0.binary_search(&i).is_ok()
    }

    /// Adds a member.
    pub fn insert(&mut self, i: usize) {
        if let Err(at) = self.0.binary_search(&i) {
            self.0.insert(at, i);
        }
    }

    /// The coalition with `i` added.
    pub fn with(&self, i: usize) -> Self {
        let mut c = self.clone();
        c.insert(i);
        c
    }

    /// Whether every member of `self` is a member of `other`.
    pub fn is_subset(&self, other: &Coalition) -> bool {
        let mut it = other.0.iter();
        self.0.iter().all(|x| it.any(|y| y == x))
    }

    /// Members of `self` that are not in `other`.
    pub fn minus(&self, other: &Coalition) -> Coalition {
        Coalition(
            self.0
                .iter()
                .copied()
                .filter(|&i| !other.contains(i))
                .collect(),
        )
    }
}

impl PartialOrd for Coalition {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Coalition {
    /// Smaller coalitions first, then by members.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.len(), &self.0).cmp(&(other.len(), &other.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coalitions_beyond_32_players() {
        let mut c = Coalition::of([40, 3, 33, 3]);
        assert_eq!(c.members(), &[3, 33, 40]);
        c.insert(0);
        assert!(c.contains(40) && c.contains(0) && !c.contains(1));
        let g = Coalition::grand(41);
        assert!(c.is_subset(&g) && !g.is_subset(&c));
        assert_eq!(g.minus(&c).len(), 37);
        assert!(Coalition::single(39) < Coalition::of([0, 1]));
        assert!(!Coalition::of([1, 2]).is_subset(&Coalition::of([1, 3])));
    }
}
