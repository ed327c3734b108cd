//! The metadata a wire protocol needs about a service: its operations and the shape of every
//! input and output, as botocore's `service-2.json` describes them.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// awsJson1.0 or awsJson1.1 (see `ServiceModel::json_version`).
    AwsJson,
    RestJson,
    RestXml,
    AwsQuery,
}

#[derive(Debug)]
pub struct ServiceModel {
    /// botocore's name for the service (`dynamodb`, `cognito-idp`, ...).
    pub name: &'static str,
    pub service_id: &'static str,
    pub endpoint_prefix: &'static str,
    /// The service name in a SigV4 credential scope.
    pub signing_name: &'static str,
    pub api_version: &'static str,
    pub protocol: Protocol,
    pub json_version: Option<&'static str>,
    /// The `X-Amz-Target` prefix of awsJson services.
    pub target_prefix: Option<&'static str>,
    pub xml_namespace: Option<&'static str>,
    /// A JSON service that also answers the awsQuery protocol it used to speak (SQS).
    pub aws_query_compatible: bool,
    /// Sorted by name.
    pub operations: &'static [Operation],
    /// Sorted by name.
    pub shapes: &'static [Shape],
}

impl ServiceModel {
    pub fn operation(&self, name: &str) -> Option<&'static Operation> {
        self.operations
            .binary_search_by(|op| op.name.cmp(name))
            .ok()
            .map(|i| &self.operations[i])
    }

    pub fn shape(&self, name: &str) -> Option<&'static Shape> {
        self.shapes
            .binary_search_by(|shape| shape.name.cmp(name))
            .ok()
            .map(|i| &self.shapes[i])
    }

    /// The shape a member points at. Generated models are closed, so a miss is a generator bug.
    pub fn target(&self, member: &Member) -> &'static Shape {
        self.shape(member.target)
            .unwrap_or_else(|| panic!("{}: no shape {}", self.name, member.target))
    }
}

#[derive(Debug)]
pub struct Operation {
    pub name: &'static str,
    pub method: &'static str,
    /// The URI template, e.g. `/{Bucket}/{Key+}?uploads`.
    pub request_uri: &'static str,
    pub success_code: u16,
    pub input: Option<&'static str>,
    pub output: Option<&'static str>,
    /// awsQuery wraps an output in `<{Operation}Result>`.
    pub result_wrapper: Option<&'static str>,
    pub errors: &'static [&'static str],
}

#[derive(Debug)]
pub struct Shape {
    pub name: &'static str,
    pub kind: ShapeKind,
}

#[derive(Debug)]
pub enum ShapeKind {
    Structure {
        members: &'static [Member],
        payload: Option<&'static str>,
        error: Option<ErrorInfo>,
        document: bool,
        location_name: Option<&'static str>,
        xml_namespace: Option<&'static str>,
    },
    List {
        member: &'static Member,
        flattened: bool,
        min: Option<f64>,
        max: Option<f64>,
    },
    Map {
        key: &'static Member,
        value: &'static Member,
        flattened: bool,
        min: Option<f64>,
        max: Option<f64>,
    },
    String {
        enum_values: Option<&'static [&'static str]>,
        pattern: Option<&'static str>,
        min: Option<f64>,
        max: Option<f64>,
    },
    Integer {
        min: Option<f64>,
        max: Option<f64>,
    },
    Long {
        min: Option<f64>,
        max: Option<f64>,
    },
    Double {
        min: Option<f64>,
        max: Option<f64>,
    },
    Boolean,
    Blob {
        streaming: bool,
        min: Option<f64>,
        max: Option<f64>,
    },
    Timestamp {
        format: Option<TimestampFormat>,
    },
}

impl ShapeKind {
    pub fn members(&self) -> &'static [Member] {
        match self {
            ShapeKind::Structure { members, .. } => members,
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub status: u16,
    pub sender_fault: bool,
}

/// A reference from a structure (or list, or map) to a shape, with its serialisation traits.
#[derive(Debug)]
pub struct Member {
    pub name: &'static str,
    pub target: &'static str,
    pub location: Location,
    pub location_name: Option<&'static str>,
    pub flattened: bool,
    pub xml_attribute: bool,
    pub xml_namespace: Option<&'static str>,
    pub timestamp_format: Option<TimestampFormat>,
    pub required: bool,
    pub idempotency_token: bool,
    /// A header whose value is base64-encoded JSON.
    pub json_value: bool,
    pub host_label: bool,
}

impl Member {
    /// The name on the wire: `locationName` when the model gives one.
    pub fn wire_name(&self) -> &'static str {
        self.location_name.unwrap_or(self.name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Body,
    Header,
    /// A map of headers sharing a prefix (S3 `x-amz-meta-`).
    Headers,
    Query,
    Uri,
    StatusCode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampFormat {
    Iso8601,
    Rfc822,
    UnixTimestamp,
}

impl Member {
    /// A plain body member; generated code overrides the traits the model sets.
    pub const fn body(name: &'static str, target: &'static str) -> Member {
        Member {
            name,
            target,
            location: Location::Body,
            location_name: None,
            flattened: false,
            xml_attribute: false,
            xml_namespace: None,
            timestamp_format: None,
            required: false,
            idempotency_token: false,
            json_value: false,
            host_label: false,
        }
    }
}
