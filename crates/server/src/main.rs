use std::{net::SocketAddr, path::PathBuf, process::ExitCode};

use nimbus_server::{Config, Server};

const USAGE: &str = "usage: nimbus serve [--host ADDR] [--port PORT] [--data-dir DIR]

Serves every emulated AWS service on one endpoint (default http://127.0.0.1:4566).
  --host ADDR      address to listen on (default 127.0.0.1)
  --port PORT      port to listen on (default 4566; 0 picks a free one)
  --data-dir DIR   keep state in DIR (default: in memory, gone when the server stops)";

fn parse(args: &[String]) -> Result<Config, String> {
    let mut host = "127.0.0.1".to_string();
    let mut port = "4566".to_string();
    let mut data_dir = None;
    let mut rest = args.iter();
    match rest.next().map(String::as_str) {
        Some("serve") => {}
        _ => return Err(USAGE.to_string()),
    }
    while let Some(flag) = rest.next() {
        let mut value = || {
            rest.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))
        };
        match flag.as_str() {
            "--host" => host = value()?,
            "--port" => port = value()?,
            "--data-dir" => data_dir = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown option {other}\n\n{USAGE}")),
        }
    }
    let address: SocketAddr = format!("{host}:{port}")
        .parse()
        .map_err(|_| format!("{host}:{port} is not an address to listen on"))?;
    Ok(Config { address, data_dir })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse(&args) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(async {
        let storage = match &config.data_dir {
            Some(dir) => format!("data in {}", dir.display()),
            None => "data in memory".to_string(),
        };
        match Server::bind(config).await {
            Ok(server) => {
                // Test harnesses read this line to learn the port when started with --port 0.
                println!(
                    "nimbus listening on http://{} ({storage})",
                    server.local_addr()
                );
                server.run().await;
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("nimbus: {message}");
                ExitCode::FAILURE
            }
        }
    })
}
