use gradhep::differentiable;

#[differentiable]
pub fn kept(cut: f64, events: &[f64]) -> f64 {
    events.iter().filter(|&&x| x > cut).count() as f64 * cut
}

fn main() {}
