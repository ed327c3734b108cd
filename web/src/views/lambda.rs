//! Lambda: the function list with a create form, and the function page: a code editor with
//! several files, saved test events, invoke with the result and logs beside the code, the
//! configuration form, the function's live CloudWatch logs and its triggers (event source
//! mappings on table streams).
//!
//! Code travels as AWS takes it: a zip (built by `nimbus_core::services::lambda::zip`) in
//! CreateFunction / UpdateFunctionCode, and the editor reads it back with
//! `Playground::function_files`, so what the page shows is what runs.
mod code;
mod config;
mod editor;
mod events;
mod invoke;
mod logs;
mod triggers;

use crate::api::{call, str_of, use_playground, use_refresh, AwsError, Pg};
use crate::app::navigate;
use crate::route::{Route, Service, View};
use crate::views::common::{create_and_open, ErrorBox, Status, StatusView};
use crate::views::dynamodb::ResourceLinks;
use base64::Engine as _;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The runtimes a new function can pick (Nimbus runs Node.js; see the core's SUPPORTED_RUNTIMES).
pub const CREATE_RUNTIMES: [&str; 2] = ["nodejs22.x", "nodejs20.x"];
/// The execution role every function of the playground gets (IAM is not enforced).
pub const ROLE: &str = "arn:aws:iam::123456789012:role/lambda-role";

pub(crate) fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// A deployment package of `files` (name, text), base64 as the canonical form wants blobs.
pub fn zip_base64(files: &[(String, String)]) -> String {
    let zipped = nimbus_core::services::lambda::zip::write(
        files
            .iter()
            .map(|(name, text)| (name.as_str(), text.as_bytes())),
        true,
    );
    b64().encode(zipped)
}

/// The file a handler `path/module.function` loads, and a starter handler for it that logs the
/// event and answers an API Gateway-style response.
pub fn starter_file(handler: &str) -> (String, String) {
    let (module, export) = handler.rsplit_once('.').unwrap_or(("index", "handler"));
    let module = if module.is_empty() { "index" } else { module };
    let text = format!(
        "// Runs on every invoke: `event` is the test event, `context` what Lambda gives.\n\
         export const {export} = async (event, context) => {{\n\
         \x20 console.log(\"event:\", JSON.stringify(event));\n\
         \x20 return {{\n\
         \x20   statusCode: 200,\n\
         \x20   body: JSON.stringify({{ message: `Hello from ${{context.functionName}}` }}),\n\
         \x20 }};\n\
         }};\n"
    );
    (format!("{module}.mjs"), text)
}

#[component]
pub fn Functions(id: String) -> impl IntoView {
    let pg = use_playground();
    let refresh = use_refresh();
    let status = Status::new();
    let name = RwSignal::new(String::new());
    let runtime = RwSignal::new(CREATE_RUNTIMES[0].to_string());
    let handler = RwSignal::new("index.handler".to_string());
    let id = StoredValue::new(id);

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let function = name.get_untracked().trim().to_string();
        let handler = handler.get_untracked().trim().to_string();
        let starter = starter_file(&handler);
        let input = json!({
            "FunctionName": function,
            "Runtime": runtime.get_untracked(),
            "Role": ROLE,
            "Handler": handler,
            "Code": {"ZipFile": zip_base64(&[starter])},
        });
        create_and_open(
            pg,
            refresh,
            status,
            id.get_value(),
            (Service::Lambda, "CreateFunction"),
            input,
            function,
        );
    };

    view! {
        <h1>"Lambda functions"</h1>
        <form class="card form" on:submit=create>
            <h2>"Create function"</h2>
            <label>
                "Function name"
                <input name="function-name" required placeholder="hello"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <div class="row">
                <label class="grow">
                    "Runtime"
                    <select name="runtime" prop:value=move || runtime.get()
                        on:change=move |ev| runtime.set(event_target_value(&ev))>
                        {CREATE_RUNTIMES.iter().map(|r| view! { <option value=*r>{*r}</option> }).collect_view()}
                    </select>
                </label>
                <label class="grow">
                    "Handler"
                    <input name="handler" required prop:value=move || handler.get()
                        on:input=move |ev| handler.set(event_target_value(&ev)) />
                </label>
            </div>
            <p class="muted small">
                {move || {
                    let (file, _) = starter_file(handler.get().trim());
                    format!("Starts with {file}, a handler that logs the event and returns a response.")
                }}
            </p>
            <button class="primary" type="submit">"Create function"</button>
        </form>
        <StatusView status />
        <ResourceLinks service=Service::Lambda id=id.get_value() />
    }
}

/// Everything the function page's parts share. All fields are signals or stored values, so it
/// is `Copy` and each part takes it whole.
#[derive(Clone, Copy)]
pub struct Page {
    pub pg: Pg,
    pub playground: StoredValue<String>,
    pub name: StoredValue<String>,
    pub status: Status,
    /// The files in the editor (name, text), in tab order.
    pub files: RwSignal<Vec<(String, String)>>,
    /// The files of the deployed package, to mark unsaved changes.
    pub deployed: RwSignal<BTreeMap<String, String>>,
    pub current: RwSignal<usize>,
    /// The last FunctionConfiguration (GetFunction / UpdateFunction*).
    pub config: RwSignal<Value>,
    /// Reserved concurrency, `None` when unreserved.
    pub reserved: RwSignal<Option<i64>>,
    /// What is running now ("Deploying…", "Invoking…"), to disable the buttons.
    pub busy: RwSignal<Option<&'static str>>,
    pub events: events::Events,
    pub outcome: RwSignal<Option<invoke::Outcome>>,
    /// Bumped after an invoke so the log panel reads at once.
    pub logs_tick: RwSignal<u32>,
}

impl Page {
    pub fn function(self) -> String {
        self.name.get_value()
    }

    /// Whether the editor holds changes that are not deployed.
    pub fn dirty(self) -> bool {
        let files: BTreeMap<String, String> = self.files.get().into_iter().collect();
        self.deployed.with(|deployed| *deployed != files)
    }

    /// Deploys the editor's files (UpdateFunctionCode with their zip); answers whether it worked.
    pub async fn deploy(self) -> bool {
        if self.busy.get_untracked().is_some() {
            return false;
        }
        self.busy.set(Some("Deploying…"));
        let files = self.files.get_untracked();
        let input = json!({"FunctionName": self.function(), "ZipFile": zip_base64(&files)});
        let result = call(self.pg, "lambda", "UpdateFunctionCode", input).await;
        self.busy.set(None);
        match result {
            Ok(config) => {
                self.deployed.set(files.into_iter().collect());
                self.config.set(config);
                self.status.ok("Deployed.");
                true
            }
            Err(e) => {
                self.status.fail(e);
                false
            }
        }
    }

    /// Invokes the function with the chosen test event, deploying unsaved changes first (the
    /// result should be the code on screen).
    pub fn invoke(self) {
        spawn_local(async move {
            if self.busy.get_untracked().is_some() {
                return;
            }
            let payload = match self.events.payload() {
                Ok(payload) => payload,
                Err(message) => {
                    self.status.fail(AwsError::local(message));
                    return;
                }
            };
            if self.dirty() && !self.deploy().await {
                return;
            }
            invoke::run(self, payload).await;
        });
    }
}

#[component]
pub fn Function(id: String, name: String) -> impl IntoView {
    let pg = use_playground();
    let function = StoredValue::new(name.clone());
    let loaded = LocalResource::new(move || async move {
        let input = json!({"FunctionName": function.get_value()});
        let out = call(pg, "lambda", "GetFunction", input).await?;
        let files = pg
            .get_value()
            .function_files(&function.get_value())
            .ok_or_else(|| AwsError::local("The function's code could not be read."))?;
        Ok::<_, AwsError>((out, files))
    });
    view! {
        {move || match loaded.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! {
                <h1><span class="muted">"Function "</span>{function.get_value()}</h1>
                <ErrorBox error=RwSignal::new(Some(e)) />
            }.into_any(),
            Some(Ok((out, files))) => view! { <FunctionPage id=id.clone() out files /> }.into_any(),
        }}
    }
}

#[component]
fn FunctionPage(id: String, out: Value, files: BTreeMap<String, Vec<u8>>) -> impl IntoView {
    let pg = use_playground();
    let config = out.get("Configuration").cloned().unwrap_or(Value::Null);
    let name = str_of(&config, "FunctionName").to_string();
    let files: Vec<(String, String)> = files
        .into_iter()
        .map(|(file, bytes)| (file, String::from_utf8_lossy(&bytes).into_owned()))
        .collect();
    // Open the handler's file first, as the console does.
    let handler_module = str_of(&config, "Handler")
        .rsplit_once('.')
        .map(|(m, _)| m.to_string())
        .unwrap_or_default();
    let first = files
        .iter()
        .position(|(f, _)| f.rsplit_once('.').map(|(m, _)| m) == Some(handler_module.as_str()))
        .unwrap_or(0);
    let reserved = out
        .get("Concurrency")
        .and_then(|c| c.get("ReservedConcurrentExecutions"))
        .and_then(Value::as_i64);
    let page = Page {
        pg,
        playground: StoredValue::new(id),
        name: StoredValue::new(name.clone()),
        status: Status::new(),
        deployed: RwSignal::new(files.iter().cloned().collect()),
        files: RwSignal::new(files),
        current: RwSignal::new(first),
        config: RwSignal::new(config),
        reserved: RwSignal::new(reserved),
        busy: RwSignal::new(None),
        events: events::Events::load(pg, &name),
        outcome: RwSignal::new(None),
        logs_tick: RwSignal::new(0),
    };

    // Ctrl/Cmd+S and Ctrl/Cmd+Enter work anywhere on the page (the editor handles its own).
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.default_prevented() || !(ev.ctrl_key() || ev.meta_key()) {
            return;
        }
        match ev.key().as_str() {
            "s" | "S" => {
                ev.prevent_default();
                spawn_local(async move {
                    page.deploy().await;
                });
            }
            "Enter" => {
                ev.prevent_default();
                page.invoke();
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());

    view! {
        <FunctionHeader page />
        <StatusView status=page.status />
        <div class="fn-grid">
            <code::CodePanel page />
            <div class="fn-side">
                <events::EventsPanel page />
                <invoke::ResultPanel page />
            </div>
        </div>
        <logs::LogsPanel page />
        <triggers::TriggersPanel page />
        <config::ConfigPanel page />
    }
}

#[component]
fn FunctionHeader(page: Page) -> impl IntoView {
    let refresh = use_refresh();
    let confirm_delete = RwSignal::new(false);
    let delete = move |_| {
        spawn_local(async move {
            let name = page.function();
            let input = json!({"FunctionName": name});
            match call(page.pg, "lambda", "DeleteFunction", input).await {
                Ok(_) => {
                    // The saved test events go with the function, as in the console.
                    let _ = page
                        .pg
                        .get_value()
                        .put_app_data(&events::key(&name), None)
                        .await;
                    refresh.bump();
                    navigate(&Route::Playground {
                        id: page.playground.get_value(),
                        view: View::Service(Service::Lambda),
                    });
                }
                Err(e) => page.status.fail(e),
            }
        });
    };
    let summary = move || {
        page.config.with(|c| {
            format!(
                "{} · {} · {} MB · {} s timeout",
                str_of(c, "Runtime"),
                str_of(c, "Handler"),
                c.get("MemorySize").and_then(Value::as_i64).unwrap_or(0),
                c.get("Timeout").and_then(Value::as_i64).unwrap_or(0),
            )
        })
    };
    view! {
        <div class="title-row">
            <h1><span class="muted">"Function "</span>{page.function()}</h1>
            <span class="muted small fn-summary">{summary}</span>
            <span class="spacer"></span>
            <Show when=move || confirm_delete.get() fallback=move || view! {
                <button class="danger" on:click=move |_| confirm_delete.set(true)>"Delete function"</button>
            }>
                <span class="confirm">"Delete this function, its versions and test events?"</span>
                <button class="danger" on:click=delete>"Delete for good"</button>
                <button on:click=move |_| confirm_delete.set(false)>"Cancel"</button>
            </Show>
        </div>
        <p class="muted small arn">{move || page.config.with(|c| str_of(c, "FunctionArn").to_string())}</p>
    }
}
