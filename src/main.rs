fn main() -> std::process::ExitCode {
    simquota::cli::main()
}
