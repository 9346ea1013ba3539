//! The `fhir` command-line tool. Kept thin on purpose: all behaviour lives in
//! [`fhir_validate::cli`] where it can be tested and reused.

fn main() -> std::process::ExitCode {
    fhir_validate::cli::main()
}
