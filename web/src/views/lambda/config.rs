//! The configuration form: runtime, handler, memory, timeout, environment variables and reserved
//! concurrency, checked as the person types against Lambda's limits, with Lambda's own messages
//! (the very checks the core makes in crates/core/src/services/lambda/mod.rs).
use super::Page;
use crate::api::{call, str_of};
use leptos::prelude::*;
use leptos::task::spawn_local;
use nimbus_core::services::lambda::{self, SUPPORTED_RUNTIMES};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A whole number for `check`, or what to type instead.
fn whole_number(
    text: &str,
    check: impl Fn(i32) -> Result<(), nimbus_shapes::ServiceError>,
) -> Option<String> {
    match text.trim().parse::<i32>() {
        Ok(value) => check(value).err().map(|e| e.message),
        Err(_) => Some("Enter a whole number.".to_string()),
    }
}

pub fn memory_error(text: &str) -> Option<String> {
    whole_number(text, |v| lambda::check_memory_size(Some(v)))
}

pub fn timeout_error(text: &str) -> Option<String> {
    whole_number(text, |v| lambda::check_timeout(Some(v)))
}

pub fn handler_error(handler: &str) -> Option<String> {
    lambda::check_handler(handler).err().map(|e| e.message)
}

/// Reserved concurrency: empty means unreserved. The account's other reservations are not
/// known here, so the server may still refuse a value the form accepts.
pub fn concurrency_error(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return None;
    }
    whole_number(text, |v| lambda::check_reserved_concurrency(v, 0))
}

/// The variables as Lambda checks them: key pattern, reserved keys, 4 KB measured as JSON.
pub fn environment_error(rows: &[(String, String)]) -> Option<String> {
    let mut variables = BTreeMap::new();
    for (key, value) in rows {
        if variables.insert(key.clone(), value.clone()).is_some() {
            return Some(format!(
                "The key {key} appears twice; each variable needs its own key."
            ));
        }
    }
    lambda::check_environment(&variables)
        .err()
        .map(|e| e.message)
}

/// Lambda measures the variables as a JSON object.
fn environment_bytes(variables: &BTreeMap<String, String>) -> usize {
    serde_json::to_string(variables).map_or(0, |s| s.len())
}

#[derive(Clone, Copy)]
struct EnvRow {
    id: usize,
    key: RwSignal<String>,
    value: RwSignal<String>,
}

#[component]
pub fn ConfigPanel(page: Page) -> impl IntoView {
    let (runtime, handler, memory, timeout, variables) = page.config.with_untracked(|c| {
        let number = |member: &str| c.get(member).and_then(Value::as_i64).unwrap_or(0);
        let variables: Vec<(String, String)> = c
            .get("Environment")
            .and_then(|e| e.get("Variables"))
            .and_then(Value::as_object)
            .map(|vars| {
                vars.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        (
            str_of(c, "Runtime").to_string(),
            str_of(c, "Handler").to_string(),
            number("MemorySize").to_string(),
            number("Timeout").to_string(),
            variables,
        )
    });
    let runtime = RwSignal::new(runtime);
    let handler = RwSignal::new(handler);
    let memory = RwSignal::new(memory);
    let timeout = RwSignal::new(timeout);
    let concurrency = RwSignal::new(
        page.reserved
            .get_untracked()
            .map(|n| n.to_string())
            .unwrap_or_default(),
    );
    let next_id = StoredValue::new(0usize);
    let new_row = move |key: String, value: String| {
        let id = next_id.get_value();
        next_id.set_value(id + 1);
        EnvRow {
            id,
            key: RwSignal::new(key),
            value: RwSignal::new(value),
        }
    };
    let rows = RwSignal::new(
        variables
            .into_iter()
            .map(|(k, v)| new_row(k, v))
            .collect::<Vec<_>>(),
    );
    let env_pairs = move || {
        rows.with(|rows| {
            // A row left blank is not a variable yet.
            rows.iter()
                .map(|r| (r.key.get().trim().to_string(), r.value.get()))
                .filter(|(k, v)| !(k.is_empty() && v.is_empty()))
                .collect::<Vec<_>>()
        })
    };
    let env_bytes = move || environment_bytes(&env_pairs().into_iter().collect());
    let saving = RwSignal::new(false);

    let invalid = move || {
        memory.with(|m| memory_error(m)).is_some()
            || timeout.with(|t| timeout_error(t)).is_some()
            || handler.with(|h| handler_error(h.trim())).is_some()
            || concurrency.with(|c| concurrency_error(c)).is_some()
            || environment_error(&env_pairs()).is_some()
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if invalid() {
            return;
        }
        let variables: BTreeMap<String, String> = env_pairs().into_iter().collect();
        let input = json!({
            "FunctionName": page.function(),
            "Runtime": runtime.get_untracked(),
            "Handler": handler.get_untracked().trim(),
            "MemorySize": memory.get_untracked().trim().parse::<i64>().unwrap_or(128),
            "Timeout": timeout.get_untracked().trim().parse::<i64>().unwrap_or(3),
            "Environment": {"Variables": variables},
        });
        let wanted = concurrency.get_untracked().trim().parse::<i64>().ok();
        saving.set(true);
        spawn_local(async move {
            let outcome = async {
                let config = call(page.pg, "lambda", "UpdateFunctionConfiguration", input).await?;
                page.config.set(config);
                let function = page.function();
                match wanted {
                    Some(n) if page.reserved.get_untracked() != Some(n) => {
                        let input =
                            json!({"FunctionName": function, "ReservedConcurrentExecutions": n});
                        call(page.pg, "lambda", "PutFunctionConcurrency", input).await?;
                    }
                    None if page.reserved.get_untracked().is_some() => {
                        let input = json!({"FunctionName": function});
                        call(page.pg, "lambda", "DeleteFunctionConcurrency", input).await?;
                    }
                    _ => {}
                }
                page.reserved.set(wanted);
                Ok::<(), crate::api::AwsError>(())
            }
            .await;
            saving.set(false);
            match outcome {
                Ok(()) => page.status.ok("Configuration saved."),
                Err(e) => page.status.fail(e),
            }
        });
    };

    view! {
        <form class="card form fn-config" on:submit=save>
            <h2>"Configuration"</h2>
            <div class="config-grid">
                <label>
                    "Runtime"
                    <select name="config-runtime" prop:value=move || runtime.get() on:change=move |ev| runtime.set(event_target_value(&ev))>
                        {SUPPORTED_RUNTIMES.iter().rev().map(|r| view! { <option value=*r selected=runtime.get_untracked() == *r>{*r}</option> }).collect_view()}
                    </select>
                </label>
                <Field label="Handler" name="config-handler" value=handler error=Signal::derive(move || handler.with(|h| handler_error(h.trim())))
                    hint="file.export, e.g. index.handler" />
                <Field label="Memory (MB)" name="config-memory" value=memory error=Signal::derive(move || memory.with(|m| memory_error(m)))
                    hint="128 to 10,240 MB" />
                <Field label="Timeout (seconds)" name="config-timeout" value=timeout error=Signal::derive(move || timeout.with(|t| timeout_error(t)))
                    hint="1 to 900 seconds" />
                <Field label="Reserved concurrency" name="config-concurrency" value=concurrency
                    error=Signal::derive(move || concurrency.with(|c| concurrency_error(c)))
                    hint="Empty: use the account's unreserved pool" />
            </div>
            <div class="env">
                <div class="card-head">
                    <h3>"Environment variables"</h3>
                    <span class="spacer"></span>
                    <span class="muted small" class=("error-text", move || env_bytes() > lambda::ENV_LIMIT_BYTES)>
                        {move || format!("{} of 4,096 bytes", env_bytes())}
                    </span>
                </div>
                <For each=move || rows.get() key=|row| row.id let:row>
                    <div class="row env-row">
                        <input class="env-key" placeholder="KEY" aria-label="Key"
                            prop:value=move || row.key.get() on:input=move |ev| row.key.set(event_target_value(&ev)) />
                        <input class="env-value" placeholder="value" aria-label="Value"
                            prop:value=move || row.value.get() on:input=move |ev| row.value.set(event_target_value(&ev)) />
                        <button type="button" class="link danger" title="Remove this variable"
                            on:click=move |_| rows.update(|rows| rows.retain(|r| r.id != row.id))>"Remove"</button>
                    </div>
                </For>
                {move || environment_error(&env_pairs()).map(|e| view! { <p class="field-error">{e}</p> })}
                <button type="button" name="add-variable" on:click=move |_| {
                    let row = new_row(String::new(), String::new());
                    rows.update(|rows| rows.push(row));
                }>"Add variable"</button>
            </div>
            <div class="row">
                <button class="primary" type="submit" name="save-config" disabled=move || invalid() || saving.get()>
                    {move || if saving.get() { "Saving…" } else { "Save configuration" }}
                </button>
                {move || invalid().then(|| view! { <span class="muted small">"Fix the fields marked in red to save."</span> })}
            </div>
        </form>
    }
}

#[component]
fn Field(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
    hint: &'static str,
) -> impl IntoView {
    view! {
        <label class="field">
            {label}
            <input name=name class:invalid=move || error.get().is_some()
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            {move || match error.get() {
                Some(e) => view! { <span class="field-error">{e}</span> }.into_any(),
                None => view! { <span class="muted small">{hint}</span> }.into_any(),
            }}
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_use_lambda_messages() {
        assert!(memory_error("128").is_none());
        assert!(memory_error("10240").is_none());
        assert!(memory_error("127")
            .unwrap()
            .contains("greater than or equal to 128"));
        assert!(timeout_error("901")
            .unwrap()
            .contains("less than or equal to 900"));
        assert!(concurrency_error("").is_none());
        assert!(concurrency_error("901")
            .unwrap()
            .contains("minimum value of [100]"));
        let big = vec![("BIG".to_string(), "x".repeat(4090))];
        assert!(environment_error(&big).unwrap().contains("4KB limit"));
        let reserved = vec![("AWS_REGION".to_string(), "x".to_string())];
        assert!(environment_error(&reserved)
            .unwrap()
            .contains("reserved keys"));
        let bad = vec![("1A".to_string(), "x".to_string())];
        assert!(environment_error(&bad)
            .unwrap()
            .contains("[a-zA-Z]([a-zA-Z0-9_])+"));
    }
}
