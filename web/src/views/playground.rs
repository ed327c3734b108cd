//! One open playground: the resource tree on the left, the selected view on the right.
use crate::api::{self, provide_playground, use_playground, AwsError, Refresh};
use crate::app::use_route;
use crate::route::{Route, Service, View};
use crate::views::{dynamodb, lambda, s3, sns, sqs};
use leptos::prelude::*;
use nimbus_browser::Playground;
use serde_json::{json, Value};

#[component]
pub fn PlaygroundView(id: String) -> impl IntoView {
    let opened = LocalResource::new({
        let id = id.clone();
        move || {
            let id = id.clone();
            async move { api::open_playground(&id).await }
        }
    });
    move || match opened.get() {
        None => view! { <main class="page"><p class="muted">"Opening playground…"</p></main> }
            .into_any(),
        Some(Err(e)) => view! {
            <main class="page narrow">
                <h1>"This playground could not be opened"</h1>
                <crate::views::common::ErrorBox error=RwSignal::new(Some(AwsError::local(e))) />
                <a href="#/">"Back to the playground list"</a>
            </main>
        }
        .into_any(),
        Some(Ok(pg)) => view! { <OpenPlayground pg id=id.clone() /> }.into_any(),
    }
}

/// Code (the SDK in the console, functions) adds and removes resources behind the UI's back: the
/// lists follow within a second.
fn reload_lists_on_resource_changes(refresh: Refresh) {
    let pg = use_playground();
    let seen = StoredValue::new(pg.get_value().resource_changes());
    let check = move || {
        let changes = pg.get_value().resource_changes();
        if changes != seen.get_value() {
            seen.set_value(changes);
            refresh.bump_lists();
        }
    };
    if let Ok(poll) = set_interval_with_handle(check, std::time::Duration::from_secs(1)) {
        on_cleanup(move || poll.clear());
    }
}

#[component]
fn OpenPlayground(pg: Playground, id: String) -> impl IntoView {
    provide_playground(pg);
    provide_context(Refresh::new());
    let refresh = api::use_refresh();
    reload_lists_on_resource_changes(refresh);
    let route = use_route();
    let view_of = Memo::new(move |_| match route.get() {
        Route::Playground { view, .. } => view,
        Route::List | Route::Share(_) => View::Home,
    });
    let name = LocalResource::new({
        let id = id.clone();
        move || {
            let id = id.clone();
            async move {
                let list = nimbus_browser::list_playgrounds().await.unwrap_or_default();
                list.into_iter()
                    .find(|p| p.id == id)
                    .map(|p| p.name)
                    .unwrap_or(id)
            }
        }
    });

    view! {
        <div class="layout">
            <aside class="sidebar">
                <a class="back" href="#/">"← All playgrounds"</a>
                <div class="playground-head">
                    <a class="playground-title" href=Route::Playground { id: id.clone(), view: View::Home }.href()>
                        {move || name.get().unwrap_or_default()}
                    </a>
                    <button class="link refresh" title="Reload the resource lists" on:click=move |_| refresh.bump()>
                        "↻"
                    </button>
                </div>
                <crate::views::share::ShareActions id=id.clone() />
                {Service::ALL
                    .into_iter()
                    .map(|service| view! { <ResourceTree service id=id.clone() current=view_of /> })
                    .collect_view()}
            </aside>
            <main class="panel">
                {move || {
                    let id = id.clone();
                    match view_of.get() {
                        View::Home => view! { <Home id /> }.into_any(),
                        View::Service(Service::DynamoDb) => view! { <dynamodb::Tables id /> }.into_any(),
                        View::Service(Service::Sqs) => view! { <sqs::Queues id /> }.into_any(),
                        View::Service(Service::S3) => view! { <s3::Buckets id /> }.into_any(),
                        View::Service(Service::Sns) => view! { <sns::Topics /> }.into_any(),
                        View::Service(Service::Lambda) => view! { <lambda::Functions id /> }.into_any(),
                        View::Resource(Service::DynamoDb, name) => view! { <dynamodb::Table id name /> }.into_any(),
                        View::Resource(Service::Sqs, name) => view! { <sqs::Queue id name /> }.into_any(),
                        View::Resource(Service::S3, name) => view! { <s3::Bucket id name /> }.into_any(),
                        View::Resource(Service::Sns, _) => view! { <sns::Topics /> }.into_any(),
                        View::Resource(Service::Lambda, name) => view! { <lambda::Function id name /> }.into_any(),
                    }
                }}
            </main>
        </div>
    }
}

/// The names of a service's resources, from its List* operation.
pub async fn list_names(pg: api::Pg, service: Service) -> Result<Vec<String>, AwsError> {
    let (op, member) = match service {
        Service::DynamoDb => ("ListTables", "TableNames"),
        Service::Sqs => ("ListQueues", "QueueUrls"),
        Service::S3 => ("ListBuckets", "Buckets"),
        Service::Sns => ("ListTopics", "Topics"),
        Service::Lambda => ("ListFunctions", "Functions"),
    };
    let out = api::call(pg, service.slug(), op, json!({})).await?;
    let items = out
        .get(member)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut names: Vec<String> = items
        .iter()
        .filter_map(|item| match service {
            Service::DynamoDb => item.as_str().map(str::to_string),
            Service::Sqs => item.as_str().map(api::name_from),
            Service::S3 => item.get("Name").and_then(Value::as_str).map(str::to_string),
            Service::Sns => item
                .get("TopicArn")
                .and_then(Value::as_str)
                .map(api::name_from),
            Service::Lambda => item
                .get("FunctionName")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
        .collect();
    names.sort();
    Ok(names)
}

#[component]
fn ResourceTree(service: Service, id: String, current: Memo<View>) -> impl IntoView {
    let pg = use_playground();
    let refresh = api::use_refresh();
    let names = LocalResource::new(move || {
        refresh.track_lists();
        list_names(pg, service)
    });
    let service_href = Route::Playground {
        id: id.clone(),
        view: View::Service(service),
    }
    .href();
    let is_current_service = move || current.get() == View::Service(service);

    view! {
        <section class="tree" data-service=service.slug()>
            <a class="tree-head" class:current=is_current_service href=service_href>
                <span>{service.title()}</span>
                <span class="muted small">{service.resources()}</span>
            </a>
            {move || match names.get() {
                None => view! { <div class="tree-note muted">"…"</div> }.into_any(),
                Some(Err(e)) => view! { <div class="tree-note error-text" title=e.message.clone()>{e.code.clone()}</div> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <div class="tree-note muted">"none yet"</div> }.into_any(),
                Some(Ok(list)) => list
                    .into_iter()
                    .map(|name| {
                        let view = View::Resource(service, name.clone());
                        let href = Route::Playground { id: id.clone(), view: view.clone() }.href();
                        let selected = move || current.get() == view;
                        view! { <a class="tree-item" class:current=selected href=href>{name}</a> }
                    })
                    .collect_view()
                    .into_any(),
            }}
        </section>
    }
}

/// The playground's landing view: what is here and how to reach it from code.
#[component]
fn Home(id: String) -> impl IntoView {
    let snippet = format!(
        "const {{ dynamodb, documentClient, sqs, s3 }} = nimbus.sdk(\"{id}\");\n\
         const {{ ListTablesCommand }} = nimbus.aws.dynamodb;\n\
         await dynamodb.send(new ListTablesCommand({{}}));"
    );
    view! {
        <h1>"Overview"</h1>
        <p>"Pick a service on the left to create resources and work with their data. Everything is kept in this browser's IndexedDB and survives a reload."</p>
        <div class="cards">
            {Service::ALL
                .into_iter()
                .map(|service| {
                    let href = Route::Playground { id: id.clone(), view: View::Service(service) }.href();
                    view! {
                        <a class="card service-card" href=href>
                            <strong>{service.title()}</strong>
                            <span class="muted">{service.resources()}</span>
                        </a>
                    }
                })
                .collect_view()}
        </div>
        <h2>"From code"</h2>
        <p>
            "The AWS SDK for JavaScript v3 is loaded in this page and wired to this playground. Try it in the browser console:"
        </p>
        <pre class="code">{snippet}</pre>
    }
}
