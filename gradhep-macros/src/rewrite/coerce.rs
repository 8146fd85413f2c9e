//! Making passive values as active as the place they flow into requires.

use super::calls::{is_constructor, is_container_method, is_wrapper, path_ends_with};
use super::vec_macro::VecMacro;
use super::{Ty, Walker, strip_parens, take};
use crate::activity::Shape;
use crate::types;
use syn::{Block, Expr, Stmt};

impl Walker {
    /// Makes `e` (already walked, with `ty`) as active as `target` requires.
    pub(super) fn coerce(&mut self, e: &mut Expr, ty: &Ty, target: &Shape) {
        if !self.rewrite || !target.is_active() || ty.shape == *target {
            return;
        }
        match (&ty.shape, target) {
            (Shape::Passive, Shape::Active) => self.lift_in_place(e, ty.by_ref),
            (shape, Shape::Tuple(_)) | (shape @ Shape::Tuple(_), _) => {
                if let Expr::Tuple(t) = strip_parens(e) {
                    for (i, elem) in t.elems.iter_mut().enumerate() {
                        if !shape.component(i).is_active() && target.component(i).is_active() {
                            self.lift_in_place(elem, false);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Lifts a passive `f64`-valued expression to the scalar type, descending into the
    /// branches of blocks, `if` and `match`, and into literal containers.
    pub(super) fn lift_in_place(&mut self, e: &mut Expr, by_ref: bool) {
        match e {
            Expr::Paren(p) => self.lift_in_place(&mut p.expr, by_ref),
            Expr::Block(b) => self.lift_tail(&mut b.block),
            Expr::Unsafe(b) => self.lift_tail(&mut b.block),
            Expr::If(i) => {
                self.lift_tail(&mut i.then_branch);
                if let Some((_, else_branch)) = &mut i.else_branch {
                    self.lift_in_place(else_branch, false);
                }
            }
            Expr::Match(m) => {
                for arm in &mut m.arms {
                    self.lift_in_place(&mut arm.body, false);
                }
            }
            Expr::Call(c) if is_wrapper(&c.func) => {
                if path_ends_with(&c.func, "Err") {
                    return;
                }
                if let Some(arg) = c.args.first_mut() {
                    self.lift_in_place(arg, false);
                }
            }
            Expr::Repeat(r) => self.lift_in_place(&mut r.expr, false),
            Expr::Array(a) => {
                for elem in &mut a.elems {
                    self.lift_in_place(elem, false);
                }
            }
            Expr::Macro(m) if m.mac.path.is_ident("vec") => {
                if let Some(mut v) = VecMacro::parse(&m.mac) {
                    for elem in v.elems_mut() {
                        self.lift_in_place(elem, false);
                    }
                    m.mac.tokens = v.into_tokens();
                }
            }
            Expr::Call(c) => {
                // `Vec::<f64>::new()` and friends: containers, not scalars.
                if let Expr::Path(p) = &mut *c.func {
                    let scalar = self.scalar.clone();
                    syn::visit_mut::VisitMut::visit_path_mut(
                        &mut types::ReplaceF64(&scalar),
                        &mut p.path,
                    );
                    if is_constructor(&p.path) {
                        return;
                    }
                }
                *e = self.lift_to_scalar(take(e), by_ref);
            }
            Expr::Path(p) if p.path.is_ident("None") => {}
            Expr::Return(_)
            | Expr::Break(_)
            | Expr::Continue(_)
            | Expr::Macro(_)
            | Expr::Tuple(_)
            | Expr::Closure(_)
            | Expr::Struct(_)
            | Expr::Reference(_) => {}
            Expr::MethodCall(m) if is_container_method(&m.method) => {}
            _ => *e = self.lift_to_scalar(take(e), by_ref),
        }
    }

    pub(super) fn lift_tail(&mut self, block: &mut Block) {
        if let Some(Stmt::Expr(tail, None)) = block.stmts.last_mut() {
            self.lift_in_place(tail, false);
        }
    }

    /// Array and `vec![..]` elements share one type: lift the passive ones if any is active.
    pub(super) fn unify_elems<'a>(
        &mut self,
        elems: impl Iterator<Item = &'a mut Expr>,
        tys: &[Ty],
    ) -> Ty {
        let active = tys.iter().any(Ty::active);
        if self.rewrite && active {
            for (elem, ty) in elems.zip(tys) {
                if !ty.active() {
                    self.lift_in_place(elem, ty.by_ref);
                }
            }
        }
        Ty {
            seq: !active && tys.iter().all(|t| t.float),
            ..Ty::shape(Shape::active(active))
        }
    }
}
