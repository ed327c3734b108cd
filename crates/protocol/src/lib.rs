//! AWS wire protocols: an HTTP request becomes (service, operation, input in the canonical form),
//! and an output or error becomes the HTTP response that protocol defines.
//! (API surface fixed; the implementation is being written.)

use nimbus_shapes::{
    model::{Operation, ServiceModel},
    ServiceError,
};

/// An HTTP request as the server or the browser bridge received it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    /// The raw (percent-encoded) path, without the query string.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: String,
    /// Header names lower-case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The protocol a request arrived in; its response uses the same one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wire {
    AwsJson1_0,
    AwsJson1_1,
    RestJson,
    RestXml,
    AwsQuery,
}

/// A request routed to an operation and decoded.
#[derive(Debug)]
pub struct ParsedRequest {
    pub service: &'static ServiceModel,
    pub operation: &'static Operation,
    pub wire: Wire,
    /// The operation's input in the canonical form (model member names; see nimbus-shapes).
    pub input: serde_json::Value,
    pub access_key_id: String,
    /// From the SigV4 credential scope; `us-east-1` when the request carries none.
    pub region: String,
    /// From the access key: a 12-digit key names its account, anything else is 123456789012.
    pub account_id: String,
}

/// Routes and decodes a request. A request that cannot be routed or decoded comes back as the
/// error response AWS would send.
pub fn parse_request(request: &HttpRequest) -> Result<ParsedRequest, HttpResponse> {
    let _ = request;
    Err(HttpResponse {
        status: 501,
        headers: vec![],
        body: b"protocol layer not built yet".to_vec(),
    })
}

/// Encodes an operation's output (canonical form) as the protocol defines.
pub fn render_output(
    request: &ParsedRequest,
    output: serde_json::Value,
    request_id: &str,
) -> HttpResponse {
    let _ = (request, output, request_id);
    HttpResponse::default()
}

/// Encodes an error as the protocol defines (envelope, status code, headers).
pub fn render_error(
    request: &ParsedRequest,
    error: &ServiceError,
    request_id: &str,
) -> HttpResponse {
    let _ = (request, error, request_id);
    HttpResponse::default()
}
