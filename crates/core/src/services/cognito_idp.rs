//! CognitoIdentityProvider.

use nimbus_shapes::cognito_idp::CognitoIdentityProvider;

use crate::emulator::{Ctx, Scope};

/// All CognitoIdentityProvider state, per account and region.
#[derive(Default)]
pub struct State {}

pub struct Handler<'a, 'b> {
    pub state: &'a mut State,
    pub ctx: &'a mut Ctx<'b>,
}

impl CognitoIdentityProvider for Handler<'_, '_> {}

/// Takes back one record this service persisted (`rest` is the key after the scope).
pub fn restore(state: &mut State, scope: Scope, rest: &str, value: &[u8]) -> Result<(), String> {
    let _ = (state, scope, value);
    Err(format!("unexpected cognito_idp record {rest}"))
}
