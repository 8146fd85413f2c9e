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

use crate::activity::{Bindings, Shape};
use crate::{types, valid};
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::punctuated::Punctuated;
use syn::{
    BinOp, Block, Expr, ExprBinary, ExprClosure, Ident, Lit, Macro, Pat, Path, Stmt, Token, UnOp,
};

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

/// Scalar methods of num-dual (all take `&self`, so a reference receiver is fine).
const MATH: &[&str] = &[
    "abs", "recip", "powi", "sqrt", "cbrt", "exp", "exp2", "exp_m1", "ln", "log2", "log10",
    "ln_1p", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
    "atanh", "sph_j0", "sph_j1", "sph_j2", "powf", "log", "powd", "inv",
];

/// Methods whose value jumps: refused on active values.
const STEPS: &[&str] = &["floor", "ceil", "round", "trunc", "fract", "signum"];

/// Methods that num-dual lacks for a generic scalar, provided by the runtime.
const RUNTIME: &[&str] = &["max", "min", "clamp", "hypot"];

/// Iterator adaptors whose closure decides which elements survive.
const SELECTORS: &[&str] = &[
    "filter",
    "take_while",
    "skip_while",
    "position",
    "rposition",
    "partition",
    "find",
    "any",
    "all",
    "retain",
];

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
    /// The activities of the values `break` leaves each enclosing `loop` with.
    breaks: Vec<Vec<Shape>>,
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
        }
    }

    pub fn start_pass(&mut self, rewrite: bool) {
        self.bindings.start_pass();
        self.rewrite = rewrite;
        self.errors.clear();
    }

    /// Declares a parameter: active ones as the scalar type, passive ones by their type.
    pub fn param(&mut self, pat: &mut Pat, ty: &syn::Type, active: bool) {
        let float = types::is_f64(ty);
        let seq = types::is_f64_seq(ty);
        let by_ref = types::is_ref(ty) && !active;
        self.declare(pat, &Shape::active(active), by_ref, float, seq);
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

    // ----- bindings -----------------------------------------------------------------------

    fn declare(&mut self, pat: &mut Pat, shape: &Shape, by_ref: bool, float: bool, seq: bool) {
        self.declare_parts(pat, shape, by_ref, &Floats::of(float), seq);
    }

    /// [`Walker::declare`] for a value whose parts are `f64`s as `floats` says.
    fn declare_parts(
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
    fn pat_shape(&self, pat: &Pat) -> Shape {
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
    fn mark_pat(&mut self, pat: &Pat, shape: &Shape) {
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
    fn place_root(&self, place: &Expr) -> Option<usize> {
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

    fn place_shape(&self, place: &Expr) -> Shape {
        self.place_root(place)
            .map(|id| self.bindings.get(id).shape.clone())
            .unwrap_or_default()
    }

    fn mark_place(&mut self, place: &Expr, shape: &Shape) {
        if shape.is_active()
            && let Some(id) = self.place_root(place)
        {
            self.bindings.make_active(id, &Shape::Active);
        }
    }

    // ----- coercion into active places ----------------------------------------------------

    /// Makes `e` (already walked, with `ty`) as active as `target` requires.
    fn coerce(&mut self, e: &mut Expr, ty: &Ty, target: &Shape) {
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
    fn lift_in_place(&mut self, e: &mut Expr, by_ref: bool) {
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

    fn lift_tail(&mut self, block: &mut Block) {
        if let Some(Stmt::Expr(tail, None)) = block.stmts.last_mut() {
            self.lift_in_place(tail, false);
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
                self.mark_place(&a.left, &r.shape);
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
                self.breaks.push(Vec::new());
                self.block(&mut l.body);
                let breaks = self.breaks.pop().unwrap_or_default();
                let shape = breaks.iter().fold(Shape::Passive, |s, b| s.join(b));
                Ty::shape(shape)
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
                    if let Some(breaks) = self.breaks.last_mut() {
                        breaks.push(ty.shape);
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
                self.mark_place(&bin.left, &r.shape);
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

    fn call(&mut self, e: &mut Expr) -> Ty {
        let Expr::Call(call) = e else { unreachable!() };
        // `f64::exp(x)`, `f64::max(a, b)`: the method form, which the rest handles.
        if let Some(method) = f64_function(&call.func)
            && !call.args.is_empty()
        {
            let mut args = std::mem::take(&mut call.args).into_iter();
            // Spanned from `f64` on, so that a check on the method points at the whole call.
            let span = syn::spanned::Spanned::span(&*call.func);
            let receiver = match paren(args.next().expect("at least one argument")) {
                Expr::Paren(mut p) => {
                    p.paren_token = syn::token::Paren(span);
                    Expr::Paren(p)
                }
                e => e,
            };
            *e = Expr::MethodCall(syn::ExprMethodCall {
                attrs: std::mem::take(&mut call.attrs),
                receiver: Box::new(receiver),
                dot_token: Token![.](method.span()),
                method,
                turbofish: None,
                paren_token: call.paren_token,
                args: args.collect(),
            });
            return self.method(e);
        }
        let Expr::Call(call) = e else { unreachable!() };
        if path_ends_with(&call.func, "detach") {
            for arg in &mut call.args {
                self.expr(arg);
            }
            return Ty::float();
        }
        let func = self.expr(&mut call.func);
        let args: Vec<Ty> = call.args.iter_mut().map(|a| self.expr(a)).collect();
        // A closure bound by `let`: its parameters take the activity of the arguments.
        if let Expr::Path(p) = &*call.func
            && let Some(ident) = p.path.get_ident()
            && let Some(id) = self.bindings.lookup(&ident.to_string())
            && let Some(params) = self.bindings.get(id).closure_params.clone()
        {
            for (param, arg) in params.iter().zip(&args) {
                if let Some(param) = param {
                    self.bindings.make_active(*param, &arg.shape);
                }
            }
        }
        if is_wrapper(&call.func) {
            let shape = args.iter().fold(Shape::Passive, |s, a| s.join(&a.shape));
            return Ty::shape(shape);
        }
        let active = func.active() || args.iter().any(Ty::active);
        if active {
            self.lift_args(call.args.iter_mut(), &args);
        }
        Ty {
            float: !active && path_starts_with(&call.func, "f64"),
            ..Ty::shape(Shape::active(active))
        }
    }

    /// Passive `f64` arguments beside active ones: `lift` them to the callee's parameter.
    fn lift_args<'a>(&self, args: impl Iterator<Item = &'a mut Expr>, tys: &[Ty]) {
        if !self.rewrite {
            return;
        }
        for (arg, ty) in args.zip(tys) {
            if !ty.active() && ty.float && !matches!(arg, Expr::Reference(_)) {
                *arg = self.lift_to_callee(take(arg), ty.by_ref);
            }
        }
    }

    fn method(&mut self, e: &mut Expr) -> Ty {
        let Expr::MethodCall(mc) = e else {
            unreachable!()
        };
        let name = mc.method.to_string();
        let recv = self.expr(&mut mc.receiver);
        // Elements of an `f64` sequence are `f64`s (or references to them) when passive.
        let elem = Param {
            shape: recv.shape.clone(),
            by_ref: true,
            float: recv.elem_floats(),
        };
        let outer = self.selector.take();
        if SELECTORS.contains(&name.as_str()) {
            self.selector = Some(name.clone());
        }
        let mut args: Vec<Ty> = Vec::new();
        let mut acc = Shape::Passive;
        for (i, arg) in mc.args.iter_mut().enumerate() {
            let ty = match (name.as_str(), i, &mut *arg) {
                ("fold", 1, Expr::Closure(c)) => {
                    let init = args[0].shape.clone();
                    let start = Param {
                        shape: init,
                        by_ref: false,
                        float: Floats::of(args[0].float),
                    };
                    let (body, acc_shape) = self.closure(c, &[start, elem.clone()], true);
                    acc = acc_shape;
                    body
                }
                (
                    "max_by" | "min_by" | "sort_by" | "reduce" | "sort_unstable_by",
                    _,
                    Expr::Closure(c),
                ) => self.closure(c, &[elem.clone(), elem.clone()], false).0,
                (_, _, Expr::Closure(c)) => self.closure(c, std::slice::from_ref(&elem), false).0,
                (_, _, arg) => self.expr(arg),
            };
            args.push(ty);
        }
        self.selector = outer;
        if name == "fold"
            && let Some(init) = mc.args.first_mut()
        {
            let init_ty = args[0].clone();
            self.coerce(init, &init_ty, &acc);
        }
        let any_arg = args.iter().any(Ty::active);
        let involved = recv.active() || any_arg;
        let rewrite = self.rewrite;
        match name.as_str() {
            _ if STEPS.contains(&name.as_str()) && involved => {
                self.error(valid::step_method(&*mc, &mc.method));
                if rewrite {
                    *mc.receiver = self.detach(take(&mut mc.receiver));
                }
                Ty::float()
            }
            "rem_euclid" | "div_euclid" if involved => {
                self.error(valid::remainder(&*mc, &name));
                if rewrite {
                    *mc.receiver = self.detach(take(&mut mc.receiver));
                    for arg in &mut mc.args {
                        *arg = self.detach(take(arg));
                    }
                }
                Ty::float()
            }
            "sum" | "product" if recv.active() => {
                if rewrite {
                    let k = &self.krate;
                    let f = &mc.method;
                    let iter = &mc.receiver;
                    *e = self.parse(quote!(#k::#f(#iter)));
                }
                Ty::shape(Shape::Active)
            }
            _ if RUNTIME.contains(&name.as_str()) && involved => {
                if rewrite {
                    let mut operands = vec![(take(&mut mc.receiver), recv)];
                    operands.extend(mc.args.iter_mut().map(take).zip(args));
                    let operands = operands.into_iter().map(|(x, ty)| {
                        if ty.active() {
                            self.value_if(x, ty.by_ref)
                        } else {
                            self.lift_to_callee(x, ty.by_ref)
                        }
                    });
                    let (k, f) = (&self.krate, &mc.method);
                    *e = self.parse(quote!(#k::#f(#(#operands),*)));
                }
                Ty::shape(Shape::Active)
            }
            // The standard library's definitions, which are exact products.
            "to_radians" | "to_degrees" if recv.active() => {
                if rewrite {
                    let x = self.value_if(take(&mut mc.receiver), recv.by_ref);
                    let factor = if name == "to_radians" {
                        quote!((::core::f64::consts::PI / 180.0))
                    } else {
                        quote!((180.0 / ::core::f64::consts::PI))
                    };
                    *e = self.parse(quote!(#x * #factor));
                }
                Ty::shape(Shape::Active)
            }
            "powf" if any_arg => {
                if rewrite {
                    if !recv.active() {
                        *mc.receiver = self.lift_to_scalar(take(&mut mc.receiver), recv.by_ref);
                    }
                    mc.method = Ident::new("powd", mc.method.span());
                    if let Some(arg) = mc.args.first_mut() {
                        *arg = self.value_if(take(arg), args[0].by_ref);
                    }
                }
                Ty::shape(Shape::Active)
            }
            "powf" | "log" if recv.active() => {
                if rewrite && let Some(arg) = mc.args.first_mut() {
                    *arg = self.value_if(take(arg), args[0].by_ref);
                }
                Ty::shape(Shape::Active)
            }
            "atan2" | "mul_add" if involved => {
                if rewrite {
                    if !recv.active() {
                        *mc.receiver = self.lift_to_scalar(take(&mut mc.receiver), recv.by_ref);
                    }
                    for (arg, ty) in mc.args.iter_mut().zip(&args) {
                        *arg = if ty.active() {
                            self.value_if(take(arg), ty.by_ref)
                        } else {
                            self.lift_to_scalar(take(arg), ty.by_ref)
                        };
                    }
                }
                Ty::shape(Shape::Active)
            }
            _ if MATH.contains(&name.as_str()) => Ty {
                float: recv.float,
                ..Ty::shape(recv.shape)
            },
            "sin_cos" => Ty::shape(Shape::Tuple(vec![recv.shape.clone(), recv.shape])),
            "enumerate" => Ty {
                parts: Floats::Tuple(vec![Floats::No, recv.elem_floats()]),
                ..Ty::shape(Shape::Tuple(vec![Shape::Passive, recv.shape]))
            },
            "zip" => {
                let other = args.first().cloned().unwrap_or_default();
                Ty {
                    parts: Floats::Tuple(vec![recv.elem_floats(), other.elem_floats()]),
                    ..Ty::shape(Shape::Tuple(vec![recv.shape, other.shape]))
                }
            }
            "partition" => Ty::shape(Shape::Tuple(vec![recv.shape.clone(), recv.shape])),
            "map" | "flat_map" | "filter_map" | "map_while" | "find_map" | "then" => {
                Ty::shape(args.last().map(|a| a.shape.clone()).unwrap_or_default())
            }
            "fold" => Ty::shape(acc),
            "push" | "extend" | "extend_from_slice" | "insert" | "fill" => {
                let shape = args.iter().fold(Shape::Passive, |s, a| s.join(&a.shape));
                self.mark_place(&mc.receiver, &shape);
                if self.place_shape(&mc.receiver).is_active()
                    && let Some(arg) = mc.args.last_mut()
                {
                    let ty = args.last().cloned().unwrap_or_default();
                    self.coerce(arg, &ty, &Shape::Active);
                }
                Ty::passive()
            }
            "len" | "is_empty" | "count" | "position" | "rposition" | "any" | "all" | "is_nan"
            | "is_finite" | "is_infinite" | "is_sign_positive" | "is_sign_negative"
            | "is_positive" | "is_negative" | "for_each" => Ty::passive(),
            _ if is_container_method(&mc.method) || is_passthrough(&name) => {
                if rewrite && recv.active() {
                    activate_turbofish(mc, &self.scalar);
                }
                let shape = args
                    .iter()
                    .filter(|_| matches!(name.as_str(), "chain" | "unwrap_or" | "or"))
                    .fold(recv.shape.clone(), |s, a| s.join(&a.shape));
                // An `Option` taken from an `f64` sequence holds an `f64` once unwrapped.
                let unwrapped = matches!(name.as_str(), "unwrap" | "expect" | "unwrap_or");
                Ty {
                    by_ref: true,
                    seq: recv.seq,
                    float: recv.float || (recv.seq && unwrapped),
                    parts: recv.parts.clone(),
                    ..Ty::shape(shape)
                }
            }
            _ => {
                if involved {
                    if rewrite {
                        activate_turbofish(mc, &self.scalar);
                    }
                    self.lift_args(mc.args.iter_mut(), &args);
                }
                Ty {
                    by_ref: true,
                    ..Ty::shape(Shape::active(involved))
                }
            }
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

    /// Array and `vec![..]` elements share one type: lift the passive ones if any is active.
    fn unify_elems<'a>(&mut self, elems: impl Iterator<Item = &'a mut Expr>, tys: &[Ty]) -> Ty {
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

/// The arguments of `vec![..]`.
enum VecMacro {
    Repeat(Box<Expr>, Box<Expr>),
    List(Punctuated<Expr, Token![,]>),
}

impl VecMacro {
    fn parse(mac: &Macro) -> Option<VecMacro> {
        mac.parse_body_with(|input: syn::parse::ParseStream| {
            if input.is_empty() {
                return Ok(VecMacro::List(Punctuated::new()));
            }
            let first: Expr = input.parse()?;
            if input.peek(Token![;]) {
                input.parse::<Token![;]>()?;
                return Ok(VecMacro::Repeat(Box::new(first), input.parse()?));
            }
            let mut list = Punctuated::new();
            list.push(first);
            while !input.is_empty() {
                list.push_punct(input.parse()?);
                if input.is_empty() {
                    break;
                }
                list.push(input.parse()?);
            }
            Ok(VecMacro::List(list))
        })
        .ok()
    }

    fn elems_mut(&mut self) -> Vec<&mut Expr> {
        match self {
            VecMacro::Repeat(elem, _) => vec![&mut **elem],
            VecMacro::List(list) => list.iter_mut().collect(),
        }
    }

    fn into_tokens(self) -> TokenStream {
        match self {
            VecMacro::Repeat(elem, len) => quote!(#elem; #len),
            VecMacro::List(list) => list.into_token_stream(),
        }
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

/// `f64::name` as a callee, for a method `name` of the scalar.
fn f64_function(func: &Expr) -> Option<Ident> {
    let Expr::Path(p) = func else { return None };
    let segs: Vec<&syn::PathSegment> = p.path.segments.iter().collect();
    match segs.as_slice() {
        [ty, f] if ty.ident == "f64" && p.qself.is_none() => {
            let name = f.ident.to_string();
            let known = MATH.contains(&name.as_str())
                || STEPS.contains(&name.as_str())
                || RUNTIME.contains(&name.as_str())
                || matches!(
                    name.as_str(),
                    "atan2"
                        | "mul_add"
                        | "sin_cos"
                        | "rem_euclid"
                        | "div_euclid"
                        | "to_radians"
                        | "to_degrees"
                );
            known.then(|| f.ident.clone())
        }
        _ => None,
    }
}

fn path_ends_with(func: &Expr, name: &str) -> bool {
    matches!(func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
}

fn path_starts_with(func: &Expr, name: &str) -> bool {
    matches!(func, Expr::Path(p) if p.path.segments.first().is_some_and(|s| s.ident == name))
}

/// `Some(..)`, `Ok(..)`: the value inside has the activity of the argument.
fn is_wrapper(func: &Expr) -> bool {
    matches!(func, Expr::Path(p) if p.path.is_ident("Some") || p.path.is_ident("Ok") || p.path.is_ident("Err") || p.path.is_ident("Box"))
}

/// `Vec::new()`, `Vec::with_capacity(n)`, `Default::default()`: empty containers whose
/// element type inference decides.
fn is_constructor(path: &Path) -> bool {
    path.segments.last().is_some_and(|s| {
        matches!(
            s.ident.to_string().as_str(),
            "new" | "with_capacity" | "default"
        )
    })
}

fn is_container_method(method: &Ident) -> bool {
    matches!(
        method.to_string().as_str(),
        "iter"
            | "iter_mut"
            | "into_iter"
            | "collect"
            | "to_vec"
            | "to_owned"
            | "windows"
            | "chunks"
            | "chunks_exact"
            | "as_slice"
            | "as_mut_slice"
    )
}

/// Adaptors and accessors whose result has the activity of the receiver.
fn is_passthrough(name: &str) -> bool {
    matches!(
        name,
        "copied"
            | "cloned"
            | "rev"
            | "skip"
            | "take"
            | "step_by"
            | "chain"
            | "clone"
            | "unwrap"
            | "expect"
            | "unwrap_or"
            | "unwrap_or_default"
            | "or"
            | "filter"
            | "take_while"
            | "skip_while"
            | "first"
            | "last"
            | "get"
            | "next"
            | "nth"
            | "find"
            | "max_by"
            | "min_by"
            | "max_by_key"
            | "min_by_key"
            | "reduce"
            | "peekable"
            | "cycle"
            | "into"
            | "as_ref"
            | "borrow"
            | "iter_mut"
            | "inspect"
            | "unwrap_unchecked"
    )
}

/// `collect::<Vec<f64>>()` on active items collects the scalar type.
fn activate_turbofish(mc: &mut syn::ExprMethodCall, scalar: &Ident) {
    if let Some(args) = &mut mc.turbofish {
        syn::visit_mut::VisitMut::visit_angle_bracketed_generic_arguments_mut(
            &mut types::ReplaceF64(scalar),
            args,
        );
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
