use gradhep::differentiable;

pub struct Accumulator {
    pub total: f64,
    pub history: Vec<f64>,
}

impl Accumulator {
    #[differentiable]
    pub fn add(&mut self, x: f64) {
        self.total += x * x;
        self.history.push(x);
    }
}

fn main() {}
