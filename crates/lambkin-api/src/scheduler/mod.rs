//! EventBridge Scheduler's REST-JSON protocol (`/schedules/{Name}`, `/schedule-groups/{Name}`),
//! served through `lambkin_events::Events`; `error.rs` writes every error. Operations of the
//! model lambkin does not serve (tags) fall to the unknown-operation answer.

mod error;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, body::Bytes};
use lambkin_engine::Engine;
use lambkin_events::{GroupView, ScheduleConfig, ScheduleRequest};
use serde::Deserialize;
use serde_json::{Value, json};

use error::SchedulerFailure;

type Answer = Result<Response, SchedulerFailure>;

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/schedules", get(list_schedules))
        .route(
            "/schedules/{name}",
            get(get_schedule)
                .post(create_schedule)
                .put(update_schedule)
                .delete(delete_schedule),
        )
        .route("/schedule-groups", get(list_groups))
        .route(
            "/schedule-groups/{name}",
            get(get_group).post(create_group).delete(delete_group),
        )
}

fn ok(value: Value) -> Answer {
    let mut value = value;
    if let Some(map) = value.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    let mut resp = (StatusCode::OK, value.to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(resp)
}

fn answer(result: Answer) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

fn request(name: String, body: &Bytes) -> Result<ScheduleRequest, SchedulerFailure> {
    let mut r: ScheduleRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ScheduleRequest::default()
    } else {
        serde_json::from_slice(body).map_err(|e| SchedulerFailure::Serialization(e.to_string()))?
    };
    r.name = name;
    Ok(r)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GroupQuery {
    #[serde(rename = "groupName")]
    group_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    #[serde(rename = "ScheduleGroup")]
    group: Option<String>,
    #[serde(rename = "NamePrefix")]
    prefix: Option<String>,
    #[serde(rename = "State")]
    state: Option<String>,
    #[serde(rename = "MaxResults")]
    max_results: Option<i64>,
    #[serde(rename = "NextToken")]
    next_token: Option<String>,
}

async fn create_schedule(
    State(engine): State<Engine>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    answer(
        async {
            let arn = engine
                .events()
                .put_schedule(request(name, &body)?, false)
                .await?;
            ok(json!({ "ScheduleArn": arn }))
        }
        .await,
    )
}

async fn update_schedule(
    State(engine): State<Engine>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    answer(
        async {
            let arn = engine
                .events()
                .put_schedule(request(name, &body)?, true)
                .await?;
            ok(json!({ "ScheduleArn": arn }))
        }
        .await,
    )
}

async fn get_schedule(
    State(engine): State<Engine>,
    Path(name): Path<String>,
    Query(q): Query<GroupQuery>,
) -> Response {
    answer((|| {
        let config = engine
            .events()
            .get_schedule(&name, q.group_name.as_deref())?;
        ok(serde_json::to_value(config)
            .map_err(|e| SchedulerFailure::Serialization(e.to_string()))?)
    })())
}

async fn delete_schedule(
    State(engine): State<Engine>,
    Path(name): Path<String>,
    Query(q): Query<GroupQuery>,
) -> Response {
    answer(
        async {
            engine
                .events()
                .delete_schedule(&name, q.group_name.as_deref())
                .await?;
            ok(json!({}))
        }
        .await,
    )
}

fn summary(c: ScheduleConfig) -> Value {
    json!({
        "Arn": c.arn,
        "CreationDate": c.creation_date,
        "GroupName": c.group_name,
        "LastModificationDate": c.last_modification_date,
        "Name": c.name,
        "State": c.state,
        "Target": { "Arn": c.target.arn },
    })
}

async fn list_schedules(State(engine): State<Engine>, Query(q): Query<ListQuery>) -> Response {
    answer((|| {
        let (items, next) = engine.events().list_schedules(
            q.group.as_deref(),
            q.prefix.as_deref(),
            q.state.as_deref(),
            q.next_token.as_deref(),
            q.max_results,
        )?;
        let items: Vec<Value> = items.into_iter().map(summary).collect();
        ok(json!({ "Schedules": items, "NextToken": next }))
    })())
}

fn group_json(g: GroupView) -> Value {
    let t = g.created_at.to_epoch_seconds();
    json!({
        "Arn": g.arn,
        "CreationDate": t,
        "LastModificationDate": t,
        "Name": g.name,
        "State": "ACTIVE",
    })
}

async fn create_group(State(engine): State<Engine>, Path(name): Path<String>) -> Response {
    answer(
        async {
            let arn = engine.events().create_schedule_group(&name).await?;
            ok(json!({ "ScheduleGroupArn": arn }))
        }
        .await,
    )
}

async fn get_group(State(engine): State<Engine>, Path(name): Path<String>) -> Response {
    answer((|| {
        ok(group_json(engine.events().get_schedule_group(&name)?))
    })())
}

async fn delete_group(State(engine): State<Engine>, Path(name): Path<String>) -> Response {
    answer(
        async {
            engine.events().delete_schedule_group(&name).await?;
            ok(json!({}))
        }
        .await,
    )
}

async fn list_groups(State(engine): State<Engine>, Query(q): Query<ListQuery>) -> Response {
    answer((|| {
        let (items, next) = engine.events().list_schedule_groups(
            q.prefix.as_deref(),
            q.next_token.as_deref(),
            q.max_results,
        )?;
        let items: Vec<Value> = items.into_iter().map(group_json).collect();
        ok(json!({ "ScheduleGroups": items, "NextToken": next }))
    })())
}
