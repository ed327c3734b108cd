//! Requests as real SDKs put them on the wire (boto3 / AWS CLI / SDK v3 captures), routed and
//! decoded; outputs and errors rendered to the bytes those SDKs parse.

use nimbus_protocol::{
    parse_request, render_error, render_output, HttpRequest, HttpResponse, ParsedRequest, Wire,
};
use nimbus_shapes::ServiceError;
use serde_json::{json, Value};

const RID: &str = "5d0f5c0e-0000-4000-8000-000000000001";

fn sigv4(service: &str) -> (String, String) {
    (
        "authorization".into(),
        format!(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/{service}/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, Signature=0123456789abcdef"
        ),
    )
}

fn request(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpRequest {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    HttpRequest {
        method: method.into(),
        path: path.into(),
        query: query.into(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect(),
        body: body.to_vec(),
    }
}

fn signed(mut r: HttpRequest, service: &str) -> HttpRequest {
    r.headers.push(sigv4(service));
    r
}

fn parse(r: &HttpRequest) -> ParsedRequest {
    match parse_request(r) {
        Ok(p) => p,
        Err(resp) => panic!(
            "not parsed: {} {}",
            resp.status,
            String::from_utf8_lossy(&resp.body)
        ),
    }
}

fn parse_err(r: &HttpRequest) -> HttpResponse {
    match parse_request(r) {
        Ok(p) => panic!(
            "unexpectedly parsed as {}.{}",
            p.service.name, p.operation.name
        ),
        Err(resp) => resp,
    }
}

fn body_str(r: &HttpResponse) -> &str {
    std::str::from_utf8(&r.body).unwrap()
}

fn body_json(r: &HttpResponse) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

fn routed(p: &ParsedRequest) -> (&str, &str, Wire) {
    (p.service.name, p.operation.name, p.wire)
}

// ---- awsJson ------------------------------------------------------------------------------

fn dynamodb_put_item() -> HttpRequest {
    signed(
        request(
            "POST",
            "/",
            &[
                ("Host", "localhost:4566"),
                ("X-Amz-Target", "DynamoDB_20120810.PutItem"),
                ("Content-Type", "application/x-amz-json-1.0"),
                ("X-Amz-Date", "20240101T000000Z"),
            ],
            br#"{"TableName": "users", "Item": {"id": {"S": "u1"}, "age": {"N": "42"}, "blob": {"B": "AAE="}}}"#,
        ),
        "dynamodb",
    )
}

#[test]
fn dynamodb_put_item_routes_and_keeps_the_canonical_body() {
    let p = parse(&dynamodb_put_item());
    assert_eq!(routed(&p), ("dynamodb", "PutItem", Wire::AwsJson1_0));
    assert_eq!(
        p.input,
        json!({"TableName": "users", "Item": {"id": {"S": "u1"}, "age": {"N": "42"}, "blob": {"B": "AAE="}}})
    );
    assert_eq!(
        (
            p.access_key_id.as_str(),
            p.account_id.as_str(),
            p.region.as_str()
        ),
        ("AKIAIOSFODNN7EXAMPLE", "123456789012", "us-east-1")
    );

    let out = render_output(&p, json!({}), RID);
    assert_eq!(out.status, 200);
    assert_eq!(
        out.header("content-type"),
        Some("application/x-amz-json-1.0")
    );
    assert_eq!(out.header("x-amzn-requestid"), Some(RID));
    assert_eq!(body_str(&out), "{}");

    let out = render_output(
        &p,
        json!({"Attributes": {"id": {"S": "u0"}}, "ConsumedCapacity": null}),
        RID,
    );
    assert_eq!(body_json(&out), json!({"Attributes": {"id": {"S": "u0"}}}));
}

// DynamoDB answers an operation without output with an empty body, where one with an
// output shape gets at least `{}` (ScyllaDB's Alternator tests, run against DynamoDB).
#[test]
fn dynamodb_operations_without_output_answer_an_empty_body() {
    let tag = signed(
        request(
            "POST",
            "/",
            &[
                ("Host", "localhost:4566"),
                ("X-Amz-Target", "DynamoDB_20120810.TagResource"),
                ("Content-Type", "application/x-amz-json-1.0"),
                ("X-Amz-Date", "20240101T000000Z"),
            ],
            br#"{"ResourceArn": "arn:aws:dynamodb:us-east-1:123456789012:table/t", "Tags": []}"#,
        ),
        "dynamodb",
    );
    let p = parse(&tag);
    let out = render_output(&p, Value::Null, RID);
    assert_eq!((out.status, body_str(&out)), (200, ""));
}

#[test]
fn dynamodb_errors_carry_the_qualified_type() {
    let p = parse(&dynamodb_put_item());
    let error = nimbus_shapes::dynamodb::errors::RESOURCE_NOT_FOUND_EXCEPTION
        .with_message("Requested resource not found");
    let out = render_error(&p, &error, RID);
    assert_eq!(out.status, 400);
    assert_eq!(
        out.header("x-amzn-errortype"),
        Some("ResourceNotFoundException")
    );
    assert_eq!(
        body_json(&out),
        json!({"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": "Requested resource not found"})
    );
}

#[test]
fn cognito_speaks_json_1_1() {
    let r = signed(
        request(
            "POST",
            "/",
            &[
                (
                    "X-Amz-Target",
                    "AWSCognitoIdentityProviderService.ListUserPools",
                ),
                ("Content-Type", "application/x-amz-json-1.1"),
            ],
            br#"{"MaxResults": 10}"#,
        ),
        "cognito-idp",
    );
    let p = parse(&r);
    assert_eq!(
        routed(&p),
        ("cognito-idp", "ListUserPools", Wire::AwsJson1_1)
    );
    let out = render_output(&p, json!({"UserPools": []}), RID);
    assert_eq!(
        out.header("content-type"),
        Some("application/x-amz-json-1.1")
    );
}

#[test]
fn json_requests_that_cannot_be_decoded_get_aws_errors() {
    let mut r = dynamodb_put_item();
    r.body = b"{\"TableName\": ".to_vec();
    let out = parse_err(&r);
    assert_eq!(out.status, 400);
    assert_eq!(
        out.header("x-amzn-errortype"),
        Some("SerializationException")
    );
    assert!(body_json(&out)["__type"]
        .as_str()
        .unwrap()
        .ends_with("#SerializationException"));

    let mut r = dynamodb_put_item();
    r.headers.retain(|(k, _)| k != "x-amz-target");
    r.headers
        .push(("x-amz-target".into(), "DynamoDB_20120810.Frobnicate".into()));
    let out = parse_err(&r);
    assert_eq!(
        (out.status, out.header("x-amzn-errortype")),
        (400, Some("UnknownOperationException"))
    );

    let mut r = dynamodb_put_item();
    r.headers.retain(|(k, _)| k != "x-amz-target");
    r.headers
        .push(("x-amz-target".into(), "NoSuchService_2000.Op".into()));
    let out = parse_err(&r);
    assert_eq!(
        (out.status, out.header("x-amzn-errortype")),
        (400, Some("UnknownOperationException"))
    );

    // An empty body is an empty input (boto3 sends `{}`, some clients nothing).
    let mut r = dynamodb_put_item();
    r.headers.retain(|(k, _)| k != "x-amz-target");
    r.headers
        .push(("x-amz-target".into(), "DynamoDB_20120810.ListTables".into()));
    r.body.clear();
    assert_eq!(parse(&r).input, json!({}));
}

// ---- SQS: JSON and query ------------------------------------------------------------------

const QUEUE_URL: &str = "http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/jobs";

#[test]
fn sqs_json_send_message_and_query_compatible_errors() {
    let body = json!({
        "QueueUrl": QUEUE_URL,
        "MessageBody": "hello",
        "DelaySeconds": 5,
        "MessageAttributes": {"color": {"StringValue": "red", "DataType": "String"}}
    });
    let r = signed(
        request(
            "POST",
            "/",
            &[
                ("X-Amz-Target", "AmazonSQS.SendMessage"),
                ("Content-Type", "application/x-amz-json-1.0"),
            ],
            body.to_string().as_bytes(),
        ),
        "sqs",
    );
    let p = parse(&r);
    assert_eq!(routed(&p), ("sqs", "SendMessage", Wire::AwsJson1_0));
    assert_eq!(p.input, body);

    let out = render_output(
        &p,
        json!({"MessageId": "m-1", "MD5OfMessageBody": "5d41402abc4b2a76b9719d911017c592"}),
        RID,
    );
    assert_eq!(
        body_json(&out),
        json!({"MessageId": "m-1", "MD5OfMessageBody": "5d41402abc4b2a76b9719d911017c592"})
    );

    let error = nimbus_shapes::sqs::errors::QUEUE_DOES_NOT_EXIST
        .with_message("The specified queue does not exist.");
    let out = render_error(&p, &error, RID);
    assert_eq!(out.status, 400);
    assert_eq!(
        out.header("x-amzn-query-error"),
        Some("AWS.SimpleQueueService.NonExistentQueue;Sender")
    );
    assert_eq!(
        body_json(&out),
        json!({"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "The specified queue does not exist."})
    );
}

fn sqs_query(body: &str) -> HttpRequest {
    signed(
        request(
            "POST",
            "/",
            &[
                ("Host", "localhost:4566"),
                (
                    "Content-Type",
                    "application/x-www-form-urlencoded; charset=utf-8",
                ),
            ],
            body.as_bytes(),
        ),
        "sqs",
    )
}

#[test]
fn sqs_query_send_message_with_attributes() {
    let r = sqs_query(
        "Action=SendMessage&Version=2012-11-05\
         &QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fjobs&MessageBody=hello+world\
         &DelaySeconds=5\
         &MessageAttribute.1.Name=color&MessageAttribute.1.Value.StringValue=red&MessageAttribute.1.Value.DataType=String\
         &MessageAttribute.2.Name=n&MessageAttribute.2.Value.StringValue=7&MessageAttribute.2.Value.DataType=Number\
         &MessageSystemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.StringValue=Root%3D1&MessageSystemAttribute.1.Value.DataType=String",
    );
    let p = parse(&r);
    assert_eq!(routed(&p), ("sqs", "SendMessage", Wire::AwsQuery));
    assert_eq!(
        p.input,
        json!({
            "QueueUrl": "http://localhost:4566/000000000000/jobs",
            "MessageBody": "hello world",
            "DelaySeconds": 5,
            "MessageAttributes": {
                "color": {"StringValue": "red", "DataType": "String"},
                "n": {"StringValue": "7", "DataType": "Number"}
            },
            "MessageSystemAttributes": {"AWSTraceHeader": {"StringValue": "Root=1", "DataType": "String"}}
        })
    );
    let out = render_output(
        &p,
        json!({"MD5OfMessageBody": "abc", "MessageId": "m-1"}),
        RID,
    );
    assert_eq!(out.header("content-type"), Some("text/xml"));
    assert_eq!(
        body_str(&out),
        format!(
            "<SendMessageResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><SendMessageResult>\
             <MD5OfMessageBody>abc</MD5OfMessageBody><MessageId>m-1</MessageId></SendMessageResult>\
             <ResponseMetadata><RequestId>{RID}</RequestId></ResponseMetadata></SendMessageResponse>"
        )
    );
    let error = nimbus_shapes::sqs::errors::QUEUE_DOES_NOT_EXIST
        .with_message("The specified queue does not exist.");
    let out = render_error(&p, &error, RID);
    assert_eq!(out.status, 400);
    assert_eq!(
        body_str(&out),
        format!(
            "<ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><Error><Type>Sender</Type>\
             <Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist.</Message>\
             </Error><RequestId>{RID}</RequestId></ErrorResponse>"
        )
    );
}

#[test]
fn sqs_query_lists_maps_and_flattened_output() {
    let p = parse(&sqs_query(
        "Action=CreateQueue&QueueName=jobs&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=40\
         &Attribute.2.Name=DelaySeconds&Attribute.2.Value=0&Tag.1.Key=team&Tag.1.Value=core&Version=2012-11-05",
    ));
    assert_eq!(
        p.input,
        json!({"QueueName": "jobs", "Attributes": {"VisibilityTimeout": "40", "DelaySeconds": "0"}, "tags": {"team": "core"}})
    );

    let p = parse(&sqs_query(&format!(
        "Action=ReceiveMessage&QueueUrl={}&AttributeName.1=All&MessageAttributeName.1=color&MaxNumberOfMessages=2&WaitTimeSeconds=0",
        "http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fjobs"
    )));
    assert_eq!(p.input["AttributeNames"], json!(["All"]));
    assert_eq!(p.input["MessageAttributeNames"], json!(["color"]));
    assert_eq!(p.input["MaxNumberOfMessages"], json!(2));

    let out = render_output(
        &p,
        json!({"Messages": [{
            "MessageId": "m-1", "ReceiptHandle": "rh", "MD5OfBody": "md5", "Body": "a<b",
            "Attributes": {"SentTimestamp": "1704067200000"},
            "MessageAttributes": {"color": {"StringValue": "red", "DataType": "String"}}
        }]}),
        RID,
    );
    let body = body_str(&out);
    assert!(body.contains(
        "<ReceiveMessageResult><Message><MessageId>m-1</MessageId><ReceiptHandle>rh</ReceiptHandle><MD5OfBody>md5</MD5OfBody>\
         <Body>a&lt;b</Body><Attribute><Name>SentTimestamp</Name><Value>1704067200000</Value></Attribute>\
         <MessageAttribute><Name>color</Name><Value><StringValue>red</StringValue><DataType>String</DataType></Value></MessageAttribute>\
         </Message></ReceiveMessageResult>"
    ), "{body}");

    // Batch entries use the retired query model's entry names.
    let p = parse(&sqs_query(
        "Action=DeleteMessageBatch&QueueUrl=q&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=r1\
         &DeleteMessageBatchRequestEntry.2.Id=b&DeleteMessageBatchRequestEntry.2.ReceiptHandle=r2",
    ));
    assert_eq!(
        p.input["Entries"],
        json!([{"Id": "a", "ReceiptHandle": "r1"}, {"Id": "b", "ReceiptHandle": "r2"}])
    );
    let out = render_output(
        &p,
        json!({"Successful": [{"Id": "a"}], "Failed": [{"Id": "b", "SenderFault": true, "Code": "ReceiptHandleIsInvalid"}]}),
        RID,
    );
    assert!(body_str(&out).contains(
        "<DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>\
         <BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>ReceiptHandleIsInvalid</Code></BatchResultErrorEntry>"
    ));

    let p = parse(&sqs_query("Action=ListQueues&QueueNamePrefix=jo"));
    let out = render_output(&p, json!({"QueueUrls": ["http://q/1", "http://q/2"]}), RID);
    assert!(body_str(&out).contains("<ListQueuesResult><QueueUrl>http://q/1</QueueUrl><QueueUrl>http://q/2</QueueUrl></ListQueuesResult>"));

    // No output shape: no Result element.
    let p = parse(&sqs_query("Action=DeleteQueue&QueueUrl=q"));
    let out = render_output(&p, Value::Null, RID);
    assert_eq!(
        body_str(&out),
        format!("<DeleteQueueResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><ResponseMetadata><RequestId>{RID}</RequestId></ResponseMetadata></DeleteQueueResponse>")
    );
}

#[test]
fn old_sqs_clients_post_to_the_queue_url_unsigned() {
    let r = request(
        "POST",
        "/000000000000/jobs",
        &[
            ("Host", "localhost:4566"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        b"Action=SendMessage&MessageBody=hi&Version=2012-11-05",
    );
    let p = parse(&r);
    assert_eq!(routed(&p), ("sqs", "SendMessage", Wire::AwsQuery));
    assert_eq!(
        p.input["QueueUrl"],
        "http://localhost:4566/000000000000/jobs"
    );
    assert_eq!(p.region, "us-east-1");
}

// ---- SNS and STS (awsQuery) ----------------------------------------------------------------

#[test]
fn sns_create_topic_query() {
    let r = signed(
        request(
            "POST",
            "/",
            &[(
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )],
            b"Action=CreateTopic&Version=2010-03-31&Name=orders\
              &Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=Orders\
              &Attributes.entry.2.key=FifoTopic&Attributes.entry.2.value=false\
              &Tags.member.1.Key=env&Tags.member.1.Value=dev",
        ),
        "sns",
    );
    let p = parse(&r);
    assert_eq!(routed(&p), ("sns", "CreateTopic", Wire::AwsQuery));
    assert_eq!(
        p.input,
        json!({
            "Name": "orders",
            "Attributes": {"DisplayName": "Orders", "FifoTopic": "false"},
            "Tags": [{"Key": "env", "Value": "dev"}]
        })
    );
    let out = render_output(
        &p,
        json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:orders"}),
        RID,
    );
    assert_eq!(out.status, 200);
    assert_eq!(
        body_str(&out),
        format!(
            "<CreateTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><CreateTopicResult>\
             <TopicArn>arn:aws:sns:us-east-1:123456789012:orders</TopicArn></CreateTopicResult>\
             <ResponseMetadata><RequestId>{RID}</RequestId></ResponseMetadata></CreateTopicResponse>"
        )
    );
    let error =
        nimbus_shapes::sns::errors::NOT_FOUND_EXCEPTION.with_message("Topic does not exist");
    let out = render_error(&p, &error, RID);
    assert_eq!(out.status, 404);
    assert!(body_str(&out).starts_with(
        "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error>"
    ));
}

#[test]
fn sns_publish_message_attributes_and_empty_lists() {
    let p = parse(&signed(
        request(
            "POST",
            "/",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            b"Action=Publish&TopicArn=arn%3At&Message=hi\
              &MessageAttributes.entry.1.Name=kind&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=order",
        ),
        "sns",
    ));
    assert_eq!(
        p.input,
        json!({"TopicArn": "arn:t", "Message": "hi", "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "order"}}})
    );
    // botocore sends an empty list as a bare `Name=`.
    let p = parse(&signed(
        request(
            "POST",
            "/",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            b"Action=TagResource&ResourceArn=a&Tags=",
        ),
        "sns",
    ));
    assert_eq!(p.input["Tags"], json!([]));
}

#[test]
fn sts_get_caller_identity() {
    let r = signed(
        request(
            "POST",
            "/",
            &[(
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )],
            b"Action=GetCallerIdentity&Version=2011-06-15",
        ),
        "sts",
    );
    let p = parse(&r);
    assert_eq!(routed(&p), ("sts", "GetCallerIdentity", Wire::AwsQuery));
    let out = render_output(
        &p,
        json!({"UserId": "AKIAIOSFODNN7EXAMPLE", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:root"}),
        RID,
    );
    assert_eq!(
        body_str(&out),
        format!(
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>\
             <UserId>AKIAIOSFODNN7EXAMPLE</UserId><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:root</Arn>\
             </GetCallerIdentityResult><ResponseMetadata><RequestId>{RID}</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
        )
    );
    // A 12-digit access key names its account.
    let mut r = request(
        "POST",
        "/",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"Action=GetCallerIdentity",
    );
    r.headers.push((
        "authorization".into(),
        "AWS4-HMAC-SHA256 Credential=000000000042/20240101/eu-central-1/sts/aws4_request, SignedHeaders=host, Signature=x".into(),
    ));
    let p = parse(&r);
    assert_eq!(
        (p.account_id.as_str(), p.region.as_str()),
        ("000000000042", "eu-central-1")
    );
}

#[test]
fn unknown_query_actions_are_invalid_action() {
    let r = signed(
        request(
            "POST",
            "/",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            b"Action=Frobnicate&Version=2010-03-31",
        ),
        "sns",
    );
    let out = parse_err(&r);
    assert_eq!(out.status, 400);
    assert!(
        body_str(&out).contains("<Code>InvalidAction</Code>"),
        "{}",
        body_str(&out)
    );
    assert!(out.header("x-amzn-requestid").is_some());
}

// ---- S3 (restXml) -------------------------------------------------------------------------

#[test]
fn s3_get_object_path_style_and_virtual_hosted() {
    let path_style = signed(
        request(
            "GET",
            "/photos/2024/a%20b.jpg",
            &[("Host", "localhost:4566"), ("Range", "bytes=0-9")],
            b"",
        ),
        "s3",
    );
    let p = parse(&path_style);
    assert_eq!(routed(&p), ("s3", "GetObject", Wire::RestXml));
    assert_eq!(
        p.input,
        json!({"Bucket": "photos", "Key": "2024/a b.jpg", "Range": "bytes=0-9"})
    );

    for host in [
        "photos.s3.amazonaws.com",
        "photos.localhost:4566",
        "photos.s3.localhost.localstack.cloud:4566",
    ] {
        let vhost = signed(
            request("GET", "/2024/a%20b.jpg", &[("Host", host)], b""),
            "s3",
        );
        let p = parse(&vhost);
        assert_eq!(routed(&p), ("s3", "GetObject", Wire::RestXml), "{host}");
        assert_eq!(
            p.input,
            json!({"Bucket": "photos", "Key": "2024/a b.jpg"}),
            "{host}"
        );
    }

    let out = render_output(
        &p,
        json!({
            "Body": "aGVsbG8gd29ybGQ=",
            "ContentLength": 11,
            "ContentType": "text/plain",
            "ETag": "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"",
            "LastModified": 1704067200,
            "Metadata": {"owner": "me"},
            "DeleteMarker": null
        }),
        RID,
    );
    assert_eq!(out.status, 200);
    assert_eq!(out.body, b"hello world");
    assert_eq!(
        out.header("last-modified"),
        Some("Mon, 01 Jan 2024 00:00:00 GMT")
    );
    assert_eq!(
        out.header("etag"),
        Some("\"5eb63bbbe01eeed093cb22bb8f5acdc3\"")
    );
    assert_eq!(out.header("content-type"), Some("text/plain"));
    assert_eq!(out.header("content-length"), Some("11"));
    assert_eq!(out.header("x-amz-meta-owner"), Some("me"));
    assert_eq!(out.header("x-amz-request-id"), Some(RID));
    assert_eq!(out.header("x-amz-delete-marker"), None);

    let out = render_output(
        &p,
        json!({"Body": "aGVs", "ContentLength": 3, "ContentRange": "bytes 0-2/11"}),
        RID,
    );
    assert_eq!(
        (out.status, out.header("content-range")),
        (206, Some("bytes 0-2/11"))
    );
}

#[test]
fn s3_errors_are_xml_and_head_errors_have_no_body() {
    let p = parse(&signed(request("GET", "/b/missing.txt", &[], b""), "s3"));
    let error = nimbus_shapes::s3::errors::NO_SUCH_KEY
        .with_message("The specified key does not exist.")
        .with_field("Key", json!("missing.txt"));
    let out = render_error(&p, &error, RID);
    assert_eq!(out.status, 404);
    assert_eq!(out.header("content-type"), Some("application/xml"));
    let body = body_str(&out);
    assert!(body.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>missing.txt</Key><RequestId>"
    ), "{body}");

    let p = parse(&signed(request("HEAD", "/b/missing.txt", &[], b""), "s3"));
    assert_eq!(p.operation.name, "HeadObject");
    let out = render_error(
        &p,
        &nimbus_shapes::ServiceError::new("NotFound", 404, "Not Found"),
        RID,
    );
    assert_eq!((out.status, out.body.len()), (404, 0));
    let out = render_output(&p, json!({"ContentLength": 11, "ETag": "\"e\""}), RID);
    assert_eq!(
        (out.status, out.body.len(), out.header("content-length")),
        (200, 0, Some("11"))
    );
}

#[test]
fn s3_put_object_aws_chunked_as_botocore_sends_it() {
    let body = b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
    let r = signed(
        request(
            "PUT",
            "/uploads/notes/today.txt",
            &[
                ("Host", "localhost:4566"),
                ("Content-Type", "text/plain"),
                ("Content-Encoding", "aws-chunked"),
                ("Content-Length", &body.len().to_string()),
                ("X-Amz-Content-SHA256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
                ("X-Amz-Decoded-Content-Length", "11"),
                ("X-Amz-Trailer", "x-amz-checksum-crc32"),
                ("X-Amz-Sdk-Checksum-Algorithm", "CRC32"),
                ("x-amz-meta-owner", "me"),
            ],
            body,
        ),
        "s3",
    );
    let p = parse(&r);
    assert_eq!(routed(&p), ("s3", "PutObject", Wire::RestXml));
    assert_eq!(
        p.input,
        json!({
            "Bucket": "uploads",
            "Key": "notes/today.txt",
            "Body": "aGVsbG8gd29ybGQ=",
            "ContentLength": 11,
            "ContentType": "text/plain",
            "ChecksumAlgorithm": "CRC32",
            "ChecksumCRC32": "DUoRhQ==",
            "Metadata": {"owner": "me"}
        })
    );
    let out = render_output(
        &p,
        json!({"ETag": "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"", "ChecksumCRC32": "DUoRhQ=="}),
        RID,
    );
    assert_eq!(out.status, 200);
    assert!(out.body.is_empty());
    assert_eq!(
        out.header("etag"),
        Some("\"5eb63bbbe01eeed093cb22bb8f5acdc3\"")
    );
    assert_eq!(out.header("x-amz-checksum-crc32"), Some("DUoRhQ=="));
}

#[test]
fn s3_put_object_signed_chunks_and_plain_bodies() {
    let sig = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
    let body = format!("5;chunk-signature={sig}\r\nhello\r\n0;chunk-signature={sig}\r\n\r\n");
    let r = signed(
        request(
            "PUT",
            "/b/k",
            &[
                ("X-Amz-Content-SHA256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
                ("Content-Encoding", "aws-chunked,gzip"),
                ("X-Amz-Decoded-Content-Length", "5"),
            ],
            body.as_bytes(),
        ),
        "s3",
    );
    let p = parse(&r);
    assert_eq!(p.input["Body"], "aGVsbG8=");
    assert_eq!(p.input["ContentEncoding"], "gzip");
    assert_eq!(p.input["ContentLength"], 5);

    // An empty PutObject is an empty object, not a missing body.
    let p = parse(&signed(
        request("PUT", "/b/folder/", &[("Content-Length", "0")], b""),
        "s3",
    ));
    assert_eq!(
        p.input,
        json!({"Bucket": "b", "Key": "folder/", "Body": "", "ContentLength": 0})
    );

    let r = signed(
        request(
            "PUT",
            "/b/k",
            &[
                ("Content-Encoding", "aws-chunked"),
                ("X-Amz-Content-SHA256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
            ],
            b"zz\r\n",
        ),
        "s3",
    );
    let out = parse_err(&r);
    assert_eq!(out.status, 400);
    assert!(body_str(&out).contains("<Code>InvalidArgument</Code>"));
}

#[test]
fn s3_routes_by_query_and_headers_like_aws() {
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        ("GET", "/", &[], "ListBuckets"),
        ("PUT", "/b", &[], "CreateBucket"),
        ("HEAD", "/b", &[], "HeadBucket"),
        ("DELETE", "/b", &[], "DeleteBucket"),
        ("GET", "/b", &[], "ListObjects"),
        ("GET", "/b?list-type=2&prefix=a%2F", &[], "ListObjectsV2"),
        ("GET", "/b?location", &[], "GetBucketLocation"),
        ("GET", "/b?versioning", &[], "GetBucketVersioning"),
        (
            "GET",
            "/b?notification",
            &[],
            "GetBucketNotificationConfiguration",
        ),
        (
            "PUT",
            "/b?lifecycle",
            &[],
            "PutBucketLifecycleConfiguration",
        ),
        ("GET", "/b?uploads", &[], "ListMultipartUploads"),
        ("POST", "/b?delete", &[], "DeleteObjects"),
        (
            "GET",
            "/b?analytics",
            &[],
            "ListBucketAnalyticsConfigurations",
        ),
        (
            "GET",
            "/b?analytics&id=x",
            &[],
            "GetBucketAnalyticsConfiguration",
        ),
        ("PUT", "/b/k", &[], "PutObject"),
        (
            "PUT",
            "/b/k",
            &[("x-amz-copy-source", "/src/k")],
            "CopyObject",
        ),
        ("PUT", "/b/k?partNumber=1&uploadId=u", &[], "UploadPart"),
        (
            "PUT",
            "/b/k?partNumber=1&uploadId=u",
            &[("x-amz-copy-source", "/src/k")],
            "UploadPartCopy",
        ),
        ("GET", "/b/k", &[], "GetObject"),
        ("GET", "/b/k?uploadId=u", &[], "ListParts"),
        ("GET", "/b/k?tagging", &[], "GetObjectTagging"),
        ("POST", "/b/k?uploads", &[], "CreateMultipartUpload"),
        ("POST", "/b/k?uploadId=u", &[], "CompleteMultipartUpload"),
        ("DELETE", "/b/k", &[], "DeleteObject"),
        ("DELETE", "/b/k?uploadId=u", &[], "AbortMultipartUpload"),
        ("GET", "/b/k?x-id=GetObject", &[], "GetObject"),
    ];
    for (method, target, headers, op) in cases {
        let p = parse(&signed(request(method, target, headers, b""), "s3"));
        assert_eq!(p.operation.name, *op, "{method} {target}");
    }
    // Unsigned requests default to S3.
    let p = parse(&request("GET", "/b/k", &[("Host", "localhost:4566")], b""));
    assert_eq!(routed(&p), ("s3", "GetObject", Wire::RestXml));

    let p = parse(&signed(
        request(
            "GET",
            "/b?list-type=2&prefix=a%2F&max-keys=5&fetch-owner=true",
            &[],
            b"",
        ),
        "s3",
    ));
    assert_eq!(
        p.input,
        json!({"Bucket": "b", "Prefix": "a/", "MaxKeys": 5, "FetchOwner": true})
    );

    let out = parse_err(&signed(request("POST", "/", &[], b""), "s3"));
    assert_eq!(out.status, 405);
    assert!(body_str(&out).contains("<Code>MethodNotAllowed</Code>"));
}

#[test]
fn s3_xml_inputs() {
    let body = br#"<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"#;
    let p = parse(&signed(
        request("PUT", "/new-bucket", &[("x-amz-acl", "private")], body),
        "s3",
    ));
    assert_eq!(
        p.input,
        json!({"Bucket": "new-bucket", "ACL": "private", "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}})
    );

    let body = br#"<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a.txt</Key></Object><Object><Key>b &amp; c.txt</Key><VersionId>v1</VersionId></Object><Quiet>true</Quiet></Delete>"#;
    let p = parse(&signed(
        request("POST", "/b?delete", &[("Content-MD5", "x")], body),
        "s3",
    ));
    assert_eq!(
        p.input["Delete"],
        json!({"Objects": [{"Key": "a.txt"}, {"Key": "b & c.txt", "VersionId": "v1"}], "Quiet": true})
    );

    let body = br#"<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"#;
    let p = parse(&signed(request("PUT", "/b/o?tagging", &[], body), "s3"));
    assert_eq!(
        p.input["Tagging"],
        json!({"TagSet": [{"Key": "k", "Value": "v"}]})
    );

    let out = parse_err(&signed(
        request("PUT", "/b/o?tagging", &[], b"<Tagging><TagSet>"),
        "s3",
    ));
    assert_eq!(out.status, 400);
    assert!(body_str(&out).contains("<Code>MalformedXML</Code>"));
}

#[test]
fn s3_list_objects_v2_and_list_buckets_xml() {
    let p = parse(&signed(
        request(
            "GET",
            "/b?list-type=2&prefix=dir%2F&delimiter=%2F",
            &[],
            b"",
        ),
        "s3",
    ));
    let out = render_output(
        &p,
        json!({
            "IsTruncated": false,
            "Contents": [
                {"Key": "dir/a.txt", "LastModified": 1704067200, "ETag": "\"abc\"", "Size": 3, "StorageClass": "STANDARD"},
                {"Key": "dir/b.txt", "LastModified": 1704067200.5, "ETag": "\"def\"", "Size": 0, "StorageClass": "STANDARD"}
            ],
            "Name": "b",
            "Prefix": "dir/",
            "Delimiter": "/",
            "MaxKeys": 1000,
            "CommonPrefixes": [{"Prefix": "dir/sub/"}],
            "KeyCount": 3
        }),
        RID,
    );
    assert_eq!(out.header("content-type"), Some("application/xml"));
    assert_eq!(
        body_str(&out),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <IsTruncated>false</IsTruncated>\
         <Contents><Key>dir/a.txt</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>&quot;abc&quot;</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents>\
         <Contents><Key>dir/b.txt</Key><LastModified>2024-01-01T00:00:00.500Z</LastModified><ETag>&quot;def&quot;</ETag><Size>0</Size><StorageClass>STANDARD</StorageClass></Contents>\
         <Name>b</Name><Prefix>dir/</Prefix><Delimiter>/</Delimiter><MaxKeys>1000</MaxKeys>\
         <CommonPrefixes><Prefix>dir/sub/</Prefix></CommonPrefixes><KeyCount>3</KeyCount></ListBucketResult>"
    );

    let p = parse(&signed(request("GET", "/", &[], b""), "s3"));
    let out = render_output(
        &p,
        json!({"Buckets": [{"Name": "b", "CreationDate": 1704067200}], "Owner": {"DisplayName": "nimbus", "ID": "abc"}}),
        RID,
    );
    assert_eq!(
        body_str(&out),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <Buckets><Bucket><Name>b</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate></Bucket></Buckets>\
         <Owner><DisplayName>nimbus</DisplayName><ID>abc</ID></Owner></ListAllMyBucketsResult>"
    );
}

#[test]
fn s3_payload_outputs_and_status_codes() {
    let p = parse(&signed(request("GET", "/b?location", &[], b""), "s3"));
    let out = render_output(&p, json!({"LocationConstraint": "eu-west-1"}), RID);
    assert!(body_str(&out).ends_with("<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">eu-west-1</LocationConstraint>"));

    let p = parse(&signed(
        request("PUT", "/b/k", &[("x-amz-copy-source", "src/k")], b""),
        "s3",
    ));
    assert_eq!(p.input["CopySource"], "src/k");
    let out = render_output(
        &p,
        json!({"CopyObjectResult": {"ETag": "\"e\"", "LastModified": 1704067200}, "VersionId": "v"}),
        RID,
    );
    assert_eq!(out.header("x-amz-version-id"), Some("v"));
    assert!(body_str(&out).ends_with(
        "<CopyObjectResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><ETag>&quot;e&quot;</ETag><LastModified>2024-01-01T00:00:00.000Z</LastModified></CopyObjectResult>"
    ), "{}", body_str(&out));

    let p = parse(&signed(request("DELETE", "/b/k", &[], b""), "s3"));
    let out = render_output(&p, json!({}), RID);
    assert_eq!((out.status, out.body.len()), (204, 0));

    let p = parse(&signed(request("PUT", "/b", &[], b""), "s3"));
    let out = render_output(&p, json!({"Location": "/b"}), RID);
    assert_eq!(
        (out.status, out.header("location"), out.body.len()),
        (200, Some("/b"), 0)
    );
}

// ---- Lambda and API Gateway (restJson) ----------------------------------------------------

#[test]
fn lambda_list_functions_and_get_function_errors() {
    let p = parse(&signed(
        request(
            "GET",
            "/2015-03-31/functions/",
            &[("Host", "localhost:4566")],
            b"",
        ),
        "lambda",
    ));
    assert_eq!(routed(&p), ("lambda", "ListFunctions", Wire::RestJson));
    assert_eq!(p.input, json!({}));
    let p = parse(&signed(
        request(
            "GET",
            "/2015-03-31/functions/?MaxItems=5&Marker=m",
            &[],
            b"",
        ),
        "lambda",
    ));
    assert_eq!(p.input, json!({"MaxItems": 5, "Marker": "m"}));
    let out = render_output(
        &p,
        json!({"Functions": [{"FunctionName": "f", "Runtime": "nodejs20.x", "MemorySize": 128}]}),
        RID,
    );
    assert_eq!(out.status, 200);
    assert_eq!(out.header("content-type"), Some("application/json"));
    assert_eq!(
        body_json(&out),
        json!({"Functions": [{"FunctionName": "f", "Runtime": "nodejs20.x", "MemorySize": 128}]})
    );

    let p = parse(&signed(
        request("GET", "/2015-03-31/functions/my-fn", &[], b""),
        "lambda",
    ));
    assert_eq!(
        (p.operation.name, &p.input),
        ("GetFunction", &json!({"FunctionName": "my-fn"}))
    );
    let error = nimbus_shapes::lambda::errors::RESOURCE_NOT_FOUND_EXCEPTION
        .with_message("Function not found: arn:aws:lambda:us-east-1:123456789012:function:my-fn");
    let out = render_error(&p, &error, RID);
    assert_eq!(out.status, 404);
    assert_eq!(
        out.header("x-amzn-errortype"),
        Some("ResourceNotFoundException")
    );
    assert_eq!(
        body_json(&out),
        json!({"Type": "User", "Message": "Function not found: arn:aws:lambda:us-east-1:123456789012:function:my-fn"})
    );
}

#[test]
fn lambda_invoke_raw_payload_headers_and_status() {
    let r = signed(
        request(
            "POST",
            "/2015-03-31/functions/my-fn/invocations",
            &[
                ("X-Amz-Invocation-Type", "RequestResponse"),
                ("X-Amz-Log-Type", "Tail"),
                ("Content-Type", "application/json"),
            ],
            br#"{"n": 1}"#,
        ),
        "lambda",
    );
    let p = parse(&r);
    assert_eq!(p.operation.name, "Invoke");
    assert_eq!(
        p.input,
        json!({"FunctionName": "my-fn", "InvocationType": "RequestResponse", "LogType": "Tail", "Payload": "eyJuIjogMX0="})
    );
    let out = render_output(
        &p,
        json!({"StatusCode": 200, "ExecutedVersion": "$LATEST", "FunctionError": "Unhandled", "LogResult": "bG9ncw==", "Payload": "eyJvayI6dHJ1ZX0="}),
        RID,
    );
    assert_eq!(out.status, 200);
    assert_eq!(out.body, br#"{"ok":true}"#);
    assert_eq!(out.header("x-amz-executed-version"), Some("$LATEST"));
    assert_eq!(out.header("x-amz-function-error"), Some("Unhandled"));
    assert_eq!(out.header("x-amz-log-result"), Some("bG9ncw=="));

    // Event invocations answer 202 through the StatusCode member.
    let out = render_output(&p, json!({"StatusCode": 202, "Payload": ""}), RID);
    assert_eq!((out.status, out.body.len()), (202, 0));
    let out = render_output(&p, json!({"StatusCode": 202}), RID);
    assert_eq!((out.status, out.body.len()), (202, 0));
}

#[test]
fn lambda_create_function_json_body_and_bad_json() {
    let body = json!({"FunctionName": "f", "Runtime": "nodejs20.x", "Role": "arn:aws:iam::123456789012:role/r", "Handler": "index.handler", "Code": {"ZipFile": "UEsDBA=="}, "Timeout": 3});
    let p = parse(&signed(
        request(
            "POST",
            "/2015-03-31/functions",
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        ),
        "lambda",
    ));
    assert_eq!(p.operation.name, "CreateFunction");
    assert_eq!(p.input, body);
    let out = render_output(
        &p,
        json!({"FunctionName": "f", "LastModified": "2024-01-01T00:00:00.000+0000"}),
        RID,
    );
    assert_eq!(out.status, 201);

    let out = parse_err(&signed(
        request("POST", "/2015-03-31/functions", &[], b"{oops"),
        "lambda",
    ));
    assert_eq!(
        (out.status, out.header("x-amzn-errortype")),
        (400, Some("SerializationException"))
    );

    let out = parse_err(&signed(
        request("GET", "/2015-03-31/nothing-here", &[], b""),
        "lambda",
    ));
    assert_eq!(
        (out.status, out.header("x-amzn-errortype")),
        (404, Some("UnknownOperationException"))
    );
}

#[test]
fn api_gateway_uses_location_names_in_json_bodies() {
    let p = parse(&signed(
        request("GET", "/restapis?limit=10", &[], b""),
        "apigateway",
    ));
    assert_eq!(routed(&p), ("apigateway", "GetRestApis", Wire::RestJson));
    assert_eq!(p.input, json!({"limit": 10}));
    let out = render_output(
        &p,
        json!({"items": [{"id": "a1", "name": "api", "createdDate": 1704067200}]}),
        RID,
    );
    assert_eq!(
        body_json(&out),
        json!({"item": [{"id": "a1", "name": "api", "createdDate": 1704067200}]})
    );

    let p = parse(&signed(
        request(
            "POST",
            "/v2/apis",
            &[("Content-Type", "application/json")],
            br#"{"name": "http", "protocolType": "HTTP"}"#,
        ),
        "apigateway",
    ));
    assert_eq!(routed(&p), ("apigatewayv2", "CreateApi", Wire::RestJson));
    assert_eq!(p.input, json!({"Name": "http", "ProtocolType": "HTTP"}));
    let out = render_output(&p, json!({"ApiId": "x1", "Name": "http"}), RID);
    assert_eq!(out.status, 201);
    assert_eq!(body_json(&out), json!({"apiId": "x1", "name": "http"}));
}

#[test]
fn errors_from_services_without_a_parsed_shape_still_render() {
    let p = parse(&dynamodb_put_item());
    let out = render_error(&p, &ServiceError::internal("boom"), RID);
    assert_eq!(out.status, 500);
    assert_eq!(body_json(&out)["message"], "boom");
}

// ---- more shapes on the query and REST wires ----------------------------------------------

#[test]
fn query_outputs_render_maps_lists_and_timestamps() {
    let sns = |body: &[u8]| {
        parse(&signed(
            request(
                "POST",
                "/",
                &[("Content-Type", "application/x-www-form-urlencoded")],
                body,
            ),
            "sns",
        ))
    };
    let p = sns(b"Action=GetTopicAttributes&TopicArn=arn%3At");
    let out = render_output(
        &p,
        json!({"Attributes": {"DisplayName": "Orders", "Owner": "123456789012"}}),
        RID,
    );
    assert!(body_str(&out).contains(
        "<GetTopicAttributesResult><Attributes><entry><key>DisplayName</key><value>Orders</value></entry>\
         <entry><key>Owner</key><value>123456789012</value></entry></Attributes></GetTopicAttributesResult>"
    ));
    let p = sns(b"Action=ListTopics");
    let out = render_output(
        &p,
        json!({"Topics": [{"TopicArn": "arn:a"}, {"TopicArn": "arn:b"}]}),
        RID,
    );
    assert!(body_str(&out).contains(
        "<ListTopicsResult><Topics><member><TopicArn>arn:a</TopicArn></member><member><TopicArn>arn:b</TopicArn></member></Topics></ListTopicsResult>"
    ));

    let p = parse(&signed(
        request(
            "POST",
            "/",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            b"Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=s&DurationSeconds=900\
              &PolicyArns.member.1.arn=arn%3Ap1&Tags.member.1.Key=k&Tags.member.1.Value=v",
        ),
        "sts",
    ));
    assert_eq!(p.input["DurationSeconds"], 900);
    assert_eq!(p.input["PolicyArns"], json!([{"arn": "arn:p1"}]));
    assert_eq!(p.input["Tags"], json!([{"Key": "k", "Value": "v"}]));
    let out = render_output(
        &p,
        json!({"Credentials": {"AccessKeyId": "ASIA1", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": 1704067200}}),
        RID,
    );
    assert!(
        body_str(&out).contains("<Expiration>2024-01-01T00:00:00.000Z</Expiration>"),
        "{}",
        body_str(&out)
    );

    // A number that is not one is the caller's fault.
    let out = parse_err(&signed(
        request(
            "POST",
            "/",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            b"Action=AssumeRole&RoleArn=a&RoleSessionName=s&DurationSeconds=soon",
        ),
        "sts",
    ));
    assert_eq!(out.status, 400);
    assert!(body_str(&out).contains("<Type>Sender</Type>"));
}

#[test]
fn query_services_are_found_without_a_signature() {
    // STS AssumeRoleWithWebIdentity is unsigned; the action names the service.
    let r = request(
        "POST",
        "/",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"Action=AssumeRoleWithWebIdentity&RoleArn=a&RoleSessionName=s&WebIdentityToken=t",
    );
    assert_eq!(
        routed(&parse(&r)),
        ("sts", "AssumeRoleWithWebIdentity", Wire::AwsQuery)
    );
    // GET with the action in the query string, service from the Host.
    let r = request("GET", "/", &[("Host", "sns.us-east-1.amazonaws.com")], b"");
    let mut r = r;
    r.query = "Action=ListTopics&Version=2010-03-31".into();
    assert_eq!(routed(&parse(&r)), ("sns", "ListTopics", Wire::AwsQuery));
}

#[test]
fn s3_virtual_hosted_listing_and_presigned_urls() {
    let p = parse(&signed(
        request(
            "GET",
            "/",
            &[("Host", "photos.s3.us-east-1.amazonaws.com")],
            b"",
        ),
        "s3",
    ));
    assert_eq!(
        (p.operation.name, &p.input),
        ("ListObjects", &json!({"Bucket": "photos"}))
    );
    let mut r = request("GET", "/", &[("Host", "photos.localhost:4566")], b"");
    r.query = "list-type=2&max-keys=2".into();
    let p = parse(&signed(r, "s3"));
    assert_eq!(
        (p.operation.name, &p.input),
        ("ListObjectsV2", &json!({"Bucket": "photos", "MaxKeys": 2}))
    );

    // A presigned GET: the signature's parameters are not members.
    let mut r = request("GET", "/photos/cat.jpg", &[("Host", "localhost:4566")], b"");
    r.query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=000000000000%2F20240101%2Feu-west-1%2Fs3%2Faws4_request\
               &X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=abc\
               &response-content-type=image%2Fjpeg"
        .into();
    let p = parse(&r);
    assert_eq!(p.operation.name, "GetObject");
    assert_eq!(
        p.input,
        json!({"Bucket": "photos", "Key": "cat.jpg", "ResponseContentType": "image/jpeg"})
    );
    assert_eq!(
        (p.account_id.as_str(), p.region.as_str()),
        ("000000000000", "eu-west-1")
    );
}

#[test]
fn s3_header_timestamps_and_acl_attributes() {
    let p = parse(&signed(
        request(
            "GET",
            "/b/k",
            &[("If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT")],
            b"",
        ),
        "s3",
    ));
    assert_eq!(p.input["IfModifiedSince"], 1704067200);

    let p = parse(&signed(request("GET", "/b?acl", &[], b""), "s3"));
    let out = render_output(
        &p,
        json!({
            "Owner": {"ID": "o"},
            "Grants": [{"Grantee": {"ID": "o", "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}]
        }),
        RID,
    );
    let body = body_str(&out);
    assert!(
        body.contains("<AccessControlPolicy xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"),
        "{body}"
    );
    assert!(body.contains(
        "<AccessControlList><Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\"><ID>o</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList>"
    ), "{body}");

    let acl = br#"<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>o</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>"#;
    let p = parse(&signed(request("PUT", "/b?acl", &[], acl), "s3"));
    assert_eq!(
        p.input["AccessControlPolicy"]["Grants"],
        json!([{"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}])
    );
}

#[test]
fn error_fields_and_unmapped_query_codes() {
    let p = parse(&dynamodb_put_item());
    let error = nimbus_shapes::dynamodb::errors::TRANSACTION_CANCELED_EXCEPTION
        .with_message("Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]")
        .with_field("CancellationReasons", json!([{"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}]));
    let out = render_error(&p, &error, RID);
    assert_eq!(
        body_json(&out)["CancellationReasons"],
        json!([{"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}])
    );
    assert_eq!(out.header("x-amzn-query-error"), None);

    let r = signed(
        request(
            "POST",
            "/",
            &[
                ("X-Amz-Target", "AmazonSQS.GetQueueAttributes"),
                ("Content-Type", "application/x-amz-json-1.0"),
            ],
            br#"{"QueueUrl": "q", "AttributeNames": ["Nope"]}"#,
        ),
        "sqs",
    );
    let p = parse(&r);
    let error =
        nimbus_shapes::sqs::errors::INVALID_ATTRIBUTE_NAME.with_message("Unknown Attribute Nope.");
    let out = render_error(&p, &error, RID);
    assert_eq!(
        out.header("x-amzn-query-error"),
        Some("InvalidAttributeName;Sender")
    );
    assert_eq!(
        body_json(&out)["__type"],
        "com.amazonaws.sqs#InvalidAttributeName"
    );
}

#[test]
fn sdk_v3_put_object_virtual_hosted_with_x_id_and_trailer_checksum() {
    // @aws-sdk/client-s3 3.7xx against http://localhost:4566 without forcePathStyle.
    let body =
        b"19\r\n{\"hello\":\"from sdk v3!\"}\n\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
    let r = signed(
        request(
            "PUT",
            "/reports/2024.json?x-id=PutObject",
            &[
                ("host", "my-bucket.localhost:4566"),
                ("content-type", "application/json"),
                ("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
                ("x-amz-decoded-content-length", "25"),
                ("x-amz-trailer", "x-amz-checksum-crc32"),
                ("x-amz-sdk-checksum-algorithm", "CRC32"),
                ("x-amz-user-agent", "aws-sdk-js/3.700.0"),
            ],
            body,
        ),
        "s3",
    );
    let p = parse(&r);
    assert_eq!(routed(&p), ("s3", "PutObject", Wire::RestXml));
    assert_eq!(p.input["Bucket"], "my-bucket");
    assert_eq!(p.input["Key"], "reports/2024.json");
    assert_eq!(p.input["ContentLength"], 25);
    assert_eq!(p.input["ChecksumCRC32"], "AAAAAA==");
    use base64::Engine as _;
    let stored = base64::engine::general_purpose::STANDARD
        .decode(p.input["Body"].as_str().unwrap())
        .unwrap();
    assert_eq!(stored, b"{\"hello\":\"from sdk v3!\"}\n");
}
