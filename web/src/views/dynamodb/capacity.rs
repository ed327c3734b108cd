//! The table's capacity mode and what this session consumed of it, and the fields that choose a
//! mode (creating a table, or changing one's with UpdateTable). The explorer's own item reads
//! and writes ask for `ReturnConsumedCapacity: TOTAL` and add up the `ConsumedCapacity` DynamoDB
//! answers, per table, for as long as the tab lives (leaving the table and coming back keeps it).
use super::TableUpdate;
use crate::api::{call, AwsError, Pg};
use leptos::prelude::*;
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;

/// Capacity units consumed, and by how many requests.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Units {
    pub read: f64,
    pub write: f64,
    pub requests: u32,
}

thread_local! {
    /// Totals per (playground id, table name): the view's signal goes when the view unmounts.
    static SESSION: RefCell<HashMap<(String, String), Units>> = RefCell::new(HashMap::new());
}

/// Writes are charged in write units (1 KB), everything else the explorer sends in read units.
fn is_write(operation: &str) -> bool {
    matches!(
        operation,
        "PutItem" | "UpdateItem" | "DeleteItem" | "BatchWriteItem" | "TransactWriteItems"
    )
}

/// The units `output` reports for `table`: one `ConsumedCapacity` for single-table operations, a
/// list (one per table) for batches and transactions.
pub fn units_for(output: &Value, table: &str) -> f64 {
    let consumed = &output["ConsumedCapacity"];
    let list = match consumed {
        Value::Array(list) => list.iter().collect(),
        Value::Object(_) => vec![consumed],
        _ => Vec::new(),
    };
    list.into_iter()
        .filter(|c| c["TableName"].as_str().is_none_or(|t| t == table))
        .filter_map(|c| c["CapacityUnits"].as_f64())
        .sum()
}

/// The session's count for one table, as a signal the settings show.
#[derive(Clone, Copy)]
pub struct Consumed {
    key: StoredValue<(String, String)>,
    pub units: RwSignal<Units>,
}

impl Consumed {
    pub fn new(playground: &str, table: &str) -> Self {
        let key = (playground.to_string(), table.to_string());
        let units = SESSION.with(|s| s.borrow().get(&key).copied().unwrap_or_default());
        Consumed {
            key: StoredValue::new(key),
            units: RwSignal::new(units),
        }
    }

    /// Adds what `operation`'s answer reports.
    pub fn add(self, operation: &str, output: &Value) {
        let key = self.key.get_value();
        let units = units_for(output, &key.1);
        let total = SESSION.with(|s| {
            let mut s = s.borrow_mut();
            let total = s.entry(key).or_default();
            if is_write(operation) {
                total.write += units;
            } else {
                total.read += units;
            }
            total.requests += 1;
            *total
        });
        self.units.try_set(total);
    }

    /// Calls a DynamoDB item operation asking for its consumed capacity, and counts it.
    pub async fn call(self, pg: Pg, operation: &str, mut input: Value) -> Result<Value, AwsError> {
        ask_total(&mut input);
        let out = call(pg, "dynamodb", operation, input).await?;
        self.add(operation, &out);
        Ok(out)
    }
}

pub fn ask_total(input: &mut Value) {
    input["ReturnConsumedCapacity"] = json!("TOTAL");
}

pub fn on_demand(table: &Value) -> bool {
    table["BillingModeSummary"]["BillingMode"].as_str() == Some("PAY_PER_REQUEST")
}

/// "On demand (PAY_PER_REQUEST)" with the maximums it was given (OnDemandThroughput, beyond
/// which requests are throttled), or the provisioned read/write capacity units.
pub fn mode_text(table: &Value) -> String {
    if on_demand(table) {
        let maximums: Vec<String> = [
            ("MaxReadRequestUnits", "RRU"),
            ("MaxWriteRequestUnits", "WRU"),
        ]
        .into_iter()
        .filter_map(|(key, unit)| {
            let units = table["OnDemandThroughput"][key]
                .as_i64()
                .filter(|n| *n > 0)?;
            Some(format!("{units} {unit}/s"))
        })
        .collect();
        return match maximums.as_slice() {
            [] => "On demand (PAY_PER_REQUEST)".into(),
            _ => format!(
                "On demand (PAY_PER_REQUEST), at most {}",
                maximums.join(", ")
            ),
        };
    }
    let t = &table["ProvisionedThroughput"];
    format!(
        "Provisioned: {} RCU, {} WCU",
        t["ReadCapacityUnits"].as_u64().unwrap_or(0),
        t["WriteCapacityUnits"].as_u64().unwrap_or(0)
    )
}

/// Units as AWS prints them: whole numbers bare, halves (eventually consistent reads) with one
/// decimal.
pub fn units_text(units: f64) -> String {
    let rounded = (units * 100.0).round() / 100.0;
    format!("{rounded}")
}

/// On-demand tables bill read and write request units (RRU, WRU); provisioned ones consume
/// capacity units (RCU, WCU). `ConsumedCapacity` reports both as `CapacityUnits`.
pub fn consumed_text(units: Units, on_demand: bool) -> String {
    let (r, w) = if on_demand {
        ("RRU", "WRU")
    } else {
        ("RCU", "WCU")
    };
    format!(
        "Read {} {r} · Write {} {w}",
        units_text(units.read),
        units_text(units.write)
    )
}

/// The two facts for the settings list: the mode, and what this session consumed.
#[component]
pub fn CapacityFacts(table: Value, consumed: Consumed) -> impl IntoView {
    let on_demand = on_demand(&table);
    let requests = move || {
        let n = consumed.units.get().requests;
        format!(
            "{n} request{} from this explorer, with ReturnConsumedCapacity TOTAL",
            if n == 1 { "" } else { "s" }
        )
    };
    view! {
        <div><dt>"Capacity"</dt><dd class="capacity">{mode_text(&table)}</dd></div>
        <div>
            <dt>"Consumed this session"</dt>
            <dd class="consumed" title=requests>{move || consumed_text(consumed.units.get(), on_demand)}</dd>
        </div>
    }
}

/// A capacity mode and its units, as typed: provisioned read and write capacity units, or on
/// demand with at most these request units per second (empty: no maximum).
#[derive(Clone, Copy)]
pub struct CapacityChoice {
    pub provisioned: RwSignal<bool>,
    pub read: RwSignal<String>,
    pub write: RwSignal<String>,
}

/// What the console proposes for a new provisioned table.
const DEFAULT_UNITS: &str = "5";

impl CapacityChoice {
    /// A new table's: on demand, no maximum.
    pub fn new() -> Self {
        CapacityChoice {
            provisioned: RwSignal::new(false),
            read: RwSignal::new(String::new()),
            write: RwSignal::new(String::new()),
        }
    }

    /// `table`'s current mode and units.
    fn of(table: &Value) -> Self {
        let choice = CapacityChoice::new();
        choice.set_mode(table, !on_demand(table));
        choice
    }

    /// Switches to `provisioned` (or on demand) with `table`'s units in that mode, if it has
    /// any (none for a table not created yet, `Value::Null`), else the console's defaults.
    pub fn set_mode(self, table: &Value, provisioned: bool) {
        let units = |key: &str| {
            let (path, default) = if provisioned {
                ("ProvisionedThroughput", DEFAULT_UNITS)
            } else {
                ("OnDemandThroughput", "")
            };
            let current = table[path][key].as_i64().filter(|n| *n > 0);
            current.map_or(default.to_string(), |n| n.to_string())
        };
        let (read, write) = if provisioned {
            (units("ReadCapacityUnits"), units("WriteCapacityUnits"))
        } else {
            (units("MaxReadRequestUnits"), units("MaxWriteRequestUnits"))
        };
        self.provisioned.set(provisioned);
        self.read.set(read);
        self.write.set(write);
    }

    /// The mode's throughput member: `ProvisionedThroughput`, or `OnDemandThroughput` with -1
    /// (AWS's "no maximum") for an empty field.
    fn throughput(
        provisioned: bool,
        read: &str,
        write: &str,
    ) -> Result<(&'static str, Value), String> {
        let units = |text: &str, what: &str| {
            let text = text.trim();
            if text.is_empty() && !provisioned {
                return Ok(-1);
            }
            text.parse::<i64>()
                .map_err(|_| format!("{what} must be a whole number."))
        };
        Ok(if provisioned {
            let throughput = json!({
                "ReadCapacityUnits": units(read, "Read capacity units")?,
                "WriteCapacityUnits": units(write, "Write capacity units")?,
            });
            ("ProvisionedThroughput", throughput)
        } else {
            let maximum = json!({
                "MaxReadRequestUnits": units(read, "Maximum read request units")?,
                "MaxWriteRequestUnits": units(write, "Maximum write request units")?,
            });
            ("OnDemandThroughput", maximum)
        })
    }

    /// The mode and units typed (read in event handlers).
    fn typed(self) -> (bool, String, String) {
        (
            self.provisioned.get_untracked(),
            self.read.get_untracked(),
            self.write.get_untracked(),
        )
    }

    /// CreateTable's capacity members.
    pub fn create_members(self) -> Result<Map<String, Value>, String> {
        let (provisioned, read, write) = self.typed();
        create_members(provisioned, &read, &write)
    }
}

fn create_members(
    provisioned: bool,
    read: &str,
    write: &str,
) -> Result<Map<String, Value>, String> {
    let mut members = Map::new();
    members.insert("BillingMode".into(), json!(billing_mode(provisioned)));
    let (member, throughput) = CapacityChoice::throughput(provisioned, read, write)?;
    if provisioned || throughput != no_maximum() {
        members.insert(member.into(), throughput);
    }
    Ok(members)
}

/// BillingMode's name for the mode.
fn billing_mode(provisioned: bool) -> &'static str {
    if provisioned {
        "PROVISIONED"
    } else {
        "PAY_PER_REQUEST"
    }
}

fn no_maximum() -> Value {
    json!({"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": -1})
}

/// The UpdateTable that gives `table` the chosen capacity. BillingMode is sent only to switch;
/// switching to provisioned gives each global secondary index the table's units, as DynamoDB
/// wants every index's throughput in that call.
fn update_input(
    table: &Value,
    provisioned: bool,
    read: &str,
    write: &str,
) -> Result<Value, String> {
    let mut input = json!({"TableName": table["TableName"]});
    let switching = provisioned == on_demand(table);
    let (member, throughput) = CapacityChoice::throughput(provisioned, read, write)?;
    if switching {
        input["BillingMode"] = json!(billing_mode(provisioned));
    }
    if switching && provisioned {
        let updates: Vec<Value> = table["GlobalSecondaryIndexes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|index| json!({"Update": {"IndexName": index["IndexName"], "ProvisionedThroughput": throughput}}))
            .collect();
        if !updates.is_empty() {
            input["GlobalSecondaryIndexUpdates"] = json!(updates);
        }
    }
    if !(switching && throughput == no_maximum()) {
        input[member] = throughput;
    }
    Ok(input)
}

/// The mode and its two unit fields, labelled for the mode.
#[component]
pub fn CapacityFields(
    choice: CapacityChoice,
    /// Called with the mode chosen (true: provisioned).
    on_mode: impl Fn(bool) + 'static,
) -> impl IntoView {
    let provisioned = choice.provisioned;
    let field = move |value: RwSignal<String>,
                      name: &'static str,
                      units: &'static str,
                      maximum: &'static str| {
        view! {
            <label class="inline">
                {move || if provisioned.get() { units } else { maximum }}
                <input name=name size="6" placeholder=move || if provisioned.get() { "" } else { "none" }
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        <label class="inline">
            "Capacity"
            <select name="capacity-mode" prop:value=move || billing_mode(provisioned.get())
                on:change=move |ev| on_mode(event_target_value(&ev) == "PROVISIONED")>
                <option value="PAY_PER_REQUEST">"On demand (PAY_PER_REQUEST)"</option>
                <option value="PROVISIONED">"Provisioned"</option>
            </select>
        </label>
        {field(choice.read, "capacity-read", "Read capacity units", "At most RRU/s")}
        {field(choice.write, "capacity-write", "Write capacity units", "At most WRU/s")}
    }
}

/// Changes the table's capacity mode or units (UpdateTable); the table view then describes the
/// table again.
#[component]
pub fn CapacityEditor(table: Value) -> impl IntoView {
    let update = TableUpdate::new();
    let open = RwSignal::new(false);
    let choice = CapacityChoice::of(&table);
    let table = StoredValue::new(table);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (provisioned, read, write) = choice.typed();
        match table.with_value(|t| update_input(t, provisioned, &read, &write)) {
            Ok(input) => update.send(input, move || open.set(false)),
            Err(message) => update.error.set(Some(AwsError::local(message))),
        }
    };
    let on_mode = move |provisioned| table.with_value(|t| choice.set_mode(t, provisioned));
    view! {
        <div class="capacity-edit">
            <Show when=move || open.get() fallback=move || view! {
                <button class="link" name="change-capacity" on:click=move |_| open.set(true)>"Change capacity…"</button>
            }>
                <form class="inline capacity-form" on:submit=submit>
                    <CapacityFields choice on_mode />
                    <button type="submit" name="save-capacity">"Save capacity"</button>
                    <button type="button" on:click=move |_| { open.set(false); update.error.set(None); }>"Cancel"</button>
                </form>
                <p class="muted small">
                    "Provisioned: requests beyond these units per second (after the burst DynamoDB saves up) are throttled. "
                    "Switching to provisioned gives each global secondary index the same units. "
                    "(On AWS a table may switch to on demand four times in 24 hours; Nimbus does not count them.)"
                </p>
            </Show>
            <crate::views::common::ErrorBox error=update.error />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_batch_answers() {
        let one = json!({"ConsumedCapacity": {"TableName": "T", "CapacityUnits": 0.5}});
        assert_eq!(units_for(&one, "T"), 0.5);
        let batch = json!({"ConsumedCapacity": [
            {"TableName": "T", "CapacityUnits": 2.0},
            {"TableName": "U", "CapacityUnits": 5.0}
        ]});
        assert_eq!(units_for(&batch, "T"), 2.0);
        assert_eq!(units_for(&json!({}), "T"), 0.0);
    }

    #[test]
    fn texts() {
        let units = Units {
            read: 1.5,
            write: 3.0,
            requests: 4,
        };
        assert_eq!(consumed_text(units, true), "Read 1.5 RRU · Write 3 WRU");
        assert_eq!(consumed_text(units, false), "Read 1.5 RCU · Write 3 WCU");
        let provisioned =
            json!({"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2}});
        assert_eq!(mode_text(&provisioned), "Provisioned: 5 RCU, 2 WCU");
        let mut on_demand = json!({"BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"}});
        assert_eq!(mode_text(&on_demand), "On demand (PAY_PER_REQUEST)");
        // -1 is AWS's "no maximum".
        on_demand["OnDemandThroughput"] =
            json!({"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": -1});
        assert_eq!(
            mode_text(&on_demand),
            "On demand (PAY_PER_REQUEST), at most 100 RRU/s"
        );
        on_demand["OnDemandThroughput"]["MaxWriteRequestUnits"] = json!(5);
        assert_eq!(
            mode_text(&on_demand),
            "On demand (PAY_PER_REQUEST), at most 100 RRU/s, 5 WRU/s"
        );
    }

    #[test]
    fn capacity_requests() {
        assert_eq!(
            Value::Object(create_members(false, "", " ").unwrap()),
            json!({"BillingMode": "PAY_PER_REQUEST"})
        );
        assert_eq!(
            Value::Object(create_members(false, "10", "").unwrap()),
            json!({"BillingMode": "PAY_PER_REQUEST", "OnDemandThroughput": {"MaxReadRequestUnits": 10, "MaxWriteRequestUnits": -1}})
        );
        assert_eq!(
            Value::Object(create_members(true, "5", "2").unwrap()),
            json!({"BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2}})
        );
        assert_eq!(
            create_members(true, "", "2").unwrap_err(),
            "Read capacity units must be a whole number."
        );

        let on_demand = json!({
            "TableName": "T",
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "GlobalSecondaryIndexes": [{"IndexName": "byStatus"}],
        });
        // Switching to provisioned: every GSI gets the same units.
        assert_eq!(
            update_input(&on_demand, true, "3", "1").unwrap(),
            json!({
                "TableName": "T",
                "BillingMode": "PROVISIONED",
                "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 1},
                "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "byStatus",
                    "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 1}}}],
            })
        );
        // Staying on demand: the maximums alone, an empty one lifted.
        assert_eq!(
            update_input(&on_demand, false, "", "4").unwrap(),
            json!({"TableName": "T", "OnDemandThroughput": {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": 4}})
        );
        let provisioned = json!({"TableName": "T", "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 1}});
        assert_eq!(
            update_input(&provisioned, true, "6", "1").unwrap(),
            json!({"TableName": "T", "ProvisionedThroughput": {"ReadCapacityUnits": 6, "WriteCapacityUnits": 1}})
        );
        assert_eq!(
            update_input(&provisioned, false, "", "").unwrap(),
            json!({"TableName": "T", "BillingMode": "PAY_PER_REQUEST"})
        );
    }
}
