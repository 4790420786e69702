//! `senroute serve` and `senroute mint-key`: the gRPC service for boroughs.
//! The flags are the service library's own, so `senroute serve` and the
//! `senroute-service` binary take the same ones.

use crate::Failure;
pub use senroute_service::cli::{MintKeyArgs, ServeArgs};

/// Runs the server until SIGTERM or Ctrl-C.
pub fn serve(a: ServeArgs) -> Result<(), Failure> {
    if !(a.max_time_limit_s.is_finite() && a.max_time_limit_s > 0.0) {
        return Err(Failure::Input(
            "--max-time-limit-s must be a positive number of seconds".into(),
        ));
    }
    senroute_service::run(a.into_config()).map_err(|e| Failure::Input(e.to_string()))
}

/// Mints a key: appends its hash to the keys file and prints the key once.
pub fn mint_key(a: MintKeyArgs) -> Result<(), Failure> {
    let key = senroute_service::auth::add_key(&a.keys_file, &a.borough, &a.label)
        .map_err(|e| Failure::Input(e.to_string()))?;
    println!("{key}");
    Ok(())
}
