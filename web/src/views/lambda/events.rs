//! Saved test events, per function, as in the Lambda console: create, edit (JSON checked as
//! typed), delete, choose. One app-data record per function holds them all:
//! `lambda/test-events/<function>` = `{"events": [{"name", "json"}], "chosen": name}`.
use super::Page;
use crate::api::{AwsError, Pg};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};

pub fn key(function: &str) -> String {
    format!("lambda/test-events/{function}")
}

/// Templates a new event starts from, as the Lambda console names them; the first is the default.
const TEMPLATES: [(&str, &str); 4] = [
    (
        "hello-world",
        include_str!("event_templates/hello-world.json"),
    ),
    (
        "dynamodb-update",
        include_str!("event_templates/dynamodb-update.json"),
    ),
    (
        "sqs-receive-message",
        include_str!("event_templates/sqs-receive-message.json"),
    ),
    ("s3-put", include_str!("event_templates/s3-put.json")),
];

#[derive(Clone, Debug, PartialEq)]
pub struct TestEvent {
    pub name: String,
    /// The text as the person wrote it (formatting kept).
    pub json: String,
}

#[derive(Clone, Copy)]
pub struct Events {
    key: StoredValue<String>,
    pub list: RwSignal<Vec<TestEvent>>,
    pub chosen: RwSignal<Option<String>>,
    /// The chosen event's text in the editor box, saved or not.
    pub draft: RwSignal<String>,
}

/// Why `text` is not a JSON event, or `None` when it is.
pub fn json_error(text: &str) -> Option<String> {
    serde_json::from_str::<Value>(text)
        .err()
        .map(|e| format!("Invalid JSON: {e}"))
}

/// The console's rule for event names.
fn name_error(name: &str, list: &[TestEvent]) -> Option<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    if name.is_empty() || name.len() > 25 || !name.chars().all(allowed) {
        return Some(
            "Maximum of 25 characters consisting of letters, numbers, dots, hyphens and underscores."
                .into(),
        );
    }
    list.iter()
        .any(|e| e.name == name)
        .then(|| format!("An event named {name} already exists."))
}

impl Events {
    /// Reads the function's saved events (already in memory: app data loads with the playground).
    pub fn load(pg: Pg, function: &str) -> Events {
        let key = key(function);
        let record = pg
            .get_value()
            .app_data(&key)
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
            .unwrap_or(Value::Null);
        let list: Vec<TestEvent> = record
            .get("events")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|e| {
                Some(TestEvent {
                    name: e.get("name")?.as_str()?.to_string(),
                    json: e.get("json")?.as_str()?.to_string(),
                })
            })
            .collect();
        let chosen = record
            .get("chosen")
            .and_then(Value::as_str)
            .filter(|c| list.iter().any(|e| e.name == *c))
            .map(str::to_string)
            .or_else(|| list.first().map(|e| e.name.clone()));
        let draft = chosen
            .as_ref()
            .and_then(|c| list.iter().find(|e| e.name == *c))
            .map(|e| e.json.clone())
            .unwrap_or_default();
        Events {
            key: StoredValue::new(key),
            list: RwSignal::new(list),
            chosen: RwSignal::new(chosen),
            draft: RwSignal::new(draft),
        }
    }

    /// The event Invoke sends: the chosen event as edited, or `{}` when there is none.
    pub fn payload(self) -> Result<String, String> {
        if self.chosen.get_untracked().is_none() {
            return Ok("{}".into());
        }
        let draft = self.draft.get_untracked();
        match json_error(&draft) {
            Some(e) => Err(format!("The test event is not valid JSON. {e}")),
            None => Ok(draft),
        }
    }

    fn saved_text(self) -> Option<String> {
        let chosen = self.chosen.get()?;
        self.list
            .with(|l| l.iter().find(|e| e.name == chosen).map(|e| e.json.clone()))
    }

    fn choose(self, name: Option<String>) {
        let text = name
            .as_ref()
            .and_then(|n| {
                self.list
                    .with_untracked(|l| l.iter().find(|e| e.name == *n).map(|e| e.json.clone()))
            })
            .unwrap_or_default();
        self.chosen.set(name);
        self.draft.set(text);
    }

    /// Stores the list and the choice; resolves once durable.
    async fn persist(self, pg: Pg) -> Result<(), AwsError> {
        let events: Vec<Value> = self
            .list
            .get_untracked()
            .into_iter()
            .map(|e| json!({"name": e.name, "json": e.json}))
            .collect();
        let record = json!({"events": events, "chosen": self.chosen.get_untracked()});
        pg.get_value()
            .put_app_data(&self.key.get_value(), Some(record))
            .await
            .map_err(AwsError::local)
    }
}

#[component]
pub fn EventsPanel(page: Page) -> impl IntoView {
    let events = page.events;
    let creating = RwSignal::new(None::<String>);
    let template = RwSignal::new(0usize);
    let confirm_delete = RwSignal::new(false);

    let save_all = move |done: &'static str| {
        spawn_local(async move {
            match events.persist(page.pg).await {
                Ok(()) => page.status.ok(done),
                Err(e) => page.status.fail(e),
            }
        });
    };

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = creating
            .get_untracked()
            .unwrap_or_default()
            .trim()
            .to_string();
        if events
            .list
            .with_untracked(|l| name_error(&name, l))
            .is_some()
        {
            return;
        }
        events.list.update(|l| {
            l.push(TestEvent {
                name: name.clone(),
                json: TEMPLATES[template.get_untracked()].1.trim_end().into(),
            })
        });
        events.choose(Some(name));
        creating.set(None);
        template.set(0);
        save_all("Test event saved.");
    };

    let save_event = move |_| {
        let Some(chosen) = events.chosen.get_untracked() else {
            return;
        };
        let text = events.draft.get_untracked();
        events.list.update(|l| {
            if let Some(e) = l.iter_mut().find(|e| e.name == chosen) {
                e.json = text;
            }
        });
        save_all("Test event saved.");
    };

    let delete_event = move |_| {
        let Some(chosen) = events.chosen.get_untracked() else {
            return;
        };
        events.list.update(|l| l.retain(|e| e.name != chosen));
        events.choose(
            events
                .list
                .with_untracked(|l| l.first().map(|e| e.name.clone())),
        );
        confirm_delete.set(false);
        save_all("Test event deleted.");
    };

    let on_choose = move |ev: leptos::ev::Event| {
        let name = event_target_value(&ev);
        events.choose((!name.is_empty()).then_some(name));
        save_all("Test event chosen.");
    };

    let draft_error = move || events.draft.with(|d| json_error(d));
    let unchanged = move || events.saved_text().as_deref() == Some(events.draft.get().as_str());
    let new_name_error = move || {
        creating
            .get()
            .filter(|n| !n.is_empty())
            .and_then(|n| events.list.with(|l| name_error(n.trim(), l)))
    };

    view! {
        <section class="card fn-events">
            <div class="card-head">
                <h2>"Test event"</h2>
                <span class="spacer"></span>
                <Show when=move || !events.list.with(Vec::is_empty)>
                    <select name="test-event" prop:value=move || events.chosen.get().unwrap_or_default() on:change=on_choose>
                        {move || events.list.get().into_iter().map(|e| {
                            let selected = events.chosen.get().as_deref() == Some(e.name.as_str());
                            view! { <option value=e.name.clone() selected=selected>{e.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </Show>
                <button name="new-event" on:click=move |_| creating.set(Some(String::new()))>"New event"</button>
            </div>
            <Show when=move || creating.get().is_some()>
                <form class="new-event" on:submit=create>
                    <label>"Name"
                        <input name="event-name" placeholder="my-event" autofocus
                            prop:value=move || creating.get().unwrap_or_default()
                            on:input=move |ev| creating.set(Some(event_target_value(&ev))) />
                    </label>
                    <label>"Template"
                        <select name="event-template"
                            on:change=move |ev| template.set(event_target_value(&ev).parse().unwrap_or(0))>
                            {TEMPLATES.iter().enumerate().map(|(i, (name, _))| view! {
                                <option value=i.to_string() selected=move || template.get() == i>{*name}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" class="primary"
                        disabled=move || creating.with(|n| n.as_deref().unwrap_or("").trim().is_empty()) || new_name_error().is_some()>
                        "Create"
                    </button>
                    <button type="button" class="link" on:click=move |_| creating.set(None)>"Cancel"</button>
                </form>
                {move || new_name_error().map(|e| view! { <p class="field-error">{e}</p> })}
            </Show>
            {move || match events.chosen.get() {
                None => view! {
                    <p class="muted small">"No saved test events: Test sends {}. Create one to send your own JSON."</p>
                }.into_any(),
                Some(_) => view! {
                    <textarea name="event-json" class="code" rows="7" spellcheck="false"
                        class:invalid=move || draft_error().is_some()
                        prop:value=move || events.draft.get()
                        on:input=move |ev| events.draft.set(event_target_value(&ev))></textarea>
                    {move || draft_error().map(|e| view! { <p class="field-error">{e}</p> })}
                    <div class="row">
                        <button name="save-event" on:click=save_event
                            disabled=move || draft_error().is_some() || unchanged()>"Save event"</button>
                        <span class="muted small">{move || (!unchanged()).then_some("Edited, not saved; Test sends it as shown.")}</span>
                        <span class="spacer"></span>
                        <Show when=move || confirm_delete.get() fallback=move || view! {
                            <button class="link danger" on:click=move |_| confirm_delete.set(true)>"Delete event"</button>
                        }>
                            <button class="link danger" on:click=delete_event>"Delete for good"</button>
                            <button class="link" on:click=move |_| confirm_delete.set(false)>"Cancel"</button>
                        </Show>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}
