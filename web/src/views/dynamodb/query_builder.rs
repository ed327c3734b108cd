//! The query and scan builder: Scan or Query, on the table or one of its indexes, with a key
//! condition, an optional filter, the order and a limit. It writes the request the way an SDK user
//! would (`#name` and `:value` placeholders) and shows exactly what it sends.
use super::attrs::{type_label, IndexInfo, KeyAttr};
use leptos::prelude::*;
use serde_json::{json, Map, Value};

/// Sort key conditions DynamoDB's KeyConditionExpression allows.
const SORT_OPS: [&str; 7] = ["=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"];
/// Filter comparators (a subset of the condition expression syntax).
const FILTER_OPS: [&str; 10] = [
    "=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "begins_with",
    "contains",
    "attribute_exists",
    "attribute_not_exists",
];

/// What the builder's form holds.
#[derive(Clone, Debug, Default)]
pub struct QueryForm {
    pub query: bool,
    pub index: String,
    pub pk: String,
    pub sk_op: String,
    pub sk: String,
    pub sk2: String,
    pub filter_attr: String,
    pub filter_op: String,
    pub filter_value: String,
    pub filter_type: String,
    pub descending: bool,
}

fn typed(kind: &str, text: &str) -> Value {
    match kind {
        "BOOL" => json!({ "BOOL": text.trim() == "true" }),
        _ => json!({ kind: text }),
    }
}

/// The Scan or Query input the form describes (without Limit and ExclusiveStartKey, which the
/// grid adds per page), or what is missing.
pub fn build_request(
    table: &str,
    form: &QueryForm,
    table_keys: &[KeyAttr],
    indexes: &[IndexInfo],
) -> Result<(&'static str, Value), String> {
    let mut input = Map::new();
    input.insert("TableName".into(), json!(table));
    let keys = if form.index.is_empty() {
        table_keys.to_vec()
    } else {
        input.insert("IndexName".into(), json!(form.index));
        indexes
            .iter()
            .find(|i| i.name == form.index)
            .map(|i| i.keys.clone())
            .ok_or_else(|| format!("No index named {}.", form.index))?
    };
    let mut names = Map::new();
    let mut values = Map::new();
    if form.query {
        let pk = &keys[0];
        if form.pk.is_empty() {
            return Err(format!(
                "Query needs a value for the partition key {}.",
                pk.name
            ));
        }
        names.insert("#pk".into(), json!(pk.name));
        values.insert(":pk".into(), typed(&pk.kind, &form.pk));
        let mut condition = "#pk = :pk".to_string();
        if let (Some(sk), false) = (keys.get(1), form.sk.is_empty()) {
            names.insert("#sk".into(), json!(sk.name));
            values.insert(":sk".into(), typed(&sk.kind, &form.sk));
            let clause = match form.sk_op.as_str() {
                "BETWEEN" => {
                    if form.sk2.is_empty() {
                        return Err("BETWEEN needs a second sort key value.".into());
                    }
                    values.insert(":sk2".into(), typed(&sk.kind, &form.sk2));
                    "#sk BETWEEN :sk AND :sk2".to_string()
                }
                "begins_with" => "begins_with(#sk, :sk)".to_string(),
                op => format!("#sk {op} :sk"),
            };
            condition = format!("{condition} AND {clause}");
        }
        input.insert("KeyConditionExpression".into(), json!(condition));
    }
    let attr = form.filter_attr.trim();
    if !attr.is_empty() {
        names.insert("#f".into(), json!(attr));
        let expression = match form.filter_op.as_str() {
            op @ ("attribute_exists" | "attribute_not_exists") => format!("{op}(#f)"),
            op @ ("begins_with" | "contains") => {
                values.insert(":f".into(), typed(&form.filter_type, &form.filter_value));
                format!("{op}(#f, :f)")
            }
            op => {
                values.insert(":f".into(), typed(&form.filter_type, &form.filter_value));
                format!("#f {op} :f")
            }
        };
        input.insert("FilterExpression".into(), json!(expression));
    }
    if !names.is_empty() {
        input.insert("ExpressionAttributeNames".into(), Value::Object(names));
    }
    if !values.is_empty() {
        input.insert("ExpressionAttributeValues".into(), Value::Object(values));
    }
    if form.query {
        input.insert("ScanIndexForward".into(), json!(!form.descending));
    }
    Ok((
        if form.query { "Query" } else { "Scan" },
        Value::Object(input),
    ))
}

/// The order an SDK user writes a request in (serde_json's maps would sort it alphabetically).
const REQUEST_ORDER: [&str; 9] = [
    "TableName",
    "IndexName",
    "KeyConditionExpression",
    "FilterExpression",
    "ExpressionAttributeNames",
    "ExpressionAttributeValues",
    "ScanIndexForward",
    "Limit",
    "ExclusiveStartKey",
];

/// A request as pretty JSON, members in `REQUEST_ORDER`.
pub fn request_text(input: &Value) -> String {
    let Some(map) = input.as_object() else {
        return input.to_string();
    };
    let known = REQUEST_ORDER.iter().filter_map(|k| map.get_key_value(*k));
    let others = map
        .iter()
        .filter(|(k, _)| !REQUEST_ORDER.contains(&k.as_str()));
    let members: Vec<String> = known
        .chain(others)
        .map(|(k, v)| {
            let value = serde_json::to_string_pretty(v).unwrap_or_default();
            format!(
                "  {}: {}",
                Value::from(k.as_str()),
                value.replace('\n', "\n  ")
            )
        })
        .collect();
    format!("{{\n{}\n}}", members.join(",\n"))
}

fn options(list: &[&'static str]) -> impl IntoView {
    list.iter()
        .map(|o| view! { <option value=*o>{*o}</option> })
        .collect_view()
}

#[component]
pub fn QueryBuilder(
    table: String,
    keys: Vec<KeyAttr>,
    indexes: Vec<IndexInfo>,
    limit: RwSignal<u32>,
    /// Runs the built request from its first page.
    on_run: Callback<(&'static str, Value)>,
    /// Back to the plain Scan of the table.
    on_reset: Callback<()>,
) -> impl IntoView {
    let form = RwSignal::new(QueryForm {
        sk_op: "=".into(),
        filter_op: "=".into(),
        filter_type: "S".into(),
        ..Default::default()
    });
    let table = StoredValue::new(table);
    let keys = StoredValue::new(keys);
    let indexes = StoredValue::new(indexes);
    let error = RwSignal::new(None::<String>);
    // The keys of the table or index being read.
    let current_keys = move || {
        let f = form.read();
        if f.index.is_empty() {
            keys.get_value()
        } else {
            indexes
                .get_value()
                .into_iter()
                .find(|i| i.name == f.index)
                .map(|i| i.keys)
                .unwrap_or_default()
        }
    };
    let key_label = move |i: usize| {
        current_keys()
            .get(i)
            .map(|k| format!("{} ({})", k.name, type_label(&k.kind)))
            .unwrap_or_default()
    };
    let run = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match build_request(
            &table.get_value(),
            &form.get_untracked(),
            &keys.get_value(),
            &indexes.get_value(),
        ) {
            Ok(request) => {
                error.set(None);
                on_run.run(request);
            }
            Err(e) => error.set(Some(e)),
        }
    };
    macro_rules! text_field {
        ($field:ident) => {
            (
                move || form.with(|f| f.$field.clone()),
                move |ev: leptos::ev::Event| form.update(|f| f.$field = event_target_value(&ev)),
            )
        };
    }
    let (op_get, op_set) = (
        move || {
            if form.with(|f| f.query) {
                "Query"
            } else {
                "Scan"
            }
        },
        move |ev: leptos::ev::Event| form.update(|f| f.query = event_target_value(&ev) == "Query"),
    );
    let (index_get, index_set) = text_field!(index);
    let (pk_get, pk_set) = text_field!(pk);
    let (skop_get, skop_set) = text_field!(sk_op);
    let (sk_get, sk_set) = text_field!(sk);
    let (sk2_get, sk2_set) = text_field!(sk2);
    let (fa_get, fa_set) = text_field!(filter_attr);
    let (fo_get, fo_set) = text_field!(filter_op);
    let (fv_get, fv_set) = text_field!(filter_value);
    let (ft_get, ft_set) = text_field!(filter_type);
    let is_query = move || form.with(|f| f.query);
    let has_sort = move || current_keys().len() > 1;

    view! {
        <form class="card form query-builder" on:submit=run>
            <h2>"Query and scan"</h2>
            <div class="row wrap">
                <label>"Operation"
                    <select name="operation" prop:value=op_get on:change=op_set>
                        <option value="Scan">"Scan"</option>
                        <option value="Query">"Query"</option>
                    </select>
                </label>
                <label>"Table or index"
                    <select name="index" prop:value=index_get on:change=index_set>
                        <option value="">{format!("Table: {}", table.get_value())}</option>
                        {indexes.get_value().into_iter().map(|i| {
                            let label = format!("{}: {}", i.kind, i.name);
                            view! { <option value=i.name>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>"Limit"
                    <input name="limit" type="number" min="1" max="1000" class="narrow"
                        prop:value=move || limit.get().to_string()
                        on:change=move |ev| { if let Ok(n) = event_target_value(&ev).parse::<u32>() { limit.set(n.clamp(1, 1000)) } } />
                </label>
                <Show when=is_query>
                    <label>"Order (ScanIndexForward)"
                        <select name="order" prop:value=move || if form.with(|f| f.descending) { "desc" } else { "asc" }
                            on:change=move |ev| form.update(|f| f.descending = event_target_value(&ev) == "desc")>
                            <option value="asc">"Ascending (true)"</option>
                            <option value="desc">"Descending (false)"</option>
                        </select>
                    </label>
                </Show>
            </div>
            <Show when=is_query>
                <div class="row wrap">
                    <label class="grow">{move || format!("Partition key {} =", key_label(0))}
                        <input name="pk-value" prop:value=pk_get on:input=pk_set />
                    </label>
                    <Show when=has_sort>
                        <label>{move || format!("Sort key {}", key_label(1))}
                            <select name="sk-op" prop:value=skop_get on:change=skop_set>{options(&SORT_OPS)}</select>
                        </label>
                        <label class="grow">"Value (optional)"
                            <input name="sk-value" prop:value=sk_get on:input=sk_set />
                        </label>
                        <Show when=move || form.with(|f| f.sk_op == "BETWEEN")>
                            <label class="grow">"And"
                                <input name="sk-value2" prop:value=sk2_get on:input=sk2_set />
                            </label>
                        </Show>
                    </Show>
                </div>
            </Show>
            <div class="row wrap">
                <label class="grow">"Filter attribute (optional)"
                    <input name="filter-attr" placeholder="none" prop:value=fa_get on:input=fa_set />
                </label>
                <label>"Comparator"
                    <select name="filter-op" prop:value=fo_get on:change=fo_set>{options(&FILTER_OPS)}</select>
                </label>
                <label class="grow">"Value"
                    <input name="filter-value" prop:value=fv_get on:input=fv_set />
                </label>
                <label>"Type"
                    <select name="filter-type" prop:value=ft_get on:change=ft_set>
                        <option value="S">"String"</option>
                        <option value="N">"Number"</option>
                        <option value="BOOL">"Boolean"</option>
                    </select>
                </label>
            </div>
            {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            <div class="row">
                <button class="primary" type="submit" name="run">{move || format!("Run {}", op_get())}</button>
                <button type="button" name="reset" on:click=move |_| on_reset.run(())>"Reset to Scan"</button>
            </div>
        </form>
    }
}
