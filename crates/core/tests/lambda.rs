//! Lambda's control plane through the emulator's entry point, in the canonical JSON form.

mod common;

use common::{b64, caller, restore_state, zip, DOCS_ACCOUNT};
use nimbus_core::{
    emulator::Scope,
    services::lambda::{resolve_invocation, zip as lambda_zip},
    ChangeSet,
};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// 2024-01-01T00:00:00Z
const T0: i64 = 1_704_067_200_000;
const ROLE: &str = "arn:aws:iam::123456789012:role/lambda-role";
const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function";

fn scope() -> Scope {
    caller(DOCS_ACCOUNT).scope()
}

// ---- zips ----

/// `archive` (stored entries) with every entry claiming `size` bytes once unzipped, to test the
/// unzipped limit without building 250 MB.
fn claiming_size(mut archive: Vec<u8>, size: u32) -> Vec<u8> {
    let signature_at = |archive: &[u8], at: usize, signature: u32| {
        archive.get(at..at + 4) == Some(&signature.to_le_bytes()[..])
    };
    for at in 0..archive.len() {
        let field = if signature_at(&archive, at, 0x0403_4b50) {
            at + 22
        } else if signature_at(&archive, at, 0x0201_4b50) {
            at + 24
        } else {
            continue;
        };
        archive[field..field + 4].copy_from_slice(&size.to_le_bytes());
    }
    archive
}

fn sha(bytes: &[u8]) -> String {
    b64(&Sha256::digest(bytes))
}

const INDEX_V1: &[u8] = b"export const handler = async () => 'v1';";
const INDEX_V2: &[u8] = b"export const handler = async () => 'v2';";

// ---- the world ----

type World = common::World<(String, u16, String)>;

fn world() -> World {
    World::new("lambda", DOCS_ACCOUNT).at(T0)
}

impl World {
    fn create(&mut self, name: &str, zip: &[u8]) -> Value {
        self.ok("CreateFunction", create_input(name, zip))
    }
}

fn create_input(name: &str, zip: &[u8]) -> Value {
    json!({
        "FunctionName": name,
        "Runtime": "nodejs20.x",
        "Role": ROLE,
        "Handler": "index.handler",
        "Code": {"ZipFile": b64(zip)},
    })
}

fn with(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

fn validation(message: &str) -> (String, u16, String) {
    ("ValidationException".into(), 400, message.into())
}

fn invalid(message: &str) -> (String, u16, String) {
    ("InvalidParameterValueException".into(), 400, message.into())
}

fn not_found(message: &str) -> (String, u16, String) {
    ("ResourceNotFoundException".into(), 404, message.into())
}

// ---- tests ----

#[test]
fn create_function_answers_the_configuration_aws_reports() {
    let mut w = world();
    let package = zip(&[("index.mjs", INDEX_V1)]);
    let got = w.ok(
        "CreateFunction",
        with(
            create_input("hello", &package),
            json!({"Description": "greets", "MemorySize": 256, "Timeout": 30,
                   "Environment": {"Variables": {"STAGE": "dev"}}, "Tags": {"team": "a"}}),
        ),
    );
    assert_eq!(got["FunctionName"], "hello");
    assert_eq!(got["FunctionArn"], format!("{ARN}:hello"));
    assert_eq!(got["Runtime"], "nodejs20.x");
    assert_eq!(got["Role"], ROLE);
    assert_eq!(got["Handler"], "index.handler");
    assert_eq!(got["CodeSize"], package.len());
    assert_eq!(got["CodeSha256"], sha(&package));
    assert_eq!(got["Description"], "greets");
    assert_eq!(got["MemorySize"], 256);
    assert_eq!(got["Timeout"], 30);
    assert_eq!(got["Version"], "$LATEST");
    assert_eq!(got["State"], "Active");
    assert_eq!(got["LastUpdateStatus"], "Successful");
    assert_eq!(got["PackageType"], "Zip");
    assert_eq!(got["Architectures"], json!(["x86_64"]));
    assert_eq!(got["EphemeralStorage"], json!({"Size": 512}));
    assert_eq!(got["LastModified"], "2024-01-01T00:00:00.000+0000");
    assert_eq!(got["Environment"], json!({"Variables": {"STAGE": "dev"}}));
    assert!(got["RevisionId"].as_str().unwrap().len() == 36);

    // Defaults: 128 MB, 3 s, no Environment.
    let plain = w.create("plain", &lambda_zip::write([("index.js", INDEX_V1)], false));
    assert_eq!(plain["MemorySize"], 128);
    assert_eq!(plain["Timeout"], 3);
    assert!(plain.get("Environment").is_none());

    assert_eq!(
        w.err("CreateFunction", create_input("hello", &package)),
        (
            "ResourceConflictException".into(),
            409,
            "Function already exist: hello".into()
        )
    );
}

#[test]
fn create_function_validates_like_lambda() {
    let mut w = world();
    let package = zip(&[("index.js", INDEX_V1)]);
    let base = create_input("f", &package);
    assert_eq!(
        w.err("CreateFunction", with(base.clone(), json!({"MemorySize": 64}))),
        validation("1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128")
    );
    assert_eq!(
        w.err("CreateFunction", with(base.clone(), json!({"MemorySize": 10241}))),
        validation("1 validation error detected: Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240")
    );
    assert_eq!(
        w.err("CreateFunction", with(base.clone(), json!({"Timeout": 0}))),
        validation("1 validation error detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1")
    );
    assert_eq!(
        w.err("CreateFunction", with(base.clone(), json!({"Timeout": 901}))),
        validation("1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900")
    );
    assert_eq!(
        w.err(
            "CreateFunction",
            with(base.clone(), json!({"Role": "lambda-role"}))
        ),
        validation(
            r"1 validation error detected: Value 'lambda-role' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
        )
    );
    assert_eq!(
        w.err(
            "CreateFunction",
            with(base.clone(), json!({"FunctionName": "bad name"}))
        )
        .2,
        r"1 validation error detected: Value 'bad name' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
    );
    assert_eq!(
        w.err("CreateFunction", json!({"FunctionName": "f", "Runtime": "nodejs20.x", "Handler": "index.handler", "Code": {"ZipFile": b64(&package)}})),
        validation("1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null")
    );
    assert_eq!(
        w.err("CreateFunction", with(base.clone(), json!({"Runtime": "python2.7"}))),
        invalid("The runtime parameter of python2.7 is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.")
    );
    assert_eq!(
        w.err("CreateFunction", with(base.clone(), json!({"Runtime": "python3.12"}))),
        invalid("Nimbus runs only the runtimes nodejs18.x, nodejs20.x, nodejs22.x; python3.12 is not supported.")
    );
    let unknown = w.err(
        "CreateFunction",
        with(base.clone(), json!({"Runtime": "cobol"})),
    );
    assert_eq!(unknown.0, "ValidationException");
    assert!(unknown.2.starts_with("1 validation error detected: Value 'cobol' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [nodejs, "));
    let mut no_handler = base.clone();
    no_handler.as_object_mut().unwrap().remove("Handler");
    assert_eq!(
        w.err("CreateFunction", no_handler),
        invalid("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
    );
    assert_eq!(
        w.err("CreateFunction", with(base.clone(), json!({"Handler": "app.handler"}))),
        invalid("The deployment package has no file for the handler app.handler: expected one of app.js, app.mjs, app.cjs.")
    );
    assert_eq!(
        w.err(
            "CreateFunction",
            with(
                base.clone(),
                json!({"Code": {"ZipFile": b64(b"not a zip")}})
            )
        ),
        invalid("Could not unzip uploaded file. Please check your file, then try to upload again.")
    );
    assert_eq!(
        w.err("CreateFunction", with(base.clone(), json!({"Environment": {"Variables": {"AWS_REGION": "x"}}}))),
        invalid("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION")
    );
    let big = "x".repeat(4090);
    assert_eq!(
        w.err("CreateFunction", with(base.clone(), json!({"Environment": {"Variables": {"BIG": big}}}))),
        invalid(&format!("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {{\"BIG\":\"{big}\"}}"))
    );
    // Nothing was created by the refused calls.
    assert_eq!(w.ok("ListFunctions", json!({})), json!({"Functions": []}));
}

#[test]
fn deployment_packages_have_size_limits() {
    let mut w = world();
    let huge = vec![0u8; 52_428_801];
    assert_eq!(
        w.err("CreateFunction", create_input("f", &huge)),
        (
            "RequestEntityTooLargeException".into(),
            413,
            "Request must be smaller than 69905067 bytes for the CreateFunction operation".into()
        )
    );
    // Two entries that claim 131 MB each once unzipped.
    let bomb = claiming_size(
        lambda_zip::write([("index.js", INDEX_V1), ("data.bin", &b"tiny"[..])], false),
        131_072_001,
    );
    assert_eq!(
        w.err("CreateFunction", create_input("f", &bomb)),
        invalid("Unzipped size must be smaller than 262144000 bytes")
    );
}

#[test]
fn packages_are_read_from_the_callers_s3_bucket() {
    let mut w = world();
    let from_s3 = |bucket: &str, key: &str| {
        with(
            create_input("from-s3", b""),
            json!({"Code": {"S3Bucket": bucket, "S3Key": key}}),
        )
    };
    assert_eq!(
        w.err("CreateFunction", from_s3("builds", "f.zip")),
        invalid("Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist")
    );
    let package = zip(&[("index.mjs", INDEX_V1)]);
    let s3 = |w: &mut World, op: &str, input: Value| {
        let outcome = w.emulator.call(&caller(DOCS_ACCOUNT), "s3", op, input);
        outcome.result.unwrap_or_else(|e| panic!("{op}: {e:?}"));
    };
    s3(&mut w, "CreateBucket", json!({"Bucket": "builds"}));
    assert_eq!(
        w.err("CreateFunction", from_s3("builds", "f.zip")),
        invalid("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.")
    );
    s3(
        &mut w,
        "PutObject",
        json!({"Bucket": "builds", "Key": "f.zip", "Body": b64(&package)}),
    );
    let created = w.ok("CreateFunction", from_s3("builds", "f.zip"));
    assert_eq!(created["CodeSha256"], sha(&package));
    assert_eq!(created["CodeSize"], package.len());

    let v2 = zip(&[("index.mjs", INDEX_V2)]);
    s3(
        &mut w,
        "PutObject",
        json!({"Bucket": "builds", "Key": "f2.zip", "Body": b64(&v2)}),
    );
    let updated = w.ok(
        "UpdateFunctionCode",
        json!({"FunctionName": "from-s3", "S3Bucket": "builds", "S3Key": "f2.zip"}),
    );
    assert_eq!(updated["CodeSha256"], sha(&v2));
    assert_eq!(
        w.err(
            "UpdateFunctionCode",
            json!({"FunctionName": "from-s3", "S3Bucket": "builds", "S3Key": "f2.zip", "S3ObjectVersion": "3HL4kqtJlcpXroDTDmJ"}),
        ),
        invalid("Error occurred while GetObject. S3 Error Code: NoSuchVersion. S3 Error Message: The specified version does not exist.")
    );
}

#[test]
fn functions_are_found_by_name_partial_arn_and_arn() {
    let mut w = world();
    w.create("hello", &zip(&[("index.js", INDEX_V1)]));
    for name in [
        "hello".to_string(),
        "123456789012:function:hello".to_string(),
        format!("{ARN}:hello"),
    ] {
        let got = w.ok("GetFunctionConfiguration", json!({"FunctionName": name}));
        assert_eq!(got["FunctionName"], "hello");
    }
    assert_eq!(
        w.err("GetFunction", json!({"FunctionName": "nope"})),
        not_found(&format!("Function not found: {ARN}:nope"))
    );
    assert_eq!(
        w.err(
            "GetFunctionConfiguration",
            json!({"FunctionName": "hello", "Qualifier": "7"})
        ),
        not_found(&format!("Function not found: {ARN}:hello:7"))
    );
    assert_eq!(
        w.err(
            "GetFunctionConfiguration",
            json!({"FunctionName": "hello:1", "Qualifier": "2"})
        ),
        invalid(
            "The derived qualifier from the function name does not match the specified qualifier."
        )
    );
    let got = w.ok("GetFunction", json!({"FunctionName": "hello"}));
    assert_eq!(got["Configuration"]["FunctionName"], "hello");
    assert_eq!(got["Code"]["RepositoryType"], "S3");
    assert!(got["Code"]["Location"]
        .as_str()
        .unwrap()
        .starts_with("http://localhost:4566/"));
    assert_eq!(got["Tags"], json!({}));
    assert!(got.get("Concurrency").is_none());
}

#[test]
fn update_code_and_configuration() {
    let mut w = world();
    let v1 = zip(&[("index.js", INDEX_V1)]);
    let v2 = zip(&[
        ("index.js", INDEX_V2),
        ("lib/util.js", b"module.exports = 1;"),
    ]);
    w.create("f", &v1);
    w.clock.advance(61_000);
    let got = w.ok(
        "UpdateFunctionCode",
        json!({"FunctionName": "f", "ZipFile": b64(&v2)}),
    );
    assert_eq!(got["CodeSha256"], sha(&v2));
    assert_eq!(got["CodeSize"], v2.len());
    assert_eq!(got["LastModified"], "2024-01-01T00:01:01.000+0000");
    assert_eq!(
        w.err("UpdateFunctionCode", json!({"FunctionName": "f", "ZipFile": b64(&zip(&[("main.js", INDEX_V1)]))})),
        invalid("The deployment package has no file for the handler index.handler: expected one of index.js, index.mjs, index.cjs.")
    );

    let got = w.ok(
        "UpdateFunctionConfiguration",
        json!({"FunctionName": "f", "MemorySize": 1024, "Timeout": 60, "Description": "d",
               "Environment": {"Variables": {"AB": "1"}}, "Handler": "lib/util.handler"}),
    );
    assert_eq!(got["MemorySize"], 1024);
    assert_eq!(got["Timeout"], 60);
    assert_eq!(got["Description"], "d");
    assert_eq!(got["Handler"], "lib/util.handler");
    assert_eq!(got["Environment"], json!({"Variables": {"AB": "1"}}));
    assert_eq!(got["CodeSha256"], sha(&v2));
    assert_eq!(
        w.err("UpdateFunctionConfiguration", json!({"FunctionName": "f", "MemorySize": 64})).2,
        "1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"
    );
    let cleared = w.ok(
        "UpdateFunctionConfiguration",
        json!({"FunctionName": "f", "Environment": {"Variables": {}}}),
    );
    assert!(cleared.get("Environment").is_none());
    assert_eq!(
        w.err(
            "UpdateFunctionCode",
            json!({"FunctionName": "missing", "ZipFile": b64(&v2)})
        ),
        not_found(&format!("Function not found: {ARN}:missing"))
    );
}

#[test]
fn versions_snapshot_code_and_configuration() {
    let mut w = world();
    let v1 = zip(&[("index.js", INDEX_V1)]);
    let v2 = zip(&[("index.js", INDEX_V2)]);
    let created = w.ok(
        "CreateFunction",
        with(create_input("f", &v1), json!({"Publish": true})),
    );
    assert_eq!(created["Version"], "1");
    assert_eq!(created["FunctionArn"], format!("{ARN}:f:1"));

    // Nothing changed: publishing answers version 1 again.
    let again = w.ok("PublishVersion", json!({"FunctionName": "f"}));
    assert_eq!(again["Version"], "1");

    let updated = w.ok(
        "UpdateFunctionCode",
        json!({"FunctionName": "f", "ZipFile": b64(&v2), "Publish": true}),
    );
    assert_eq!(updated["Version"], "2");
    assert_eq!(updated["CodeSha256"], sha(&v2));
    w.ok(
        "UpdateFunctionConfiguration",
        json!({"FunctionName": "f", "Timeout": 10}),
    );
    assert_eq!(
        w.err("PublishVersion", json!({"FunctionName": "f", "CodeSha256": "abc"})),
        invalid(&format!("CodeSHA256 (abc) is different from current CodeSHA256 in $LATEST ({}). Please try again with the current CodeSHA256.", sha(&v2)))
    );
    let v3 = w.ok(
        "PublishVersion",
        json!({"FunctionName": "f", "Description": "third"}),
    );
    assert_eq!(v3["Version"], "3");
    assert_eq!(v3["Timeout"], 10);
    assert_eq!(v3["Description"], "third");

    let one = w.ok(
        "GetFunctionConfiguration",
        json!({"FunctionName": "f", "Qualifier": "1"}),
    );
    assert_eq!(one["CodeSha256"], sha(&v1));
    assert_eq!(one["Timeout"], 3);

    let listed = w.ok("ListVersionsByFunction", json!({"FunctionName": "f"}));
    let versions: Vec<&str> = listed["Versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["Version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["$LATEST", "1", "2", "3"]);
    let paged = w.ok(
        "ListVersionsByFunction",
        json!({"FunctionName": "f", "MaxItems": 3}),
    );
    assert_eq!(paged["Versions"].as_array().unwrap().len(), 3);
    let rest = w.ok(
        "ListVersionsByFunction",
        json!({"FunctionName": "f", "Marker": paged["NextMarker"]}),
    );
    assert_eq!(rest["Versions"][0]["Version"], "3");
    assert!(rest.get("NextMarker").is_none());

    // ListFunctions shows $LATEST only, unless asked for ALL versions.
    assert_eq!(
        w.ok("ListFunctions", json!({}))["Functions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        w.ok("ListFunctions", json!({"FunctionVersion": "ALL"}))["Functions"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // Deleting one version keeps the others; numbers are not reused.
    w.ok(
        "DeleteFunction",
        json!({"FunctionName": "f", "Qualifier": "2"}),
    );
    assert_eq!(
        w.err("GetFunctionConfiguration", json!({"FunctionName": "f:2"})),
        not_found(&format!("Function not found: {ARN}:f:2"))
    );
    assert_eq!(
        w.err(
            "DeleteFunction",
            json!({"FunctionName": "f", "Qualifier": "$LATEST"})
        ),
        invalid("$LATEST version cannot be deleted without deleting the function.")
    );
    w.ok(
        "UpdateFunctionConfiguration",
        json!({"FunctionName": "f", "Timeout": 11}),
    );
    assert_eq!(
        w.ok("PublishVersion", json!({"FunctionName": "f"}))["Version"],
        "4"
    );

    w.ok("DeleteFunction", json!({"FunctionName": "f"}));
    assert_eq!(
        w.err("GetFunction", json!({"FunctionName": "f"})),
        not_found(&format!("Function not found: {ARN}:f"))
    );
}

#[test]
fn aliases_point_at_existing_versions() {
    let mut w = world();
    w.ok(
        "CreateFunction",
        with(
            create_input("f", &zip(&[("index.js", INDEX_V1)])),
            json!({"Publish": true}),
        ),
    );
    let alias = w.ok(
        "CreateAlias",
        json!({"FunctionName": "f", "Name": "live", "FunctionVersion": "1", "Description": "prod"}),
    );
    assert_eq!(alias["AliasArn"], format!("{ARN}:f:live"));
    assert_eq!(alias["FunctionVersion"], "1");
    assert_eq!(alias["Description"], "prod");
    assert_eq!(
        w.err(
            "CreateAlias",
            json!({"FunctionName": "f", "Name": "live", "FunctionVersion": "1"})
        ),
        (
            "ResourceConflictException".into(),
            409,
            format!("Alias already exists: {ARN}:f:live")
        )
    );
    assert_eq!(
        w.err(
            "CreateAlias",
            json!({"FunctionName": "f", "Name": "beta", "FunctionVersion": "9"})
        ),
        not_found(&format!("Function not found: {ARN}:f:9"))
    );
    assert_eq!(
        w.err("GetAlias", json!({"FunctionName": "f", "Name": "nope"})),
        not_found(&format!("Alias not found: {ARN}:f:nope"))
    );
    w.ok("UpdateFunctionCode", json!({"FunctionName": "f", "ZipFile": b64(&zip(&[("index.js", INDEX_V2)])), "Publish": true}));
    let updated = w.ok(
        "UpdateAlias",
        json!({"FunctionName": "f", "Name": "live", "FunctionVersion": "2",
               "RoutingConfig": {"AdditionalVersionWeights": {"1": 0.1}}}),
    );
    assert_eq!(updated["FunctionVersion"], "2");
    assert_eq!(
        updated["RoutingConfig"],
        json!({"AdditionalVersionWeights": {"1": 0.1}})
    );
    assert_eq!(updated["Description"], "prod");
    assert_eq!(
        w.err(
            "DeleteFunction",
            json!({"FunctionName": "f", "Qualifier": "1"})
        ),
        (
            "ResourceConflictException".into(),
            409,
            "Unable to delete version because the following aliases reference it: [live]".into()
        )
    );
    w.ok(
        "CreateAlias",
        json!({"FunctionName": "f", "Name": "dev", "FunctionVersion": "$LATEST"}),
    );
    let listed = w.ok("ListAliases", json!({"FunctionName": "f"}));
    let names: Vec<&str> = listed["Aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dev", "live"]);
    let filtered = w.ok(
        "ListAliases",
        json!({"FunctionName": "f", "FunctionVersion": "2"}),
    );
    assert_eq!(filtered["Aliases"].as_array().unwrap().len(), 1);
    // A qualifier may be an alias.
    let via_alias = w.ok(
        "GetFunctionConfiguration",
        json!({"FunctionName": "f", "Qualifier": "live"}),
    );
    assert_eq!(via_alias["Version"], "2");
    w.ok("DeleteAlias", json!({"FunctionName": "f", "Name": "dev"}));
    assert_eq!(
        w.ok("ListAliases", json!({"FunctionName": "f"}))["Aliases"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn reserved_concurrency_leaves_100_unreserved() {
    let mut w = world();
    w.create("a", &zip(&[("index.js", INDEX_V1)]));
    w.create("b", &zip(&[("index.js", INDEX_V1)]));
    assert_eq!(
        w.ok("GetFunctionConcurrency", json!({"FunctionName": "a"})),
        json!({})
    );
    assert_eq!(
        w.ok(
            "PutFunctionConcurrency",
            json!({"FunctionName": "a", "ReservedConcurrentExecutions": 800})
        ),
        json!({"ReservedConcurrentExecutions": 800})
    );
    assert_eq!(
        w.err("PutFunctionConcurrency", json!({"FunctionName": "b", "ReservedConcurrentExecutions": 101})),
        invalid("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].")
    );
    w.ok(
        "PutFunctionConcurrency",
        json!({"FunctionName": "b", "ReservedConcurrentExecutions": 100}),
    );
    assert_eq!(
        w.ok("GetFunction", json!({"FunctionName": "a"}))["Concurrency"],
        json!({"ReservedConcurrentExecutions": 800})
    );
    let settings = w.ok("GetAccountSettings", json!({}));
    assert_eq!(settings["AccountLimit"]["ConcurrentExecutions"], 1000);
    assert_eq!(
        settings["AccountLimit"]["UnreservedConcurrentExecutions"],
        100
    );
    assert_eq!(settings["AccountLimit"]["CodeSizeZipped"], 52_428_800);
    assert_eq!(settings["AccountLimit"]["CodeSizeUnzipped"], 262_144_000);
    assert_eq!(settings["AccountUsage"]["FunctionCount"], 2);
    w.ok("DeleteFunctionConcurrency", json!({"FunctionName": "a"}));
    assert_eq!(
        w.ok("GetFunctionConcurrency", json!({"FunctionName": "a"})),
        json!({})
    );
    assert_eq!(
        w.ok("GetAccountSettings", json!({}))["AccountLimit"]["UnreservedConcurrentExecutions"],
        900
    );
}

#[test]
fn tags_on_functions() {
    let mut w = world();
    w.ok(
        "CreateFunction",
        with(
            create_input("f", &zip(&[("index.js", INDEX_V1)])),
            json!({"Tags": {"a": "1"}}),
        ),
    );
    let arn = format!("{ARN}:f");
    w.ok("TagResource", json!({"Resource": arn, "Tags": {"b": "2"}}));
    assert_eq!(
        w.ok("ListTags", json!({"Resource": arn})),
        json!({"Tags": {"a": "1", "b": "2"}})
    );
    w.ok("UntagResource", json!({"Resource": arn, "TagKeys": ["a"]}));
    assert_eq!(
        w.ok("GetFunction", json!({"FunctionName": "f"}))["Tags"],
        json!({"b": "2"})
    );
    assert_eq!(
        w.err("ListTags", json!({"Resource": format!("{ARN}:nope")})),
        not_found(&format!("Function not found: {ARN}:nope"))
    );
}

#[test]
fn list_functions_pages_with_markers() {
    let mut w = world();
    for name in ["c", "a", "b"] {
        w.create(name, &zip(&[("index.js", INDEX_V1)]));
    }
    let first = w.ok("ListFunctions", json!({"MaxItems": 2}));
    let names = |v: &Value| -> Vec<String> {
        v["Functions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["FunctionName"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&first), ["a", "b"]);
    let second = w.ok(
        "ListFunctions",
        json!({"MaxItems": 2, "Marker": first["NextMarker"]}),
    );
    assert_eq!(names(&second), ["c"]);
    assert!(second.get("NextMarker").is_none());
}

#[test]
fn resolve_invocation_for_latest_versions_and_aliases() {
    let mut w = world();
    let v1 = zip(&[("index.mjs", INDEX_V1), ("lib/data.json", b"{}")]);
    w.ok(
        "CreateFunction",
        with(
            create_input("f", &v1),
            json!({"Publish": true, "Environment": {"Variables": {"KEY": "v"}}}),
        ),
    );
    w.ok(
        "UpdateFunctionCode",
        json!({"FunctionName": "f", "ZipFile": b64(&zip(&[("index.mjs", INDEX_V2)]))}),
    );
    w.ok(
        "CreateAlias",
        json!({"FunctionName": "f", "Name": "live", "FunctionVersion": "1"}),
    );
    w.ok(
        "PutFunctionConcurrency",
        json!({"FunctionName": "f", "ReservedConcurrentExecutions": 5}),
    );

    // Check against the state restored from the records, as a host would hold it.
    let state = restore_state!(lambda, w.records());

    let latest = resolve_invocation(&state, &scope(), "f", None).unwrap();
    assert_eq!(latest.function_arn, format!("{ARN}:f"));
    assert_eq!(latest.version, "$LATEST");
    assert_eq!(latest.files["index.mjs"], INDEX_V2);
    assert_eq!(latest.handler, "index.handler");
    assert_eq!(latest.runtime, "nodejs20.x");
    assert_eq!(latest.memory_size, 128);
    assert_eq!(latest.timeout, 3);
    assert_eq!(latest.environment["KEY"], "v");
    assert_eq!(latest.reserved_concurrency, Some(5));

    let one = resolve_invocation(&state, &scope(), "f", Some("1")).unwrap();
    assert_eq!(one.function_arn, format!("{ARN}:f:1"));
    assert_eq!(one.version, "1");
    assert_eq!(one.files["index.mjs"], INDEX_V1);
    assert_eq!(one.files["lib/data.json"], b"{}");
    assert_eq!(one.code_sha256, sha(&v1));

    let live = resolve_invocation(&state, &scope(), &format!("{ARN}:f:live"), None).unwrap();
    assert_eq!(live.function_arn, format!("{ARN}:f:live"));
    assert_eq!(live.version, "1");
    assert_eq!(live.files["index.mjs"], INDEX_V1);

    let missing = resolve_invocation(&state, &scope(), "f", Some("9")).unwrap_err();
    assert_eq!(
        (missing.code.as_str(), missing.message.as_str()),
        (
            "ResourceNotFoundException",
            &*format!("Function not found: {ARN}:f:9")
        )
    );
    let missing = resolve_invocation(&state, &scope(), "g", None).unwrap_err();
    assert_eq!(missing.message, format!("Function not found: {ARN}:g"));
}

#[test]
fn emulator_restores_functions_versions_and_aliases() {
    let mut w = world();
    let v1 = zip(&[("index.js", INDEX_V1)]);
    w.ok(
        "CreateFunction",
        with(create_input("f", &v1), json!({"Publish": true})),
    );
    w.ok(
        "CreateAlias",
        json!({"FunctionName": "f", "Name": "live", "FunctionVersion": "1"}),
    );
    w.create("gone", &zip(&[("index.js", INDEX_V2)]));
    w.ok("DeleteFunction", json!({"FunctionName": "gone"}));
    let records = w.records();
    // The deleted function's package is gone with it; the kept one is stored once.
    let code_records = records.iter().filter(|(k, _)| k.contains("/code/")).count();
    assert_eq!(code_records, 1);

    let mut fresh = w.restart();
    let listed = fresh.call("ListFunctions", json!({})).unwrap();
    assert_eq!(listed["Functions"].as_array().unwrap().len(), 1);
    let alias = fresh
        .call("GetAlias", json!({"FunctionName": "f", "Name": "live"}))
        .unwrap();
    assert_eq!(alias["FunctionVersion"], "1");
    let one = fresh
        .call("GetFunctionConfiguration", json!({"FunctionName": "f:1"}))
        .unwrap();
    assert_eq!(one["CodeSha256"], sha(&v1));
    // Version numbers continue after a restore.
    fresh
        .call(
            "UpdateFunctionConfiguration",
            json!({"FunctionName": "f", "Timeout": 9}),
        )
        .unwrap();
    assert_eq!(
        fresh
            .call("PublishVersion", json!({"FunctionName": "f"}))
            .unwrap()["Version"],
        "2"
    );
}

#[test]
fn dry_runs_and_revision_ids_guard_updates() {
    let mut w = world();
    let v1 = zip(&[("index.js", INDEX_V1)]);
    let v2 = zip(&[("index.js", INDEX_V2)]);
    let created = w.create("f", &v1);
    let dry = w.ok(
        "UpdateFunctionCode",
        json!({"FunctionName": "f", "ZipFile": b64(&v2), "DryRun": true}),
    );
    assert_eq!(dry["CodeSha256"], sha(&v2));
    assert_eq!(w.changes.last().map(ChangeSet::is_empty), Some(true));
    let current = w.ok("GetFunctionConfiguration", json!({"FunctionName": "f"}));
    assert_eq!(current["CodeSha256"], sha(&v1));
    assert_eq!(current["RevisionId"], created["RevisionId"]);

    assert_eq!(
        w.err(
            "UpdateFunctionConfiguration",
            json!({"FunctionName": "f", "Timeout": 5, "RevisionId": "stale"})
        ),
        (
            "PreconditionFailedException".into(),
            412,
            "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id".into()
        )
    );
    let updated = w.ok(
        "UpdateFunctionConfiguration",
        json!({"FunctionName": "f", "Timeout": 5, "RevisionId": created["RevisionId"]}),
    );
    assert_ne!(updated["RevisionId"], created["RevisionId"]);
    // Qualified names are refused where Lambda wants the function itself.
    assert_eq!(
        w.err("PublishVersion", json!({"FunctionName": "f:1"})).0,
        "InvalidParameterValueException"
    );
}
