//! S3: the bucket list with a create form, and a bucket browser with upload and download.
use crate::api::{call, format_time, str_of, use_playground, use_refresh, AwsError};
use crate::app::navigate;
use crate::route::{Route, Service, View};
use crate::views::common::{create_and_open, format_bytes, save_as, Status, StatusView};
use crate::views::dynamodb::ResourceLinks;
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};
use wasm_bindgen_futures::JsFuture;

#[component]
pub fn Buckets(id: String) -> impl IntoView {
    let pg = use_playground();
    let refresh = use_refresh();
    let status = Status::new();
    let name = RwSignal::new(String::new());
    let id = StoredValue::new(id);

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let bucket = name.get_untracked().trim().to_string();
        create_and_open(
            pg,
            refresh,
            status,
            id.get_value(),
            (Service::S3, "CreateBucket"),
            json!({"Bucket": bucket}),
            bucket,
        );
    };

    view! {
        <h1>"S3 buckets"</h1>
        <form class="card form" on:submit=create>
            <h2>"Create bucket"</h2>
            <label>
                "Bucket name"
                <input name="bucket-name" required placeholder="my-uploads"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <p class="muted small">"3-63 characters: lowercase letters, digits, dots and hyphens."</p>
            <button class="primary" type="submit">"Create bucket"</button>
        </form>
        <StatusView status />
        <ResourceLinks service=Service::S3 id=id.get_value() />
    }
}

/// Reads a picked file's bytes.
async fn file_bytes(file: &web_sys::File) -> Result<Vec<u8>, AwsError> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| AwsError::local(format!("Could not read the file: {e:?}")))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

#[component]
pub fn Bucket(id: String, name: String) -> impl IntoView {
    let pg = use_playground();
    let refresh = use_refresh();
    let status = Status::new();
    let bucket = StoredValue::new(name.clone());
    let id = StoredValue::new(id);
    let reload = RwSignal::new(0u32);
    let busy = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    let objects = LocalResource::new(move || {
        reload.track();
        async move {
            call(
                pg,
                "s3",
                "ListObjectsV2",
                json!({"Bucket": bucket.get_value()}),
            )
            .await
        }
    });

    let upload = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let files: Vec<web_sys::File> = match input.files() {
            Some(list) => (0..list.length()).filter_map(|i| list.get(i)).collect(),
            None => return,
        };
        input.set_value("");
        busy.set(true);
        spawn_local(async move {
            for file in files {
                let result = async {
                    let bytes = file_bytes(&file).await?;
                    let mut input = json!({"Bucket": bucket.get_value(), "Key": file.name(), "Body": BASE64.encode(&bytes)});
                    if !file.type_().is_empty() {
                        input["ContentType"] = json!(file.type_());
                    }
                    call(pg, "s3", "PutObject", input).await
                };
                match result.await {
                    Ok(_) => status.ok(format!(
                        "Uploaded {} ({}).",
                        file.name(),
                        format_bytes(file.size() as u64)
                    )),
                    Err(e) => {
                        status.fail(e);
                        break;
                    }
                }
            }
            busy.set(false);
            reload.update(|v| *v += 1);
        });
    };

    let download = move |key: String| {
        spawn_local(async move {
            let out = match call(
                pg,
                "s3",
                "GetObject",
                json!({"Bucket": bucket.get_value(), "Key": key}),
            )
            .await
            {
                Ok(out) => out,
                Err(e) => return status.fail(e),
            };
            let saved = BASE64
                .decode(str_of(&out, "Body"))
                .map_err(|e| AwsError::local(format!("The object body is not base64: {e}")))
                .and_then(|bytes| {
                    let content_type = match str_of(&out, "ContentType") {
                        "" => "application/octet-stream",
                        t => t,
                    };
                    let filename = key.rsplit('/').next().unwrap_or(&key);
                    save_as(&bytes, content_type, filename)
                });
            match saved {
                Ok(()) => status.ok(format!("Downloaded {key}.")),
                Err(e) => status.fail(e),
            }
        });
    };

    let delete_object = move |key: String| {
        spawn_local(async move {
            match call(
                pg,
                "s3",
                "DeleteObject",
                json!({"Bucket": bucket.get_value(), "Key": key}),
            )
            .await
            {
                Ok(_) => {
                    status.ok(format!("Deleted {key}."));
                    reload.update(|v| *v += 1);
                }
                Err(e) => status.fail(e),
            }
        });
    };

    let delete_bucket = move |_| {
        spawn_local(async move {
            match call(
                pg,
                "s3",
                "DeleteBucket",
                json!({"Bucket": bucket.get_value()}),
            )
            .await
            {
                Ok(_) => {
                    refresh.bump();
                    navigate(&Route::Playground {
                        id: id.get_value(),
                        view: View::Service(Service::S3),
                    });
                }
                Err(e) => {
                    confirm_delete.set(false);
                    status.fail(e)
                }
            }
        });
    };

    view! {
        <div class="title-row">
            <h1><span class="muted">"Bucket "</span>{name}</h1>
            <span class="spacer"></span>
            <Show when=move || matches!(objects.get(), Some(Ok(_)))>
                <Show when=move || confirm_delete.get() fallback=move || view! {
                    <button class="danger" on:click=move |_| confirm_delete.set(true)>"Delete bucket"</button>
                }>
                    <span class="confirm">"Delete this bucket? It must be empty."</span>
                    <button class="danger" on:click=delete_bucket>"Delete for good"</button>
                    <button on:click=move |_| confirm_delete.set(false)>"Cancel"</button>
                </Show>
            </Show>
        </div>
        <StatusView status />
        <div class="card row upload" class:hidden=move || matches!(objects.get(), Some(Err(_)))>
            <label class="button primary">
                {move || if busy.get() { "Uploading…" } else { "Upload files" }}
                <input type="file" name="upload" multiple class="hidden" on:change=upload />
            </label>
            <span class="muted small">"Each file becomes an object whose key is the file's name (PutObject)."</span>
            <span class="spacer"></span>
            <button on:click=move |_| reload.update(|v| *v += 1)>"Refresh"</button>
        </div>
        {move || match objects.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <crate::views::common::ErrorBox error=RwSignal::new(Some(e)) /> }.into_any(),
            Some(Ok(out)) => {
                let contents = out.get("Contents").and_then(Value::as_array).cloned().unwrap_or_default();
                if contents.is_empty() {
                    return view! { <p class="empty">"This bucket is empty. Upload a file to add an object."</p> }.into_any();
                }
                view! {
                    <table class="grid objects">
                        <thead><tr><th>"Key"</th><th>"Size"</th><th>"Last modified"</th><th>"ETag"</th><th></th></tr></thead>
                        <tbody>
                            {contents.into_iter().map(|object| {
                                let key = str_of(&object, "Key").to_string();
                                let size = object.get("Size").and_then(Value::as_u64).unwrap_or(0);
                                let modified = object.get("LastModified").and_then(Value::as_f64).map(format_time).unwrap_or_default();
                                let (k1, k2) = (key.clone(), key.clone());
                                view! {
                                    <tr>
                                        <td class="key">{key}</td>
                                        <td>{format_bytes(size)}</td>
                                        <td>{modified}</td>
                                        <td class="mono">{str_of(&object, "ETag").to_string()}</td>
                                        <td class="actions">
                                            <button class="link" on:click=move |_| download(k1.clone())>"Download"</button>
                                            <button class="link danger" on:click=move |_| delete_object(k2.clone())>"Delete"</button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }
        }}
    }
}
