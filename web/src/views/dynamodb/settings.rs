//! The table's settings at a glance: status, key schema, indexes, capacity (and what this session
//! consumed), Time to Live with the playground's clock, stream, item count.
use super::attrs::{indexes, key_schema, type_label, KeyAttr};
use super::capacity::{CapacityEditor, CapacityFacts, Consumed};
use super::clock::Clock;
use super::index_editor::{AddIndex, DeleteIndex};
use crate::api::{call, use_playground, AwsError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};

fn keys_text(keys: &[KeyAttr]) -> String {
    keys.iter()
        .map(|k| format!("{} {} ({})", k.role, k.name, type_label(&k.kind)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn stream_text(table: &Value) -> String {
    let spec = &table["StreamSpecification"];
    if spec["StreamEnabled"].as_bool() == Some(true) {
        format!(
            "Enabled ({})",
            spec["StreamViewType"].as_str().unwrap_or("?")
        )
    } else {
        "Off".into()
    }
}

/// TTL lives outside DescribeTable: DescribeTimeToLive says whether it is on, and on which attribute.
fn ttl_text(out: &Value) -> String {
    let d = &out["TimeToLiveDescription"];
    match (d["TimeToLiveStatus"].as_str(), d["AttributeName"].as_str()) {
        (Some(status), Some(attr)) => format!("{status} (attribute {attr})"),
        (Some(status), None) => status.to_string(),
        _ => "Unknown".into(),
    }
}

fn items_text(table: &Value) -> String {
    let count = table["ItemCount"].as_u64().unwrap_or(0);
    format!(
        "{count} item{}, {} bytes",
        if count == 1 { "" } else { "s" },
        table["TableSizeBytes"].as_u64().unwrap_or(0)
    )
}

/// Whether DescribeTimeToLive says TTL is off (so the settings offer to turn it on).
fn ttl_disabled(out: &Value) -> bool {
    out["TimeToLiveDescription"]["TimeToLiveStatus"].as_str() == Some("DISABLED")
}

#[component]
pub fn Settings(
    table: Value,
    consumed: Consumed,
    /// Runs after the clock is moved on (the grid reads again and expired items are gone).
    on_advanced: Callback<i64>,
    /// Bumped after the explorer changed items: the item count is read again.
    changed: RwSignal<u32>,
) -> impl IntoView {
    let pg = use_playground();
    let name = StoredValue::new(table["TableName"].as_str().unwrap_or_default().to_string());
    let ttl_changed = RwSignal::new(0u32);
    let ttl = LocalResource::new(move || {
        ttl_changed.track();
        let input = json!({ "TableName": name.get_value() });
        async move { call(pg, "dynamodb", "DescribeTimeToLive", input).await }
    });
    let ttl_attr = RwSignal::new("expiresAt".to_string());
    let ttl_error: RwSignal<Option<AwsError>> = RwSignal::new(None);
    let enable_ttl = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = json!({
            "TableName": name.get_value(),
            "TimeToLiveSpecification": {"Enabled": true, "AttributeName": ttl_attr.get_untracked().trim()},
        });
        spawn_local(async move {
            match call(pg, "dynamodb", "UpdateTimeToLive", input).await {
                Ok(_) => {
                    ttl_error.set(None);
                    ttl_changed.update(|n| *n += 1);
                }
                Err(e) => ttl_error.set(Some(e)),
            }
        });
    };
    let keys = key_schema(&table);
    let index_list = indexes(&table);
    let status = format!(
        "{} · {}",
        table["TableStatus"].as_str().unwrap_or("?"),
        table["TableArn"].as_str().unwrap_or("")
    );
    let items = RwSignal::new(items_text(&table));
    Effect::watch(
        move || changed.get(),
        move |_, _, _| {
            let input = json!({ "TableName": name.get_value() });
            spawn_local(async move {
                if let Ok(out) = call(pg, "dynamodb", "DescribeTable", input).await {
                    items.try_set(items_text(&out["Table"]));
                }
            });
        },
        false,
    );
    view! {
        <p class="muted small table-summary">{status}</p>
        <section class="card settings">
            <dl class="facts">
                <div><dt>"Key schema"</dt><dd class="key-schema">{keys_text(&keys)}</dd></div>
                <CapacityFacts table=table.clone() consumed />
                <div><dt>"Time to live"</dt><dd class="ttl">{move || match ttl.get() {
                    None => "…".to_string(),
                    Some(Ok(out)) => ttl_text(&out),
                    Some(Err(e)) => format!("Unavailable ({})", e.code),
                }}</dd></div>
                <div><dt>"Stream"</dt><dd class="stream">{stream_text(&table)}</dd></div>
                <div><dt>"Item count"</dt><dd class="item-count" title="DynamoDB updates this about every six hours; Nimbus keeps it current">{items}</dd></div>
            </dl>
            {(!index_list.is_empty()).then(|| view! {
                <table class="grid indexes">
                    <thead><tr><th>"Index"</th><th>"Type"</th><th>"Keys"</th><th>"Projection"</th><th></th></tr></thead>
                    <tbody>
                        {index_list.into_iter().map(|i| view! {
                            <tr data-index=i.name.clone()>
                                <td class="key">{i.name.clone()}</td>
                                <td>{i.kind}</td>
                                <td>{keys_text(&i.keys)}</td>
                                <td>{i.projection.clone()}</td>
                                // A local secondary index lives and dies with its table.
                                <td class="actions">{(i.kind == "GSI").then(|| view! { <DeleteIndex table=name.get_value() index=i.name.clone() /> })}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            <AddIndex table=table.clone() />
            {move || matches!(ttl.get(), Some(Ok(out)) if ttl_disabled(&out)).then(|| view! {
                <form class="inline ttl-enable" on:submit=enable_ttl>
                    <span class="muted small">"Turn on Time to Live: items expire at the epoch seconds in attribute"</span>
                    <input name="ttl-attribute" required prop:value=move || ttl_attr.get()
                        on:input=move |ev| ttl_attr.set(event_target_value(&ev)) />
                    <button type="submit" name="enable-ttl">"Turn on TTL"</button>
                </form>
            })}
            <crate::views::common::ErrorBox error=ttl_error />
            <CapacityEditor table=table.clone() />
            <Clock on_advanced />
        </section>
    }
}
