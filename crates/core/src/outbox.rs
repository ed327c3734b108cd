//! Events one service raises for another (S3 notifications, stream records, SNS fan-out, event
//! source mappings, schedules). A call pushes them; the host drains and delivers them after the
//! call's changeset is committed, so a trigger never sees state that could still be lost.

use std::collections::VecDeque;

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub account_id: String,
    pub region: String,
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// An S3 event notification record (`s3:ObjectCreated:Put`, ...), in AWS's JSON shape.
    S3Notification {
        bucket: String,
        record: serde_json::Value,
    },
    /// A message published to an SNS topic, to fan out to its subscriptions.
    SnsPublish {
        topic_arn: String,
        message: serde_json::Value,
    },
}

#[derive(Debug, Default)]
pub struct Outbox {
    pending: VecDeque<Event>,
}

impl Outbox {
    pub fn push(&mut self, event: Event) {
        self.pending.push_back(event);
    }

    pub fn drain(&mut self) -> Vec<Event> {
        self.pending.drain(..).collect()
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}
