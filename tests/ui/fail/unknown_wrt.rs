use gradhep::differentiable;

#[differentiable(wrt(mu, sigmaa))]
pub fn nll(x: f64, mu: f64, sigma: f64) -> f64 {
    ((x - mu) / sigma).powi(2)
}

fn main() {}
