//! The compile-time checks of `#[differentiable]`, as a user sees them, and valid code that
//! must keep compiling.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
