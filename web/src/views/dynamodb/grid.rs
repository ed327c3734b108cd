//! The item grid: one page of Scan or Query results, key columns first (partition key, then sort
//! key), then every other attribute seen on the page; Previous/Next follow LastEvaluatedKey.
use super::attrs::{cell_text, type_of, KeyAttr};
use leptos::prelude::*;
use serde_json::Value;

/// One page as DynamoDB returned it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageResult {
    pub items: Vec<Value>,
    pub count: u64,
    pub scanned: u64,
    pub last_key: Option<Value>,
    /// 1-based number of this page in the reading.
    pub number: usize,
}

impl PageResult {
    pub fn from_output(out: &Value, number: usize) -> Self {
        PageResult {
            items: out["Items"].as_array().cloned().unwrap_or_default(),
            count: out["Count"].as_u64().unwrap_or(0),
            scanned: out["ScannedCount"].as_u64().unwrap_or(0),
            last_key: out
                .get("LastEvaluatedKey")
                .filter(|k| !k.is_null())
                .cloned(),
            number,
        }
    }
}

/// The grid's columns: `first` (the key attributes) in order, then the rest of the page's
/// attribute names, sorted.
pub fn columns(items: &[Value], first: &[KeyAttr]) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    for k in first {
        if !cols.contains(&k.name) {
            cols.push(k.name.clone());
        }
    }
    let mut rest: Vec<String> = items
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|o| o.keys().cloned())
        .filter(|n| !cols.contains(n))
        .collect();
    rest.sort();
    rest.dedup();
    cols.extend(rest);
    cols
}

pub const PAGE_SIZES: [u32; 4] = [10, 25, 50, 100];

#[component]
pub fn Grid(
    page: RwSignal<Option<PageResult>>,
    /// Key columns: the table's key, then the index's key when reading an index.
    key_columns: Signal<Vec<KeyAttr>>,
    /// 1-based number of the page shown.
    page_number: Signal<usize>,
    limit: RwSignal<u32>,
    on_prev: Callback<()>,
    on_next: Callback<()>,
    on_edit: Callback<Value>,
    on_delete: Callback<Value>,
) -> impl IntoView {
    // The row whose Delete awaits confirmation (its index on the page).
    let confirming = RwSignal::new(None::<usize>);
    let has_next = move || page.with(|p| p.as_ref().is_some_and(|p| p.last_key.is_some()));
    view! {
        <div class="grid-bar">
            <span class="page-info">{move || page.with(|p| match p {
                None => "Loading…".to_string(),
                Some(p) => format!("Page {} · Count {} · ScannedCount {}{}", p.number, p.count, p.scanned,
                    if p.last_key.is_some() { " · more items follow" } else { "" }),
            })}</span>
            <span class="spacer"></span>
            <label class="inline">"Page size"
                <select name="page-size" prop:value=move || limit.get().to_string()
                    on:change=move |ev| { if let Ok(n) = event_target_value(&ev).parse() { limit.set(n) } }>
                    {PAGE_SIZES.iter().map(|n| view! { <option value=n.to_string()>{n.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <button name="prev-page" prop:disabled=move || page_number.get() <= 1 on:click=move |_| on_prev.run(())>"← Previous"</button>
            <button name="next-page" prop:disabled=move || !has_next() on:click=move |_| on_next.run(())>"Next →"</button>
        </div>
        {move || {
            let Some(result) = page.get() else { return ().into_any() };
            confirming.set(None);
            if result.items.is_empty() {
                return view! { <p class="empty">"No items on this page."</p> }.into_any();
            }
            let keys = key_columns.get();
            let cols = columns(&result.items, &keys);
            let key_count = keys.len();
            view! {
                <div class="grid-scroll">
                <table class="grid items">
                    <thead><tr>
                        {cols.iter().enumerate().map(|(i, c)| {
                            let class = if i < key_count { "key" } else { "" };
                            view! { <th class=class>{c.clone()}</th> }
                        }).collect_view()}
                        <th></th>
                    </tr></thead>
                    <tbody>
                        {result.items.into_iter().enumerate().map(|(row, item)| {
                            let for_edit = item.clone();
                            let for_delete = item.clone();
                            view! {
                                <tr>
                                    {cols.iter().enumerate().map(|(i, c)| {
                                        let v = item.get(c);
                                        let text = v.map(cell_text).unwrap_or_default();
                                        let kind = v.map(type_of).unwrap_or_default();
                                        let class = match (i < key_count, v.is_none()) {
                                            (true, _) => "key",
                                            (false, true) => "absent",
                                            _ => "value",
                                        };
                                        view! { <td class=class data-col=c.clone() title=kind>{text}</td> }
                                    }).collect_view()}
                                    <td class="actions">
                                        <Show when=move || confirming.get() == Some(row) fallback=move || {
                                            let for_edit = for_edit.clone();
                                            view! {
                                                <button class="link" on:click=move |_| on_edit.run(for_edit.clone())>"Edit"</button>
                                                <button class="link danger" on:click=move |_| confirming.set(Some(row))>"Delete"</button>
                                            }
                                        }>
                                            {
                                                let for_delete = for_delete.clone();
                                                view! {
                                                    <span class="confirm small">"Delete this item?"</span>
                                                    <button class="link danger" on:click=move |_| on_delete.run(for_delete.clone())>"Delete for good"</button>
                                                    <button class="link" on:click=move |_| confirming.set(None)>"Cancel"</button>
                                                }
                                            }
                                        </Show>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            }.into_any()
        }}
    }
}
