//! `x837._x837`: the native half of the Python package, over bytes. The Python half
//! (`x837/__init__.py`) turns what these return into `Scrubbed`, dicts and `x837.Error`.
//!
//! Every function lets go of the GIL while the library works, so Python threads (and a
//! Spark worker's) run meanwhile.

use std::ffi::OsString;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use x837::run::FailOn;
use x837::run::memory::scrub_bytes;
use x837::run::scrub::Options;
use x837::scrub::Fixes;
use x837::x12::LexError;

/// What stopped the reading, for `x837.Error`: (message, file, segment, byte, line).
type Stop = (String, String, usize, usize, u32);

fn stop(name: &str, e: &LexError) -> Stop {
    let at = e.location();
    (
        format!("{name}: {e}"),
        name.to_string(),
        at.segment,
        at.byte,
        at.line,
    )
}

fn fixes(s: &str) -> PyResult<Fixes> {
    match s {
        "all" => Ok(Fixes::All),
        "repair" => Ok(Fixes::Repair),
        "none" => Ok(Fixes::None),
        _ => Err(PyValueError::new_err(format!(
            "fixes must be \"all\", \"repair\" or \"none\", not {s:?}"
        ))),
    }
}

fn fail_on(s: &str) -> PyResult<FailOn> {
    match s {
        "error" => Ok(FailOn::Error),
        "warning" => Ok(FailOn::Warning),
        "never" => Ok(FailOn::Never),
        _ => Err(PyValueError::new_err(format!(
            "fail_on must be \"error\", \"warning\" or \"never\", not {s:?}"
        ))),
    }
}

fn json<T: serde::Serialize + ?Sized>(v: &T) -> PyResult<String> {
    serde_json::to_string(v).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// What `scrub` gives Python: the corrected bytes (None when nothing complete was read),
/// the report as the CLI writes it, the exit status, the claims as JSON, what stopped the
/// reading, and whether not one segment could be read.
type Scrubbed<'py> = (
    Option<Bound<'py, PyBytes>>,
    String,
    u8,
    String,
    Option<Stop>,
    bool,
);

/// Scrubs `data` as `x837 scrub --report` does one file named `name`; the claims of the
/// corrected output are read only when `claims` is true (else `"[]"`).
#[pyfunction]
#[pyo3(signature = (data, name, profile=None, config=None, fixes="all", fail_on="error", claims=true))]
#[allow(clippy::too_many_arguments)]
fn scrub<'py>(
    py: Python<'py>,
    data: &[u8],
    name: &str,
    profile: Option<String>,
    config: Option<OsString>,
    fixes: &str,
    fail_on: &str,
    claims: bool,
) -> PyResult<Scrubbed<'py>> {
    let options = Options {
        profile,
        config,
        fixes: self::fixes(fixes)?,
        fail_on: self::fail_on(fail_on)?,
        ..Options::default()
    };
    let done = py.detach(|| {
        let s = scrub_bytes(data, name, &options).map_err(|e| e.0)?;
        let mut report = Vec::new();
        x837::report::render::json(&s.report, &mut report).map_err(|e| e.to_string())?;
        let report = String::from_utf8(report).map_err(|e| e.to_string())?;
        let claims = if claims {
            let claims = s.claims(data).map_err(|e| e.to_string())?;
            serde_json::to_string(&claims).map_err(|e| e.to_string())?
        } else {
            "[]".to_string()
        };
        Ok::<_, String>((s, report, claims))
    });
    let (s, report, claims) = done.map_err(PyValueError::new_err)?;
    let corrected = s.wrote.then(|| PyBytes::new(py, &s.output));
    let stopped = s.error.as_ref().map(|e| stop(name, e));
    Ok((
        corrected,
        report,
        s.status as u8,
        claims,
        stopped,
        s.unreadable(),
    ))
}

/// Validates `data` as `x837 validate --format json` does one file named `name`: the
/// findings as JSON, transactions validated, passed through, envelopes that do not
/// close, what stopped the reading, and whether not one segment could be read.
#[pyfunction]
fn validate(
    py: Python<'_>,
    data: &[u8],
    name: &str,
) -> PyResult<(String, usize, usize, usize, Option<Stop>, bool)> {
    let v = py.detach(|| x837::validate::validate(data, name));
    let unreadable = v.error.as_ref().is_some_and(|e| e.location().segment == 0);
    Ok((
        json(&v.findings)?,
        v.transactions,
        v.passed_through,
        v.unclosed,
        v.error.as_ref().map(|e| stop(name, e)),
        unreadable,
    ))
}

/// Counts `data` as `x837 info --format json` does one file named `name`: the counts
/// and the envelope findings as JSON, what stopped the reading, and whether not one
/// segment could be read.
#[pyfunction]
fn info(py: Python<'_>, data: &[u8], name: &str) -> PyResult<(String, String, Option<Stop>, bool)> {
    let c = py.detach(|| x837::info::count(data, name));
    Ok((
        json(&c.info)?,
        json(&c.findings)?,
        c.error.as_ref().map(|e| stop(name, e)),
        c.error.is_some() && c.info.segments == 0,
    ))
}

#[pymodule]
fn _x837(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(scrub, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(info, m)?)?;
    Ok(())
}
