//! The code panel: file tabs, the CodeMirror editor, add/delete file, Deploy and Test.
use super::editor::{self, Callbacks, Editor};
use super::Page;
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Lambda resolves handler modules by relative path inside the package; keep names plain.
fn check_file_name(name: &str, existing: &[(String, String)]) -> Result<(), String> {
    if name.is_empty() {
        return Err("Enter a file name, e.g. util.mjs.".into());
    }
    if name.starts_with('/') || name.split('/').any(|part| part.is_empty() || part == "..") {
        return Err("Use a relative path such as lib/util.mjs.".into());
    }
    if name.chars().any(char::is_whitespace) {
        return Err("File names cannot contain spaces.".into());
    }
    if existing.iter().any(|(f, _)| f == name) {
        return Err(format!("{name} already exists."));
    }
    Ok(())
}

#[component]
pub fn CodePanel(page: Page) -> impl IntoView {
    let host = NodeRef::<Div>::new();
    let editor: StoredValue<Option<Editor>, LocalStorage> = StoredValue::new_local(None);
    let new_file = RwSignal::new(None::<String>);
    let confirm_delete = RwSignal::new(false);

    let current_file = move || {
        page.files.with_untracked(|files| {
            files
                .get(page.current.get_untracked())
                .cloned()
                .unwrap_or_default()
        })
    };

    host.on_load(move |element| {
        spawn_local(async move {
            if !editor::ready().await {
                page.status.fail(crate::api::AwsError::local(
                    "The code editor (editor.js) did not load; reload the page.",
                ));
                return;
            }
            let (file, text) = current_file();
            let callbacks = Callbacks {
                on_change: Box::new(move |text: String| {
                    let i = page.current.get_untracked();
                    page.files.update(|files| {
                        if let Some(f) = files.get_mut(i) {
                            f.1 = text;
                        }
                    });
                }),
                on_save: Box::new(move || {
                    spawn_local(async move {
                        page.deploy().await;
                    })
                }),
                on_run: Box::new(move || page.invoke()),
            };
            let mounted = Editor::mount(&element, &file, &text, callbacks);
            editor.set_value(Some(mounted));
        });
    });
    on_cleanup(move || {
        editor.try_update_value(|e| {
            if let Some(e) = e.take() {
                e.destroy();
            }
        });
    });

    // Another tab shows that file's text (the editor keeps one document at a time).
    let select = move |i: usize| {
        page.current.set(i);
        confirm_delete.set(false);
        let (file, text) = current_file();
        editor.with_value(|e| {
            if let Some(e) = e {
                e.show(&file, &text);
                e.focus();
            }
        });
    };

    let add_file = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(name) = new_file.get_untracked() else {
            return;
        };
        let name = name.trim().to_string();
        if let Err(message) = page.files.with_untracked(|f| check_file_name(&name, f)) {
            page.status.fail(crate::api::AwsError::local(message));
            return;
        }
        page.files.update(|f| f.push((name, String::new())));
        new_file.set(None);
        select(page.files.with_untracked(Vec::len) - 1);
    };

    let delete_file = move |_| {
        let i = page.current.get_untracked();
        page.files.update(|f| {
            if f.len() > 1 && i < f.len() {
                f.remove(i);
            }
        });
        confirm_delete.set(false);
        select(i.saturating_sub(1));
    };

    let deploy = move |_| {
        spawn_local(async move {
            page.deploy().await;
        })
    };

    let tabs = move || {
        let deployed = page.deployed.get();
        let current = page.current.get();
        page.files
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, (file, text))| {
                let changed = deployed.get(&file) != Some(&text);
                view! {
                    <button class="tab" class:current=i == current class:changed=changed
                        title=if changed { "Changed since the last deploy" } else { "" }
                        on:click=move |_| select(i)>
                        {file}
                        {changed.then(|| view! { <span class="dot" aria-label="unsaved">"●"</span> })}
                    </button>
                }
            })
            .collect_view()
    };
    let current_name = move || {
        page.files
            .with(|f| f.get(page.current.get()).map(|f| f.0.clone()))
            .unwrap_or_default()
    };

    view! {
        <section class="card fn-code">
            <div class="tabs">
                {tabs}
                <Show when=move || new_file.get().is_some() fallback=move || view! {
                    <button class="link add-file" title="Add a file" on:click=move |_| new_file.set(Some(String::new()))>"+ File"</button>
                }>
                    <form class="inline" on:submit=add_file>
                        <input name="new-file" placeholder="util.mjs" autofocus
                            prop:value=move || new_file.get().unwrap_or_default()
                            on:input=move |ev| new_file.set(Some(event_target_value(&ev))) />
                        <button type="submit">"Add"</button>
                        <button type="button" class="link" on:click=move |_| new_file.set(None)>"Cancel"</button>
                    </form>
                </Show>
            </div>
            <div class="editor" node_ref=host></div>
            <div class="editor-bar">
                <button class="primary" name="deploy" on:click=deploy disabled=move || page.busy.get().is_some()>
                    "Deploy"
                </button>
                <button name="test" on:click=move |_| page.invoke() disabled=move || page.busy.get().is_some()>
                    "Test"
                </button>
                <span class="muted small">
                    {move || match page.busy.get() {
                        Some(doing) => doing.to_string(),
                        None if page.dirty() => "Unsaved changes · Ctrl+S deploys, Ctrl+Enter tests".to_string(),
                        None => "Deployed · Ctrl+S deploys, Ctrl+Enter tests".to_string(),
                    }}
                </span>
                <span class="spacer"></span>
                <Show when=move || confirm_delete.get() fallback=move || view! {
                    <button class="link danger" on:click=move |_| confirm_delete.set(true)
                        disabled=move || page.files.with(|f| f.len() < 2)>"Delete file"</button>
                }>
                    <span class="confirm small">{move || format!("Delete {}?", current_name())}</span>
                    <button class="link danger" on:click=delete_file>"Delete"</button>
                    <button class="link" on:click=move |_| confirm_delete.set(false)>"Cancel"</button>
                </Show>
            </div>
        </section>
    }
}
