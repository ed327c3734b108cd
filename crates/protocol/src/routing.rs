//! Which service and operation a request is for, decided as AWS front ends and LocalStack do:
//! `X-Amz-Target` for awsJson, `Action=` for awsQuery, and otherwise the SigV4 credential
//! scope's service plus method and URI-template matching for the REST protocols.

use nimbus_shapes::model::{Location, Operation, Protocol, ServiceModel};

use crate::util::{header, parse_query, percent_decode};
use crate::HttpRequest;

/// The caller as its signature names it. Signatures are not verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    pub access_key_id: String,
    pub region: String,
    pub account_id: String,
    /// The service in the credential scope (`dynamodb`, `s3`, ...), when signed with SigV4.
    pub scope_service: Option<String>,
}

pub(crate) const DEFAULT_ACCOUNT: &str = "123456789012";
pub(crate) const DEFAULT_REGION: &str = "us-east-1";
const ANONYMOUS_KEY: &str = "test";

/// Reads `Credential=AKID/date/region/service/aws4_request` from the Authorization header or
/// the presigned `X-Amz-Credential` parameter (SigV2's `AWS AKID:sig` and `AWSAccessKeyId` give
/// only the key).
pub(crate) fn caller(request: &HttpRequest) -> Caller {
    let query = parse_query(&request.query);
    let query_param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let scope = header(request, "authorization")
        .and_then(|auth| {
            let rest = auth.split_once("Credential=")?.1;
            Some(rest.split([',', ' ']).next()?.trim().to_string())
        })
        .or_else(|| query_param("X-Amz-Credential"));
    let (key, region, service) = match scope {
        Some(scope) => {
            let parts: Vec<&str> = scope.split('/').collect();
            (
                parts.first().map(|s| s.to_string()),
                parts.get(2).map(|s| s.to_string()),
                parts.get(3).map(|s| s.to_string()),
            )
        }
        None => {
            let v2_key = header(request, "authorization")
                .and_then(|a| a.strip_prefix("AWS "))
                .and_then(|a| a.split(':').next())
                .map(str::to_string)
                .or_else(|| query_param("AWSAccessKeyId"));
            (v2_key, None, None)
        }
    };
    let access_key_id = key
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| ANONYMOUS_KEY.into());
    // moto and LocalStack: a 12-digit access key id names its own account.
    let account_id =
        if access_key_id.len() == 12 && access_key_id.bytes().all(|b| b.is_ascii_digit()) {
            access_key_id.clone()
        } else {
            DEFAULT_ACCOUNT.to_string()
        };
    Caller {
        access_key_id,
        region: region
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| DEFAULT_REGION.into()),
        account_id,
        scope_service: service.filter(|s| !s.is_empty()),
    }
}

fn host(request: &HttpRequest) -> String {
    let host = header(request, "host")
        .unwrap_or_default()
        .to_ascii_lowercase();
    // Drop the port (an IPv6 literal keeps its brackets).
    match host.rfind(':') {
        Some(i) if !host[i..].contains(']') => host[..i].to_string(),
        _ => host,
    }
}

/// Services that a credential scope or host label names.
fn models_named(name: &str) -> Vec<&'static ServiceModel> {
    nimbus_shapes::models()
        .into_iter()
        .filter(|m| m.signing_name == name || m.endpoint_prefix == name || m.name == name)
        .collect()
}

/// `sqs.us-east-1.amazonaws.com`, `sns.localhost.localstack.cloud` -> that service.
fn models_from_host(request: &HttpRequest) -> Vec<&'static ServiceModel> {
    let host = host(request);
    let first = host.split('.').next().unwrap_or_default();
    models_named(first)
}

pub(crate) fn json_target(request: &HttpRequest) -> Option<&str> {
    header(request, "x-amz-target")
}

/// awsJson: `X-Amz-Target: DynamoDB_20120810.PutItem`.
pub(crate) fn route_json(
    target: &str,
) -> Option<(&'static ServiceModel, Option<&'static Operation>)> {
    let (prefix, op) = target.rsplit_once('.')?;
    let model = nimbus_shapes::models()
        .into_iter()
        .find(|m| m.target_prefix == Some(prefix))?;
    Some((model, model.operation(op)))
}

fn speaks_query(model: &ServiceModel) -> bool {
    model.protocol == Protocol::AwsQuery || model.aws_query_compatible
}

fn is_rest(model: &ServiceModel) -> bool {
    matches!(model.protocol, Protocol::RestJson | Protocol::RestXml)
}

/// The form parameters of an awsQuery request: the urlencoded body, else the query string.
pub(crate) fn query_params(request: &HttpRequest) -> Option<Vec<(String, String)>> {
    let is_form = header(request, "content-type")
        .map(|ct| {
            ct.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
        .unwrap_or(false);
    let mut params = parse_query(&request.query);
    if is_form {
        params.extend(
            form_urlencoded::parse(&request.body).map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
    }
    params.iter().any(|(k, _)| k == "Action").then_some(params)
}

/// awsQuery: which query-speaking service answers `Action`. The signature's scope decides;
/// else the Host; else the service that has such an action (SQS when a QueueUrl is given, since
/// SNS and SQS share some action names).
pub(crate) fn route_query(
    request: &HttpRequest,
    caller: &Caller,
    params: &[(String, String)],
) -> Option<&'static ServiceModel> {
    let action = params
        .iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.as_str())?;
    let pick = |models: Vec<&'static ServiceModel>| models.into_iter().find(|m| speaks_query(m));
    if let Some(service) = &caller.scope_service {
        return pick(models_named(service));
    }
    if let Some(model) = pick(models_from_host(request)) {
        return Some(model);
    }
    let candidates: Vec<&'static ServiceModel> = nimbus_shapes::models()
        .into_iter()
        .filter(|m| speaks_query(m) && m.operation(action).is_some())
        .collect();
    let has_queue_url = params.iter().any(|(k, _)| k == "QueueUrl");
    candidates
        .iter()
        .find(|m| m.aws_query_compatible == has_queue_url)
        .or(candidates.first())
        .copied()
}

/// Whether a request names a REST service explicitly (so an `Action` query parameter, say in an
/// S3 key listing, does not turn it into awsQuery).
pub(crate) fn scope_is_rest(caller: &Caller) -> bool {
    caller
        .scope_service
        .as_deref()
        .is_some_and(|s| models_named(s).iter().any(|m| is_rest(m)))
}

/// The REST services a request may be for: the scope's, else the Host's, else S3.
pub(crate) fn rest_models(request: &HttpRequest, caller: &Caller) -> Vec<&'static ServiceModel> {
    let from_scope: Vec<_> = caller
        .scope_service
        .as_deref()
        .map(models_named)
        .unwrap_or_default()
        .into_iter()
        .filter(|m| is_rest(m))
        .collect();
    if !from_scope.is_empty() {
        return from_scope;
    }
    let from_host: Vec<_> = models_from_host(request)
        .into_iter()
        .filter(|m| is_rest(m))
        .collect();
    if !from_host.is_empty() {
        return from_host;
    }
    models_named("s3")
}

/// The bucket of an S3 virtual-hosted-style request: `bucket.s3.amazonaws.com`,
/// `bucket.s3.us-east-1.amazonaws.com`, `bucket.s3.localhost.localstack.cloud`,
/// `bucket.localhost`.
pub(crate) fn virtual_host_bucket(request: &HttpRequest) -> Option<String> {
    let host = host(request);
    let bucket = if let Some(i) = host.find(".s3.").or_else(|| host.find(".s3-")) {
        &host[..i]
    } else {
        host.strip_suffix(".localhost")?
    };
    (!bucket.is_empty()).then(|| bucket.to_string())
}

/// A matched REST operation and its decoded URI labels.
#[derive(Debug)]
pub(crate) struct RestMatch {
    pub operation: &'static Operation,
    pub labels: Vec<(String, String)>,
}

/// Matches `path` against a URI template's path part. Labels are percent-decoded; a greedy
/// label (`{Key+}`) takes the rest of the path, slashes and a trailing slash included.
fn match_path(template: &str, path: &str) -> Option<(Vec<(String, String)>, usize)> {
    let template = template.trim_start_matches('/');
    let mut rest = Some(path.trim_start_matches('/'));
    let mut labels = Vec::new();
    let mut literals = 0;
    for segment in template.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix("+}")) {
            let value = rest.take().filter(|v| !v.is_empty())?;
            labels.push((name.to_string(), percent_decode(value)));
            continue;
        }
        let (head, tail) = match rest {
            Some(r) => match r.split_once('/') {
                Some((h, t)) => (h, Some(t)),
                None => (r, None),
            },
            // A template's trailing slash matches a path without one.
            None if segment.is_empty() => continue,
            None => return None,
        };
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            if head.is_empty() {
                return None;
            }
            labels.push((name.to_string(), percent_decode(head)));
        } else if segment == head {
            literals += 1;
        } else {
            return None;
        }
        rest = tail;
    }
    // Left-over path: only a trailing slash is tolerated.
    match rest {
        None | Some("") => Some((labels, literals)),
        Some(_) => None,
    }
}

/// Operations superseded by a newer one on the same route; AWS routes to the newer one.
const SHADOWED: &[&str] = &[
    "GetBucketLifecycle",
    "PutBucketLifecycle",
    "GetBucketNotification",
    "PutBucketNotification",
    "ListDirectoryBuckets",
];

/// Method + URI template matching over a REST model. Among templates that match, the one whose
/// literal query parts (`?uploads`, `?list-type=2`) are all present and whose required query and
/// header members are present wins, the most specific first: S3's `PUT /{Bucket}/{Key+}` is
/// UploadPart with `partNumber&uploadId`, CopyObject with `x-amz-copy-source`, else PutObject.
pub(crate) fn route_rest(
    model: &'static ServiceModel,
    request: &HttpRequest,
    path: &str,
) -> Option<RestMatch> {
    let query = parse_query(&request.query);
    let has_param = |name: &str| query.iter().any(|(k, _)| k == name);
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    // The JavaScript SDK v3 names the S3 operation in `x-id`.
    let x_id = param("x-id");
    let method = request.method.to_ascii_uppercase();
    let mut best: Option<(i64, RestMatch)> = None;
    for op in model.operations {
        if op.method != method || SHADOWED.contains(&op.name) {
            continue;
        }
        let (template_path, template_query) = op
            .request_uri
            .split_once('?')
            .unwrap_or((op.request_uri, ""));
        let Some((labels, literals)) = match_path(template_path, path) else {
            continue;
        };
        let mut query_literals = 0;
        let literal_query_ok = template_query
            .split('&')
            .filter(|p| !p.is_empty())
            .all(|part| {
                query_literals += 1;
                match part.split_once('=') {
                    Some((k, v)) => param(k) == Some(v),
                    None => has_param(part),
                }
            });
        if !literal_query_ok {
            continue;
        }
        let mut required_present = 0;
        let mut required_missing = false;
        if let Some(input) = op.input.and_then(|i| model.shape(i)) {
            for m in input.kind.members() {
                if !m.required {
                    continue;
                }
                let present = match m.location {
                    Location::Query => has_param(m.wire_name()),
                    Location::Header => header(request, m.wire_name()).is_some(),
                    _ => continue,
                };
                if present {
                    required_present += 1;
                } else {
                    required_missing = true;
                }
            }
        }
        if required_missing {
            continue;
        }
        let greedy = template_path.contains("+}") as i64;
        let score = if x_id == Some(op.name) { 1_000_000 } else { 0 }
            + query_literals as i64 * 10_000
            + literals as i64 * 100
            + required_present as i64 * 10
            - greedy;
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((
                score,
                RestMatch {
                    operation: op,
                    labels,
                },
            ));
        }
    }
    best.map(|(_, m)| m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_labels_greedy_keys_and_trailing_slashes() {
        let (labels, _) = match_path("/{Bucket}/{Key+}", "/b/dir/a%20b.txt").unwrap();
        assert_eq!(
            labels,
            vec![
                ("Bucket".into(), "b".into()),
                ("Key".into(), "dir/a b.txt".into())
            ]
        );
        let (labels, _) = match_path("/{Bucket}/{Key+}", "/b/folder/").unwrap();
        assert_eq!(labels[1].1, "folder/");
        assert!(match_path("/{Bucket}/{Key+}", "/b").is_none());
        assert!(match_path("/{Bucket}/{Key+}", "/b/").is_none());
        assert!(match_path("/{Bucket}", "/b/").is_some());
        assert!(match_path("/2015-03-31/functions/", "/2015-03-31/functions").is_some());
        assert!(match_path("/2015-03-31/functions", "/2015-03-31/functions/").is_some());
        assert!(match_path(
            "/2015-03-31/functions/{FunctionName}",
            "/2015-03-31/functions/"
        )
        .is_none());
        assert!(match_path("/", "/").is_some());
        assert!(match_path("/", "/b").is_none());
    }

    #[test]
    fn callers_come_from_the_credential_scope() {
        let request = HttpRequest {
            headers: vec![(
                "authorization".into(),
                "AWS4-HMAC-SHA256 Credential=000000000042/20240101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=abc".into(),
            )],
            ..Default::default()
        };
        let c = caller(&request);
        assert_eq!(c.account_id, "000000000042");
        assert_eq!(c.region, "eu-west-1");
        assert_eq!(c.scope_service.as_deref(), Some("dynamodb"));
        let presigned = HttpRequest {
            query: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20240101%2Fus-west-2%2Fs3%2Faws4_request".into(),
            ..Default::default()
        };
        let c = caller(&presigned);
        assert_eq!(
            (
                c.access_key_id.as_str(),
                c.account_id.as_str(),
                c.region.as_str()
            ),
            ("AKIAEXAMPLE", DEFAULT_ACCOUNT, "us-west-2")
        );
        let anonymous = caller(&HttpRequest::default());
        assert_eq!(
            (anonymous.region.as_str(), anonymous.scope_service),
            (DEFAULT_REGION, None)
        );
    }

    #[test]
    fn virtual_hosts_name_buckets() {
        let with_host = |h: &str| HttpRequest {
            headers: vec![("host".into(), h.into())],
            ..Default::default()
        };
        assert_eq!(
            virtual_host_bucket(&with_host("my-bucket.s3.amazonaws.com")).as_deref(),
            Some("my-bucket")
        );
        assert_eq!(
            virtual_host_bucket(&with_host("my.bucket.s3.us-east-1.amazonaws.com")).as_deref(),
            Some("my.bucket")
        );
        assert_eq!(
            virtual_host_bucket(&with_host("b.localhost:4566")).as_deref(),
            Some("b")
        );
        assert_eq!(
            virtual_host_bucket(&with_host("b.s3.localhost.localstack.cloud:4566")).as_deref(),
            Some("b")
        );
        assert_eq!(virtual_host_bucket(&with_host("s3.amazonaws.com")), None);
        assert_eq!(virtual_host_bucket(&with_host("localhost:4566")), None);
        assert_eq!(virtual_host_bucket(&with_host("127.0.0.1:4566")), None);
        assert_eq!(
            virtual_host_bucket(&with_host("s3.localhost.localstack.cloud:4566")),
            None
        );
    }
}
