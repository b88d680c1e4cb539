//! The `x837` command: parses arguments, hands them to the library's checked settings
//! (`x837::run`), and owns the terminal: messages and progress on standard error.

mod cli;

use std::process::ExitCode;

use clap::Parser;

use x837::run::{self, Status};

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let console = cli::Stderr::new(args.color, args.quiet());
    let status = match args.command {
        cli::Command::Info(a) => run::info::run(&a.into(), &console),
        cli::Command::Validate(a) => run::validate::run(&a.into(), &console),
        cli::Command::Parse { file } => run::parse::run(&file, &console),
        cli::Command::Scrub(a) => match run::scrub::Scrub::new(a.into()) {
            Ok(s) => s.run(&console),
            Err(e) => usage(&console, &e),
        },
        cli::Command::Rules { id } => run::rules::run(id.as_deref(), &console),
        cli::Command::Generate(a) => run::generate::generate(&a.into(), &console),
        cli::Command::Synth(a) => run::generate::synth(&a.into(), &console),
        cli::Command::Serve { port, max_upload } => run::serve::serve(
            run::serve::Options {
                port,
                max_upload: max_upload.saturating_mul(1_000_000),
            },
            &console,
        ),
        cli::Command::Ack(a) => match run::ack::Ack::new(a.into()) {
            Ok(s) => s.run(&console),
            Err(e) => usage(&console, &e),
        },
        cli::Command::Resubmit(a) => match run::resubmit::Resubmit::new(a.into()) {
            Ok(s) => s.run(&console),
            Err(e) => usage(&console, &e),
        },
        cli::Command::Completions { shell } => cli::completions(shell, &console),
        cli::Command::Man { out_dir } => cli::man(out_dir.as_deref(), &console),
    };
    console.finish();
    ExitCode::from(status as u8)
}

fn usage(console: &cli::Stderr, e: &run::Usage) -> Status {
    use run::Console;
    console.say(&format!("x837: {e}"));
    Status::Failed
}
