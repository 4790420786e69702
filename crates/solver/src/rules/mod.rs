//! The engine's hard rules on a route's *sequence*, one module per rule.
//!
//! Each rule module provides what the engine needs from it:
//!
//! * **preparation**: its per-request / per-vehicle-type data, computed once
//!   into [`Prep`] (`prepare`);
//! * the **exact check** of a whole sequence (`check`, or `check_node` for
//!   the rules decided node by node), which [`crate::eval`] runs on every
//!   route before it can enter a solution;
//! * where insertion and moves need it, a **cached summary** of a route
//!   (built with the route's state in `search::route`) and a fast
//!   **pre-filter** (`admits`) used to skip hopeless routes or positions.
//!
//! A pre-filter only ever saves work: a rule without one, or a candidate a
//! pre-filter lets through, is still decided by the exact check when the
//! changed route is built (`RouteState::build` refuses any route the exact
//! check rejects). So a missing pre-filter means slower search, never an
//! unchecked rule.
//!
//! The time rules (windows, shift, maximum ride time, maximum duty) are not
//! here: they are decided together by the schedule of the sequence in
//! [`crate::eval`] (forward pass, eight-step delays, Bellman–Ford), since
//! one schedule has to satisfy all of them at once.
//!
//! Order of the exact checks (the first broken rule is the one reported):
//! per node, [`features`], [`precedence`], [`conflicts`]; then over the
//! sequence [`capacity`], [`travel_alone`] and [`groups`].

pub(crate) mod capacity;
pub(crate) mod conflicts;
pub(crate) mod features;
pub(crate) mod groups;
pub(crate) mod precedence;
pub(crate) mod travel_alone;

use crate::eval::Prep;
use crate::search::RouteState;
use crate::Violation;

/// A route's visiting sequence as the rules see it.
pub(crate) struct Seq<'s> {
    /// Vehicle type.
    pub vt: usize,
    /// Nodes in order (request `r`: pickup `2r`, delivery `2r + 1`).
    pub nodes: &'s [u32],
    /// Position (1-based) of each node on the route, `usize::MAX` when not
    /// on it.
    pub pos_of: &'s [usize],
}

impl Seq<'_> {
    /// Whether node `n` is on the route.
    #[inline]
    pub(crate) fn has(&self, n: usize) -> bool {
        self.pos_of[n] != usize::MAX
    }
}

/// The exact check of every sequence rule: the first broken one, if any.
/// `load` and `groups` are reusable buffers.
#[inline]
pub(crate) fn check(
    p: &Prep,
    seq: &Seq,
    load: &mut Vec<i32>,
    groups: &mut Vec<u32>,
) -> Option<Violation> {
    for &n in seq.nodes {
        let n = n as usize;
        if let Some(v) = features::check_node(p, seq, n)
            .or_else(|| precedence::check_node(p, seq, n))
            .or_else(|| conflicts::check_node(p, seq, n))
        {
            return Some(v);
        }
    }
    capacity::check(p, seq, load)
        .or_else(|| travel_alone::check(p, seq))
        .or_else(|| groups::check(p, seq, groups))
}

/// Route-level pre-filter of the rules that can rule out a whole route for
/// request `r` whatever the positions: the vehicle type must suit the
/// request ([`features`], capacity of an empty vehicle), the route must
/// hold no request `r` conflicts with ([`conflicts`]) and have room for
/// `r`'s group ([`groups`]); `except` is a request leaving the route as `r`
/// joins it (an exchange), for which the group pre-filter is skipped (the
/// exact check decides). `on_route(x)` tells whether request `x` is on the
/// route.
#[inline]
pub(crate) fn admits(
    p: &Prep,
    r: usize,
    rt: &RouteState,
    except: Option<usize>,
    on_route: impl Fn(usize) -> bool,
) -> bool {
    features::admits(p, r, rt.vt)
        && conflicts::admits(p, r, except, on_route)
        && (except.is_some() || groups::admits(p, &rt.groups, rt.vt, r))
}
