//! Lambda. Functions are not emulated yet, so the function list is empty; ListFunctions still
//! validates its paging parameters as Lambda does.

use nimbus_shapes::{
    lambda::{Lambda, ListFunctionsRequest, ListFunctionsResponse},
    ServiceError,
};

use crate::emulator::{Ctx, Scope};

/// All Lambda state, per account and region.
#[derive(Default)]
pub struct State {}

pub struct Handler<'a, 'b> {
    pub state: &'a mut State,
    pub ctx: &'a mut Ctx<'b>,
}

/// Lambda's answer to a member outside the model's range.
fn validation(member: &str, value: i32, constraint: &str) -> ServiceError {
    ServiceError::new(
        "ValidationException",
        400,
        format!("1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have value {constraint}"),
    )
}

impl Lambda for Handler<'_, '_> {
    fn list_functions(
        &mut self,
        input: ListFunctionsRequest,
    ) -> Result<ListFunctionsResponse, ServiceError> {
        match input.max_items {
            Some(max) if max < 1 => {
                return Err(validation("maxItems", max, "greater than or equal to 1"))
            }
            Some(max) if max > 10_000 => {
                return Err(validation("maxItems", max, "less than or equal to 10000"))
            }
            _ => {}
        }
        Ok(ListFunctionsResponse {
            functions: Some(Vec::new()),
            next_marker: None,
        })
    }
}

/// Takes back one record this service persisted (`rest` is the key after the scope).
pub fn restore(state: &mut State, scope: Scope, rest: &str, value: &[u8]) -> Result<(), String> {
    let _ = (state, scope, value);
    Err(format!("unexpected lambda record {rest}"))
}
