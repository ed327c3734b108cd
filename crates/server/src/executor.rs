//! Runs Lambda functions natively with the machine's `node`: one child process per warm
//! execution environment, driven by `runner.js` over stdin/stdout (one JSON message a line).
//! An environment is reused by the next invocation of the same function version, code and
//! configuration, so module-level state survives between calls as it does in Lambda.

use std::{
    collections::HashMap,
    io::{BufRead, BufReader, Read, Write},
    path::{Component, Path, PathBuf},
    process::{Child, ChildStdin, Command, Stdio},
    sync::{
        atomic::{AtomicU64, Ordering},
        mpsc, Mutex,
    },
    time::{Duration, Instant},
};

use nimbus_core::{
    emulator::Scope,
    services::lambda::invoke::{
        environment_key, runtime_environment, EndedEnvironment, Execution, ExecutionResult,
        FunctionError, PreparedInvoke, NODE_RUNTIME_JS,
    },
};
use nimbus_shapes::lambda::errors;
use serde_json::{json, Value};

const RUNNER: &str = include_str!("runner.js");
/// Prefix of the runner's protocol lines; other stdout lines are the function's own output.
const MARK: &str = "\u{1e}NIMBUS:";
/// Lambda gives a function's Init phase 10 seconds.
const INIT_LIMIT: Duration = Duration::from_secs(10);
/// Idle environments kept per function configuration.
const MAX_IDLE: usize = 8;

pub struct Executor {
    /// `http://127.0.0.1:PORT`: where the function's AWS SDK calls go (AWS_ENDPOINT_URL).
    endpoint: String,
    /// The project's node_modules (AWS SDK v3 and friends), if one is found.
    node_modules: Option<PathBuf>,
    root: PathBuf,
    next_id: AtomicU64,
    idle: Mutex<HashMap<String, Vec<Environment>>>,
    /// Environments `run` found ended when it looked for a warm one, for [`Executor::reap`].
    ended: Mutex<Vec<EndedEnvironment>>,
}

enum Line {
    Message(Value),
    Output(String),
    Closed,
}

struct Environment {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<Line>,
    dir: PathBuf,
    scope: Scope,
    function_name: String,
    log_stream: String,
}

impl Drop for Environment {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// How waiting for the runner's next message ended.
enum Wait {
    Message(Value),
    TimedOut,
    Exited,
}

impl Environment {
    /// The environment, unless its process has ended while it was idle (the runtime exits when
    /// the function crashes between invocations): then what it logged since its last
    /// invocation, and it is dropped.
    fn alive(mut self) -> Result<Environment, EndedEnvironment> {
        if !self.has_exited() {
            return Ok(self);
        }
        // Its output up to the end of both pipes (each forwarder closes once), which the
        // forwarders may still be reading.
        let mut log_lines = Vec::new();
        let mut open_pipes = 2;
        let deadline = Instant::now() + Duration::from_millis(200);
        while open_pipes > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(Line::Output(text)) => log_lines.push(text),
                Ok(Line::Closed) => open_pipes -= 1,
                Ok(Line::Message(_)) => {}
                Err(_) => break,
            }
        }
        Err(EndedEnvironment {
            scope: self.scope.clone(),
            function_name: std::mem::take(&mut self.function_name),
            log_stream: std::mem::take(&mut self.log_stream),
            log_lines,
        })
    }

    fn has_exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// The runner's next protocol message before `deadline`; the function's other output is
    /// appended to `output`.
    fn next_message(&self, deadline: Instant, output: &mut Vec<String>) -> Wait {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(Line::Message(message)) => return Wait::Message(message),
                Ok(Line::Output(text)) => output.push(text),
                Ok(Line::Closed) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Wait::Exited
                }
                Err(mpsc::RecvTimeoutError::Timeout) => return Wait::TimedOut,
            }
        }
    }
}

fn forward<R: Read + Send + 'static>(source: R, sink: mpsc::Sender<Line>) {
    std::thread::spawn(move || {
        for line in BufReader::new(source).lines() {
            let Ok(line) = line else { break };
            let item = match line.strip_prefix(MARK) {
                Some(json) => match serde_json::from_str::<Value>(json) {
                    Ok(message) if message["type"] == "log" => {
                        Line::Output(message["line"].as_str().unwrap_or_default().to_string())
                    }
                    Ok(message) => Line::Message(message),
                    Err(_) => Line::Output(line),
                },
                None => Line::Output(line),
            };
            if sink.send(item).is_err() {
                return;
            }
        }
        let _ = sink.send(Line::Closed);
    });
}

/// The project's node_modules: `NIMBUS_NODE_MODULES`, else the nearest `node_modules` above the
/// working directory or the executable.
fn find_node_modules() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("NIMBUS_NODE_MODULES") {
        return Some(PathBuf::from(dir));
    }
    let starts = [
        std::env::current_dir().ok(),
        std::env::current_exe()
            .ok()
            .and_then(|p| p.canonicalize().ok()),
    ];
    starts.into_iter().flatten().find_map(|start| {
        start
            .ancestors()
            .map(|dir| dir.join("node_modules"))
            .find(|candidate| candidate.is_dir())
    })
}

/// A path inside the task root for a zip entry, or `None` for entries that would escape it.
fn task_path(root: &Path, entry: &str) -> Option<PathBuf> {
    let relative = Path::new(entry);
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| root.join(relative))
}

fn error(error_type: &str, message: String) -> FunctionError {
    FunctionError {
        error_type: error_type.to_string(),
        message,
        trace: Vec::new(),
    }
}

impl Executor {
    pub fn new(endpoint: String) -> Executor {
        let root = std::env::temp_dir().join(format!("nimbus-lambda-{}", std::process::id()));
        Executor {
            endpoint,
            node_modules: find_node_modules(),
            root,
            next_id: AtomicU64::new(1),
            idle: Mutex::new(HashMap::new()),
            ended: Mutex::new(Vec::new()),
        }
    }

    /// Stops every idle environment and forgets the ended ones (after a reset, their
    /// functions and logs are gone).
    pub fn clear(&self) {
        self.idle.lock().expect("idle pool").clear();
        self.ended.lock().expect("ended").clear();
    }

    /// Runs one prepared invocation to its end (blocking: call it off the async runtime).
    /// `access_key_id` is the caller's, so the function's SDK calls act in the same account.
    pub fn run(&self, prepared: &PreparedInvoke, access_key_id: &str) -> Execution {
        let key = environment_key(prepared, access_key_id);
        // The pool's lock is held only to take an environment: telling a dead one may wait
        // for the rest of its output.
        let warm = loop {
            let idle = self
                .idle
                .lock()
                .expect("idle pool")
                .get_mut(&key)
                .and_then(Vec::pop);
            match idle.map(Environment::alive) {
                None => break None,
                Some(Ok(environment)) => break Some(environment),
                Some(Err(last)) => self.ended.lock().expect("ended").push(last),
            }
        };
        let (environment, init_duration_ms, init_output) = match warm {
            Some(environment) => (environment, None, Vec::new()),
            None => match self.start(prepared, access_key_id) {
                Ok(started) => started,
                Err(execution) => return execution,
            },
        };
        let (mut result, reusable) = invoke(environment, prepared, init_duration_ms);
        result.init_log_lines = init_output;
        if let Some(environment) = reusable {
            let mut idle = self.idle.lock().expect("idle pool");
            let pool = idle.entry(key).or_default();
            if pool.len() < MAX_IDLE {
                pool.push(environment);
            }
        }
        Execution::Ran(result)
    }

    /// The idle environments that ended since the last look (their function crashed between
    /// invocations), with their last words, for the server to log as Lambda does when an
    /// environment ends; and those `run` found ended. Blocking: telling a dead environment
    /// waits for the rest of its output.
    pub fn reap(&self) -> Vec<EndedEnvironment> {
        let dead: Vec<Environment> = self
            .idle
            .lock()
            .expect("idle pool")
            .values_mut()
            .flat_map(|pool| {
                pool.extract_if(.., Environment::has_exited)
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut ended = std::mem::take(&mut *self.ended.lock().expect("ended"));
        ended.extend(dead.into_iter().filter_map(|e| e.alive().err()));
        ended
    }

    fn runner_path(&self) -> std::io::Result<PathBuf> {
        let path = self.root.join("runner.js");
        if !path.exists() {
            std::fs::create_dir_all(&self.root)?;
            std::fs::write(&path, format!("{NODE_RUNTIME_JS}\n{RUNNER}"))?;
        }
        Ok(path)
    }

    /// Starts a new execution environment and waits for its Init phase.
    #[allow(clippy::result_large_err)]
    fn start(
        &self,
        prepared: &PreparedInvoke,
        access_key_id: &str,
    ) -> Result<(Environment, Option<f64>, Vec<String>), Execution> {
        let failed =
            |message: String| Execution::Failed(errors::SERVICE_EXCEPTION.with_message(message));
        let invocation = &prepared.invocation;
        let runner = self
            .runner_path()
            .map_err(|e| failed(format!("cannot write the Node.js runner: {e}")))?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let dir = self.root.join(format!("env-{id}"));
        let task = dir.join("task");
        let written = (|| -> std::io::Result<()> {
            std::fs::create_dir_all(&task)?;
            for (name, content) in &invocation.files {
                let Some(path) = task_path(&task, name) else {
                    continue;
                };
                if name.ends_with('/') {
                    std::fs::create_dir_all(&path)?;
                    continue;
                }
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&path, content)?;
            }
            // ESM ignores NODE_PATH: a node_modules link next to the code lets `import` find the
            // project's packages (unless the package brings its own).
            #[cfg(unix)]
            if let Some(modules) = &self.node_modules {
                if !task.join("node_modules").exists() {
                    std::os::unix::fs::symlink(modules, task.join("node_modules"))?;
                }
            }
            Ok(())
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(failed(format!("cannot unpack the function's code: {e}")));
        }
        let log_stream = prepared.new_log_stream.clone();
        let mut command = Command::new("node");
        command
            .arg(&runner)
            .current_dir(&task)
            .env_clear()
            .envs(runtime_environment(prepared, access_key_id, &self.endpoint))
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("LAMBDA_TASK_ROOT", &task)
            .env("LAMBDA_RUNTIME_DIR", &self.root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(modules) = &self.node_modules {
            command.env("NODE_PATH", modules);
        }
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                let message = if e.kind() == std::io::ErrorKind::NotFound {
                    "Nimbus runs Lambda functions natively with Node.js, but `node` was not found on PATH: install Node.js 18 or later to invoke functions.".to_string()
                } else {
                    format!("could not start node: {e}")
                };
                return Err(failed(message));
            }
        };
        let (sink, lines) = mpsc::channel();
        forward(child.stdout.take().expect("piped stdout"), sink.clone());
        forward(child.stderr.take().expect("piped stderr"), sink);
        let stdin = child.stdin.take().expect("piped stdin");
        let environment = Environment {
            child,
            stdin,
            lines,
            dir,
            scope: prepared.scope.clone(),
            function_name: invocation.function_name.clone(),
            log_stream,
        };
        let mut output = Vec::new();
        let deadline = Instant::now() + INIT_LIMIT;
        match environment.next_message(deadline, &mut output) {
            Wait::Message(ready) => {
                let init = ready["initMs"].as_f64().unwrap_or(0.0);
                Ok((environment, Some(init), output))
            }
            Wait::TimedOut => Err(failed(
                "The function's execution environment did not start within 10 seconds.".into(),
            )),
            Wait::Exited => Err(failed(format!(
                "The Node.js runtime exited while starting: {}",
                output.join("\n")
            ))),
        }
    }
}

/// Sends one invocation to `environment` and collects its result; gives the environment back
/// when it can serve the next one.
fn invoke(
    mut environment: Environment,
    prepared: &PreparedInvoke,
    init_duration_ms: Option<f64>,
) -> (ExecutionResult, Option<Environment>) {
    let mut output = Vec::new();
    let output = &mut output;
    let invocation = &prepared.invocation;
    let timeout = Duration::from_secs(invocation.timeout.max(1) as u64);
    let started = Instant::now();
    let message = json!({
        "requestId": prepared.request_id,
        "payload": String::from_utf8_lossy(&prepared.payload),
        "timeoutMs": timeout.as_millis() as u64,
        "invokedFunctionArn": invocation.function_arn,
    });
    let mut result = ExecutionResult {
        init_duration_ms,
        log_stream: environment.log_stream.clone(),
        max_memory_mb: 0,
        ..Default::default()
    };
    let sent = writeln!(environment.stdin, "{message}").and_then(|_| environment.stdin.flush());
    let waited = if sent.is_ok() {
        environment.next_message(started + timeout, output)
    } else {
        Wait::Exited
    };
    result.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    match waited {
        Wait::Message(answer) => {
            result.log_lines = std::mem::take(output);
            let reusable = result.take_runner_answer(&answer);
            (result, reusable.then_some(environment))
        }
        Wait::TimedOut => {
            // Lambda stops the environment: the next call starts a new one.
            result.log_lines = std::mem::take(output);
            result.timed_out = true;
            (result, None)
        }
        Wait::Exited => {
            let status = environment
                .child
                .wait()
                .map(|s| s.to_string())
                .unwrap_or_else(|_| "unknown status".into());
            result.log_lines = std::mem::take(output);
            result.error = Some(error(
                "Runtime.ExitError",
                format!(
                    "RequestId: {} Error: Runtime exited with error: {status}",
                    prepared.request_id
                ),
            ));
            (result, None)
        }
    }
}
