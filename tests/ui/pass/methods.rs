//! Methods with `&self` and `&mut self`, shadowing, let-else, nested closures.
use gradhep::differentiable;

pub struct Fit {
    pub data: Vec<f64>,
    pub calls: usize,
}

impl Fit {
    #[differentiable]
    pub fn loss(&mut self, mu: f64) -> f64 {
        self.calls += 1;
        let mu = mu * 1.0;
        let Some(first) = self.data.first() else {
            return 0.0;
        };
        let offset = *first - first;
        self.data
            .iter()
            .map(|x| {
                let r = |y: f64| y - mu;
                r(*x) * r(*x)
            })
            .sum::<f64>()
            + offset
    }

    #[differentiable]
    pub fn scaled(&self, k: f64) -> f64 {
        self.data.iter().fold(0.0, |acc, x| acc + k * x)
    }
}

fn main() {
    let mut fit = Fit { data: vec![1.0, 3.0], calls: 0 };
    let (l, [d]) = fit.loss_grad(1.0);
    assert_eq!((l, d, fit.calls), (4.0, -4.0, 1));
    let (s, [ds]) = fit.scaled_grad(2.0);
    assert_eq!((s, ds), (8.0, 4.0));
}
