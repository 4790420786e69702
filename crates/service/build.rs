//! Generates the gRPC code from `proto/senroute/v1/*.proto` with the protoc
//! binary vendored by `protoc-bin-vendored`, so neither developers nor CI
//! need protoc installed.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let proto_root = manifest.join("../../proto");
    let files = ["problem.proto", "plan.proto", "routing_service.proto"]
        .map(|f| proto_root.join("senroute/v1").join(f));
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    let include = protoc_bin_vendored::include_path()?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc);
    tonic_prost_build::configure()
        .file_descriptor_set_path(out.join("senroute_v1_descriptor.bin"))
        .compile_with_config(config, &files, &[proto_root, include])?;
    Ok(())
}
