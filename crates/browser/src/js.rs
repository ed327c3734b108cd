//! The JavaScript face: what the AWS SDK for JavaScript v3's custom `requestHandler` (web/ glue)
//! and function workers' bridge call.

use js_sys::{Object, Reflect, Uint8Array};
use nimbus_protocol::HttpRequest;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::Playground;

#[wasm_bindgen]
pub struct JsPlayground {
    playground: Playground,
}

impl JsPlayground {
    pub fn new(playground: Playground) -> JsPlayground {
        JsPlayground { playground }
    }
}

#[wasm_bindgen]
impl JsPlayground {
    /// Opens playground `id` (see `Playground::open`).
    pub async fn open(id: String) -> Result<JsPlayground, JsValue> {
        Playground::open(&id)
            .await
            .map(JsPlayground::new)
            .map_err(|e| js_sys::Error::new(&e).into())
    }

    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.playground.id().to_string()
    }

    /// Answers an AWS request: `url` absolute (`http://localhost:4566/path?query`) or a path,
    /// `headers` an object of name to value. Resolves to `{statusCode, headers, body}`, `body`
    /// a Uint8Array, once the call's changes are durable.
    pub fn handle(
        &self,
        method: String,
        url: String,
        headers: Object,
        body: Option<Uint8Array>,
    ) -> js_sys::Promise {
        let playground = self.playground.clone();
        let (endpoint, path, query) = split_url(&url);
        let mut request = HttpRequest {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            query: query.to_string(),
            headers: header_pairs(&headers),
            body: body.map(|b| b.to_vec()).unwrap_or_default(),
        };
        if let Some(authority) = endpoint.as_deref().and_then(|e| e.split("://").nth(1)) {
            if !request.headers.iter().any(|(name, _)| name == "host") {
                request.headers.push(("host".into(), authority.to_string()));
            }
        }
        future_to_promise(async move {
            let response = playground.handle_http_at(request, endpoint).await;
            let headers = Object::new();
            for (name, value) in &response.headers {
                // Lower-case names, repeats folded into one comma-separated value: what fetch's
                // Headers yields, which the SDK's deserializers read (`x-amzn-errortype`, ...).
                let name: JsValue = name.to_ascii_lowercase().into();
                let joined = match Reflect::get(&headers, &name)?.as_string() {
                    Some(before) => format!("{before}, {value}"),
                    None => value.clone(),
                };
                Reflect::set(&headers, &name, &joined.into())?;
            }
            let result = Object::new();
            Reflect::set(&result, &"statusCode".into(), &response.status.into())?;
            Reflect::set(&result, &"headers".into(), &headers)?;
            let body = Uint8Array::from(response.body.as_slice());
            Reflect::set(&result, &"body".into(), &body)?;
            Ok(result.into())
        })
    }

    /// Runs an operation with a JSON input in the canonical form (model member names); resolves
    /// to the output as JSON, or rejects with `{code, message, statusCode}`.
    pub fn call(&self, service: String, operation: String, input_json: String) -> js_sys::Promise {
        let playground = self.playground.clone();
        future_to_promise(async move {
            let input = serde_json::from_str(&input_json)
                .map_err(|e| js_sys::Error::new(&format!("input is not JSON: {e}")))?;
            match playground.call(&service, &operation, input).await {
                Ok(output) => Ok(output.to_string().into()),
                Err(error) => {
                    let rejection = Object::new();
                    Reflect::set(&rejection, &"code".into(), &error.code.into())?;
                    Reflect::set(&rejection, &"message".into(), &error.message.into())?;
                    Reflect::set(&rejection, &"statusCode".into(), &error.status.into())?;
                    Err(rejection.into())
                }
            }
        })
    }
}

/// `(Some("scheme://authority"), path, query)` of an absolute URL, `(None, path, query)` of a
/// path. The fragment never reaches a server, so it is dropped.
fn split_url(url: &str) -> (Option<String>, &str, &str) {
    let url = url.split('#').next().unwrap_or_default();
    let (endpoint, rest) = match url.find("://") {
        Some(scheme_end) => {
            let after = scheme_end + 3;
            let path_start = url[after..]
                .find(['/', '?'])
                .map_or(url.len(), |i| after + i);
            (Some(url[..path_start].to_string()), &url[path_start..])
        }
        None => (None, url),
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    (endpoint, if path.is_empty() { "/" } else { path }, query)
}

fn header_pairs(headers: &Object) -> Vec<(String, String)> {
    Object::entries(headers)
        .iter()
        .filter_map(|entry| {
            let entry: js_sys::Array = entry.into();
            let name = entry.get(0).as_string()?.to_ascii_lowercase();
            let value = entry.get(1);
            let value = value
                .as_string()
                .or_else(|| value.as_f64().map(|n| n.to_string()))?;
            Some((name, value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::split_url;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn urls_split_into_endpoint_path_and_query() {
        assert_eq!(
            split_url("http://localhost:4566/my-bucket/a%20b?list-type=2#x"),
            (
                Some("http://localhost:4566".into()),
                "/my-bucket/a%20b",
                "list-type=2"
            )
        );
        assert_eq!(
            split_url("https://nimbus.local?Action=ListQueues"),
            (
                Some("https://nimbus.local".into()),
                "/",
                "Action=ListQueues"
            )
        );
        assert_eq!(
            split_url("/2015-03-31/functions"),
            (None, "/2015-03-31/functions", "")
        );
    }
}
