//! Helpers shared by the integration suites: the fixture walker and snapshot settings.
#![allow(dead_code, unreachable_pub)]

pub mod big_plan;
pub mod chromium;
pub mod fake_bitbucket;
pub mod fake_bitbucket_server;
pub mod fake_gitea;
pub mod fake_github;
pub mod fake_gitlab;
pub mod fake_models;
pub mod fake_release;
pub mod fake_slack;
pub mod fake_webhooks;
pub mod fixtures;
pub mod front;
pub mod imitation;
pub mod markdown;
pub mod run;
pub mod targets;
pub mod terraform;
