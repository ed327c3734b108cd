#!/usr/bin/env python3
"""Generate crates/shapes/src/generated/ from botocore's service models.

The models come from a pinned botocore wheel on PyPI (BOTOCORE_VERSION), downloaded once into
.cache/botocore/. Each service becomes one Rust module holding:
  * MODEL: the service, operation and shape metadata the wire protocols are driven by;
  * one struct per structure shape and one enum per string enum (serde in the model's member names);
  * one error constant per modelled error, carrying its code and HTTP status;
  * one trait with a method per operation whose default answers NotImplemented, and `dispatch`.

Usage: tools/codegen/generate.py            rewrite the generated files
       tools/codegen/generate.py --check    exit 1 if the committed files are stale
"""
import gzip
import json
import keyword
import os
import re
import subprocess
import sys
import zipfile

BOTOCORE_VERSION = "1.44.8"
SERVICES = [
    # (botocore name, rust module, trait name)
    ("dynamodb", "dynamodb", "DynamoDb"),
    ("dynamodbstreams", "dynamodbstreams", "DynamoDbStreams"),
    ("s3", "s3", "S3"),
    ("sqs", "sqs", "Sqs"),
    ("sns", "sns", "Sns"),
    ("lambda", "lambda", "Lambda"),
    ("cognito-idp", "cognito_idp", "CognitoIdentityProvider"),
    ("cognito-identity", "cognito_identity", "CognitoIdentity"),
    ("apigateway", "apigateway", "ApiGateway"),
    ("apigatewayv2", "apigatewayv2", "ApiGatewayV2"),
    ("sts", "sts", "Sts"),
    ("logs", "logs", "CloudWatchLogs"),
]

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "crates", "shapes", "src", "generated")
CACHE = os.path.join(ROOT, ".cache", "botocore")

RUST_RESERVED = set(keyword.kwlist) | {
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self",
    "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "async",
    "await", "dyn", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof",
    "unsized", "virtual", "yield", "try", "gen",
}
NOT_RAW = {"self", "Self", "super", "crate"}


def wheel_path():
    os.makedirs(CACHE, exist_ok=True)
    name = f"botocore-{BOTOCORE_VERSION}-py3-none-any.whl"
    path = os.path.join(CACHE, name)
    if not os.path.exists(path):
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             f"botocore=={BOTOCORE_VERSION}", "-d", CACHE],
            check=True,
        )
    return path


def load_models():
    with zipfile.ZipFile(wheel_path()) as wheel:
        names = wheel.namelist()
        for service, module, trait in SERVICES:
            candidates = sorted(
                n for n in names
                if n.startswith(f"botocore/data/{service}/") and n.endswith("/service-2.json.gz")
            )
            path = candidates[-1]
            yield service, module, trait, path.split("/")[3], json.loads(gzip.decompress(wheel.read(path)))


def snake(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"[^A-Za-z0-9]+", "_", s).strip("_").lower()
    if not s or s[0].isdigit():
        s = "v_" + s
    if s in NOT_RAW:
        return s + "_"
    if s in RUST_RESERVED:
        return "r#" + s
    return s


def camel(value):
    parts = re.split(r"[^A-Za-z0-9]+", value)
    out = "".join(p[:1].upper() + (p[1:].lower() if p.isupper() or p.islower() else p[1:]) for p in parts if p)
    if not out or out[0].isdigit():
        out = "V" + out
    if out in ("Self", "Unknown"):
        out += "Value"
    return out


def rust_str(s):
    return json.dumps(s)


def opt_str(s):
    return "None" if s is None else f"Some({rust_str(s)})"


def opt_num(n):
    return "None" if n is None else f"Some({float(n)!r}_f64)"


class Generator:
    def __init__(self, service, module, trait, version, model):
        self.service, self.module, self.trait, self.version, self.model = service, module, trait, version, model
        self.shapes = model["shapes"]
        self.out = []

    def w(self, line=""):
        self.out.append(line)

    def rust_type(self, shape_name, owner=None):
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if kind == "string":
            return shape_name if "enum" in shape else "::std::string::String"
        if kind == "integer":
            return "i32"
        if kind == "long":
            return "i64"
        if kind == "boolean":
            return "bool"
        if kind in ("double", "float"):
            return "f64"
        if kind == "blob":
            return "crate::Blob"
        if kind == "timestamp":
            return "crate::Timestamp"
        if kind == "list":
            return f"::std::vec::Vec<{self.rust_type(shape['member']['shape'])}>"
        if kind == "map":
            key = self.rust_type(shape["key"]["shape"])
            return f"::std::collections::BTreeMap<{key}, {self.rust_type(shape['value']['shape'])}>"
        if kind == "structure":
            if shape.get("document"):
                return "::serde_json::Value"
            if shape.get("eventstream"):
                return "::serde_json::Value"
            return shape_name
        raise ValueError(f"unknown shape type {kind}")

    def reaches_directly(self, start, goal, seen=None):
        """Whether structure `start` holds `goal` through structure members only (needs a Box)."""
        seen = seen if seen is not None else set()
        if start in seen:
            return False
        seen.add(start)
        for member in self.shapes[start].get("members", {}).values():
            target = member["shape"]
            if self.shapes[target]["type"] != "structure":
                continue
            if target == goal or self.reaches_directly(target, goal, seen):
                return True
        return False

    # ----- metadata -----
    def member_literal(self, name, ref, required=False):
        """A `Member` that spells out only what differs from `Member::body`."""
        traits = []
        location = self.location(ref)
        if location != "Body":
            traits.append(f"location: m::Location::{location}")
        if ref.get("locationName"):
            traits.append(f"location_name: Some({rust_str(ref['locationName'])})")
        for key, field in (("flattened", "flattened"), ("xmlAttribute", "xml_attribute"),
                           ("idempotencyToken", "idempotency_token"), ("jsonvalue", "json_value"),
                           ("hostLabel", "host_label")):
            if ref.get(key):
                traits.append(f"{field}: true")
        if (ref.get("xmlNamespace") or {}).get("uri"):
            traits.append(f"xml_namespace: Some({rust_str(ref['xmlNamespace']['uri'])})")
        if ref.get("timestampFormat"):
            traits.append(f"timestamp_format: {self.timestamp_format(ref['timestampFormat'])}")
        if required:
            traits.append("required: true")
        base = f"m::Member::body({rust_str(name)}, {rust_str(ref['shape'])})"
        if not traits:
            return base
        return "m::Member { " + ", ".join(traits) + f", ..{base} }}"

    @staticmethod
    def location(ref):
        return {
            None: "Body", "header": "Header", "headers": "Headers", "querystring": "Query",
            "uri": "Uri", "statusCode": "StatusCode",
        }[ref.get("location")]

    @staticmethod
    def timestamp_format(fmt):
        if fmt is None:
            return "None"
        return "Some(m::TimestampFormat::" + {
            "iso8601": "Iso8601", "rfc822": "Rfc822", "unixTimestamp": "UnixTimestamp"}[fmt] + ")"

    def shape_kind(self, name, shape):
        kind = shape["type"]
        lim = f"min: {opt_num(shape.get('min'))}, max: {opt_num(shape.get('max'))}"
        if kind == "structure":
            required = set(shape.get("required", []))
            members = ", ".join(self.member_literal(n, r, n in required) for n, r in shape["members"].items())
            err = shape.get("error")
            error = "None"
            if shape.get("exception"):
                code = (err or {}).get("code", name)
                status = (err or {}).get("httpStatusCode", 500 if shape.get("fault") else 400)
                sender = "false" if shape.get("fault") or (err and not err.get("senderFault", True)) else "true"
                error = f"Some(m::ErrorInfo {{ code: {rust_str(code)}, status: {status}, sender_fault: {sender} }})"
            return (f"Structure {{ members: &[{members}], payload: {opt_str(shape.get('payload'))}, "
                    f"error: {error}, document: {str(bool(shape.get('document'))).lower()}, "
                    f"location_name: {opt_str(shape.get('locationName'))}, "
                    f"xml_namespace: {opt_str((shape.get('xmlNamespace') or {}).get('uri'))} }}")
        if kind == "list":
            return (f"List {{ member: &{self.member_literal('member', shape['member'])}, "
                    f"flattened: {str(bool(shape.get('flattened'))).lower()}, {lim} }}")
        if kind == "map":
            return (f"Map {{ key: &{self.member_literal('key', shape['key'])}, "
                    f"value: &{self.member_literal('value', shape['value'])}, "
                    f"flattened: {str(bool(shape.get('flattened'))).lower()}, {lim} }}")
        if kind == "string":
            enum = "None" if "enum" not in shape else "Some(&[" + ", ".join(rust_str(v) for v in shape["enum"]) + "])"
            return f"String {{ enum_values: {enum}, pattern: {opt_str(shape.get('pattern'))}, {lim} }}"
        if kind in ("integer", "long"):
            return f"{kind.capitalize()} {{ {lim} }}"
        if kind in ("double", "float"):
            return f"Double {{ {lim} }}"
        if kind == "boolean":
            return "Boolean"
        if kind == "blob":
            return f"Blob {{ streaming: {str(bool(shape.get('streaming'))).lower()}, {lim} }}"
        if kind == "timestamp":
            return f"Timestamp {{ format: {self.timestamp_format(shape.get('timestampFormat'))} }}"
        raise ValueError(kind)

    def emit_model(self):
        md = self.model["metadata"]
        protocol = {"json": "AwsJson", "rest-json": "RestJson", "rest-xml": "RestXml", "query": "AwsQuery"}[md["protocol"]]
        self.w("/// The service model: what the wire protocols and routing need to know.")
        self.w("pub static MODEL: m::ServiceModel = m::ServiceModel {")
        self.w(f"    name: {rust_str(self.service)},")
        self.w(f"    service_id: {rust_str(md['serviceId'])},")
        self.w(f"    endpoint_prefix: {rust_str(md['endpointPrefix'])},")
        self.w(f"    signing_name: {rust_str(md.get('signingName', md['endpointPrefix']))},")
        self.w(f"    api_version: {rust_str(md['apiVersion'])},")
        self.w(f"    protocol: m::Protocol::{protocol},")
        self.w(f"    json_version: {opt_str(md.get('jsonVersion'))},")
        self.w(f"    target_prefix: {opt_str(md.get('targetPrefix'))},")
        self.w(f"    xml_namespace: {opt_str(md.get('xmlNamespace'))},")
        self.w(f"    aws_query_compatible: {str('awsQueryCompatible' in md).lower()},")
        self.w("    operations: &[")
        for name in sorted(self.model["operations"]):
            op = self.model["operations"][name]
            http = op.get("http", {})
            out = op.get("output", {})
            self.w(f"        m::Operation {{ name: {rust_str(name)}, "
                   f"method: {rust_str(http.get('method', 'POST'))}, "
                   f"request_uri: {rust_str(http.get('requestUri', '/'))}, "
                   f"success_code: {http.get('responseCode', 200)}, "
                   f"input: {opt_str(op.get('input', {}).get('shape'))}, "
                   f"output: {opt_str(out.get('shape'))}, "
                   f"result_wrapper: {opt_str(out.get('resultWrapper'))}, "
                   f"errors: &[{', '.join(rust_str(e['shape']) for e in op.get('errors', []))}] }},")
        self.w("    ],")
        self.w("    shapes: &[")
        for name in sorted(self.shapes):
            self.w(f"        m::Shape {{ name: {rust_str(name)}, "
                   f"kind: m::ShapeKind::{self.shape_kind(name, self.shapes[name])} }},")
        self.w("    ],")
        self.w("};")
        self.w()

    # ----- types -----
    def emit_types(self):
        for name in sorted(self.shapes):
            shape = self.shapes[name]
            if shape["type"] == "string" and "enum" in shape:
                self.emit_enum(name, shape)
            elif shape["type"] == "structure" and not shape.get("document") and not shape.get("eventstream"):
                self.emit_struct(name, shape)

    def emit_enum(self, name, shape):
        used = set()
        variants = []
        for value in shape["enum"]:
            variant = camel(value)
            base, n = variant, 2
            while variant in used:
                variant, n = f"{base}{n}", n + 1
            used.add(variant)
            variants.append((variant, value))
        body = " ".join(f"{v} => {rust_str(val)}," for v, val in variants)
        self.w(f"crate::string_enum!({name} {{ {body} }});")

    def emit_struct(self, name, shape):
        self.w("#[derive(Clone, Debug, Default, PartialEq, ::serde::Serialize, ::serde::Deserialize)]")
        self.w("#[serde(default)]")
        self.w(f"pub struct {name} {{")
        used = set()
        for member_name, ref in shape["members"].items():
            field = snake(member_name)
            while field in used:
                field += "_"
            used.add(field)
            ty = self.rust_type(ref["shape"])
            target = self.shapes[ref["shape"]]
            if target["type"] == "structure" and not target.get("document") and (
                    ref["shape"] == name or self.reaches_directly(ref["shape"], name)):
                ty = f"::std::boxed::Box<{ty}>"
            self.w(f"    #[serde(rename = {rust_str(member_name)}, skip_serializing_if = \"::std::option::Option::is_none\")]")
            self.w(f"    pub {field}: ::std::option::Option<{ty}>,")
        self.w("}")
        self.w()

    # ----- errors -----
    def emit_errors(self):
        self.w("/// Every error the model declares, with its wire code and HTTP status.")
        self.w("pub mod errors {")
        for name in sorted(self.shapes):
            shape = self.shapes[name]
            if not shape.get("exception"):
                continue
            err = shape.get("error") or {}
            code = err.get("code", name)
            status = err.get("httpStatusCode", 500 if shape.get("fault") else 400)
            const = re.sub(r"^V_", "", snake(name).upper().replace("R#", ""))
            self.w(f"    pub const {const}: crate::ErrorKind = crate::ErrorKind {{ shape: {rust_str(name)}, "
                   f"code: {rust_str(code)}, status: {status} }};")
        self.w("}")
        self.w()

    # ----- trait -----
    def emit_trait(self):
        ops = sorted(self.model["operations"])
        self.w(f"/// One method per {self.model['metadata']['serviceId']} operation; unimplemented ones answer")
        self.w("/// the NotImplemented error that names them.")
        self.w(f"pub trait {self.trait} {{")
        for name in ops:
            op = self.model["operations"][name]
            inp = op.get("input", {}).get("shape")
            out = op.get("output", {}).get("shape")
            in_ty = inp if inp and not self.shapes[inp].get("document") else "()"
            out_ty = out or "()"
            arg = "_input" if inp else "_input"
            self.w(f"    fn {snake(name)}(&mut self, {arg}: {in_ty}) -> ::std::result::Result<{out_ty}, crate::ServiceError> {{")
            self.w(f"        ::std::result::Result::Err(crate::ServiceError::not_implemented(&MODEL, {rust_str(name)}))")
            self.w("    }")
        self.w("}")
        self.w()
        self.w("/// Decode `input` (the operation's input in model member names), call the operation, encode its output.")
        self.w(f"pub fn dispatch<S: {self.trait} + ?Sized>(service: &mut S, operation: &str, input: ::serde_json::Value)"
               " -> ::std::result::Result<::serde_json::Value, crate::ServiceError> {")
        self.w("    match operation {")
        for name in ops:
            self.w(f"        {rust_str(name)} => crate::encode(service.{snake(name)}(crate::decode(input)?)?),")
        self.w("        _ => ::std::result::Result::Err(crate::ServiceError::unknown_operation(&MODEL, operation)),")
        self.w("    }")
        self.w("}")

    def render(self):
        self.w(f"// @generated by tools/codegen/generate.py from botocore {BOTOCORE_VERSION}")
        self.w(f"// ({self.service} {self.version}). Do not edit by hand: rerun the generator.")
        self.w("#![allow(clippy::all, non_camel_case_types, clippy::large_enum_variant)]")
        self.w()
        self.w("use crate::model as m;")
        self.w()
        self.emit_model()
        self.emit_types()
        self.emit_errors()
        self.emit_trait()
        return "\n".join(self.out) + "\n"


def render_all():
    files = {}
    mods = []
    for service, module, trait, version, model in load_models():
        files[f"{module}.rs"] = Generator(service, module, trait, version, model).render()
        mods.append(module)
    lines = [f"// @generated by tools/codegen/generate.py from botocore {BOTOCORE_VERSION}. Do not edit by hand.", ""]
    for m in mods:
        lines.append(f"#[cfg(feature = \"{m}\")]")
        lines.append(f"pub mod {'r#' + m if m in RUST_RESERVED else m};")
    lines.append("")
    lines.append("/// Every generated service model, for routing.")
    lines.append("#[allow(clippy::vec_init_then_push)] // each push is behind its service's feature")
    lines.append("pub fn models() -> ::std::vec::Vec<&'static crate::model::ServiceModel> {")
    lines.append("    let mut all = ::std::vec::Vec::new();")
    for m in mods:
        path = 'r#' + m if m in RUST_RESERVED else m
        lines.append(f"    #[cfg(feature = \"{m}\")]")
        lines.append(f"    all.push(&{path}::MODEL);")
    lines.append("    all")
    lines.append("}")
    files["mod.rs"] = "\n".join(lines) + "\n"
    return files


def main():
    check = "--check" in sys.argv[1:]
    files = render_all()
    if check:
        stale = []
        present = set(os.listdir(OUT)) if os.path.isdir(OUT) else set()
        for name, text in files.items():
            path = os.path.join(OUT, name)
            if not os.path.exists(path) or open(path).read() != text:
                stale.append(name)
        stale += sorted(present - set(files))
        if stale:
            print("generated shapes are stale: " + ", ".join(stale) + "; run tools/codegen/generate.py")
            sys.exit(1)
        print(f"generated shapes are fresh ({len(files)} files, botocore {BOTOCORE_VERSION})")
        return
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name not in files:
            os.remove(os.path.join(OUT, name))
    for name, text in files.items():
        with open(os.path.join(OUT, name), "w") as f:
            f.write(text)
    print(f"wrote {len(files)} files to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
