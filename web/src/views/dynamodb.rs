//! DynamoDB: the table list with a create form, and a table view with an item editor.
//!
//! Items are typed DynamoDB JSON (`{"pk": {"S": "a"}}`), exactly what PutItem takes on the wire.
//! The item grid is the table's first Scan page (up to 1 MB, as DynamoDB pages it), read again
//! after every change; a lookup by key (GetItem) finds any item.
use crate::api::{call, use_playground, use_refresh, AwsError};
use crate::app::navigate;
use crate::route::{Route, Service, View};
use crate::views::common::{create_and_open, Status, StatusView};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Map, Value};

const KEY_TYPES: [&str; 3] = ["S", "N", "B"];

#[component]
fn KeyTypeSelect(value: RwSignal<String>, name: &'static str) -> impl IntoView {
    view! {
        <select name=name on:change=move |ev| value.set(event_target_value(&ev)) prop:value=move || value.get()>
            {KEY_TYPES
                .iter()
                .map(|t| {
                    let label = match *t {
                        "S" => "String",
                        "N" => "Number",
                        _ => "Binary",
                    };
                    view! { <option value=*t>{label}</option> }
                })
                .collect_view()}
        </select>
    }
}

#[component]
pub fn Tables(id: String) -> impl IntoView {
    let pg = use_playground();
    let refresh = use_refresh();
    let status = Status::new();
    let table = RwSignal::new(String::new());
    let pk = RwSignal::new("pk".to_string());
    let pk_type = RwSignal::new("S".to_string());
    let sk = RwSignal::new(String::new());
    let sk_type = RwSignal::new("S".to_string());
    let id = StoredValue::new(id);

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = table.get_untracked().trim().to_string();
        let mut attributes = vec![
            json!({"AttributeName": pk.get_untracked().trim(), "AttributeType": pk_type.get_untracked()}),
        ];
        let mut schema =
            vec![json!({"AttributeName": pk.get_untracked().trim(), "KeyType": "HASH"})];
        let sort_key = sk.get_untracked().trim().to_string();
        if !sort_key.is_empty() {
            attributes
                .push(json!({"AttributeName": sort_key, "AttributeType": sk_type.get_untracked()}));
            schema.push(json!({"AttributeName": sort_key, "KeyType": "RANGE"}));
        }
        let input = json!({
            "TableName": name,
            "AttributeDefinitions": attributes,
            "KeySchema": schema,
            "BillingMode": "PAY_PER_REQUEST",
        });
        create_and_open(
            pg,
            refresh,
            status,
            id.get_value(),
            (Service::DynamoDb, "CreateTable"),
            input,
            name,
        );
    };

    view! {
        <h1>"DynamoDB tables"</h1>
        <form class="card form" on:submit=create>
            <h2>"Create table"</h2>
            <label>
                "Table name"
                <input name="table-name" required placeholder="Music"
                    prop:value=move || table.get() on:input=move |ev| table.set(event_target_value(&ev)) />
            </label>
            <div class="row">
                <label class="grow">
                    "Partition key"
                    <input name="partition-key" required
                        prop:value=move || pk.get() on:input=move |ev| pk.set(event_target_value(&ev)) />
                </label>
                <label>"Type" <KeyTypeSelect value=pk_type name="partition-key-type" /></label>
            </div>
            <div class="row">
                <label class="grow">
                    "Sort key (optional)"
                    <input name="sort-key" placeholder="none"
                        prop:value=move || sk.get() on:input=move |ev| sk.set(event_target_value(&ev)) />
                </label>
                <label>"Type" <KeyTypeSelect value=sk_type name="sort-key-type" /></label>
            </div>
            <p class="muted small">"On-demand capacity (PAY_PER_REQUEST)."</p>
            <button class="primary" type="submit">"Create table"</button>
        </form>
        <StatusView status />
        <ResourceLinks service=Service::DynamoDb id=id.get_value() />
    }
}

/// The service's resources as a list of links (the same names as the sidebar).
#[component]
pub fn ResourceLinks(service: Service, id: String) -> impl IntoView {
    let pg = use_playground();
    let refresh = use_refresh();
    let names = LocalResource::new(move || {
        refresh.track();
        crate::views::playground::list_names(pg, service)
    });
    view! {
        <h2>{service.resources()}</h2>
        {move || match names.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <crate::views::common::ErrorBox error=RwSignal::new(Some(e)) /> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p class="empty">"None yet."</p> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="links">
                    {list.into_iter().map(|name| {
                        let href = Route::Playground { id: id.clone(), view: View::Resource(service, name.clone()) }.href();
                        view! { <li><a href=href>{name}</a></li> }
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

/// One attribute of the table's primary key.
#[derive(Clone, Debug, PartialEq)]
struct KeyAttr {
    name: String,
    kind: String,
    role: &'static str,
}

fn key_schema(table: &Value) -> Vec<KeyAttr> {
    let types: Map<String, Value> = table["AttributeDefinitions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| {
            Some((
                d["AttributeName"].as_str()?.to_string(),
                d["AttributeType"].clone(),
            ))
        })
        .collect();
    let mut keys: Vec<KeyAttr> = table["KeySchema"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| {
            let name = k["AttributeName"].as_str()?.to_string();
            let kind = types
                .get(&name)
                .and_then(Value::as_str)
                .unwrap_or("S")
                .to_string();
            let role = if k["KeyType"] == "RANGE" {
                "Sort key"
            } else {
                "Partition key"
            };
            Some(KeyAttr { name, kind, role })
        })
        .collect();
    keys.sort_by_key(|k| k.role != "Partition key");
    keys
}

/// The primary key of `item`, or None when a key attribute is missing.
fn key_of(item: &Value, keys: &[KeyAttr]) -> Option<Value> {
    let mut key = Map::new();
    for k in keys {
        key.insert(k.name.clone(), item.get(&k.name)?.clone());
    }
    Some(Value::Object(key))
}

/// A key attribute value for display: `{"S": "a"}` -> `a`.
fn scalar(v: &Value) -> String {
    match v.as_object().and_then(|o| o.values().next()) {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => v.to_string(),
    }
}

/// An item as the editor shows it: key attributes first, one attribute per line.
/// (serde_json's maps are sorted, which would bury the key among the other attributes.)
fn item_text(item: &Map<String, Value>, keys: &[KeyAttr]) -> String {
    let key_names: Vec<&str> = keys.iter().map(|k| k.name.as_str()).collect();
    let ordered = key_names
        .iter()
        .filter_map(|name| item.get_key_value(*name))
        .chain(
            item.iter()
                .filter(|(name, _)| !key_names.contains(&name.as_str())),
        );
    let lines: Vec<String> = ordered
        .map(|(name, value)| format!("  {}: {}", Value::from(name.as_str()), value))
        .collect();
    if lines.is_empty() {
        return "{}".into();
    }
    format!("{{\n{}\n}}", lines.join(",\n"))
}

fn template(keys: &[KeyAttr]) -> String {
    let mut item = Map::new();
    for k in keys {
        item.insert(k.name.clone(), json!({ k.kind.clone(): "" }));
    }
    item.insert("attribute".into(), json!({"S": "value"}));
    item_text(&item, keys)
}

/// The attributes other than the key, compact, for the item grid.
fn other_attributes(item: &Value, keys: &[KeyAttr]) -> String {
    let mut rest = item.as_object().cloned().unwrap_or_default();
    for k in keys {
        rest.remove(&k.name);
    }
    Value::Object(rest).to_string()
}

#[component]
pub fn Table(id: String, name: String) -> impl IntoView {
    let pg = use_playground();
    let refresh = use_refresh();
    let table_name = StoredValue::new(name.clone());
    let described = LocalResource::new(move || {
        refresh.track();
        async move {
            call(
                pg,
                "dynamodb",
                "DescribeTable",
                json!({"TableName": table_name.get_value()}),
            )
            .await
        }
    });
    let id = StoredValue::new(id);
    let confirm_delete = RwSignal::new(false);
    let status = Status::new();

    let delete_table = move |_| {
        spawn_local(async move {
            match call(
                pg,
                "dynamodb",
                "DeleteTable",
                json!({"TableName": table_name.get_value()}),
            )
            .await
            {
                Ok(_) => {
                    refresh.bump();
                    navigate(&Route::Playground {
                        id: id.get_value(),
                        view: View::Service(Service::DynamoDb),
                    });
                }
                Err(e) => status.fail(e),
            }
        });
    };

    view! {
        <div class="title-row">
            <h1><span class="muted">"Table "</span>{name}</h1>
            <span class="spacer"></span>
            <Show when=move || matches!(described.get(), Some(Ok(_)))>
                <Show when=move || confirm_delete.get() fallback=move || view! {
                    <button class="danger" on:click=move |_| confirm_delete.set(true)>"Delete table"</button>
                }>
                    <span class="confirm">"Delete this table and all its items?"</span>
                    <button class="danger" on:click=delete_table>"Delete for good"</button>
                    <button on:click=move |_| confirm_delete.set(false)>"Cancel"</button>
                </Show>
            </Show>
        </div>
        <StatusView status />
        {move || match described.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <crate::views::common::ErrorBox error=RwSignal::new(Some(e)) /> }.into_any(),
            Some(Ok(out)) => {
                let table = out["Table"].clone();
                view! { <TableBody table /> }.into_any()
            }
        }}
    }
}

#[component]
fn TableBody(table: Value) -> impl IntoView {
    let pg = use_playground();
    let keys = StoredValue::new(key_schema(&table));
    let table_name = StoredValue::new(table["TableName"].as_str().unwrap_or_default().to_string());
    let status = Status::new();
    // The first Scan page, and whether DynamoDB said more items follow it.
    let items: RwSignal<Vec<Value>> = RwSignal::new(Vec::new());
    let more_items = RwSignal::new(false);
    let editor = RwSignal::new(template(&keys.get_value()));
    let lookup: RwSignal<Vec<String>> = RwSignal::new(vec![String::new(); keys.get_value().len()]);
    let found: RwSignal<Option<Option<Value>>> = RwSignal::new(None);

    let scan = move || {
        spawn_local(async move {
            let input = json!({"TableName": table_name.get_value()});
            match call(pg, "dynamodb", "Scan", input).await {
                Ok(out) => {
                    items.set(out["Items"].as_array().cloned().unwrap_or_default());
                    more_items.set(out.get("LastEvaluatedKey").is_some());
                }
                Err(e) => status.fail(e),
            }
        });
    };
    scan();

    let put = move |_| {
        let item: Value = match serde_json::from_str(&editor.get_untracked()) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => {
                return status.fail(AwsError::local(
                    "The item must be a JSON object of attributes.",
                ))
            }
            Err(e) => {
                return status.fail(AwsError::local(format!("The item is not valid JSON: {e}")))
            }
        };
        spawn_local(async move {
            let input = json!({"TableName": table_name.get_value(), "Item": item});
            match call(pg, "dynamodb", "PutItem", input).await {
                Ok(_) => {
                    status.ok("Item saved.");
                    scan();
                }
                Err(e) => status.fail(e),
            }
        });
    };

    let get = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut key = Map::new();
        for (attr, value) in keys.get_value().iter().zip(lookup.get_untracked()) {
            key.insert(attr.name.clone(), json!({ attr.kind.clone(): value }));
        }
        spawn_local(async move {
            let input = json!({"TableName": table_name.get_value(), "Key": key});
            match call(pg, "dynamodb", "GetItem", input).await {
                Ok(out) => {
                    status.clear();
                    found.set(Some(out.get("Item").cloned()));
                }
                Err(e) => status.fail(e),
            }
        });
    };

    let delete_item = move |item: Value| {
        let Some(key) = key_of(&item, &keys.get_value()) else {
            return;
        };
        spawn_local(async move {
            let input = json!({"TableName": table_name.get_value(), "Key": key.clone()});
            match call(pg, "dynamodb", "DeleteItem", input).await {
                Ok(_) => {
                    status.ok("Item deleted.");
                    scan();
                    found.update(|f| {
                        if f.as_ref()
                            .and_then(|i| i.as_ref())
                            .and_then(|i| key_of(i, &keys.get_value()))
                            .as_ref()
                            == Some(&key)
                        {
                            *f = None;
                        }
                    });
                }
                Err(e) => status.fail(e),
            }
        });
    };

    let summary = format!(
        "{} · {} · {}",
        table["TableStatus"].as_str().unwrap_or("?"),
        keys.get_value()
            .iter()
            .map(|k| format!("{} {} ({})", k.role, k.name, k.kind))
            .collect::<Vec<_>>()
            .join(", "),
        table["TableArn"].as_str().unwrap_or(""),
    );

    view! {
        <p class="muted small table-summary">{summary}</p>
        <StatusView status />
        <div class="split">
            <section class="card">
                <h2>"Put item"</h2>
                <p class="muted small">"DynamoDB JSON: each attribute as {\"S\": …}, {\"N\": \"…\"}, {\"BOOL\": …}, {\"L\": […]}, {\"M\": {…}}."</p>
                <textarea name="item" class="code" rows="10" spellcheck="false"
                    prop:value=move || editor.get() on:input=move |ev| editor.set(event_target_value(&ev))></textarea>
                <button class="primary" on:click=put>"Put item"</button>
            </section>
            <section class="card">
                <h2>"Look up by key"</h2>
                <form class="form" on:submit=get>
                    {keys.get_value().into_iter().enumerate().map(|(i, k)| view! {
                        <label>
                            {format!("{} ({}, {})", k.name, k.role, k.kind)}
                            <input name=format!("key-{}", k.name) required
                                prop:value=move || lookup.with(|l| l.get(i).cloned().unwrap_or_default())
                                on:input=move |ev| lookup.update(|l| l[i] = event_target_value(&ev)) />
                        </label>
                    }).collect_view()}
                    <button type="submit">"Get item"</button>
                </form>
                {move || found.get().map(|f| match f {
                    None => view! { <p class="empty found">"No item with this key."</p> }.into_any(),
                    Some(item) => {
                        let text = item_text(item.as_object().unwrap_or(&Map::new()), &keys.get_value());
                        view! { <pre class="code found">{text}</pre> }.into_any()
                    }
                })}
            </section>
        </div>
        <section>
            <h2>"Items"</h2>
            <p class="muted small">
                {move || if more_items.get() {
                    "The first 1 MB of items, as one Scan page returns them; more follow. Use “Look up by key” for the rest."
                } else {
                    "Every item in the table, read with Scan."
                }}
            </p>
            {move || {
                let list = items.get();
                if list.is_empty() {
                    return view! { <p class="empty">"The table has no items yet."</p> }.into_any();
                }
                view! {
                    <table class="grid items">
                        <thead><tr>
                            {keys.get_value().into_iter().map(|k| view! { <th>{k.name}</th> }).collect_view()}
                            <th>"Other attributes"</th><th></th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|item| {
                                let for_edit = item.clone();
                                let for_delete = item.clone();
                                view! {
                                    <tr>
                                        {keys.get_value().into_iter().map(|k| view! { <td class="key">{scalar(&item[&k.name])}</td> }).collect_view()}
                                        <td class="json">{other_attributes(&item, &keys.get_value())}</td>
                                        <td class="actions">
                                            <button class="link" on:click=move |_| editor.set(item_text(for_edit.as_object().unwrap_or(&Map::new()), &keys.get_value()))>"Edit"</button>
                                            <button class="link danger" on:click=move |_| delete_item(for_delete.clone())>"Delete"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
