//! The AWS Lambda API (`rest-json`, service `lambda`): routes by AWS path and method.

mod aliases;
mod concurrency;
mod convert;
mod error;
mod event_invoke_config;
mod event_source_mappings;
mod functions;
mod invoke;
mod operations;
mod permissions;
mod recursion;
mod tags;
mod target;
mod versions;
mod wire;

use axum::Router;
use axum::routing::{get, post, put};
use lambkin_engine::Engine;

pub use error::AwsError;
pub(crate) use operations::operation;

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route(
            "/2015-03-31/functions",
            post(functions::create_function).get(functions::list_functions),
        )
        .route(
            "/2015-03-31/functions/",
            post(functions::create_function).get(functions::list_functions),
        )
        .route(
            "/2015-03-31/functions/{name}",
            get(functions::get_function).delete(functions::delete_function),
        )
        .route(
            "/2015-03-31/functions/{name}/configuration",
            get(functions::get_function_configuration)
                .put(functions::update_function_configuration),
        )
        .route(
            "/2015-03-31/functions/{name}/code",
            put(functions::update_function_code),
        )
        .route(
            "/2015-03-31/functions/{name}/versions",
            post(versions::publish_version).get(versions::list_versions_by_function),
        )
        .route(
            "/2015-03-31/functions/{name}/aliases",
            post(aliases::create_alias).get(aliases::list_aliases),
        )
        .route(
            "/2015-03-31/functions/{name}/aliases/{alias}",
            get(aliases::get_alias)
                .put(aliases::update_alias)
                .delete(aliases::delete_alias),
        )
        .route(
            "/2015-03-31/functions/{name}/invocations",
            post(invoke::invoke),
        )
        .route(
            "/2014-11-13/functions/{name}/invoke-async",
            post(invoke::invoke_async),
        )
        .route(
            "/2014-11-13/functions/{name}/invoke-async/",
            post(invoke::invoke_async),
        )
        .route(
            "/2017-10-31/functions/{name}/concurrency",
            put(concurrency::put_function_concurrency)
                .delete(concurrency::delete_function_concurrency),
        )
        .route(
            "/2019-09-30/functions/{name}/concurrency",
            get(concurrency::get_function_concurrency),
        )
        .route(
            "/2024-08-31/functions/{name}/recursion-config",
            put(recursion::put_function_recursion_config)
                .get(recursion::get_function_recursion_config),
        )
        .route(
            "/2016-08-19/account-settings",
            get(concurrency::get_account_settings),
        )
        .route(
            "/2016-08-19/account-settings/",
            get(concurrency::get_account_settings),
        )
        .route(
            "/2019-09-25/functions/{name}/event-invoke-config",
            put(event_invoke_config::put_function_event_invoke_config)
                .post(event_invoke_config::update_function_event_invoke_config)
                .get(event_invoke_config::get_function_event_invoke_config)
                .delete(event_invoke_config::delete_function_event_invoke_config),
        )
        .route(
            "/2015-03-31/event-source-mappings",
            post(event_source_mappings::create_event_source_mapping)
                .get(event_source_mappings::list_event_source_mappings),
        )
        .route(
            "/2015-03-31/event-source-mappings/",
            post(event_source_mappings::create_event_source_mapping)
                .get(event_source_mappings::list_event_source_mappings),
        )
        .route(
            "/2015-03-31/event-source-mappings/{uuid}",
            get(event_source_mappings::get_event_source_mapping)
                .put(event_source_mappings::update_event_source_mapping)
                .delete(event_source_mappings::delete_event_source_mapping),
        )
        .route(
            "/2019-09-25/functions/{name}/event-invoke-config/list",
            get(event_invoke_config::list_function_event_invoke_configs),
        )
        .route(
            "/2015-03-31/functions/{name}/policy",
            get(permissions::get_policy).post(permissions::add_permission),
        )
        .route(
            "/2015-03-31/functions/{name}/policy/{sid}",
            axum::routing::delete(permissions::remove_permission),
        )
        .route(
            "/2017-03-31/tags/{resource}",
            get(tags::list_tags)
                .post(tags::tag_resource)
                .delete(tags::untag_resource),
        )
}
