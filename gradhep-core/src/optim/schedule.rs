//! Learning-rate schedules: the step size `η_k` as a function of the step number `k`.

/// A learning-rate schedule `η_k`, `k = 0, 1, 2, …` (the rate of the update from step `k`).
///
/// Built by one of the constructors, which check the hyper-parameters:
///
/// | constructor | `η_k` |
/// |---|---|
/// | [`constant(η)`](Self::constant) | `η` |
/// | [`exponential(η, γ)`](Self::exponential) | `η · γ^k` |
/// | [`step(η, γ, n)`](Self::step) | `η · γ^⌊k / n⌋` |
/// | [`cosine(η, η_min, T)`](Self::cosine) | `η_min + (η − η_min) · (1 + cos(π · min(k, T) / T)) / 2` |
///
/// The cosine schedule is SGDR's annealing (Loshchilov & Hutter, 2017) without restarts: it
/// falls from `η` to `η_min` over `T` steps and stays there.
///
/// ```
/// use gradhep_core::optim::Schedule;
/// let s = Schedule::step(0.1, 0.5, 10);
/// assert_eq!(s.learning_rate(0), 0.1);
/// assert_eq!(s.learning_rate(9), 0.1);
/// assert_eq!(s.learning_rate(10), 0.05);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Schedule {
    initial: f64,
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Constant,
    Exponential { decay: f64 },
    Step { decay: f64, every: usize },
    Cosine { minimum: f64, steps: usize },
}

impl Schedule {
    /// The same rate at every step: `η_k = η`.
    ///
    /// # Panics
    /// If `learning_rate` is not positive and finite.
    ///
    /// ```
    /// use gradhep_core::optim::Schedule;
    /// assert_eq!(Schedule::constant(0.01).learning_rate(1000), 0.01);
    /// ```
    pub fn constant(learning_rate: f64) -> Self {
        check_rate(learning_rate);
        Schedule {
            initial: learning_rate,
            kind: Kind::Constant,
        }
    }

    /// Exponential decay by `decay` per step: `η_k = η · γ^k`.
    ///
    /// # Panics
    /// If `learning_rate` is not positive and finite, or `decay` is not in `(0, 1]`.
    ///
    /// ```
    /// use gradhep_core::optim::Schedule;
    /// let s = Schedule::exponential(1.0, 0.5);
    /// assert_eq!(s.learning_rate(3), 0.125);
    /// ```
    pub fn exponential(learning_rate: f64, decay: f64) -> Self {
        check_rate(learning_rate);
        check_decay(decay);
        Schedule {
            initial: learning_rate,
            kind: Kind::Exponential { decay },
        }
    }

    /// Piecewise-constant decay by `decay` every `every` steps: `η_k = η · γ^⌊k / n⌋`.
    ///
    /// # Panics
    /// If `learning_rate` is not positive and finite, `decay` is not in `(0, 1]`, or
    /// `every` is zero.
    ///
    /// ```
    /// use gradhep_core::optim::Schedule;
    /// let s = Schedule::step(1.0, 0.1, 100);
    /// assert_eq!(s.learning_rate(250), 1.0 * 0.1 * 0.1);
    /// ```
    pub fn step(learning_rate: f64, decay: f64, every: usize) -> Self {
        check_rate(learning_rate);
        check_decay(decay);
        assert!(every > 0, "Schedule::step: `every` must be at least 1");
        Schedule {
            initial: learning_rate,
            kind: Kind::Step { decay, every },
        }
    }

    /// Cosine annealing from `learning_rate` to `minimum` over `steps` steps, then constant:
    /// `η_k = η_min + (η − η_min) · (1 + cos(π · min(k, T) / T)) / 2`.
    ///
    /// # Panics
    /// If `learning_rate` is not positive and finite, `minimum` is not in
    /// `[0, learning_rate]`, or `steps` is zero.
    ///
    /// ```
    /// use gradhep_core::optim::Schedule;
    /// let s = Schedule::cosine(1.0, 0.0, 100);
    /// assert_eq!(s.learning_rate(0), 1.0);
    /// assert!((s.learning_rate(50) - 0.5).abs() < 1e-15);
    /// assert_eq!(s.learning_rate(100), 0.0);
    /// assert_eq!(s.learning_rate(500), 0.0);
    /// ```
    pub fn cosine(learning_rate: f64, minimum: f64, steps: usize) -> Self {
        check_rate(learning_rate);
        assert!(
            (0.0..=learning_rate).contains(&minimum),
            "Schedule::cosine: minimum rate {minimum} is not in [0, {learning_rate}]"
        );
        assert!(steps > 0, "Schedule::cosine: `steps` must be at least 1");
        Schedule {
            initial: learning_rate,
            kind: Kind::Cosine { minimum, steps },
        }
    }

    /// The rate `η_k` of the update made at step `k`.
    ///
    /// ```
    /// use gradhep_core::optim::Schedule;
    /// assert_eq!(Schedule::exponential(0.1, 0.9).learning_rate(0), 0.1);
    /// ```
    pub fn learning_rate(&self, k: usize) -> f64 {
        let eta = self.initial;
        match self.kind {
            Kind::Constant => eta,
            Kind::Exponential { decay } => eta * decay.powf(k as f64),
            Kind::Step { decay, every } => eta * decay.powf((k / every) as f64),
            Kind::Cosine { minimum, steps } => {
                let progress = k.min(steps) as f64 / steps as f64;
                minimum + (eta - minimum) * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())
            }
        }
    }
}

fn check_rate(learning_rate: f64) {
    assert!(
        learning_rate > 0.0 && learning_rate.is_finite(),
        "learning rate must be positive and finite, got {learning_rate}"
    );
}

fn check_decay(decay: f64) {
    assert!(
        decay > 0.0 && decay <= 1.0,
        "learning-rate decay factor must be in (0, 1], got {decay}"
    );
}
