//! Invoke (RequestResponse, `LogType: Tail`) and the result panel: status code, the payload or
//! the function error, the REPORT line's figures and the decoded log tail.
use super::{b64, Page};
use crate::api::{call, str_of};
use base64::Engine as _;
use leptos::prelude::*;
use serde_json::{json, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub status_code: i64,
    /// `Unhandled` (or `Handled`) when the function failed; the payload then is its error.
    pub function_error: Option<String>,
    /// The payload, pretty-printed when it is JSON.
    pub payload: String,
    /// The last 4 KB of the log (LogResult decoded).
    pub log: String,
    /// `(label, value)` pairs from the REPORT line: Duration, Billed Duration, ...
    pub report: Vec<(String, String)>,
}

fn decode_text(b64_text: &str) -> String {
    b64()
        .decode(b64_text)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

fn pretty(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| text.to_string())
}

/// The figures of a REPORT line:
/// `REPORT RequestId: id\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t...`.
pub fn report_fields(log: &str) -> Vec<(String, String)> {
    let Some(line) = log.lines().rev().find(|l| l.starts_with("REPORT ")) else {
        return Vec::new();
    };
    line.trim_start_matches("REPORT ")
        .split('\t')
        .filter_map(|field| field.split_once(": "))
        .filter(|(label, _)| *label != "RequestId")
        .map(|(label, value)| (label.trim().to_string(), value.trim().to_string()))
        .collect()
}

impl Outcome {
    pub fn from_output(out: &Value) -> Outcome {
        let log = decode_text(str_of(out, "LogResult"));
        Outcome {
            status_code: out.get("StatusCode").and_then(Value::as_i64).unwrap_or(0),
            function_error: out
                .get("FunctionError")
                .and_then(Value::as_str)
                .map(str::to_string),
            payload: pretty(&decode_text(str_of(out, "Payload"))),
            report: report_fields(&log),
            log,
        }
    }

    pub fn duration(&self) -> Option<&str> {
        self.report
            .iter()
            .find(|(label, _)| label == "Duration")
            .map(|(_, v)| v.as_str())
    }
}

pub async fn run(page: Page, payload: String) {
    page.busy.set(Some("Invoking…"));
    let input = json!({
        "FunctionName": page.function(),
        "InvocationType": "RequestResponse",
        "LogType": "Tail",
        "Payload": b64().encode(payload.as_bytes()),
    });
    let result = call(page.pg, "lambda", "Invoke", input).await;
    page.busy.set(None);
    match result {
        Ok(out) => {
            let outcome = Outcome::from_output(&out);
            match &outcome.function_error {
                // The result panel shows the failure in red; a green notice would contradict it.
                Some(_) => page.status.clear(),
                None => page.status.ok(format!(
                    "Invoked in {}.",
                    outcome.duration().unwrap_or("an unknown time")
                )),
            }
            page.outcome.set(Some(outcome));
        }
        Err(e) => {
            page.outcome.set(None);
            page.status.fail(e);
        }
    }
    page.logs_tick.update(|t| *t += 1);
}

#[component]
pub fn ResultPanel(page: Page) -> impl IntoView {
    view! {
        <section class="card fn-result">
            <h2>"Execution result"</h2>
            {move || match page.outcome.get() {
                None => view! {
                    <p class="muted small">"Press Test (or Ctrl+Enter) to invoke the function with the chosen event."</p>
                }.into_any(),
                Some(outcome) => {
                    let failed = outcome.function_error.is_some();
                    view! {
                        <div class="result-head" class:failed=failed>
                            <strong class="result-status">
                                {match &outcome.function_error {
                                    Some(kind) => format!("Failed · {kind} error"),
                                    None => "Succeeded".to_string(),
                                }}
                            </strong>
                            <span class="chip">{format!("Status {}", outcome.status_code)}</span>
                            {outcome.report.iter()
                                .filter(|(label, _)| matches!(label.as_str(), "Duration" | "Billed Duration" | "Init Duration" | "Max Memory Used"))
                                .map(|(label, value)| view! { <span class="chip">{format!("{label} {value}")}</span> })
                                .collect_view()}
                        </div>
                        <h3>{if failed { "Error" } else { "Response" }}</h3>
                        <pre class="code result-payload">{outcome.payload.clone()}</pre>
                        <h3>"Log output"</h3>
                        <pre class="code result-log">{outcome.log.clone()}</pre>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_fields_reads_lambda_report_line() {
        let log = "START RequestId: r Version: $LATEST\nEND RequestId: r\nREPORT RequestId: r\tDuration: 3.51 ms\tBilled Duration: 4 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\tInit Duration: 12.00 ms\t\n";
        let fields = report_fields(log);
        assert_eq!(fields[0], ("Duration".into(), "3.51 ms".into()));
        assert_eq!(fields[4], ("Init Duration".into(), "12.00 ms".into()));
    }
}
