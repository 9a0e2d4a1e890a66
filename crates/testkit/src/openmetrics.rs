//! What the server exports for Prometheus, read by the Prometheus project's own Python client
//! (`openmetrics.py`, in the tests' virtual environment).

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

/// The families of an OpenMetrics text, as the Prometheus client's parser reads them:
/// `{name: {"type": …, "samples": [[name, labels, value]]}}`; why not, if the parser refuses it.
pub fn parse(text: &str) -> Result<Value, String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/src/openmetrics.py");
    let mut parser = Command::new(crate::python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("the tests' Python (cargo xtask setup): {e}"))?;
    parser
        .stdin
        .take()
        .expect("piped")
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())?;
    let parsed = parser.wait_with_output().map_err(|e| e.to_string())?;
    if !parsed.status.success() {
        return Err(String::from_utf8_lossy(&parsed.stderr).into_owned());
    }
    serde_json::from_slice(&parsed.stdout).map_err(|e| e.to_string())
}

/// The value of the sample `name` of `family` with `labels`, if the families have it.
pub fn sample(families: &Value, family: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    families[family]["samples"]
        .as_array()?
        .iter()
        .find(|sample| {
            sample[0] == name
                && labels
                    .iter()
                    .all(|(key, value)| sample[1][*key].as_str() == Some(*value))
        })
        .and_then(|sample| sample[2].as_f64())
}
