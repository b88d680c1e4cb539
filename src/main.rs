//! The `x837` command: parses arguments into settings and calls the library.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// `eprintln!` with control characters escaped: messages carry file names, errors and
/// findings that come from the input, and standard error is often a terminal.
macro_rules! say {
    ($($arg:tt)*) => {
        eprintln!("{}", x837::report::echo::escape(&format!($($arg)*)))
    };
}

/// Read, validate, generate and scrub ANSI X12 837 health claims.
#[derive(Debug, Parser)]
#[command(name = "x837", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Never,
}

/// Which 837 to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum KindArg {
    #[value(name = "837p")]
    P,
    #[value(name = "837i")]
    I,
}

/// Which 837 a synth batch holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SynthKindArg {
    #[value(name = "837p")]
    P,
    #[value(name = "837i")]
    I,
    Mixed,
}

/// A control number: 1 to 999999999.
fn control_number(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if (1..=999_999_999).contains(&n) => Ok(n),
        _ => Err("must be a number from 1 to 999999999".into()),
    }
}

/// A share from 0 to 1.
fn share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err("must be a number from 0 to 1".into()),
    }
}

#[derive(Debug, Clone, clap::Args)]
struct ControlArgs {
    /// ISA13/IEA02 interchange control number.
    #[arg(long, value_parser = control_number, default_value = "1")]
    isa13: u32,
    /// GS06/GE02 group control number (of the first group).
    #[arg(long, value_parser = control_number, default_value = "1")]
    gs06: u32,
    /// ST02/SE02 transaction control number (of the first transaction).
    #[arg(long, value_parser = control_number, default_value = "1")]
    st02: u32,
}

impl ControlArgs {
    fn control(&self) -> x837::generate::Control {
        x837::generate::Control {
            isa13: self.isa13,
            gs06: self.gs06,
            st02: self.st02,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate against the implementation guides; prints findings only.
    Validate {
        /// Input files; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<String>,
        /// Output format: text (one finding a line) or json (one object per file, per line).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Which findings make the exit code 1.
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
    },
    /// Scrub J2326 claims: corrected EDI plus a report.
    Scrub(ScrubArgs),
    /// List the scrub rules, or explain one.
    Rules {
        /// A rule id, such as `admin-dos-match`.
        id: Option<String>,
    },
    /// Print the loop tree of every transaction as JSON.
    Parse {
        /// One input file; `-` reads standard input.
        file: String,
    },
    /// EDI from a claim description (JSON); see docs/claim-description.md.
    Generate {
        /// The claim description; `-` reads standard input.
        description: String,
        /// 837p or 837i; overrides the description's "kind".
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        /// Output file, replaced atomically; standard output when absent.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        control: ControlArgs,
    },
    /// A seeded batch of synthetic claims, valid or with injected J2326 errors.
    Synth {
        /// Number of claims.
        #[arg(long)]
        claims: u64,
        /// Seed: the same seed gives the same bytes.
        #[arg(long)]
        seed: u64,
        #[arg(long, value_enum, default_value_t = SynthKindArg::P)]
        kind: SynthKindArg,
        /// Share of J2326 claims with one injected error (0 to 1).
        #[arg(long, value_parser = share, default_value = "0")]
        error_rate: f64,
        /// Truth file: per CLM01, the rule ids the claim must produce.
        #[arg(long)]
        truth: Option<PathBuf>,
        /// Output file, replaced atomically; standard output when absent.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        control: ControlArgs,
    },
    /// Counts per file: interchanges, groups, transactions, segments, claims, lines, billed.
    Info {
        /// Input files; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<String>,
        /// Output format: text for people, json for one object per line.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Json,
    Text,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FixesArg {
    All,
    Repair,
    None,
}

#[derive(Debug, clap::Args)]
struct ScrubArgs {
    /// Input files; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<String>,
    /// Write the corrected EDI here (one input only); default standard output.
    #[arg(short = 'o', long = "output")]
    output: Option<String>,
    /// Write each input's corrected EDI into this directory, under the input's name.
    #[arg(long)]
    out_dir: Option<String>,
    /// Write the report here; its format comes from --format or the extension.
    #[arg(long)]
    report: Option<String>,
    /// Report format (default: from the --report extension, else text).
    #[arg(long, value_enum)]
    format: Option<ReportFormat>,
    /// Check only: write no EDI.
    #[arg(long)]
    check: bool,
    /// Profile: default (62321), cpt-lumbar (62323), noridian (96450).
    #[arg(long)]
    profile: Option<String>,
    /// A config file (x837.toml): rules off, severities, admin code, payer profiles.
    #[arg(long)]
    config: Option<String>,
    /// Which fix classes are applied.
    #[arg(long, value_enum, default_value_t = FixesArg::All)]
    fixes: FixesArg,
    /// Which remaining findings make the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
}

/// Exit status: 0 clean, 1 error-level findings remain, 2 unreadable input or bad usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Clean = 0,
    Findings = 1,
    Failed = 2,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let status = match cli.command {
        Command::Info { files, format } => info(&files, format),
        Command::Validate {
            files,
            format,
            fail_on,
        } => validate(&files, format, fail_on),
        Command::Parse { file } => parse(&file),
        Command::Scrub(args) => scrub(&args),
        Command::Rules { id } => rules(id.as_deref()),
        Command::Generate {
            description,
            kind,
            output,
            control,
        } => generate(&description, kind, output.as_deref(), control.control()),
        Command::Synth {
            claims,
            seed,
            kind,
            error_rate,
            truth,
            output,
            control,
        } => {
            let kind = match kind {
                SynthKindArg::P => x837::generate::synth::SynthKind::Professional,
                SynthKindArg::I => x837::generate::synth::SynthKind::Institutional,
                SynthKindArg::Mixed => x837::generate::synth::SynthKind::Mixed,
            };
            let options = x837::generate::synth::Options {
                claims,
                seed,
                kind,
                error_rate,
                control: control.control(),
            };
            synth(&options, truth.as_deref(), output.as_deref())
        }
    };
    ExitCode::from(status as u8)
}

/// True when writing failed only because the reader went away: not an error.
fn closed_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

fn info(files: &[String], format: Format) -> Status {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut status = Status::Clean;
    for path in files {
        let name = x837::input::display_name(path);
        let counted = match x837::input::open(path)
            .and_then(|r| x837::info::count_read(x837::input::Progress::new(r, name), name))
        {
            Ok(c) => c,
            Err(e) => {
                say!("x837: {name}: cannot read: {e}");
                status = status.max(Status::Failed);
                continue;
            }
        };
        for f in &counted.findings {
            say!("{f}");
        }
        if let Some(e) = &counted.error {
            say!("x837: {name}: {e}");
            status = status.max(Status::Failed);
            if counted.info.segments == 0 {
                continue;
            }
        }
        let i = &counted.info;
        let written = match format {
            Format::Json => serde_json::to_string(i)
                .map_err(io::Error::other)
                .and_then(|s| writeln!(out, "{s}")),
            Format::Text => writeln!(
                out,
                "{}: {} interchanges, {} groups, {} transactions, {} segments, {} claims, {} lines, billed {}",
                x837::report::echo::escape(&i.file),
                i.interchanges,
                i.groups,
                i.transactions,
                i.segments,
                i.claims,
                i.lines,
                i.billed
            ),
        };
        if let Err(e) = written {
            if closed_pipe(&e) {
                return status;
            }
            say!("x837: cannot write: {e}");
            return Status::Failed;
        }
    }
    if let Err(e) = out.flush()
        && !closed_pipe(&e)
    {
        say!("x837: cannot write: {e}");
        return Status::Failed;
    }
    status
}

fn read_input(path: &str) -> Option<Vec<u8>> {
    match x837::input::read(path) {
        Ok(b) => Some(b),
        Err(e) => {
            say!(
                "x837: {}: cannot read: {e}",
                x837::input::display_name(path)
            );
            None
        }
    }
}

/// Sends `write` to `output` (atomically) or to standard output.
fn emit(
    output: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    match output {
        Some(path) => {
            let mut f = x837::output::AtomicFile::create(path)?;
            write(&mut f)?;
            f.commit()
        }
        None => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
            write(&mut out)?;
            out.flush()
        }
    }
}

/// Ends a write: a closed pipe stops quietly, another error is reported.
fn wrote(r: io::Result<()>) -> Result<(), Status> {
    match r {
        Ok(()) => Ok(()),
        Err(e) if closed_pipe(&e) => Err(Status::Clean),
        Err(e) => {
            say!("x837: cannot write: {e}");
            Err(Status::Failed)
        }
    }
}

fn generate(
    path: &str,
    kind: Option<KindArg>,
    output: Option<&Path>,
    control: x837::generate::Control,
) -> Status {
    let name = x837::input::display_name(path);
    let bytes = match x837::input::read(path) {
        Ok(b) => b,
        Err(e) => {
            say!("x837: {name}: cannot read: {e}");
            return Status::Failed;
        }
    };
    let kind = kind.map(|k| match k {
        KindArg::P => x837::generate::Kind::Professional,
        KindArg::I => x837::generate::Kind::Institutional,
    });
    let (desc, kind) = match x837::generate::parse(&bytes, kind) {
        Ok(d) => d,
        Err(errors) => {
            for e in &errors {
                say!("x837: {name}: {e}");
            }
            return Status::Failed;
        }
    };
    match emit(output, |out| {
        x837::generate::write(&desc, kind, control, out).map(|_| ())
    }) {
        Ok(()) => Status::Clean,
        Err(e) if closed_pipe(&e) => Status::Clean,
        Err(e) => {
            say!("x837: cannot write: {e}");
            Status::Failed
        }
    }
}

fn validate(files: &[String], format: Format, fail_on: FailOn) -> Status {
    use x837::report::Severity;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut status = Status::Clean;
    for path in files {
        let name = x837::input::display_name(path);
        let v = match x837::input::open(path)
            .and_then(|r| x837::validate::validate_read(x837::input::Progress::new(r, name), name))
        {
            Ok(v) => v,
            Err(e) => {
                say!("x837: {name}: cannot read: {e}");
                status = status.max(Status::Failed);
                continue;
            }
        };
        if let Some(e) = &v.error {
            say!("x837: {name}: {e}");
            status = status.max(Status::Failed);
        }
        let errors = v
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let warnings = v
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count();
        let failing = match fail_on {
            FailOn::Error => errors > 0,
            FailOn::Warning => errors + warnings > 0,
            FailOn::Never => false,
        };
        if failing {
            status = status.max(Status::Findings);
        }
        let r = match format {
            Format::Text => (|| {
                for f in &v.findings {
                    writeln!(out, "{f}")?;
                }
                Ok(())
            })(),
            Format::Json => {
                let doc = serde_json::json!({
                    "file": name,
                    "transactions": v.transactions,
                    "passed_through": v.passed_through,
                    "errors": errors,
                    "warnings": warnings,
                    "findings": v.findings,
                });
                writeln!(out, "{doc}")
            }
        };
        if let Err(s) = wrote(r) {
            return if s == Status::Clean { status } else { s };
        }
        say!(
            "{name}: {} transactions validated, {} passed through, {errors} errors, {warnings} warnings",
            v.transactions,
            v.passed_through
        );
    }
    match wrote(out.flush()) {
        Ok(()) => status,
        Err(Status::Clean) => status,
        Err(s) => s,
    }
}

fn parse(path: &str) -> Status {
    let name = x837::input::display_name(path);
    let Some(bytes) = read_input(path) else {
        return Status::Failed;
    };
    let mut reader = x837::x12::Reader::new(&bytes, name);
    let mut transactions = Vec::new();
    let mut findings = Vec::new();
    let mut status = Status::Clean;
    for unit in reader.by_ref() {
        match unit {
            Ok(x837::x12::Unit::Transaction(tx)) => {
                let guide = String::from_utf8_lossy(tx.guide()).into_owned();
                let grammar = (tx.set_id() == b"837")
                    .then(|| x837::grammar::for_version(&guide))
                    .flatten();
                let tree = grammar.map(|g| {
                    let t = x837::tree::build(g, &tx, name, &mut findings);
                    x837::tree::to_json(&t, &tx)
                });
                transactions.push(serde_json::json!({
                    "set": String::from_utf8_lossy(tx.set_id()),
                    "control": String::from_utf8_lossy(tx.control()),
                    "guide": guide,
                    "tree": tree,
                }));
            }
            Ok(_) => {}
            Err(e) => {
                say!("x837: {name}: {e}");
                status = Status::Failed;
            }
        }
    }
    for f in reader.take_findings().iter().chain(&findings) {
        say!("{f}");
    }
    let doc = serde_json::json!({"file": name, "transactions": transactions});
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let r = serde_json::to_writer_pretty(&mut out, &doc)
        .map_err(io::Error::other)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    match wrote(r) {
        Ok(()) | Err(Status::Clean) => status,
        Err(s) => s,
    }
}

fn usage(message: &str) -> Status {
    say!("x837: {message}");
    Status::Failed
}

fn scrub(args: &ScrubArgs) -> Status {
    use x837::report::{Report, Tool, render};
    use x837::scrub::{Fixes, Settings};
    if args.output.is_some() && args.files.len() > 1 {
        return usage("-o/--output takes one input; use --out-dir for several");
    }
    if args.output.is_some() && args.out_dir.is_some() {
        return usage("-o/--output and --out-dir exclude each other");
    }
    let fixes = match args.fixes {
        FixesArg::All => Fixes::All,
        FixesArg::Repair => Fixes::Repair,
        FixesArg::None => Fixes::None,
    };
    let config = match &args.config {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => Some(t),
            Err(e) => return usage(&format!("{p}: cannot read: {e}")),
        },
        None => None,
    };
    let settings = match Settings::new(args.profile.as_deref(), fixes, config.as_deref()) {
        Ok(s) => s,
        Err(e) => return usage(&e),
    };
    let format = args.format.unwrap_or(match args.report.as_deref() {
        Some(p) if p.ends_with(".json") => ReportFormat::Json,
        Some(p) if p.ends_with(".html") || p.ends_with(".htm") => ReportFormat::Html,
        _ => ReportFormat::Text,
    });
    let edi_to_stdout = !args.check && args.output.is_none() && args.out_dir.is_none();
    if edi_to_stdout && args.format.is_some() && args.report.is_none() {
        return usage(
            "--format needs --report PATH (or --check, -o, --out-dir) while the corrected EDI goes to standard output",
        );
    }
    let report_to_stdout =
        args.report.is_none() && !edi_to_stdout && (args.check || args.format.is_some());
    let mut report = Report::new(Tool {
        name: "x837",
        version: env!("CARGO_PKG_VERSION"),
        catalog: "j2326-1",
        profile: settings.profile.clone(),
        options: serde_json::json!({
            "fixes": settings.fixes,
            "check": args.check,
            "config": args.config,
            "fail_on": format!("{:?}", args.fail_on).to_lowercase(),
        }),
    });
    let mut status = Status::Clean;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    for path in &args.files {
        let name = x837::input::display_name(path);
        let target = match (&args.output, &args.out_dir) {
            _ if args.check => None,
            (Some(o), _) => Some(std::path::PathBuf::from(o)),
            (None, Some(dir)) => {
                let base = std::path::Path::new(path)
                    .file_name()
                    .map(|n| n.to_os_string())
                    .unwrap_or_else(|| "stdin.x12".into());
                Some(std::path::Path::new(dir).join(base))
            }
            (None, None) => None,
        };
        if let Some(t) = &target
            && path != "-"
            && t.exists()
            && std::fs::canonicalize(t).ok() == std::fs::canonicalize(path).ok()
        {
            say!("x837: {name}: refusing to overwrite the input; choose another output");
            status = status.max(Status::Failed);
            continue;
        }
        let mut input = match x837::input::open(path) {
            Ok(r) => x837::input::Hashing::new(x837::input::Progress::new(r, name)),
            Err(e) => {
                say!("x837: {name}: cannot read: {e}");
                status = status.max(Status::Failed);
                continue;
            }
        };
        // The corrected EDI streams into its target as transactions are scrubbed.
        let result = match &target {
            Some(t) => match x837::output::AtomicFile::create(t) {
                Ok(mut file) => {
                    match x837::scrub::scrub_to(&mut input, name, &settings, &mut file) {
                        // Nothing read, nothing written: no file appears.
                        Ok(s) if !s.wrote => Ok(s),
                        Ok(s) => file.commit().map(|()| s),
                        Err(e) => Err(e),
                    }
                }
                Err(e) => {
                    say!("x837: {}: cannot write: {e}", t.display());
                    status = status.max(Status::Failed);
                    continue;
                }
            },
            None if args.check => x837::scrub::scrub_to(&mut input, name, &settings, io::sink()),
            None => x837::scrub::scrub_to(&mut input, name, &settings, &mut out),
        };
        let s = match result {
            Ok(s) => s,
            Err(e) if closed_pipe(&e) => return status,
            Err(e) => {
                say!("x837: {name}: {e}");
                status = status.max(Status::Failed);
                continue;
            }
        };
        if let Some(e) = &s.error {
            say!("x837: {name}: {e}");
            status = status.max(Status::Failed);
        }
        let failing = match args.fail_on {
            FailOn::Error => s.remaining_errors > 0,
            FailOn::Warning => s.remaining_errors + s.remaining_warnings > 0,
            FailOn::Never => false,
        };
        if failing {
            status = status.max(Status::Findings);
        }
        say!(
            "{name}: {} claims, {} findings, {} fixed; {} errors and {} warnings remain",
            s.claims,
            s.findings.len(),
            s.fixed(),
            s.remaining_errors,
            s.remaining_warnings
        );
        if s.passed_through > 0 {
            say!(
                "{name}: {} transactions that are not 837P/837I passed through untouched",
                s.passed_through
            );
        }
        report.add(name, input.hex(), s.claims, s.findings);
    }
    let rendered = match format {
        ReportFormat::Json => render::json(&report) + "\n",
        ReportFormat::Text => render::text(&report),
        ReportFormat::Html => render::html(&report),
    };
    if let Some(p) = &args.report {
        if let Err(e) = x837::output::write_atomic(std::path::Path::new(p), rendered.as_bytes()) {
            say!("x837: {p}: cannot write: {e}");
            status = status.max(Status::Failed);
        }
    } else if report_to_stdout && let Err(st) = wrote(out.write_all(rendered.as_bytes())) {
        return if st == Status::Clean { status } else { st };
    }
    match wrote(out.flush()) {
        Ok(()) | Err(Status::Clean) => status,
        Err(s) => s,
    }
}

fn rules(id: Option<&str>) -> Status {
    use x837::scrub::registry;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let r = match id {
        Some(id) => match registry::find(id) {
            Some(rule) => writeln!(out, "{} ({})\n\n{}", rule.id(), rule.severity(), rule.doc()),
            None => {
                let id = x837::report::echo::cut(id);
                return usage(&format!("unknown rule id '{id}' (see `x837 rules`)"));
            }
        },
        None => (|| {
            for rule in registry::all() {
                let doc = rule.doc();
                let summary = doc
                    .lines()
                    .skip_while(|l| !l.starts_with("## What it does"))
                    .nth(1)
                    .unwrap_or_default()
                    .to_string();
                writeln!(
                    out,
                    "{:<24} {:<8} {}",
                    rule.id(),
                    rule.severity().to_string(),
                    summary
                )?;
            }
            Ok(())
        })(),
    };
    match wrote(r.and_then(|()| out.flush())) {
        Ok(()) | Err(Status::Clean) => Status::Clean,
        Err(s) => s,
    }
}

fn synth(
    options: &x837::generate::synth::Options,
    truth: Option<&Path>,
    output: Option<&Path>,
) -> Status {
    let mut truth_file = match truth.map(x837::output::AtomicFile::create).transpose() {
        Ok(t) => t,
        Err(e) => {
            say!("x837: cannot write the truth file: {e}");
            return Status::Failed;
        }
    };
    let mut summary = None;
    let written = emit(output, |out| {
        summary = Some(x837::generate::synth::run(
            options,
            out,
            truth_file.as_mut(),
        )?);
        Ok(())
    });
    let written = written.and_then(|()| truth_file.map_or(Ok(()), |t| t.commit()));
    match written {
        Ok(()) => {
            if let Some(s) = summary {
                let injected: u64 = s.injected.values().sum();
                say!(
                    "x837: {} claims ({} J2326, {} with an injected error), {} bytes",
                    s.claims,
                    s.j2326_claims,
                    injected,
                    s.bytes
                );
            }
            Status::Clean
        }
        Err(e) if closed_pipe(&e) => Status::Clean,
        Err(e) => {
            say!("x837: cannot write: {e}");
            Status::Failed
        }
    }
}
