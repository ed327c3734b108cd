use crate::model::{ServiceModel, ShapeKind};

/// An error as a service answers it: the wire code, the HTTP status and AWS's message.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceError {
    pub code: String,
    pub status: u16,
    pub message: String,
    /// Whether the caller is at fault (`Sender`) rather than the service (`Receiver`), for awsQuery.
    pub sender_fault: bool,
    /// Further members of the error shape (e.g. DynamoDB's `CancellationReasons`), in model names.
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// A kind of error the model declares; `errors::*` in each generated module holds them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorKind {
    pub shape: &'static str,
    pub code: &'static str,
    pub status: u16,
}

impl ErrorKind {
    pub fn with_message(self, message: impl Into<String>) -> ServiceError {
        ServiceError {
            code: self.code.to_string(),
            status: self.status,
            message: message.into(),
            sender_fault: self.status < 500,
            fields: Default::default(),
        }
    }
}

impl ServiceError {
    pub fn new(code: impl Into<String>, status: u16, message: impl Into<String>) -> Self {
        ServiceError {
            code: code.into(),
            status,
            message: message.into(),
            sender_fault: status < 500,
            fields: Default::default(),
        }
    }

    /// The error for a modelled error shape, its code and status looked up in the model.
    pub fn modelled(model: &ServiceModel, shape: &str, message: impl Into<String>) -> Self {
        match model.shape(shape).map(|s| &s.kind) {
            Some(ShapeKind::Structure {
                error: Some(info), ..
            }) => ServiceError {
                code: info.code.to_string(),
                status: info.status,
                message: message.into(),
                sender_fault: info.sender_fault,
                fields: Default::default(),
            },
            _ => ServiceError::new(shape, 400, message),
        }
    }

    pub fn with_field(mut self, name: &str, value: serde_json::Value) -> Self {
        self.fields.insert(name.to_string(), value);
        self
    }

    /// An operation the model has but Nimbus does not emulate yet (LocalStack answers the same).
    pub fn not_implemented(model: &ServiceModel, operation: &str) -> Self {
        ServiceError::new(
            "NotImplemented",
            501,
            format!(
                "The operation {operation} of service {} is not implemented by Nimbus yet",
                model.service_id
            ),
        )
    }

    pub fn unknown_operation(model: &ServiceModel, operation: &str) -> Self {
        let _ = model;
        ServiceError::new(
            "UnknownOperationException",
            400,
            format!("Unknown operation {operation}"),
        )
    }

    /// The input did not fit the operation's shape.
    pub fn serialization(message: impl Into<String>) -> Self {
        ServiceError::new("SerializationException", 400, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        ServiceError::new("InternalFailure", 500, message)
    }
}

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for ServiceError {}
