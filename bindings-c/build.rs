//! Gives the shared library a soname, so installed copies can be versioned
//! (`libtcp.so.0.1` for 0.1.x: before 1.0 a minor release may break the ABI).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{}", soname());
    }
}

fn soname() -> String {
    let major = env!("CARGO_PKG_VERSION_MAJOR");
    let minor = env!("CARGO_PKG_VERSION_MINOR");
    if major == "0" {
        format!("libtcp.so.0.{minor}")
    } else {
        format!("libtcp.so.{major}")
    }
}
