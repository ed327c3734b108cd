//! SQS: the queue list with a create form, and a queue view to send, receive and delete messages.
use crate::api::{call, str_of, use_playground, use_refresh};
use crate::app::navigate;
use crate::route::{Route, Service, View};
use crate::views::common::{create_and_open, Status, StatusView};
use crate::views::dynamodb::ResourceLinks;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};

#[component]
pub fn Queues(id: String) -> impl IntoView {
    let pg = use_playground();
    let refresh = use_refresh();
    let status = Status::new();
    let name = RwSignal::new(String::new());
    let id = StoredValue::new(id);

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let queue = name.get_untracked().trim().to_string();
        // AWS: a FIFO queue's name must end in ".fifo" and it must say FifoQueue=true.
        let input = if queue.ends_with(".fifo") {
            json!({"QueueName": queue, "Attributes": {"FifoQueue": "true"}})
        } else {
            json!({"QueueName": queue})
        };
        create_and_open(
            pg,
            refresh,
            status,
            id.get_value(),
            (Service::Sqs, "CreateQueue"),
            input,
            queue,
        );
    };

    view! {
        <h1>"SQS queues"</h1>
        <form class="card form" on:submit=create>
            <h2>"Create queue"</h2>
            <label>
                "Queue name"
                <input name="queue-name" required placeholder="orders"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <p class="muted small">"Standard queue; end the name with .fifo for a FIFO queue."</p>
            <button class="primary" type="submit">"Create queue"</button>
        </form>
        <StatusView status />
        <ResourceLinks service=Service::Sqs id=id.get_value() />
    }
}

#[component]
pub fn Queue(id: String, name: String) -> impl IntoView {
    let pg = use_playground();
    let queue_name = StoredValue::new(name.clone());
    let url = LocalResource::new(move || async move {
        call(
            pg,
            "sqs",
            "GetQueueUrl",
            json!({"QueueName": queue_name.get_value()}),
        )
        .await
    });
    view! {
        <h1><span class="muted">"Queue "</span>{name}</h1>
        {move || match url.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <crate::views::common::ErrorBox error=RwSignal::new(Some(e)) /> }.into_any(),
            Some(Ok(out)) => view! { <QueueBody id=id.clone() url=str_of(&out, "QueueUrl").to_string() /> }.into_any(),
        }}
    }
}

#[component]
fn QueueBody(id: String, url: String) -> impl IntoView {
    let pg = use_playground();
    let refresh = use_refresh();
    let status = Status::new();
    let fifo = url.ends_with(".fifo");
    let queue_url = StoredValue::new(url.clone());
    let id = StoredValue::new(id);
    let body = RwSignal::new(String::from("{\"hello\": \"world\"}"));
    let group = RwSignal::new(String::from("default"));
    let messages: RwSignal<Option<Vec<Value>>> = RwSignal::new(None);
    let confirm_delete = RwSignal::new(false);

    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut input =
            json!({"QueueUrl": queue_url.get_value(), "MessageBody": body.get_untracked()});
        if fifo {
            // FIFO queues need a group; content-based deduplication is off by default, so give an id.
            input["MessageGroupId"] = json!(group.get_untracked());
            input["MessageDeduplicationId"] = json!(js_sys::Date::now().to_string());
        }
        spawn_local(async move {
            match call(pg, "sqs", "SendMessage", input).await {
                Ok(out) => status.ok(format!("Sent message {}.", str_of(&out, "MessageId"))),
                Err(e) => status.fail(e),
            }
        });
    };

    let receive = move |_| {
        let input = json!({
            "QueueUrl": queue_url.get_value(),
            "MaxNumberOfMessages": 10,
            "WaitTimeSeconds": 0,
            "MessageSystemAttributeNames": ["All"],
        });
        spawn_local(async move {
            match call(pg, "sqs", "ReceiveMessage", input).await {
                Ok(out) => {
                    let got = out
                        .get("Messages")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    status.ok(format!("Received {} message(s).", got.len()));
                    messages.set(Some(got));
                }
                Err(e) => status.fail(e),
            }
        });
    };

    let delete_message = move |receipt: String, message_id: String| {
        spawn_local(async move {
            let input = json!({"QueueUrl": queue_url.get_value(), "ReceiptHandle": receipt});
            match call(pg, "sqs", "DeleteMessage", input).await {
                Ok(_) => {
                    status.ok(format!("Deleted message {message_id}."));
                    messages.update(|m| {
                        if let Some(list) = m {
                            list.retain(|msg| str_of(msg, "MessageId") != message_id);
                        }
                    });
                }
                Err(e) => status.fail(e),
            }
        });
    };

    let delete_queue = move |_| {
        spawn_local(async move {
            match call(
                pg,
                "sqs",
                "DeleteQueue",
                json!({"QueueUrl": queue_url.get_value()}),
            )
            .await
            {
                Ok(_) => {
                    refresh.bump();
                    navigate(&Route::Playground {
                        id: id.get_value(),
                        view: View::Service(Service::Sqs),
                    });
                }
                Err(e) => status.fail(e),
            }
        });
    };

    view! {
        <div class="title-row">
            <p class="muted small">{url}</p>
            <span class="spacer"></span>
            <Show when=move || confirm_delete.get() fallback=move || view! {
                <button class="danger" on:click=move |_| confirm_delete.set(true)>"Delete queue"</button>
            }>
                <span class="confirm">"Delete this queue and its messages?"</span>
                <button class="danger" on:click=delete_queue>"Delete for good"</button>
                <button on:click=move |_| confirm_delete.set(false)>"Cancel"</button>
            </Show>
        </div>
        <StatusView status />
        <div class="split">
            <form class="card form" on:submit=send>
                <h2>"Send message"</h2>
                <textarea name="message-body" class="code" rows="6" spellcheck="false"
                    prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                {fifo.then(|| view! {
                    <label>"Message group id"
                        <input name="message-group" prop:value=move || group.get() on:input=move |ev| group.set(event_target_value(&ev)) />
                    </label>
                })}
                <button class="primary" type="submit">"Send message"</button>
            </form>
            <section class="card">
                <h2>"Receive messages"</h2>
                <p class="muted small">"Receives up to 10 messages. They stay hidden for the queue's visibility timeout (30 s by default) unless deleted."</p>
                <button on:click=receive>"Poll for messages"</button>
            </section>
        </div>
        {move || messages.get().map(|list| {
            if list.is_empty() {
                return view! { <p class="empty">"No messages available."</p> }.into_any();
            }
            view! {
                <table class="grid messages">
                    <thead><tr><th>"Body"</th><th>"Message id"</th><th>"Receipt handle"</th><th>"Receives"</th><th></th></tr></thead>
                    <tbody>
                        {list.into_iter().map(|msg| {
                            let receipt = str_of(&msg, "ReceiptHandle").to_string();
                            let message_id = str_of(&msg, "MessageId").to_string();
                            let count = msg.get("Attributes").map(|a| str_of(a, "ApproximateReceiveCount").to_string()).unwrap_or_default();
                            let short_receipt = receipt.chars().take(24).collect::<String>() + "…";
                            let (r, m) = (receipt.clone(), message_id.clone());
                            view! {
                                <tr>
                                    <td class="json body">{str_of(&msg, "Body").to_string()}</td>
                                    <td class="mono">{message_id}</td>
                                    <td class="mono" title=receipt>{short_receipt}</td>
                                    <td class="count">{count}</td>
                                    <td class="actions"><button class="link danger" on:click=move |_| delete_message(r.clone(), m.clone())>"Delete"</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        })}
    }
}
