//! The thread's tape: one node per recorded operation of the event being differentiated,
//! and the reverse sweep that turns it into adjoints.
//!
//! Node 0 is the constant node: every plain `f64` lifted into a [`Rev`](super::Rev) points
//! at it, and a unary operation names it as its second parent with a zero partial, so the
//! sweep is the same two updates for every node. Its adjoint collects nothing anyone reads.

use std::cell::RefCell;
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
    /// Adjoints, `m` per node during a sweep; all zero between sweeps (the sweep zeroes each
    /// node's adjoints once it has passed them on), so no event pays for clearing them.
    adjoints: Vec<f64>,
    /// The current event's stamp, carried by every value recorded in it.
    generation: u32,
    /// The last generation of the block this thread took from [`GENERATIONS`].
    block_end: u32,
    /// Whether an event is being recorded: a second one on the same thread would clear it.
    recording: bool,
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
            generation: 0,
            block_end: 0,
            recording: false,
        })
    };
}

/// Records `node` on this thread's tape and returns its index and the event's generation.
#[inline]
pub(super) fn record(node: Node) -> (u32, u32) {
    TAPE.with_borrow_mut(|t| {
        debug_assert!(
            t.recording,
            "gradhep::reverse: an operation on a Rev value outside `event_sum_jacobian` \
             (or on another thread than its event's)"
        );
        let index = t.nodes.len();
        debug_assert!(index < u32::MAX as usize, "gradhep::reverse: tape overflow");
        t.nodes.push(node);
        (index as u32, t.generation)
    })
}

/// The generation of the event being recorded on this thread (0 outside one).
#[inline]
pub(super) fn generation() -> u32 {
    TAPE.with_borrow(|t| t.generation)
}

/// Starts a new event: clears the tape (keeping its capacity), records the `k` leaves as
/// nodes `1..=k`, and returns the new generation.
///
/// # Panics
/// If this thread is already recording an event (`phi` started another
/// `event_sum_jacobian`, or waited on a parallel loop that ran another event's shard here).
pub(super) fn begin_event(k: usize) -> u32 {
    TAPE.with_borrow_mut(|t| {
        assert!(
            !t.recording,
            "event_sum_jacobian: an event began on a thread already recording one; \
             phi must not call event_sum_jacobian or wait on parallel work"
        );
        t.recording = true;
        if t.generation == t.block_end {
            t.generation = GENERATIONS.fetch_add(GENERATION_BLOCK, Ordering::Relaxed);
            t.block_end = t.generation.wrapping_add(GENERATION_BLOCK - 1);
        } else {
            t.generation = t.generation.wrapping_add(1);
        }
        t.nodes.clear();
        t.nodes.resize(k + 1, CONSTANT);
        t.generation
    })
}

/// Ends the event begun by [`begin_event`] with `k` leaves: adds `∂yᵦ/∂θₖ` to
/// `jacobian[b·k + k']` for the outputs `y` given by their node indices (`m` of them), by
/// one reverse sweep with `m` adjoints per node.
pub(super) fn end_event(k: usize, outputs: &[u32], jacobian: &mut [f64]) {
    TAPE.with_borrow_mut(|t| {
        let m = outputs.len();
        let n = t.nodes.len();
        if t.adjoints.len() < n * m {
            t.adjoints.resize(n * m, 0.0);
        }
        for (b, &node) in outputs.iter().enumerate() {
            t.adjoints[node as usize * m + b] += 1.0;
        }
        match m {
            1 => sweep::<1>(&t.nodes, k, &mut t.adjoints),
            2 => sweep::<2>(&t.nodes, k, &mut t.adjoints),
            3 => sweep::<3>(&t.nodes, k, &mut t.adjoints),
            4 => sweep::<4>(&t.nodes, k, &mut t.adjoints),
            5 => sweep::<5>(&t.nodes, k, &mut t.adjoints),
            6 => sweep::<6>(&t.nodes, k, &mut t.adjoints),
            7 => sweep::<7>(&t.nodes, k, &mut t.adjoints),
            8 => sweep::<8>(&t.nodes, k, &mut t.adjoints),
            _ => sweep_any(&t.nodes, k, m, &mut t.adjoints),
        }
        // The leaves' adjoints are the Jacobian's columns; passing them on zeroes them.
        for leaf in 0..k {
            let adjoint = &mut t.adjoints[(leaf + 1) * m..(leaf + 2) * m];
            for (b, a) in adjoint.iter_mut().enumerate() {
                jacobian[b * k + leaf] += *a;
                *a = 0.0;
            }
        }
        t.adjoints[..m].fill(0.0);
        t.recording = false;
    });
}

/// Abandons the event being recorded (its `phi` panicked), so the thread can record again.
pub(super) fn abandon_event() {
    TAPE.with_borrow_mut(|t| {
        t.recording = false;
        t.adjoints.fill(0.0);
    });
}

/// The reverse sweep for `M` outputs known at compile time: the adjoint rows are fixed-size
/// arrays, which the compiler keeps in registers.
fn sweep<const M: usize>(nodes: &[Node], k: usize, adjoints: &mut [f64]) {
    for i in (k + 1..nodes.len()).rev() {
        // A node's parents were recorded before it: their adjoints lie below its own.
        let (below, row) = adjoints.split_at_mut(i * M);
        let row: &mut [f64; M] = (&mut row[..M]).try_into().expect("M adjoints");
        let a = *row;
        if a == [0.0; M] {
            continue;
        }
        *row = [0.0; M];
        let node = nodes[i];
        for (&p, &w) in node.parents.iter().zip(&node.partials) {
            let p = p as usize;
            pass_on(&mut below[p * M..(p + 1) * M], &a, w);
        }
    }
}

/// The reverse sweep for any number `m` of outputs.
fn sweep_any(nodes: &[Node], k: usize, m: usize, adjoints: &mut [f64]) {
    for i in (k + 1..nodes.len()).rev() {
        let (below, row) = adjoints.split_at_mut(i * m);
        let a = &mut row[..m];
        if a.iter().all(|&x| x == 0.0) {
            continue;
        }
        let node = nodes[i];
        for (&p, &w) in node.parents.iter().zip(&node.partials) {
            let p = p as usize;
            pass_on(&mut below[p * m..(p + 1) * m], a, w);
        }
        a.fill(0.0);
    }
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
