//! SNS: create, list and delete topics (publishing arrives with Publish in the core).
use crate::api::{call, name_from, str_of, use_playground, use_refresh};
use crate::views::common::{Status, StatusView};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};

#[component]
pub fn Topics() -> impl IntoView {
    let pg = use_playground();
    let refresh = use_refresh();
    let status = Status::new();
    let name = RwSignal::new(String::new());
    let topics = LocalResource::new(move || {
        refresh.track_lists();
        async move { call(pg, "sns", "ListTopics", json!({})).await }
    });

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let topic = name.get_untracked().trim().to_string();
        spawn_local(async move {
            match call(pg, "sns", "CreateTopic", json!({"Name": topic})).await {
                Ok(out) => {
                    status.ok(format!("Created {}.", str_of(&out, "TopicArn")));
                    name.set(String::new());
                    refresh.bump();
                }
                Err(e) => status.fail(e),
            }
        });
    };
    let delete = move |arn: String| {
        spawn_local(async move {
            match call(pg, "sns", "DeleteTopic", json!({"TopicArn": arn})).await {
                Ok(_) => {
                    status.ok(format!("Deleted {}.", name_from(&arn)));
                    refresh.bump();
                }
                Err(e) => status.fail(e),
            }
        });
    };

    view! {
        <h1>"SNS topics"</h1>
        <form class="card form" on:submit=create>
            <h2>"Create topic"</h2>
            <label>
                "Topic name"
                <input name="topic-name" required placeholder="notifications"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <button class="primary" type="submit">"Create topic"</button>
        </form>
        <StatusView status />
        <h2>"Topics"</h2>
        {move || match topics.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <crate::views::common::ErrorBox error=RwSignal::new(Some(e)) /> }.into_any(),
            Some(Ok(out)) => {
                let arns: Vec<String> = out.get("Topics").and_then(Value::as_array).into_iter().flatten()
                    .filter_map(|t| t.get("TopicArn").and_then(Value::as_str).map(str::to_string)).collect();
                if arns.is_empty() {
                    return view! { <p class="empty">"None yet."</p> }.into_any();
                }
                view! {
                    <table class="grid topics">
                        <thead><tr><th>"Name"</th><th>"ARN"</th><th></th></tr></thead>
                        <tbody>
                            {arns.into_iter().map(|arn| {
                                let a = arn.clone();
                                view! {
                                    <tr>
                                        <td class="key">{name_from(&arn)}</td>
                                        <td class="mono">{arn}</td>
                                        <td class="actions"><button class="link danger" on:click=move |_| delete(a.clone())>"Delete"</button></td>
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
