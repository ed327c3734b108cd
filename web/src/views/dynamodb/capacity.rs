//! The table's capacity mode and what this session consumed of it. The explorer's own item reads
//! and writes ask for `ReturnConsumedCapacity: TOTAL` and add up the `ConsumedCapacity` DynamoDB
//! answers, per table, for as long as the tab lives (leaving the table and coming back keeps it).
use crate::api::{call, AwsError, Pg};
use leptos::prelude::*;
use serde_json::{json, Value};
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

fn on_demand(table: &Value) -> bool {
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
}
