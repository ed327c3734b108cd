//! The function's CloudWatch logs (log group /aws/lambda/NAME, every stream), read with
//! FilterLogEvents after each invoke and every two seconds while the page is open.
use super::Page;
use crate::api::{call, str_of, AwsError};
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};
use std::time::Duration;

/// Lines kept on screen: the newest ones (a busy function logs a lot).
const SHOWN: usize = 500;

#[derive(Clone, Debug, PartialEq)]
struct Line {
    id: String,
    timestamp: f64,
    message: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Logs {
    Loading,
    /// The log group does not exist yet: Lambda creates it on the first invoke.
    NoGroup,
    Lines(Vec<Line>),
    Failed(AwsError),
}

async fn read(page: Page) -> Logs {
    let group = format!("/aws/lambda/{}", page.function());
    let mut lines = Vec::new();
    let mut token: Option<String> = None;
    // Oldest first; follow the pages so the newest lines are the ones kept.
    loop {
        let mut input = json!({"logGroupName": group});
        if let Some(t) = &token {
            input["nextToken"] = json!(t);
        }
        let out = match call(page.pg, "logs", "FilterLogEvents", input).await {
            Ok(out) => out,
            Err(e) if e.code == "ResourceNotFoundException" => return Logs::NoGroup,
            Err(e) => return Logs::Failed(e),
        };
        let events = out.get("events").and_then(Value::as_array);
        lines.extend(events.into_iter().flatten().map(|e| Line {
            id: str_of(e, "eventId").to_string(),
            timestamp: e.get("timestamp").and_then(Value::as_f64).unwrap_or(0.0),
            message: str_of(e, "message").trim_end().to_string(),
        }));
        if lines.len() > SHOWN {
            lines.drain(..lines.len() - SHOWN);
        }
        match out.get("nextToken").and_then(Value::as_str) {
            Some(next) if token.as_deref() != Some(next) => token = Some(next.to_string()),
            _ => break,
        }
    }
    Logs::Lines(lines)
}

/// Milliseconds since the epoch as local `HH:MM:SS.mmm`.
fn clock(millis: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis));
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds(),
        date.get_milliseconds()
    )
}

/// START, END and REPORT are the runtime's own lines; INIT_START and the timeout note too.
fn is_platform_line(message: &str) -> bool {
    ["START ", "END ", "REPORT ", "INIT_START "]
        .iter()
        .any(|p| message.starts_with(p))
}

#[component]
pub fn LogsPanel(page: Page) -> impl IntoView {
    let logs = RwSignal::new(Logs::Loading);
    let reading = StoredValue::new(false);
    let follow = RwSignal::new(true);
    let scroller = NodeRef::<Div>::new();

    let refresh = move || {
        if reading.get_value() {
            return;
        }
        reading.set_value(true);
        spawn_local(async move {
            let next = read(page).await;
            reading.try_set_value(false);
            // Only a change re-renders (the poll mostly finds nothing new).
            if logs.try_with_untracked(|now| *now != next) == Some(true) {
                logs.try_set(next);
                if follow.try_get_untracked() == Some(true) {
                    scroll_to_bottom(scroller);
                }
            }
        });
    };

    // After each invoke, at once.
    Effect::new(move |_| {
        page.logs_tick.track();
        refresh();
    });
    if let Ok(poll) = set_interval_with_handle(refresh, Duration::from_secs(2)) {
        on_cleanup(move || poll.clear());
    }

    let on_scroll = move |_| {
        if let Some(el) = scroller.get_untracked() {
            // Reading back in the log stops the follow; scrolling to the end resumes it.
            follow.set(el.scroll_top() + el.client_height() >= el.scroll_height() - 8);
        }
    };

    view! {
        <section class="card fn-logs">
            <div class="card-head">
                <h2>"Logs"</h2>
                <span class="muted small mono">{format!("/aws/lambda/{}", page.function())}</span>
                <span class="spacer"></span>
                <span class="muted small">"Live · every 2 s"</span>
                <button class="link refresh" title="Read the logs now" on:click=move |_| refresh()>"↻"</button>
            </div>
            <div class="log-lines" node_ref=scroller on:scroll=on_scroll>
                {move || match logs.get() {
                    Logs::Loading => view! { <p class="muted small">"Reading the logs…"</p> }.into_any(),
                    Logs::NoGroup => view! {
                        <p class="muted small">"No logs yet: Lambda creates the log group on the first invoke."</p>
                    }.into_any(),
                    Logs::Failed(e) => view! { <crate::views::common::ErrorBox error=RwSignal::new(Some(e)) /> }.into_any(),
                    Logs::Lines(lines) if lines.is_empty() => view! { <p class="muted small">"The log group is empty."</p> }.into_any(),
                    Logs::Lines(lines) => lines.into_iter().map(|line| {
                        let platform = is_platform_line(&line.message);
                        view! {
                            <div class="log-line" class:platform=platform data-id=line.id>
                                <span class="log-time">{clock(line.timestamp)}</span>
                                <span class="log-message">{line.message}</span>
                            </div>
                        }
                    }).collect_view().into_any(),
                }}
            </div>
        </section>
    }
}

/// Keeps the newest line in view, once the new lines are on screen.
fn scroll_to_bottom(scroller: NodeRef<Div>) {
    request_animation_frame(move || {
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    });
}
