//! Adding and deleting a table's global secondary indexes (UpdateTable's
//! GlobalSecondaryIndexUpdates). What the person types goes to DynamoDB as typed: its own
//! errors say what is wrong (a key attribute defined with another type, a projection without
//! attributes, the index limit).
use super::capacity::on_demand;
use super::{KeyTypeSelect, TableUpdate};
use crate::views::common::ErrorBox;
use leptos::prelude::*;
use serde_json::{json, Value};

/// The index as typed into the form.
#[derive(Clone, Debug, PartialEq)]
struct NewIndex {
    name: String,
    partition_key: (String, String),
    /// An empty name: no sort key.
    sort_key: (String, String),
    projection: String,
    /// INCLUDE's attributes, comma-separated.
    non_key_attributes: String,
}

/// The UpdateTable that adds `index` to `table`. AttributeDefinitions carries the index's key
/// attributes; a provisioned table's index gets the table's units.
fn create_input(table: &Value, index: &NewIndex) -> Value {
    let mut definitions = Vec::new();
    let mut schema = Vec::new();
    for ((name, kind), role) in [(&index.partition_key, "HASH"), (&index.sort_key, "RANGE")] {
        let name = name.trim();
        if role == "RANGE" && name.is_empty() {
            continue;
        }
        definitions.push(json!({"AttributeName": name, "AttributeType": kind}));
        schema.push(json!({"AttributeName": name, "KeyType": role}));
    }
    let mut projection = json!({"ProjectionType": index.projection});
    if index.projection == "INCLUDE" {
        let names: Vec<&str> = index
            .non_key_attributes
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect();
        projection["NonKeyAttributes"] = json!(names);
    }
    let mut create = json!({
        "IndexName": index.name.trim(),
        "KeySchema": schema,
        "Projection": projection,
    });
    if !on_demand(table) {
        let units = &table["ProvisionedThroughput"];
        create["ProvisionedThroughput"] = json!({
            "ReadCapacityUnits": units["ReadCapacityUnits"],
            "WriteCapacityUnits": units["WriteCapacityUnits"],
        });
    }
    json!({
        "TableName": table["TableName"],
        "AttributeDefinitions": definitions,
        "GlobalSecondaryIndexUpdates": [{"Create": create}],
    })
}

fn delete_input(table: &str, index: &str) -> Value {
    json!({
        "TableName": table,
        "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": index}}],
    })
}

/// "Add index…": a form for a new global secondary index.
#[component]
pub fn AddIndex(table: Value) -> impl IntoView {
    let open = RwSignal::new(false);
    let update = TableUpdate::new();
    let name = RwSignal::new(String::new());
    let partition_key = RwSignal::new(String::new());
    let partition_type = RwSignal::new("S".to_string());
    let sort_key = RwSignal::new(String::new());
    let sort_type = RwSignal::new("S".to_string());
    let projection = RwSignal::new("ALL".to_string());
    let non_key = RwSignal::new(String::new());
    let table = StoredValue::new(table);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let index = NewIndex {
            name: name.get_untracked(),
            partition_key: (
                partition_key.get_untracked(),
                partition_type.get_untracked(),
            ),
            sort_key: (sort_key.get_untracked(), sort_type.get_untracked()),
            projection: projection.get_untracked(),
            non_key_attributes: non_key.get_untracked(),
        };
        let input = table.with_value(|t| create_input(t, &index));
        update.send(input, move || open.set(false));
    };
    let text = move |value: RwSignal<String>,
                     field: &'static str,
                     label: &'static str,
                     required: bool| {
        view! {
            <label class="inline">
                {label}
                <input name=field required=required size="12"
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        <div class="index-edit">
            <Show when=move || open.get() fallback=move || view! {
                <button class="link" name="add-index" on:click=move |_| open.set(true)>"Add global secondary index…"</button>
            }>
                <form class="inline index-form" on:submit=submit>
                    {text(name, "index-name", "Index name", true)}
                    {text(partition_key, "index-partition-key", "Partition key", true)}
                    <KeyTypeSelect value=partition_type name="index-partition-key-type" />
                    {text(sort_key, "index-sort-key", "Sort key (optional)", false)}
                    <KeyTypeSelect value=sort_type name="index-sort-key-type" />
                    <label class="inline">
                        "Projection"
                        <select name="index-projection" prop:value=move || projection.get()
                            on:change=move |ev| projection.set(event_target_value(&ev))>
                            <option value="ALL">"ALL"</option>
                            <option value="KEYS_ONLY">"KEYS_ONLY"</option>
                            <option value="INCLUDE">"INCLUDE"</option>
                        </select>
                    </label>
                    <Show when=move || projection.get() == "INCLUDE">
                        {text(non_key, "index-non-key", "Attributes (a, b)", true)}
                    </Show>
                    <button type="submit" name="create-index">"Add index"</button>
                    <button type="button" on:click=move |_| { open.set(false); update.error.set(None); }>"Cancel"</button>
                </form>
            </Show>
            <ErrorBox error=update.error />
        </div>
    }
}

/// Deletes a global secondary index, after asking.
#[component]
pub fn DeleteIndex(table: String, index: String) -> impl IntoView {
    let confirm = RwSignal::new(false);
    let update = TableUpdate::new();
    let input = StoredValue::new(delete_input(&table, &index));
    let delete = move |_| update.send(input.get_value(), || ());
    view! {
        <Show when=move || confirm.get() fallback=move || view! {
            <button class="link danger" name="delete-index" on:click=move |_| confirm.set(true)>"Delete"</button>
        }>
            <span class="confirm">"Delete this index?"</span>
            <button class="danger" name="delete-index-for-good" on:click=delete>"Delete for good"</button>
            <button on:click=move |_| confirm.set(false)>"Cancel"</button>
        </Show>
        <ErrorBox error=update.error />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> NewIndex {
        NewIndex {
            name: " byStatus ".into(),
            partition_key: ("status".into(), "S".into()),
            sort_key: ("total".into(), "N".into()),
            projection: "INCLUDE".into(),
            non_key_attributes: "customer, , note".into(),
        }
    }

    #[test]
    fn an_index_on_an_on_demand_table() {
        let table = json!({"TableName": "Orders", "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"}});
        assert_eq!(
            create_input(&table, &index()),
            json!({
                "TableName": "Orders",
                "AttributeDefinitions": [
                    {"AttributeName": "status", "AttributeType": "S"},
                    {"AttributeName": "total", "AttributeType": "N"},
                ],
                "GlobalSecondaryIndexUpdates": [{"Create": {
                    "IndexName": "byStatus",
                    "KeySchema": [
                        {"AttributeName": "status", "KeyType": "HASH"},
                        {"AttributeName": "total", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["customer", "note"]},
                }}],
            })
        );
    }

    #[test]
    fn an_index_of_a_provisioned_table_gets_its_units() {
        let table = json!({"TableName": "Orders", "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 2}});
        let mut only_partition = index();
        only_partition.sort_key.0 = " ".into();
        only_partition.projection = "KEYS_ONLY".into();
        let input = create_input(&table, &only_partition);
        let create = &input["GlobalSecondaryIndexUpdates"][0]["Create"];
        assert_eq!(create["KeySchema"].as_array().unwrap().len(), 1);
        assert_eq!(create["Projection"], json!({"ProjectionType": "KEYS_ONLY"}));
        assert_eq!(
            create["ProvisionedThroughput"],
            json!({"ReadCapacityUnits": 3, "WriteCapacityUnits": 2})
        );
        assert_eq!(
            delete_input("Orders", "byStatus")["GlobalSecondaryIndexUpdates"],
            json!([{"Delete": {"IndexName": "byStatus"}}])
        );
    }
}
