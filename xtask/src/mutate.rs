//! `cargo xtask mutate --count N --seed S`: the mutation test of
//! fhir-validate (`tests/mutations.rs`: mutated official examples through
//! `fhir convert` and `fhir validate`, every run exiting 0 or 1 in time) with
//! more documents than the 100 of the normal test run.

use std::process::{Command, ExitCode};

use crate::error::{Context, Result};
use crate::workspace;

pub fn run(count: usize, seed: u64) -> Result<ExitCode> {
    crate::fetch_corpora()?;
    let root = workspace::root()?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(&cargo)
        .args([
            "test",
            "-p",
            "fhir-validate",
            "--test",
            "mutations",
            "--",
            "--nocapture",
        ])
        .env("FHIR_MUTATE_COUNT", count.to_string())
        .env("FHIR_MUTATE_SEED", seed.to_string())
        .current_dir(&root)
        .status()
        .context(|| "running cargo test -p fhir-validate --test mutations")?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}
