//! Cognito user pools. Pools are not emulated yet, so ListUserPools answers an empty list after
//! validating MaxResults as Cognito does.

use nimbus_shapes::{
    cognito_idp::{errors, CognitoIdentityProvider, ListUserPoolsRequest, ListUserPoolsResponse},
    ServiceError,
};

use crate::emulator::{Ctx, Scope};

/// All Cognito user pool state, per account and region.
#[derive(Default)]
pub struct State {}

pub struct Handler<'a, 'b> {
    pub state: &'a mut State,
    pub ctx: &'a mut Ctx<'b>,
}

impl CognitoIdentityProvider for Handler<'_, '_> {
    fn list_user_pools(
        &mut self,
        input: ListUserPoolsRequest,
    ) -> Result<ListUserPoolsResponse, ServiceError> {
        // Cognito reports model constraint violations as InvalidParameterException.
        let constraint = match input.max_results {
            None => Some(("null".to_string(), "must not be null")),
            Some(max) if max < 1 => Some((
                format!("'{max}'"),
                "must have value greater than or equal to 1",
            )),
            Some(max) if max > 60 => Some((
                format!("'{max}'"),
                "must have value less than or equal to 60",
            )),
            Some(_) => None,
        };
        if let Some((value, rule)) = constraint {
            return Err(errors::INVALID_PARAMETER_EXCEPTION.with_message(format!(
                "1 validation error detected: Value {value} at 'maxResults' failed to satisfy constraint: Member {rule}"
            )));
        }
        Ok(ListUserPoolsResponse {
            user_pools: Some(Vec::new()),
            next_token: None,
        })
    }
}

/// Takes back one record this service persisted (`rest` is the key after the scope).
pub fn restore(state: &mut State, scope: Scope, rest: &str, value: &[u8]) -> Result<(), String> {
    let _ = (state, scope, value);
    Err(format!("unexpected cognito-idp record {rest}"))
}
