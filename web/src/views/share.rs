//! Share links and export/import: the Share and Export buttons of an open playground, the Import
//! button of the playground list, and the page a `#/share/<fragment>` link opens, which shows
//! what the link holds and runs nothing until the person creates a playground from it.
use crate::api::{self, use_playground, AwsError};
use crate::app::navigate;
use crate::route::{Route, View};
use crate::views::common::{save_as, Status, StatusView};
use leptos::prelude::*;
use leptos::task::spawn_local;
use nimbus_core::definition::Definition;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Links longer than this may be cut by the apps people paste them into.
const LONG_LINK: usize = 8_000;

/// What an exported file's name ends with.
const FILE_SUFFIX: &str = ".nimbus.json";

/// The app's address without its hash, where a share link points.
fn app_url() -> String {
    let location = window().location();
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    format!("{origin}{path}")
}

async fn playground_name(id: &str) -> String {
    let list = nimbus_browser::list_playgrounds().await.unwrap_or_default();
    list.into_iter()
        .find(|p| p.id == id)
        .map(|p| p.name)
        .unwrap_or_else(|| id.to_string())
}

/// `base`, or `base (2)`, `base (3)`... whichever no playground has yet.
async fn unused_name(base: &str) -> String {
    let names: Vec<String> = nimbus_browser::list_playgrounds()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| p.name)
        .collect();
    (1..)
        .map(|n| match n {
            1 => base.to_string(),
            n => format!("{base} ({n})"),
        })
        .find(|name| !names.contains(name))
        .unwrap_or_else(|| base.to_string())
}

/// Creates a playground named `name` beside the others, recreates `definition` in it and opens
/// it. When a call fails the playground stays (with what was created) and the error says which.
async fn create_from(name: &str, definition: &Definition) -> Result<(), AwsError> {
    let info = nimbus_browser::create_playground(&unused_name(name).await)
        .await
        .map_err(AwsError::local)?;
    let pg = api::open_playground(&info.id)
        .await
        .map_err(AwsError::local)?;
    pg.import_definition(definition).await.map_err(|e| {
        AwsError::local(format!(
            "Playground “{}” was created, but the import stopped: {e}",
            info.name
        ))
    })?;
    navigate(&Route::Playground {
        id: info.id,
        view: View::Home,
    });
    Ok(())
}

/// `navigator.clipboard.writeText(text)`, through Reflect (web-sys gates Navigator and Clipboard
/// behind features this crate does not enable).
async fn copy_to_clipboard(text: &str) -> Result<(), ()> {
    let navigator = js_sys::Reflect::get(&window(), &"navigator".into()).map_err(|_| ())?;
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into()).map_err(|_| ())?;
    let write: js_sys::Function = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .map_err(|_| ())?
        .dyn_into()
        .map_err(|_| ())?;
    let promise: js_sys::Promise = write
        .call1(&clipboard, &text.into())
        .map_err(|_| ())?
        .dyn_into()
        .map_err(|_| ())?;
    JsFuture::from(promise).await.map(|_| ()).map_err(|_| ())
}

/// Selects the text of the field an event came from, so one Ctrl+C copies the link.
fn select_all(ev: &leptos::ev::FocusEvent) {
    let Some(target) = ev.target() else { return };
    if let Ok(select) = js_sys::Reflect::get(&target, &"select".into()) {
        if let Ok(select) = select.dyn_into::<js_sys::Function>() {
            let _ = select.call0(&target);
        }
    }
}

/// What the caps left out, one line per table or bucket.
fn truncation_notes(definition: &Definition) -> Vec<String> {
    let tables = definition
        .tables
        .iter()
        .filter(|t| t.items_truncated)
        .map(|t| {
            format!(
                "Table {}: only its first {} items are included.",
                t.name,
                t.items.len()
            )
        });
    let buckets = definition
        .buckets
        .iter()
        .filter(|b| b.objects_truncated)
        .map(|b| {
            format!(
                "Bucket {}: {} small objects are included, larger or further ones are not.",
                b.name,
                b.objects.len()
            )
        });
    tables.chain(buckets).collect()
}

/// Share and Export, for the open playground `id`.
#[component]
pub fn ShareActions(id: String) -> impl IntoView {
    let pg = use_playground();
    let status = Status::new();
    let link = RwSignal::new(None::<(String, Vec<String>)>);
    let copied = RwSignal::new(None::<&'static str>);
    let id = StoredValue::new(id);

    let share = move |_| {
        status.clear();
        spawn_local(async move {
            match pg.get_value().export_definition().await {
                Ok(definition) => {
                    let url = format!("{}#/share/{}", app_url(), definition.to_link_fragment());
                    copied.set(None);
                    link.set(Some((url, truncation_notes(&definition))));
                }
                Err(e) => status.fail(e.into()),
            }
        });
    };
    let export = move |_| {
        status.clear();
        spawn_local(async move {
            let result = async {
                let definition = pg.get_value().export_definition().await?;
                let name = playground_name(&id.get_value()).await;
                save_as(
                    definition.to_json_pretty().as_bytes(),
                    "application/json",
                    &format!("{name}{FILE_SUFFIX}"),
                )
            };
            match result.await {
                Ok(()) => status.ok("Exported."),
                Err(e) => status.fail(e),
            }
        });
    };
    let copy = move |_| {
        let Some((url, _)) = link.get_untracked() else {
            return;
        };
        spawn_local(async move {
            copied.set(Some(match copy_to_clipboard(&url).await {
                Ok(()) => "Copied to the clipboard.",
                Err(()) => "The browser refused the clipboard: select the link and copy it.",
            }));
        });
    };

    view! {
        <div class="share-actions">
            <button class="share" title="A link that holds this playground's definition" on:click=share>"Share"</button>
            <button class="export" title="Download the definition as a JSON file" on:click=export>"Export"</button>
        </div>
        <StatusView status />
        {move || link.get().map(|(url, notes)| {
            let length = url.len();
            view! {
                <div class="dialog-backdrop">
                    <div class="dialog share-dialog" role="dialog" aria-label="Share this playground">
                        <h2>"Share this playground"</h2>
                        <p>
                            "The link holds this playground's functions (code and settings), its tables, queues, buckets and topics, and small seed data. Whoever opens it sees what it holds and gets a copy in their own browser; nothing runs until they act."
                        </p>
                        <textarea class="share-link" readonly rows="4"
                            on:focus=|ev| select_all(&ev)
                            prop:value=url.clone()></textarea>
                        <p class="muted small">{format!("{length} characters")}</p>
                        {(length > LONG_LINK).then(|| view! {
                            <p class="notice-warn small">"This link is long: chat apps and email clients may cut it short. Export sends the same definition as a file."</p>
                        })}
                        {notes.into_iter().map(|note| view! { <p class="notice-warn small">{note}</p> }).collect_view()}
                        <div class="row">
                            <button class="primary copy" on:click=copy>"Copy"</button>
                            <button class="close" on:click=move |_| link.set(None)>"Close"</button>
                            <span class="muted small copied">{move || copied.get()}</span>
                        </div>
                    </div>
                </div>
            }
        })}
    }
}

/// Import on the playground list: a `.nimbus.json` file becomes a new playground.
#[component]
pub fn ImportButton(status: Status) -> impl IntoView {
    let busy = RwSignal::new(false);
    let pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        busy.set(true);
        status.clear();
        spawn_local(async move {
            let result = async {
                let text = JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|t| t.as_string())
                    .ok_or_else(|| AwsError::local("Could not read the file."))?;
                let definition = Definition::from_json(&text)
                    .map_err(|e| AwsError::local(format!("{}: {e}", file.name())))?;
                let file_name = file.name();
                let name = file_name
                    .strip_suffix(FILE_SUFFIX)
                    .or_else(|| file_name.strip_suffix(".json"))
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or("Imported playground");
                create_from(name, &definition).await
            };
            if let Err(e) = result.await {
                status.fail(e);
            }
            busy.set(false);
        });
    };
    view! {
        <label class="button import" title="Create a playground from an exported .nimbus.json file">
            {move || if busy.get() { "Importing…" } else { "Import…" }}
            <input type="file" class="hidden" accept=".json,application/json" on:change=pick />
        </label>
    }
}

/// The page a share link opens: what the link holds, and a button to make it a playground.
#[component]
pub fn SharePage(fragment: String) -> impl IntoView {
    match Definition::from_link_fragment(&fragment) {
        Ok(definition) => view! { <ShareSummary definition /> }.into_any(),
        Err(e) => view! {
            <main class="page narrow share-page">
                <h1>"This share link cannot be opened"</h1>
                <crate::views::common::ErrorBox error=RwSignal::new(Some(AwsError::local(e))) />
                <p class="muted">"A link cut short by a chat app or an email client is the usual cause: ask for it again, or for an exported file."</p>
                <a href="#/">"Go to the playground list"</a>
            </main>
        }
        .into_any(),
    }
}

#[component]
fn ShareSummary(definition: Definition) -> impl IntoView {
    let status = Status::new();
    let name = RwSignal::new("Shared playground".to_string());
    let busy = RwSignal::new(false);
    let notes = truncation_notes(&definition);
    let is_empty = definition.functions.is_empty()
        && definition.tables.is_empty()
        && definition.queues.is_empty()
        && definition.buckets.is_empty()
        && definition.topics.is_empty();
    let definition = StoredValue::new(definition);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = name.get_untracked().trim().to_string();
        let name = if name.is_empty() {
            "Shared playground".to_string()
        } else {
            name
        };
        busy.set(true);
        spawn_local(async move {
            if let Err(e) = create_from(&name, &definition.get_value()).await {
                status.fail(e);
            }
            busy.set(false);
        });
    };
    let d = definition.get_value();
    let section = |title: &'static str, rows: Vec<AnyView>| {
        (!rows.is_empty()).then(|| {
            view! {
                <section class="share-section">
                    <h2>{title}</h2>
                    <ul>{rows}</ul>
                </section>
            }
        })
    };
    let functions = d
        .functions
        .iter()
        .map(|f| {
            let files: Vec<&String> = f.files.keys().chain(f.binary_files.keys()).collect();
            let files = files
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let events = match f.test_events.len() {
                0 => String::new(),
                1 => " · 1 test event".into(),
                n => format!(" · {n} test events"),
            };
            view! {
                <li class="share-function">
                    <strong>{f.name.clone()}</strong>
                    <span class="muted">{format!(" {} · {}{events}", f.runtime, f.handler)}</span>
                    <div class="mono small">{files}</div>
                </li>
            }
            .into_any()
        })
        .collect();
    let tables = d
        .tables
        .iter()
        .map(|t| {
            let count = match (t.items.len(), t.items_truncated) {
                (1, false) => "1 item".to_string(),
                (n, false) => format!("{n} items"),
                (n, true) => format!("its first {n} items"),
            };
            view! { <li class="share-table"><strong>{t.name.clone()}</strong><span class="muted">{format!(" · {count}")}</span></li> }
                .into_any()
        })
        .collect();
    let names = |list: Vec<String>| {
        list.into_iter()
            .map(|n| view! { <li><strong>{n}</strong></li> }.into_any())
            .collect::<Vec<_>>()
    };
    let buckets = d
        .buckets
        .iter()
        .map(|b| {
            let count = match b.objects.len() {
                1 => "1 object".to_string(),
                n => format!("{n} objects"),
            };
            view! { <li class="share-bucket"><strong>{b.name.clone()}</strong><span class="muted">{format!(" · {count}")}</span></li> }
                .into_any()
        })
        .collect();

    view! {
        <main class="page narrow share-page">
            <h1>"A shared playground"</h1>
            <p>
                "This link holds a playground's definition. Nothing from it has run or been saved: create a playground from it to look inside and run its functions. It is added beside your other playgrounds."
            </p>
            {is_empty.then(|| view! { <p class="empty">"The playground it holds is empty."</p> })}
            {section("Functions", functions)}
            {section("Tables", tables)}
            {section("Queues", names(d.queues.iter().map(|q| q.name.clone()).collect()))}
            {section("Buckets", buckets)}
            {section("Topics", names(d.topics.iter().map(|t| t.name.clone()).collect()))}
            {notes.into_iter().map(|note| view! { <p class="notice-warn small">{note}</p> }).collect_view()}
            <form class="row card share-create" on:submit=create>
                <input
                    name="shared-name"
                    aria-label="Name of the new playground"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                <button class="primary" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Creating…" } else { "Create playground" }}
                </button>
                <a href="#/">"Cancel"</a>
            </form>
            <StatusView status />
        </main>
    }
}
