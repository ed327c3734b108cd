//! Tags: TagResource, UntagResource and ListTagsOfResource by table ARN, and the Tags of
//! CreateTable. Tags live in the table's definition, so they persist with it and go with
//! it on DeleteTable.

use nimbus_shapes::{
    dynamodb::{
        errors::RESOURCE_NOT_FOUND_EXCEPTION, ListTagsOfResourceInput, ListTagsOfResourceOutput,
        Tag, TagResourceInput, UntagResourceInput,
    },
    ServiceError,
};

use super::{
    errors::{access_denied, constraint_errors, validation},
    local_name, table_record, Handler, Table,
};

/// A table has at most 50 user tags.
const MAX_TAGS: usize = 50;
const MAX_KEY_CHARS: usize = 128;
const MAX_VALUE_CHARS: usize = 256;

/// The checks every tag list gets (CreateTable's Tags and TagResource's): lengths in AWS's
/// request-validation envelope, then the reserved `aws:` prefix.
pub(super) fn check_tags(tags: &[Tag]) -> Result<(), ServiceError> {
    let mut errors = Vec::new();
    for (i, tag) in tags.iter().enumerate() {
        let at = format!("tags.{}.member", i + 1);
        match tag.key.as_deref() {
            None => errors.push(format!(
                "Value null at '{at}.key' failed to satisfy constraint: Member must not be null"
            )),
            Some("") => errors.push(format!("Value '' at '{at}.key' failed to satisfy constraint: Member must have length greater than or equal to 1")),
            Some(key) if key.chars().count() > MAX_KEY_CHARS => errors.push(format!("Value '{key}' at '{at}.key' failed to satisfy constraint: Member must have length less than or equal to {MAX_KEY_CHARS}")),
            Some(_) => {}
        }
        match tag.value.as_deref() {
            None => errors.push(format!(
                "Value null at '{at}.value' failed to satisfy constraint: Member must not be null"
            )),
            Some(value) if value.chars().count() > MAX_VALUE_CHARS => errors.push(format!("Value '{value}' at '{at}.value' failed to satisfy constraint: Member must have length less than or equal to {MAX_VALUE_CHARS}")),
            Some(_) => {}
        }
    }
    if !errors.is_empty() {
        return Err(constraint_errors(&errors));
    }
    // Tags AWS assigns itself carry the aws: prefix, which users cannot assign.
    if tags
        .iter()
        .any(|t| t.key.as_deref().is_some_and(|k| k.starts_with("aws:")))
    {
        return Err(validation(
            "One or more parameter values were invalid: Tag key cannot start with the reserved prefix aws:",
        ));
    }
    let texts = tags
        .iter()
        .flat_map(|t| [t.key.as_deref(), t.value.as_deref()])
        .flatten();
    for text in texts {
        if let Some(bad) = text.chars().find(|&c| !allowed_in_tag(c)) {
            // AWS refuses these (ScyllaDB's Alternator tests, run against DynamoDB, see a
            // ValidationException); its message is not on record, so this one is Nimbus's.
            return Err(validation(format!(
                "One or more parameter values were invalid: Tag keys and values may contain only letters, numbers, white space and + - = . _ : / ('{bad}' in '{text}')"
            )));
        }
    }
    Ok(())
}

/// "The allowed characters are letters, white space, and numbers, plus the following special
/// characters: + - = . _ : /" (DynamoDB's tagging restrictions).
fn allowed_in_tag(c: char) -> bool {
    c.is_alphanumeric() || c.is_whitespace() || "+-=._:/".contains(c)
}

fn too_many() -> ServiceError {
    validation(format!(
        "One or more parameter values were invalid: The number of tags exceeds the limit of {MAX_TAGS}"
    ))
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

/// CreateTable's Tags: checked, duplicate keys collapsed.
pub(super) fn create_tags(tags: Option<&[Tag]>) -> Result<Vec<Tag>, ServiceError> {
    let tags = tags.unwrap_or_default();
    check_tags(tags)?;
    let tags = merged(Vec::new(), tags);
    if tags.len() > MAX_TAGS {
        return Err(too_many());
    }
    Ok(tags)
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
            return Err(validation(format!(
                "One or more parameter values were invalid: ARNs must start with 'arn:': {arn}"
            )));
        }
        let account = &self.ctx.caller.account_id;
        if arn.split(':').nth(4).is_some_and(|owner| owner != account) {
            return Err(access_denied(account, action, arn));
        }
        // An index has an ARN of its own, but tags belong to its table (AWS's words, as
        // ScyllaDB's Alternator tests record them from DynamoDB in 2026).
        if arn.contains("/index/") {
            return Err(validation(format!(
                "One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: {arn}"
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
            None | Some([]) => return Err(validation("Atleast one Tag needs to be provided")),
            Some(tags) => tags,
        };
        check_tags(new)?;
        let table = self.tagged_table(arn, "TagResource")?;
        let tags = merged(table.def.tags.clone(), new);
        if tags.len() > MAX_TAGS {
            return Err(too_many());
        }
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
