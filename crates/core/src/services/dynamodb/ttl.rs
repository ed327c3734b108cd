//! Time to Live: UpdateTimeToLive / DescribeTimeToLive, and the sweep that deletes expired
//! items.
//!
//! An item expires when its TTL attribute is a Number of epoch seconds before now, but not
//! more than five years before (AWS never deletes those: "Items with TTL values older than
//! five years in the past are not deleted"). A missing attribute or one of another type keeps
//! the item forever. AWS deletes expired items lazily (within days); Nimbus deletes them when
//! a host runs the sweep ([`crate::Emulator::expire_items`]), which reads only the items due
//! (an expiry-ordered index kept beside the items), through the normal write path,
//! so indexes follow and the stream gets a REMOVE whose `userIdentity` is the DynamoDB
//! service.

use std::collections::BTreeSet;

use nimbus_shapes::{
    dynamodb::{
        DescribeTimeToLiveInput, DescribeTimeToLiveOutput, TimeToLiveDescription, TimeToLiveStatus,
        UpdateTimeToLiveInput, UpdateTimeToLiveOutput,
    },
    dynamodbstreams::Identity,
    ServiceError,
};

use super::{
    errors::{constraint_errors, table_name_check, table_not_found, validation},
    table_record,
    value::Item,
    write::Write,
    Handler, State, Table,
};
use crate::emulator::Scope;

/// AWS leaves items whose expiry is more than five years past alone.
const FIVE_YEARS_MILLIS: i64 = 5 * 365 * 24 * 3600 * 1000;

/// When `item` expires under the TTL attribute `attr`, in epoch milliseconds: its Number of
/// epoch seconds, if it has one.
fn expiry_millis(item: &Item, attr: &str) -> Option<f64> {
    let seconds = item.get(attr)?.n.as_deref()?.parse::<f64>().ok()?;
    Some(seconds * 1000.0)
}

/// Whether `item` has expired at `now_millis` under the TTL attribute `attr`.
fn expired(item: &Item, attr: &str, now_millis: i64) -> bool {
    expiry_millis(item, attr).is_some_and(|millis| {
        millis < now_millis as f64 && millis >= (now_millis - FIVE_YEARS_MILLIS) as f64
    })
}

/// A TTL table's items ordered by expiry (whole milliseconds, rounded down), so the sweep reads
/// the items that are due instead of the whole table. Kept by `Table::insert` and `remove`,
/// rebuilt when TTL is switched on or off.
#[derive(Default)]
pub(super) struct Expiries(BTreeSet<(i64, Vec<u8>)>);

impl Expiries {
    /// Follows an item's change from `old` to `new` (either absent) under `attr`.
    pub(super) fn follow(
        &mut self,
        attr: Option<&str>,
        key: &[u8],
        old: Option<&Item>,
        new: Option<&Item>,
    ) {
        let Some(attr) = attr else { return };
        let entry = |item: Option<&Item>| {
            let millis = expiry_millis(item?, attr)?;
            Some((millis.floor() as i64, key.to_vec()))
        };
        let (before, after) = (entry(old), entry(new));
        if before == after {
            return;
        }
        if let Some(before) = before {
            self.0.remove(&before);
        }
        if let Some(after) = after {
            self.0.insert(after);
        }
    }
}

impl Table {
    /// The encoded keys of the items expired at `now_millis`.
    fn expired_keys(&self, now_millis: i64) -> Vec<Vec<u8>> {
        let Some(attr) = self.def.ttl_attribute.as_deref() else {
            return Vec::new();
        };
        // Candidates by the rounded-down expiry; `expired` decides exactly.
        let oldest = (now_millis - FIVE_YEARS_MILLIS - 1, Vec::new());
        self.expiries
            .0
            .range(oldest..)
            .take_while(|(millis, _)| *millis <= now_millis)
            .filter(|(_, key)| {
                self.items
                    .get(key)
                    .is_some_and(|item| expired(item, attr, now_millis))
            })
            .map(|(_, key)| key.clone())
            .collect()
    }

    /// Indexes the items by expiry under the table's current TTL attribute.
    fn rebuild_expiries(&mut self) {
        self.expiries = Expiries::default();
        let attr = self.def.ttl_attribute.as_deref();
        for (key, item) in &self.items {
            self.expiries.follow(attr, key, None, Some(item));
        }
    }
}

impl State {
    /// The scopes holding a table with TTL enabled: the sweep does nothing elsewhere.
    pub fn ttl_scopes(&self) -> Vec<Scope> {
        self.scopes
            .iter()
            .filter(|(_, t)| t.tables.values().any(|t| t.def.ttl_attribute.is_some()))
            .map(|(scope, _)| scope.clone())
            .collect()
    }
}

impl Handler<'_, '_> {
    /// Deletes the caller's scope's expired items (the TTL sweep). Answers how many.
    pub fn expire_items(&mut self) -> usize {
        let now = self.ctx.now_millis;
        let doomed: Vec<(String, Vec<u8>)> = self
            .scope_tables()
            .tables
            .values()
            .flat_map(|t| {
                t.expired_keys(now)
                    .into_iter()
                    .map(|key| (t.def.name.clone(), key))
            })
            .collect();
        let service = Identity {
            principal_id: Some("dynamodb.amazonaws.com".into()),
            r#type: Some("Service".into()),
        };
        for (table, key) in &doomed {
            // TTL deletions consume no write capacity.
            let write = Write {
                table: table.clone(),
                key: key.clone(),
                new: None,
                index_units: Vec::new(),
                units: 0.0,
            };
            self.apply_as(write, Some(&service));
        }
        doomed.len()
    }

    pub(super) fn run_update_time_to_live(
        &mut self,
        input: UpdateTimeToLiveInput,
    ) -> Result<UpdateTimeToLiveOutput, ServiceError> {
        let mut errors = Vec::new();
        match &input.time_to_live_specification {
            None => errors.push("Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null".to_string()),
            Some(spec) => {
                if spec.enabled.is_none() {
                    errors.push("Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be null".into());
                }
                match spec.attribute_name.as_deref() {
                    None => errors.push("Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null".into()),
                    Some("") => errors.push("Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1".into()),
                    Some(name) if name.len() > 255 => errors.push(format!("Value '{name}' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length less than or equal to 255")),
                    Some(_) => {}
                }
            }
        }
        if input.table_name.is_none() {
            errors.insert(
                0,
                "Value null at 'tableName' failed to satisfy constraint: Member must not be null"
                    .into(),
            );
        }
        if !errors.is_empty() {
            return Err(constraint_errors(&errors));
        }
        table_name_check(input.table_name.as_deref())?;
        let name = input.table_name.unwrap_or_default();
        let spec = input.time_to_live_specification.expect("checked above");
        let enable = spec.enabled.expect("checked above");
        let attr = spec.attribute_name.clone().expect("checked above");
        let scope = self.ctx.scope();
        let table = self.table(&name).ok_or_else(|| table_not_found(&name))?;
        let different = |current: &str| {
            validation(format!(
                "TimeToLive is active on a different AttributeName: current AttributeName is {current}"
            ))
        };
        match (table.def.ttl_attribute.as_deref(), enable) {
            (Some(current), true) if current == attr => {
                return Err(validation("TimeToLive is already enabled"))
            }
            (Some(current), _) if current != attr => return Err(different(current)),
            (None, false) => return Err(validation("TimeToLive is already disabled")),
            _ => {}
        }
        table.def.ttl_attribute = enable.then_some(attr);
        table.rebuild_expiries();
        let def = table.def.clone();
        self.ctx.persist(table_record(&scope, &def.name), &def);
        Ok(UpdateTimeToLiveOutput {
            time_to_live_specification: Some(spec),
        })
    }

    pub(super) fn run_describe_time_to_live(
        &mut self,
        input: DescribeTimeToLiveInput,
    ) -> Result<DescribeTimeToLiveOutput, ServiceError> {
        table_name_check(input.table_name.as_deref())?;
        let name = input.table_name.unwrap_or_default();
        let table = self.table(&name).ok_or_else(|| table_not_found(&name))?;
        // AWS passes through ENABLING / DISABLING for up to an hour; Nimbus applies the
        // change at once.
        let description = match &table.def.ttl_attribute {
            Some(attr) => TimeToLiveDescription {
                time_to_live_status: Some(TimeToLiveStatus::Enabled),
                attribute_name: Some(attr.clone()),
            },
            None => TimeToLiveDescription {
                time_to_live_status: Some(TimeToLiveStatus::Disabled),
                attribute_name: None,
            },
        };
        Ok(DescribeTimeToLiveOutput {
            time_to_live_description: Some(description),
        })
    }
}
