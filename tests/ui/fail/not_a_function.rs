use gradhep::differentiable;

#[differentiable]
pub struct Event {
    pub pt: f64,
}

fn main() {}
