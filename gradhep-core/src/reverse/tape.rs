//! The thread's tape: one node per recorded operation of the event being differentiated,
//! and the reverse sweep that turns it into adjoints.
//!
//! Node 0 is the constant node: every plain `f64` lifted into a [`Rev`](super::Rev) points
//! at it, and a unary operation names it as its second parent with a zero partial, so the
//! sweep is the same two updates for every node. Its adjoint collects nothing anyone reads.
//!
//! # The sweep
//! The `m` outputs' adjoints travel together, `m` per node (in groups of at most
//! [`GROUP`], each group's rows fixed-size arrays). The sweep also counts the nodes whose
//! adjoints are still to be passed on; when that count drops to the node being passed on,
//! every output depends on the parameters through that one node `y` (a classifier's output
//! feeding a histogram is the usual case), and the rest of the tape is swept once, with a
//! scalar adjoint: `∂outputs/∂θ = ā_y ⊗ ∂y/∂θ`. Below such a node a sweep costs one
//! multiply-add per parent instead of `m`.

use std::cell::{Cell, RefCell};
use std::ptr;
use std::sync::atomic::{AtomicU32, Ordering};

/// One recorded operation `y = f(a, b)`: its parents and the local partials `∂y/∂a`, `∂y/∂b`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Node {
    pub parents: [u32; 2],
    pub partials: [f64; 2],
}

/// The constant node: no parents that matter.
const CONSTANT: Node = Node {
    parents: [0, 0],
    partials: [0.0, 0.0],
};

pub(super) struct Tape {
    nodes: Vec<Node>,
    /// Adjoints, up to [`GROUP`] per node during a sweep; all zero between sweeps (the sweep
    /// zeroes each node's adjoints once it has passed them on), so no event pays for
    /// clearing them.
    adjoints: Vec<f64>,
    /// The scalar adjoints below a node that carries every output; zero between sweeps.
    scalar: Vec<f64>,
    /// Whether a node has adjoints still to pass on; all false between sweeps.
    pending: Vec<bool>,
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
            adjoints: Vec::new(),
            scalar: Vec::new(),
            pending: Vec::new(),
            generation: 0,
            block_end: 0,
        })
    };
    /// This thread's `TAPE` while an event is being recorded, null otherwise. Every
    /// operation records through it: a plain pointer in a thread-local without destructor
    /// skips the `RefCell`'s borrow flag and the destructor-state check of `TAPE`, 9 % of
    /// the instructions of a W4 event (the one `unsafe` of the module, in `record`).
    static RECORDING: Cell<*mut Tape> = const { Cell::new(ptr::null_mut()) };
}

/// Records `node` on this thread's tape and returns its index and the event's generation.
#[inline]
pub(super) fn record(node: Node) -> (u32, u32) {
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
    let index = t.nodes.len();
    debug_assert!(index < u32::MAX as usize, "gradhep::reverse: tape overflow");
    t.nodes.push(node);
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
        // The sweeps never read the leaves' own nodes: whatever lies there may stay.
        t.nodes.truncate(k + 1);
        t.nodes.resize(k + 1, CONSTANT);
        t.generation
    });
    TAPE.with(|tape| RECORDING.set(tape.as_ptr()));
    generation
}

/// Most outputs swept together; more are swept in groups of this many.
const GROUP: usize = 8;

/// Ends the event begun by [`begin_event`] with `k` leaves: adds `∂yᵦ/∂θₖ` to
/// `jacobian[k'·m + b]` (leaf-major, as the adjoints lie) for the `m` outputs `y` given by
/// their node indices.
pub(super) fn end_event(k: usize, outputs: &[u32], jacobian: &mut [f64]) {
    RECORDING.set(ptr::null_mut());
    TAPE.with_borrow_mut(|t| {
        let m = outputs.len();
        let n = t.nodes.len();
        let rows = n * m.min(GROUP);
        if t.adjoints.len() < rows {
            t.adjoints.resize(rows, 0.0);
        }
        if t.pending.len() < n {
            t.pending.resize(n, false);
            t.scalar.resize(n, 0.0);
        }
        for (g, group) in outputs.chunks(GROUP).enumerate() {
            let columns = Columns {
                stride: m,
                offset: g * GROUP,
            };
            match group.len() {
                1 => t.sweep::<1>(k, group, jacobian, columns),
                2 => t.sweep::<2>(k, group, jacobian, columns),
                3 => t.sweep::<3>(k, group, jacobian, columns),
                4 => t.sweep::<4>(k, group, jacobian, columns),
                5 => t.sweep::<5>(k, group, jacobian, columns),
                6 => t.sweep::<6>(k, group, jacobian, columns),
                7 => t.sweep::<7>(k, group, jacobian, columns),
                _ => t.sweep::<GROUP>(k, group, jacobian, columns),
            }
        }
    });
}

/// Where a group of outputs lies in a leaf-major Jacobian: leaf `l`, output `b` of the group
/// at `l·stride + offset + b`.
#[derive(Clone, Copy)]
struct Columns {
    stride: usize,
    offset: usize,
}

impl Tape {
    /// One reverse sweep for `M` outputs (see the [module docs](self)), adding into
    /// `jacobian` at `columns`.
    fn sweep<const M: usize>(
        &mut self,
        k: usize,
        outputs: &[u32],
        jacobian: &mut [f64],
        columns: Columns,
    ) {
        let nodes = &self.nodes;
        // One length for the three, so that indexing by node needs no bounds checks.
        let n = nodes.len();
        let adjoints = &mut self.adjoints.as_chunks_mut::<M>().0[..n];
        let pending = &mut self.pending[..n];
        // Nodes marked pending and not yet passed on.
        let mut to_pass = 0usize;
        for (b, &node) in outputs.iter().enumerate() {
            assert!(
                (node as usize) < n,
                "event_sum_jacobian: an output from another event"
            );
            adjoints[node as usize][b] += 1.0;
            mark(pending, node as usize, &mut to_pass);
        }
        for i in (k + 1..n).rev() {
            if !pending[i] {
                continue;
            }
            pending[i] = false;
            to_pass -= 1;
            let a = std::mem::replace(&mut adjoints[i], [0.0; M]);
            if to_pass == 0 {
                // Node i carries every output: the rest is one scalar sweep.
                adjoints[0] = [0.0; M];
                scalar_sweep(nodes, &mut self.scalar, k, i, &a, jacobian, columns);
                return;
            }
            let node = nodes[i];
            for (&p, &w) in node.parents.iter().zip(&node.partials) {
                check_parent(p, i);
                pass_on(&mut adjoints[p as usize], &a, w);
                mark(pending, p as usize, &mut to_pass);
            }
        }
        // No single node carried everything: the leaves' adjoints are the Jacobian.
        for leaf in 1..=k {
            pending[leaf] = false;
            let a = std::mem::replace(&mut adjoints[leaf], [0.0; M]);
            let at = (leaf - 1) * columns.stride + columns.offset;
            for (j, a) in jacobian[at..at + M].iter_mut().zip(a) {
                *j += a;
            }
        }
        adjoints[0] = [0.0; M];
    }
}

/// Marks node `p` as having adjoints to pass on (the constant node never has).
#[inline(always)]
fn mark(pending: &mut [bool], p: usize, to_pass: &mut usize) {
    if p != 0 && !pending[p] {
        pending[p] = true;
        *to_pass += 1;
    }
}

/// The sweep below node `top`, which carries the outputs with adjoints `a`: the gradient
/// `g = ∂y_top/∂θ` by one scalar sweep, then `jacobian += g ⊗ a` at `columns`.
fn scalar_sweep<const M: usize>(
    nodes: &[Node],
    adjoint: &mut [f64],
    k: usize,
    top: usize,
    a: &[f64; M],
    jacobian: &mut [f64],
    columns: Columns,
) {
    // One length for both, so that indexing below `top` needs no bounds checks.
    let (nodes, adjoint_up_to_top) = (&nodes[..=top], &mut adjoint[..=top]);
    adjoint_up_to_top[top] = 1.0;
    for (i, node) in nodes.iter().enumerate().skip(k + 1).rev() {
        let s = std::mem::replace(&mut adjoint_up_to_top[i], 0.0);
        if s == 0.0 {
            continue;
        }
        for (&p, &w) in node.parents.iter().zip(&node.partials) {
            check_parent(p, i);
            adjoint_up_to_top[p as usize] += w * s;
        }
    }
    let leaves = adjoint[1..=k].iter_mut();
    if columns.stride == M {
        // One group: the Jacobian's rows are the leaves' `M` columns, in order.
        for (row, g) in jacobian.as_chunks_mut::<M>().0.iter_mut().zip(leaves) {
            pass_on(row, a, std::mem::replace(g, 0.0));
        }
    } else {
        for (leaf, g) in leaves.enumerate() {
            let at = leaf * columns.stride + columns.offset;
            pass_on(&mut jacobian[at..at + M], a, std::mem::replace(g, 0.0));
        }
    }
    adjoint[0] = 0.0;
}

/// Abandons the event being recorded (its `phi` panicked), so the thread can record again.
pub(super) fn abandon_event() {
    RECORDING.set(ptr::null_mut());
    TAPE.with_borrow_mut(|t| {
        t.adjoints.fill(0.0);
        t.scalar.fill(0.0);
        t.pending.fill(false);
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
