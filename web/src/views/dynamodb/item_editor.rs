//! The item editor: a new item, or one loaded from a grid row, in DynamoDB JSON or plain JSON.
//! The text is checked as you type (JSON syntax, type descriptors, the key attributes and their
//! types); Save is PutItem and stays disabled while the text is wrong.
use super::attrs::{item_text, parse_item, template, KeyAttr};
use leptos::prelude::*;
use serde_json::{Map, Value};

/// The editor's state, shared with the table view (the grid's Edit loads a row into it).
#[derive(Clone, Copy)]
pub struct Editor {
    pub text: RwSignal<String>,
    pub plain: RwSignal<bool>,
    /// Whether the text came from an existing item (Edit) rather than New item.
    pub editing: RwSignal<bool>,
}

impl Editor {
    pub fn new(keys: &[KeyAttr]) -> Self {
        Editor {
            text: RwSignal::new(template(keys, false)),
            plain: RwSignal::new(false),
            editing: RwSignal::new(false),
        }
    }

    pub fn load(self, item: &Value, keys: &[KeyAttr]) {
        let empty = Map::new();
        self.text.set(item_text(
            item.as_object().unwrap_or(&empty),
            keys,
            self.plain.get_untracked(),
        ));
        self.editing.set(true);
    }

    pub fn reset(self, keys: &[KeyAttr]) {
        self.text.set(template(keys, self.plain.get_untracked()));
        self.editing.set(false);
    }

    /// Switches notation, converting the text when it is valid (else only the mode changes).
    fn switch(self, plain: bool, keys: &[KeyAttr]) {
        let was = self.plain.get_untracked();
        if was == plain {
            return;
        }
        if let Ok(item) = parse_item(&self.text.get_untracked(), was, keys) {
            self.text.set(item_text(&item, keys, plain));
        }
        self.plain.set(plain);
    }
}

#[component]
pub fn ItemEditor(
    editor: Editor,
    keys: Vec<KeyAttr>,
    /// PutItem with the typed item.
    on_save: Callback<Map<String, Value>>,
) -> impl IntoView {
    let keys = StoredValue::new(keys);
    let checked =
        Memo::new(move |_| parse_item(&editor.text.get(), editor.plain.get(), &keys.get_value()));
    let save = move |_| {
        if let Ok(item) = checked.get_untracked() {
            on_save.run(item);
        }
    };
    let mode_button = move |plain: bool, label: &'static str, name: &'static str| {
        view! {
            <button type="button" name=name class="tab" class:current=move || editor.plain.get() == plain
                on:click=move |_| editor.switch(plain, &keys.get_value())>{label}</button>
        }
    };
    view! {
        <section class="card item-editor">
            <div class="card-head">
                <h2>{move || if editor.editing.get() { "Edit item" } else { "New item" }}</h2>
                <span class="spacer"></span>
                <div class="toggle">
                    {mode_button(false, "DynamoDB JSON", "mode-typed")}
                    {mode_button(true, "Plain JSON", "mode-plain")}
                </div>
            </div>
            <p class="muted small">{move || if editor.plain.get() {
                "Plain JSON, as DocumentClient takes it: strings, numbers, booleans, null, lists and maps."
            } else {
                "DynamoDB JSON: each attribute as {\"S\": …}, {\"N\": \"…\"}, {\"BOOL\": …}, {\"L\": […]}, {\"M\": {…}}."
            }}</p>
            <textarea name="item" class="code" rows="10" spellcheck="false"
                class:invalid=move || checked.with(Result::is_err)
                prop:value=move || editor.text.get() on:input=move |ev| editor.text.set(event_target_value(&ev))></textarea>
            {move || checked.get().err().map(|e| view! { <p class="field-error item-error" role="alert">{e}</p> })}
            <div class="row">
                <button class="primary" name="save-item" prop:disabled=move || checked.with(Result::is_err) on:click=save>"Put item"</button>
                <button type="button" name="new-item" on:click=move |_| editor.reset(&keys.get_value())>"New item"</button>
            </div>
        </section>
    }
}
