//! The app's only door to the emulator: nimbus-browser, plus the error shape every view shows.
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;
use nimbus_browser::Playground;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::HashMap;

/// An AWS error as the user sees it: the service's code and message, and what to try next.
#[derive(Clone, Debug, PartialEq)]
pub struct AwsError {
    pub code: String,
    pub message: String,
    pub status: u16,
}

impl AwsError {
    /// Errors that come from the app or storage rather than from a service.
    pub fn local(message: impl Into<String>) -> Self {
        AwsError {
            code: "NimbusError".into(),
            message: message.into(),
            status: 0,
        }
    }

    /// A hint for the codes people meet first; AWS's message says what, this says what to do.
    pub fn hint(&self) -> &'static str {
        match self.code.as_str() {
            "ResourceNotFoundException" | "NoSuchBucket" | "NotFound" => {
                "It may have been deleted (for instance from the SDK); refresh the list or create it again."
            }
            "AWS.SimpleQueueService.NonExistentQueue" | "QueueDoesNotExist" => {
                "The queue may have been deleted; refresh the list or create it again."
            }
            "ResourceInUseException" | "QueueAlreadyExists" | "QueueNameExists" => {
                "A resource with this name already exists (or is still being deleted); pick another name."
            }
            "BucketAlreadyExists" | "BucketAlreadyOwnedByYou" => {
                "Bucket names are unique; pick another name."
            }
            "BucketNotEmpty" => "Delete the bucket's objects first, then the bucket.",
            "NoSuchKey" => "The object is gone; refresh the object list.",
            "ValidationException" | "InvalidParameterValue" | "InvalidParameterValueException"
            | "InvalidArgument" | "InvalidBucketName" | "InvalidParameter" | "InvalidAttributeValue" => {
                "Check the input against the rules in the message (names, key types, sizes)."
            }
            "SerializationException" => "The input is not valid JSON in the shape the operation expects.",
            "ProvisionedThroughputExceededException" => {
                "The table used up its provisioned capacity and burst: wait a few seconds and retry, or raise its capacity (UpdateTable)."
            }
            "ThrottlingException" => {
                "The table went past the on-demand maximum it was given: wait a few seconds and retry, or raise or remove it (UpdateTable, OnDemandThroughput)."
            }
            "ReceiptHandleIsInvalid" => "Receive the message again to get a current receipt handle.",
            "NotImplemented" | "UnknownOperationException" | "InvalidAction" => {
                "Nimbus does not implement this operation yet."
            }
            "NimbusError" => "This came from the app or the browser's storage, not from an AWS service.",
            _ => "See the AWS documentation for this error code.",
        }
    }
}

impl std::fmt::Display for AwsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl From<nimbus_shapes::ServiceError> for AwsError {
    fn from(e: nimbus_shapes::ServiceError) -> Self {
        AwsError {
            code: e.code,
            message: e.message,
            status: e.status,
        }
    }
}

type Opening = Shared<LocalBoxFuture<'static, Result<Playground, String>>>;

thread_local! {
    /// One handle per playground per tab: two handles on one id would keep separate in-memory
    /// states over the same IndexedDB database (see `nimbus_browser::Playground`), so the UI and
    /// the SDK in the page must share this one. Keeping the future also merges concurrent opens.
    static OPEN: RefCell<HashMap<String, Opening>> = RefCell::new(HashMap::new());
}

/// Opens playground `id`, or returns the handle this tab already has.
pub async fn open_playground(id: &str) -> Result<Playground, String> {
    let opening = OPEN.with(|open| {
        let mut open = open.borrow_mut();
        if let Some(Some(Err(_))) = open.get(id).map(|f| f.peek().cloned()) {
            open.remove(id); // a failed open may succeed later (e.g. a blocked upgrade)
        }
        open.entry(id.to_string())
            .or_insert_with(|| {
                let id = id.to_string();
                async move { Playground::open(&id).await }
                    .boxed_local()
                    .shared()
            })
            .clone()
    });
    opening.await
}

/// Drops this tab's handle on `id` (before deleting the playground).
pub fn forget_playground(id: &str) {
    OPEN.with(|open| open.borrow_mut().remove(id));
}

/// The shared handle for JavaScript (web/js/sdk.js): `wasmBindings.openPlayground(id)`.
#[wasm_bindgen::prelude::wasm_bindgen(js_name = openPlayground)]
pub async fn open_playground_js(
    id: String,
) -> Result<nimbus_browser::JsPlayground, wasm_bindgen::JsValue> {
    open_playground(&id)
        .await
        .map(nimbus_browser::JsPlayground::new)
        .map_err(|e| js_sys::Error::new(&e).into())
}

/// The open playground, shared with every view below it through context.
/// `Playground` lives only in this thread (it owns IndexedDB handles), hence local storage.
pub type Pg = StoredValue<Playground, LocalStorage>;

pub fn provide_playground(pg: Playground) {
    provide_context::<Pg>(StoredValue::new_local(pg));
}

pub fn use_playground() -> Pg {
    expect_context::<Pg>()
}

/// Calls one operation; `input` and the answer are in the AWS model's member names.
pub async fn call(pg: Pg, service: &str, operation: &str, input: Value) -> Result<Value, AwsError> {
    let playground = pg.get_value();
    playground
        .call(service, operation, input)
        .await
        .map_err(AwsError::from)
}

/// Bumped after a change, so the views that depend on it load again: [`bump`](Self::bump)
/// reloads every view that tracks it, [`bump_lists`](Self::bump_lists) only the resource lists
/// (a table's view keeps its grid while a function creates a queue).
#[derive(Clone, Copy)]
pub struct Refresh {
    all: RwSignal<u32>,
    lists: RwSignal<u32>,
}

impl Refresh {
    pub fn new() -> Refresh {
        Refresh {
            all: RwSignal::new(0),
            lists: RwSignal::new(0),
        }
    }
    pub fn bump(self) {
        self.all.update(|v| *v += 1);
    }
    pub fn bump_lists(self) {
        self.lists.update(|v| *v += 1);
    }
    pub fn track(self) {
        self.all.track();
    }
    /// For a list of resources: reloads on either bump.
    pub fn track_lists(self) {
        self.all.track();
        self.lists.track();
    }
}

pub fn use_refresh() -> Refresh {
    expect_context::<Refresh>()
}

/// The string in an output member, or "".
pub fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The last segment of an ARN or queue URL: the resource's name.
pub fn name_from(arn_or_url: &str) -> String {
    arn_or_url
        .rsplit(['/', ':'])
        .next()
        .unwrap_or(arn_or_url)
        .to_string()
}

/// Epoch seconds (the canonical timestamp form) as local date and time.
pub fn format_time(seconds: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(seconds * 1000.0));
    String::from(date.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}
