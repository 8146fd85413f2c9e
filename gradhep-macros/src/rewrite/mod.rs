//! The walk over a function body: computes each expression's activity and, in the final
//! pass, rewrites the active parts so that they compile for any scalar type and stay
//! bit-identical at `f64`.
//!
//! The analysis passes walk clones of the body; the last pass walks the body itself with
//! `rewrite` set. Both declare bindings in the same order (see [`crate::activity`]).
//!
//! What is rewritten, always in a form that is exact at `f64`:
//! - `p + a`, `p * a` with `p` passive and `a` active become `a + p`, `a * p` (num-dual has
//!   `D ⊕ f64` but not `f64 ⊕ D`); `p - a` becomes `-a + p`; `p / a` and `p % a` lift `p`.
//! - operands that may be references (`|x| x * x`) are read through `value(..)`.
//! - a passive value flowing into an active binding, return value, branch or accumulator is
//!   lifted (`lift::<D>(0.0)`); a passive `f64` passed beside active arguments is `lift`ed
//!   to whatever the callee expects.
//! - `max`, `min`, `clamp`, `hypot` become the runtime's functions, `powf` with an active
//!   exponent `powd`, active `.sum()`/`.product()` the runtime's reductions, `f64::name(a, ..)`
//!   the method form.
//! - the refused constructs (see [`crate::valid`]) are reported and their active operands
//!   detached, so that the emitted function still type-checks.

mod bindings;
mod calls;
mod coerce;
mod vec_macro;

use crate::activity::{Bindings, Shape};
use crate::{types, valid};
use proc_macro2::TokenStream;
use quote::quote;
use syn::{
    BinOp, Block, Expr, ExprBinary, ExprClosure, Ident, Lit, Macro, Pat, Path, Stmt, Token, UnOp,
};
use vec_macro::VecMacro;

/// What the walk knows about an expression.
#[derive(Clone, Debug, Default)]
pub struct Ty {
    pub shape: Shape,
    /// It may be a reference (`&f64` or `&D`).
    pub by_ref: bool,
    /// When passive, it is known to be an `f64` (or `&f64` when `by_ref`).
    pub float: bool,
    /// When passive, its elements are `f64`.
    pub seq: bool,
    /// For an iterator of tuples (`zip`, `enumerate`): which components are `f64`s.
    pub parts: Floats,
}

/// Which parts of a passive value are known `f64`s, component by component for tuples.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Floats {
    #[default]
    No,
    Yes,
    Tuple(Vec<Floats>),
}

impl Floats {
    fn of(yes: bool) -> Floats {
        if yes { Floats::Yes } else { Floats::No }
    }

    fn part(&self, i: usize) -> Floats {
        match self {
            Floats::Tuple(parts) => parts.get(i).cloned().unwrap_or_default(),
            _ => Floats::No,
        }
    }
}

impl Ty {
    /// What the elements of this sequence or iterator are.
    fn elem_floats(&self) -> Floats {
        match &self.parts {
            Floats::No => Floats::of(self.seq),
            parts => parts.clone(),
        }
    }
}

impl Ty {
    fn passive() -> Ty {
        Ty::default()
    }

    fn float() -> Ty {
        Ty {
            float: true,
            ..Ty::default()
        }
    }

    fn shape(shape: Shape) -> Ty {
        Ty {
            shape,
            ..Ty::default()
        }
    }

    fn active(&self) -> bool {
        self.shape.is_active()
    }
}

/// What an iterator adaptor passes to a closure parameter.
#[derive(Clone)]
struct Param {
    shape: Shape,
    by_ref: bool,
    float: Floats,
}

pub struct Walker {
    pub bindings: Bindings,
    /// Set in the final pass: rewrite and report.
    pub rewrite: bool,
    pub errors: Vec<syn::Error>,
    /// The activity of the function's result, joined over `return`s and the tail.
    pub ret: Shape,
    scalar: Ident,
    krate: Path,
    closure_depth: usize,
    /// The selector adaptor whose closure is being walked (for the help text).
    selector: Option<String>,
    /// Inside an index expression (a cast there is reported as an index).
    in_index: bool,
    /// The parameter bindings of the closure walked last, for `let f = |..| ..;`.
    last_closure: Vec<Option<usize>>,
    /// For each enclosing `loop`: its number and the activities of the values it `break`s
    /// with in this pass.
    breaks: Vec<(usize, Vec<Shape>)>,
    /// Each `loop`'s activity, by the order the walk meets them, kept across passes so that
    /// the final pass can lift passive `break` values.
    loops: Vec<Shape>,
    next_loop: usize,
    /// The bindings of passive parameters, by name: data that cannot hold a dual number.
    data_params: Vec<(usize, String)>,
}

impl Walker {
    pub fn new(scalar: Ident, krate: Path) -> Walker {
        Walker {
            bindings: Bindings::default(),
            rewrite: false,
            errors: Vec::new(),
            ret: Shape::Passive,
            scalar,
            krate,
            closure_depth: 0,
            selector: None,
            in_index: false,
            last_closure: Vec::new(),
            breaks: Vec::new(),
            loops: Vec::new(),
            next_loop: 0,
            data_params: Vec::new(),
        }
    }

    pub fn start_pass(&mut self, rewrite: bool) {
        self.bindings.start_pass();
        self.rewrite = rewrite;
        self.errors.clear();
        self.data_params.clear();
        self.next_loop = 0;
    }

    /// Declares a parameter: active ones as the scalar type, passive ones by their type.
    pub fn param(&mut self, pat: &mut Pat, ty: &syn::Type, active: bool) {
        let float = types::is_f64(ty);
        let seq = types::is_f64_seq(ty);
        let by_ref = types::is_ref(ty) && !active;
        let first = self.bindings.next_id();
        self.declare(pat, &Shape::active(active), by_ref, float, seq);
        if !active && let Pat::Ident(p) = pat {
            self.data_params.push((first, p.ident.to_string()));
        }
    }

    /// Walks the function body; its tail is coerced to the result's activity.
    pub fn body(&mut self, block: &mut Block) {
        self.bindings.push_scope();
        let tail = self.stmts(&mut block.stmts);
        if let (Some(ty), Some(Stmt::Expr(e, None))) = (tail, block.stmts.last_mut()) {
            if !self.rewrite {
                self.ret = self.ret.join(&ty.shape);
            }
            let ret = self.ret.clone();
            self.coerce(e, &ty, &ret);
        }
        self.bindings.pop_scope();
    }

    // ----- generated fragments ------------------------------------------------------------

    fn parse(&self, tokens: TokenStream) -> Expr {
        syn::parse2(tokens).expect("generated expression parses")
    }

    fn value(&self, e: Expr) -> Expr {
        let e = unparen(e);
        let k = &self.krate;
        self.parse(quote!(#k::value(#e)))
    }

    fn value_if(&self, e: Expr, by_ref: bool) -> Expr {
        if by_ref { self.value(e) } else { e }
    }

    /// `lift::<D>(e)`: a passive `f64` as the scalar type.
    fn lift_to_scalar(&self, e: Expr, by_ref: bool) -> Expr {
        let (k, d) = (&self.krate, &self.scalar);
        let e = unparen(self.value_if(e, by_ref));
        self.parse(quote!(#k::lift::<#d>(#e)))
    }

    /// `lift(e)`: a passive `f64` as whatever the callee's parameter is.
    fn lift_to_callee(&self, e: Expr, by_ref: bool) -> Expr {
        let k = &self.krate;
        let e = unparen(self.value_if(e, by_ref));
        self.parse(quote!(#k::lift(#e)))
    }

    fn detach(&self, e: Expr) -> Expr {
        let e = unparen(e);
        let k = &self.krate;
        self.parse(quote!(#k::detach(#e)))
    }

    fn error(&mut self, e: syn::Error) {
        if self.rewrite {
            self.errors.push(e);
        }
    }

    // ----- statements ---------------------------------------------------------------------

    /// Walks statements in the current scope; the tail expression's `Ty` if there is one.
    fn stmts(&mut self, stmts: &mut [Stmt]) -> Option<Ty> {
        let n = stmts.len();
        let mut tail = None;
        for (i, stmt) in stmts.iter_mut().enumerate() {
            match stmt {
                Stmt::Local(local) => self.local(local),
                Stmt::Expr(e, semi) => {
                    let ty = self.expr(e);
                    if semi.is_none() && i + 1 == n {
                        tail = Some(ty);
                    }
                }
                Stmt::Macro(m) => {
                    self.mac(&mut m.mac);
                }
                Stmt::Item(_) => {}
            }
        }
        tail
    }

    fn local(&mut self, local: &mut syn::Local) {
        let init_ty = match &mut local.init {
            Some(init) => {
                let ty = self.expr(&mut init.expr);
                if let Some((_, diverge)) = &mut init.diverge {
                    self.expr(diverge);
                }
                ty
            }
            None => Ty::passive(),
        };
        let closure = match local.init.as_ref().map(|i| &*i.expr) {
            Some(Expr::Closure(_)) => Some(self.last_closure.clone()),
            _ => None,
        };
        self.declare(
            &mut local.pat,
            &init_ty.shape,
            init_ty.by_ref,
            init_ty.float,
            init_ty.seq,
        );
        if let (Some(params), Pat::Ident(p)) = (closure, &local.pat)
            && let Some(id) = self.bindings.lookup(&p.ident.to_string())
        {
            self.bindings.set_closure_params(id, params);
        }
        let target = self.pat_shape(&local.pat);
        if let Some(init) = &mut local.init {
            self.coerce(&mut init.expr, &init_ty, &target);
        }
    }

    fn block(&mut self, block: &mut Block) -> Ty {
        self.bindings.push_scope();
        let ty = self.stmts(&mut block.stmts).unwrap_or_default();
        self.bindings.pop_scope();
        ty
    }

    // ----- expressions --------------------------------------------------------------------

    pub fn expr(&mut self, e: &mut Expr) -> Ty {
        match e {
            Expr::Lit(l) => match &l.lit {
                Lit::Float(f) if f.suffix() != "f32" => Ty::float(),
                _ => Ty::passive(),
            },
            Expr::Path(p) => self.path(p),
            Expr::Paren(p) => self.expr(&mut p.expr),
            Expr::Group(g) => self.expr(&mut g.expr),
            Expr::Unary(_) => self.unary(e),
            Expr::Binary(_) => self.binary(e),
            Expr::Assign(a) => {
                let r = self.expr(&mut a.right);
                self.expr(&mut a.left);
                if !self.mark_place(&a.left, &r.shape) && self.rewrite {
                    *a.right = self.detach(take(&mut a.right));
                }
                let target = self.place_shape(&a.left);
                self.coerce(&mut a.right, &r, &target);
                Ty::passive()
            }
            Expr::Call(_) => self.call(e),
            Expr::MethodCall(_) => self.method(e),
            Expr::Closure(c) => self.closure(c, &[], false).0,
            Expr::Block(b) => self.block(&mut b.block),
            Expr::Unsafe(b) => self.block(&mut b.block),
            Expr::If(_) => self.if_expr(e),
            Expr::Match(_) => self.match_expr(e),
            Expr::ForLoop(f) => {
                let it = self.expr(&mut f.expr);
                self.bindings.push_scope();
                self.declare_parts(&mut f.pat, &it.shape, true, &it.elem_floats(), false);
                self.block(&mut f.body);
                self.bindings.pop_scope();
                Ty::passive()
            }
            Expr::While(w) => {
                self.bindings.push_scope();
                self.expr(&mut w.cond);
                self.block(&mut w.body);
                self.bindings.pop_scope();
                Ty::passive()
            }
            Expr::Loop(l) => {
                let number = self.next_loop;
                self.next_loop += 1;
                if number == self.loops.len() {
                    self.loops.push(Shape::Passive);
                }
                self.breaks.push((number, Vec::new()));
                self.block(&mut l.body);
                let (_, breaks) = self.breaks.pop().unwrap_or_default();
                let shape = breaks.iter().fold(Shape::Passive, |s, b| s.join(b));
                self.loops[number] = self.loops[number].join(&shape);
                Ty::shape(self.loops[number].clone())
            }
            Expr::Let(l) => {
                let ty = self.expr(&mut l.expr);
                // `while let Some(x) = values.next()`: an element of an `f64` sequence.
                self.declare(&mut l.pat, &ty.shape, true, ty.seq, false);
                Ty::passive()
            }
            Expr::Return(r) => {
                if let Some(value) = &mut r.expr {
                    let ty = self.expr(value);
                    if self.closure_depth == 0 {
                        if !self.rewrite {
                            self.ret = self.ret.join(&ty.shape);
                        }
                        let ret = self.ret.clone();
                        self.coerce(value, &ty, &ret);
                    }
                }
                Ty::passive()
            }
            Expr::Break(b) => {
                if let Some(value) = &mut b.expr {
                    let ty = self.expr(value);
                    if let Some((number, breaks)) = self.breaks.last_mut() {
                        breaks.push(ty.shape.clone());
                        let target = self.loops[*number].clone();
                        self.coerce(value, &ty, &target);
                    }
                }
                Ty::passive()
            }
            Expr::Try(t) => {
                let inner = self.expr(&mut t.expr);
                Ty {
                    float: inner.float || inner.seq,
                    seq: false,
                    ..inner
                }
            }
            Expr::Tuple(t) => Ty::shape(Shape::Tuple(
                t.elems.iter_mut().map(|e| self.expr(e).shape).collect(),
            )),
            Expr::Array(a) => {
                let tys: Vec<Ty> = a.elems.iter_mut().map(|e| self.expr(e)).collect();
                self.unify_elems(a.elems.iter_mut(), &tys)
            }
            Expr::Repeat(r) => {
                self.expr(&mut r.len);
                let elem = self.expr(&mut r.expr);
                Ty {
                    seq: elem.float,
                    ..Ty::shape(elem.shape)
                }
            }
            Expr::Index(i) => {
                let base = self.expr(&mut i.expr);
                let outer = std::mem::replace(&mut self.in_index, true);
                let index = self.expr(&mut i.index);
                self.in_index = outer;
                if index.active() {
                    self.error(valid::index(&i.index));
                    if self.rewrite {
                        *i.index = self.detach(take(&mut i.index));
                    }
                }
                Ty {
                    shape: base.shape,
                    float: base.seq,
                    ..Ty::passive()
                }
            }
            Expr::Field(f) => {
                let base = self.expr(&mut f.base);
                match &f.member {
                    syn::Member::Unnamed(i) => Ty::shape(base.shape.component(i.index as usize)),
                    syn::Member::Named(_) => Ty::shape(base.shape),
                }
            }
            Expr::Reference(r) => {
                let inner = self.expr(&mut r.expr);
                Ty {
                    by_ref: true,
                    ..inner
                }
            }
            Expr::Cast(c) => {
                let inner = self.expr(&mut c.expr);
                if inner.active() {
                    if self.in_index {
                        self.error(valid::index(&*c));
                    } else {
                        self.error(valid::cast(&*c));
                    }
                    if self.rewrite {
                        *c.expr = self.detach(take(&mut c.expr));
                    }
                }
                Ty {
                    float: types::is_f64(&c.ty),
                    ..Ty::passive()
                }
            }
            Expr::Macro(m) => self.mac(&mut m.mac),
            Expr::Range(r) => {
                if let Some(start) = &mut r.start {
                    self.expr(start);
                }
                if let Some(end) = &mut r.end {
                    self.expr(end);
                }
                Ty::passive()
            }
            Expr::Struct(s) => {
                let mut shape = Shape::Passive;
                for field in &mut s.fields {
                    shape = shape.join(&self.expr(&mut field.expr).shape);
                }
                if let Some(rest) = &mut s.rest {
                    shape = shape.join(&self.expr(rest).shape);
                }
                Ty::shape(Shape::active(shape.is_active()))
            }
            _ => Ty::passive(),
        }
    }

    fn path(&mut self, p: &syn::ExprPath) -> Ty {
        if p.qself.is_none()
            && let Some(ident) = p.path.get_ident()
        {
            if let Some(id) = self.bindings.lookup(&ident.to_string()) {
                let b = self.bindings.get(id);
                return Ty {
                    shape: b.shape.clone(),
                    by_ref: b.by_ref,
                    float: b.float,
                    seq: b.float_seq,
                    parts: Floats::No,
                };
            }
            return Ty {
                float: is_constant_name(ident),
                ..Ty::passive()
            };
        }
        let segments: Vec<String> = p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let float = segments.iter().any(|s| s == "f64" || s == "consts")
            || (segments.iter().all(|s| !is_integer_type(s))
                && p.path
                    .segments
                    .last()
                    .is_some_and(|s| is_constant_name(&s.ident)));
        Ty {
            float,
            ..Ty::passive()
        }
    }

    fn unary(&mut self, e: &mut Expr) -> Ty {
        let Expr::Unary(u) = e else { unreachable!() };
        let inner = self.expr(&mut u.expr);
        match u.op {
            UnOp::Neg(_) => {
                if self.rewrite && inner.active() && inner.by_ref {
                    *u.expr = self.value(take(&mut u.expr));
                }
                Ty {
                    by_ref: false,
                    ..inner
                }
            }
            UnOp::Deref(_) => Ty {
                by_ref: false,
                ..inner
            },
            _ => Ty::passive(),
        }
    }

    fn binary(&mut self, e: &mut Expr) -> Ty {
        let Expr::Binary(bin) = e else { unreachable!() };
        match bin.op {
            BinOp::Add(_) | BinOp::Sub(_) | BinOp::Mul(_) | BinOp::Div(_) | BinOp::Rem(_) => {
                let l = self.expr(&mut bin.left);
                let r = self.expr(&mut bin.right);
                if !l.active() && !r.active() {
                    return Ty {
                        float: l.float || r.float,
                        ..Ty::passive()
                    };
                }
                if matches!(bin.op, BinOp::Rem(_)) {
                    self.error(valid::remainder(&*bin, "%"));
                }
                if self.rewrite {
                    *e = self.mixed(take(e), &l, &r);
                }
                Ty::shape(Shape::Active)
            }
            BinOp::Eq(_)
            | BinOp::Ne(_)
            | BinOp::Lt(_)
            | BinOp::Le(_)
            | BinOp::Gt(_)
            | BinOp::Ge(_) => {
                let l = self.expr(&mut bin.left);
                let r = self.expr(&mut bin.right);
                if l.active() || r.active() {
                    let selector = self.selector.clone();
                    self.error(valid::comparison(&*bin, selector.as_deref()));
                    if self.rewrite {
                        *bin.left = self.detach(take(&mut bin.left));
                        *bin.right = self.detach(take(&mut bin.right));
                    }
                }
                Ty::passive()
            }
            BinOp::AddAssign(_)
            | BinOp::SubAssign(_)
            | BinOp::MulAssign(_)
            | BinOp::DivAssign(_)
            | BinOp::RemAssign(_) => {
                let r = self.expr(&mut bin.right);
                let l = self.expr(&mut bin.left);
                if !self.mark_place(&bin.left, &r.shape) && self.rewrite {
                    *bin.right = self.detach(take(&mut bin.right));
                }
                let target = self.place_shape(&bin.left);
                if matches!(bin.op, BinOp::RemAssign(_)) && (l.active() || r.active()) {
                    self.error(valid::remainder(&*bin, "%="));
                }
                if self.rewrite && target.is_active() && r.by_ref {
                    *bin.right = self.value(take(&mut bin.right));
                }
                Ty::passive()
            }
            _ => {
                self.expr(&mut bin.left);
                self.expr(&mut bin.right);
                Ty::passive()
            }
        }
    }

    /// An arithmetic operation with at least one active operand, in a form num-dual
    /// implements and that is exact at `f64`.
    fn mixed(&self, e: Expr, l: &Ty, r: &Ty) -> Expr {
        let Expr::Binary(bin) = e else { unreachable!() };
        let left = self.value_if(*bin.left, l.by_ref);
        let right = self.value_if(*bin.right, r.by_ref);
        let binary = |left: Expr, op: BinOp, right: Expr| {
            Expr::Binary(ExprBinary {
                attrs: bin.attrs.clone(),
                left: Box::new(left),
                op,
                right: Box::new(right),
            })
        };
        if l.active() {
            return binary(left, bin.op, right);
        }
        match bin.op {
            // Commutative in IEEE arithmetic, so swapping is exact.
            BinOp::Add(_) | BinOp::Mul(_) => binary(right, bin.op, paren(left)),
            // `p - a` is by definition `p + (-a)`.
            BinOp::Sub(t) => {
                let neg = Expr::Unary(syn::ExprUnary {
                    attrs: Vec::new(),
                    op: UnOp::Neg(Token![-](t.span)),
                    expr: Box::new(paren(right)),
                });
                binary(neg, BinOp::Add(Token![+](t.span)), paren(left))
            }
            _ => binary(self.lift_to_scalar(left, false), bin.op, right),
        }
    }

    /// Walks a closure whose parameters have the given activities (`(shape, by_ref)`, the
    /// rest passive). For a `fold` accumulator (`fold_acc`), the first parameter is made as
    /// active as the body and its final activity returned beside the body's `Ty`.
    fn closure(&mut self, c: &mut ExprClosure, params: &[Param], fold_acc: bool) -> (Ty, Shape) {
        self.bindings.push_scope();
        self.closure_depth += 1;
        let mut ids = Vec::new();
        for (i, input) in c.inputs.iter_mut().enumerate() {
            let p = params.get(i).cloned().unwrap_or(Param {
                shape: Shape::Passive,
                by_ref: true,
                float: Floats::No,
            });
            let before = self.bindings.next_id();
            self.declare_parts(input, &p.shape, p.by_ref, &p.float, false);
            ids.push((self.bindings.next_id() > before).then_some(before));
        }
        let outer = self.selector.take();
        if params.len() == 1 && outer.is_some() && !fold_acc {
            self.selector = outer.clone();
        }
        let body = self.expr(&mut c.body);
        self.selector = outer;
        let mut acc = Shape::Passive;
        if fold_acc && let Some(first) = c.inputs.first() {
            let first = first.clone();
            self.mark_pat(&first, &body.shape);
            acc = self.pat_shape(&first);
            self.coerce(&mut c.body, &body, &acc);
        }
        if self.rewrite
            && body.active()
            && let syn::ReturnType::Type(_, ty) = &mut c.output
        {
            types::activate(ty, &body.shape, &self.scalar);
        }
        self.closure_depth -= 1;
        self.bindings.pop_scope();
        self.last_closure = ids;
        (body, acc)
    }

    fn if_expr(&mut self, e: &mut Expr) -> Ty {
        let Expr::If(i) = e else { unreachable!() };
        self.bindings.push_scope();
        self.expr(&mut i.cond);
        let then = self.block(&mut i.then_branch);
        self.bindings.pop_scope();
        let Some((_, else_branch)) = &mut i.else_branch else {
            return Ty::passive();
        };
        let other = self.expr(else_branch);
        let shape = then.shape.join(&other.shape);
        if self.rewrite && shape.is_active() {
            if !then.active() {
                self.lift_tail(&mut i.then_branch);
            }
            if !other.active() {
                self.lift_in_place(else_branch, false);
            }
        }
        Ty {
            float: then.float && other.float,
            ..Ty::shape(shape)
        }
    }

    fn match_expr(&mut self, e: &mut Expr) -> Ty {
        let Expr::Match(m) = e else { unreachable!() };
        let scrutinee = self.expr(&mut m.expr);
        let mut shape_in = scrutinee.shape.clone();
        if scrutinee.active() {
            // Not detached: the scrutinee is rarely a scalar (`partial_cmp`, a tuple), and
            // what it is compiles for the scalar type as it did for `f64`.
            self.error(valid::match_scrutinee(&m.expr));
            shape_in = Shape::Passive;
        }
        let mut arms = Vec::new();
        for arm in &mut m.arms {
            self.bindings.push_scope();
            self.declare(&mut arm.pat, &shape_in, true, false, false);
            arms.push(self.expr(&mut arm.body));
            self.bindings.pop_scope();
        }
        let shape = arms.iter().fold(Shape::Passive, |s, a| s.join(&a.shape));
        if self.rewrite && shape.is_active() {
            for (arm, ty) in m.arms.iter_mut().zip(&arms) {
                if !ty.active() {
                    self.lift_in_place(&mut arm.body, false);
                }
            }
        }
        Ty {
            float: arms.iter().all(|a| a.float),
            ..Ty::shape(shape)
        }
    }

    fn mac(&mut self, mac: &mut Macro) -> Ty {
        if !mac.path.is_ident("vec") {
            return Ty::passive();
        }
        let Some(mut v) = VecMacro::parse(mac) else {
            return Ty::passive();
        };
        let ty = match &mut v {
            VecMacro::Repeat(elem, len) => {
                self.expr(len);
                let elem = self.expr(elem);
                Ty {
                    seq: elem.float,
                    ..Ty::shape(elem.shape)
                }
            }
            VecMacro::List(elems) => {
                let tys: Vec<Ty> = elems.iter_mut().map(|e| self.expr(e)).collect();
                self.unify_elems(elems.iter_mut(), &tys)
            }
        };
        if self.rewrite {
            mac.tokens = v.into_tokens();
        }
        ty
    }
}

fn take(e: &mut Expr) -> Expr {
    std::mem::replace(e, Expr::Verbatim(TokenStream::new()))
}

/// The expression without the parentheses around it, for use as a call argument.
fn unparen(e: Expr) -> Expr {
    match e {
        Expr::Paren(p) if p.attrs.is_empty() => unparen(*p.expr),
        e => e,
    }
}

fn strip_parens(e: &mut Expr) -> &mut Expr {
    match e {
        Expr::Paren(p) => strip_parens(&mut p.expr),
        e => e,
    }
}

/// Parenthesises an operand moved to a place where precedence would regroup it.
fn paren(e: Expr) -> Expr {
    match e {
        Expr::Binary(_)
        | Expr::Cast(_)
        | Expr::Range(_)
        | Expr::Assign(_)
        | Expr::Closure(_)
        | Expr::Unary(_)
        | Expr::Let(_)
        | Expr::Return(_)
        | Expr::Break(_)
        | Expr::If(_)
        | Expr::Match(_) => Expr::Paren(syn::ExprParen {
            attrs: Vec::new(),
            paren_token: Default::default(),
            expr: Box::new(e),
        }),
        e => e,
    }
}

/// A constant by Rust's naming convention (`MZ`, `GAMMA_Z`), taken to be an `f64` when it
/// meets an active value. Integer constants beside active arguments are rare in physics
/// code; see the macro's documentation.
fn is_constant_name(ident: &Ident) -> bool {
    let s = ident.to_string();
    s.len() > 1
        && s.chars().any(|c| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn is_integer_type(s: &str) -> bool {
    matches!(
        s,
        "usize"
            | "isize"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
    )
}
