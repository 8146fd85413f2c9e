//! Declaring bindings from patterns, and finding the binding a place writes into.

use super::{Floats, Walker};
use crate::activity::Shape;
use crate::{types, valid};
use syn::{Expr, Pat, UnOp};

impl Walker {
    pub(super) fn declare(
        &mut self,
        pat: &mut Pat,
        shape: &Shape,
        by_ref: bool,
        float: bool,
        seq: bool,
    ) {
        self.declare_parts(pat, shape, by_ref, &Floats::of(float), seq);
    }

    /// [`Walker::declare`] for a value whose parts are `f64`s as `floats` says.
    pub(super) fn declare_parts(
        &mut self,
        pat: &mut Pat,
        shape: &Shape,
        by_ref: bool,
        floats: &Floats,
        seq: bool,
    ) {
        let float = *floats == Floats::Yes;
        match pat {
            Pat::Ident(p) => {
                let by_ref = by_ref || p.by_ref.is_some();
                self.bindings
                    .declare(&p.ident.to_string(), shape, by_ref, float, seq);
                if let Some((_, sub)) = &mut p.subpat {
                    self.declare(sub, shape, by_ref, float, seq);
                }
            }
            Pat::Type(p) => {
                let float = types::is_f64(&p.ty) || types::is_f64_ref(&p.ty);
                let seq = types::is_f64_seq(&p.ty);
                self.declare(&mut p.pat, shape, types::is_ref(&p.ty), float, seq);
                if self.rewrite {
                    let declared = self.pat_shape(&p.pat);
                    types::activate(&mut p.ty, &declared, &self.scalar);
                }
            }
            Pat::Reference(p) => self.declare_parts(&mut p.pat, shape, false, floats, seq),
            Pat::Paren(p) => self.declare_parts(&mut p.pat, shape, by_ref, floats, seq),
            Pat::Tuple(p) => {
                for (i, elem) in p.elems.iter_mut().enumerate() {
                    let part = floats.part(i);
                    self.declare_parts(elem, &shape.component(i), by_ref, &part, false);
                }
            }
            Pat::TupleStruct(p) => {
                for elem in &mut p.elems {
                    self.declare(elem, shape, by_ref, float, seq);
                }
            }
            Pat::Struct(p) => {
                for field in &mut p.fields {
                    self.declare(&mut field.pat, shape, by_ref, false, false);
                }
            }
            Pat::Slice(p) => {
                for elem in &mut p.elems {
                    self.declare(elem, shape, by_ref, false, false);
                }
            }
            // Every alternative binds the same names; the first one declares them.
            Pat::Or(p) => {
                if let Some(first) = p.cases.first_mut() {
                    self.declare(first, shape, by_ref, float, seq);
                }
            }
            Pat::Guard(g) => {
                self.declare(&mut g.pat, shape, by_ref, float, seq);
                self.expr(&mut g.guard);
            }
            _ => {}
        }
    }

    /// The activity of the bindings of a pattern just declared.
    pub(super) fn pat_shape(&self, pat: &Pat) -> Shape {
        match pat {
            Pat::Ident(p) => self
                .bindings
                .lookup(&p.ident.to_string())
                .map(|id| self.bindings.get(id).shape.clone())
                .unwrap_or_default(),
            Pat::Type(p) => self.pat_shape(&p.pat),
            Pat::Reference(p) => self.pat_shape(&p.pat),
            Pat::Paren(p) => self.pat_shape(&p.pat),
            Pat::Tuple(p) => Shape::Tuple(p.elems.iter().map(|e| self.pat_shape(e)).collect()),
            Pat::TupleStruct(p) => p
                .elems
                .iter()
                .fold(Shape::Passive, |s, e| s.join(&self.pat_shape(e))),
            _ => Shape::Passive,
        }
    }

    /// Makes the bindings of a declared pattern at least as active as `shape`.
    pub(super) fn mark_pat(&mut self, pat: &Pat, shape: &Shape) {
        match pat {
            Pat::Ident(p) => {
                if let Some(id) = self.bindings.lookup(&p.ident.to_string()) {
                    self.bindings.make_active(id, shape);
                }
            }
            Pat::Type(p) => self.mark_pat(&p.pat, shape),
            Pat::Reference(p) => self.mark_pat(&p.pat, shape),
            Pat::Paren(p) => self.mark_pat(&p.pat, shape),
            Pat::Tuple(p) => {
                for (i, elem) in p.elems.iter().enumerate() {
                    self.mark_pat(elem, &shape.component(i));
                }
            }
            _ => {}
        }
    }

    /// The binding a place expression (`s`, `buf[i]`, `*acc`, `t.0`) writes into.
    pub(super) fn place_root(&self, place: &Expr) -> Option<usize> {
        match place {
            Expr::Path(p) => p
                .path
                .get_ident()
                .and_then(|i| self.bindings.lookup(&i.to_string())),
            Expr::Index(i) => self.place_root(&i.expr),
            Expr::Field(f) => self.place_root(&f.base),
            Expr::Paren(p) => self.place_root(&p.expr),
            Expr::Unary(u) if matches!(u.op, UnOp::Deref(_)) => self.place_root(&u.expr),
            _ => None,
        }
    }

    pub(super) fn place_shape(&self, place: &Expr) -> Shape {
        self.place_root(place)
            .map(|id| self.bindings.get(id).shape.clone())
            .unwrap_or_default()
    }

    /// Makes the binding `place` writes into active when `shape` is. Returns `false`, after
    /// reporting it, when the place is data that cannot hold a dual number: a passive
    /// parameter (`hist: &mut [f64]`) or a field of `self`.
    pub(super) fn mark_place(&mut self, place: &Expr, shape: &Shape) -> bool {
        if !shape.is_active() {
            return true;
        }
        if let Some(name) = self_root(place) {
            self.error(valid::stored_into_data(place, &name, true));
            return false;
        }
        let Some(id) = self.place_root(place) else {
            return true;
        };
        if let Some(name) = self
            .data_params
            .iter()
            .find(|(p, _)| *p == id)
            .map(|(_, n)| n.clone())
        {
            self.error(valid::stored_into_data(place, &name, false));
            return false;
        }
        self.bindings.make_active(id, &Shape::Active);
        true
    }
}

/// `self` when it is the root of a place (`self.total`, `self.hist[i]`).
fn self_root(place: &Expr) -> Option<String> {
    match place {
        Expr::Path(p) if p.path.is_ident("self") => Some("self".to_owned()),
        Expr::Index(i) => self_root(&i.expr),
        Expr::Field(f) => self_root(&f.base),
        Expr::Paren(p) => self_root(&p.expr),
        Expr::Unary(u) if matches!(u.op, UnOp::Deref(_)) => self_root(&u.expr),
        _ => None,
    }
}
