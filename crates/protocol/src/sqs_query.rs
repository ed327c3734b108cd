//! SQS's awsQuery names and error codes.
//!
//! SQS moved to awsJson1.0 but still answers the query protocol (old SDKs, `aws sqs` before
//! 2023, hand-written form posts). botocore's current SQS model is the JSON one: it keeps the
//! `flattened` flags but lost the query `locationName`s (`Attribute.1.Name`, `Message`, ...) and
//! the `awsQueryError` codes (`AWS.SimpleQueueService.NonExistentQueue`). These tables restore
//! them from the retired 2012-11-05 query model and the Smithy model's `@awsQueryError` traits.

/// The query / XML name of an SQS structure member, where it differs from the member name.
pub(crate) fn member_name(parent: &str, member: &str) -> Option<&'static str> {
    Some(match (parent, member) {
        ("SendMessageBatchRequest", "Entries") => "SendMessageBatchRequestEntry",
        ("DeleteMessageBatchRequest", "Entries") => "DeleteMessageBatchRequestEntry",
        ("ChangeMessageVisibilityBatchRequest", "Entries") => {
            "ChangeMessageVisibilityBatchRequestEntry"
        }
        ("SendMessageBatchResult", "Successful") => "SendMessageBatchResultEntry",
        ("DeleteMessageBatchResult", "Successful") => "DeleteMessageBatchResultEntry",
        ("ChangeMessageVisibilityBatchResult", "Successful") => {
            "ChangeMessageVisibilityBatchResultEntry"
        }
        (_, "Failed") => "BatchResultErrorEntry",
        (_, "Attributes") => "Attribute",
        (_, "MessageAttributes") => "MessageAttribute",
        (_, "MessageSystemAttributes") => "MessageSystemAttribute",
        (_, "AttributeNames") => "AttributeName",
        (_, "MessageAttributeNames") => "MessageAttributeName",
        (_, "MessageSystemAttributeNames") => "MessageSystemAttributeName",
        (_, "Messages") => "Message",
        (_, "QueueUrls") | (_, "queueUrls") => "QueueUrl",
        (_, "Tags") | (_, "tags") => "Tag",
        (_, "TagKeys") => "TagKey",
        (_, "AWSAccountIds") => "AWSAccountId",
        (_, "Actions") => "ActionName",
        (_, "StringListValues") => "StringListValue",
        (_, "BinaryListValues") => "BinaryListValue",
        ("ListMessageMoveTasksResult", "Results") => "ListMessageMoveTasksResultEntry",
        _ => return None,
    })
}

/// Key and value element names of SQS maps (`Attribute.1.Name` / `Attribute.1.Value`).
pub(crate) fn map_names(map: &str) -> Option<(&'static str, &'static str)> {
    match map {
        "TagMap" => Some(("Key", "Value")),
        "QueueAttributeMap"
        | "MessageBodyAttributeMap"
        | "MessageBodySystemAttributeMap"
        | "MessageSystemAttributeMap" => Some(("Name", "Value")),
        _ => None,
    }
}

/// (error shape name, awsQuery error code). Real SQS sends the query code in
/// `x-amzn-query-error` on the JSON wire and as `<Code>` on the query wire; boto3 shows it as
/// `Error.Code` and maps the shape name (in `__type`) to its exception class.
const ERROR_CODES: &[(&str, &str)] = &[
    (
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
    ),
    (
        "QueueDeletedRecently",
        "AWS.SimpleQueueService.QueueDeletedRecently",
    ),
    ("QueueNameExists", "QueueAlreadyExists"),
    (
        "MessageNotInflight",
        "AWS.SimpleQueueService.MessageNotInflight",
    ),
    (
        "PurgeQueueInProgress",
        "AWS.SimpleQueueService.PurgeQueueInProgress",
    ),
    (
        "BatchEntryIdsNotDistinct",
        "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
    ),
    (
        "BatchRequestTooLong",
        "AWS.SimpleQueueService.BatchRequestTooLong",
    ),
    (
        "EmptyBatchRequest",
        "AWS.SimpleQueueService.EmptyBatchRequest",
    ),
    (
        "InvalidBatchEntryId",
        "AWS.SimpleQueueService.InvalidBatchEntryId",
    ),
    (
        "TooManyEntriesInBatchRequest",
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
    ),
    (
        "UnsupportedOperation",
        "AWS.SimpleQueueService.UnsupportedOperation",
    ),
    ("InvalidSecurity", "AWS.SimpleQueueService.InvalidSecurity"),
    ("KmsAccessDenied", "KMS.AccessDeniedException"),
    ("KmsDisabled", "KMS.DisabledException"),
    ("KmsInvalidKeyUsage", "KMS.InvalidKeyUsageException"),
    ("KmsInvalidState", "KMS.InvalidStateException"),
    ("KmsNotFound", "KMS.NotFoundException"),
    ("KmsOptInRequired", "KMS.OptInRequired"),
    ("KmsThrottled", "KMS.ThrottlingException"),
];

/// The query code for an error, given either its shape name or its query code.
pub(crate) fn query_code(code: &str) -> &str {
    ERROR_CODES
        .iter()
        .find(|(shape, _)| *shape == code)
        .map(|(_, query)| *query)
        .unwrap_or(code)
}

/// The error shape name (`__type`) for an error, given either form.
pub(crate) fn shape_name(code: &str) -> &str {
    ERROR_CODES
        .iter()
        .find(|(_, query)| *query == code)
        .map(|(shape, _)| *shape)
        .unwrap_or(code)
}
