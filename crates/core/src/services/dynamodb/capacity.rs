//! Throughput limits, enforced. A table in PROVISIONED mode has a token bucket for reads
//! and one for writes, and so has each of its global secondary indexes (local indexes draw
//! on the table's). So does an on-demand table or GSI given a maximum (OnDemandThroughput's
//! MaxReadRequestUnits, MaxWriteRequestUnits). A bucket refills at the limit per second of
//! the playground's clock and holds at most 300 seconds of unused capacity, AWS's "burst
//! capacity" (AWS documents that burst capacity can carry an on-demand table past its
//! maximum for a while too). A request that costs more than its buckets hold is refused
//! and changes nothing: with ProvisionedThroughputExceededException under provisioned
//! capacity, with ThrottlingException over an on-demand maximum. An on-demand table
//! without a maximum is never throttled.
//!
//! The buckets live in memory only: a restart (or a table created a moment ago) starts
//! with a full burst. A request is charged the units ReturnConsumedCapacity reports.

use std::collections::BTreeMap;

use nimbus_shapes::{
    dynamodb::{
        errors::{PROVISIONED_THROUGHPUT_EXCEEDED_EXCEPTION, THROTTLING_EXCEPTION},
        BillingMode, OnDemandThroughput,
    },
    ServiceError,
};

use super::{
    value::{item_size, Item},
    write::Write,
    write_units, Table,
};

/// AWS retains up to five minutes of unused read and write capacity for bursts.
const BURST_SECONDS: f64 = 300.0;

/// AWS's words when the table's own capacity is exhausted.
const TABLE_EXCEEDED: &str = "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.";
/// AWS's words when a global secondary index's capacity is exhausted (a write to the table
/// is refused when an index it updates cannot take the write).
const INDEX_EXCEEDED: &str = "The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API.";
/// AWS's words over an on-demand maximum, for the table and a GSI alike ("Diagnosing
/// throttling", DynamoDB Developer Guide).
const ON_DEMAND_MAXIMUM_EXCEEDED: &str =
    "Throughput exceeds the maximum OnDemandThroughput configured on table or index";

/// What bounds a table's or GSI's throughput.
#[derive(Clone, Copy)]
enum Limit {
    Provisioned,
    OnDemandMaximum,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    Read,
    Write,
}

/// Where a request's units go: the table (`None`) or a global secondary index.
type Target = (Option<String>, Kind);

/// What one request costs, per table or GSI and per kind.
#[derive(Clone, Debug, Default)]
pub(super) struct Charge(BTreeMap<Target, f64>);

impl Charge {
    /// Read units charged to the table, or to the GSI a Query or Scan reads.
    pub fn read(gsi: Option<&str>, units: f64) -> Self {
        let mut charge = Charge::default();
        charge.add(gsi, Kind::Read, units);
        charge
    }

    /// A write's units: the table pays for itself and its local indexes, each global index
    /// for its own entry. `factor` is 2 for a transaction.
    pub fn write(write: &Write, factor: f64) -> Self {
        let mut charge = Charge::default();
        charge.add(None, Kind::Write, factor * write.units);
        for (name, global, units) in &write.index_units {
            let gsi = global.then_some(name.as_str());
            charge.add(gsi, Kind::Write, factor * units);
        }
        charge
    }

    pub fn add(&mut self, gsi: Option<&str>, kind: Kind, units: f64) {
        *self.0.entry((gsi.map(str::to_string), kind)).or_default() += units;
    }

    pub fn merge(&mut self, other: &Charge) {
        for ((gsi, kind), units) in &other.0 {
            self.add(gsi.as_deref(), *kind, *units);
        }
    }
}

struct Bucket {
    units: f64,
    at_millis: i64,
}

/// The buckets of one table and its GSIs, created full on first use.
#[derive(Default)]
pub(super) struct Buckets(BTreeMap<Target, Bucket>);

impl Table {
    /// The refusal of a request the table (`gsi` `None`) or one of its GSIs cannot pay for,
    /// with its throttling reasons: `<Table|Index><Read|Write><limit>` and the ARN of what
    /// is throttled, as AWS's ThrottlingReason documents them. The two exceptions spell the
    /// field differently in AWS's model.
    fn exceeded(&self, gsi: Option<&str>, kind: Kind, limit: Limit) -> ServiceError {
        let (resource, arn) = match gsi {
            None => ("Table", self.def.arn.clone()),
            Some(name) => ("Index", self.def.index_arn(name)),
        };
        let operation = match kind {
            Kind::Read => "Read",
            Kind::Write => "Write",
        };
        let (error, field, cause) = match limit {
            Limit::Provisioned => (
                PROVISIONED_THROUGHPUT_EXCEEDED_EXCEPTION.with_message(match gsi {
                    None => TABLE_EXCEEDED,
                    Some(_) => INDEX_EXCEEDED,
                }),
                "ThrottlingReasons",
                "ProvisionedThroughputExceeded",
            ),
            Limit::OnDemandMaximum => (
                THROTTLING_EXCEPTION.with_message(ON_DEMAND_MAXIMUM_EXCEEDED),
                "throttlingReasons",
                "MaxOnDemandThroughputExceeded",
            ),
        };
        error.with_field(
            field,
            serde_json::json!([{
                "reason": format!("{resource}{operation}{cause}"),
                "resource": arn,
            }]),
        )
    }

    /// The units per second the table or one of its GSIs may use, and what sets them;
    /// `None` when nothing bounds it (on demand without a maximum).
    fn rate_limit(&self, gsi: Option<&str>, kind: Kind) -> Option<(f64, Limit)> {
        let index = match gsi {
            None => None,
            Some(name) => Some(self.def.gsi(name)?),
        };
        let on_demand = self.def.billing_mode == BillingMode::PayPerRequest;
        let maximum = |m: &OnDemandThroughput| {
            (
                m.max_read_request_units.unwrap_or(-1),
                m.max_write_request_units.unwrap_or(-1),
                Limit::OnDemandMaximum,
            )
        };
        let (read, write, limit) = match (on_demand, index) {
            (true, None) => maximum(self.def.on_demand_throughput.as_ref()?),
            (true, Some(index)) => maximum(index.on_demand_throughput.as_ref()?),
            (false, None) => (
                self.def.read_capacity,
                self.def.write_capacity,
                Limit::Provisioned,
            ),
            (false, Some(index)) => {
                let t = index.provisioned_throughput.as_ref()?;
                (
                    t.read_capacity_units.unwrap_or(0),
                    t.write_capacity_units.unwrap_or(0),
                    Limit::Provisioned,
                )
            }
        };
        let rate = match kind {
            Kind::Read => read,
            Kind::Write => write,
        };
        // -1 is how AWS spells "no maximum".
        (rate > 0).then_some((rate as f64, limit))
    }

    /// Refills the buckets `charge` draws on to `now` and checks they can pay it. Changes
    /// no balance, so a batch or transaction can check every table before charging any.
    pub(super) fn check_capacity(&mut self, charge: &Charge, now: i64) -> Result<(), ServiceError> {
        for ((gsi, kind), units) in &charge.0 {
            let Some((rate, limit)) = self.rate_limit(gsi.as_deref(), *kind) else {
                continue;
            };
            let burst = rate * BURST_SECONDS;
            let bucket = self
                .buckets
                .0
                .entry((gsi.clone(), *kind))
                .or_insert(Bucket {
                    units: burst,
                    at_millis: now,
                });
            let elapsed = (now - bucket.at_millis).max(0) as f64 / 1000.0;
            bucket.units = (bucket.units + rate * elapsed).min(burst);
            bucket.at_millis = bucket.at_millis.max(now);
            // A full bucket admits any one request, even one costing more than the burst
            // (a 400 KB write on a 1 WCU table), and owes the rest: AWS averages capacity
            // over time rather than refusing such an item forever.
            if *units > bucket.units && bucket.units < burst {
                return Err(self.exceeded(gsi.as_deref(), *kind, limit));
            }
        }
        Ok(())
    }

    /// Takes `charge` from the buckets `check_capacity` just approved.
    pub(super) fn take_capacity(&mut self, charge: &Charge) {
        for (target, units) in &charge.0 {
            if let Some(bucket) = self.buckets.0.get_mut(target) {
                bucket.units -= units;
            }
        }
    }

    /// Checks and takes `charge`: a request the table cannot pay for is refused.
    pub(super) fn consume(&mut self, charge: &Charge, now: i64) -> Result<(), ServiceError> {
        self.check_capacity(charge, now)?;
        self.take_capacity(charge);
        Ok(())
    }

    /// A write refused by its condition still costs write units, for the size of the item
    /// it read (at least one), as AWS documents. When the table cannot pay even that, the
    /// write is throttled instead.
    pub(super) fn charge_refused_write(
        &mut self,
        refusal: ServiceError,
        key: &Item,
        now: i64,
    ) -> ServiceError {
        if refusal.code != "ConditionalCheckFailedException" {
            return refusal;
        }
        let read = self.items.get(&self.schema.encode(key));
        let mut charge = Charge::default();
        charge.add(
            None,
            Kind::Write,
            write_units(read.map(item_size).unwrap_or(0)),
        );
        match self.consume(&charge, now) {
            Ok(()) => refusal,
            Err(throttled) => throttled,
        }
    }
}
