use gradhep::differentiable;

#[differentiable(wrt(edges))]
pub fn first_bin(edges: &[f64], x: f64) -> f64 {
    let i = edges.iter().position(|&e| e > x).unwrap_or(0);
    edges[i]
}

fn main() {}
