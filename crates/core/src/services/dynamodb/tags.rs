//! Tags: TagResource, UntagResource and ListTagsOfResource by table ARN, and the Tags of
//! CreateTable. Tags live in the table's definition, so they persist with it and go with
//! it on DeleteTable.

use std::collections::BTreeSet;

use nimbus_shapes::{
    dynamodb::{
        errors::RESOURCE_NOT_FOUND_EXCEPTION, ListTagsOfResourceInput, ListTagsOfResourceOutput,
        Tag, TagResourceInput, UntagResourceInput,
    },
    ServiceError,
};

use super::{
    errors::{access_denied, constraint_errors, invalid_parameter, validation},
    local_name, table_record, Handler, Table,
};

/// A table has at most 50 user tags.
const MAX_TAGS: usize = 50;
const MAX_KEY_CHARS: usize = 128;
const MAX_VALUE_CHARS: usize = 256;
/// The bytes of every key and value of a table's tags together.
const MAX_TAG_SET_BYTES: usize = 10240;

// DynamoDB's answers to bad tags, measured against it in 2026-10 (the ack-api-quirks
// findings DDB-TABLE-105 to 110 and 372): its own words, not the model's constraint envelope.

fn invalid_key(key: Option<&str>) -> ServiceError {
    validation(format!(
        "The Tag Key provided is invalid, Key: {}",
        key.unwrap_or("null")
    ))
}

fn invalid_value(value: Option<&str>) -> ServiceError {
    validation(format!(
        "The Tag Value provided is invalid, Value: {}",
        value.unwrap_or("null")
    ))
}

fn too_many() -> ServiceError {
    validation("Number of Tags exceed the current limit for the provided ResourceArn")
}

/// "The allowed characters are letters, white space, and numbers, plus the following special
/// characters: + - = . _ : /" (DynamoDB's tagging restrictions); AWS's tag pattern,
/// `[\p{L}\p{Z}\p{N}_.:/=+\-@]`, also takes `@`, and so does DynamoDB.
fn allowed_in_tag(c: char) -> bool {
    c.is_alphabetic()
        || c.is_numeric()
        || (c.is_whitespace() && !c.is_control())
        || "_.:/=+-@".contains(c)
}

fn fits(text: &str, max_chars: usize) -> bool {
    text.chars().count() <= max_chars && text.chars().all(allowed_in_tag)
}

/// A tag key, as TagResource, UntagResource and CreateTable check it: not AWS's own prefix
/// (in any case), 1..128 allowed characters.
fn check_key(key: Option<&str>) -> Result<(), ServiceError> {
    let Some(key) = key else {
        return Err(invalid_key(None));
    };
    if key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")) {
        return Err(validation(format!(
            "Tag Key cannot be prefixed with aws:, Key: {key}"
        )));
    }
    if key.is_empty() || !fits(key, MAX_KEY_CHARS) {
        return Err(invalid_key(Some(key)));
    }
    Ok(())
}

/// The checks every tag list gets (CreateTable's Tags and TagResource's): each tag, then no
/// key twice.
fn check_tags(tags: &[Tag]) -> Result<(), ServiceError> {
    for tag in tags {
        check_key(tag.key.as_deref())?;
        match tag.value.as_deref() {
            Some(value) if fits(value, MAX_VALUE_CHARS) => {}
            value => return Err(invalid_value(value)),
        }
    }
    let mut seen = BTreeSet::new();
    if let Some(twice) = tags.iter().find(|t| !seen.insert(&t.key)) {
        return Err(validation(format!(
            "Duplicate Tag Keys provided as input: Duplicate Tag Key found {}",
            twice.key.as_deref().unwrap_or_default()
        )));
    }
    Ok(())
}

/// A table's whole tag set, once merged: at most 50 tags of at most 10240 bytes together.
fn check_tag_set(tags: &[Tag]) -> Result<(), ServiceError> {
    if tags.len() > MAX_TAGS {
        return Err(too_many());
    }
    let bytes: usize = tags
        .iter()
        .flat_map(|t| [t.key.as_deref(), t.value.as_deref()])
        .flatten()
        .map(str::len)
        .sum();
    if bytes > MAX_TAG_SET_BYTES {
        return Err(validation(format!(
            "Tag set size {bytes} bytes is above max size limit"
        )));
    }
    Ok(())
}

/// A tag list with later keys replacing earlier ones (as TagResource updates a key).
fn merged(mut tags: Vec<Tag>, new: &[Tag]) -> Vec<Tag> {
    for tag in new {
        match tags.iter_mut().find(|t| t.key == tag.key) {
            Some(existing) => existing.value = tag.value.clone(),
            None => tags.push(tag.clone()),
        }
    }
    tags
}

/// CreateTable's Tags: checked as TagResource checks them (an empty list is fine).
pub(super) fn create_tags(tags: Option<&[Tag]>) -> Result<Vec<Tag>, ServiceError> {
    let tags = tags.unwrap_or_default();
    check_tags(tags)?;
    check_tag_set(tags)?;
    Ok(tags.to_vec())
}

impl Handler<'_, '_> {
    /// The table a ResourceArn names, as the tag operations (`action`) look it up. Another
    /// account's ARN is refused as AWS refuses it, with the caller's access denied.
    fn tagged_table(
        &mut self,
        arn: Option<&str>,
        action: &str,
    ) -> Result<&mut Table, ServiceError> {
        let Some(arn) = arn else {
            return Err(validation("Invalid TableArn"));
        };
        if !arn.starts_with("arn:") {
            return Err(invalid_parameter(format!(
                "ARNs must start with 'arn:': {arn}"
            )));
        }
        let account = &self.ctx.caller.account_id;
        if arn.split(':').nth(4).is_some_and(|owner| owner != account) {
            return Err(access_denied(account, action, arn));
        }
        // A backup's ARN names no taggable resource (ack-api-quirks DDB-BACKUP-013).
        if arn.contains("/backup/") {
            return Err(invalid_parameter(format!(
                "Provided Arn is not a DynamoDB resource arn: {arn}"
            )));
        }
        // An index has an ARN of its own, but tags belong to its table (AWS's words, as
        // ScyllaDB's Alternator tests record them from DynamoDB in 2026).
        if arn.contains("/index/") {
            return Err(invalid_parameter(format!(
                "Invalid resource arn provided, only table or stream is accepted. Provided resource arn: {arn}"
            )));
        }
        let not_found = || {
            RESOURCE_NOT_FOUND_EXCEPTION.with_message(format!(
                "Requested resource not found: ResourceArn: {arn} not found"
            ))
        };
        // Stream ARNs are not taggable; local_name only accepts table ARNs.
        let name = local_name(&self.ctx.scope(), arn)
            .filter(|_| arn.contains(":table/"))
            .ok_or_else(not_found)?;
        self.scope_tables()
            .tables
            .get_mut(&name)
            .ok_or_else(not_found)
    }

    /// Gives the table `tags` and persists its definition (found again by name: the table
    /// `tagged_table` found holds `self` borrowed).
    fn save_tags(&mut self, table: &str, tags: Vec<Tag>) {
        let scope = self.ctx.scope();
        let table = self
            .scope_tables()
            .tables
            .get_mut(table)
            .expect("a tagged table exists");
        table.def.tags = tags;
        let def = table.def.clone();
        self.ctx.persist(table_record(&scope, &def.name), &def);
    }

    pub(super) fn run_tag_resource(&mut self, input: TagResourceInput) -> Result<(), ServiceError> {
        let arn = input.resource_arn.as_deref();
        let new = match input.tags.as_deref() {
            None | Some([]) => {
                return Err(validation("Atleast one Tag needs to be provided as Input."))
            }
            Some(tags) => tags,
        };
        check_tags(new)?;
        let table = self.tagged_table(arn, "TagResource")?;
        let tags = merged(table.def.tags.clone(), new);
        check_tag_set(&tags)?;
        let name = table.def.name.clone();
        self.save_tags(&name, tags);
        Ok(())
    }

    pub(super) fn run_untag_resource(
        &mut self,
        input: UntagResourceInput,
    ) -> Result<(), ServiceError> {
        let arn = input.resource_arn.as_deref();
        let Some(keys) = input.tag_keys.as_ref() else {
            return Err(constraint_errors(&[
                "Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"
                    .into(),
            ]));
        };
        if keys.is_empty() {
            return Err(validation(
                "Atleast one Tag Key needs to be provided as Input.",
            ));
        }
        for key in keys {
            check_key(Some(key))?;
        }
        if keys.len() > MAX_TAGS {
            return Err(too_many());
        }
        let table = self.tagged_table(arn, "UntagResource")?;
        // Removing a key the table does not carry is not an error.
        let mut tags = table.def.tags.clone();
        tags.retain(|t| !t.key.as_ref().is_some_and(|k| keys.contains(k)));
        if tags.len() == table.def.tags.len() {
            return Ok(());
        }
        let name = table.def.name.clone();
        self.save_tags(&name, tags);
        Ok(())
    }

    pub(super) fn run_list_tags_of_resource(
        &mut self,
        input: ListTagsOfResourceInput,
    ) -> Result<ListTagsOfResourceOutput, ServiceError> {
        let table = self.tagged_table(input.resource_arn.as_deref(), "ListTagsOfResource")?;
        // One page holds every tag a table may have (50): ScyllaDB's Alternator tests, run
        // against DynamoDB, find the newest of more than ten tags in the first answer.
        Ok(ListTagsOfResourceOutput {
            tags: Some(table.def.tags.clone()),
            next_token: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(key: &str, value: &str) -> Tag {
        Tag {
            key: Some(key.into()),
            value: Some(value.into()),
        }
    }

    #[test]
    fn a_later_key_replaces_the_earlier_value() {
        let tags = merged(vec![tag("a", "1")], &[tag("b", "2"), tag("a", "3")]);
        assert_eq!(tags, vec![tag("a", "3"), tag("b", "2")]);
    }
}
