//! The function's triggers: its event source mappings on DynamoDB table streams, listed with
//! their state and last result (read every two seconds while the page is open), one form that
//! adds a trigger (CreateEventSourceMapping) or edits one (UpdateEventSourceMapping), and enable,
//! disable and delete per mapping.
use super::Page;
use crate::api::{call, name_from, str_of, AwsError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use nimbus_core::services::dynamodb::StreamArn;
use serde_json::{json, Map, Value};
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

/// The ARNs of the playground's queues, where a failed batch's details can go.
async fn queues(page: Page) -> Vec<String> {
    let Ok(out) = call(page.pg, "sqs", "ListQueues", json!({})).await else {
        return Vec::new();
    };
    let urls = out.get("QueueUrls").and_then(Value::as_array);
    urls.into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|url| {
            format!(
                "arn:aws:sqs:{}:{}:{}",
                nimbus_browser::REGION,
                nimbus_browser::ACCOUNT_ID,
                name_from(url)
            )
        })
        .collect()
}

/// How the form names an on-failure destination (an SQS queue or SNS topic ARN).
fn destination_label(arn: &str) -> String {
    match arn.split(':').nth(2) {
        Some("sqs") => format!("SQS queue {}", name_from(arn)),
        Some("sns") => format!("SNS topic {}", name_from(arn)),
        _ => arn.to_string(),
    }
}

/// The settings in the form, as typed.
#[derive(Clone, Debug, PartialEq)]
struct Settings {
    batch_size: String,
    batching_window: String,
    tumbling_window: String,
    /// Empty: Lambda's default, -1 (retry until the records expire).
    retry_attempts: String,
    /// Empty: Lambda's default, -1 (no limit).
    record_age: String,
    bisect_on_error: bool,
    report_item_failures: bool,
    /// `None` for a trigger with several filter patterns, which the form leaves as they are.
    filter: Option<String>,
    /// Where a failed batch's details go (an ARN); empty: nowhere.
    on_failure: String,
}

impl Settings {
    /// A new trigger's: Lambda's defaults, batches of 100 as the console offers.
    fn new_trigger() -> Settings {
        Settings {
            batch_size: "100".into(),
            batching_window: "0".into(),
            tumbling_window: "0".into(),
            retry_attempts: String::new(),
            record_age: String::new(),
            bisect_on_error: false,
            report_item_failures: false,
            filter: Some(String::new()),
            on_failure: String::new(),
        }
    }

    /// An existing trigger's, as ListEventSourceMappings describes it.
    fn of(mapping: &Value) -> Settings {
        let number = |key, unset: i64| match mapping.get(key).and_then(Value::as_i64) {
            Some(n) if n != unset => n.to_string(),
            _ => String::new(),
        };
        let patterns: Vec<&str> = mapping
            .pointer("/FilterCriteria/Filters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|f| str_of(f, "Pattern"))
            .collect();
        Settings {
            batch_size: number("BatchSize", -1),
            batching_window: number("MaximumBatchingWindowInSeconds", -1),
            tumbling_window: number("TumblingWindowInSeconds", -1),
            retry_attempts: number("MaximumRetryAttempts", -1),
            record_age: number("MaximumRecordAgeInSeconds", -1),
            bisect_on_error: mapping.get("BisectBatchOnFunctionError") == Some(&json!(true)),
            report_item_failures: mapping
                .get("FunctionResponseTypes")
                .and_then(Value::as_array)
                .is_some_and(|t| t.contains(&json!("ReportBatchItemFailures"))),
            filter: match patterns[..] {
                [] => Some(String::new()),
                [one] => Some(one.to_string()),
                _ => None,
            },
            on_failure: mapping
                .pointer("/DestinationConfig/OnFailure/Destination")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        }
    }

    /// The members CreateEventSourceMapping and UpdateEventSourceMapping share. An update
    /// names a removed filter or destination with an empty one, as Lambda takes it; Lambda's
    /// own errors answer values out of its ranges.
    fn input(&self, update: bool) -> Result<Map<String, Value>, String> {
        let number = |text: &str, what: &str, empty: i64| {
            let text = text.trim();
            if text.is_empty() {
                return Ok(empty);
            }
            text.parse::<i64>()
                .map_err(|_| format!("{what} must be a whole number."))
        };
        let mut input = Map::new();
        input.insert(
            "BatchSize".into(),
            json!(number(&self.batch_size, "Batch size", 100)?),
        );
        let window = number(&self.batching_window, "Batching window", 0)?;
        input.insert("MaximumBatchingWindowInSeconds".into(), json!(window));
        let tumbling = number(&self.tumbling_window, "Tumbling window", 0)?;
        input.insert("TumblingWindowInSeconds".into(), json!(tumbling));
        let retries = number(&self.retry_attempts, "Retry attempts", -1)?;
        input.insert("MaximumRetryAttempts".into(), json!(retries));
        let age = number(&self.record_age, "Maximum record age", -1)?;
        input.insert("MaximumRecordAgeInSeconds".into(), json!(age));
        input.insert(
            "BisectBatchOnFunctionError".into(),
            json!(self.bisect_on_error),
        );
        let response_types: &[&str] = if self.report_item_failures {
            &["ReportBatchItemFailures"]
        } else {
            &[]
        };
        input.insert("FunctionResponseTypes".into(), json!(response_types));
        match self.filter.as_deref().map(str::trim) {
            Some("") if update => {
                input.insert("FilterCriteria".into(), json!({}));
            }
            Some("") | None => {}
            Some(pattern) => {
                nimbus_core::event_pattern::parse(pattern)
                    .map_err(|e| format!("The filter pattern is not valid: {e}."))?;
                let criteria = json!({"Filters": [{"Pattern": pattern}]});
                input.insert("FilterCriteria".into(), criteria);
            }
        }
        if !self.on_failure.is_empty() || update {
            let on_failure = match self.on_failure.as_str() {
                "" => json!({}),
                arn => json!({"Destination": arn}),
            };
            input.insert("DestinationConfig".into(), json!({"OnFailure": on_failure}));
        }
        Ok(input)
    }
}

/// What the form edits: a new trigger of the function, or one it has (its mapping).
#[derive(Clone, Debug, PartialEq)]
enum Editing {
    New,
    Existing(Value),
}

impl Editing {
    fn settings(&self) -> Settings {
        match self {
            Editing::New => Settings::new_trigger(),
            Editing::Existing(mapping) => Settings::of(mapping),
        }
    }
}

/// The request that adds a trigger on `stream_arn`, or edits the existing one.
fn request(
    editing: &Editing,
    function: &str,
    stream_arn: &str,
    position: &str,
    s: &Settings,
) -> Result<(&'static str, Value), String> {
    Ok(match editing {
        Editing::New => {
            let mut input = s.input(false)?;
            input.insert("FunctionName".into(), json!(function));
            input.insert("EventSourceArn".into(), json!(stream_arn));
            input.insert("StartingPosition".into(), json!(position));
            ("CreateEventSourceMapping", Value::Object(input))
        }
        Editing::Existing(mapping) => {
            let mut input = s.input(true)?;
            input.insert("UUID".into(), json!(str_of(mapping, "UUID")));
            ("UpdateEventSourceMapping", Value::Object(input))
        }
    })
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
        parts.push(format!("then to {}", destination_label(arn)));
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
    let editing = RwSignal::new(None::<Editing>);

    view! {
        <section class="card fn-triggers">
            <div class="card-head">
                <h2>"Triggers"</h2>
                <span class="muted small">"Event source mappings: Lambda reads a table's stream and invokes this function with batches of records."</span>
                <span class="spacer"></span>
                <button name="add-trigger" on:click=move |_| editing.update(|e| *e = if e.is_some() { None } else { Some(Editing::New) })>
                    {move || if editing.with(Option::is_some) { "Close" } else { "Add trigger" }}
                </button>
            </div>
            {move || editing.get().map(|e| view! {
                <TriggerForm page editing=e on_done=move || { editing.set(None); refresh(); } />
            })}
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
                            {list.into_iter().map(|m| view! { <TriggerRow page mapping=m on_change=refresh editing /> }).collect_view()}
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
    editing: RwSignal<Option<Editing>>,
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
    let edit = {
        let mapping = mapping.clone();
        move |_| editing.set(Some(Editing::Existing(mapping.clone())))
    };
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
                    <button class="link" name="edit-trigger" on:click=edit.clone()>"Edit"</button>
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

/// A text field of the form.
#[component]
fn Field(
    value: RwSignal<String>,
    name: &'static str,
    label: &'static str,
    #[prop(optional)] title: &'static str,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    view! {
        <label title=title>
            {label}
            <input name=name placeholder=placeholder prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
        </label>
    }
}

/// A checkbox of the form.
#[component]
fn Check(
    value: RwSignal<bool>,
    name: &'static str,
    label: &'static str,
    title: &'static str,
) -> impl IntoView {
    view! {
        <label class="inline" title=title>
            <input type="checkbox" name=name prop:checked=move || value.get() on:change=move |ev| value.set(event_target_checked(&ev)) />
            {label}
        </label>
    }
}

#[component]
fn TriggerForm(
    page: Page,
    editing: Editing,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let choices = LocalResource::new(move || async move {
        Ok::<_, AwsError>((tables(page).await?, queues(page).await))
    });
    let initial = editing.settings();
    let existing = match &editing {
        Editing::New => None,
        Editing::Existing(mapping) => Some(mapping.clone()),
    };
    let editing = StoredValue::new(editing);
    let table = RwSignal::new(String::new());
    let position = RwSignal::new("LATEST".to_string());
    let batch_size = RwSignal::new(initial.batch_size);
    let batching_window = RwSignal::new(initial.batching_window);
    let tumbling_window = RwSignal::new(initial.tumbling_window);
    let retry_attempts = RwSignal::new(initial.retry_attempts);
    let record_age = RwSignal::new(initial.record_age);
    let bisect_on_error = RwSignal::new(initial.bisect_on_error);
    let report_item_failures = RwSignal::new(initial.report_item_failures);
    let several_filters = initial.filter.is_none();
    let filter = RwSignal::new(initial.filter.unwrap_or_default());
    let on_failure = RwSignal::new(initial.on_failure);
    let settings = move || Settings {
        batch_size: batch_size.get(),
        batching_window: batching_window.get(),
        tumbling_window: tumbling_window.get(),
        retry_attempts: retry_attempts.get(),
        record_age: record_age.get(),
        bisect_on_error: bisect_on_error.get(),
        report_item_failures: report_item_failures.get(),
        filter: (!several_filters).then(|| filter.get()),
        on_failure: on_failure.get(),
    };
    let stream_of = move |name: &str| -> Option<String> {
        choices.with(|c| match c {
            Some(Ok((tables, _))) => tables.iter().find(|t| t.name == name)?.stream_arn.clone(),
            _ => None,
        })
    };
    let is_new = existing.is_none();
    let request = move || -> Result<(&'static str, Value), String> {
        let stream = if is_new {
            let name = table.get();
            if name.is_empty() {
                return Err("Choose a table with a stream.".into());
            }
            stream_of(&name).ok_or_else(|| {
                format!("Table {name} has no stream: turn one on in its settings (StreamSpecification) first.")
            })?
        } else {
            String::new()
        };
        editing.with_value(|e| request(e, &page.function(), &stream, &position.get(), &settings()))
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok((operation, input)) = request() else {
            return;
        };
        spawn_local(async move {
            match call(page.pg, "lambda", operation, input).await {
                Ok(_) => {
                    page.status.ok(if is_new {
                        "Trigger added."
                    } else {
                        "Trigger saved."
                    });
                    on_done();
                }
                Err(e) => page.status.fail(e),
            }
        });
    };
    view! {
        <form class="form trigger-form" on:submit=submit>
            {existing.map(|mapping| view! {
                <p class="small">
                    "Editing the trigger on table "<strong>{table_of(str_of(&mapping, "EventSourceArn")).to_string()}</strong>
                    " from " {str_of(&mapping, "StartingPosition").to_string()}
                    <span class="muted">" (its table and starting position stay as they are)"</span>
                </p>
            })}
            {move || match choices.get() {
                None => view! { <p class="muted small">"Reading the tables…"</p> }.into_any(),
                Some(Err(e)) => view! { <crate::views::common::ErrorBox error=RwSignal::new(Some(e)) /> }.into_any(),
                Some(Ok((tables, mut queues))) => {
                    let current = on_failure.get_untracked();
                    if !current.is_empty() && !queues.contains(&current) {
                        queues.push(current);
                    }
                    view! {
                    <div class="config-grid">
                        <Show when=move || is_new>
                            <label>
                                "DynamoDB table"
                                <select name="trigger-table" prop:value=move || table.get() on:change=move |ev| table.set(event_target_value(&ev))>
                                    <option value="">"Choose a table"</option>
                                    {tables.iter().map(|t| {
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
                        </Show>
                        <Field value=batch_size name="trigger-batch-size" label="Batch size" />
                        <Field value=batching_window name="trigger-window" label="Batching window (seconds)" />
                        <Field value=tumbling_window name="trigger-tumbling-window" label="Tumbling window (seconds)"
                            title="Aggregate records over fixed windows: each invocation gets the state the last one returned, and a final invocation the window's result. 0: none." />
                        <Field value=retry_attempts name="trigger-retry-attempts" label="Retry attempts" placeholder="-1 (until the records expire)"
                            title="How often Lambda retries a batch the function failed on; empty: -1, until its records expire." />
                        <Field value=record_age name="trigger-record-age" label="Maximum record age (seconds)" placeholder="-1 (no limit)"
                            title="Lambda stops retrying records older than this; empty: -1, no limit." />
                        <label>
                            "On failure, send the batch's details to"
                            <select name="trigger-on-failure" prop:value=move || on_failure.get() on:change=move |ev| on_failure.set(event_target_value(&ev))>
                                <option value="">"nowhere"</option>
                                {queues.into_iter().map(|arn| view! { <option value=arn.clone()>{destination_label(&arn)}</option> }).collect_view()}
                            </select>
                        </label>
                    </div>
                    }.into_any()
                }
            }}
            <div class="row wrap">
                <Check value=bisect_on_error name="trigger-bisect" label="Split the batch in two on a function error"
                    title="BisectBatchOnFunctionError: retry each half of a failed batch on its own, to isolate the record that fails." />
                <Check value=report_item_failures name="trigger-report-failures" label="The function reports the records that failed (ReportBatchItemFailures)"
                    title="FunctionResponseTypes ReportBatchItemFailures: the function returns {batchItemFailures: [{itemIdentifier: sequence number}]} and Lambda retries from the first failed record." />
            </div>
            {if several_filters {
                view! { <p class="muted small">"This trigger has several filter patterns; they stay as they are (UpdateEventSourceMapping's FilterCriteria changes them)."</p> }.into_any()
            } else {
                view! {
                    <label class="field">
                        "Filter pattern (optional)"
                        <textarea name="trigger-filter" rows="2" class="mono" placeholder=r#"{"eventName": ["INSERT"]}"#
                            prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev))></textarea>
                    </label>
                }.into_any()
            }}
            {move || request().err().filter(|_| !is_new || !table.get().is_empty()).map(|e| view! { <p class="field-error">{e}</p> })}
            <button class="primary" type="submit" name="save-trigger" disabled=move || request().is_err()>
                {if is_new { "Add trigger" } else { "Save trigger" }}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STREAM: &str =
        "arn:aws:dynamodb:us-east-1:123456789012:table/notes/stream/2026-01-01T00:00:00.000";

    fn changed(change: fn(&mut Settings)) -> Settings {
        let mut settings = Settings::new_trigger();
        change(&mut settings);
        settings
    }

    #[test]
    fn a_new_trigger_sends_what_lambda_takes() {
        assert_eq!(table_of(STREAM), "notes");
        let new = |s: &Settings| request(&Editing::New, "f", STREAM, "LATEST", s);
        let (operation, input) = new(&Settings::new_trigger()).unwrap();
        assert_eq!(operation, "CreateEventSourceMapping");
        assert_eq!(
            input,
            json!({
                "FunctionName": "f",
                "EventSourceArn": STREAM,
                "StartingPosition": "LATEST",
                "BatchSize": 100,
                "MaximumBatchingWindowInSeconds": 0,
                "TumblingWindowInSeconds": 0,
                "MaximumRetryAttempts": -1,
                "MaximumRecordAgeInSeconds": -1,
                "BisectBatchOnFunctionError": false,
                "FunctionResponseTypes": [],
            })
        );
        let (_, input) = new(&changed(|s| {
            s.retry_attempts = " 2 ".into();
            s.record_age = "3600".into();
            s.bisect_on_error = true;
            s.report_item_failures = true;
            s.filter = Some(r#"{"eventName":["INSERT"]}"#.into());
            s.on_failure = "arn:aws:sqs:us-east-1:123456789012:failed".into();
        }))
        .unwrap();
        assert_eq!(input["MaximumRetryAttempts"], 2);
        assert_eq!(input["MaximumRecordAgeInSeconds"], 3600);
        assert_eq!(input["BisectBatchOnFunctionError"], true);
        assert_eq!(
            input["FunctionResponseTypes"],
            json!(["ReportBatchItemFailures"])
        );
        assert_eq!(
            input["FilterCriteria"]["Filters"][0]["Pattern"],
            r#"{"eventName":["INSERT"]}"#
        );
        assert_eq!(
            input["DestinationConfig"]["OnFailure"]["Destination"],
            "arn:aws:sqs:us-east-1:123456789012:failed"
        );
        assert!(new(&changed(|s| s.retry_attempts = "twice".into()))
            .unwrap_err()
            .contains("Retry attempts must be a whole number"));
        assert!(new(&changed(|s| s.batch_size = "ten".into()))
            .unwrap_err()
            .contains("whole number"));
        assert!(new(&changed(|s| s.filter = Some("{\"a\": 1}".into())))
            .unwrap_err()
            .contains("not valid"));
    }

    #[test]
    fn an_edited_trigger_keeps_what_the_form_cannot_show_and_clears_what_was_emptied() {
        // As ListEventSourceMappings describes a configured mapping.
        let mapping = json!({
            "UUID": "u-1",
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 5,
            "TumblingWindowInSeconds": 0,
            "MaximumRetryAttempts": 1,
            "MaximumRecordAgeInSeconds": -1,
            "BisectBatchOnFunctionError": true,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "FilterCriteria": {"Filters": [{"Pattern": "{\"eventName\":[\"INSERT\"]}"}]},
            "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sns:us-east-1:123456789012:alerts"}},
        });
        let editing = Editing::Existing(mapping.clone());
        let settings = editing.settings();
        assert_eq!(settings.batch_size, "10");
        assert_eq!(settings.retry_attempts, "1");
        assert_eq!(settings.record_age, "", "-1 shows as Lambda's default");
        assert_eq!(
            settings.filter.as_deref(),
            Some("{\"eventName\":[\"INSERT\"]}")
        );
        assert_eq!(destination_label(&settings.on_failure), "SNS topic alerts");
        let (operation, input) = request(&editing, "f", "", "", &settings).unwrap();
        assert_eq!(operation, "UpdateEventSourceMapping");
        assert_eq!(input["UUID"], "u-1");
        assert!(input.get("EventSourceArn").is_none() && input.get("StartingPosition").is_none());
        assert_eq!(input["MaximumBatchingWindowInSeconds"], 5);
        assert_eq!(input["FilterCriteria"], mapping["FilterCriteria"]);
        assert_eq!(input["DestinationConfig"], mapping["DestinationConfig"]);

        let mut emptied = settings.clone();
        emptied.filter = Some(String::new());
        emptied.on_failure = String::new();
        emptied.report_item_failures = false;
        let (_, input) = request(&editing, "f", "", "", &emptied).unwrap();
        assert_eq!(input["FilterCriteria"], json!({}));
        assert_eq!(input["DestinationConfig"], json!({"OnFailure": {}}));
        assert_eq!(input["FunctionResponseTypes"], json!([]));

        let mut several = mapping;
        several["FilterCriteria"]["Filters"] = json!([{"Pattern": "{}"}, {"Pattern": "{}"}]);
        let editing = Editing::Existing(several);
        let (_, input) = request(&editing, "f", "", "", &editing.settings()).unwrap();
        assert!(
            input.get("FilterCriteria").is_none(),
            "several filters stay as they are"
        );
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
