//! The thread's tape: one node per recorded operation of the event being differentiated,
//! and the reverse sweep that turns it into adjoints.
//!
//! Node 0 is the constant node: every plain `f64` lifted into a [`Rev`](super::Rev) points
//! at it, and a unary operation names it as its second parent with a zero partial, so the
//! sweep is the same two updates for every node. Its adjoint collects nothing anyone reads.
//! A sum's node (half of a network's: each multiply-add is a product and a sum) is marked
//! as one and keeps no partials: recording it writes its parents only, and the sweep passes
//! its adjoint on unchanged without reading any.
//!
//! # The sweep
//! The `m` outputs' adjoints travel together, `m` per node (in groups of at most
//! [`GROUP`], each group's rows fixed-size arrays). The sweep also counts the nodes whose
//! adjoints are still to be passed on; when that count drops to the node being passed on,
//! every output depends on the parameters through that one node `y` (a classifier's output
//! feeding a histogram is the usual case), and the rest of the tape is swept once, with a
//! scalar adjoint: `∂outputs/∂θ = ā_y ⊗ ∂y/∂θ`. Below such a node a sweep costs one
//! multiply-add per parent instead of `m`.
//!
//! # Events side by side
//! Code whose operations do not depend on the event (a network, a histogram's edges)
//! records the same tape for every event, with other values. So an ended event's tape is
//! put aside, and [`LANES`] of them are swept at once: the parents are read once, and each
//! node's adjoints are a vector of one value per event, passed on with vector
//! multiply-adds. The sweep compares the tapes' parents at every node as it goes; tapes of
//! other lengths or outputs, or whose parents turn out to differ, are swept one by one
//! instead (the adjoints they left are cleared first). Each lane does the arithmetic of its
//! own sweep, and the lanes' Jacobians are added in event order, so the result is that of
//! sweeping the events one by one (a zero may differ in sign).

use crate::LANES;
use crate::special::mul_add;
use std::cell::{Cell, RefCell};
use std::ptr;
use std::sync::atomic::{AtomicU32, Ordering};

/// One recorded operation `y = f(a, b)`: its parents and the local partials `∂y/∂a`, `∂y/∂b`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Node {
    /// `a | b << 32` (one word, one store), with [`SUM`] set for a sum `y = a + b`, whose
    /// partials are 1 and 1 and not stored.
    parents: u64,
    partials: [f64; 2],
}

/// The flag of a sum's node, above the second parent (nodes are numbered below 2³¹).
const SUM: u64 = 1 << 63;

/// Most nodes a tape holds: their numbers leave [`SUM`]'s bit free.
const MAX_NODES: usize = 1 << 31;

/// Both parents in one word.
#[inline(always)]
const fn pack([a, b]: [u32; 2]) -> u64 {
    a as u64 | (b as u64) << 32
}

impl Node {
    /// The node with parents `a`, `b` and partials `da`, `db`.
    #[inline(always)]
    pub(super) const fn new(parents: [u32; 2], partials: [f64; 2]) -> Self {
        Self {
            parents: pack(parents),
            partials,
        }
    }

    #[inline(always)]
    fn parents(&self) -> [u32; 2] {
        [
            self.parents as u32,
            (self.parents >> 32) as u32 & !(1 << 31),
        ]
    }

    #[inline(always)]
    fn is_sum(&self) -> bool {
        self.parents & SUM != 0
    }
}

/// The constant node: no parents that matter.
const CONSTANT: Node = Node::new([0, 0], [0.0, 0.0]);

pub(super) struct Tape {
    /// The event being recorded: its first `len` nodes (the rest are left from other events,
    /// so that a sum's node can be written without its partials).
    nodes: Vec<Node>,
    len: usize,
    /// Events ended and not yet swept, the first `aside` of these.
    ended: [Ended; LANES],
    aside: usize,
    scratch: Scratch,
    /// The current event's stamp, carried by every value recorded in it.
    generation: u32,
    /// The last generation of the block this thread took from [`GENERATIONS`].
    block_end: u32,
}

/// Generations are handed to threads in blocks, so that stamps differ across threads (a
/// value moved to another thread's event is caught too) without an atomic per event.
static GENERATIONS: AtomicU32 = AtomicU32::new(1);
const GENERATION_BLOCK: u32 = 1 << 16;

thread_local! {
    static TAPE: RefCell<Tape> = const {
        RefCell::new(Tape {
            nodes: Vec::new(),
            len: 0,
            ended: [const { Ended { nodes: Vec::new(), len: 0, outputs: Vec::new() } }; LANES],
            aside: 0,
            scratch: Scratch { adjoints: Vec::new(), scalar: Vec::new(), pending: Vec::new() },
            generation: 0,
            block_end: 0,
        })
    };
    /// This thread's `TAPE` while an event is being recorded, null otherwise. Every
    /// operation records through it: a plain pointer in a thread-local without destructor
    /// skips the `RefCell`'s borrow flag and the destructor-state check of `TAPE`, 9 % of
    /// the instructions of a W4 event (the one `unsafe` of the module, in `record_with`).
    static RECORDING: Cell<*mut Tape> = const { Cell::new(ptr::null_mut()) };
}

/// Records `node` on this thread's tape and returns its index and the event's generation.
#[inline]
pub(super) fn record(node: Node) -> (u32, u32) {
    record_with(|slot| *slot = node)
}

/// Records the sum of the nodes `parents`, as [`record`].
#[inline]
pub(super) fn record_sum(parents: [u32; 2]) -> (u32, u32) {
    record_with(|slot| slot.parents = pack(parents) | SUM)
}

/// Writes the next node of this thread's tape with `write` and returns its index and the
/// event's generation.
#[inline(always)]
fn record_with(write: impl FnOnce(&mut Node)) -> (u32, u32) {
    let tape = RECORDING.get();
    if tape.is_null() {
        outside_event();
    }
    // SAFETY: `RECORDING` is non-null only between `begin_event` and `end_event` (or
    // `abandon_event`) on this thread, and then points at this thread's `TAPE`, which lives
    // as long as the thread. No borrow of `TAPE` is held meanwhile (those three take theirs
    // before setting or after clearing the pointer, and the only other one, `generation`,
    // ends before any `record`), and nothing below reaches the tape another way: this is
    // the one reference to it while it lives.
    let t = unsafe { &mut *tape };
    let index = t.len;
    match t.nodes.get_mut(index) {
        Some(slot) => write(slot),
        None => write(t.grow(index + 1)),
    }
    t.len = index + 1;
    (index as u32, t.generation)
}

#[cold]
#[inline(never)]
fn outside_event() -> ! {
    panic!(
        "gradhep::reverse: an operation on Rev values outside `event_sum_jacobian`'s `phi` \
         (or on another thread than its event's)"
    )
}

/// Panics unless parent `p` of node `i` was recorded before it. One that was not is a value
/// from another event (its node lies past this one's); caught in every build, it cannot
/// break the sweep's invariants (and so later events).
#[inline(always)]
fn check_parent(p: u32, i: usize) {
    if p as usize >= i {
        stale_value();
    }
}

#[cold]
#[inline(never)]
fn stale_value() -> ! {
    panic!(
        "gradhep::reverse: a Rev value from another event; values do not outlive the event \
         that recorded them"
    )
}

/// The generation of the event being recorded on this thread (0 outside one).
#[inline]
pub(super) fn generation() -> u32 {
    TAPE.with_borrow(|t| t.generation)
}

/// Starts a new event: cuts the tape back to the constant node and the `k` leaves (nodes
/// `1..=k`), keeping its capacity, and returns the new generation.
///
/// # Panics
/// If this thread is already recording an event (`phi` started another
/// `event_sum_jacobian`, or waited on a parallel loop that ran another event's shard here).
pub(super) fn begin_event(k: usize) -> u32 {
    // A second event on the same thread would clear the first one's tape.
    assert!(
        RECORDING.get().is_null(),
        "event_sum_jacobian: an event began on a thread already recording one; \
         phi must not call event_sum_jacobian or wait on parallel work"
    );
    let generation = TAPE.with_borrow_mut(|t| {
        if t.generation == t.block_end {
            t.generation = GENERATIONS.fetch_add(GENERATION_BLOCK, Ordering::Relaxed);
            t.block_end = t.generation.wrapping_add(GENERATION_BLOCK - 1);
        } else {
            t.generation = t.generation.wrapping_add(1);
        }
        // The sweeps never read the constant's and the leaves' own nodes: whatever lies
        // there may stay.
        if t.nodes.len() <= k {
            t.grow(k + 1);
        }
        t.len = k + 1;
        t.generation
    });
    TAPE.with(|tape| RECORDING.set(tape.as_ptr()));
    generation
}

/// Most outputs swept together; more are swept in groups of this many.
const GROUP: usize = 8;

/// An event recorded and put aside to be swept: its tape (the first `len` nodes) and its
/// outputs' nodes.
struct Ended {
    nodes: Vec<Node>,
    len: usize,
    outputs: Vec<u32>,
}

/// Ends the event begun by [`begin_event`] with `k` leaves and outputs at the node indices
/// `outputs`, and puts it aside; once [`LANES`] events are, sweeps them, adding `∂y_b/∂θ_j`
/// to `jacobian[b·k + j]` (a row of `k` per output) for each in turn. [`finish`] sweeps
/// the rest.
pub(super) fn end_event(k: usize, outputs: &[u32], jacobian: &mut [f64]) {
    RECORDING.set(ptr::null_mut());
    TAPE.with_borrow_mut(|t| {
        let ended = &mut t.ended[t.aside];
        std::mem::swap(&mut ended.nodes, &mut t.nodes);
        ended.len = t.len;
        ended.outputs.clear();
        ended.outputs.extend_from_slice(outputs);
        t.aside += 1;
        if t.aside == LANES {
            t.sweep_aside(k, jacobian);
        }
    });
}

/// Sweeps the events [`end_event`] put aside and has not swept yet.
pub(super) fn finish(k: usize, jacobian: &mut [f64]) {
    TAPE.with_borrow_mut(|t| t.sweep_aside(k, jacobian));
}

impl Tape {
    /// Makes room for at least `n` nodes in the event being recorded, and returns node
    /// `n − 1`.
    ///
    /// # Panics
    /// Past [`MAX_NODES`].
    #[cold]
    #[inline(never)]
    fn grow(&mut self, n: usize) -> &mut Node {
        assert!(
            (1..=MAX_NODES).contains(&n),
            "gradhep::reverse: an event of more than 2³¹ operations"
        );
        let len = n.max(2 * self.nodes.len()).clamp(64, MAX_NODES);
        self.nodes.resize(len, CONSTANT);
        &mut self.nodes[n - 1]
    }

    /// Sweeps the events put aside, in the order they ended: together if there are
    /// [`LANES`] of the same shape, else one by one.
    fn sweep_aside(&mut self, k: usize, jacobian: &mut [f64]) {
        let ended = &self.ended[..std::mem::take(&mut self.aside)];
        if let Ok(lanes) = <&[Ended; LANES]>::try_from(ended)
            && lanes
                .iter()
                .all(|e| e.len == lanes[0].len && e.outputs == lanes[0].outputs)
        {
            let tapes = lanes.each_ref().map(|e| &e.nodes[..e.len]);
            if self
                .scratch
                .sweep_lanes(tapes, k, &lanes[0].outputs, jacobian)
            {
                return;
            }
        }
        for e in ended {
            let swept = self
                .scratch
                .sweep_lanes([&e.nodes[..e.len]], k, &e.outputs, jacobian);
            debug_assert!(swept, "one tape always has its own shape");
        }
    }
}

/// The sweeps' working memory, all zero between sweeps (each sweep zeroes what it used once
/// it has passed it on), so no event pays for clearing it.
struct Scratch {
    /// Adjoints, up to [`GROUP`] per node and lane.
    adjoints: Vec<f64>,
    /// The scalar adjoints below a node that carries every output, one per node and lane.
    scalar: Vec<f64>,
    /// Whether a node has adjoints still to pass on.
    pending: Vec<bool>,
}

impl Scratch {
    /// Sweeps `L` tapes of one length with outputs at nodes `outputs`, adding each lane's
    /// Jacobian in turn. Returns whether the tapes had the same parents at every node; if
    /// not, `jacobian` is as it was and the sweep should be done one tape at a time.
    fn sweep_lanes<const L: usize>(
        &mut self,
        tapes: [&[Node]; L],
        k: usize,
        outputs: &[u32],
        jacobian: &mut [f64],
    ) -> bool {
        let m = outputs.len();
        let n = tapes[0].len();
        let rows = n * m.min(GROUP) * L;
        if self.adjoints.len() < rows {
            self.adjoints.resize(rows, 0.0);
        }
        if self.pending.len() < n {
            self.pending.resize(n, false);
        }
        if self.scalar.len() < n * L {
            self.scalar.resize(n * L, 0.0);
        }
        // Each group's sweep visits every node, so the first tells whether the shapes agree.
        for (g, group) in outputs.chunks(GROUP).enumerate() {
            let group_rows = &mut jacobian[g * GROUP * k..][..group.len() * k];
            let swept = match group.len() {
                1 => self.sweep::<1, L>(tapes, k, group, group_rows),
                2 => self.sweep::<2, L>(tapes, k, group, group_rows),
                3 => self.sweep::<3, L>(tapes, k, group, group_rows),
                4 => self.sweep::<4, L>(tapes, k, group, group_rows),
                5 => self.sweep::<5, L>(tapes, k, group, group_rows),
                6 => self.sweep::<6, L>(tapes, k, group, group_rows),
                7 => self.sweep::<7, L>(tapes, k, group, group_rows),
                _ => self.sweep::<GROUP, L>(tapes, k, group, group_rows),
            };
            if !swept {
                self.adjoints[..rows].fill(0.0);
                self.scalar[..n * L].fill(0.0);
                self.pending[..n].fill(false);
                return false;
            }
        }
        true
    }

    /// One reverse sweep of `L` tapes for `M` outputs (see the [module docs](self)), adding
    /// into `jacobian`, `M` rows of `k`; `false`, with `jacobian` untouched, if the tapes'
    /// parents differ somewhere.
    fn sweep<const M: usize, const L: usize>(
        &mut self,
        tapes: [&[Node]; L],
        k: usize,
        outputs: &[u32],
        jacobian: &mut [f64],
    ) -> bool {
        // One length for all, so that indexing by node needs no bounds checks.
        let n = tapes[0].len();
        let tapes = tapes.map(|t| &t[..n]);
        let adjoints = &mut self.adjoints.as_chunks_mut::<M>().0.as_chunks_mut::<L>().0[..n];
        let pending = &mut self.pending[..n];
        // Nodes marked pending and not yet passed on.
        let mut to_pass = 0usize;
        for (b, &node) in outputs.iter().enumerate() {
            assert!(
                (node as usize) < n,
                "event_sum_jacobian: an output from another event"
            );
            for lane in &mut adjoints[node as usize] {
                lane[b] += 1.0;
            }
            mark(pending, node as usize, &mut to_pass);
        }
        let mut differ = false;
        for i in (k + 1..n).rev() {
            differ |= parents_differ(&tapes, i);
            if !pending[i] {
                continue;
            }
            pending[i] = false;
            to_pass -= 1;
            let a = std::mem::replace(&mut adjoints[i], [[0.0; M]; L]);
            if to_pass == 0 {
                // Node i carries every output: the rest is one scalar sweep.
                adjoints[0] = [[0.0; M]; L];
                return scalar_sweep(tapes, &mut self.scalar, k, i, &a, differ, jacobian);
            }
            let sum = tapes[0][i].is_sum();
            for (j, p) in tapes[0][i].parents().into_iter().enumerate() {
                check_parent(p, i);
                for (lane, (target, a)) in adjoints[p as usize].iter_mut().zip(&a).enumerate() {
                    let w = if sum { 1.0 } else { tapes[lane][i].partials[j] };
                    pass_on(target, a, w);
                }
                mark(pending, p as usize, &mut to_pass);
            }
        }
        if differ {
            return false;
        }
        // No single node carried everything: the leaves' adjoints are the Jacobian.
        for leaf in 1..=k {
            pending[leaf] = false;
            for a in std::mem::replace(&mut adjoints[leaf], [[0.0; M]; L]) {
                for (b, a) in a.into_iter().enumerate() {
                    jacobian[b * k + leaf - 1] += a;
                }
            }
        }
        adjoints[0] = [[0.0; M]; L];
        true
    }
}

/// Whether node `i` has other parents in some lane than in the first. The sweep reads the
/// partials next to them anyway, and has latency to spare for the comparison.
#[inline(always)]
fn parents_differ<const L: usize>(tapes: &[&[Node]; L], i: usize) -> bool {
    let first = tapes[0][i].parents;
    tapes[1..].iter().fold(0, |d, t| d | (t[i].parents ^ first)) != 0
}

/// Marks node `p` as having adjoints to pass on (the constant node never has).
#[inline(always)]
fn mark(pending: &mut [bool], p: usize, to_pass: &mut usize) {
    if p != 0 && !pending[p] {
        pending[p] = true;
        *to_pass += 1;
    }
}

/// The sweep of `L` tapes below node `top`, which carries the outputs with adjoints `a`
/// (per lane): each lane's gradient `g = ∂y_top/∂θ` by one scalar sweep, all lanes side by
/// side, then `jacobian += a ⊗ g` lane by lane (`M` rows of `k`) — unless the tapes'
/// parents differ here or (`differ`) above `top`: then `false`, with `jacobian` untouched.
fn scalar_sweep<const M: usize, const L: usize>(
    tapes: [&[Node]; L],
    adjoint: &mut [f64],
    k: usize,
    top: usize,
    a: &[[f64; M]; L],
    mut differ: bool,
    jacobian: &mut [f64],
) -> bool {
    // One length for all, so that indexing below `top` needs no bounds checks.
    let tapes = tapes.map(|t| &t[..=top]);
    let adjoint = &mut adjoint.as_chunks_mut::<L>().0[..=top];
    // `s` is node i's adjoints, whole when the sweep reaches i (everything that passes to i
    // lies above it). What node i passes to node i − 1 goes in registers, `below`, and not
    // through memory: in a chain of sums that is the usual parent, and storing an adjoint
    // only to reload it at the next node would put the store's latency on the sweep's
    // critical path. A lane whose adjoint is zero passes nothing on, even through an
    // infinite partial.
    let mut s = [1.0; L];
    for i in (k + 1..=top).rev() {
        differ |= parents_differ(&tapes, i);
        let mut below = std::mem::replace(&mut adjoint[i - 1], [0.0; L]);
        let live = s.map(|s| s != 0.0);
        if live.contains(&true) {
            let sum = tapes[0][i].is_sum();
            for (j, p) in tapes[0][i].parents().into_iter().enumerate() {
                check_parent(p, i);
                let w = if sum {
                    [1.0; L]
                } else {
                    std::array::from_fn(|lane| tapes[lane][i].partials[j])
                };
                if p as usize == i - 1 {
                    below = passed_on(below, w, s, live);
                } else {
                    let target = &mut adjoint[p as usize];
                    *target = passed_on(*target, w, s, live);
                }
            }
        }
        s = below;
    }
    // The last step took leaf k's adjoints.
    adjoint[k] = s;
    if differ {
        return false;
    }
    // A vector of leaves at a time, along the rows: `jacobian[b][j..j + LANES] +=
    // a_b·g[j..j + LANES]` for each lane in turn. An output whose adjoint is zero in a lane
    // takes nothing from it, even through an infinite partial.
    let (blocks, rest) = adjoint[1..=k].as_chunks_mut::<LANES>();
    for (q, block) in blocks.iter_mut().enumerate() {
        let block = std::mem::replace(block, [[0.0; L]; LANES]);
        // The block's gradients lane by lane, each a vector along the leaves.
        let g: [[f64; LANES]; L] = std::array::from_fn(|lane| block.map(|g| g[lane]));
        for b in 0..M {
            let at = b * k + LANES * q;
            let row: &mut [f64; LANES] = (&mut jacobian[at..at + LANES])
                .try_into()
                .expect("a vector of leaves");
            let mut sum = *row;
            for (a, g) in a.iter().zip(&g) {
                if a[b] != 0.0 {
                    for (s, g) in sum.iter_mut().zip(g) {
                        *s += g * a[b];
                    }
                }
            }
            *row = sum;
        }
    }
    let first = k - rest.len();
    for (j, g) in (first..k).zip(rest) {
        let g = std::mem::replace(g, [0.0; L]);
        for b in 0..M {
            for (a, g) in a.iter().zip(g) {
                if a[b] != 0.0 {
                    jacobian[b * k + j] += g * a[b];
                }
            }
        }
    }
    adjoint[0] = [0.0; L];
    true
}

/// `t + w·s` in the lanes that are `live`; in the others (where `s` is zero) `t + 0·s`, so
/// that an infinite or NaN `w` passes nothing on. The partial, not the result, is selected:
/// the lanes stay in one vector register and are stored whole (a store of some lanes only
/// could not be forwarded to the load of the next node, which often reads it).
#[inline(always)]
fn passed_on<const L: usize>(t: [f64; L], w: [f64; L], s: [f64; L], live: [bool; L]) -> [f64; L] {
    std::array::from_fn(|lane| {
        let w = if live[lane] { w[lane] } else { 0.0 };
        mul_add(w, s[lane], t[lane])
    })
}

/// Abandons the event being recorded (its `phi` panicked), so the thread can record again.
pub(super) fn abandon_event() {
    RECORDING.set(ptr::null_mut());
    TAPE.with_borrow_mut(|t| {
        t.aside = 0;
        t.scratch.adjoints.fill(0.0);
        t.scratch.scalar.fill(0.0);
        t.scratch.pending.fill(false);
    });
}

/// `target += w·a`, where a zero adjoint passes nothing on even through an infinite or NaN
/// partial (the derivative of what the output does not depend on is zero, as forward mode's
/// zero tangents stay zero).
#[inline(always)]
fn pass_on(target: &mut [f64], a: &[f64], w: f64) {
    if w.is_finite() {
        for (t, &a) in target.iter_mut().zip(a) {
            *t += w * a;
        }
    } else {
        for (t, &a) in target.iter_mut().zip(a) {
            if a != 0.0 {
                *t += w * a;
            }
        }
    }
}
