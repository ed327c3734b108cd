//! The table's stream records as they arrive, newest first. The panel reads the stream as a
//! consumer does, with the DynamoDB Streams API: ListStreams finds the table's stream,
//! DescribeStream its shards, GetShardIterator a position in each (TRIM_HORIZON at first, then
//! AFTER_SEQUENCE_NUMBER of the last record read) and GetRecords, every second while it is shown.
use super::attrs::{cell_text, to_plain};
use crate::api::{call, format_time, str_of, use_playground, use_refresh, AwsError};
use crate::views::common::{Status, StatusView};
use leptos::prelude::*;
use leptos::task::spawn_local;
use nimbus_browser::Playground;
use serde_json::{json, Map, Value};
use std::time::Duration;

/// Records kept on screen: the newest ones.
const SHOWN: usize = 200;

/// Where the panel reads one shard.
#[derive(Clone, Debug, Default)]
struct ShardCursor {
    id: String,
    iterator: Option<String>,
    last_sequence: Option<String>,
    /// GetRecords answered no NextShardIterator: the shard is closed and read to its end.
    closed: bool,
}

#[derive(Clone, Debug, Default)]
struct Reader {
    stream_arn: Option<String>,
    shards: Vec<ShardCursor>,
}

fn code_is(e: &AwsError, code: &str) -> bool {
    e.code == code
}

/// A Streams API call. The reader holds the playground itself, not the view's handle on it: a
/// read in flight may outlive the view.
async fn streams(pg: &Playground, operation: &str, input: Value) -> Result<Value, AwsError> {
    pg.call("dynamodbstreams", operation, input)
        .await
        .map_err(AwsError::from)
}

/// Sequence numbers are decimal strings of up to 40 digits: longer means later.
fn sequence_key(record: &Value) -> (usize, String) {
    let s = str_of(&record["dynamodb"], "SequenceNumber").to_string();
    (s.len(), s)
}

/// The table's current stream: the one DescribeTable named, if ListStreams lists it, else the
/// newest listed (labels are creation times, so they sort).
async fn find_stream(
    pg: &Playground,
    table: &str,
    latest: &str,
) -> Result<Option<String>, AwsError> {
    let out = streams(pg, "ListStreams", json!({"TableName": table})).await?;
    let streams = out["Streams"].as_array().cloned().unwrap_or_default();
    if streams.iter().any(|s| str_of(s, "StreamArn") == latest) {
        return Ok(Some(latest.to_string()));
    }
    Ok(streams
        .iter()
        .max_by_key(|s| str_of(s, "StreamLabel").to_string())
        .map(|s| str_of(s, "StreamArn").to_string()))
}

/// A position in `shard`: after the last record read, or the oldest record kept.
async fn iterator_for(pg: &Playground, arn: &str, shard: &ShardCursor) -> Result<String, AwsError> {
    let mut input =
        json!({"StreamArn": arn, "ShardId": shard.id, "ShardIteratorType": "TRIM_HORIZON"});
    if let Some(seq) = &shard.last_sequence {
        input["ShardIteratorType"] = json!("AFTER_SEQUENCE_NUMBER");
        input["SequenceNumber"] = json!(seq);
    }
    let out = match streams(pg, "GetShardIterator", input).await {
        // Past the 24-hour retention (e.g. after a fast-forward): read what is left.
        Err(e) if code_is(&e, "TrimmedDataAccessException") => {
            let input =
                json!({"StreamArn": arn, "ShardId": shard.id, "ShardIteratorType": "TRIM_HORIZON"});
            streams(pg, "GetShardIterator", input).await?
        }
        other => other?,
    };
    Ok(str_of(&out, "ShardIterator").to_string())
}

/// One round of reading: the new records of every open shard.
async fn poll(
    pg: &Playground,
    table: &str,
    latest: &str,
    mut reader: Reader,
) -> (Reader, Result<Vec<Value>, AwsError>) {
    let result = read_new(pg, table, latest, &mut reader).await;
    (reader, result)
}

async fn read_new(
    pg: &Playground,
    table: &str,
    latest: &str,
    reader: &mut Reader,
) -> Result<Vec<Value>, AwsError> {
    if reader.stream_arn.is_none() {
        reader.stream_arn = find_stream(pg, table, latest).await?;
    }
    let Some(arn) = reader.stream_arn.clone() else {
        return Ok(Vec::new());
    };
    // Shards close and children open as the stream goes on: look again when all are read.
    if reader.shards.iter().all(|s| s.closed) {
        let out = streams(pg, "DescribeStream", json!({"StreamArn": arn})).await?;
        for shard in out["StreamDescription"]["Shards"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let id = str_of(shard, "ShardId");
            if !reader.shards.iter().any(|s| s.id == id) {
                reader.shards.push(ShardCursor {
                    id: id.to_string(),
                    ..Default::default()
                });
            }
        }
    }
    let mut records = Vec::new();
    for shard in reader.shards.iter_mut().filter(|s| !s.closed) {
        let iterator = match shard.iterator.take() {
            Some(iterator) => iterator,
            None => iterator_for(pg, &arn, shard).await?,
        };
        let input = json!({"ShardIterator": iterator, "Limit": 1000});
        match streams(pg, "GetRecords", input).await {
            Ok(out) => {
                let got = out["Records"].as_array().cloned().unwrap_or_default();
                if let Some(last) = got.last() {
                    shard.last_sequence =
                        Some(str_of(&last["dynamodb"], "SequenceNumber").to_string());
                }
                match out["NextShardIterator"].as_str() {
                    Some(next) => shard.iterator = Some(next.to_string()),
                    None => shard.closed = true,
                }
                records.extend(got);
            }
            // An iterator lives 15 minutes (a fast-forward ages it at once); the retention is
            // 24 hours. Either way a fresh iterator after the last record read carries on.
            Err(e)
                if code_is(&e, "ExpiredIteratorException")
                    || code_is(&e, "TrimmedDataAccessException") => {}
            Err(e) => return Err(e),
        }
    }
    Ok(records)
}

/// Key attributes as `name=value`, comma-separated.
pub fn keys_text(keys: &Value) -> String {
    keys.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| format!("{k}={}", cell_text(v)))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// An image in plain JSON on one line (`{"id":"a","n":1}`).
pub fn image_text(image: &Value) -> Option<String> {
    let map = image.as_object()?;
    let plain: Map<String, Value> = map.iter().map(|(k, v)| (k.clone(), to_plain(v))).collect();
    Some(Value::Object(plain).to_string())
}

/// TTL deletions carry the service as their userIdentity (AWS: "Type": "Service",
/// "PrincipalId": "dynamodb.amazonaws.com"); deletes by people and code carry none.
pub fn by_ttl(record: &Value) -> bool {
    let who = &record["userIdentity"];
    str_of(who, "Type") == "Service" && str_of(who, "PrincipalId") == "dynamodb.amazonaws.com"
}

#[component]
pub fn StreamPanel(
    table: Value,
    /// Bumped after the explorer writes or moves the clock: read at once, not at the next tick.
    poke: RwSignal<u32>,
) -> impl IntoView {
    let spec = &table["StreamSpecification"];
    let name = table["TableName"].as_str().unwrap_or_default().to_string();
    if spec["StreamEnabled"].as_bool() != Some(true) {
        return view! { <NoStream table=name /> }.into_any();
    }
    let view_type = spec["StreamViewType"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let latest = table["LatestStreamArn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let pg = use_playground();
    let records: RwSignal<Vec<Value>> = RwSignal::new(Vec::new());
    let error: RwSignal<Option<AwsError>> = RwSignal::new(None);
    let reader = StoredValue::new(Reader::default());
    let busy = StoredValue::new(false);
    let live = RwSignal::new(true);
    let names = StoredValue::new((name, latest));

    let read = move || {
        if busy.try_get_value() != Some(false) {
            return;
        }
        busy.set_value(true);
        let playground = pg.get_value();
        spawn_local(async move {
            let (Some(current), Some((table, latest))) =
                (reader.try_get_value(), names.try_get_value())
            else {
                return;
            };
            let (next, result) = poll(&playground, &table, &latest, current).await;
            reader.try_set_value(next);
            busy.try_set_value(false);
            match result {
                Ok(new) if new.is_empty() => {}
                Ok(new) => {
                    records.try_update(|all| {
                        all.extend(new);
                        all.sort_by_key(sequence_key);
                        let extra = all.len().saturating_sub(SHOWN);
                        all.drain(..extra);
                    });
                }
                Err(e) => {
                    if error.try_with_untracked(|old| old.as_ref() != Some(&e)) == Some(true) {
                        error.try_set(Some(e));
                    }
                }
            }
        });
    };
    read();
    // A hidden tab or a paused panel reads nothing.
    let tick = move || {
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.hidden());
        if live.try_get_untracked() == Some(true) && !hidden {
            read();
        }
    };
    if let Ok(poll) = set_interval_with_handle(tick, Duration::from_secs(1)) {
        on_cleanup(move || poll.clear());
    }
    Effect::watch(move || poke.get(), move |_, _, _| read(), false);

    view! {
        <section class="card stream-panel">
            <div class="card-head">
                <h2>"Stream records"</h2>
                <span class="chip">{view_type}</span>
                <span class="muted small">{move || format!("{} shown, newest first", records.with(Vec::len))}</span>
                <span class="spacer"></span>
                <span class="muted small live-state">{move || if live.get() { "Live · every 1 s" } else { "Paused" }}</span>
                <button name="stream-live" on:click=move |_| live.update(|l| *l = !*l)>
                    {move || if live.get() { "Pause" } else { "Resume" }}
                </button>
            </div>
            <crate::views::common::ErrorBox error />
            {move || records.with(|all| {
                if all.is_empty() {
                    return view! {
                        <p class="empty stream-empty">"No records yet: put, update or delete an item and its record appears here."</p>
                    }.into_any();
                }
                view! {
                    <div class="grid-scroll">
                    <table class="grid stream-records">
                        <thead><tr><th>"Event"</th><th>"Keys"</th><th>"Images"</th><th>"Approximate time"</th><th>"Sequence number"</th></tr></thead>
                        <tbody>{all.iter().rev().map(record_row).collect_view()}</tbody>
                    </table>
                    </div>
                }.into_any()
            })}
        </section>
    }
    .into_any()
}

fn record_row(record: &Value) -> impl IntoView {
    let event = str_of(record, "eventName").to_string();
    let d = &record["dynamodb"];
    let ttl = by_ttl(record);
    let class = format!(
        "record {}{}",
        event.to_lowercase(),
        if ttl { " by-ttl" } else { "" }
    );
    let time = d["ApproximateCreationDateTime"]
        .as_f64()
        .map(format_time)
        .unwrap_or_default();
    let old = image_text(&d["OldImage"]);
    let new = image_text(&d["NewImage"]);
    view! {
        <tr class=class>
            <td class="event">
                <span class=format!("event-name {}", event.to_lowercase())>{event.clone()}</span>
                {ttl.then(|| view! {
                    <span class="chip ttl-mark" title="userIdentity: Type Service, PrincipalId dynamodb.amazonaws.com">
                        "TTL · by dynamodb.amazonaws.com"
                    </span>
                })}
            </td>
            <td class="keys mono">{keys_text(&d["Keys"])}</td>
            <td class="images mono">
                {old.map(|t| view! { <div class="image old" title=t.clone()><span class="muted">"Old "</span>{t.clone()}</div> })}
                {new.map(|t| view! { <div class="image new" title=t.clone()><span class="muted">"New "</span>{t.clone()}</div> })}
            </td>
            <td class="time">{time}</td>
            <td class="seq mono">{str_of(d, "SequenceNumber").to_string()}</td>
        </tr>
    }
}

/// A table without a stream: say so, and offer to turn one on (UpdateTable's StreamSpecification).
#[component]
fn NoStream(table: String) -> impl IntoView {
    let pg = use_playground();
    let refresh = use_refresh();
    let status = Status::new();
    let view_type = RwSignal::new("NEW_AND_OLD_IMAGES".to_string());
    let table = StoredValue::new(table);
    let turn_on = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = json!({
            "TableName": table.get_value(),
            "StreamSpecification": {"StreamEnabled": true, "StreamViewType": view_type.get_untracked()},
        });
        spawn_local(async move {
            match call(pg, "dynamodb", "UpdateTable", input).await {
                // The table view describes the table again and shows the stream.
                Ok(_) => refresh.bump(),
                Err(e) => status.fail(e),
            }
        });
    };
    view! {
        <section class="card stream-panel">
            <h2>"Stream records"</h2>
            <p class="muted no-stream">
                "This table has no stream, so its changes are not recorded. Turn one on to watch each
                put, update, delete and TTL expiry arrive here (and to trigger Lambda functions)."
            </p>
            <form class="inline" on:submit=turn_on>
                <select name="stream-view-type" prop:value=move || view_type.get()
                    on:change=move |ev| view_type.set(event_target_value(&ev))>
                    {["NEW_AND_OLD_IMAGES", "NEW_IMAGE", "OLD_IMAGE", "KEYS_ONLY"].into_iter()
                        .map(|t| view! { <option value=t>{t}</option> }).collect_view()}
                </select>
                <button type="submit" name="enable-stream">"Turn on stream"</button>
            </form>
            <StatusView status />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_of_a_record() {
        let keys = json!({"id": {"S": "s1"}, "n": {"N": "2"}});
        assert_eq!(keys_text(&keys), "id=s1, n=2");
        let image = json!({"id": {"S": "s1"}, "on": {"BOOL": true}});
        assert_eq!(
            image_text(&image).as_deref(),
            Some(r#"{"id":"s1","on":true}"#)
        );
        assert_eq!(image_text(&Value::Null), None);
    }

    #[test]
    fn ttl_deletions_are_the_service_s() {
        let ttl = json!({"eventName": "REMOVE", "userIdentity": {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}});
        assert!(by_ttl(&ttl));
        assert!(!by_ttl(&json!({"eventName": "REMOVE"})));
    }

    #[test]
    fn later_sequence_numbers_sort_last() {
        let a = json!({"dynamodb": {"SequenceNumber": "900000000000000000001"}});
        let b = json!({"dynamodb": {"SequenceNumber": "1000000000000000000001"}});
        assert!(sequence_key(&a) < sequence_key(&b));
    }
}
