//! `nimbus serve`: every emulated service on one AWS-compatible HTTP endpoint.
//!
//! Besides the AWS APIs it answers a few paths of its own, and LocalStack's and moto's
//! equivalents so that tools written for them work unchanged:
//! - `GET /_nimbus/health` (also `/_localstack/health`): which services run;
//! - `POST /_nimbus/reset` (also `/moto-api/reset`): wipe all state.
//!
//! Lambda Invoke runs the function with the machine's `node` (see [`executor`]) while the node
//! is unlocked, so other requests, the function's own SDK calls included, proceed meanwhile.

mod backend;
mod executor;
mod node;

use std::{net::SocketAddr, path::PathBuf, sync::Arc};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{body::Incoming, server::conn::http1, service::service_fn, Request, Response};
use hyper_util::rt::TokioIo;
use nimbus_protocol::{HttpRequest, HttpResponse};
use tokio::{net::TcpListener, sync::Mutex};

pub use backend::Backend;
pub use executor::Executor;
pub use node::{Node, PendingInvoke, Step};

use nimbus_core::services::lambda::invoke::{Execution, InvocationKind};

pub struct Config {
    pub address: SocketAddr,
    /// Where to keep state; in memory when `None`.
    pub data_dir: Option<PathBuf>,
}

/// Binds the listener and loads the state; `run` then serves until the process ends.
pub struct Server {
    listener: TcpListener,
    node: Arc<Mutex<Node>>,
    executor: Arc<Executor>,
}

impl Server {
    pub async fn bind(config: Config) -> Result<Server, String> {
        let backend = match &config.data_dir {
            Some(dir) => Backend::File(
                nimbus_storage_file::FileStorage::open(dir).map_err(|e| e.to_string())?,
            ),
            None => Backend::Memory(Default::default()),
        };
        let node = Node::open(backend)?;
        let listener = TcpListener::bind(config.address)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.address))?;
        let mut own = listener
            .local_addr()
            .map_err(|e| format!("no local address: {e}"))?;
        if own.ip().is_unspecified() {
            own.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        Ok(Server {
            listener,
            node: Arc::new(Mutex::new(node)),
            executor: Arc::new(Executor::new(format!("http://{own}"))),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    pub async fn run(self) {
        tokio::spawn(sweep_ttl(self.node.clone()));
        tokio::spawn(poll_event_sources(self.node.clone(), self.executor.clone()));
        tokio::spawn(log_ended_environments(
            self.node.clone(),
            self.executor.clone(),
        ));
        loop {
            let Ok((stream, _)) = self.listener.accept().await else {
                continue;
            };
            let node = self.node.clone();
            let executor = self.executor.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    let node = node.clone();
                    let executor = executor.clone();
                    async move {
                        Ok::<_, std::convert::Infallible>(respond(node, executor, request).await)
                    }
                });
                // Errors here are clients hanging up; nothing to answer.
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }
}

/// DynamoDB's Time to Live: AWS deletes expired items in the background, lazily; the server
/// sweeps once a second, under the node lock, so an expired item is gone within about a
/// second of its time.
async fn sweep_ttl(node: Arc<Mutex<Node>>) {
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(1));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        // A failed store leaves the items in memory deleted but stored; the next start
        // brings them back and a later sweep deletes them again.
        let _ = node.lock().await.expire_items();
    }
}

/// Lambda event source mappings: Lambda polls a DynamoDB stream about four times a second;
/// the server polls every 200 ms, under the node lock, and runs each ready batch in its own
/// task without the lock (the function's SDK calls come back to this server), completing it
/// under the lock again. A mapping has one batch in flight at a time (the core keeps count).
async fn poll_event_sources(node: Arc<Mutex<Node>>, executor: Arc<Executor>) {
    let mut ticks = tokio::time::interval(std::time::Duration::from_millis(200));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let batches = node.lock().await.poll_event_sources();
        for batch in batches {
            let (node, executor) = (node.clone(), executor.clone());
            tokio::spawn(async move {
                let prepared = batch.prepared.clone();
                let access_key_id = batch.caller.access_key_id.clone();
                let execution =
                    tokio::task::spawn_blocking(move || executor.run(&prepared, &access_key_id))
                        .await
                        .unwrap_or_else(|e| {
                            Execution::Failed(
                                nimbus_shapes::lambda::errors::SERVICE_EXCEPTION
                                    .with_message(format!("the function's runner failed: {e}")),
                            )
                        });
                // A failed store is retried by the next start, from the stored checkpoint.
                let _ = node.lock().await.finish_event_source(&batch, execution);
            });
        }
    }
}

/// Lambda writes the last words of an execution environment that ends between invocations
/// (its function crashed in a timer or a promise after answering) as it ends: the server
/// looks for ended environments twice a second and logs them in their own streams.
async fn log_ended_environments(node: Arc<Mutex<Node>>, executor: Arc<Executor>) {
    let mut ticks = tokio::time::interval(std::time::Duration::from_millis(500));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let executor = executor.clone();
        let Ok(ended) = tokio::task::spawn_blocking(move || executor.reap()).await else {
            continue;
        };
        for environment in ended {
            // A failed store leaves the lines in memory only: lost at the next start.
            let _ = node.lock().await.log_ended_environment(&environment);
        }
    }
}

async fn respond(
    node: Arc<Mutex<Node>>,
    executor: Arc<Executor>,
    request: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(e) => return plain(400, &format!("could not read the request body: {e}")),
    };
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let host = headers
        .iter()
        .find(|(n, _)| n == "host")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| "localhost:4566".into());
    let request = HttpRequest {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers,
        body,
    };
    let mut response = if request.method == "OPTIONS" {
        preflight(&request)
    } else if let Some(response) = own_endpoint(&node, &executor, &request).await {
        response
    } else {
        let endpoint = format!("http://{host}");
        let step = tokio::task::block_in_place(|| {
            let mut node = node.blocking_lock();
            node.begin(&request, &endpoint)
        });
        match step {
            Step::Done(response) => into_hyper(response),
            Step::Invoke(pending) => into_hyper(invoke(node, executor, *pending).await),
        }
    };
    allow_any_origin(&mut response);
    response
}

/// Runs a validated Invoke without holding the node, then completes it under the lock. An Event
/// invocation is acknowledged at once and runs in the background, as Lambda queues it.
async fn invoke(
    node: Arc<Mutex<Node>>,
    executor: Arc<Executor>,
    pending: PendingInvoke,
) -> HttpResponse {
    let finish = |node: &Mutex<Node>, pending: &PendingInvoke, execution: Execution| {
        tokio::task::block_in_place(|| node.blocking_lock().finish_invoke(pending, execution))
    };
    match pending.prepared.kind {
        InvocationKind::DryRun => finish(&node, &pending, Execution::NotRun),
        InvocationKind::Event => {
            let acknowledged = finish(&node, &pending, Execution::NotRun);
            tokio::spawn(async move {
                let execution = run(executor, &pending).await;
                finish(&node, &pending, execution);
            });
            acknowledged
        }
        InvocationKind::RequestResponse => {
            // In its own task, so that the invocation is completed (its log written, its
            // concurrency released) even if the client hangs up meanwhile.
            let completed = tokio::spawn(async move {
                let execution = run(executor, &pending).await;
                finish(&node, &pending, execution)
            });
            completed.await.unwrap_or_else(|e| HttpResponse {
                status: 500,
                headers: vec![("content-type".into(), "text/plain".into())],
                body: format!("the invocation failed: {e}").into_bytes(),
            })
        }
    }
}

async fn run(executor: Arc<Executor>, pending: &PendingInvoke) -> Execution {
    let prepared = pending.prepared.clone();
    let access_key_id = pending.caller.access_key_id.clone();
    tokio::task::spawn_blocking(move || executor.run(&prepared, &access_key_id))
        .await
        .unwrap_or_else(|e| {
            Execution::Failed(
                nimbus_shapes::lambda::errors::SERVICE_EXCEPTION
                    .with_message(format!("the function's runner failed: {e}")),
            )
        })
}

/// Answers a CORS preflight: a web page using an AWS SDK may call the emulator from any origin,
/// as LocalStack allows by default.
fn preflight(request: &HttpRequest) -> Response<Full<Bytes>> {
    let requested = |name: &str| {
        request
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "*".into())
    };
    Response::builder()
        .status(200)
        .header(
            "access-control-allow-methods",
            "GET, PUT, POST, DELETE, HEAD, PATCH, OPTIONS",
        )
        .header(
            "access-control-allow-headers",
            requested("access-control-request-headers"),
        )
        .header("access-control-max-age", "86400")
        .body(Full::new(Bytes::new()))
        .expect("static response")
}

fn allow_any_origin(response: &mut Response<Full<Bytes>>) {
    let headers = response.headers_mut();
    headers.insert(
        "access-control-allow-origin",
        hyper::header::HeaderValue::from_static("*"),
    );
    // Let page scripts read what the SDKs need from responses (ETag of S3 uploads, request ids).
    headers.insert(
        "access-control-expose-headers",
        hyper::header::HeaderValue::from_static("*"),
    );
}

/// Nimbus's own paths, and LocalStack's and moto's equivalents.
async fn own_endpoint(
    node: &Mutex<Node>,
    executor: &Executor,
    request: &HttpRequest,
) -> Option<Response<Full<Bytes>>> {
    match (request.method.as_str(), request.path.as_str()) {
        ("GET" | "HEAD", "/_nimbus/health" | "/_localstack/health") => {
            let services: serde_json::Map<String, serde_json::Value> = nimbus_shapes::models()
                .iter()
                .map(|model| (model.name.to_string(), serde_json::Value::from("running")))
                .collect();
            let body = serde_json::json!({ "status": "running", "services": services });
            Some(json(200, &body))
        }
        ("POST", "/_nimbus/reset" | "/moto-api/reset" | "/_localstack/state/reset") => {
            let result = node.lock().await.reset();
            executor.clear();
            Some(match result {
                Ok(()) => json(200, &serde_json::json!({ "status": "reset" })),
                Err(error) => plain(500, &error.message),
            })
        }
        ("GET", path) if path.starts_with(CODE_LOCATION_PREFIX) => {
            Some(code_package(node, &path[CODE_LOCATION_PREFIX.len()..]).await)
        }
        _ => None,
    }
}

/// Where GetFunction's `Code.Location` points (a presigned S3 URL in AWS):
/// `/_nimbus/lambda/{account}/{region}/{function}/code/{sha256 hex}.zip`.
const CODE_LOCATION_PREFIX: &str = "/_nimbus/lambda/";

async fn code_package(node: &Mutex<Node>, rest: &str) -> Response<Full<Bytes>> {
    let parts: Vec<&str> = rest.split('/').collect();
    let package = match parts.as_slice() {
        [account_id, region, _function, "code", file] => match file.strip_suffix(".zip") {
            Some(sha256_hex) => {
                let scope = nimbus_core::emulator::Scope {
                    account_id: account_id.to_string(),
                    region: region.to_string(),
                };
                node.lock().await.code_package(&scope, sha256_hex)
            }
            None => None,
        },
        _ => None,
    };
    match package {
        Some(zip) => Response::builder()
            .status(200)
            .header("content-type", "application/zip")
            .body(Full::new(Bytes::from(zip)))
            .unwrap_or_else(|e| plain(500, &format!("invalid response: {e}"))),
        None => plain(404, "No such deployment package."),
    }
}

fn into_hyper(response: HttpResponse) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(name, value);
    }
    builder
        .body(Full::new(Bytes::from(response.body)))
        .unwrap_or_else(|e| plain(500, &format!("invalid response: {e}")))
}

fn json(status: u16, body: &serde_json::Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("static response")
}

fn plain(status: u16, message: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain")
        .body(Full::new(Bytes::from(message.to_string())))
        .expect("static response")
}
