//! Expected rates and the negative log-likelihood with its analytic gradient and Hessian.
//!
//! Each sample's yield in bin b is `y = Π_i g_i(θ_{k_i}) · (nom + Σ_j δ_j(θ_{k_j}))`: factors
//! that each depend on one parameter, and additive shifts that each depend on one parameter.
//! Its derivatives follow from the product rule with products over "all factors but i" taken
//! from prefix and suffix products, so a factor at zero (μ = 0 in a background-only fit) needs
//! no division. All buffers live in [`Scratch`], so an evaluation allocates nothing.

use super::interp::{
    HistoSysInterp, NormSysInterp, Taylor2, histosys_code0, histosys_code4p, normsys_code1,
    normsys_code4,
};
use super::model::{Block, ConstraintKind, Model, ScalarFactor};
use crate::{Elem, Scalar};

/// What an evaluation computes besides the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Order {
    Value,
    Gradient,
    Hessian,
}

/// Reusable buffers for likelihood evaluations of one model.
#[derive(Debug, Clone)]
pub(crate) struct Scratch<D> {
    /// Scalar-factor values of every block of the current channel.
    scalar: Vec<(usize, Taylor2<D>)>,
    scalar_start: Vec<usize>,
    /// Factor and shift terms of every block of the current bin.
    terms: Vec<(usize, Taylor2<D>)>,
    shifts: Vec<(usize, Taylor2<D>)>,
    /// Per block of the current bin: term range, shift range, `nom + Σ δ`.
    spans: Vec<(usize, usize, usize, usize, D)>,
    prefix: Vec<D>,
    suffix: Vec<D>,
    dlam: Vec<D>,
    touched: Vec<usize>,
    is_touched: Vec<bool>,
}

impl<D: Scalar> Scratch<D> {
    pub(crate) fn new(npars: usize) -> Self {
        Scratch {
            scalar: Vec::new(),
            scalar_start: Vec::new(),
            terms: Vec::new(),
            shifts: Vec::new(),
            spans: Vec::new(),
            prefix: Vec::new(),
            suffix: Vec::new(),
            dlam: vec![D::zero(); npars],
            touched: Vec::with_capacity(npars),
            is_touched: vec![false; npars],
        }
    }
}

#[inline]
fn scalar_factor<D: Scalar>(
    f: &ScalarFactor<D>,
    pars: &[D],
    code: NormSysInterp,
) -> (usize, Taylor2<D>) {
    match *f {
        ScalarFactor::Linear { par } => (par, [pars[par], D::one(), D::zero()]),
        ScalarFactor::NormSys {
            par,
            ln_hi,
            ln_lo,
            ref coefficients,
        } => (
            par,
            match code {
                NormSysInterp::Code4 => normsys_code4(pars[par], ln_hi, ln_lo, coefficients),
                NormSysInterp::Code1 => normsys_code1(pars[par], ln_hi, ln_lo),
            },
        ),
    }
}

/// Fills the scalar-factor values of every block of a channel.
fn channel_factors<D: Scalar>(
    blocks: &[Block<D>],
    pars: &[D],
    code: NormSysInterp,
    s: &mut Scratch<D>,
) {
    s.scalar.clear();
    s.scalar_start.clear();
    for block in blocks {
        s.scalar_start.push(s.scalar.len());
        for f in &block.scalar_factors {
            s.scalar.push(scalar_factor(f, pars, code));
        }
    }
    s.scalar_start.push(s.scalar.len());
}

/// Gathers the terms of every block in bin `b` of a channel into the scratch buffers and
/// returns λ_b.
fn gather_bin<D: Scalar>(
    blocks: &[Block<D>],
    b: usize,
    pars: &[D],
    code: HistoSysInterp,
    s: &mut Scratch<D>,
) -> D {
    s.terms.clear();
    s.shifts.clear();
    s.spans.clear();
    let mut lambda = D::zero();
    for (k, block) in blocks.iter().enumerate() {
        let t0 = s.terms.len();
        s.terms
            .extend_from_slice(&s.scalar[s.scalar_start[k]..s.scalar_start[k + 1]]);
        for &first in &block.bin_factors {
            s.terms
                .push((first + b, [pars[first + b], D::one(), D::zero()]));
        }
        let s0 = s.shifts.len();
        let mut a = block.nominal[b];
        for shift in &block.shifts {
            let alpha = pars[shift.par];
            let t = match code {
                HistoSysInterp::Code4p => histosys_code4p(alpha, shift.up[b], shift.down[b]),
                HistoSysInterp::Code0 => histosys_code0(alpha, shift.up[b], shift.down[b]),
            };
            a += t[0];
            s.shifts.push((shift.par, t));
        }
        let mut f = D::one();
        for t in &s.terms[t0..] {
            f *= t.1[0];
        }
        lambda += f * a;
        s.spans.push((t0, s.terms.len(), s0, s.shifts.len(), a));
    }
    lambda
}

/// Expected main-measurement rates λ_b(θ) into `out`.
pub(crate) fn rates<D: Scalar>(model: &Model<D>, pars: &[D], s: &mut Scratch<D>, out: &mut [D]) {
    for ch in &model.channels {
        channel_factors(&ch.blocks, pars, model.options.normsys, s);
        for b in 0..ch.nbins {
            out[ch.start + b] = gather_bin(&ch.blocks, b, pars, model.options.histosys, s);
        }
    }
}

/// `x ln y` with `0 ln y = 0` (scipy's `xlogy`), as pyhf's Poisson.
#[inline]
fn xlogy<D: Scalar>(x: D, y: D) -> D {
    if x.re() == 0.0 { D::zero() } else { x * y.ln() }
}

/// The negative log-likelihood without the data-only constants `ln Γ(n + 1)`:
/// `Σ_b (λ_b − n_b ln λ_b) + Σ_c [−ln p_c(a_c | θ)]` (Gaussian constraints with their full
/// normalisation, Poisson constraints without `ln Γ(a + 1)`).
///
/// With `order ≥ Gradient` the gradient is written to `grad` (length `npars`), with
/// `order = Hessian` also the row-major Hessian to `hess` (`npars²`). A rate that is not
/// positive where data are gives `+∞`, so a line search steps back from it.
pub(crate) fn nll<D: Scalar>(
    model: &Model<D>,
    pars: &[D],
    data: &[D],
    order: Order,
    s: &mut Scratch<D>,
    grad: &mut [D],
    hess: &mut [D],
) -> D {
    let npars = pars.len();
    if order >= Order::Gradient {
        grad.iter_mut().for_each(|g| *g = D::zero());
    }
    if order == Order::Hessian {
        hess.iter_mut().for_each(|h| *h = D::zero());
    }
    let mut total = D::zero();
    for ch in &model.channels {
        channel_factors(&ch.blocks, pars, model.options.normsys, s);
        for b in 0..ch.nbins {
            let lambda = gather_bin(&ch.blocks, b, pars, model.options.histosys, s);
            let n = data[ch.start + b];
            if lambda.re() <= 0.0 && n.re() > 0.0 || lambda.re().is_nan() {
                return D::from(f64::INFINITY);
            }
            total += lambda - xlogy(n, lambda);
            if order == Order::Value {
                continue;
            }
            // w = ∂(λ − n ln λ)/∂λ, c = ∂²/∂λ²
            let w = D::one() - n / lambda;
            let c = n / (lambda * lambda);
            bin_derivatives(s, order, w, npars, hess);
            for &k in &s.touched {
                grad[k] += w * s.dlam[k];
            }
            if order == Order::Hessian {
                for &j in &s.touched {
                    let cj = c * s.dlam[j];
                    for &k in &s.touched {
                        hess[j * npars + k] += cj * s.dlam[k];
                    }
                }
            }
            for &k in &s.touched {
                s.dlam[k] = D::zero();
                s.is_touched[k] = false;
            }
            s.touched.clear();
        }
    }
    let nmain = model.nmain;
    let half_ln_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
    for (i, c) in model.constraints.iter().enumerate() {
        let theta = pars[c.par];
        let a = data[nmain + i];
        let k = c.par;
        match c.kind {
            ConstraintKind::Normal { sigma } => {
                let z = (a - theta) / sigma;
                total += z * z * 0.5 + sigma.ln() + half_ln_2pi;
                if order >= Order::Gradient {
                    grad[k] -= z / sigma;
                }
                if order == Order::Hessian {
                    hess[k * npars + k] += (sigma * sigma).recip();
                }
            }
            ConstraintKind::Poisson { factor } => {
                let rate = theta * factor;
                if rate.re() <= 0.0 && a.re() > 0.0 {
                    return D::from(f64::INFINITY);
                }
                total += rate - xlogy(a, rate);
                if order >= Order::Gradient {
                    grad[k] += factor - a / theta;
                }
                if order == Order::Hessian {
                    hess[k * npars + k] += a / (theta * theta);
                }
            }
        }
    }
    total
}

/// Accumulates ∂λ_b (into `s.dlam`, listing touched parameters) and, for the Hessian,
/// `w · ∂²λ_b` (into `hess`) from the terms gathered for bin b.
fn bin_derivatives<D: Scalar>(
    s: &mut Scratch<D>,
    order: Order,
    w: D,
    npars: usize,
    hess: &mut [D],
) {
    let Scratch {
        terms,
        shifts,
        spans,
        prefix,
        suffix,
        dlam,
        touched,
        is_touched,
        ..
    } = s;
    let mut touch = |k: usize, v: D, dlam: &mut Vec<D>| {
        if !is_touched[k] {
            is_touched[k] = true;
            touched.push(k);
        }
        dlam[k] += v;
    };
    for &(t0, t1, s0, s1, a) in spans.iter() {
        let terms = &terms[t0..t1];
        let shifts = &shifts[s0..s1];
        let m = terms.len();
        prefix.clear();
        suffix.clear();
        prefix.push(D::one());
        for t in terms {
            let last = *prefix.last().unwrap_or(&D::one());
            prefix.push(last * t.1[0]);
        }
        suffix.resize(m + 1, D::one());
        for i in (0..m).rev() {
            suffix[i] = suffix[i + 1] * terms[i].1[0];
        }
        let product = prefix[m];
        for (i, &(k, [_, g1, g2])) in terms.iter().enumerate() {
            let others = prefix[i] * suffix[i + 1];
            touch(k, others * g1 * a, dlam);
            if order == Order::Hessian {
                hess[k * npars + k] += w * others * g2 * a;
                // factor × shift
                for &(kj, [_, d1, _]) in shifts {
                    let v = w * others * g1 * d1;
                    hess[k * npars + kj] += v;
                    hess[kj * npars + k] += v;
                }
                // factor × later factor: product of all others but i and i2
                let mut between = D::one();
                for (i2, &(k2, [g0_2, g1_2, _])) in terms.iter().enumerate().skip(i + 1) {
                    let v = w * prefix[i] * between * suffix[i2 + 1] * g1 * g1_2 * a;
                    hess[k * npars + k2] += v;
                    hess[k2 * npars + k] += v;
                    between *= g0_2;
                }
            }
        }
        for &(k, [_, d1, d2]) in shifts {
            touch(k, product * d1, dlam);
            if order == Order::Hessian {
                hess[k * npars + k] += w * product * d2;
            }
        }
    }
}

impl<D: Scalar> Model<D> {
    /// Expected main-measurement rates λ_b(θ), channels in model order (pyhf's
    /// `expected_actualdata`).
    ///
    /// # Panics
    /// If `pars` does not have [`npars`](Model::npars) entries.
    ///
    /// ```
    /// # use gradhep_core::histfactory::Workspace;
    /// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
    /// #   {"name": "s", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
    /// #   {"name": "b", "data": [50.0], "modifiers": []}]}],
    /// #   "observations": [{"name": "sr", "data": [52.0]}],
    /// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
    /// #   "version": "1.0.0"}"#).unwrap();
    /// let model = ws.model(None).unwrap();
    /// assert_eq!(model.expected_actualdata(&[2.0]), vec![70.0]); // μ·s + b
    /// ```
    pub fn expected_actualdata<P: Elem<D>>(&self, pars: &[P]) -> Vec<D> {
        let pars = self.lift_pars(pars);
        let mut out = vec![D::zero(); self.nmain];
        rates(self, &pars, &mut Scratch::new(self.npars()), &mut out);
        out
    }

    /// Expected auxiliary data: θ for Gaussian constraints, θ·τ for Poisson constraints
    /// (pyhf's `expected_auxdata`).
    ///
    /// ```
    /// # use gradhep_core::histfactory::Workspace;
    /// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
    /// #   {"name": "s", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
    /// #   {"name": "b", "data": [50.0], "modifiers": [{"name": "u", "type": "shapesys", "data": [5.0]}]}]}],
    /// #   "observations": [{"name": "sr", "data": [52.0]}],
    /// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
    /// #   "version": "1.0.0"}"#).unwrap();
    /// let model = ws.model(None).unwrap();
    /// assert_eq!(model.expected_auxdata(&[1.0, 1.1]), vec![1.1 * 100.0]); // γ·(50/5)²
    /// ```
    pub fn expected_auxdata<P: Elem<D>>(&self, pars: &[P]) -> Vec<D> {
        let pars = self.lift_pars(pars);
        self.constraints
            .iter()
            .map(|c| match c.kind {
                ConstraintKind::Normal { .. } => pars[c.par],
                ConstraintKind::Poisson { factor } => pars[c.par] * factor,
            })
            .collect()
    }

    /// Expected main data followed by expected auxiliary data (pyhf's `expected_data`).
    ///
    /// ```
    /// # use gradhep_core::histfactory::Workspace;
    /// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
    /// #   {"name": "s", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
    /// #   {"name": "b", "data": [50.0], "modifiers": [{"name": "u", "type": "shapesys", "data": [5.0]}]}]}],
    /// #   "observations": [{"name": "sr", "data": [52.0]}],
    /// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
    /// #   "version": "1.0.0"}"#).unwrap();
    /// let model = ws.model(None).unwrap();
    /// assert_eq!(model.expected_data(&[1.0, 1.0]), vec![60.0, 100.0]);
    /// ```
    pub fn expected_data<P: Elem<D>>(&self, pars: &[P]) -> Vec<D> {
        let mut out = self.expected_actualdata(pars);
        out.extend(self.expected_auxdata(pars));
        out
    }

    /// `ln p(data | θ)`, pyhf's `logpdf`: Poisson terms of the main data with the continuous
    /// Poisson `n ln λ − λ − ln Γ(n + 1)`, plus the constraint terms with their full
    /// normalisation (`ln N(a | θ, σ)` and `a ln(θτ) − θτ − ln Γ(a + 1)`).
    ///
    /// # Panics
    /// If `pars` does not have [`npars`](Model::npars) entries, or `data` does not have
    /// `nmaindata + nauxdata` entries.
    ///
    /// ```
    /// # use gradhep_core::histfactory::Workspace;
    /// # let ws = Workspace::from_json(r#"{"channels": [{"name": "sr", "samples": [
    /// #   {"name": "s", "data": [10.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]}]}],
    /// #   "observations": [{"name": "sr", "data": [12.0]}],
    /// #   "measurements": [{"name": "meas", "config": {"poi": "mu", "parameters": []}}],
    /// #   "version": "1.0.0"}"#).unwrap();
    /// let model = ws.model(None).unwrap();
    /// let expected = 12.0 * 10f64.ln() - 10.0 - gradhep_core::special::ln_gamma(13.0);
    /// assert!((model.logpdf(&[1.0], &[12.0]) - expected).abs() < 1e-12);
    /// ```
    pub fn logpdf<P: Elem<D>>(&self, pars: &[P], data: &[f64]) -> D {
        let pars = self.lift_pars(pars);
        let data_d = self.lift_data(data);
        let mut s = Scratch::new(self.npars());
        let kernel = nll(self, &pars, &data_d, Order::Value, &mut s, &mut [], &mut []);
        -kernel - self.data_constant(data)
    }

    /// `Σ ln Γ(n + 1)` over the main data and the Poisson-constrained auxiliary data: the
    /// part of `−ln p` that depends on the data alone.
    pub(crate) fn data_constant(&self, data: &[f64]) -> f64 {
        let main: f64 = data[..self.nmain]
            .iter()
            .map(|&n| crate::special::ln_gamma(n + 1.0))
            .sum();
        let aux: f64 = self
            .constraints
            .iter()
            .zip(&data[self.nmain..])
            .filter(|(c, _)| matches!(c.kind, ConstraintKind::Poisson { .. }))
            .map(|(_, &a)| crate::special::ln_gamma(a + 1.0))
            .sum();
        main + aux
    }

    /// `data` as `D`, checking its length.
    pub(crate) fn lift_data<P: Elem<D>>(&self, data: &[P]) -> Vec<D> {
        let n = self.nmain + self.auxdata.len();
        assert_eq!(
            data.len(),
            n,
            "expected {n} data values ({} main + {} auxiliary), got {}",
            self.nmain,
            self.auxdata.len(),
            data.len()
        );
        data.iter().map(|&x| x.to_scalar()).collect()
    }
}
