//! SNS: topics (subscriptions and publishing come later).
//!
//! Records: `sns/{account}/{region}/t/{name}`, one per topic.

use std::collections::BTreeMap;

use base64::Engine as _;
use nimbus_shapes::{
    sns::{
        errors, CreateTopicInput, CreateTopicResponse, DeleteTopicInput, GetTopicAttributesInput,
        GetTopicAttributesResponse, ListTagsForResourceRequest, ListTagsForResourceResponse,
        ListTopicsInput, ListTopicsResponse, SetTopicAttributesInput, Sns, Tag,
        Topic as TopicEntry,
    },
    ServiceError,
};
use serde::{Deserialize, Serialize};

use crate::{
    emulator::{Ctx, Scope},
    services::record_key,
};

/// ListTopics answers at most this many topics per page.
const PAGE_SIZE: usize = 100;

/// Attributes a caller may set; the rest of GetTopicAttributes is computed.
const SETTABLE: &[&str] = &[
    "ArchivePolicy",
    "ContentBasedDeduplication",
    "DataProtectionPolicy",
    "DeliveryPolicy",
    "DisplayName",
    "FifoThroughputScope",
    "FifoTopic",
    "KmsMasterKeyId",
    "Policy",
    "SignatureVersion",
    "TracingConfig",
];

/// All SNS state, per account and region.
#[derive(Default)]
pub struct State {
    topics: BTreeMap<Scope, BTreeMap<String, Topic>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Topic {
    name: String,
    attributes: BTreeMap<String, String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
}

pub struct Handler<'a, 'b> {
    pub state: &'a mut State,
    pub ctx: &'a mut Ctx<'b>,
}

fn invalid_parameter(what: &str) -> ServiceError {
    errors::INVALID_PARAMETER_EXCEPTION.with_message(format!("Invalid parameter: {what}"))
}

fn valid_topic_name(name: &str, fifo: bool) -> bool {
    let base = if fifo {
        match name.strip_suffix(".fifo") {
            Some(base) => base,
            None => return false,
        }
    } else {
        name
    };
    (1..=256).contains(&name.len())
        && !base.is_empty()
        && base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn topic_arn(scope: &Scope, name: &str) -> String {
    format!("arn:aws:sns:{}:{}:{name}", scope.region, scope.account_id)
}

/// Scope and topic name from `arn:aws:sns:{region}:{account}:{name}`. SNS names a malformed
/// ARN "TopicArn" but an SNS ARN with a bad name part (a subscription ARN, say) "Topic Name".
fn parse_topic_arn(arn: &str) -> Result<(Scope, String), ServiceError> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts[..] {
        ["arn", partition, "sns", region, account, name]
            if partition.starts_with("aws") && !region.is_empty() && !account.is_empty() =>
        {
            if !valid_topic_name(name, name.ends_with(".fifo")) {
                return Err(invalid_parameter("Topic Name"));
            }
            Ok((
                Scope {
                    account_id: account.to_string(),
                    region: region.to_string(),
                },
                name.to_string(),
            ))
        }
        _ => Err(invalid_parameter("TopicArn")),
    }
}

fn check_attribute(name: &str, value: &str) -> Result<(), ServiceError> {
    if !SETTABLE.contains(&name) {
        return Err(invalid_parameter("AttributeName"));
    }
    let boolean = matches!(name, "FifoTopic" | "ContentBasedDeduplication");
    if boolean && value != "true" && value != "false" {
        return Err(invalid_parameter(&format!(
            "Attributes Reason: {name} must be true or false"
        )));
    }
    Ok(())
}

fn default_policy(arn: &str, account: &str) -> String {
    serde_json::json!({
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                "SNS:ListSubscriptionsByTopic", "SNS:Publish"
            ],
            "Resource": arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}}
        }]
    })
    .to_string()
}

const EFFECTIVE_DELIVERY_POLICY: &str = r#"{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}"#;

impl Handler<'_, '_> {
    /// The topic an ARN names; only the caller's own account and region are visible.
    fn locate(&self, arn: Option<&str>) -> Result<(Scope, String), ServiceError> {
        let arn = arn.unwrap_or("");
        let (scope, name) = parse_topic_arn(arn)?;
        match self.state.topics.get(&scope) {
            Some(topics) if topics.contains_key(&name) => Ok((scope, name)),
            _ => Err(errors::NOT_FOUND_EXCEPTION.with_message("Topic does not exist")),
        }
    }

    fn save(&mut self, scope: Scope, topic: Topic) {
        self.ctx
            .persist(record_key("sns", &scope, &["t", &topic.name]), &topic);
        self.state
            .topics
            .entry(scope)
            .or_default()
            .insert(topic.name.clone(), topic);
    }
}

impl Sns for Handler<'_, '_> {
    fn create_topic(
        &mut self,
        input: CreateTopicInput,
    ) -> Result<CreateTopicResponse, ServiceError> {
        let name = input.name.unwrap_or_default();
        let mut attributes = input.attributes.unwrap_or_default();
        if let Some(policy) = input.data_protection_policy {
            attributes.insert("DataProtectionPolicy".into(), policy);
        }
        for (attr, value) in &attributes {
            check_attribute(attr, value)?;
        }
        let fifo = attributes.get("FifoTopic").map(String::as_str) == Some("true");
        if !valid_topic_name(&name, fifo) {
            return Err(invalid_parameter(if fifo {
                "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long."
            } else {
                "Topic Name"
            }));
        }
        let tags: BTreeMap<String, String> = input
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.key.unwrap_or_default(), t.value.unwrap_or_default()))
            .collect();
        let scope = self.ctx.scope();
        let arn = topic_arn(&scope, &name);
        // CreateTopic is idempotent, unless the same name comes with other attributes or tags.
        if let Some(existing) = self.state.topics.get(&scope).and_then(|t| t.get(&name)) {
            if attributes
                .iter()
                .any(|(k, v)| existing.attributes.get(k) != Some(v))
            {
                return Err(invalid_parameter(
                    "Attributes Reason: Topic already exists with different attributes",
                ));
            }
            if tags.iter().any(|(k, v)| existing.tags.get(k) != Some(v)) {
                return Err(invalid_parameter(
                    "Tags Reason: Topic already exists with different tags",
                ));
            }
            return Ok(CreateTopicResponse {
                topic_arn: Some(arn),
            });
        }
        self.save(
            scope,
            Topic {
                name,
                attributes,
                tags,
            },
        );
        Ok(CreateTopicResponse {
            topic_arn: Some(arn),
        })
    }

    fn list_topics(&mut self, input: ListTopicsInput) -> Result<ListTopicsResponse, ServiceError> {
        let after = match &input.next_token {
            Some(token) => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(token)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| invalid_parameter("NextToken"))?,
            ),
            None => None,
        };
        let scope = self.ctx.scope();
        let names: Vec<&String> = self
            .state
            .topics
            .get(&scope)
            .map(|t| t.keys().collect())
            .unwrap_or_default();
        let remaining: Vec<&String> = names
            .into_iter()
            .filter(|n| after.as_ref().is_none_or(|a| n.as_str() > a.as_str()))
            .collect();
        let page = &remaining[..remaining.len().min(PAGE_SIZE)];
        let next_token = (remaining.len() > PAGE_SIZE)
            .then(|| base64::engine::general_purpose::STANDARD.encode(page[page.len() - 1]));
        Ok(ListTopicsResponse {
            topics: Some(
                page.iter()
                    .map(|n| TopicEntry {
                        topic_arn: Some(topic_arn(&scope, n)),
                    })
                    .collect(),
            ),
            next_token,
        })
    }

    fn delete_topic(&mut self, input: DeleteTopicInput) -> Result<(), ServiceError> {
        let arn = input.topic_arn.unwrap_or_default();
        let (scope, name) = parse_topic_arn(&arn)?;
        // Deleting a topic that does not exist is not an error.
        let removed = self
            .state
            .topics
            .get_mut(&scope)
            .and_then(|t| t.remove(&name));
        if removed.is_some() {
            self.ctx
                .changes
                .delete(record_key("sns", &scope, &["t", &name]));
        }
        Ok(())
    }

    fn get_topic_attributes(
        &mut self,
        input: GetTopicAttributesInput,
    ) -> Result<GetTopicAttributesResponse, ServiceError> {
        let (scope, name) = self.locate(input.topic_arn.as_deref())?;
        let topic = &self.state.topics[&scope][&name];
        let arn = topic_arn(&scope, &name);
        let mut attributes = BTreeMap::from([
            ("TopicArn".to_string(), arn.clone()),
            ("Owner".to_string(), scope.account_id.clone()),
            (
                "Policy".to_string(),
                default_policy(&arn, &scope.account_id),
            ),
            ("DisplayName".to_string(), String::new()),
            ("SubscriptionsConfirmed".to_string(), "0".to_string()),
            ("SubscriptionsPending".to_string(), "0".to_string()),
            ("SubscriptionsDeleted".to_string(), "0".to_string()),
            (
                "EffectiveDeliveryPolicy".to_string(),
                EFFECTIVE_DELIVERY_POLICY.to_string(),
            ),
        ]);
        attributes.extend(topic.attributes.clone());
        Ok(GetTopicAttributesResponse {
            attributes: Some(attributes),
        })
    }

    fn set_topic_attributes(&mut self, input: SetTopicAttributesInput) -> Result<(), ServiceError> {
        let (scope, name) = self.locate(input.topic_arn.as_deref())?;
        let attr = input.attribute_name.unwrap_or_default();
        let value = input.attribute_value.unwrap_or_default();
        check_attribute(&attr, &value)?;
        if attr == "FifoTopic" {
            // The topic type is fixed at creation.
            return Err(invalid_parameter("AttributeName"));
        }
        let mut topic = self.state.topics[&scope][&name].clone();
        topic.attributes.insert(attr, value);
        self.save(scope, topic);
        Ok(())
    }

    fn list_tags_for_resource(
        &mut self,
        input: ListTagsForResourceRequest,
    ) -> Result<ListTagsForResourceResponse, ServiceError> {
        let (scope, name) = self.locate(input.resource_arn.as_deref()).map_err(|_| {
            errors::RESOURCE_NOT_FOUND_EXCEPTION.with_message("Resource does not exist")
        })?;
        let tags = self.state.topics[&scope][&name]
            .tags
            .iter()
            .map(|(k, v)| Tag {
                key: Some(k.clone()),
                value: Some(v.clone()),
            })
            .collect();
        Ok(ListTagsForResourceResponse { tags: Some(tags) })
    }
}

/// Takes back one record this service persisted (`rest` is the key after the scope).
pub fn restore(state: &mut State, scope: Scope, rest: &str, value: &[u8]) -> Result<(), String> {
    match rest.split_once('/') {
        Some(("t", name)) => {
            let topic: Topic = serde_json::from_slice(value).map_err(|e| e.to_string())?;
            state
                .topics
                .entry(scope)
                .or_default()
                .insert(name.to_string(), topic);
            Ok(())
        }
        _ => Err(format!("unexpected sns record {rest}")),
    }
}
