//! The table's settings at a glance: status, key schema, indexes, capacity, stream, item count.
use super::attrs::{indexes, key_schema, type_label, KeyAttr};
use crate::api::{call, use_playground};
use leptos::prelude::*;
use serde_json::{json, Value};

fn keys_text(keys: &[KeyAttr]) -> String {
    keys.iter()
        .map(|k| format!("{} {} ({})", k.role, k.name, type_label(&k.kind)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "On demand (PAY_PER_REQUEST)" or the provisioned read/write capacity units.
fn capacity_text(table: &Value) -> String {
    let mode = table["BillingModeSummary"]["BillingMode"]
        .as_str()
        .unwrap_or("PROVISIONED");
    if mode == "PAY_PER_REQUEST" {
        return "On demand (PAY_PER_REQUEST)".into();
    }
    let t = &table["ProvisionedThroughput"];
    format!(
        "Provisioned: {} RCU, {} WCU",
        t["ReadCapacityUnits"].as_u64().unwrap_or(0),
        t["WriteCapacityUnits"].as_u64().unwrap_or(0)
    )
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

#[component]
pub fn Settings(table: Value) -> impl IntoView {
    let pg = use_playground();
    let name = table["TableName"].as_str().unwrap_or_default().to_string();
    let ttl = LocalResource::new(move || {
        let input = json!({ "TableName": name.clone() });
        async move { call(pg, "dynamodb", "DescribeTimeToLive", input).await }
    });
    let keys = key_schema(&table);
    let index_list = indexes(&table);
    let status = format!(
        "{} · {}",
        table["TableStatus"].as_str().unwrap_or("?"),
        table["TableArn"].as_str().unwrap_or("")
    );
    let items = format!(
        "{} items, {} bytes",
        table["ItemCount"].as_u64().unwrap_or(0),
        table["TableSizeBytes"].as_u64().unwrap_or(0)
    );
    view! {
        <p class="muted small table-summary">{status}</p>
        <section class="card settings">
            <dl class="facts">
                <div><dt>"Key schema"</dt><dd class="key-schema">{keys_text(&keys)}</dd></div>
                <div><dt>"Capacity"</dt><dd class="capacity">{capacity_text(&table)}</dd></div>
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
                    <thead><tr><th>"Index"</th><th>"Type"</th><th>"Keys"</th><th>"Projection"</th></tr></thead>
                    <tbody>
                        {index_list.into_iter().map(|i| view! {
                            <tr>
                                <td class="key">{i.name.clone()}</td>
                                <td>{i.kind}</td>
                                <td>{keys_text(&i.keys)}</td>
                                <td>{i.projection.clone()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}
