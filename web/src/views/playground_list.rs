//! The list of playgrounds: new, open, rename, delete (after a confirmation).
use crate::api::AwsError;
use crate::app::navigate;
use crate::route::{Route, View};
use crate::views::common::{Status, StatusView};
use leptos::prelude::*;
use leptos::task::spawn_local;
use nimbus_browser::PlaygroundInfo;

fn open(id: &str) {
    navigate(&Route::Playground {
        id: id.to_string(),
        view: View::Home,
    });
}

#[component]
pub fn PlaygroundList() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let status = Status::new();
    let new_name = RwSignal::new(String::new());
    let playgrounds = LocalResource::new(move || {
        reload.track();
        nimbus_browser::list_playgrounds()
    });

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = new_name.get_untracked().trim().to_string();
        let name = if name.is_empty() {
            "My playground".to_string()
        } else {
            name
        };
        spawn_local(async move {
            match nimbus_browser::create_playground(&name).await {
                Ok(info) => open(&info.id),
                Err(e) => status.fail(AwsError::local(e)),
            }
        });
    };

    view! {
        <main class="page narrow">
            <h1>"Playgrounds"</h1>
            <p class="muted">
                "Each playground is its own AWS account: tables, queues, buckets and topics, kept in this browser."
            </p>
            <form class="row card" on:submit=create>
                <input
                    name="playground-name"
                    placeholder="My playground"
                    prop:value=move || new_name.get()
                    on:input=move |ev| new_name.set(event_target_value(&ev))
                />
                <button class="primary" type="submit">"New playground"</button>
                <crate::views::share::ImportButton status />
            </form>
            <StatusView status />
            {move || match playgrounds.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => {
                    view! { <crate::views::common::ErrorBox error=RwSignal::new(Some(AwsError::local(e))) /> }
                        .into_any()
                }
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="empty">"No playgrounds yet. Create one above."</p> }.into_any()
                }
                Some(Ok(list)) => {
                    view! {
                        <ul class="playgrounds">
                            {list
                                .into_iter()
                                .map(|info| view! { <PlaygroundRow info reload status /> })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
        </main>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Show,
    Rename,
    ConfirmDelete,
}

#[component]
fn PlaygroundRow(info: PlaygroundInfo, reload: RwSignal<u32>, status: Status) -> impl IntoView {
    let mode = RwSignal::new(Mode::Show);
    let draft = RwSignal::new(info.name.clone());
    let id = StoredValue::new(info.id.clone());
    let name = info.name.clone();
    let created = crate::api::format_time(info.created_millis / 1000.0);

    let rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let new_name = draft.get_untracked().trim().to_string();
        spawn_local(async move {
            match nimbus_browser::rename_playground(&id.get_value(), &new_name).await {
                Ok(_) => {
                    status.ok(format!("Renamed to “{new_name}”."));
                    reload.update(|v| *v += 1);
                }
                Err(e) => status.fail(AwsError::local(e)),
            }
        });
    };
    let delete = move |_| {
        crate::api::forget_playground(&id.get_value());
        spawn_local(async move {
            match nimbus_browser::delete_playground(&id.get_value()).await {
                Ok(_) => {
                    status.ok("Playground deleted.");
                    reload.update(|v| *v += 1);
                }
                Err(e) => status.fail(AwsError::local(e)),
            }
        });
    };

    view! {
        <li class="playground card" data-id=info.id.clone()>
            {move || match mode.get() {
                Mode::Show => {
                    let name = name.clone();
                    view! {
                        <a class="playground-name" href=Route::Playground { id: id.get_value(), view: View::Home }.href()>
                            {name}
                        </a>
                        <span class="muted small">{format!("created {created}")}</span>
                        <span class="spacer"></span>
                        <button on:click=move |_| open(&id.get_value())>"Open"</button>
                        <button on:click=move |_| mode.set(Mode::Rename)>"Rename"</button>
                        <button class="danger" on:click=move |_| mode.set(Mode::ConfirmDelete)>"Delete"</button>
                    }
                        .into_any()
                }
                Mode::Rename => {
                    view! {
                        <form class="row grow" on:submit=rename>
                            <input
                                name="rename"
                                prop:value=move || draft.get()
                                on:input=move |ev| draft.set(event_target_value(&ev))
                            />
                            <button class="primary" type="submit">"Save"</button>
                            <button type="button" on:click=move |_| mode.set(Mode::Show)>"Cancel"</button>
                        </form>
                    }
                        .into_any()
                }
                Mode::ConfirmDelete => {
                    let name = name.clone();
                    view! {
                        <span class="confirm">
                            {format!("Delete “{name}” and everything in it? This cannot be undone.")}
                        </span>
                        <span class="spacer"></span>
                        <button class="danger" on:click=delete>"Delete for good"</button>
                        <button on:click=move |_| mode.set(Mode::Show)>"Cancel"</button>
                    }
                        .into_any()
                }
            }}
        </li>
    }
}
