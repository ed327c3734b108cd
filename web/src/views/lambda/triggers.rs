//! The function's triggers: its event source mappings on DynamoDB table streams, listed with
//! their state and last result (read every two seconds while the page is open), an "Add trigger"
//! form that sends CreateEventSourceMapping, and enable, disable and delete per mapping.
use super::Page;
use crate::api::{call, name_from, str_of, AwsError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use nimbus_core::services::dynamodb::StreamArn;
use serde_json::{json, Value};
use std::time::Duration;

/// A table the form can offer, with its stream if it has one enabled.
#[derive(Clone, Debug, PartialEq)]
struct Table {
    name: String,
    stream_arn: Option<String>,
}

/// The table a stream ARN belongs to (`arn:aws:dynamodb:…:table/NAME/stream/LABEL`).
fn table_of(stream_arn: &str) -> &str {
    StreamArn::parse(stream_arn).map_or(stream_arn, |arn| arn.table)
}

async fn mappings(page: Page) -> Result<Vec<Value>, AwsError> {
    let input = json!({"FunctionName": page.function()});
    let out = call(page.pg, "lambda", "ListEventSourceMappings", input).await?;
    Ok(out
        .get("EventSourceMappings")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default())
}

async fn tables(page: Page) -> Result<Vec<Table>, AwsError> {
    let listed = call(page.pg, "dynamodb", "ListTables", json!({})).await?;
    let names = listed.get("TableNames").and_then(Value::as_array);
    let mut tables = Vec::new();
    for name in names.into_iter().flatten().filter_map(Value::as_str) {
        let described = call(
            page.pg,
            "dynamodb",
            "DescribeTable",
            json!({"TableName": name}),
        )
        .await?;
        let table = &described["Table"];
        let enabled = table
            .pointer("/StreamSpecification/StreamEnabled")
            .and_then(Value::as_bool)
            == Some(true);
        tables.push(Table {
            name: name.to_string(),
            stream_arn: enabled.then(|| str_of(table, "LatestStreamArn").to_string()),
        });
    }
    Ok(tables)
}

async fn queues(page: Page) -> Vec<String> {
    let Ok(out) = call(page.pg, "sqs", "ListQueues", json!({})).await else {
        return Vec::new();
    };
    let urls = out.get("QueueUrls").and_then(Value::as_array);
    urls.into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(name_from)
        .collect()
}

/// The settings typed into the form, as text.
#[derive(Clone, Debug)]
struct Settings {
    position: String,
    batch_size: String,
    batching_window: String,
    tumbling_window: String,
    /// Empty: Lambda's default, -1 (retry until the records expire).
    retry_attempts: String,
    /// Empty: Lambda's default, -1 (no limit).
    record_age: String,
    bisect_on_error: bool,
    report_item_failures: bool,
    filter: String,
    on_failure_queue: String,
}

/// What the form sends: the ARN of the chosen table's stream and the settings typed in.
fn create_input(function: &str, stream_arn: &str, s: &Settings) -> Result<Value, String> {
    let number = |text: &str, what: &str| {
        text.trim()
            .parse::<i64>()
            .map_err(|_| format!("{what} must be a whole number."))
    };
    let mut input = json!({
        "FunctionName": function,
        "EventSourceArn": stream_arn,
        "StartingPosition": s.position,
        "BatchSize": number(&s.batch_size, "Batch size")?,
        "MaximumBatchingWindowInSeconds": number(&s.batching_window, "Batching window")?,
    });
    let tumbling = number(&s.tumbling_window, "Tumbling window")?;
    if tumbling > 0 {
        input["TumblingWindowInSeconds"] = json!(tumbling);
    }
    // Lambda's own errors answer values out of its ranges.
    let optional = [
        (&s.retry_attempts, "Retry attempts", "MaximumRetryAttempts"),
        (
            &s.record_age,
            "Maximum record age",
            "MaximumRecordAgeInSeconds",
        ),
    ];
    for (text, what, member) in optional {
        if !text.trim().is_empty() {
            input[member] = json!(number(text, what)?);
        }
    }
    if s.bisect_on_error {
        input["BisectBatchOnFunctionError"] = json!(true);
    }
    if s.report_item_failures {
        input["FunctionResponseTypes"] = json!(["ReportBatchItemFailures"]);
    }
    let filter = s.filter.trim();
    if !filter.is_empty() {
        nimbus_core::event_pattern::parse(filter)
            .map_err(|e| format!("The filter pattern is not valid: {e}."))?;
        input["FilterCriteria"] = json!({"Filters": [{"Pattern": filter}]});
    }
    let on_failure_queue = &s.on_failure_queue;
    if !on_failure_queue.is_empty() {
        let arn = format!(
            "arn:aws:sqs:{}:{}:{on_failure_queue}",
            nimbus_browser::REGION,
            nimbus_browser::ACCOUNT_ID
        );
        input["DestinationConfig"] = json!({"OnFailure": {"Destination": arn}});
    }
    Ok(input)
}

/// What a mapping does when its function fails on a batch, in a few words: its retries, the
/// record age it gives up at, batch splitting, partial batch responses and where a failed
/// batch's details go (the settings AWS's console shows under "Additional settings").
fn on_error(mapping: &Value) -> String {
    let number = |key| mapping.get(key).and_then(Value::as_i64).unwrap_or(-1);
    let mut parts = vec![match number("MaximumRetryAttempts") {
        -1 => "retries until the records expire".to_string(),
        1 => "1 retry".to_string(),
        n => format!("{n} retries"),
    }];
    let age = number("MaximumRecordAgeInSeconds");
    if age >= 0 {
        parts.push(format!("gives up on records older than {age} s"));
    }
    if mapping.get("BisectBatchOnFunctionError") == Some(&json!(true)) {
        parts.push("splits the batch".into());
    }
    let response_types = mapping
        .get("FunctionResponseTypes")
        .and_then(Value::as_array);
    if response_types.is_some_and(|t| t.contains(&json!("ReportBatchItemFailures"))) {
        parts.push("function reports failed items".into());
    }
    let destination = mapping
        .pointer("/DestinationConfig/OnFailure/Destination")
        .and_then(Value::as_str);
    if let Some(arn) = destination.filter(|arn| !arn.is_empty()) {
        parts.push(format!("then to SQS queue {}", name_from(arn)));
    }
    parts.join(" · ")
}

#[component]
pub fn TriggersPanel(page: Page) -> impl IntoView {
    let listed = RwSignal::new(None::<Result<Vec<Value>, AwsError>>);
    let reading = StoredValue::new(false);
    let refresh = move || {
        if reading.get_value() {
            return;
        }
        reading.set_value(true);
        spawn_local(async move {
            let next = mappings(page).await;
            reading.try_set_value(false);
            if listed.try_with_untracked(|now| now.as_ref() != Some(&next)) == Some(true) {
                listed.try_set(Some(next));
            }
        });
    };
    refresh();
    // LastProcessingResult changes as batches are delivered.
    if let Ok(poll) = set_interval_with_handle(refresh, Duration::from_secs(2)) {
        on_cleanup(move || poll.clear());
    }
    let adding = RwSignal::new(false);

    view! {
        <section class="card fn-triggers">
            <div class="card-head">
                <h2>"Triggers"</h2>
                <span class="muted small">"Event source mappings: Lambda reads a table's stream and invokes this function with batches of records."</span>
                <span class="spacer"></span>
                <button name="add-trigger" on:click=move |_| adding.update(|a| *a = !*a)>
                    {move || if adding.get() { "Close" } else { "Add trigger" }}
                </button>
            </div>
            <Show when=move || adding.get()>
                <AddTrigger page on_added=move || { adding.set(false); refresh(); } />
            </Show>
            {move || match listed.get() {
                None => view! { <p class="muted small">"Reading the triggers…"</p> }.into_any(),
                Some(Err(e)) => view! { <crate::views::common::ErrorBox error=RwSignal::new(Some(e)) /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="muted small">"No triggers. Add one to run this function on every change to a table."</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <table class="grid triggers">
                        <thead><tr>
                            <th>"Source"</th><th>"State"</th><th>"Batch"</th><th>"Start"</th><th>"On error"</th><th>"Last result"</th><th></th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|m| view! { <TriggerRow page mapping=m on_change=refresh /> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn TriggerRow(
    page: Page,
    mapping: Value,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let uuid = StoredValue::new(str_of(&mapping, "UUID").to_string());
    let state = str_of(&mapping, "State").to_string();
    let enabled = state == "Enabled" || state == "Enabling" || state == "Creating";
    let confirm = RwSignal::new(false);
    let act = move |operation: &'static str, input: Value| {
        spawn_local(async move {
            match call(page.pg, "lambda", operation, input).await {
                Ok(_) => on_change(),
                Err(e) => page.status.fail(e),
            }
        });
    };
    let toggle = move |_| {
        act(
            "UpdateEventSourceMapping",
            json!({"UUID": uuid.get_value(), "Enabled": !enabled}),
        )
    };
    let delete = move |_| {
        act(
            "DeleteEventSourceMapping",
            json!({"UUID": uuid.get_value()}),
        )
    };
    let filters = mapping
        .pointer("/FilterCriteria/Filters")
        .and_then(Value::as_array)
        .map(|f| {
            f.iter()
                .map(|f| str_of(f, "Pattern").to_string())
                .collect::<Vec<_>>()
                .join(" or ")
        })
        .unwrap_or_default();
    let source = str_of(&mapping, "EventSourceArn").to_string();
    let tumbling = mapping
        .get("TumblingWindowInSeconds")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    view! {
        <tr data-uuid=uuid.get_value()>
            <td title=source.clone()>
                <span class="chip">"DynamoDB"</span>" "{table_of(&source).to_string()}
                {(!filters.is_empty()).then(|| view! { <div class="muted small mono">"filter " {filters}</div> })}
            </td>
            <td class="trigger-state">{state}</td>
            <td>
                {mapping.get("BatchSize").and_then(Value::as_i64).unwrap_or(0)}
                {(tumbling > 0).then(|| view! { <div class="muted small">{format!("tumbling window {tumbling} s")}</div> })}
            </td>
            <td>{str_of(&mapping, "StartingPosition").to_string()}</td>
            <td class="trigger-on-error small">{on_error(&mapping)}</td>
            <td class="trigger-result small">{str_of(&mapping, "LastProcessingResult").to_string()}</td>
            <td class="actions">
                <Show when=move || confirm.get() fallback=move || view! {
                    <button class="link" on:click=toggle>{if enabled { "Disable" } else { "Enable" }}</button>
                    <button class="link danger" on:click=move |_| confirm.set(true)>"Delete"</button>
                }>
                    <span class="confirm">"Delete this trigger?"</span>
                    <button class="danger" on:click=delete>"Delete for good"</button>
                    <button on:click=move |_| confirm.set(false)>"Cancel"</button>
                </Show>
            </td>
        </tr>
    }
}

#[component]
fn AddTrigger(page: Page, on_added: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let choices = LocalResource::new(move || async move {
        Ok::<_, AwsError>((tables(page).await?, queues(page).await))
    });
    let table = RwSignal::new(String::new());
    let position = RwSignal::new("LATEST".to_string());
    let batch_size = RwSignal::new("100".to_string());
    let batching_window = RwSignal::new("0".to_string());
    let tumbling_window = RwSignal::new("0".to_string());
    let retry_attempts = RwSignal::new(String::new());
    let record_age = RwSignal::new(String::new());
    let bisect_on_error = RwSignal::new(false);
    let report_item_failures = RwSignal::new(false);
    let filter = RwSignal::new(String::new());
    let on_failure = RwSignal::new(String::new());
    let settings = move || Settings {
        position: position.get(),
        batch_size: batch_size.get(),
        batching_window: batching_window.get(),
        tumbling_window: tumbling_window.get(),
        retry_attempts: retry_attempts.get(),
        record_age: record_age.get(),
        bisect_on_error: bisect_on_error.get(),
        report_item_failures: report_item_failures.get(),
        filter: filter.get(),
        on_failure_queue: on_failure.get(),
    };
    let stream_of = move |name: &str| -> Option<String> {
        choices.with(|c| match c {
            Some(Ok((tables, _))) => tables.iter().find(|t| t.name == name)?.stream_arn.clone(),
            _ => None,
        })
    };
    let input = move || -> Result<Value, String> {
        let name = table.get();
        if name.is_empty() {
            return Err("Choose a table with a stream.".into());
        }
        let stream = stream_of(&name).ok_or_else(|| {
            format!("Table {name} has no stream: turn one on in its settings (StreamSpecification) first.")
        })?;
        create_input(&page.function(), &stream, &settings())
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(input) = input() else { return };
        spawn_local(async move {
            match call(page.pg, "lambda", "CreateEventSourceMapping", input).await {
                Ok(_) => {
                    page.status.ok("Trigger added.");
                    on_added();
                }
                Err(e) => page.status.fail(e),
            }
        });
    };
    view! {
        <form class="form add-trigger" on:submit=submit>
            {move || match choices.get() {
                None => view! { <p class="muted small">"Reading the tables…"</p> }.into_any(),
                Some(Err(e)) => view! { <crate::views::common::ErrorBox error=RwSignal::new(Some(e)) /> }.into_any(),
                Some(Ok((tables, queues))) => view! {
                    <div class="config-grid">
                        <label>
                            "DynamoDB table"
                            <select name="trigger-table" prop:value=move || table.get() on:change=move |ev| table.set(event_target_value(&ev))>
                                <option value="">"Choose a table"</option>
                                {tables.into_iter().map(|t| {
                                    let label = match &t.stream_arn {
                                        Some(_) => t.name.clone(),
                                        None => format!("{} (no stream)", t.name),
                                    };
                                    view! { <option value=t.name.clone()>{label}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label>
                            "Starting position"
                            <select name="trigger-position" prop:value=move || position.get() on:change=move |ev| position.set(event_target_value(&ev))>
                                <option value="LATEST">"LATEST (new records only)"</option>
                                <option value="TRIM_HORIZON">"TRIM_HORIZON (the last 24 hours too)"</option>
                            </select>
                        </label>
                        <label>
                            "Batch size"
                            <input name="trigger-batch-size" prop:value=move || batch_size.get() on:input=move |ev| batch_size.set(event_target_value(&ev)) />
                        </label>
                        <label>
                            "Batching window (seconds)"
                            <input name="trigger-window" prop:value=move || batching_window.get() on:input=move |ev| batching_window.set(event_target_value(&ev)) />
                        </label>
                        <label title="Aggregate records over fixed windows: each invocation gets the state the last one returned, and a final invocation the window's result. 0: none.">
                            "Tumbling window (seconds)"
                            <input name="trigger-tumbling-window" prop:value=move || tumbling_window.get() on:input=move |ev| tumbling_window.set(event_target_value(&ev)) />
                        </label>
                        <label title="How often Lambda retries a batch the function failed on; empty: -1, until its records expire.">
                            "Retry attempts"
                            <input name="trigger-retry-attempts" placeholder="-1 (until the records expire)" prop:value=move || retry_attempts.get() on:input=move |ev| retry_attempts.set(event_target_value(&ev)) />
                        </label>
                        <label title="Lambda stops retrying records older than this; empty: -1, no limit.">
                            "Maximum record age (seconds)"
                            <input name="trigger-record-age" placeholder="-1 (no limit)" prop:value=move || record_age.get() on:input=move |ev| record_age.set(event_target_value(&ev)) />
                        </label>
                        <label>
                            "On failure, send the batch's details to"
                            <select name="trigger-on-failure" prop:value=move || on_failure.get() on:change=move |ev| on_failure.set(event_target_value(&ev))>
                                <option value="">"nowhere"</option>
                                {queues.into_iter().map(|q| view! { <option value=q.clone()>{format!("SQS queue {q}")}</option> }).collect_view()}
                            </select>
                        </label>
                    </div>
                    <div class="row wrap">
                        <label class="inline" title="BisectBatchOnFunctionError: retry each half of a failed batch on its own, to isolate the record that fails.">
                            <input type="checkbox" name="trigger-bisect" prop:checked=move || bisect_on_error.get() on:change=move |ev| bisect_on_error.set(event_target_checked(&ev)) />
                            "Split the batch in two on a function error"
                        </label>
                        <label class="inline" title="FunctionResponseTypes ReportBatchItemFailures: the function returns {batchItemFailures: [{itemIdentifier: sequence number}]} and Lambda retries from the first failed record.">
                            <input type="checkbox" name="trigger-report-failures" prop:checked=move || report_item_failures.get() on:change=move |ev| report_item_failures.set(event_target_checked(&ev)) />
                            "The function reports the records that failed (ReportBatchItemFailures)"
                        </label>
                    </div>
                    <label class="field">
                        "Filter pattern (optional)"
                        <textarea name="trigger-filter" rows="2" class="mono" placeholder=r#"{"eventName": ["INSERT"]}"#
                            prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev))></textarea>
                    </label>
                }.into_any(),
            }}
            {move || input().err().filter(|_| !table.get().is_empty()).map(|e| view! { <p class="field-error">{e}</p> })}
            <button class="primary" type="submit" name="create-trigger" disabled=move || input().is_err()>"Add trigger"</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_sends_what_lambda_takes() {
        let stream =
            "arn:aws:dynamodb:us-east-1:123456789012:table/notes/stream/2026-01-01T00:00:00.000";
        assert_eq!(table_of(stream), "notes");
        let settings = Settings {
            position: "LATEST".into(),
            batch_size: "10".into(),
            batching_window: "0".into(),
            tumbling_window: "0".into(),
            retry_attempts: String::new(),
            record_age: String::new(),
            bisect_on_error: false,
            report_item_failures: false,
            filter: r#"{"eventName":["INSERT"]}"#.into(),
            on_failure_queue: "failed".into(),
        };
        let input = create_input("f", stream, &settings).unwrap();
        assert_eq!(input["BatchSize"], 10);
        for member in [
            "TumblingWindowInSeconds",
            "MaximumRetryAttempts",
            "MaximumRecordAgeInSeconds",
            "BisectBatchOnFunctionError",
            "FunctionResponseTypes",
        ] {
            assert!(
                input.get(member).is_none(),
                "{member} left to Lambda's default"
            );
        }
        assert_eq!(
            input["FilterCriteria"]["Filters"][0]["Pattern"],
            r#"{"eventName":["INSERT"]}"#
        );
        assert_eq!(
            input["DestinationConfig"]["OnFailure"]["Destination"],
            "arn:aws:sqs:us-east-1:123456789012:failed"
        );
        let with = |change: fn(&mut Settings)| {
            let mut changed = settings.clone();
            change(&mut changed);
            create_input("f", stream, &changed)
        };
        let windowed = with(|s| s.tumbling_window = "60".into()).unwrap();
        assert_eq!(windowed["TumblingWindowInSeconds"], 60);
        let on_error = with(|s| {
            s.retry_attempts = " 2 ".into();
            s.record_age = "3600".into();
            s.bisect_on_error = true;
            s.report_item_failures = true;
        })
        .unwrap();
        assert_eq!(on_error["MaximumRetryAttempts"], 2);
        assert_eq!(on_error["MaximumRecordAgeInSeconds"], 3600);
        assert_eq!(on_error["BisectBatchOnFunctionError"], true);
        assert_eq!(
            on_error["FunctionResponseTypes"],
            json!(["ReportBatchItemFailures"])
        );
        assert!(with(|s| s.retry_attempts = "twice".into())
            .unwrap_err()
            .contains("Retry attempts must be a whole number"));
        assert!(with(|s| s.batch_size = "ten".into())
            .unwrap_err()
            .contains("whole number"));
        assert!(with(|s| s.filter = "{\"a\": 1}".into())
            .unwrap_err()
            .contains("not valid"));
    }

    #[test]
    fn a_row_says_what_happens_when_the_function_fails() {
        // As ListEventSourceMappings describes a mapping created with Lambda's defaults.
        let defaults = json!({
            "MaximumRetryAttempts": -1,
            "MaximumRecordAgeInSeconds": -1,
            "BisectBatchOnFunctionError": false,
            "FunctionResponseTypes": [],
            "DestinationConfig": {"OnFailure": {}},
        });
        assert_eq!(on_error(&defaults), "retries until the records expire");
        let configured = json!({
            "MaximumRetryAttempts": 1,
            "MaximumRecordAgeInSeconds": 3600,
            "BisectBatchOnFunctionError": true,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:failed"}},
        });
        assert_eq!(
            on_error(&configured),
            "1 retry · gives up on records older than 3600 s · splits the batch · \
             function reports failed items · then to SQS queue failed"
        );
    }
}
