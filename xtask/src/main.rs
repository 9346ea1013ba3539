//! Workspace automation, run as `cargo xtask <command>` (an alias in
//! `.cargo/config.toml`), so that maintainers and CI need nothing but Cargo
//! and npm. See `definitions/README.md` for the package workflow.

mod buildtime;
mod codegen;
mod definitions;
mod error;
mod fuzz;
mod json;
mod mutate;
mod package_check;
mod packages;
mod workspace;

use std::process::{Command, ExitCode};

use clap::{Parser, Subcommand};

use crate::error::{Context, Result};
use crate::workspace::Manifest;

#[derive(Debug, Parser)]
#[command(
    name = "xtask",
    bin_name = "cargo xtask",
    about = "Workspace automation for the FHIR toolkit"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Generate fhir-model's modules from definitions/ (or check they are up to date).
    Codegen {
        /// Fail instead of writing if the generated code differs from what is checked in.
        #[arg(long)]
        check: bool,
    },
    /// Maintainers: rewrite definitions/<module>/ from the packages pinned in definitions/manifest.json.
    Definitions {
        /// Only this module (e.g. `r4`); all modules by default.
        #[arg(long)]
        module: Option<String>,
    },
    /// Download the example corpora the conformance tests read into .cache/packages/.
    Fetch,
    /// Time clean check/debug/release builds of bench/build-probe (see BENCHMARKS.md).
    Buildtime {
        /// The one FHIR version fhir-model is built with (a feature: r4, r4b, r5).
        #[arg(long, default_value = "r4")]
        feature: String,
        /// Only this step: check, debug or release (repeatable; all by default).
        #[arg(long = "step")]
        steps: Vec<String>,
    },
    /// Write fuzz/corpus/<target>/ from the official R4 examples (seed corpora; not committed).
    FuzzCorpus,
    /// Run one fuzz target for a given time (cargo-fuzz, nightly; see fuzz/).
    Fuzz {
        /// json_parse, xml_parse, round_trip or validate.
        target: String,
        /// How long to run, in seconds.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Parallel fuzzing processes (libFuzzer -fork).
        #[arg(long, default_value_t = 1)]
        jobs: u32,
    },
    /// Feed deterministic mutations of the official examples to the `fhir`
    /// binary (convert and validate): every run must exit 0 or 1, in time.
    Mutate {
        /// How many mutated documents.
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// Seed of the mutations.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Pack fhir-model as it would be published; fail if the .crate is over crates.io's 10 MB.
    PackageCheck {
        /// Also build the packed crate (`cargo package` without `--no-verify`; minutes).
        #[arg(long)]
        verify: bool,
    },
    /// Run every test: `fetch`, then `cargo test --workspace --all-features [ARGS...]`.
    Test {
        /// Extra arguments for `cargo test`, e.g. `-- --nocapture`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        cargo_test_args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Cmd::Codegen { check } => codegen::run(check).map(|()| ExitCode::SUCCESS),
        Cmd::Definitions { module } => {
            definitions::run(module.as_deref()).map(|()| ExitCode::SUCCESS)
        }
        Cmd::Fetch => fetch_corpora().map(|()| ExitCode::SUCCESS),
        Cmd::Buildtime { feature, steps } => {
            buildtime::run(&feature, &steps).map(|()| ExitCode::SUCCESS)
        }
        Cmd::FuzzCorpus => fuzz::write_corpora().map(|()| ExitCode::SUCCESS),
        Cmd::Fuzz {
            target,
            seconds,
            jobs,
        } => fuzz::run(&target, seconds, jobs),
        Cmd::Mutate { count, seed } => mutate::run(count, seed),
        Cmd::PackageCheck { verify } => package_check::run(verify).map(|()| ExitCode::SUCCESS),
        Cmd::Test { cargo_test_args } => test(&cargo_test_args),
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })
}

/// `cargo xtask fetch`: every `corpora` package into the shared cache.
pub(crate) fn fetch_corpora() -> Result<()> {
    let manifest = Manifest::load(&workspace::root()?)?;
    for corpus in &manifest.corpora {
        let dir = packages::fetch(&corpus.package, &corpus.version, &corpus.integrity)?;
        println!(
            "{}@{} ({}): {}",
            corpus.package,
            corpus.version,
            corpus.module,
            dir.display()
        );
    }
    Ok(())
}

/// `cargo xtask test`: the one command that runs every test, locally and in CI.
/// The corpora are fetched first because the conformance tests fail (rather
/// than skip) without them; cargo's exit status is passed through.
/// `--all-features` compiles every FHIR version of fhir-model (features
/// `r4`, `r4b`, `r5`...), so that each version's conformance test runs.
fn test(cargo_test_args: &[String]) -> Result<ExitCode> {
    fetch_corpora()?;
    let root = workspace::root()?;
    // The cargo that runs xtask, so toolchain overrides apply to the tests too.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(&cargo)
        .args(["test", "--workspace", "--all-features"])
        .args(cargo_test_args)
        .current_dir(&root)
        .status()
        .context(|| {
            format!(
                "running {} test --workspace --all-features",
                cargo.to_string_lossy()
            )
        })?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        // Killed by a signal: still a failure.
        None => ExitCode::FAILURE,
    })
}
