use gradhep::differentiable;

#[differentiable(wrt(cut))]
pub fn leading_sum(cut: f64, sorted: &[f64]) -> f64 {
    sorted.iter().take_while(|&&x| x < cut).sum::<f64>() * cut
}

fn main() {}
