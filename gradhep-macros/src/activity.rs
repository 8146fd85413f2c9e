//! Activity analysis: which bindings and expressions depend on an active input.
//!
//! The body is walked repeatedly (see [`crate::rewrite::Walker`]) until no binding changes
//! activity: an assignment late in a loop can make a binding declared before it active, a
//! closure called with an active argument makes its parameter active. Bindings are numbered
//! in the order the walk declares them, which is the same in every pass, so what one pass
//! learnt about a binding is what the next pass reads.

/// How much of a value carries derivatives.
///
/// Containers, iterators and `Option`s have the shape of their elements; tuples (from `zip`,
/// `enumerate`, tuple literals) are tracked component by component so that a passive weight
/// zipped with an active value stays plain `f64`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Shape {
    #[default]
    Passive,
    Active,
    Tuple(Vec<Shape>),
}

impl Shape {
    pub fn active(yes: bool) -> Shape {
        if yes { Shape::Active } else { Shape::Passive }
    }

    pub fn is_active(&self) -> bool {
        match self {
            Shape::Passive => false,
            Shape::Active => true,
            Shape::Tuple(parts) => parts.iter().any(Shape::is_active),
        }
    }

    /// The least shape at least as active as both.
    pub fn join(&self, other: &Shape) -> Shape {
        match (self, other) {
            (Shape::Passive, s) | (s, Shape::Passive) => s.clone(),
            (Shape::Tuple(a), Shape::Tuple(b)) if a.len() == b.len() => {
                Shape::Tuple(a.iter().zip(b).map(|(a, b)| a.join(b)).collect())
            }
            (a, b) => Shape::active(a.is_active() || b.is_active()),
        }
    }

    /// The shape of component `i` of a tuple of this shape.
    pub fn component(&self, i: usize) -> Shape {
        match self {
            Shape::Tuple(parts) => parts.get(i).cloned().unwrap_or_default(),
            s => s.clone(),
        }
    }
}

/// What the analysis knows about one binding.
#[derive(Clone, Debug, Default)]
pub struct Binding {
    pub shape: Shape,
    /// It may hold a reference (`&f64` or `&D`), so arithmetic reads it through `value`.
    pub by_ref: bool,
    /// It is known to be a plain `f64` when passive, so a call may `lift` it.
    pub float: bool,
    /// It is a slice, array or `Vec` of `f64` when passive, so its elements may be lifted.
    pub float_seq: bool,
    /// For a closure bound by `let`, the bindings of its parameters, which its call sites
    /// make active.
    pub closure_params: Option<Vec<Option<usize>>>,
}

/// The bindings of one walk, numbered in declaration order, and the lexical scopes that
/// resolve a name to its number.
#[derive(Default)]
pub struct Bindings {
    table: Vec<Binding>,
    next: usize,
    scopes: Vec<Vec<(String, usize)>>,
    /// Whether this pass made some binding more active than the previous pass had.
    pub changed: bool,
}

impl Bindings {
    /// Starts a pass: numbering restarts, what was learnt is kept.
    pub fn start_pass(&mut self) {
        self.next = 0;
        self.scopes = vec![Vec::new()];
        self.changed = false;
    }

    pub fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    pub fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    /// Declares `name`, joining `shape` into what earlier passes learnt about it.
    pub fn declare(
        &mut self,
        name: &str,
        shape: &Shape,
        by_ref: bool,
        float: bool,
        seq: bool,
    ) -> usize {
        let id = self.next;
        self.next += 1;
        if id == self.table.len() {
            self.table.push(Binding::default());
        }
        let b = &mut self.table[id];
        b.by_ref = by_ref;
        b.float = float;
        b.float_seq = seq;
        self.scopes
            .last_mut()
            .expect("a scope is open")
            .push((name.to_owned(), id));
        self.make_active(id, shape);
        id
    }

    /// Joins `shape` into binding `id`.
    pub fn make_active(&mut self, id: usize, shape: &Shape) {
        let b = &mut self.table[id];
        let joined = b.shape.join(shape);
        if joined != b.shape {
            b.shape = joined;
            self.changed = true;
        }
    }

    /// The number the next declared binding gets.
    pub fn next_id(&self) -> usize {
        self.next
    }

    pub fn lookup(&self, name: &str) -> Option<usize> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|scope| scope.iter().rev())
            .find(|(n, _)| n == name)
            .map(|&(_, id)| id)
    }

    pub fn get(&self, id: usize) -> &Binding {
        &self.table[id]
    }

    pub fn set_closure_params(&mut self, id: usize, params: Vec<Option<usize>>) {
        self.table[id].closure_params = Some(params);
    }
}

#[cfg(test)]
mod tests {
    use super::Shape::{Active as A, Passive as P, Tuple};

    #[test]
    fn join_keeps_tuple_components_apart() {
        let zipped = Tuple(vec![A, P]);
        assert_eq!(zipped.join(&Tuple(vec![P, P])), Tuple(vec![A, P]));
        assert_eq!(zipped.join(&A), A);
        assert_eq!(P.join(&zipped), zipped);
        assert_eq!(zipped.component(1), P);
        assert!(!Tuple(vec![P, P]).is_active());
    }
}
