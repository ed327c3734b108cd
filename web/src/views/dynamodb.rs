//! DynamoDB: the table list with a create form, and the table explorer: the table's settings, a
//! paged item grid, an item editor (plain or DynamoDB JSON), a query and scan builder, and a
//! lookup by key; below them the stream's records as they arrive. The settings count the capacity
//! the explorer's requests consumed and hold the playground's clock, to watch TTL expire items.
mod attrs;
mod capacity;
mod clock;
mod grid;
mod index_editor;
mod item_editor;
mod query_builder;
mod settings;
mod stream;

use crate::api::{call, use_playground, use_refresh, AwsError, Pg, Refresh};
use crate::app::navigate;
use crate::route::{Route, Service, View};
use crate::views::common::{create_and_open, Status, StatusView};
use attrs::{key_of, key_schema, KeyAttr};
use capacity::{CapacityChoice, CapacityFields, Consumed};
use grid::{Grid, PageResult};
use item_editor::{Editor, ItemEditor};
use leptos::prelude::*;
use leptos::task::spawn_local;
use query_builder::QueryBuilder;
use serde_json::{json, Map, Value};

const KEY_TYPES: [&str; 3] = ["S", "N", "B"];

/// A settings form's UpdateTable: on success the table view describes the table again;
/// DynamoDB's refusal shows in the form's error box. Made when the form is.
#[derive(Clone, Copy)]
struct TableUpdate {
    pg: Pg,
    refresh: Refresh,
    error: RwSignal<Option<AwsError>>,
}

impl TableUpdate {
    fn new() -> Self {
        TableUpdate {
            pg: use_playground(),
            refresh: use_refresh(),
            error: RwSignal::new(None),
        }
    }

    /// Sends `input`; `done` runs (closing the form) before the table is described again.
    fn send(self, input: Value, done: impl FnOnce() + 'static) {
        spawn_local(async move {
            match call(self.pg, "dynamodb", "UpdateTable", input).await {
                Ok(_) => {
                    self.error.set(None);
                    done();
                    self.refresh.bump();
                }
                Err(e) => self.error.set(Some(e)),
            }
        });
    }
}

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
    let capacity = CapacityChoice::new();
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
        let mut input = match capacity.create_members() {
            Ok(members) => members,
            Err(message) => return status.fail(AwsError::local(message)),
        };
        input.insert("TableName".into(), json!(name));
        input.insert("AttributeDefinitions".into(), json!(attributes));
        input.insert("KeySchema".into(), json!(schema));
        create_and_open(
            pg,
            refresh,
            status,
            id.get_value(),
            (Service::DynamoDb, "CreateTable"),
            Value::Object(input),
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
            <div class="row wrap capacity-form">
                <CapacityFields choice=capacity on_mode=move |provisioned| capacity.set_mode(&Value::Null, provisioned) />
            </div>
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
        refresh.track_lists();
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

/// What the grid shows: the operation and its input (Limit and ExclusiveStartKey are added per
/// page), and the start keys of the pages after the first, so Previous can go back.
#[derive(Clone, Debug, PartialEq)]
struct Reading {
    operation: &'static str,
    input: Value,
    starts: Vec<Value>,
}

#[component]
fn TableBody(table: Value) -> impl IntoView {
    let pg = use_playground();
    let keys = StoredValue::new(key_schema(&table));
    let indexes = StoredValue::new(attrs::indexes(&table));
    let table_name = StoredValue::new(table["TableName"].as_str().unwrap_or_default().to_string());
    let status = Status::new();
    let consumed = Consumed::new(pg.get_value().id(), &table_name.get_value());
    // Bumped after each write and fast-forward: the stream panel reads at once instead of at its
    // next tick, and the settings count the items again.
    let changed = RwSignal::new(0u32);
    let mark_changed = move || changed.update(|n| *n += 1);
    let plain_scan = move || Reading {
        operation: "Scan",
        input: json!({"TableName": table_name.get_value()}),
        starts: Vec::new(),
    };
    let reading = RwSignal::new(plain_scan());
    let limit = RwSignal::new(25u32);
    let page: RwSignal<Option<PageResult>> = RwSignal::new(None);
    // The exact request of the page shown.
    let sent = RwSignal::new(None::<(&'static str, Value)>);
    // Answers to superseded requests are dropped (a fast Next/Previous could reorder them).
    let generation = StoredValue::new(0u32);
    let editor = Editor::new(&keys.get_value());
    let lookup: RwSignal<Vec<String>> = RwSignal::new(vec![String::new(); keys.get_value().len()]);
    let found: RwSignal<Option<Option<Value>>> = RwSignal::new(None);

    let load = move || {
        let r = reading.get_untracked();
        let number = r.starts.len() + 1;
        let mut input = r.input.clone();
        input["Limit"] = json!(limit.get_untracked());
        if let Some(start) = r.starts.last() {
            input["ExclusiveStartKey"] = start.clone();
        }
        capacity::ask_total(&mut input);
        sent.set(Some((r.operation, input.clone())));
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        spawn_local(async move {
            let out = call(pg, "dynamodb", r.operation, input).await;
            if generation.get_value() != mine {
                return;
            }
            match out {
                Ok(out) => {
                    consumed.add(r.operation, &out);
                    page.set(Some(PageResult::from_output(&out, number)))
                }
                Err(e) => {
                    page.set(Some(PageResult {
                        number,
                        ..Default::default()
                    }));
                    status.fail(e)
                }
            }
        });
    };
    load();
    // A new page size starts again from the first page.
    Effect::watch(
        move || limit.get(),
        move |_, _, _| {
            reading.update(|r| r.starts.clear());
            load();
        },
        false,
    );

    let key_columns = Signal::derive(move || {
        let mut cols = keys.get_value();
        let index = reading.with(|r| r.input["IndexName"].as_str().map(str::to_string));
        if let Some(index) = index {
            let info = indexes.get_value().into_iter().find(|i| i.name == index);
            for k in info.map(|i| i.keys).unwrap_or_default() {
                if !cols.iter().any(|c| c.name == k.name) {
                    cols.push(k);
                }
            }
        }
        cols
    });
    let page_number = Signal::derive(move || reading.with(|r| r.starts.len() + 1));
    let on_next = Callback::new(move |()| {
        let Some(next) = page.with_untracked(|p| p.as_ref().and_then(|p| p.last_key.clone()))
        else {
            return;
        };
        reading.update(|r| r.starts.push(next));
        load();
    });
    let on_prev = Callback::new(move |()| {
        reading.update(|r| {
            r.starts.pop();
        });
        load();
    });
    let on_run = Callback::new(move |(operation, input): (&'static str, Value)| {
        status.clear();
        reading.set(Reading {
            operation,
            input,
            starts: Vec::new(),
        });
        load();
    });
    let on_reset = Callback::new(move |()| {
        status.clear();
        reading.set(plain_scan());
        load();
    });
    // A row read from an index may hold only the projected attributes: edit the whole item.
    let on_edit = Callback::new(move |row: Value| {
        let keys = keys.get_value();
        let Some(key) = key_of(&row, &keys) else {
            return editor.load(&row, &keys);
        };
        spawn_local(async move {
            let input =
                json!({"TableName": table_name.get_value(), "Key": key, "ConsistentRead": true});
            match consumed.call(pg, "GetItem", input).await {
                Ok(found) => match found.get("Item") {
                    Some(item) => editor.load(item, &keys),
                    None => status.fail(AwsError::local("The item is gone; refresh the grid.")),
                },
                Err(e) => status.fail(e),
            }
        });
    });

    let on_save = Callback::new(move |item: Map<String, Value>| {
        spawn_local(async move {
            let input = json!({"TableName": table_name.get_value(), "Item": item});
            match consumed.call(pg, "PutItem", input).await {
                Ok(_) => {
                    status.ok("Item saved.");
                    load();
                    mark_changed();
                }
                Err(e) => status.fail(e),
            }
        });
    });

    let on_delete = Callback::new(move |item: Value| {
        let Some(key) = key_of(&item, &keys.get_value()) else {
            return;
        };
        spawn_local(async move {
            let input = json!({"TableName": table_name.get_value(), "Key": key.clone()});
            match consumed.call(pg, "DeleteItem", input).await {
                Ok(_) => {
                    status.ok("Item deleted.");
                    load();
                    mark_changed();
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
    });

    let get = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut key = Map::new();
        for (attr, value) in keys.get_value().iter().zip(lookup.get_untracked()) {
            key.insert(attr.name.clone(), json!({ attr.kind.clone(): value }));
        }
        spawn_local(async move {
            let input = json!({"TableName": table_name.get_value(), "Key": key});
            match consumed.call(pg, "GetItem", input).await {
                Ok(out) => {
                    status.clear();
                    found.set(Some(out.get("Item").cloned()));
                }
                Err(e) => status.fail(e),
            }
        });
    };

    // The grid reads again: the playground deletes what expired before it answers.
    let on_advanced = Callback::new(move |millis: i64| {
        status.ok(format!(
            "The playground's clock moved on {}. Items whose Time to Live has passed are deleted now, as DynamoDB does in the background.",
            clock::duration_text(millis)
        ));
        load();
        mark_changed();
    });

    view! {
        <settings::Settings table=table.clone() consumed on_advanced changed />
        <StatusView status />
        <div class="split">
            <ItemEditor editor keys=keys.get_value() on_save />
            <LookUp keys=keys.get_value() lookup found get />
        </div>
        <QueryBuilder table=table_name.get_value() keys=keys.get_value() indexes=indexes.get_value()
            limit on_run on_reset />
        <section class="results">
            <div class="card-head">
                <h2>"Items"</h2>
                <span class="chip">{move || reading.with(|r| match r.input["IndexName"].as_str() {
                    Some(index) => format!("{} on index {index}", r.operation),
                    None => format!("{} on the table", r.operation),
                })}</span>
            </div>
            <details class="request" open>
                <summary>{move || sent.with(|s| format!("Request sent: {}", s.as_ref().map(|s| s.0).unwrap_or("")))}</summary>
                <pre class="code request-json">{move || sent.with(|s| s.as_ref().map(|(_, input)| query_builder::request_text(input)).unwrap_or_default())}</pre>
            </details>
            <Grid page key_columns page_number limit on_prev on_next on_edit on_delete />
        </section>
        <stream::StreamPanel table=table.clone() poke=changed />
    }
}

/// GetItem by the full primary key.
#[component]
fn LookUp(
    keys: Vec<KeyAttr>,
    lookup: RwSignal<Vec<String>>,
    found: RwSignal<Option<Option<Value>>>,
    get: impl Fn(leptos::ev::SubmitEvent) + 'static,
) -> impl IntoView {
    let key_list = StoredValue::new(keys.clone());
    view! {
        <section class="card">
            <h2>"Look up by key"</h2>
            <form class="form" on:submit=get>
                {keys.into_iter().enumerate().map(|(i, k)| view! {
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
                    let text = attrs::object_text(item.as_object().unwrap_or(&Map::new()), &key_list.get_value());
                    view! { <pre class="code found">{text}</pre> }.into_any()
                }
            })}
        </section>
    }
}
