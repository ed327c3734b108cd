//! `nimbus-bench`: the DynamoDB benchmark (see the library). `run` (the default) measures it
//! natively; `workload` prints the workload as JSON and `report` prints the table of timings that
//! tests/bench/browser.mjs measured in Chromium.

use std::{io::Read, process::ExitCode};

use nimbus_bench::{native, table, workload, Step, Timing};

const USAGE: &str = "usage: nimbus-bench [run|workload|report TITLE] [--seed N]

  run             run the DynamoDB workload natively (nimbus serve's node on redb) and print the table
  workload        print the workload as JSON (what tests/bench/browser.mjs runs in Chromium)
  report TITLE    read timings as JSON on stdin ([{name, millis, wallMillis}]) and print the table
  --seed N        the workload's seed (default 42)";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut seed = 42;
    if let Some(at) = args.iter().position(|a| a == "--seed") {
        match args.get(at + 1).and_then(|s| s.parse().ok()) {
            Some(n) => seed = n,
            None => return usage(),
        }
        args.drain(at..at + 2);
    }
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["run"] => native::run(&workload(seed))
            .map(|timings| print!("{}", table("native (nimbus serve's node, redb)", &timings))),
        ["workload"] => {
            let steps: Vec<_> = workload(seed).iter().map(Step::to_json).collect();
            println!("{}", serde_json::Value::from(steps));
            Ok(())
        }
        ["report", title] => report(title),
        _ => return usage(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("nimbus-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn report(title: &str) -> Result<(), String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("cannot read the timings: {e}"))?;
    let value: serde_json::Value =
        serde_json::from_str(&input).map_err(|e| format!("the timings are not JSON: {e}"))?;
    let timings = value
        .as_array()
        .and_then(|steps| {
            steps
                .iter()
                .map(Timing::from_json)
                .collect::<Option<Vec<_>>>()
        })
        .ok_or("the timings are not a list of {name, millis, wallMillis}")?;
    print!("{}", table(title, &timings));
    Ok(())
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}
