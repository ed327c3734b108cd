//! Pieces every view uses: the AWS error box and the success notice.
use crate::api::AwsError;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The last error of a view, shown the way AWS reports it (code + message) with a hint.
#[component]
pub fn ErrorBox(error: RwSignal<Option<AwsError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            view! {
                <div class="error" role="alert">
                    <div class="error-head">
                        <strong class="error-code">{e.code.clone()}</strong>
                        {(e.status != 0).then(|| view! { <span class="error-status">{format!("HTTP {}", e.status)}</span> })}
                        <button class="link dismiss" on:click=move |_| error.set(None) title="Dismiss">
                            "×"
                        </button>
                    </div>
                    <div class="error-message">{e.message.clone()}</div>
                    <div class="error-hint">{e.hint()}</div>
                </div>
            }
        })
    }
}

/// A one-line confirmation of the last thing that worked.
#[component]
pub fn Notice(notice: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        notice
            .get()
            .map(|text| view! { <div class="notice" role="status">{text}</div> })
    }
}

/// Error + notice signals for a view: `report(result)` files the outcome in the right one.
#[derive(Clone, Copy)]
pub struct Status {
    pub error: RwSignal<Option<AwsError>>,
    pub notice: RwSignal<Option<String>>,
}

impl Status {
    pub fn new() -> Self {
        Status {
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
        }
    }

    pub fn ok(self, text: impl Into<String>) {
        self.error.set(None);
        self.notice.set(Some(text.into()));
    }

    pub fn fail(self, error: AwsError) {
        self.notice.set(None);
        self.error.set(Some(error));
    }

    pub fn clear(self) {
        self.error.set(None);
        self.notice.set(None);
    }
}

#[component]
pub fn StatusView(status: Status) -> impl IntoView {
    view! {
        <ErrorBox error=status.error />
        <Notice notice=status.notice />
    }
}

/// Human-readable byte counts for object sizes.
pub fn format_bytes(n: u64) -> String {
    match n {
        0..=1023 => format!("{n} B"),
        1024..=1_048_575 => format!("{:.1} KB", n as f64 / 1024.0),
        _ => format!("{:.1} MB", n as f64 / 1_048_576.0),
    }
}

/// What every create form does: run the create `operation`, then refresh the resource tree and
/// open the new resource's view; on failure, show AWS's error in `status`.
pub fn create_and_open(
    pg: crate::api::Pg,
    refresh: crate::api::Refresh,
    status: Status,
    playground_id: String,
    (service, operation): (crate::route::Service, &'static str),
    input: serde_json::Value,
    name: String,
) {
    leptos::task::spawn_local(async move {
        match crate::api::call(pg, service.slug(), operation, input).await {
            Ok(_) => {
                refresh.bump();
                crate::app::navigate(&crate::route::Route::Playground {
                    id: playground_id,
                    view: crate::route::View::Resource(service, name),
                });
            }
            Err(e) => status.fail(e),
        }
    });
}

/// Hands `bytes` to the browser as a download named `filename`, through a Blob URL.
pub fn save_as(bytes: &[u8], content_type: &str, filename: &str) -> Result<(), AwsError> {
    let fail =
        |e: wasm_bindgen::JsValue| AwsError::local(format!("Could not start the download: {e:?}"));
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(content_type);
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let anchor: web_sys::HtmlAnchorElement = document()
        .create_element("a")
        .map_err(fail)?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(filename);
    anchor.click();
    // The click has started the download; the URL can go once the browser has read it.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    Ok(())
}
