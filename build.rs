//! Tells the test suite whether `terraform` is on PATH, so the end-to-end test that needs it
//! is reported as ignored (with the reason) rather than passing without running.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_terraform)");
    println!("cargo::rerun-if-env-changed=PATH");
    let found = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| dir.join("terraform").is_file())
    });
    if found {
        println!("cargo::rustc-cfg=has_terraform");
    }
}
