//! restXml (S3): members bound to the URI, query string and headers (`x-amz-meta-*` as a map),
//! an XML or raw payload. Output roots are named as S3 names them (the Smithy `@xmlName`s that
//! botocore's model lacks), errors are `<Error><Code/><Message/>...<RequestId/></Error>`.

use nimbus_shapes::model::{ServiceModel, Shape};
use nimbus_shapes::ServiceError;
use serde_json::Value;

use crate::rest::{self, OutBody};
use crate::util::xml_escape;
use crate::xml::{self, Dialect};
use crate::{HttpResponse, ParsedRequest};

const S3_NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";
const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

pub(crate) fn decode_body(
    model: &ServiceModel,
    shape: &Shape,
    body: &[u8],
) -> Result<Value, ServiceError> {
    let malformed = || {
        ServiceError::new(
            "MalformedXML",
            400,
            "The XML you provided was not well-formed or did not validate against our published schema",
        )
    };
    let root = xml::parse(body).map_err(|_| malformed())?;
    xml::from_xml(model, shape, &root).map_err(|_| malformed())
}

/// The root element of an S3 output without a payload member.
fn root_name(operation: &str) -> String {
    match operation {
        "ListObjects" | "ListObjectsV2" => "ListBucketResult",
        "ListBuckets" => "ListAllMyBucketsResult",
        "ListDirectoryBuckets" => "ListAllMyDirectoryBucketsResult",
        "ListObjectVersions" => "ListVersionsResult",
        "ListMultipartUploads" => "ListMultipartUploadsResult",
        "ListParts" => "ListPartsResult",
        "CreateMultipartUpload" => "InitiateMultipartUploadResult",
        "CompleteMultipartUpload" => "CompleteMultipartUploadResult",
        "DeleteObjects" => "DeleteResult",
        "GetBucketAcl" | "GetObjectAcl" => "AccessControlPolicy",
        "GetBucketCors" => "CORSConfiguration",
        "GetBucketLifecycle" | "GetBucketLifecycleConfiguration" => "LifecycleConfiguration",
        "GetBucketLogging" => "BucketLoggingStatus",
        "GetBucketNotification" | "GetBucketNotificationConfiguration" => {
            "NotificationConfiguration"
        }
        "GetBucketRequestPayment" => "RequestPaymentConfiguration",
        "GetBucketTagging" | "GetObjectTagging" => "Tagging",
        "GetBucketVersioning" => "VersioningConfiguration",
        "GetBucketWebsite" => "WebsiteConfiguration",
        "GetBucketAccelerateConfiguration" => "AccelerateConfiguration",
        "GetObjectAttributes" => "GetObjectAttributesResponse",
        "ListBucketAnalyticsConfigurations" => "ListBucketAnalyticsConfigurationResult",
        "ListBucketInventoryConfigurations" => "ListInventoryConfigurationsResult",
        "ListBucketMetricsConfigurations" => "ListMetricsConfigurationsResult",
        "ListBucketIntelligentTieringConfigurations" => {
            "ListBucketIntelligentTieringConfigurationsOutput"
        }
        "CreateSession" => "CreateSessionResult",
        other => return format!("{other}Result"),
    }
    .to_string()
}

fn s3_headers(request_id: &str) -> Vec<(String, String)> {
    vec![
        ("x-amzn-RequestId".into(), request_id.into()),
        ("x-amz-request-id".into(), request_id.into()),
        ("x-amz-id-2".into(), host_id(request_id)),
    ]
}

/// S3's `x-amz-id-2` / `HostId`: an opaque token; derived from the request id.
fn host_id(request_id: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(request_id.as_bytes())
}

pub(crate) fn render_output(
    request: &ParsedRequest,
    output: &Value,
    request_id: &str,
) -> HttpResponse {
    let model = request.service;
    let op = request.operation;
    let mut response = HttpResponse {
        status: op.success_code,
        headers: s3_headers(request_id),
        body: Vec::new(),
    };
    let Some(shape) = op.output.and_then(|o| model.shape(o)) else {
        return response;
    };
    let body = rest::encode_output(model, shape, output, &mut response);
    // A ranged GetObject is 206 Partial Content; the model has no status member to say so.
    if op.name == "GetObject" && response.header("content-range").is_some() {
        response.status = 206;
    }
    let mut doc = String::from(XML_DECL);
    match body {
        OutBody::Empty if op.name == "GetBucketLocation" => {
            doc.push_str(&format!("<LocationConstraint xmlns=\"{S3_NAMESPACE}\"/>"));
        }
        OutBody::Empty => doc.clear(),
        OutBody::Raw(bytes) => {
            response.body = bytes;
            doc.clear();
        }
        OutBody::Payload(member, target, value) => {
            let name = rest::payload_element_name(member, target);
            xml::write(
                &mut doc,
                model,
                target,
                value,
                name,
                Some(S3_NAMESPACE),
                Dialect::Standard,
            );
        }
        // GetBucketLocation answers the bare constraint: `<LocationConstraint>eu-west-1</...>`.
        OutBody::Members(_, members) if op.name == "GetBucketLocation" => {
            let region = members
                .get("LocationConstraint")
                .and_then(Value::as_str)
                .unwrap_or_default();
            doc.push_str(&format!(
                "<LocationConstraint xmlns=\"{S3_NAMESPACE}\">{}</LocationConstraint>",
                xml_escape(region)
            ));
        }
        OutBody::Members(shape, members) => {
            let root = root_name(op.name);
            doc.push_str(&format!("<{root} xmlns=\"{S3_NAMESPACE}\">"));
            xml::write_members(&mut doc, model, shape, &members, Dialect::Standard);
            doc.push_str(&format!("</{root}>"));
        }
    }
    if !doc.is_empty() {
        response.body = doc.into_bytes();
        if response.header("content-type").is_none() {
            response
                .headers
                .push(("Content-Type".into(), "application/xml".into()));
        }
    }
    if op.method == "HEAD" {
        response.body.clear();
    }
    response
}

/// `<Error><Code/><Message/>[fields]<RequestId/><HostId/></Error>`, as S3 sends it.
pub(crate) fn render_error(error: &ServiceError, request_id: &str) -> HttpResponse {
    let mut doc = String::from(XML_DECL);
    doc.push_str(&format!(
        "<Error><Code>{}</Code><Message>{}</Message>",
        xml_escape(&error.code),
        xml_escape(&error.message)
    ));
    for (name, value) in &error.fields {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Null => continue,
            other => other.to_string(),
        };
        doc.push_str(&format!("<{name}>{}</{name}>", xml_escape(&text)));
    }
    doc.push_str(&format!(
        "<RequestId>{}</RequestId><HostId>{}</HostId></Error>",
        xml_escape(request_id),
        host_id(request_id)
    ));
    let mut headers = s3_headers(request_id);
    headers.remove(0); // error_response adds x-amzn-RequestId itself
    headers.push(("Content-Type".into(), "application/xml".into()));
    HttpResponse {
        status: error.status,
        headers,
        body: doc.into_bytes(),
    }
}
