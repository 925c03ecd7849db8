//! EventBridge Scheduler through `aws-sdk-scheduler`: schedules in groups fire their target with
//! its Input at their rate, `at` schedules fire once and delete themselves when asked, and the
//! API answers with Scheduler's codes and statuses.

use std::time::Duration;

use aws_sdk_scheduler::error::ProvideErrorMetadata;
use aws_sdk_scheduler::types::{
    ActionAfterCompletion, FlexibleTimeWindow, FlexibleTimeWindowMode, ScheduleState, Target,
};

use super::body;
use crate::support::{
    TestServer, eventually, queue_with_arn, receive_n, scheduler_client, sqs_client,
};

const WITHIN: Duration = Duration::from_secs(30);
const ROLE: &str = "arn:aws:iam::000000000000:role/scheduler";

fn off() -> FlexibleTimeWindow {
    FlexibleTimeWindow::builder()
        .mode(FlexibleTimeWindowMode::Off)
        .build()
        .unwrap()
}

fn target(arn: &str, input: &str) -> Target {
    Target::builder()
        .arn(arn)
        .role_arn(ROLE)
        .input(input)
        .build()
        .unwrap()
}

fn status_code_message<E: ProvideErrorMetadata>(
    e: &aws_sdk_scheduler::error::SdkError<E, aws_sdk_scheduler::config::http::HttpResponse>,
) -> (u16, String, String) {
    (
        e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0),
        e.code().unwrap_or_default().to_string(),
        e.message().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn schedules_fire_their_target_with_its_input() {
    // One minute of schedule time is 60 ms.
    let s = TestServer::start_with(&["--time-scale", "0.001"]);
    let scheduler = scheduler_client(&s.url);
    let sqs = sqs_client(&s.url);
    let (url, arn) = queue_with_arn(&sqs, "jobs").await;
    let group = scheduler
        .create_schedule_group()
        .name("nightly")
        .send()
        .await
        .unwrap();
    assert_eq!(
        group.schedule_group_arn(),
        "arn:aws:scheduler:us-east-1:000000000000:schedule-group/nightly"
    );
    let created = scheduler
        .create_schedule()
        .name("cleanup")
        .group_name("nightly")
        .schedule_expression("rate(1 minute)")
        .schedule_expression_timezone("Europe/Paris")
        .flexible_time_window(off())
        .target(target(&arn, r#"{"job": "cleanup"}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.schedule_arn(),
        "arn:aws:scheduler:us-east-1:000000000000:schedule/nightly/cleanup"
    );
    let got = receive_n(&sqs, &url, 3, WITHIN).await;
    for m in &got {
        assert_eq!(body(m), serde_json::json!({"job": "cleanup"}));
    }
    let fetched = scheduler
        .get_schedule()
        .name("cleanup")
        .group_name("nightly")
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.schedule_expression(), Some("rate(1 minute)"));
    assert_eq!(fetched.schedule_expression_timezone(), Some("Europe/Paris"));
    assert_eq!(fetched.state(), Some(&ScheduleState::Enabled));
    assert_eq!(fetched.target().unwrap().arn(), arn);
    assert!(fetched.creation_date().is_some());
    let listed = scheduler
        .list_schedules()
        .group_name("nightly")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.schedules().len(), 1);
    assert_eq!(listed.schedules()[0].name(), Some("cleanup"));

    // Disabled through UpdateSchedule, it stops.
    scheduler
        .update_schedule()
        .name("cleanup")
        .group_name("nightly")
        .schedule_expression("rate(1 minute)")
        .flexible_time_window(off())
        .target(target(&arn, r#"{"job": "cleanup"}"#))
        .state(ScheduleState::Disabled)
        .send()
        .await
        .unwrap();
    let mut drained = false;
    for _ in 0..20 {
        let out = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        for m in out.messages() {
            sqs.delete_message()
                .queue_url(&url)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
        if out.messages().is_empty() {
            drained = true;
            break;
        }
    }
    assert!(drained, "a disabled schedule kept firing");

    // Deleting the group deletes its schedules.
    scheduler
        .delete_schedule_group()
        .name("nightly")
        .send()
        .await
        .unwrap();
    let gone = scheduler
        .get_schedule()
        .name("cleanup")
        .group_name("nightly")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        status_code_message(&gone),
        (
            404,
            "ResourceNotFoundException".into(),
            "Schedule group nightly does not exist.".into()
        )
    );
}

#[tokio::test]
async fn an_at_schedule_fires_once_and_deletes_itself_when_asked() {
    let s = TestServer::start_with(&["--time-scale", "0.001"]);
    let scheduler = scheduler_client(&s.url);
    let sqs = sqs_client(&s.url);
    let (url, arn) = queue_with_arn(&sqs, "once").await;
    // Two minutes from now in schedule time: 120 ms of wall time.
    let at = (chrono::Utc::now() + chrono::Duration::minutes(2))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    scheduler
        .create_schedule()
        .name("reminder")
        .schedule_expression(format!("at({at})"))
        .flexible_time_window(off())
        .action_after_completion(ActionAfterCompletion::Delete)
        .target(target(&arn, r#"{"remind": true}"#))
        .send()
        .await
        .unwrap();
    let got = receive_n(&sqs, &url, 1, WITHIN).await;
    assert_eq!(body(&got[0]), serde_json::json!({"remind": true}));
    eventually("the finished schedule to delete itself", WITHIN, || async {
        scheduler
            .get_schedule()
            .name("reminder")
            .send()
            .await
            .err()
            .map(|e| status_code_message(&e).0)
            .filter(|status| *status == 404)
    })
    .await;
    let again = sqs
        .receive_message()
        .queue_url(&url)
        .wait_time_seconds(1)
        .send()
        .await
        .unwrap();
    assert!(again.messages().is_empty(), "an at schedule fires once");
}

#[tokio::test]
async fn scheduler_answers_with_its_codes_and_statuses() {
    let s = TestServer::start();
    let scheduler = scheduler_client(&s.url);
    let arn = "arn:aws:sqs:us-east-1:000000000000:q";
    let create = |name: &str, expression: &str| {
        scheduler
            .create_schedule()
            .name(name)
            .schedule_expression(expression)
            .flexible_time_window(off())
            .target(target(arn, "{}"))
    };
    create("a", "rate(5 minutes)").send().await.unwrap();
    let twice = create("a", "rate(5 minutes)").send().await.unwrap_err();
    assert_eq!(
        status_code_message(&twice),
        (
            409,
            "ConflictException".into(),
            "Schedule a already exists.".into()
        )
    );
    let bad = create("b", "every 5 minutes").send().await.unwrap_err();
    assert_eq!(
        status_code_message(&bad),
        (
            400,
            "ValidationException".into(),
            "Invalid Schedule Expression every 5 minutes.".into()
        )
    );
    let bad_name = create("no spaces", "rate(5 minutes)")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_code_message(&bad_name).0, 400);
    let zone = create("c", "cron(0 9 * * ? *)")
        .schedule_expression_timezone("Mars/Olympus")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        status_code_message(&zone),
        (
            400,
            "ValidationException".into(),
            "Invalid ScheduleExpressionTimezone Mars/Olympus.".into()
        )
    );
    let no_group = create("d", "rate(5 minutes)")
        .group_name("missing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        status_code_message(&no_group),
        (
            404,
            "ResourceNotFoundException".into(),
            "Schedule group missing does not exist.".into()
        )
    );
    let missing = scheduler
        .delete_schedule()
        .name("zzz")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        status_code_message(&missing),
        (
            404,
            "ResourceNotFoundException".into(),
            "Schedule zzz does not exist.".into()
        )
    );
    // Refused requests changed nothing; the one schedule survives a restart.
    let names = |out: aws_sdk_scheduler::operation::list_schedules::ListSchedulesOutput| {
        out.schedules()
            .iter()
            .map(|s| s.name().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(scheduler.list_schedules().send().await.unwrap()),
        ["a"]
    );
    let mut s = s;
    s.kill9();
    let s = TestServer::start_in(&s.data, &[]);
    let scheduler = scheduler_client(&s.url);
    assert_eq!(
        names(scheduler.list_schedules().send().await.unwrap()),
        ["a"]
    );
    let groups = scheduler.list_schedule_groups().send().await.unwrap();
    assert_eq!(groups.schedule_groups().len(), 1);
    assert_eq!(groups.schedule_groups()[0].name(), Some("default"));
}
