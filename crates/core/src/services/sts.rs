//! STS: who am I. The account comes from the access key (see the wire layer's credential rules).

use nimbus_shapes::{
    sts::{GetCallerIdentityRequest, GetCallerIdentityResponse, Sts},
    ServiceError,
};

use crate::emulator::Ctx;

pub struct Handler<'a, 'b> {
    pub ctx: &'a mut Ctx<'b>,
}

impl Sts for Handler<'_, '_> {
    fn get_caller_identity(
        &mut self,
        _input: GetCallerIdentityRequest,
    ) -> Result<GetCallerIdentityResponse, ServiceError> {
        let account = &self.ctx.caller.account_id;
        Ok(GetCallerIdentityResponse {
            user_id: Some(self.ctx.caller.access_key_id.clone()),
            account: Some(account.clone()),
            arn: Some(format!("arn:aws:iam::{account}:root")),
        })
    }
}
