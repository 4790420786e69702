//! Code generated from `proto/senroute/v1` by `tonic-prost-build` (see
//! `build.rs`): the messages, the `RoutingService` server trait and a client.

/// The `senroute.v1` package.
pub mod v1 {
    #![allow(missing_docs, clippy::all, clippy::pedantic)]
    tonic::include_proto!("senroute.v1");
}

/// Encoded `FileDescriptorSet` of `senroute.v1` (with imports), served by the
/// reflection service so `grpcurl`, `buf curl` and Python's reflection client
/// can discover the API without the .proto files.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    tonic::include_file_descriptor_set!("senroute_v1_descriptor");
