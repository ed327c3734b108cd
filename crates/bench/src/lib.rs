//! The DynamoDB benchmark of issue 4: one workload, defined here as data (each step's list of
//! operations and canonical inputs, drawn from a seeded generator), so that the native run
//! ([`native`]) and the browser run (tests/bench/browser.mjs, which reads the same list from
//! `nimbus-bench workload`) do exactly the same thing. [`Timing`] and [`table`] turn the measured
//! durations into the printed table, for both hosts.

pub mod native;

use serde_json::{json, Value};

pub const TABLE_NAME: &str = "bench";
pub const PARTITIONS: usize = 50;
pub const ITEMS: usize = 5_000;
pub const GETS: usize = 5_000;
pub const QUERIES: usize = 1_000;
pub const QUERY_ITEMS: usize = 50;
pub const UPDATES: usize = 2_000;
pub const SCANS: usize = 20;
/// The size every item is padded to, as DynamoDB counts it ([`item_size`]).
pub const ITEM_SIZE: usize = 200;
/// Items per partition: sort keys run 0..ITEMS_PER_PARTITION in each.
pub const ITEMS_PER_PARTITION: usize = ITEMS / PARTITIONS;

/// One operation of a step, in the canonical form (model member names, as on the wire).
#[derive(Clone, Debug)]
pub struct Call {
    pub operation: &'static str,
    pub input: Value,
}

/// A timed step: its calls run one after the other, each awaited.
#[derive(Clone, Debug)]
pub struct Step {
    pub name: &'static str,
    pub service: &'static str,
    /// A Scan answers at most 1 MB per page: when set, a call that returns a `LastEvaluatedKey`
    /// is repeated from there, and all its pages count as one operation.
    pub follow_pages: bool,
    pub calls: Vec<Call>,
}

impl Step {
    pub fn to_json(&self) -> Value {
        let calls: Vec<Value> = self
            .calls
            .iter()
            .map(|c| json!({ "operation": c.operation, "input": c.input }))
            .collect();
        json!({
            "name": self.name,
            "service": self.service,
            "followPages": self.follow_pages,
            "calls": calls,
        })
    }
}

/// splitmix64: small, fast and the same everywhere, so a seed names one workload.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

pub fn partition_key(partition: usize) -> String {
    format!("p{partition:02}")
}

fn key(partition: usize, sort: usize) -> Value {
    json!({ "pk": { "S": partition_key(partition) }, "sk": { "N": sort.to_string() } })
}

const CITIES: [&str; 8] = [
    "Lisbon",
    "Osaka",
    "Nairobi",
    "Toronto",
    "Tallinn",
    "Santiago",
    "Auckland",
    "Reykjavik",
];

/// Item `index`: ten attributes, spread round-robin over the partitions, padded (`note`) to
/// [`ITEM_SIZE`] bytes.
pub fn item(index: usize, rng: &mut Rng) -> Value {
    let partition = index % PARTITIONS;
    let sort = index / PARTITIONS;
    let mut item = json!({
        "pk": { "S": partition_key(partition) },
        "sk": { "N": sort.to_string() },
        "c": { "N": "0" },
        "name": { "S": format!("user-{index:05}") },
        "email": { "S": format!("user-{index:05}@example.com") },
        "city": { "S": CITIES[rng.below(CITIES.len())] },
        "score": { "N": rng.below(1000).to_string() },
        "active": { "BOOL": rng.below(2) == 1 },
        "created": { "S": format!("2026-{:02}-{:02}T12:00:00Z", 1 + rng.below(12), 1 + rng.below(28)) },
        "note": { "S": "" },
    });
    let padding = ITEM_SIZE.saturating_sub(item_size(&item));
    let note: String = (0..padding)
        .map(|_| (b'a' + rng.below(26) as u8) as char)
        .collect();
    item["note"] = json!({ "S": note });
    item
}

/// An item's size as DynamoDB counts it for the attribute types used here: each attribute's
/// name in UTF-8 bytes plus its value (a string's UTF-8 bytes; a number's about one byte per two
/// significant digits plus one; a Boolean one byte).
pub fn item_size(item: &Value) -> usize {
    let Some(attributes) = item.as_object() else {
        return 0;
    };
    attributes
        .iter()
        .map(|(name, value)| {
            let value_size = if let Some(s) = value.get("S").and_then(Value::as_str) {
                s.len()
            } else if let Some(n) = value.get("N").and_then(Value::as_str) {
                let digits = n
                    .trim_start_matches('-')
                    .trim_start_matches('0')
                    .len()
                    .max(1);
                digits.div_ceil(2) + 1
            } else {
                1
            };
            name.len() + value_size
        })
        .sum()
}

/// The whole workload, in order: CreateTable, PutItem, GetItem, Query, UpdateItem, Scan.
pub fn workload(seed: u64) -> Vec<Step> {
    let mut rng = Rng::new(seed);
    let step = |name, calls, follow_pages| Step {
        name,
        service: "dynamodb",
        follow_pages,
        calls,
    };
    let create = vec![Call {
        operation: "CreateTable",
        input: json!({
            "TableName": TABLE_NAME,
            "AttributeDefinitions": [
                { "AttributeName": "pk", "AttributeType": "S" },
                { "AttributeName": "sk", "AttributeType": "N" },
            ],
            "KeySchema": [
                { "AttributeName": "pk", "KeyType": "HASH" },
                { "AttributeName": "sk", "KeyType": "RANGE" },
            ],
            "BillingMode": "PAY_PER_REQUEST",
        }),
    }];
    let puts = (0..ITEMS)
        .map(|index| Call {
            operation: "PutItem",
            input: json!({ "TableName": TABLE_NAME, "Item": item(index, &mut rng) }),
        })
        .collect();
    let gets = (0..GETS)
        .map(|_| {
            let k = key(rng.below(PARTITIONS), rng.below(ITEMS_PER_PARTITION));
            Call {
                operation: "GetItem",
                input: json!({ "TableName": TABLE_NAME, "Key": k }),
            }
        })
        .collect();
    let queries = (0..QUERIES)
        .map(|_| {
            let partition = rng.below(PARTITIONS);
            let low = rng.below(ITEMS_PER_PARTITION - QUERY_ITEMS + 1);
            Call {
                operation: "Query",
                input: json!({
                    "TableName": TABLE_NAME,
                    "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
                    "ExpressionAttributeValues": {
                        ":p": { "S": partition_key(partition) },
                        ":a": { "N": low.to_string() },
                        ":b": { "N": (low + QUERY_ITEMS - 1).to_string() },
                    },
                }),
            }
        })
        .collect();
    let updates = (0..UPDATES)
        .map(|_| {
            let k = key(rng.below(PARTITIONS), rng.below(ITEMS_PER_PARTITION));
            Call {
                operation: "UpdateItem",
                input: json!({
                    "TableName": TABLE_NAME,
                    "Key": k,
                    "UpdateExpression": "SET #c = #c + :one",
                    "ExpressionAttributeNames": { "#c": "c" },
                    "ExpressionAttributeValues": { ":one": { "N": "1" } },
                }),
            }
        })
        .collect();
    let scans = (0..SCANS)
        .map(|_| Call {
            operation: "Scan",
            input: json!({
                "TableName": TABLE_NAME,
                "FilterExpression": "#s >= :min AND active = :yes",
                "ExpressionAttributeNames": { "#s": "score" },
                "ExpressionAttributeValues": {
                    ":min": { "N": rng.below(1000).to_string() },
                    ":yes": { "BOOL": true },
                },
            }),
        })
        .collect();
    vec![
        step("CreateTable", create, false),
        step("PutItem", puts, false),
        step("GetItem", gets, false),
        step("Query", queries, false),
        step("UpdateItem", updates, false),
        step("Scan", scans, true),
    ]
}

/// What one step measured: each operation's duration and the step's wall time.
#[derive(Clone, Debug)]
pub struct Timing {
    pub name: String,
    pub millis: Vec<f64>,
    pub wall_millis: f64,
}

impl Timing {
    pub fn from_json(value: &Value) -> Option<Timing> {
        Some(Timing {
            name: value.get("name")?.as_str()?.to_string(),
            millis: value
                .get("millis")?
                .as_array()?
                .iter()
                .filter_map(Value::as_f64)
                .collect(),
            wall_millis: value.get("wallMillis")?.as_f64()?,
        })
    }

    pub fn ops_per_second(&self) -> f64 {
        if self.wall_millis <= 0.0 {
            return 0.0;
        }
        self.millis.len() as f64 * 1000.0 / self.wall_millis
    }

    /// Nearest-rank percentile (`p` in 0..=100) of the operations' durations.
    pub fn percentile(&self, p: f64) -> f64 {
        let mut sorted = self.millis.clone();
        sorted.sort_by(f64::total_cmp);
        if sorted.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }
}

/// The printed table: operations, operations per second, p50 and p99 per step.
pub fn table(title: &str, timings: &[Timing]) -> String {
    let mut out = format!("{title}\n");
    out += &format!(
        "{:<12} {:>6} {:>10} {:>9} {:>9}\n",
        "step", "ops", "ops/s", "p50 ms", "p99 ms"
    );
    for t in timings {
        out += &format!(
            "{:<12} {:>6} {:>10.0} {:>9.3} {:>9.3}\n",
            t.name,
            t.millis.len(),
            t.ops_per_second(),
            t.percentile(50.0),
            t.percentile(99.0)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn items_are_about_200_bytes_with_ten_attributes_over_50_partitions() {
        let steps = workload(7);
        let puts = &steps[1];
        assert_eq!(puts.name, "PutItem");
        assert_eq!(puts.calls.len(), ITEMS);
        let mut per_partition: BTreeMap<String, usize> = BTreeMap::new();
        for call in &puts.calls {
            let item = &call.input["Item"];
            assert_eq!(item.as_object().unwrap().len(), 10);
            let size = item_size(item);
            assert!((195..=205).contains(&size), "item of {size} bytes: {item}");
            // The serialised JSON is larger than the DynamoDB size, but of the same order.
            assert!(item.to_string().len() < 400);
            *per_partition
                .entry(item["pk"]["S"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
        assert_eq!(per_partition.len(), 50);
        assert!(per_partition.values().all(|&n| n == 100));
    }

    #[test]
    fn the_workload_has_the_issue_counts_and_is_deterministic() {
        let steps = workload(7);
        let counts: Vec<(&str, usize)> = steps.iter().map(|s| (s.name, s.calls.len())).collect();
        assert_eq!(
            counts,
            [
                ("CreateTable", 1),
                ("PutItem", 5000),
                ("GetItem", 5000),
                ("Query", 1000),
                ("UpdateItem", 2000),
                ("Scan", 20)
            ]
        );
        let json = |s: &[Step]| s.iter().map(Step::to_json).collect::<Vec<_>>();
        assert_eq!(json(&steps), json(&workload(7)));
        assert_ne!(json(&steps), json(&workload(8)));
    }

    #[test]
    fn queries_ask_for_50_existing_items_of_one_partition() {
        let steps = workload(3);
        for call in &steps[3].calls {
            let values = &call.input["ExpressionAttributeValues"];
            let low: usize = values[":a"]["N"].as_str().unwrap().parse().unwrap();
            let high: usize = values[":b"]["N"].as_str().unwrap().parse().unwrap();
            assert_eq!(high - low + 1, QUERY_ITEMS);
            assert!(high < ITEMS_PER_PARTITION);
        }
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let timing = Timing {
            name: "x".into(),
            millis: (1..=100).rev().map(f64::from).collect(),
            wall_millis: 2000.0,
        };
        assert_eq!(timing.percentile(50.0), 50.0);
        assert_eq!(timing.percentile(99.0), 99.0);
        assert_eq!(timing.ops_per_second(), 50.0);
    }
}
